"""The short table printed after a sweep: the main outcome's median over the design.

Small designs get one row per design point; larger ones (a 96-point grid, a Latin hypercube) get
main effects instead: for each swept parameter, the median at each of its levels, continuous
parameters cut into quartiles. A large grid also gets the two-way table of its first two swept
parameters (e.g. profit share × network density), the median over everything else.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from se_sim.analysis.numbers import format_number, is_count
from se_sim.runner.storage import load_runs

MAX_ROWS = 30
MAX_LEVELS = 10


def sweep_table(
    runs: pd.DataFrame, swept: list[str], metric: str, max_rows: int = MAX_ROWS
) -> pd.DataFrame:
    """Median and count of ``metric`` over successful runs, by design point or by main effect."""
    ok = runs[runs["status"] == "ok"].sort_values("run_id")
    if not swept:
        return pd.DataFrame({"median": [ok[metric].median()], "runs": [len(ok)]})
    by_point = ok.groupby(swept, sort=False, dropna=False)[metric].agg(["median", "count"])
    if len(by_point) <= max_rows:
        return by_point.rename(columns={"count": "runs"}).reset_index()
    return pd.concat([_main_effect(ok, name, metric) for name in swept], ignore_index=True)


def _main_effect(ok: pd.DataFrame, name: str, metric: str) -> pd.DataFrame:
    values = ok[name]
    if values.nunique() > MAX_LEVELS and pd.api.types.is_numeric_dtype(values):
        values = pd.qcut(values, 4, duplicates="drop")
    grouped = ok.groupby(values, sort=True, observed=True)[metric].agg(["median", "count"])
    return pd.DataFrame({
        "parameter": name,
        "level": grouped.index.astype(str),
        "median": grouped["median"].to_numpy(),
        "runs": grouped["count"].to_numpy(),
    })


def two_way_table(runs: pd.DataFrame, swept: list[str], metric: str) -> pd.DataFrame | None:
    """Median of ``metric`` with the first swept parameter as rows and the second as columns,
    or None when there are fewer than two or either has more than ``MAX_LEVELS`` levels."""
    ok = runs[runs["status"] == "ok"]
    if len(swept) < 2 or any(ok[name].nunique() > MAX_LEVELS for name in swept[:2]):
        return None
    return ok.pivot_table(index=swept[0], columns=swept[1], values=metric, aggfunc="median")


def format_sweep_table(out: str | Path, swept: list[str], metric: str | None) -> str:
    """The table as text, with a heading saying what it shows. Without a metric (a model-mode
    experiment with no ``report:``), the first numeric summary column is shown."""
    runs = load_runs(out)
    if runs.empty or "status" not in runs or not (runs["status"] == "ok").any():
        return "no successful runs to summarise"
    chosen = ""
    if metric is None:
        metric = _first_summary(runs, swept)
        if metric is None:
            return "the runs have no numeric summary to show"
        chosen = " (no 'report:' set: the first summary; set 'report:' to choose)"
    if metric not in runs.columns:
        return f"report metric '{metric}' is not a run summary; set 'report:' to one that is"
    if not pd.api.types.is_numeric_dtype(runs[metric]):
        return f"report metric '{metric}' is not a number; set 'report:' to a numeric summary"
    count = is_count(metric, runs[metric])
    number = partial(format_number, name=metric, count=count)
    table = sweep_table(runs, swept, metric)
    body = table.to_string(index=False, formatters={"median": number})
    if "parameter" not in table:
        return f"median {metric} by design point{chosen}:\n{body}"
    text = f"median {metric} by level of each swept parameter{chosen}:\n{body}"
    grid = two_way_table(runs, swept, metric)
    if grid is not None:
        text += f"\n\nmedian {metric}, {swept[0]} (rows) by {swept[1]} (columns):\n"
        text += grid.to_string(float_format=number)
    return text


def _first_summary(runs: pd.DataFrame, swept: list[str]) -> str | None:
    """The first numeric column after the runner's own (which end with ``error``)."""
    after = list(runs.columns[list(runs.columns).index("error") + 1:])
    return next((c for c in after if c not in swept and c != "seed"
                 and pd.api.types.is_numeric_dtype(runs[c])), None)

"""The short table printed after a sweep: the main outcome's median over the design.

Small designs get one row per design point; larger ones (a 96-point grid, a Latin hypercube) get
main effects instead: for each swept parameter, the median at each of its levels, continuous
parameters cut into quartiles. A large grid also gets the two-way table of its first two swept
parameters (e.g. profit share × network density), the median over everything else.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
    """The table as text, with a heading saying what it shows; ``metric`` None stands for the
    first numeric summary metric (a Mesa model's own, whatever it is called)."""
    runs = load_runs(out)
    if runs.empty or "status" not in runs or not (runs["status"] == "ok").any():
        return "no successful runs to summarise"
    metric = metric or _first_summary_metric(runs)
    if metric is None:
        return "the runs have no numeric summary metric to report (the model records nothing)"
    if metric not in runs.columns:
        return f"report metric '{metric}' is not a run summary; set 'report:' to one that is"
    table = sweep_table(runs, swept, metric)
    body = table.to_string(index=False, float_format=_number)
    if "parameter" not in table:
        return f"median {metric} by design point:\n{body}"
    text = f"median {metric} by level of each swept parameter:\n{body}"
    grid = two_way_table(runs, swept, metric)
    if grid is not None:
        text += f"\n\nmedian {metric}, {swept[0]} (rows) by {swept[1]} (columns):\n"
        text += grid.to_string(float_format=_number)
    return text


def _first_summary_metric(runs: pd.DataFrame) -> str | None:
    """The first numeric column after the runner's own: summary metrics follow ``error``."""
    summary = runs.columns[runs.columns.get_loc("error") + 1:]
    return next((c for c in summary if pd.api.types.is_numeric_dtype(runs[c])), None)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"

"""The short table printed after a sweep: the main outcome's median over the design.

Small designs get one row per design point; larger ones (a 96-point grid, a Latin hypercube) get
main effects instead: for each swept parameter, the median at each of its levels, continuous
parameters cut into quartiles.
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


def format_sweep_table(out: str | Path, swept: list[str], metric: str) -> str:
    """The table as text, with a heading saying what it shows."""
    runs = load_runs(out)
    if runs.empty or "status" not in runs or not (runs["status"] == "ok").any():
        return "no successful runs to summarise"
    if metric not in runs.columns:
        return f"report metric '{metric}' is not a run summary; set 'report:' to one that is"
    table = sweep_table(runs, swept, metric)
    by = "level of each swept parameter" if "parameter" in table else "design point"
    return f"median {metric} by {by}:\n{table.to_string(index=False, float_format=_number)}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"

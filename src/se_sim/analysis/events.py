"""Outcomes that are the month something happened (an enterprise closed, the welfare fund could
not pay): empty in runs where it did not happen.

A mean or median of such a column over the runs that have a value describes only those runs,
and reads as if the event were certain. So these outcomes are reported as the share of runs in
which the event happened, with its 95% Wilson interval, and the median month among those runs;
the timing over all runs is left to Kaplan–Meier curves, which count runs without the event as
censored at their horizon.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from se_sim.analysis.labels import EVENTS
from se_sim.analysis.numbers import format_number, percent

LEVEL = 0.95


def is_event(metric: str, values: pd.Series) -> bool:
    """A "month when" outcome: a known one, or a ``*_month`` column empty in some run."""
    if metric in EVENTS:
        return True
    return metric.endswith("_month") and bool(pd.to_numeric(values, errors="coerce").isna().any())


def event_metrics(runs: pd.DataFrame, metrics: Sequence[str]) -> list[str]:
    return [m for m in metrics if m in runs and is_event(m, runs[m])]


def wilson(events: int, runs: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a share (NaN without runs); it stays inside 0–1 and is sound
    for 0 of n or n of n, unlike the normal approximation."""
    if runs == 0:
        return np.nan, np.nan
    ci = stats.binomtest(events, runs).proportion_ci(level, method="wilson")
    return float(ci.low), float(ci.high)


def event_rows(runs: pd.DataFrame, metric: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Per group: ``runs``, ``events``, ``share``, ``ci_low``, ``ci_high`` and
    ``median_month`` (among the runs where it happened; NaN where it never did)."""
    happened = pd.to_numeric(runs[metric], errors="coerce")
    table = runs[list(by)].assign(_month=happened, _event=happened.notna())
    groups = table.groupby(list(by), sort=False, dropna=False) if by else [((), table)]
    rows = []
    for key, part in groups:
        n, k = len(part), int(part["_event"].sum())
        low, high = wilson(k, n)
        keys = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        rows.append({**keys, "metric": metric, "runs": n, "events": k, "share": k / n if n else
                     np.nan, "ci_low": low, "ci_high": high,
                     "median_month": part["_month"].median() if k else np.nan})
    return pd.DataFrame(rows)


def event_text(row: pd.Series | dict) -> str:
    """``2 of 20 runs (10%, 95% CI 3% to 30%), median month 6 among them``; no "nan"."""
    text = (f"{int(row['events']):,} of {int(row['runs']):,} runs ({percent(row['share'])}, "
            f"95% CI {percent(row['ci_low'])} to {percent(row['ci_high'])})")
    if row["events"]:
        text += f", median month {format_number(row['median_month'], count=True)} among them"
    return text

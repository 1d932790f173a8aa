"""The short tables printed after a sweep: each report metric over the design, with intervals.

Small designs get one row per design point; larger ones (a 96-point grid, a Latin hypercube) get
main effects instead: for each swept parameter, the median at each of its levels, continuous
parameters cut into quartiles. A large grid also gets the two-way table of its first two swept
parameters (e.g. profit share × network density), the median over everything else.

Each median has its 95% interval beside it: a distribution-free interval from order statistics
(scipy's ``quantile_test``), which needs no assumption about the spread of runs and needs at
least 6 runs (fewer give "n/a"). A "month when" outcome (empty where it did not happen) gets the
share of runs in which it happened with its Wilson interval, and the median month among them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from se_sim.analysis.events import event_rows, is_event
from se_sim.analysis.labels import event_name, metric_label, parameter_name
from se_sim.analysis.numbers import format_number, is_count, level, percent
from se_sim.analysis.sweep_results import SAMPLED
from se_sim.runner.storage import load_runs, read_manifests

MAX_ROWS = 30
MAX_LEVELS = 10
LEVEL = 0.95


def median_interval(values: pd.Series, level: float = LEVEL) -> tuple[float, float, float]:
    """Median and its distribution-free interval (NaN bounds with fewer than 6 values)."""
    x = values.dropna().to_numpy(dtype=float)
    if not x.size:
        return np.nan, np.nan, np.nan
    median = float(np.median(x))
    if x.size < 6 or np.ptp(x) == 0:
        same = median if x.size >= 6 else np.nan
        return median, same, same
    ci = stats.quantile_test(x, q=median, p=0.5).confidence_interval(level)
    return median, float(ci.low), float(ci.high)


def _medians(groups) -> pd.DataFrame:
    rows = [(*median_interval(part), part.count()) for _, part in groups]
    return pd.DataFrame(rows, columns=["median", "ci_low", "ci_high", "runs"],
                        index=[key for key, _ in groups])


def sweep_table(
    runs: pd.DataFrame, swept: list[str], metric: str, max_rows: int = MAX_ROWS
) -> pd.DataFrame:
    """Median, its 95% interval and the count of ``metric`` over successful runs, by design
    point or by main effect."""
    ok = runs[runs["status"] == "ok"].sort_values("run_id")
    if not swept:
        return _medians([("all", ok[metric])]).reset_index(drop=True)
    grouped = ok.groupby(swept, sort=False, dropna=False)[metric]
    if grouped.ngroups <= max_rows:
        table = _medians(list(grouped))
        keys = pd.DataFrame(list(table.index) if len(swept) > 1 else
                            [[k[0] if isinstance(k, tuple) else k] for k in table.index],
                            columns=swept)
        return pd.concat([keys, table.reset_index(drop=True)], axis=1)
    return pd.concat([_main_effect(ok, name, metric) for name in swept], ignore_index=True)


def _levels(ok: pd.DataFrame, name: str) -> pd.Series:
    values = ok[name]
    if values.nunique() > MAX_LEVELS and pd.api.types.is_numeric_dtype(values):
        return pd.qcut(values, 4, duplicates="drop")
    return values


def _main_effect(ok: pd.DataFrame, name: str, metric: str) -> pd.DataFrame:
    grouped = ok.groupby(_levels(ok, name), sort=True, observed=True)[metric]
    table = _medians(list(grouped))
    return pd.DataFrame({"parameter": name, "level": [level(v) for v in table.index],
                         **{c: table[c].to_numpy() for c in table.columns}})


def two_way_table(runs: pd.DataFrame, swept: list[str], metric: str) -> pd.DataFrame | None:
    """Median of ``metric`` with the first swept parameter as rows and the second as columns,
    or None when there are fewer than two or either has more than ``MAX_LEVELS`` levels."""
    ok = runs[runs["status"] == "ok"]
    if len(swept) < 2 or any(ok[name].nunique() > MAX_LEVELS for name in swept[:2]):
        return None
    return ok.pivot_table(index=swept[0], columns=swept[1], values=metric, aggfunc="median")


def _two_way_text(runs: pd.DataFrame, swept: list[str], metric: str, number,
                  names: dict[str, str]) -> str:
    """The two-way table with each cell's median and its interval, ``4,050 [3,900–4,300]``."""
    ok = runs[runs["status"] == "ok"]
    cells = ok.groupby(swept[:2], sort=True)[metric].apply(
        lambda part: _with_interval(*median_interval(part), number))
    table = cells.unstack(swept[1]).fillna("–")  # a pair of levels no run had
    table = table.rename(index=level, columns=level)
    return table.rename_axis(index=names[swept[0]], columns=names[swept[1]]).to_string()


def _with_interval(median: float, low: float, high: float, number) -> str:
    if np.isnan(low):
        return f"{number(median)} [n/a]"
    return f"{number(median)} [{number(low)} to {number(high)}]"


def _event_table(runs: pd.DataFrame, swept: list[str], metric: str,
                 names: dict[str, str]) -> str:
    """Share of runs with the event (Wilson interval) and the median month among them."""
    ok = runs[runs["status"] == "ok"]
    by_point = swept if ok.groupby(swept).ngroups <= MAX_ROWS else []
    frames = [event_rows(ok, metric, by_point)] if by_point or not swept else [
        event_rows(ok.assign(level=_levels(ok, name).astype(str)), metric, ["level"])
        .assign(parameter=names[name]) for name in swept]
    table = pd.concat(frames, ignore_index=True)
    shown = pd.DataFrame({
        **{c: table[c].map(level) for c in (by_point or (["parameter", "level"] if swept
                                                         else []))},
        "happened": [f"{r.events:,}/{r.runs:,} ({percent(r.share)})"
                     for r in table.itertuples()],
        "95% CI": [f"{percent(r.ci_low)} to {percent(r.ci_high)}" for r in table.itertuples()],
        "median month among them": [format_number(m, count=True) if e else "–"
                                    for m, e in zip(table["median_month"], table["events"],
                                                    strict=True)],
    })
    return shown.rename(columns=names).to_string(index=False)


def _resolved(out: str | Path) -> dict:
    """The experiment as resolved, stored in the manifest."""
    manifests = read_manifests(Path(out))
    return manifests[0].get("experiment", {}).get("resolved", {}) if manifests else {}


def _labels(out: str | Path) -> dict:
    """The experiment's ``labels:`` as stored in the manifest."""
    return _resolved(out).get("labels") or {}


def _field_names(out: str | Path, swept: list[str]) -> dict[str, str]:
    """Column headings for the swept fields: the experiment's ``labels:`` names, else the
    shared label table's."""
    labels = _labels(out)
    return {name: (labels.get(name) or {}).get("name") or parameter_name(name) for name in swept}


def _level_names(out: str | Path, runs: pd.DataFrame, swept: list[str]) -> pd.DataFrame:
    """The runs with each labelled level in words (``market_channel`` → "an online shop")."""
    labels = _labels(out)
    named = {f: (labels.get(f) or {}).get("levels") or {} for f in swept}
    return runs.assign(**{f: runs[f].map(lambda v, words=words: words.get(str(v), v))
                          for f, words in named.items() if words})


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
    label = metric_label(metric)
    runs = _level_names(out, runs, swept)
    ok = runs[runs["status"] == "ok"]
    names = _field_names(out, swept)
    if is_event(metric, ok[metric]):
        return (f"runs in which {event_name(metric)}, with the 95% Wilson interval of "
                f"the share, and the median month among them{chosen}:\n"
                + _event_table(runs, swept, metric, names))
    count = is_count(metric, ok[metric])
    number = partial(format_number, name=metric, count=count)
    table = sweep_table(runs, swept, metric)
    shown = table.drop(columns=["ci_low", "ci_high"]).assign(**{
        name: table[name].map(level) for name in swept if name in table}, **{"95% CI": [
        "n/a" if np.isnan(a) else f"{number(a)} to {number(b)}"
        for a, b in zip(table["ci_low"], table["ci_high"], strict=True)]})
    shown = shown[[c for c in shown.columns if c != "runs"] + ["runs"]]
    shown = shown.rename(columns=names)
    formatters = {"median": number, "runs": "{:,}".format}
    body = shown.to_string(index=False, formatters=formatters)
    what = "with its 95% interval (distribution-free; n/a under 6 runs)"
    if "parameter" not in table:
        return f"median {label} by design point, {what}{chosen}:\n{body}"
    shown["parameter"] = shown["parameter"].map(names)
    body = shown.to_string(index=False, formatters=formatters)
    text = f"median {label} by level of each swept parameter, {what}{chosen}:\n{body}"
    sampled = (_resolved(out).get("design") or {}).get("kind") in SAMPLED
    if not sampled and two_way_table(runs, swept, metric) is not None:  # a sample has no cells
        text += (f"\n\nmedian {label} [95% interval], {names[swept[0]]} (rows) by "
                 f"{names[swept[1]]} (columns):\n")
        text += _two_way_text(runs, swept, metric, number, names)
    return text


def _first_summary(runs: pd.DataFrame, swept: list[str]) -> str | None:
    """The first numeric column after the runner's own (which end with ``error``)."""
    after = list(runs.columns[list(runs.columns).index("error") + 1:])
    return next((c for c in after if c not in swept and c != "seed"
                 and pd.api.types.is_numeric_dtype(runs[c])), None)

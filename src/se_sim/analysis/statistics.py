"""Confidence intervals over replicates, contrasts between design points, and survival data.

Intervals are Student t intervals for a mean (95% unless asked otherwise). A contrast between a
design point and the baseline is paired by replicate when both runs of a replicate had the same
seed (common random numbers), which removes the noise the two runs share; otherwise it is
Welch's unpaired t interval, and ``ci_method`` says which was used.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from se_sim.analysis.sweep_results import SweepResults

LEVEL = 0.95


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the t interval for means (NaN where n < 2)."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    half = stats.t.ppf(0.5 + level / 2, df) * np.asarray(sd) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


class Contrast(NamedTuple):
    mean_diff: float
    ci_low: float
    ci_high: float
    p_value: float
    ci_method: str


def summary_by_point(results: SweepResults, metrics: list[str]) -> pd.DataFrame:
    """Per design point and metric: n, mean, sd, median, and the 95% interval of the mean."""
    ok = results.ok
    points = ok.drop_duplicates("point_id").set_index("point_id").sort_index()
    described = points[[c for c in results.swept if c in points]]
    described.insert(0, "point", results.point_labels)
    grouped = ok.groupby("point_id", sort=True)
    frames = []
    for metric in metrics:
        table = grouped[metric].agg(["count", "mean", "std", "median"])
        n = table["count"].to_numpy()
        low, high = t_interval(table["mean"], table["std"], n)
        frames.append(described.assign(
            metric=metric, n=n, mean=table["mean"], sd=table["std"], median=table["median"],
            ci_low=low, ci_high=high,
            ci_method=[f"t, {k - 1} df" if k >= 2 else "none: fewer than 2 runs" for k in n],
        ).reset_index())
    return pd.concat(frames, ignore_index=True)


def paired_contrast(diff: np.ndarray, level: float = LEVEL) -> Contrast:
    """Mean of paired differences, its t interval and two-sided p-value."""
    if diff.size < 2:
        return Contrast(float(diff.mean()) if diff.size else np.nan, np.nan, np.nan, np.nan,
                        "none: fewer than 2 pairs")
    mean = float(diff.mean())
    if np.all(diff == diff[0]):  # no spread: no t statistic, and the difference is exact
        return Contrast(mean, mean, mean, 1.0 if mean == 0 else 0.0,
                        "paired: every pair differs by the same amount")
    test = stats.ttest_1samp(diff, 0.0)
    ci = test.confidence_interval(level)
    return Contrast(mean, float(ci.low), float(ci.high), float(test.pvalue),
                    f"paired t on common random numbers, {diff.size - 1} df")


def welch_contrast(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> Contrast:
    """Mean of ``a`` minus mean of ``b`` with Welch's unpaired interval and p-value."""
    diff = float(a.mean() - b.mean()) if a.size and b.size else np.nan
    if a.size < 2 or b.size < 2:
        return Contrast(diff, np.nan, np.nan, np.nan, "none: fewer than 2 runs in a group")
    if a.std() == 0 and b.std() == 0:
        return Contrast(diff, diff, diff, 1.0 if diff == 0 else 0.0,
                        "unpaired: no spread in either group")
    test = stats.ttest_ind(a, b, equal_var=False)
    ci = test.confidence_interval(level)
    return Contrast(diff, float(ci.low), float(ci.high), float(test.pvalue),
                    f"Welch t, unpaired (no common random numbers), {test.df:.1f} df")


def contrasts(results: SweepResults, metrics: list[str], baseline: int) -> pd.DataFrame:
    """Every other design point against ``baseline`` (a point_id), metric by metric.

    Replicate r of a point is paired with replicate r of the baseline (at the same draw, in an
    experiment with uncertainty draws); pairs are used only when every pair shares its seed,
    otherwise the comparison is unpaired.
    """
    ok = results.ok
    labels = results.point_labels
    pair = ["draw", "replicate"] if "draw" in ok else "replicate"
    base = ok[ok["point_id"] == baseline].set_index(pair)
    rows = []
    for point_id in sorted(set(ok["point_id"]) - {baseline}):
        other = ok[ok["point_id"] == point_id].set_index(pair)
        common = other.index.intersection(base.index)
        paired = len(common) >= 2 and bool(
            (other.loc[common, "seed"] == base.loc[common, "seed"]).all())
        for metric in metrics:
            a, b = other[metric].dropna(), base[metric].dropna()
            if paired:
                both = a.index.intersection(b.index)
                diff = (a.loc[both] - b.loc[both]).to_numpy(dtype=float)
                result = paired_contrast(diff)
                n_pairs = len(both)
            else:
                result = welch_contrast(a.to_numpy(dtype=float), b.to_numpy(dtype=float))
                n_pairs = 0
            rows.append({
                "point_id": point_id, "point": labels[point_id], "baseline": labels[baseline],
                "metric": metric, "n_pairs": n_pairs, "n": len(a), "n_baseline": len(b),
                "baseline_mean": b.mean(), "mean": a.mean(), **result._asdict(),
            })
    return pd.DataFrame(rows)


def closure_times(results: SweepResults, horizon: pd.Series) -> tuple[pd.DataFrame | None, str]:
    """Per run: months until an enterprise closed (``event`` 1) or the run's horizon (0).

    Uses ``closed_month`` where the runs have it, else ``first_closure_month``; ``horizon``
    maps run_id to the run's last month. Returns None and the reason when neither exists.
    """
    column = next((c for c in ("closed_month", "first_closure_month") if c in results.ok), None)
    if column is None:
        return None, "the runs record no closure month (closed_month or first_closure_month)"
    ok = results.ok
    closed = pd.to_numeric(ok[column], errors="coerce")
    event = closed.notna()
    months = closed.where(event, horizon.reindex(ok["run_id"]).to_numpy())
    table = pd.DataFrame({"run_id": ok["run_id"], "point_id": ok["point_id"],
                          "months": months, "event": event.astype(int)})
    return table.dropna(subset=["months"]), column


def monthly_bands(steps: pd.DataFrame, groups: pd.Series, metrics: list[str]) -> pd.DataFrame:
    """Mean and 95% interval of each monthly metric per group and month.

    ``groups`` maps run_id to the group a run belongs to (a variant, a level)."""
    index = steps.columns[1]  # month (step for other Mesa models), as load_results orders it
    table = steps.assign(group=steps["run_id"].map(groups)).dropna(subset=["group"])
    frames = []
    for metric in metrics:
        stats_ = table.groupby(["group", index], sort=False)[metric].agg(["mean", "std", "count"])
        low, high = t_interval(stats_["mean"], stats_["std"], stats_["count"])
        frames.append(stats_.assign(ci_low=low, ci_high=high, metric=metric)
                      .reset_index().rename(columns={index: "month"}))
    return pd.concat(frames, ignore_index=True)

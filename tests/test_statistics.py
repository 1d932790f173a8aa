"""Intervals and contrasts checked against values computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from se_sim.analysis.statistics import (
    closure_times,
    contrasts,
    monthly_bands,
    paired_contrast,
    summary_by_point,
    t_interval,
    welch_contrast,
)
from se_sim.analysis.sweep_results import SweepResults

T_975_DF2 = 4.302652729749462  # Student t quantiles from a table
T_975_DF4 = 2.7764451051977934


def fake_results(runs: pd.DataFrame, kind: str = "variants", swept: list[str] | None = None,
                 steps: pd.DataFrame | None = None) -> SweepResults:
    """A results folder's contents without the folder: runs with status ok."""
    runs = runs.assign(status="ok")
    manifest = {
        "experiment": {"resolved": {"name": "fake", "report": "y", "seed": 1}},
        "design": {"kind": kind, "swept": swept if swept is not None else ["variant"],
                   "points": int(runs["point_id"].nunique()), "problem": None},
    }
    return SweepResults(Path("fake"), manifest, True, runs, steps if steps is not None
                        else pd.DataFrame())


def two_variants(y_base: list[float], y_other: list[float], same_seeds: bool) -> pd.DataFrame:
    n = len(y_base)
    seeds_other = list(range(n)) if same_seeds else list(range(100, 100 + n))
    return pd.DataFrame({
        "run_id": range(2 * n), "point_id": [0] * n + [1] * n,
        "variant": ["baseline"] * n + ["grant"] * n, "replicate": [*range(n), *range(n)],
        "seed": [*range(n), *seeds_other], "y": [*y_base, *y_other],
    })


def test_paired_interval_of_a_difference_by_hand() -> None:
    # differences 1..5: mean 3, sd sqrt(2.5), se sqrt(2.5/5), t = 3 / se with 4 df
    result = paired_contrast(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    se = math.sqrt(2.5 / 5)
    assert result.mean_diff == pytest.approx(3.0)
    assert result.ci_low == pytest.approx(3 - T_975_DF4 * se)
    assert result.ci_high == pytest.approx(3 + T_975_DF4 * se)
    t = 3 / se  # the t CDF with 4 df in closed form: 1/2 + t(t²+6) / (2(t²+4)^(3/2))
    p = 2 * (1 - (0.5 + t * (t * t + 6) / (2 * (t * t + 4) ** 1.5)))
    assert result.p_value == pytest.approx(p) and result.p_value == pytest.approx(0.0132356, 1e-5)
    assert result.ci_method == "paired t on common random numbers, 4 df"


def test_welch_interval_by_hand() -> None:
    a, b = np.array([10.0, 12.0, 14.0, 16.0]), np.array([1.0, 2.0, 3.0])
    var_a, var_b = 20 / 3, 1.0  # sample variances
    se = math.sqrt(var_a / 4 + var_b / 3)
    df = se**4 / ((var_a / 4) ** 2 / 3 + (var_b / 3) ** 2 / 2)  # Welch–Satterthwaite
    result = welch_contrast(a, b)
    half = stats.t.ppf(0.975, df) * se
    assert result.mean_diff == pytest.approx(11.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((11 - half, 11 + half))
    assert result.p_value == pytest.approx(2 * stats.t.sf(11 / se, df))
    assert result.ci_method == f"Welch t, unpaired (no common random numbers), {df:.1f} df"


def test_equal_differences_give_an_exact_difference() -> None:
    same = paired_contrast(np.array([2.0, 2.0, 2.0]))
    assert (same.mean_diff, same.ci_low, same.ci_high, same.p_value) == (2.0, 2.0, 2.0, 0.0)
    none = paired_contrast(np.zeros(4))
    assert none.p_value == 1.0 and "same amount" in none.ci_method
    assert np.isnan(paired_contrast(np.array([1.0])).ci_low)


def test_summary_interval_by_hand() -> None:
    runs = two_variants([2.0, 4.0, 6.0], [1.0, 1.0, 1.0], same_seeds=True)
    table = summary_by_point(fake_results(runs), ["y"]).set_index("point")
    base = table.loc["baseline"]
    assert (base["n"], base["mean"], base["sd"], base["median"]) == (3, 4.0, 2.0, 4.0)
    half = T_975_DF2 * 2.0 / math.sqrt(3)
    assert (base["ci_low"], base["ci_high"]) == pytest.approx((4 - half, 4 + half))
    assert base["ci_method"] == "t, 2 df"
    assert list(table.columns) == ["point_id", "variant", "metric", "n", "mean", "sd", "median",
                                   "ci_low", "ci_high", "ci_method"]


def test_contrasts_pair_by_replicate_when_seeds_are_common() -> None:
    base = [10.0, 50.0, 30.0, 70.0]
    runs = two_variants(base, [y + 5 for y in base], same_seeds=True)
    runs = runs.sample(frac=1, random_state=3)  # pairing must follow replicates, not row order
    row = contrasts(fake_results(runs), ["y"], baseline=0).iloc[0]
    assert row["n_pairs"] == 4 and row["mean_diff"] == 5.0
    assert (row["ci_low"], row["ci_high"]) == (5.0, 5.0)  # every pair differs by exactly 5
    assert row["point"] == "grant" and row["baseline"] == "baseline"


def test_contrasts_without_common_seeds_are_welch_and_say_so() -> None:
    base = [10.0, 50.0, 30.0, 70.0]
    runs = two_variants(base, [y + 5 for y in base], same_seeds=False)
    row = contrasts(fake_results(runs), ["y"], baseline=0).iloc[0]
    expected = welch_contrast(np.array(base) + 5, np.array(base))
    assert row["n_pairs"] == 0 and row["ci_method"].startswith("Welch t, unpaired")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high))
    assert row["ci_low"] < 0 < row["ci_high"]  # unpaired, the spread hides the shift


def test_t_interval_needs_two_runs() -> None:
    low, high = t_interval(np.array([1.0, 1.0]), np.array([0.5, 0.5]), np.array([1, 5]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert high[1] - low[1] == pytest.approx(2 * T_975_DF4 * 0.5 / math.sqrt(5))


def test_monthly_bands_by_group() -> None:
    steps = pd.DataFrame({"run_id": [0, 0, 1, 1, 2, 2], "month": [0, 1] * 3,
                          "m": [1.0, 2.0, 3.0, 6.0, 5.0, 9.0]})
    groups = pd.Series({0: "a", 1: "b", 2: "b"})
    bands = monthly_bands(steps, groups, ["m"]).set_index(["group", "month"])
    assert bands.loc[("b", 1), "mean"] == 7.5 and bands.loc[("b", 0), "count"] == 2
    assert np.isnan(bands.loc[("a", 1), "ci_low"])  # one run: no interval


def test_closure_times_censor_open_runs_at_the_horizon() -> None:
    runs = two_variants([1.0, 2.0], [3.0, 4.0], same_seeds=True)
    runs["closed_month"] = [5.0, np.nan, np.nan, 12.0]
    runs["first_closure_month"] = [1.0, 1.0, 1.0, 1.0]  # closed_month is preferred
    horizon = pd.Series(36.0, index=runs["run_id"])
    times, column = closure_times(fake_results(runs), horizon)
    assert column == "closed_month"
    assert times["months"].tolist() == [5.0, 36.0, 36.0, 12.0]
    assert times["event"].tolist() == [1, 0, 0, 1]
    none, why = closure_times(fake_results(runs.drop(columns=["closed_month",
                                                              "first_closure_month"])), horizon)
    assert none is None and "closed_month" in why

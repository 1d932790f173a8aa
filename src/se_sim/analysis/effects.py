"""Main effects and interactions of a factorial (grid) design.

A grid crosses every level of every factor, so the question is not how each cell differs from
one arbitrary cell but how much each factor moves an outcome and whether factors act together.
Two answers: each factor's marginal mean per level, with a 95% interval over replicates, and the
share of the variance between design points that each factor and each two-way interaction
explains (a factorial ANOVA, statsmodels ``ols`` + ``anova_lm``).

The marginal mean of a level averages its runs; its interval comes from the replicates: the
mean over a level's cells of replicate r's runs is one value per replicate (on common random
numbers the same seed in every cell), and the t interval is taken over those values. The ANOVA
is fitted on the replicate means of the design points when there are three or more factors (the
residual is then the higher-order interactions); with one or two factors the cells' means leave
no residual, so it is fitted on the runs and the residual is replicate noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from se_sim.analysis.statistics import t_interval

RESIDUAL = "residual"
EFFECT_COLUMNS = ["factor", "level", "metric", "n", "mean", "ci_low", "ci_high"]
VARIANCE_COLUMNS = ["term", "metric", "share", "p_value"]


@dataclass
class Effects:
    effects: pd.DataFrame  # EFFECT_COLUMNS: marginal means per factor level
    variance: pd.DataFrame  # VARIANCE_COLUMNS: share of variance per term
    fitted_on: str  # "design-point means" or "runs"
    skipped: dict[str, str] = field(default_factory=dict)  # metric → why it has no ANOVA


def interaction_term(a: str, b: str) -> str:
    return f"{a} × {b}"


def levels_in_order(runs: pd.DataFrame, factor: str) -> list:
    """A factor's levels: numbers ascending, others in the order of the design."""
    values = runs.sort_values("point_id")[factor].drop_duplicates().tolist()
    return sorted(values) if pd.api.types.is_numeric_dtype(runs[factor]) else values


def marginal_means(runs: pd.DataFrame, factors: list[str], metric: str) -> pd.DataFrame:
    """Per factor and level: replicates ``n``, the mean over its runs and the 95% t interval of
    the per-replicate means."""
    rows = []
    for factor in factors:
        for level in levels_in_order(runs, factor):
            part = runs.loc[runs[factor] == level, ["replicate", metric]].dropna()
            by_replicate = part.groupby("replicate")[metric].mean()
            n = len(by_replicate)
            low, high = t_interval(by_replicate.mean(), by_replicate.std(), n)
            rows.append({"factor": factor, "level": level, "metric": metric, "n": n,
                         "mean": part[metric].mean(), "ci_low": float(low),
                         "ci_high": float(high)})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def variance_shares(runs: pd.DataFrame, factors: list[str], metric: str) -> tuple[pd.DataFrame,
                                                                                    str]:
    """Share of the sum of squares of each factor, each two-way interaction and the residual,
    with the F test's p-value (type II sums of squares; the grid is balanced, so the order of
    terms does not matter)."""
    from statsmodels.formula.api import ols
    from statsmodels.stats.anova import anova_lm

    varying = [f for f in factors if runs[f].nunique() > 1]
    codes = {f: f"f{i}" for i, f in enumerate(varying)}
    if len(varying) >= 3:
        data, fitted_on = runs.groupby("point_id")[[*varying, metric]].agg(
            {**{f: "first" for f in varying}, metric: "mean"}), "design-point means"
    else:
        data, fitted_on = runs[[*varying, metric]], "runs"
    data = data.rename(columns={**codes, metric: "y"}).dropna(subset=["y"])
    data[list(codes.values())] = data[list(codes.values())].astype(str)
    pairs = list(combinations(varying, 2))
    terms = [f"C({codes[f]})" for f in varying] + [f"C({codes[a]}):C({codes[b]})"
                                                   for a, b in pairs]
    table = anova_lm(ols("y ~ " + " + ".join(terms), data=data).fit(), typ=2)
    names = [*varying, *(interaction_term(a, b) for a, b in pairs), RESIDUAL]
    total = table["sum_sq"].sum()
    shares = table["sum_sq"].to_numpy() / total if total > 0 else np.full(len(table), np.nan)
    frame = pd.DataFrame({"term": names, "metric": metric, "share": shares,
                          "p_value": table["PR(>F)"].to_numpy()})
    return frame, fitted_on


def factorial_effects(runs: pd.DataFrame, factors: list[str], metrics: list[str]) -> Effects:
    """Marginal means and variance shares of every metric over the factors of a grid."""
    effects, variance, skipped = [], [], {}
    fitted_on = "runs"
    for metric in metrics:
        values = runs[metric]
        if values.isna().any():
            skipped[metric] = "empty in some runs (an event; see its share of runs)"
            continue
        effects.append(marginal_means(runs, factors, metric))
        if values.nunique() < 2:
            skipped[metric] = "the same in every run"
            continue
        frame, fitted_on = variance_shares(runs, factors, metric)
        variance.append(frame)
    return Effects(
        pd.concat(effects, ignore_index=True) if effects else pd.DataFrame(columns=EFFECT_COLUMNS),
        pd.concat(variance, ignore_index=True) if variance
        else pd.DataFrame(columns=VARIANCE_COLUMNS),
        fitted_on, skipped)


def largest_interaction(variance: pd.DataFrame, metric: str) -> tuple[str, str] | None:
    """The two factors of the two-way interaction that explains most of ``metric``'s variance."""
    rows = variance[(variance["metric"] == metric) & variance["term"].str.contains(" × ")]
    if rows.empty or not rows["share"].notna().any():
        return None
    a, b = rows.loc[rows["share"].idxmax(), "term"].split(" × ")
    return a, b

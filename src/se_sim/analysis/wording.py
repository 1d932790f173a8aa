"""How the sweep report says things: metric names, numbers with their units, and the sentences
of its first screen, which answer the experiment's question for a reader who reads nothing else.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from se_sim.analysis.sweep_results import short_name

NAMES = {
    "fund_inflow_total_thb": "inflow to the vulnerable fund",
    "fund_unique_beneficiaries": "people helped by the fund",
    "fund_balance_end_thb": "fund balance at the end",
    "fund_grants_total_thb": "grants paid by the fund",
    "garden_households_end_of_shock": "households fed from gardens at the end of the shock",
    "members_end": "enterprise members at the end",
    "members_newcomer_end": "newcomer members at the end",
    "cross_group_tie_share_start": "cross-group share of ties at the start",
    "cross_group_tie_share_end": "cross-group share of ties at the end",
    "outgroup_trust_start": "trust toward the other group at the start",
    "outgroup_trust_end": "trust toward the other group at the end",
    "active_enterprises_end": "active enterprises at the end",
    "gini_earned_income_end": "Gini of earned income at the end",
    "gini_disposable_end": "Gini of disposable income at the end",
    "poverty_rate_end": "poverty rate at the end",
    "poverty_gap_end": "poverty gap at the end",
    "poverty_rate_worst": "poverty rate in the worst month",
    "poverty_rate_earned_end": "share with earned income below the poverty line at the end",
    "disposable_income_poorest_fifth_thb": "disposable income of the poorest fifth",
}


def metric_name(metric: str) -> str:
    """A metric as a reader says it, without its unit: ``members_end`` → "members end"."""
    if metric in NAMES:
        return NAMES[metric]
    return metric.removesuffix("_thb").replace("_", " ")


def metric_label(metric: str) -> str:
    """The name with its unit, for axes and tables."""
    return f"{metric_name(metric)} (THB)" if metric.endswith("_thb") else metric_name(metric)


def number(value: float, metric: str = "", signed: bool = False) -> str:
    """Three significant figures, thousands separated; THB metrics carry their unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        text = "0"
    elif abs(value) >= 1000:
        digits = 2 - math.floor(math.log10(abs(value)))
        text = f"{round(value, digits):,.0f}"
    else:
        text = f"{value:.3g}"
    if signed and value > 0:
        text = "+" + text
    text = text.replace("-", "−")  # a minus sign, not a hyphen
    return f"{text} THB" if metric.endswith("_thb") else text


def interval(low: float, high: float, metric: str) -> str:
    """``95% CI 2,970–4,050 THB``."""
    unit = " THB" if metric.endswith("_thb") else ""
    return f"95% CI {number(low)} to {number(high)}{unit}"


def contrast_sentences(table: pd.DataFrame, metric: str) -> list[str]:
    """One sentence per design point against the baseline, largest gain first."""
    name = metric_name(metric)
    rows = table[table["metric"] == metric].sort_values("mean_diff", ascending=False)
    sentences = []
    for row in rows.itertuples():
        point = html.escape(str(row.point))
        if math.isnan(row.ci_low):
            sentences.append(f"<b>{point}</b>: too few runs for an interval "
                             f"(difference {number(row.mean_diff, metric, signed=True)})")
        elif row.ci_low > 0 or row.ci_high < 0:
            verb = "raises" if row.mean_diff > 0 else "lowers"
            change = row.mean_diff / row.baseline_mean if row.baseline_mean else math.inf
            relative = f", {change:+.0%}" if abs(change) < 10 else ""
            sentences.append(f"<b>{point}</b> {verb} {name} by "
                             f"{number(abs(row.mean_diff), metric)} "
                             f"({interval(row.ci_low, row.ci_high, metric)}{relative})")
        else:
            sentences.append(f"<b>{point}</b>: no detectable effect on {name} "
                             f"({interval(row.ci_low, row.ci_high, metric)})")
    return sentences


def extremes_sentence(summary: pd.DataFrame, metric: str) -> str:
    """Where the metric's mean is highest and lowest over the design points."""
    rows = summary[summary["metric"] == metric].dropna(subset=["mean"])
    if rows.empty:
        return f"No run recorded a value of {metric_name(metric)}."
    best, worst = rows.loc[rows["mean"].idxmax()], rows.loc[rows["mean"].idxmin()]
    return (f"{metric_name(metric).capitalize()} is highest at "
            f"<b>{html.escape(str(best['point']))}</b>: {number(best['mean'], metric)} "
            f"({interval(best['ci_low'], best['ci_high'], metric)}), and lowest at "
            f"<b>{html.escape(str(worst['point']))}</b>: {number(worst['mean'], metric)}.")


def main_effects_sentence(runs: pd.DataFrame, swept: list[str], metric: str) -> str:
    """Which swept parameter moves the metric most: the spread of its level means."""
    spans = {
        name: runs.groupby(name)[metric].mean().agg(lambda s: s.max() - s.min())
        for name in swept if runs[name].nunique() > 1
    }
    if not spans:
        return ""
    ranked = sorted(spans.items(), key=lambda item: -item[1])
    parts = [f"<b>{short_name(name)}</b> (its level means span {number(span, metric)})"
             if i == 0 else f"{short_name(name)} ({number(span, metric)})"
             for i, (name, span) in enumerate(ranked)]
    return f"What moves it most: {', then '.join(parts)}."


def sensitivity_sentence(table: pd.DataFrame, kind: str, metric: str) -> str:
    """The parameters ranked by their main index for one metric."""
    rows = table[table["metric"] == metric]
    if rows.empty:
        return ""
    if kind == "sobol":
        rows = rows.sort_values("ST", ascending=False)
        parts = [f"{r.parameter} (total index {r.ST:.2f} ± {r.ST_conf:.2f})"
                 for r in rows.itertuples()]
        what = "Sobol' indices: its variance comes most from"
    elif kind == "morris":
        rows = rows.sort_values("mu_star", ascending=False)
        parts = [f"{r.parameter} (mu* {number(r.mu_star, metric)})" for r in rows.itertuples()]
        what = "Morris screening: it reacts most to"
    else:
        rows = rows.reindex(rows["src"].abs().sort_values(ascending=False).index)
        parts = [f"{r.parameter} ({r.src:+.2f})" for r in rows.itertuples()]
        what = (f"Standardised regression (a linear fit explains {rows['r2'].iloc[0]:.0%} of its "
                "variance): it depends most on")
    parts[0] = f"<b>{parts[0]}</b>"
    return f"{what} {', then '.join(parts[:4])}."

"""How the sweep report says things: metric names, numbers with their units, and the sentences
of its first screen, which answer the experiment's question for a reader who reads nothing else.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd

from se_sim.analysis.labels import metric_name, parameter_name
from se_sim.analysis.numbers import percent, significant

if TYPE_CHECKING:
    from se_sim.analysis.effects import Effects
    from se_sim.analysis.sweep_results import SweepResults

def number(value: float, metric: str = "", signed: bool = False) -> str:
    """Three significant figures, thousands separated, a minus sign; THB metrics carry their
    unit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = significant(value, signed)
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
            relative = f", {percent(change, signed=True)}" if abs(change) < 10 else ""
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


def main_effects_sentence(results: SweepResults, metric: str) -> str:
    """Which swept parameter moves the metric most: the spread of its level means."""
    runs = results.ok
    spans = {
        name: runs.groupby(name)[metric].mean().agg(lambda s: s.max() - s.min())
        for name in results.swept if runs[name].nunique() > 1
    }
    spans = {k: v for k, v in spans.items() if not math.isnan(v)}
    if not spans:
        return ""
    ranked = sorted(spans.items(), key=lambda item: -item[1])
    parts = [f"<b>{html.escape(results.field_label(name))}</b> (its level means span "
             f"{number(span, metric)})" if i == 0 else
             f"{html.escape(results.field_label(name))} ({number(span, metric)})"
             for i, (name, span) in enumerate(ranked)]
    return f"What moves it most: {', then '.join(parts)}."


def effects_sentences(effects: Effects, metric: str, results: SweepResults) -> list[str]:
    """The factors and the interaction that explain most of the metric's variance, and where
    the top factor puts it highest and lowest."""
    rows = effects.variance[effects.variance["metric"] == metric].dropna(subset=["share"])
    if rows.empty:
        return []
    mains = rows[~rows["term"].str.contains(" × ") & (rows["term"] != "residual")]
    mains = mains.sort_values("share", ascending=False)
    named = [f"{html.escape(results.field_label(r.term))} ({percent(r.share)})"
             for r in mains.itertuples() if r.share >= 0.01]
    if not named:
        return [f"No factor explains as much as 1% of the variance of {metric_name(metric)} "
                "between design points."]
    named[0] = f"<b>{named[0]}</b>"
    text = (f"What moves {metric_name(metric)}: {', then '.join(named)} of the variance "
            "between design points")
    pairs = rows[rows["term"].str.contains(" × ")].sort_values("share", ascending=False)
    if len(pairs) and pairs["share"].iloc[0] >= 0.01:
        a, b = pairs["term"].iloc[0].split(" × ")
        text += (f"; the largest interaction, {html.escape(results.field_label(a))} × "
                 f"{html.escape(results.field_label(b))}, explains "
                 f"{percent(pairs['share'].iloc[0])}")
    sentences = [text + "."]
    top = mains["term"].iloc[0]
    levels = effects.effects[(effects.effects["metric"] == metric)
                             & (effects.effects["factor"] == top)].dropna(subset=["mean"])
    if len(levels) >= 2:
        high, low = levels.loc[levels["mean"].idxmax()], levels.loc[levels["mean"].idxmin()]
        sentences.append(
            f"By {html.escape(results.field_label(top))}: highest at "
            f"<b>{html.escape(results.level_label(top, high['level']))}</b> "
            f"({number(high['mean'], metric)}, {interval(high['ci_low'], high['ci_high'], metric)})"
            f", lowest at <b>{html.escape(results.level_label(top, low['level']))}</b> "
            f"({number(low['mean'], metric)}, {interval(low['ci_low'], low['ci_high'], metric)}).")
    return sentences


def tradeoff_sentences(effects: pd.DataFrame, factor: str, metrics: list[str],
                       results: SweepResults) -> list[str]:
    """How the lead metric and those it trades against move from the factor's first level to
    its last (levels without an order, e.g. network shapes: from the level where the lead metric
    is lowest to where it is highest): one line each, with the relative change."""
    rows = effects[effects["factor"] == factor]
    name = html.escape(results.field_label(factor))
    if pd.api.types.is_numeric_dtype(results.ok[factor]):
        first_level, last_level = rows["level"].iloc[0], rows["level"].iloc[-1]
        where = ""
    else:
        lead = rows[rows["metric"] == metrics[0]].set_index("level")["mean"]
        first_level, last_level = lead.idxmin(), lead.idxmax()
        where = f", where {metric_name(metrics[0])} is lowest and highest"
    first, last = (html.escape(results.level_label(factor, v)) for v in (first_level, last_level))
    sentences = [f"Trade-offs: from {name} {first} to {last}{where} (averaged over the other "
                 "factors):"]
    for metric in metrics:
        part = rows[rows["metric"] == metric].set_index("level")
        if part.empty:
            continue
        start, end = part.loc[first_level], part.loc[last_level]
        change = (end["mean"] - start["mean"]) / abs(start["mean"]) if start["mean"] else math.nan
        said = f", {percent(change, signed=True)}" if math.isfinite(change) and abs(change) < 10 \
            else ""
        sentences.append(
            f"{metric_name(metric)}: {number(start['mean'], metric)} → "
            f"<b>{number(end['mean'], metric)}</b> "
            f"({interval(end['ci_low'], end['ci_high'], metric)}{said})")
    return sentences


def sensitivity_sentence(table: pd.DataFrame, kind: str, metric: str) -> str:
    """The parameters ranked by their main index for one metric."""
    rows = table[table["metric"] == metric]
    if rows.empty:
        return ""
    if kind == "sobol":
        rows = rows.sort_values("ST", ascending=False)
        parts = [f"{parameter_name(r.parameter)} (total index {r.ST:.2f} ± {r.ST_conf:.2f})"
                 for r in rows.itertuples()]
        what = "Sobol' indices: its variance comes most from"
    elif kind == "morris":
        rows = rows.sort_values("mu_star", ascending=False)
        parts = [f"{parameter_name(r.parameter)} (mu* {number(r.mu_star, metric)})"
                 for r in rows.itertuples()]
        what = "Morris screening: it reacts most to"
    else:
        rows = rows.reindex(rows["src"].abs().sort_values(ascending=False).index)
        parts = [f"{parameter_name(r.parameter)} ({number(r.src, signed=True)})"
                 for r in rows.itertuples()]
        what = (f"Standardised regression (a linear fit explains {rows['r2'].iloc[0]:.0%} of its "
                "variance): it depends most on")
    parts[0] = f"<b>{parts[0]}</b>"
    return f"{what} {', then '.join(parts[:4])}."

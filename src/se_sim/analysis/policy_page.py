"""The planner's part of the sweep report: which policy, how sure, for whom, at what cost per
unit, and where it would stop being the best choice.

It applies to an experiment that compares policies (variants, points or a grid of levers) and
has costs, objectives or uncertainty draws. It writes robustness.csv, cost_effectiveness.csv and
distribution.csv and their figures, and gives the report its first screen and three sections, in
words a planner uses: no column names, numbers with their units.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from se_sim.analysis import policy_plots
from se_sim.analysis.costs import COLUMNS as COST_COLUMNS
from se_sim.analysis.costs import COST, NOTHING, OUTCOMES, cost_effectiveness
from se_sim.analysis.discovery import WORDS, describe_box
from se_sim.analysis.distribution import COLUMNS as DISTRIBUTION_COLUMNS
from se_sim.analysis.distribution import INCOME, MAX_PAIRS, collect_households, distribution
from se_sim.analysis.policy_runs import DRAW, with_draw
from se_sim.analysis.rerun import StoredDesign
from se_sim.analysis.robustness import COLUMNS as ROBUSTNESS_COLUMNS
from se_sim.analysis.robustness import Turn, ranking_turns, robustness
from se_sim.analysis.sweep_results import SweepResults, short_name
from se_sim.analysis.wording import metric_name, number

POLICY_DESIGNS = ("variants", "points", "grid")  # designs whose points are policies to compare
# objectives when the experiment names none: the four a planner reads first (issue 15)
DEFAULT_OBJECTIVES = {"fund_unique_beneficiaries": "max", "poverty_rate_end": "min",
                      "food_insecure_household_months": "min",
                      "disposable_income_poorest_fifth_thb": "max"}
OBJECTIVE_NAMES = {
    "fund_unique_beneficiaries": "people helped by the fund",
    "poverty_rate_end": "the poverty rate at the end",
    "food_insecure_household_months": "months of food insecurity (households × months)",
    "disposable_income_poorest_fifth_thb": "disposable income of the poorest fifth",
    "disposable_income_mean_thb": "mean disposable income",
    "fund_inflow_total_thb": "money paid into the fund",
    "poverty_gap_end": "the poverty gap at the end",
    "gini_disposable_end": "inequality of disposable income (Gini)",
}
OBJECTIVE_UNITS = {"fund_unique_beneficiaries": "people",
                   "food_insecure_household_months": "household-months"}
OUTCOME_NAMES = {
    "people_helped": "people helped (persons)",
    "poverty_exits": "households out of poverty",
    "food_insecure_months_averted": "food-insecure household-months averted",
    "disposable_income_gained_thb": "disposable income gained (THB, all households and months)",
    "fund_inflow_thb": "paid into the fund (THB)",
}
PARAMETER_NAMES = {
    "market.word_of_mouth": "how fast word of mouth spreads (monthly chance per tie)",
    "households.joining.value_weight": "how much an hour's value weighs in joining",
    "households.work.spare_time_value": "what a spare hour is worth (share of a wage hour)",
    "market.units_per_buyer": "units a buyer takes a month",
    "funds.vulnerable.grant_thb": "the fund's grant (THB)",
    "households.hardship_savings_thb": "the savings below which a household is in hardship (THB)",
    "households.gardens.promoted_adoption": "garden take-up under promotion",
    "allocation.fund_share": "the profit share paid to the fund",
}
GROUP_NAMES = {"all": "all households", "decile 1": "the poorest tenth",
               "decile 10": "the richest tenth", "original": "original residents",
               "newcomer": "newcomers", "vulnerable": "vulnerable households",
               "members": "enterprise members"}
RUN_METRIC_NAMES = {INCOME: "disposable income (THB a month per household)",
                    "poverty_rate_end": "poverty rate at the end",
                    "poverty_gap_end": "poverty gap at the end",
                    "gini_disposable_end": "Gini of disposable income at the end"}


@dataclass
class PolicyPage:
    """What the report takes from the planner's analysis."""

    headline: list[str]  # the first screen: the answer, then one item per question
    sections: list[str]  # HTML sections
    files: list[Path] = field(default_factory=list)
    lead_figure: Path | None = None
    notes: list[str] = field(default_factory=list)


def applies(results: SweepResults) -> bool:
    """A comparison of policies with costs, objectives or uncertainty draws."""
    costs = COST in results.ok and bool((results.ok[COST].fillna(0) != 0).any())
    return results.kind in POLICY_DESIGNS and (costs or planning(results))


def planning(results: SweepResults) -> bool:
    """A policy choice the planner's first screen answers: objectives or uncertainty draws."""
    spec = results.spec
    return results.kind in POLICY_DESIGNS and bool(spec.get("objectives")
                                                   or spec.get("uncertainty"))


def objectives(results: SweepResults) -> dict[str, str]:
    """The experiment's objectives that are in the results, else the default four."""
    named = results.spec.get("objectives") or DEFAULT_OBJECTIVES
    return {m: str(d) for m, d in named.items() if m in results.ok}


def policy_name(label: Any) -> str:
    """``market_channel`` → "market channel"."""
    return str(label).replace("_", " ")


def objective_name(metric: str) -> str:
    return OBJECTIVE_NAMES.get(metric, metric_name(metric))


def parameter_name(path: str) -> str:
    return PARAMETER_NAMES.get(path, short_name(path).replace("_", " "))


def write_policy_page(results: SweepResults, stored: StoredDesign | None, baseline_id: int,
                      out: Path, max_pairs: int = MAX_PAIRS) -> PolicyPage:
    """Write the tables and figures into ``out``; the page's parts in words. An experiment
    with costs but neither objectives nor draws gets the cost section only (no headline)."""
    runs = with_draw(results.ok)
    labels = results.point_labels
    names = labels.map(policy_name)
    page = PolicyPage([], [])
    costs = cost_effectiveness(runs, labels, baseline_id, _household_months(stored, baseline_id),
                               seed=int(results.spec.get("seed", 0)))
    if not costs.empty:
        page.files.append(_csv(costs[COST_COLUMNS], out / "cost_effectiveness.csv"))
    if not planning(results):
        page.sections += [_costs_section(costs, out)] if not costs.empty else []
        return page
    goals = objectives(results)
    named = results.spec.get("objectives") or {}
    absent = [m for m in named if m not in goals]
    if absent:
        page.notes.append(f"Objectives not in these results, left out: {', '.join(absent)}.")
    robust = robustness(runs, goals, baseline_id, labels)
    page.files.append(_csv(robust[ROBUSTNESS_COLUMNS], out / "robustness.csv"))
    parameters = results.uncertain
    turns = [ranking_turns(runs, m, d, robust, parameters) for m, d in goals.items()]
    who = _distribution(stored, runs, labels, baseline_id, max_pairs, page)
    if who is not None:
        page.files.append(_csv(who[DISTRIBUTION_COLUMNS], out / "distribution.csv"))
    draws = int(runs[DRAW].nunique())
    leader = _leader(robust)
    page.headline = _first_screen(robust, goals, turns, costs, who, leader, names, draws)
    if not robust.empty:
        titles = {m: objective_name(m) for m in goals}
        page.lead_figure = policy_plots.plot_p_best(_named(robust), titles, out / "p_best.png")
        page.sections.append(_robustness_section(robust, goals, turns, names, draws,
                                                 page.lead_figure))
    if who is not None:
        page.sections.append(_distribution_section(who, max_pairs, out))
    if not costs.empty:
        page.sections.append(_costs_section(costs, out))
    return page


def _named(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its policies named for a reader (the CSVs keep the variants' names)."""
    return table.assign(point=table["point"].map(policy_name))


def _csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def _household_months(stored: StoredDesign | None, baseline_id: int) -> float | None:
    scenario = stored.scenario(baseline_id) if stored else None
    return float(scenario.households.count * scenario.months) if scenario else None


def _distribution(stored: StoredDesign | None, runs: pd.DataFrame, labels: pd.Series,
                  baseline_id: int, max_pairs: int, page: PolicyPage) -> pd.DataFrame | None:
    if stored is None or stored.job is None:
        page.notes.append("Who gains: the households cannot be re-run from this folder.")
        return None
    pairs = collect_households(stored, runs, baseline_id, max_pairs)
    if pairs.note:
        page.notes.append(f"Who gains: {pairs.note}.")
    if pairs.households.empty:
        return None
    return distribution(pairs, labels, baseline_id)


def _leader(robust: pd.DataFrame) -> int | None:
    """The policy most likely best (by P(best)) for the most objectives that any policy moves;
    ties go to the earlier objective's."""
    moved = robust.groupby("metric", sort=False).filter(lambda rows: rows["regret_max"].max() > 0)
    if moved.empty:
        return None
    firsts = [int(rows.loc[rows["p_best"].idxmax(), "point_id"])
              for _, rows in moved.groupby("metric", sort=False)]
    counts = pd.Series(firsts).value_counts(sort=False)
    return int(counts.idxmax())


# The first screen ---------------------------------------------------------------------------

def _first_screen(robust: pd.DataFrame, goals: dict[str, str], turns: list[Turn | None],
                  costs: pd.DataFrame, who: pd.DataFrame | None, leader: int | None,
                  names: pd.Series, draws: int) -> list[str]:
    if leader is None:
        return ["No policy changes any of the objectives in these results; see the tables "
                "below."]
    lines = [_which_sentence(robust, leader, names, draws)]
    by_metric = {turn.metric: turn for turn in turns if turn is not None}
    for metric in goals:
        if metric in set(robust["metric"]):
            turn = by_metric.get(metric)
            moves = robust.loc[robust["metric"] == metric, "regret_max"].max() > 0
            lines.append(_how_sure_sentence(robust, metric, names, draws)
                         + (" " + _turn_sentence(turn, names) if turn and moves else ""))
    if who is not None:
        lines.append(_for_whom_sentence(who, leader, names))
    lines.append(_cost_sentence(costs, leader, names))
    return [line for line in lines if line]


def _which_sentence(robust: pd.DataFrame, leader: int, names: pd.Series, draws: int) -> str:
    best_for = [objective_name(metric) for metric, rows in robust.groupby("metric", sort=False)
                if int(rows.loc[rows["p_best"].idxmax(), "point_id"]) == leader
                and rows["regret_max"].max() > 0]
    over = (f"over {draws} draws of what the data do not pin" if draws > 1 else
            "with the parameters fixed (no uncertainty draws, so how sure cannot be judged)")
    return (f"Which policy: <b>{html.escape(names[leader])}</b> is most often the best choice, "
            f"{over}: it is the most likely best for {_join(best_for)}.")


def _how_sure_sentence(robust: pd.DataFrame, metric: str, names: pd.Series,
                       draws: int) -> str:
    rows = robust[robust["metric"] == metric].sort_values("p_best", ascending=False)
    goal = objective_name(metric)
    if rows["regret_max"].max() == 0:
        return f"For {goal}: no policy changes it in any of the {draws} draws."
    top = rows.iloc[0]
    text = (f"For {goal}: <b>{html.escape(names[int(top['point_id'])])}</b> is best in "
            f"{top['p_best']:.0%} of the {draws} draw{'s' if draws > 1 else ''}")
    if len(rows) > 1 and rows["p_best"].iloc[1] > 0:
        text += f" (next: {html.escape(names[int(rows['point_id'].iloc[1])])}, " \
                f"{rows['p_best'].iloc[1]:.0%})"
    if int(top["point_id"]) in set(rows["point_id"]) and top["p_beats_baseline"] > 0:
        text += (f"; its effect against doing nothing is {_effect(top, metric)} (median; "
                 f"{_effect(top, metric, 'effect_p05')} to {_effect(top, metric, 'effect_p95')} "
                 f"in 5–95% of draws), better than doing nothing in "
                 f"{top['p_beats_baseline']:.0%} of draws")
    return text + "."


def _effect(row: pd.Series, metric: str, column: str = "effect_median") -> str:
    """An effect in its unit; a rate in percentage points."""
    if metric.endswith("_rate_end") or metric.startswith("poverty_rate"):
        return f"{_points(row[column])} points"
    unit = OBJECTIVE_UNITS.get(metric, "")
    return number(row[column], metric, signed=True) + (f" {unit}" if unit else "")


def _for_whom_sentence(who: pd.DataFrame, leader: int, names: pd.Series) -> str:
    rows = who[(who["point_id"] == leader) & (who["metric"] == INCOME)].set_index("group")
    if rows.empty:
        return ""
    parts = []
    for group in ("decile 1", "vulnerable", "members", "newcomer", "original"):
        if group in rows.index and not math.isnan(rows.loc[group, "mean_diff"]):
            row = rows.loc[group]
            parts.append(f"{GROUP_NAMES[group]} {_baht(row['mean_diff'], signed=True)} a month "
                         f"({_ci(row['ci_low'], row['ci_high'], baht=True)})")
    everyone = rows.loc["all"]
    text = (f"For whom (with <b>{html.escape(names[leader])}</b>, each household against itself "
            f"under the baseline): {'; '.join(parts)}. {everyone['share_better']:.0%} of "
            f"households are better off by more than 1%, {everyone['share_worse']:.0%} worse off")
    poverty = who[(who["point_id"] == leader) & (who["metric"] == "poverty_rate_end")]
    if not poverty.empty:
        row = poverty.iloc[0]
        text += (f"; the poverty rate at the end changes by {_points(row['mean_diff'])} points "
                 f"({_ci(100 * row['ci_low'], 100 * row['ci_high'])})")
    return text + "."


def _cost_sentence(costs: pd.DataFrame, leader: int, names: pd.Series) -> str:
    if costs.empty:
        return ""
    rows = costs[costs["point_id"] == leader]
    name = html.escape(names[leader])
    if rows.empty:
        return f"At what cost: <b>{name}</b> is the baseline itself and costs nothing extra."
    cost = rows["cost_thb"].iloc[0]
    priced = [f"{_baht(r.thb_per_unit)} per {OUTCOMES[r.metric].unit} "
              f"({_ci(r.ci_low, r.ci_high, baht=True)})"
              for r in rows.itertuples() if not math.isnan(r.thb_per_unit)]
    text = (f"At what cost: <b>{name}</b> costs {_baht(cost)} more than the baseline"
            + (f": {'; '.join(priced)}" if priced and cost > 0 else
               " (no public cost)" if cost <= 0 else ""))
    cheapest = _cheapest(costs, names)
    if cheapest:
        text += f". Lowest cost per unit: {cheapest}"
    free = [names[point_id] for point_id, rows in costs.groupby("point_id")
            if (rows["cost_thb"] <= 0).all() and (rows["effect_low"] > 0).any()]
    if free:
        text += f". Gains at no public cost: {html.escape(_join(free))}"
    idle = [names[point_id] for point_id, flags in costs.groupby("point_id")["flag"]
            if (flags == NOTHING).all()]
    if idle:
        text += (f". Costs more and achieves nothing detectable on any outcome: "
                 f"{html.escape(_join(idle))}")
    return text + "."


def _cheapest(costs: pd.DataFrame, names: pd.Series) -> str:
    """Per outcome, the costly policy with the lowest price per unit."""
    priced = costs[(costs["cost_thb"] > 0) & costs["thb_per_unit"].notna()]
    parts = []
    for metric, rows in priced.groupby("metric", sort=False):
        best = rows.loc[rows["thb_per_unit"].idxmin()]
        parts.append(f"{OUTCOME_NAMES[metric].split(' (')[0]}, "
                     f"{html.escape(names[int(best['point_id'])])} "
                     f"({_baht(best['thb_per_unit'])} each)")
    return "; ".join(parts)


def _turn_sentence(turn: Turn, names: pd.Series) -> str:
    leader, other = html.escape(names[turn.leader]), html.escape(names[turn.runner_up])
    if turn.boxes.empty:
        if turn.lost == 0 and turn.won == 0:
            return f"It ties with {other} in every draw."
        if turn.lost == 0:
            return (f"It would stay the best choice in every draw: it beats {other} in "
                    f"{turn.won} of {turn.draws} draws and ties in the rest.")
        return f"{other} beats it in {turn.lost} of {turn.draws} draws; {turn.note}."
    first = turn.boxes[turn.boxes["box"] == 1].iloc[0]
    return (f"It would stop being the best choice where {html.escape(_box_words(turn.boxes))}: "
            f"there {other} does better than {leader} in {first['density']:.0%} of the draws "
            f"({turn.lost} of all {turn.draws} draws).")


def _box_words(boxes: pd.DataFrame) -> str:
    """PRIM's first box in words: "word of mouth … is at least 0.07 and …"."""
    return describe_box(boxes, 1, WORDS, parameter_name, number)


# The sections -------------------------------------------------------------------------------

def _robustness_section(robust: pd.DataFrame, goals: dict[str, str], turns: list[Turn | None],
                        names: pd.Series, draws: int, figure: Path) -> str:
    tables = []
    for metric, direction in goals.items():
        rows = robust[robust["metric"] == metric]
        if rows.empty:
            continue
        shown = pd.DataFrame({
            "policy": rows["point"].map(policy_name),
            "P(best)": [f"{v:.0%}" for v in rows["p_best"]],
            "P(beats baseline)": [f"{v:.0%}" for v in rows["p_beats_baseline"]],
            "effect, median (5–95% of draws)": [
                f"{number(r.effect_median, metric, True)} ({number(r.effect_p05, metric, True)}"
                f" to {number(r.effect_p95, metric, True)})" for r in rows.itertuples()],
            "regret, largest / 90th percentile": [
                f"{number(r.regret_max, metric)} / {number(r.regret_p90, metric)}"
                for r in rows.itertuples()],
        })
        better = "more" if direction == "max" else "less"
        tables.append(f"<h3>{html.escape(objective_name(metric).capitalize())} ({better} is "
                      f"better)</h3>" + shown.to_html(index=False, border=0))
    said = "".join(f"<p>For {objective_name(t.metric)}, against {html.escape(names[t.leader])}: "
                   f"{_turn_sentence(t, names)}</p>" for t in turns if t is not None)
    body = (f"<p>Each of the {draws} draws of the uncertain parameters was run for every policy "
            "on the same seeds; a policy's effect in a draw is its mean over the draw's "
            "replicates minus the baseline's. P(best): the share of draws in which it does best "
            "(ties shared). Regret: how far it falls short of the best policy of the same draw "
            "(EMA Workbench's definition). Which parameters the ranking turns on: PRIM on the "
            "draws where the runner-up beats the leading policy. Every number is in "
            "robustness.csv.</p>" + said + "".join(tables) + _img(figure))
    return _section("How sure: the choice over what the data do not pin", body)


def _distribution_section(who: pd.DataFrame, max_pairs: int, out: Path) -> str:
    who = _named(who)
    pairs = int(who["pairs"].max())
    income = who[who["metric"] == INCOME]
    cells = income.assign(cell=[
        f"{_baht(r.mean_diff, signed=True)}<br><small>{_ci(r.ci_low, r.ci_high, baht=True)}; "
        f"{r.share_better:.0%} better, {r.share_worse:.0%} worse off</small>"
        for r in income.itertuples()])
    wide = cells.pivot(index="group", columns="point", values="cell")
    order = [g for g in ["all", *[f"decile {d}" for d in range(1, 11)], "original", "newcomer",
                         "vulnerable", "members"] if g in wide.index]
    wide = wide.reindex(order).rename(index=lambda g: GROUP_NAMES.get(g, g))
    runs = who[who["metric"] != INCOME]
    run_table = ""
    if not runs.empty:
        run_cells = runs.assign(cell=[f"{_signed(r.mean_diff)}<br><small>"
                                      f"{_ci(r.ci_low, r.ci_high)}</small>"
                                      for r in runs.itertuples()])
        run_wide = run_cells.pivot(index="metric", columns="point", values="cell")
        run_table = run_wide.rename(index=RUN_METRIC_NAMES).to_html(escape=False, border=0)
    figure = policy_plots.plot_deciles(income, out / "distribution_deciles.png")
    body = (f"<p>Change in each household's mean monthly disposable income against the baseline "
            f"run on the same seed, from {pairs} pairs of runs re-run from their seeds (at most "
            f"{max_pairs} per policy, first draws first). Groups are fixed in the baseline run: "
            "deciles of earned income at the start, origin, vulnerability, members at the end. "
            "95% paired t intervals over pairs; better or worse off: a change of more than 1%. "
            "Every row is in distribution.csv.</p>"
            + wide.to_html(escape=False, border=0, index_names=False) + run_table + _img(figure))
    return _section("For whom: disposable income by decile and group", body)


def _costs_section(costs: pd.DataFrame, out: Path) -> str:
    costs = _named(costs)
    titles = {m: OUTCOME_NAMES[m] for m in OUTCOMES}
    figure = policy_plots.plot_cost_plane(costs, titles, out / "cost_effectiveness.png")
    cells = costs.assign(cell=[_cost_cell(r) for r in costs.itertuples()])
    wide = cells.pivot(index="metric", columns="point", values="cell")
    wide = wide.reindex([m for m in OUTCOMES if m in wide.index]).rename(index=OUTCOME_NAMES)
    method = costs["ci_method"].iloc[0] if len(costs) else ""
    body = ("<p>Cost: the interventions' cost above the baseline's (once and monthly parts, "
            "mean over runs). Per unit: cost divided by the mean paired gain over the baseline; "
            "95% interval by a percentile bootstrap that resamples whole pairs of runs "
            f"(e.g. {html.escape(method.split('(')[-1].rstrip(')'))}). Disposable income gained "
            "is the mean gain per household and month times households times months. No price "
            "per unit where the gain's interval includes zero. Every number is in "
            "cost_effectiveness.csv.</p>"
            + wide.to_html(escape=False, border=0, index_names=False) + _img(figure))
    return _section("At what cost: cost per unit of each outcome", body)


def _cost_cell(row: Any) -> str:
    gain = f"gain {_signed(row.mean_diff)} ({_ci(row.effect_low, row.effect_high)})"
    if row.flag:
        return f'<span class="down">{row.flag}</span><br><small>{gain}</small>'
    if math.isnan(row.thb_per_unit):
        return f"no price per unit<br><small>{gain}</small>"
    return (f"{_baht(row.thb_per_unit)} per unit<br><small>"
            f"{_ci(row.ci_low, row.ci_high, baht=True)}; cost {_baht(row.cost_thb)}; "
            f"{gain}</small>")


# Small words --------------------------------------------------------------------------------

def _baht(value: float, signed: bool = False) -> str:
    if math.isinf(value):
        return "unbounded"
    return "THB " + number(value, signed=signed)


def _signed(value: float) -> str:
    return number(value, signed=True)


def _points(share: float) -> str:
    return number(100 * share, signed=True)


def _ci(low: float, high: float, baht: bool = False) -> str:
    if math.isnan(low) or math.isnan(high):
        return "no interval"
    words = _baht if baht else number
    return f"95% CI {words(low)} to {words(high)}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _img(path: Path) -> str:
    import base64

    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'

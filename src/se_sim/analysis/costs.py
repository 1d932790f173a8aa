"""Cost-effectiveness: what each policy costs per unit of what a planner wants from it.

A policy's cost is its interventions' cost (``intervention_cost_total_thb``, once and monthly
parts summed over the run) above the baseline's; its effect on an outcome is the mean paired
difference from the baseline on common random numbers. The cost per unit is their ratio, and its
95% interval comes from a percentile bootstrap that resamples whole pairs (draw, replicate), so
that cost and effect move together as they did in the runs. When the effect's own interval holds
zero, no ratio is reported: a policy that "costs more and achieves nothing detectable" has no
meaningful price per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from se_sim.analysis.policy_runs import pairs, resample_indices

COST = "intervention_cost_total_thb"
COLUMNS = ["point", "metric", "cost_thb", "mean_diff", "thb_per_unit", "ci_low", "ci_high",
           "ci_method"]
RESAMPLES = 2000
LEVEL = 0.95
NOTHING = "costs more, achieves nothing detectable"


@dataclass(frozen=True)
class Outcome:
    """An outcome a planner buys: a summary column, which way is better, what one unit is."""

    column: str
    sign: int  # +1: more of the column is the gain; -1: less of it is (poverty, hunger)
    unit: str  # one unit of the gain, in words: "THB 1,200 per <unit>"
    per_household_month: bool = False  # the column is a mean per household and month


OUTCOMES = {
    "people_helped": Outcome("fund_unique_beneficiaries", 1, "person helped by the fund"),
    "poverty_exits": Outcome("poor_households_end", -1, "household out of poverty at the end"),
    "food_insecure_months_averted": Outcome("food_insecure_household_months", -1,
                                            "food-insecure household-month averted"),
    # the mean gain per household and month, times households and months: baht gained in total
    "disposable_income_gained_thb": Outcome("disposable_income_mean_thb", 1,
                                            "baht of disposable income gained", True),
    "fund_inflow_thb": Outcome("fund_inflow_total_thb", 1, "baht paid into the fund"),
}


def cost_effectiveness(runs: pd.DataFrame, labels: pd.Series, baseline_id: int,
                       household_months: float | None, seed: int = 0,
                       resamples: int = RESAMPLES) -> pd.DataFrame:
    """Per policy and outcome: the COLUMNS of cost_effectiveness.csv, plus ``point_id``, the
    intervals of the effect and the cost, and ``flag`` (NOTHING, or empty).

    ``household_months`` turns a per-household-month outcome into a total (households × months;
    None leaves that outcome out). Without a cost column there is nothing to price: no rows.
    """
    rng = np.random.default_rng(seed)
    rows = []
    policies = sorted(set(runs["point_id"]) - {baseline_id}) if COST in runs else []
    for point_id in policies:
        for name, outcome in OUTCOMES.items():
            scale = household_months if outcome.per_household_month else 1.0
            if outcome.column not in runs or scale is None:
                continue
            row = _one_policy(runs, point_id, baseline_id, outcome, scale, rng, resamples)
            rows.append({"point_id": point_id, "point": labels[point_id], "metric": name, **row})
    columns = ["point_id", *COLUMNS, "effect_low", "effect_high", "cost_low", "cost_high", "flag"]
    return pd.DataFrame(rows, columns=columns)


def _one_policy(runs: pd.DataFrame, point_id: int, baseline_id: int, outcome: Outcome,
                scale: float, rng: np.random.Generator, resamples: int) -> dict:
    table, paired = pairs(runs, [outcome.column, COST], point_id, baseline_id)
    table = table.dropna(subset=[outcome.column, f"{outcome.column}_base"])
    gain = outcome.sign * scale * table[outcome.column].to_numpy(float)
    gain_base = outcome.sign * scale * table[f"{outcome.column}_base"].to_numpy(float)
    cost = table[COST].to_numpy(float)
    cost_base = table[f"{COST}_base"].to_numpy(float)
    mean_diff = float(gain.mean() - gain_base.mean()) if len(table) else np.nan
    cost_thb = float(cost.mean() - cost_base.mean()) if len(table) else np.nan
    row = {"cost_thb": cost_thb, "mean_diff": mean_diff, "thb_per_unit": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "effect_low": np.nan, "effect_high": np.nan,
           "cost_low": np.nan, "cost_high": np.nan, "flag": ""}
    if len(table) < 2:
        return row | {"ci_method": "none: fewer than 2 pairs of runs"}
    size = len(table)
    mine = resample_indices(rng, size, resamples)
    theirs = mine if paired else resample_indices(rng, size, resamples)
    boot_gain = gain[mine].mean(axis=1) - gain_base[theirs].mean(axis=1)
    boot_cost = cost[mine].mean(axis=1) - cost_base[theirs].mean(axis=1)
    tails = [50 * (1 - LEVEL), 50 * (1 + LEVEL)]
    effect_low, effect_high = np.percentile(boot_gain, tails)
    cost_low, cost_high = np.percentile(boot_cost, tails)
    row |= {"effect_low": effect_low, "effect_high": effect_high,
            "cost_low": cost_low, "cost_high": cost_high}
    how = (f"bootstrap percentile, {resamples} resamples of {size} "
           + ("pairs on common random numbers" if paired else
              "runs each, unpaired (the seeds differ)"))
    effect = f"effect 95% CI {effect_low:.4g} to {effect_high:.4g}"
    if effect_low <= 0 <= effect_high:
        flag = NOTHING if cost_thb > 0 else ""
        return row | {"flag": flag, "ci_method": f"none: {flag or 'no detectable effect'} "
                                                 f"({effect}; {how})"}
    if mean_diff < 0:
        return row | {"ci_method": f"none: it makes the outcome worse ({effect}; {how})"}
    # the effect's interval excludes 0, so few resamples have no gain: those cost without end
    ratios = np.divide(boot_cost, boot_gain, out=np.full(resamples, np.inf),
                       where=boot_gain > 0)
    low, high = np.percentile(ratios, tails)
    return row | {"thb_per_unit": cost_thb / mean_diff, "ci_low": low, "ci_high": high,
                  "ci_method": how}

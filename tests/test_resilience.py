"""Enterprise resilience (issue 16.1), trust that settles and leaders in proportion (16.4):
each new rule knocked out on common random numbers, the difference beyond replicate noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import case_scenario
from tests.knockout import assert_effect, summaries

E = "enterprises.0."
SMALL = {"households.count": 300, "months": 24}
SEEDS = range(12)
IDENTICAL = {E + "unit_cost_sigma": 0.0, E + "capability_sigma": 0.0, E + "demand_sigma": 0.0}


def survived(table: pd.DataFrame) -> np.ndarray:
    return 1.0 - table["enterprises_closed"].to_numpy()


def months_open(table: pd.DataFrame, months: int) -> np.ndarray:
    return table["closed_month"].fillna(months + 1).to_numpy()


def test_enterprises_that_differ_survive_where_identical_ones_all_close() -> None:
    """Below the unit cost every identical enterprise closes; one that drew a lower cost, more
    know-how or more demand can live: survival falls with the margin as a slope, not a cliff."""
    below_cost = {**SMALL, "months": 36, E + "price_thb": 28.0}
    differ = summaries(case_scenario(**below_cost, **{E + "unit_cost_sigma": 0.3}), SEEDS)
    alike = summaries(case_scenario(**below_cost, **IDENTICAL), SEEDS)
    assert survived(alike).sum() == 0
    assert_effect(survived(differ) - survived(alike), +1, t=2.0)


def test_the_cash_buffer_absorbs_losses_until_it_runs_out() -> None:
    """With a buffer, a loss that takes little of it is no distress, so a losing enterprise
    lives on its cash for longer; counting every loss (tolerance 0) closes it sooner."""
    losing = {**SMALL, E + "price_thb": 30.0}
    buffered = summaries(case_scenario(**losing), SEEDS)
    every_loss = summaries(case_scenario(**losing, **{E + "loss_tolerance": 0.0}), SEEDS)
    assert_effect(months_open(buffered, 24) - months_open(every_loss, 24), +1, t=2.0)


def test_distress_recovers_in_good_months() -> None:
    """Market risk makes occasional losses; with recovery the count falls back in good months,
    without it (0) scattered bad months add up to a closure."""
    risky = {**SMALL, "months": 36, E + "price_thb": 36.0, E + "loss_tolerance": 0.0}
    recovers = summaries(case_scenario(**risky), SEEDS)
    never = summaries(case_scenario(**risky, **{E + "distress_recovery": 0.0}), SEEDS)
    assert_effect(months_open(recovers, 36) - months_open(never, 36), +1, t=2.0)


def test_committed_costs_let_a_sudden_loss_of_sales_close_an_enterprise() -> None:
    """A deep fall in demand leaves committed costs (the mechanism by which losing a hub or a
    channel hurts in proportion to the sales it carried); without them output and costs shrink
    together and the enterprise rides it out."""
    crash = {**SMALL, "months": 30, "shocks.0.demand_drop": 0.9, "shocks.0.duration": 12}
    committed = summaries(case_scenario(**crash), SEEDS)
    flexible = summaries(case_scenario(**crash, **{E + "committed_cost_share": 0.0}), SEEDS)
    assert_effect(survived(flexible) - survived(committed), +1, t=2.0)


HUB = {"shape": "star", "formation": "natural", "modes": {"natural": {"start_share": 1.0}},
       "organisations": [
           {"name": "shop", "sector": "academic", "hub": {"buyers_per_1000_households": 300.0}},
           {"name": "office", "sector": "government"}]}
# an enterprise that sells almost only through the hub: no channel, few community buyers
HUB_DEPENDENT = {**SMALL, "partners": HUB, "enterprises.0.channels": [],
                 "market.units_per_buyer": 0.05, E + "price_thb": 40.0}


def hub_closures(committed_share: float, removed: bool) -> np.ndarray:
    overrides = {**HUB_DEPENDENT, E + "committed_cost_share": committed_share}
    if removed:
        overrides["interventions"] = [{"kind": "remove_hub", "month": 12}]
    return summaries(case_scenario(**overrides), range(8))["enterprises_closed"].to_numpy()


def test_losing_the_hub_closes_an_enterprise_that_depends_on_it_through_committed_costs() -> None:
    """Its dependence (the hub's share of its sales) leaves committed costs without sales when
    the hub goes; with nothing committed, losing the hub changes nothing about survival."""
    assert_effect(hub_closures(0.5, True) - hub_closures(0.5, False), +1)
    without = hub_closures(0.0, True) - hub_closures(0.0, False)
    assert np.abs(without).sum() == 0


def trust_path(decay: float) -> np.ndarray:
    """Mean out-group trust at months 96 and 120 of the case over a few seeds."""
    from se_sim.model import CommunityModel

    scenario = case_scenario(**{"households.count": 300, "months": 120,
                                "households.trust.decay": decay})
    path = []
    for seed in range(4):
        model = CommunityModel(scenario, rng=seed, reporters=["outgroup_trust_mean"])
        for _ in range(120):
            model.step()
        trust = model.datacollector.get_model_vars_dataframe()["outgroup_trust_mean"]
        path.append([trust.iloc[96], trust.iloc[120]])
    return np.array(path)


def test_trust_settles_when_gains_fade_and_keeps_rising_without() -> None:
    fading, lasting = trust_path(0.05), trust_path(0.0)
    last_change = fading[:, 1] - fading[:, 0]
    assert np.abs(last_change).max() < 0.03
    assert_effect((lasting[:, 1] - lasting[:, 0]) - last_change, +1, t=2.0)


@pytest.mark.parametrize("count", [1000, 4000])
def test_the_case_has_leaders_in_proportion(count: int) -> None:
    scenario = case_scenario(**{"households.count": count})
    assert scenario.households.leader_count == 30 * count // 1000


def test_four_times_the_community_keeps_per_household_outcomes_within_ten_percent() -> None:
    # the same seeds: each enterprise's own draws are the same at both sizes
    seeds = range(8)
    small = summaries(case_scenario(months=36), seeds)
    big = summaries(case_scenario(months=36, **{"households.count": 4000}), seeds)
    for frame, count in ((small, 1000), (big, 4000)):
        frame["members_per_household"] = frame["members_per_1000_end"] / 1000
        frame["food_insecure_share"] = frame["food_insecure_worst"] / count
    for column in ["members_per_household", "fund_inflow_per_household_thb",
                   "people_helped_per_1000", "food_insecure_share"]:
        assert big[column].mean() == pytest.approx(small[column].mean(), rel=0.1), column

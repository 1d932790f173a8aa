"""Enterprises founded by households during the run: the rule, new slots, reputation, the asset
lock, conservation and reproducibility."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from se_sim.model import CommunityModel
from se_sim.scenario import Scenario, load_scenario
from tests.conftest import ROOT, run
from tests.knockout import assert_knockout, summaries
from tests.test_model import assert_household_state_in_range, assert_invariants

NETWORK = ROOT / "scenarios" / "enterprise_network.yaml"
SEEDS = range(4)
FAILING = {"founding.template.fixed_cost_thb_per_1000_households": 20_000,
           "founding.template.insolvency_months": 1}


# the five groups stay open, so the free leaders and the room are the founding rule's alone
GROUPS_STAY_OPEN = {f"enterprises.{i}.insolvency_months": 1000 for i in range(5)}


def founding_scenario(**overrides: Any) -> Scenario:
    """Source 001's five groups with founding on and no partner network, 400 households,
    24 months, room for eight groups: 10 of the 40 leaders are free to found."""
    return load_scenario(NETWORK, {"households.count": 400, "months": 24, "partners": None,
                                   "founding.max_active_per_1000_households": 20,
                                   **GROUPS_STAY_OPEN, **overrides})


def founded(scenario: Scenario, seeds: range = SEEDS) -> np.ndarray:
    return summaries(scenario, seeds)["enterprises_founded"].to_numpy()


def step_until_founded(model: CommunityModel, count: int = 1) -> None:
    while len(model.founding.founded) < count:
        assert model.month < model.config.months, "nothing was founded"
        model.step()


def test_households_found_enterprises_when_the_conditions_hold() -> None:
    assert (founded(founding_scenario()) >= 1).all()
    assert_knockout(founding_scenario(), founding_scenario(founding=None),
                    "active_enterprises_end", +1, range(6))


@pytest.mark.parametrize("unmet", [
    {"founding.monthly_rate": 0.0},
    {"founding.min_free_leaders": 11},  # 10 leaders are free
    {"founding.min_members_to_be": 400},
    {"founding.min_outgroup_trust": 1.0},
    {"founding.min_buyers_per_1000_households": 1000},
    {"founding.max_active_per_1000_households": 12.5},  # 5 groups open in 400 households
])
def test_each_condition_of_the_rule_can_stop_founding(unmet: dict) -> None:
    assert (founded(founding_scenario(**unmet)) == 0).all()


def test_a_new_enterprise_is_founded_by_free_leaders_and_their_neighbours() -> None:
    now = {"founding.monthly_rate": 1.0, "founding.min_buyers_per_1000_households": 0}
    model = CommunityModel(founding_scenario(**now), rng=2)
    hh = model.households
    free_before = hh.leader & ~hh.is_member
    model.founding.step(model.month)  # at month 0, before anybody else may join
    enterprise = model.founding.founded[0]
    founders = enterprise.members()
    cfg = model.config.founding
    assert enterprise.slot == 5 and enterprise.name == "new_group_1"
    assert enterprise.opened_month == model.month and enterprise.active
    assert hh.leader[founders].sum() == cfg.leaders_per_enterprise
    assert free_before[founders[hh.leader[founders]]].all()
    assert founders.size == cfg.founders
    core = np.zeros(hh.n, dtype=bool)
    core[founders[hh.leader[founders]]] = True
    others = founders[~hh.leader[founders]]
    assert (model.network.neighbour_count(core)[others] > 0).all()


def test_new_slots_grow_the_market_and_the_streams_and_start_unknown() -> None:
    model = CommunityModel(founding_scenario(), rng=2)
    market = model.market
    step_until_founded(model)
    slot = model.founding.founded[0].slot
    assert market.aware.shape == market.opinion.shape == market.bought.shape == (400, slot + 1)
    assert len(market.pools) == len(market.shared) == len(model.streams.market_of) == slot + 1
    members = model.households.enterprise == slot
    np.testing.assert_array_equal(market.aware[:, slot], members)  # only its founders know it
    assert (market.opinion[:, slot] == model.config.market.opinion_start).all()
    assert market.reputation(slot) == model.config.market.opinion_start
    assert not market.bought[:, slot].any()
    model.step()
    assert model.enterprise_list[slot].revenue >= 0 and market.aware[:, slot].sum() >= 10


def test_a_founded_enterprise_closes_under_the_asset_lock() -> None:
    model = CommunityModel(founding_scenario(**FAILING), rng=1)
    step_until_founded(model)
    enterprise = model.founding.founded[0]
    leaders = enterprise.members()[model.households.leader[enterprise.members()]]
    while enterprise.active:
        assert model.month < model.config.months, "it never closed"
        assets_before = model.vulnerable_fund.inflow_by_kind["assets"]
        held = enterprise.cash + enterprise.reserve
        model.step()
    assert enterprise.cash == enterprise.reserve == 0
    assert model.vulnerable_fund.inflow_by_kind["assets"] - assets_before == pytest.approx(
        max(held + enterprise.profit, 0.0), abs=1e-6) or held + enterprise.profit < 0
    assert not (model.households.enterprise == enterprise.slot).any()
    assert not model.households.is_member[leaders].any()  # free to found again


def test_a_founded_enterprise_can_leave_its_assets_to_a_similar_one() -> None:
    locked = {**FAILING, "founding.template.asset_lock": "enterprise"}
    model = CommunityModel(founding_scenario(**locked), rng=1)
    step_until_founded(model)
    enterprise, heir = model.founding.founded[0], model.enterprise_list[0]
    while enterprise.active:
        assert model.month < model.config.months, "it never closed"
        model.step()
    assert heir.active and model.vulnerable_fund.inflow_by_kind["assets"] == 0


def test_leaders_of_a_closed_enterprise_found_again() -> None:
    scenario = founding_scenario(**FAILING, **{"households.leaders": 35, "months": 36,
                                               "households.joining.interested_share": 1.0})
    # five free leaders found one enterprise at a time; a second one needs those of a closed one
    # (free leaders may also join the groups, which blocks founding in some seeds; with 60% of
    # households interested, ODD 7.7, the interested join faster and it blocks it in most)
    assert (founded(scenario, range(8)) >= 2).mean() >= 0.5


@pytest.mark.parametrize("seed", range(3))
def test_money_is_conserved_and_ranges_hold_while_enterprises_are_founded(seed: int) -> None:
    model, table, summary = run(founding_scenario(**FAILING, months=30), seed)
    assert summary["enterprises_founded"] >= 1
    assert_invariants(table, model.households.n)
    assert_household_state_in_range(model)
    opened = len(model.enterprise_list)
    assert summary["enterprise_survival_share_end"] == pytest.approx(
        sum(e.active for e in model.enterprise_list) / opened)


def test_same_seed_same_founding() -> None:
    scenario = founding_scenario(**FAILING)
    (_, first, s1), (_, again, s2) = run(scenario, 5), run(scenario, 5)
    pd.testing.assert_frame_equal(first, again)
    assert pd.Series(s1).equals(pd.Series(s2))


def test_without_founding_the_case_is_unchanged() -> None:
    """The Bang Sao Thong case has neither section: no network, nothing founded."""
    model, table, summary = run(load_scenario(ROOT / "scenarios" / "bang_sao_thong.yaml",
                                              {"months": 6}), 0)
    assert model.partners is None and model.founding is None
    assert summary["enterprises_founded"] == summary["network_ties_end"] == 0
    assert (table["enterprises_founded"] == 0).all()

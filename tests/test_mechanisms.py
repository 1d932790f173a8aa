"""Every mechanism fails a test when it is removed: knock-outs on common random numbers.

Each test runs the same seeds with the mechanism on and off (through the parameter that drives
it) and asks that the outcome it drives moves in the expected direction by more than three
standard errors of the paired differences. A break in the code that disables a mechanism makes
the two arms equal, and the test fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from se_sim.model import CommunityModel
from tests.conftest import case_scenario
from tests.knockout import assert_knockout, summaries

NO_CHANNELS = {"enterprises.0.channels": []}


# --- the market: buyers made of households -------------------------------------------------


def test_word_of_mouth_along_ties_makes_buyers() -> None:
    assert_knockout(case_scenario(), case_scenario(**{"market.word_of_mouth": 0.0}),
                    "revenue_total_thb", +1)


def test_visibility_brings_buyers_without_ties() -> None:
    assert_knockout(case_scenario(), case_scenario(**{"market.visibility": 0.0}),
                    "buyers_end", +1)


def test_denser_networks_spread_word_of_mouth_faster() -> None:
    dense = case_scenario(**{"network.mean_degree": 10, **NO_CHANNELS})
    sparse = case_scenario(**{"network.mean_degree": 3, **NO_CHANNELS})
    assert_knockout(dense, sparse, "revenue_total_thb", +1)


def test_buyers_prefer_enterprises_of_people_they_trust() -> None:
    """Trust in the members' mix of groups is above ½ for most households (in-group trust 0.7),
    so without the trust term fewer buy."""
    assert_knockout(case_scenario(), case_scenario(**{"market.trust_weight": 0.0}),
                    "buyers_end", +1)


def test_quality_travels_as_reputation() -> None:
    """Better-skilled members make goods buyers like, and buyers come back."""
    skilled = {"households.skill_start": 0.9, "households.leader_skill_start": 0.9}
    assert_knockout(case_scenario(**skilled), case_scenario(), "buyers_end", +1)
    no_opinion = {"market.opinion_weight": 0.0}
    assert_knockout(case_scenario(**skilled, **no_opinion), case_scenario(**skilled),
                    "buyers_end", -1)


def test_opinions_spread_along_ties() -> None:
    """Households that have not bought take on their informed neighbours' opinion."""
    scenario = case_scenario(**{"market.opinion_spread": 1.0})
    model = CommunityModel(scenario, rng=3)
    for _ in range(4):
        model.step()
    enterprise = model.enterprise_list[0]
    market = model.market
    market.opinion[:, 0] = 0.0
    informed = market.bought[:, 0] | (model.households.enterprise == 0)
    market.opinion[informed, 0] = 1.0
    listeners = market.aware[:, 0] & ~market.bought[:, 0] & ~informed
    market.spread([enterprise])
    listeners &= market.aware[:, 0]
    reached = listeners & (model.network.neighbour_count(informed) > 0)
    assert reached.sum() > 5
    assert market.opinion[reached, 0].min() > 0.0
    assert market.opinion[listeners & ~reached, 0].max() == 0.0


def test_buyers_take_fewer_units_at_a_higher_price() -> None:
    """At a price above the reference, the elasticity cuts what each buyer takes. (A dearer
    price can still sell more in all: its margin pays members, who join and spread the word.)"""
    dearer = {"enterprises.0.price_thb": 80, **NO_CHANNELS}
    inelastic = {"market.price_elasticity": 0.0}
    assert_knockout(case_scenario(**dearer, **inelastic), case_scenario(**dearer),
                    "units_sold_total", +1)


def _shock_only(**kind: float) -> dict:
    return {"shocks": [{"kind": "covid19", "start": 2, "duration": 12, "households_hit": 0.6,
                        "income_loss": kind.get("income_loss", 0.0),
                        "demand_drop": kind.get("demand_drop", 0.0)}], **NO_CHANNELS}


def test_a_shock_cuts_demand_through_incomes() -> None:
    calm = case_scenario(shocks=[], **NO_CHANNELS)
    assert_knockout(case_scenario(**_shock_only(income_loss=0.6)), calm, "revenue_total_thb", -1)
    rigid = {"market.income_elasticity": 0.0}
    assert_knockout(case_scenario(**_shock_only(income_loss=0.6), **rigid),
                    case_scenario(**_shock_only(income_loss=0.6)), "revenue_total_thb", +1)


def test_a_shock_cuts_demand_directly() -> None:
    calm = case_scenario(shocks=[], **NO_CHANNELS)
    assert_knockout(case_scenario(**_shock_only(demand_drop=0.5)), calm, "revenue_total_thb", -1)


def test_outside_buyers_come_through_channels() -> None:
    assert_knockout(case_scenario(), case_scenario(**NO_CHANNELS), "revenue_total_thb", +1)
    channel = {"interventions": [{"kind": "market_channel", "month": 3,
                                  "buyers_per_1000_households": 300, "price_thb": 60}]}
    assert_knockout(case_scenario(**channel), case_scenario(), "revenue_total_thb", +1)


def test_demand_scales_with_the_community() -> None:
    """Buyers are households: four times the community and its leaders, about four times the
    revenue, not the same fixed market."""
    small = summaries(case_scenario(), range(6))["revenue_total_thb"].mean()
    big = summaries(case_scenario(**{"households.count": 4000}), range(6))[
        "revenue_total_thb"].mean()
    assert big / small == pytest.approx(4, rel=0.25)


# --- the profit split and members' time ----------------------------------------------------


def test_reinvestment_buys_capital_that_raises_sales() -> None:
    reinvest = {"allocation.member_share": 0.2, "allocation.fund_share": 0.2}
    no_reinvest = {"allocation.member_share": 0.2, "allocation.fund_share": 0.7}
    assert_knockout(case_scenario(**reinvest, months=36), case_scenario(**no_reinvest, months=36),
                    "revenue_total_thb", +1)


def test_capital_depreciates() -> None:
    model = CommunityModel(case_scenario(**{"enterprises.0.capital_start_thb": 10_000,
                                            "allocation.member_share": 0.7}), rng=0)
    model.step()
    enterprise = model.enterprise_list[0]
    reinvested = model.ledger.outflows["reinvestment"]
    rate = enterprise.config.depreciation
    assert enterprise.capital == pytest.approx((10_000 + reinvested) * (1 - rate))


def test_members_give_fewer_hours_when_payouts_are_low() -> None:
    paid = case_scenario(**{"allocation.member_share": 0.6, "allocation.fund_share": 0.0})
    unpaid = case_scenario(**{"allocation.member_share": 0.0, "allocation.fund_share": 0.0})
    model_paid, model_unpaid = CommunityModel(paid, rng=1), CommunityModel(unpaid, rng=1)
    for _ in range(12):
        model_paid.step()
        model_unpaid.step()
    offered = [m.households.hours[m.households.is_member].mean() for m in (model_paid,
                                                                           model_unpaid)]
    assert offered[0] > offered[1] * 1.05


def test_members_leave_an_enterprise_that_does_not_pay() -> None:
    paid = case_scenario(**{"allocation.member_share": 0.7, "allocation.fund_share": 0.0})
    unpaid = case_scenario(**{"allocation.member_share": 0.0, "allocation.fund_share": 0.0})
    assert_knockout(paid, unpaid, "members_end", +1)


def test_the_social_purpose_attracts_givers() -> None:
    cause = {"allocation.member_share": 0.2, "allocation.fund_share": 0.5}
    assert_knockout(case_scenario(**cause),
                    case_scenario(**cause, **{"households.joining.social_weight": 0.0}),
                    "members_end", +1)
    assert_knockout(case_scenario(**cause), case_scenario(**cause, **{"market.cause_weight": 0}),
                    "buyers_end", +1)


def test_peers_and_trust_draw_households_in() -> None:
    assert_knockout(case_scenario(), case_scenario(**{"households.joining.peer_weight": 0.0}),
                    "members_end", +1)
    assert_knockout(case_scenario(), case_scenario(**{"households.joining.trust_weight": 0.0}),
                    "members_end", +1)


def test_the_fund_share_costs_growth() -> None:
    """Profit sent to the fund is not reinvested nor paid out: revenue and payouts fall."""
    low = case_scenario(**{"allocation.fund_share": 0.1, "allocation.member_share": 0.2,
                           "months": 36})
    high = case_scenario(**{"allocation.fund_share": 0.7, "allocation.member_share": 0.2,
                            "months": 36})
    assert_knockout(high, low, "revenue_total_thb", -1)
    assert_knockout(high, low, "fund_inflow_total_thb", +1)


def test_learning_by_doing_raises_skill() -> None:
    learning = case_scenario(**{"enterprises.0.experience_gain": 0.5})
    model = CommunityModel(learning, rng=0)
    before = model.households.skill.copy()
    for _ in range(6):
        model.step()
    worked = model.households.hours_worked > 0
    assert (model.households.skill[worked] > before[worked]).all()
    still = CommunityModel(case_scenario(**{"enterprises.0.experience_gain": 0.0}), rng=0)
    for _ in range(6):
        still.step()
    np.testing.assert_array_equal(still.households.skill, before)


def test_training_raises_members_skill() -> None:
    training = {"interventions": [{"kind": "training", "month": 2, "skill_gain": 0.5}]}
    assert_knockout(case_scenario(**training), case_scenario(), "revenue_total_thb", +1)


def test_leaders_never_leave() -> None:
    unpaid = case_scenario(**{"allocation.member_share": 0.0, "allocation.fund_share": 0.0,
                              "enterprises.0.labour_share": 0.0,
                              "households.joining.leave_rate": 1.0})
    model = CommunityModel(unpaid, rng=0)
    for _ in range(12):
        model.step()
    hh = model.households
    assert (hh.enterprise[hh.leader] == 0).all()
    assert not (hh.is_member & ~hh.leader).any()

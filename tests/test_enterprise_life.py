"""Failure that happens: equity paid once, members who leave, closure under the asset lock."""

from __future__ import annotations

import numpy as np
import pytest

from se_sim.model import CommunityModel
from se_sim.model.enterprise import Enterprise
from tests.conftest import case_scenario, run
from tests.knockout import summaries

TOO_SMALL = {"market.units_per_buyer": 0.05, "enterprises.0.channels": []}


def test_an_enterprise_with_a_market_far_too_small_closes_within_four_years() -> None:
    """It loses every month; its cash buffer (share capital, reserve) carries it for a while."""
    table = summaries(case_scenario(**TOO_SMALL, months=48), range(20))
    closed = (table["closed_month"] <= 48).mean()
    assert closed >= 0.8


def test_the_case_rarely_closes() -> None:
    table = summaries(case_scenario(months=36), range(20))
    assert table["enterprises_closed"].mean() <= 0.1


def test_closure_sends_the_assets_to_the_fund_and_frees_the_members() -> None:
    model = CommunityModel(case_scenario(**TOO_SMALL, months=36), rng=0)
    enterprise = model.enterprise_list[0]
    while enterprise.active:
        assert model.month < 36, "it never closed"
        assets = enterprise.cash + enterprise.reserve
        model.step()
    closing_result = enterprise.profit
    assert model.vulnerable_fund.inflow_by_kind["assets"] == pytest.approx(
        max(assets + closing_result, 0.0), abs=1e-6) or assets + closing_result < 0
    assert enterprise.cash == enterprise.reserve == 0
    assert not model.households.is_member.any()
    assert (model.households.hours == 0).all()
    model.step()
    assert enterprise.revenue == 0 and not model.households.is_member.any()


def test_the_asset_lock_can_pass_assets_to_a_similar_enterprise() -> None:
    failing = {"name": "failing", "price_thb": 5, "fixed_cost_thb_per_1000_households": 800,
               "insolvency_months": 1, "asset_lock": "enterprise"}
    scenario = case_scenario(enterprises=[failing, {"name": "heir"}])
    model = CommunityModel(scenario, rng=0)
    failing_e, heir = model.enterprise_list
    handed: list[tuple[float, float]] = []  # (assets held at closing, what the heir's cash gained)

    def close() -> None:
        held, before = failing_e.cash + failing_e.reserve, heir.cash
        Enterprise.close(failing_e)
        handed.append((held, heir.cash - before))

    failing_e.close = close
    while failing_e.active:
        assert model.month < 24, "it never closed"
        model.step()
    [(held, gained)] = handed
    assert heir.active and held > 0 and gained == pytest.approx(held)
    assert model.vulnerable_fund.inflow_by_kind["assets"] == 0


def test_share_capital_is_paid_once() -> None:
    model = CommunityModel(case_scenario(), rng=2)
    hh = model.households
    fee = hh.config.share_capital_thb
    for _ in range(18):
        model.step()
    enterprise = model.enterprise_list[0]
    paid = hh.share_paid.sum()
    assert paid > 30
    # everybody who ever paid, paid once: the equity raised equals payers × fee
    assert model.ledger.net == pytest.approx(model.money_held() - model.money_at_start)
    rejoiners = hh.share_paid & ~hh.is_member
    before = hh.savings[rejoiners].copy()
    from se_sim.model.membership import join

    join(model, enterprise, np.flatnonzero(rejoiners))
    np.testing.assert_array_equal(hh.savings[rejoiners], before)
    assert fee > 0


def test_leavers_get_their_share_back_only_under_the_refund_rule() -> None:
    def refunds(rule: str) -> float:
        scenario = case_scenario(**{"households.share_refund": rule,
                                    "households.joining.leave_rate": 0.5})
        model, _, _ = run(scenario, 3)
        hh = model.households
        return float((~hh.share_paid & (hh.payouts_thb > 0) & ~hh.is_member).sum())

    assert refunds("on_leave") > refunds("none")


def test_losses_empty_cash_then_reserve_then_close() -> None:
    # nobody joins after founding: new members' share capital would pay part of the losses
    scenario = case_scenario(**TOO_SMALL, **{"allocation.reserve_share": 0.5,
                                             "allocation.member_share": 0.3,
                                             "households.joining.monthly_rate": 0.0}, months=72)
    model = CommunityModel(scenario, rng=1)
    enterprise = model.enterprise_list[0]
    enterprise.reserve = 2_000.0
    seen_reserve_fall = False
    while enterprise.active and model.month < 72:
        reserve = enterprise.reserve
        model.step()
        if enterprise.active and enterprise.cash == 0 and enterprise.reserve < reserve:
            seen_reserve_fall = True
    assert seen_reserve_fall and not enterprise.active


def test_members_are_paid_by_the_hours_they_worked() -> None:
    """The members' share of a profit is split by this month's hours: the same pay per hour for
    every member, nothing for a member who did not work."""
    model = CommunityModel(case_scenario(**{"shocks": []}), rng=1)
    hh = model.households
    checked = 0
    for _ in range(12):
        before = hh.payouts_thb.copy()
        model.step()
        paid = hh.payouts_thb - before
        members = np.flatnonzero(hh.is_member)
        if paid[members].sum() <= 0:
            continue
        hours = hh.hours_worked[members]
        assert np.ptp(hours) > 0, "hours did not vary: the check would be empty"
        worked = hours > 0
        per_hour = paid[members][worked] / hours[worked]
        np.testing.assert_allclose(per_hour, per_hour[0], rtol=1e-9)
        assert np.all(paid[members][~worked] == 0)
        checked += 1
    assert checked >= 3

"""Model v3, help that follows need and finance that behaves (docs/ODD.md 7.8 and Part II):
a knock-out of each new rule on common random numbers, in small communities."""

from __future__ import annotations

import numpy as np

from se_sim.model import CommunityModel
from se_sim.model.livelihood import food_need
from se_sim.scenario import load_scenario
from tests.conftest import ROOT, case_scenario
from tests.knockout import assert_effect, assert_knockout, summaries

CODI = ROOT / "scenarios" / "codi_welfare_fund.yaml"
NETWORK = ROOT / "scenarios" / "enterprise_network.yaml"
EARLY_COVID = [{"kind": "covid19", "start": 2, "duration": 12, "households_hit": 0.4,
                "income_loss": 0.5, "demand_drop": 0.3}]
SEEDS = range(8)
# money enough that the queue's order, not the balance, decides who is paid
RICH = {"interventions": [{"kind": "matching_grant", "month": 1, "amount_thb": 100_000}]}
CAPPED = {"funds.vulnerable.max_grants_per_1000_households": 5}  # fewer grants than in need


def codi(**overrides: object):
    """The CODI scenario at 500 households over 24 months, COVID-19 in months 2-13."""
    return load_scenario(CODI, {"months": 24, "households.count": 500, "shocks": EARLY_COVID,
                                **overrides})


def small_case(**overrides: object):
    return case_scenario(**{"households.count": 500, **overrides})


# --- help that follows need (7.8) -----------------------------------------------------------


def grantees(priority: str, seed: int, months: int = 12) -> tuple[set[int], float, float]:
    """Who the fund paid, the share of grants to households in hardship and the mean margin
    (savings before the grant − food bill) of grantees, under a priority."""
    model = CommunityModel(small_case(**RICH, **CAPPED,
                                      **{"funds.vulnerable.priority": priority}), rng=seed)
    hh, paid_to, hardship, margin = model.households, set(), [], []
    for _ in range(months):
        model.step()
        paid = np.flatnonzero(hh.grant_this_month > 0)
        paid_to.update(paid.tolist())
        hardship.extend(hh.hardship[paid])
        held = hh.savings[paid] + hh.consumption[paid] - hh.grant_this_month[paid]
        margin.extend(held - food_need(hh)[paid])
    return paid_to, float(np.mean(hardship)), float(np.mean(margin))


def test_the_queue_priority_decides_who_is_helped() -> None:
    """Against a random queue (priority off), poorest_first pays households with less in hand
    and longest_waiting more different households; the beneficiaries differ."""
    for seed in range(4):
        assert grantees("poorest_first", seed)[0] != grantees("random", seed)[0]
    by = {p: [grantees(p, s) for s in SEEDS] for p in
          ("random", "poorest_first", "longest_waiting")}
    off = by["random"]
    poorest = [a[2] - b[2] for a, b in zip(by["poorest_first"], off, strict=True)]
    assert_effect(np.array(poorest), -1)
    spread = [len(a[0]) - len(b[0]) for a, b in zip(by["longest_waiting"], off, strict=True)]
    assert_effect(np.array(spread), +1)


def test_hardship_first_pays_no_one_else_while_a_household_in_hardship_waits() -> None:
    model = CommunityModel(small_case(**RICH, **CAPPED,
                                      **{"funds.vulnerable.priority": "hardship_first"}), rng=2)
    fund, hh = model.vulnerable_fund, model.households
    for _ in range(12):
        model.step()
        paid = hh.grant_this_month > 0
        if (paid & ~hh.hardship).any():
            assert not (fund.in_need & hh.hardship & ~paid).any()
    assert fund.grants_total > 0


def test_more_money_helps_more_people_until_need_is_met() -> None:
    low = small_case(**{"allocation.fund_share": 0.05, "allocation.member_share": 0.2})
    high = small_case(**{"allocation.fund_share": 0.6, "allocation.member_share": 0.2})
    assert_knockout(high, low, "fund_unique_beneficiaries", +1, SEEDS)
    # with money for everyone and no cap but the balance, every household in need is helped
    unlimited = small_case(**RICH, **{"funds.vulnerable.max_grants_per_1000_households": None,
                                      "funds.vulnerable.balance_share_per_month": 1.0})
    table = summaries(unlimited, range(3))
    assert (table["fund_unique_beneficiaries"] == table["fund_in_need_ever"]).all()
    assert (summaries(low, range(3))["fund_unique_beneficiaries"]
            < summaries(low, range(3))["fund_in_need_ever"]).all()


def test_the_balance_cap_paces_the_grants() -> None:
    """At most ``balance_share_per_month`` of the balance is paid in a month."""
    model = CommunityModel(small_case(**RICH, **{
        "funds.vulnerable.max_grants_per_1000_households": None,
        "funds.vulnerable.balance_share_per_month": 0.1}), rng=1)
    fund = model.vulnerable_fund
    for _ in range(6):
        model.step()  # what it held when it paid ≤ the balance now + what it paid
        assert 0 < fund.month_outflow <= 0.1 * (fund.balance + fund.month_outflow) + 1e-6


def test_need_moves_with_shocks_and_gardens() -> None:
    """Who is in need is read from household state: a shock adds need, gardens and shared
    produce (a lower food bill) lower it."""
    need = "fund_need_household_months"
    assert_knockout(small_case(), small_case(shocks=[]), need, +1, SEEDS)
    no_produce = small_case(**{"households.gardens.food_cost_saving": 0.0})
    assert_knockout(no_produce, small_case(), need, +1, SEEDS)


# --- savings withdrawals (7.F5) ------------------------------------------------------------


def test_savers_in_need_withdraw_after_notice() -> None:
    model = CommunityModel(codi(), rng=0)
    group, hh, rule = model.savings_group, model.households, model.config.funds.savings_group
    for _ in range(8):
        model.step()
    savers = np.flatnonzero(group.member & (group.deposits > 0))[:6]
    deposits = group.deposits[savers].copy()
    hh.base_income[savers] = 0.0  # the next months they cannot pay their food bill
    hh.savings[savers] = 0.0
    model.step()  # notice given this month, nothing paid
    np.testing.assert_allclose(group.deposits[savers], deposits)
    assert (group.asked_month[savers] == model.month).all()
    hh.savings[savers] = 0.0
    model.step()  # one month's notice: half the deposits come back before the food bill
    np.testing.assert_allclose(group.deposits[savers], (1 - rule.withdrawals.share) * deposits)
    assert group.month_withdrawn >= rule.withdrawals.share * deposits.sum() - 1e-6


def test_withdrawals_keep_savers_fed_in_the_worst_covid_month() -> None:
    """The shipped timing, COVID-19 after 38 months of saving 500 THB a month: savers who can
    withdraw stay fed (the v2 group, deposits locked, made the worst month worse)."""
    saving = {"households.count": 500, "funds.savings_group.monthly_saving_thb": 500}
    locked = load_scenario(CODI, {**saving, "funds.savings_group.withdrawals": None})
    assert_knockout(locked, load_scenario(CODI, saving), "food_insecure_worst", +1, SEEDS)


# --- loan demand (7.F6) ------------------------------------------------------------------


def test_loan_demand_falls_with_the_interest_rate_only_through_its_elasticity() -> None:
    def lent(rate: float, elasticity: float) -> np.ndarray:
        scenario = codi(**{"funds.savings_group.interest_rate_per_year": rate,
                           "funds.savings_group.rate_elasticity": elasticity})
        return summaries(scenario, SEEDS)["household_loan_asks"].to_numpy()

    on = lent(0.12, 0.8) - lent(0.06, 0.8)
    off = lent(0.12, 0.0) - lent(0.06, 0.0)
    assert_effect(on, -1)
    assert abs(off.mean()) < 0.2 * abs(on.mean())  # off: the rate moves the share-out, not demand


def test_thin_savings_raise_loan_demand() -> None:
    flat = codi(**{"funds.savings_group.need_weight": 0.0})
    steep = codi(**{"funds.savings_group.need_weight": 5.0})
    assert_knockout(steep, flat, "household_loan_asks", +1, range(12))


# --- welfare claims and membership bounds (7.F1, 7.F3, 7.7) ------------------------------


def test_households_in_hardship_claim_more() -> None:
    flat = codi(**{"funds.welfare.hardship_claim_factor": 1.0})
    steep = codi(**{"funds.welfare.hardship_claim_factor": 4.0})
    assert_knockout(steep, flat, "welfare_benefits_total_thb", +1, range(12))


def test_welfare_membership_is_bounded_by_room_and_interest() -> None:
    unbounded = codi(**{"funds.welfare.joining.capacity_share": None,
                        "funds.welfare.joining.lapse_rate": 0.0})
    assert_knockout(unbounded, codi(), "welfare_members_end", +1, SEEDS)
    no_lapse = codi(**{"funds.welfare.joining.lapse_rate": 0.0})
    assert_knockout(no_lapse, codi(), "welfare_members_end", +1, SEEDS)
    model = CommunityModel(codi(**{"funds.welfare.joining.capacity_share": 0.32,
                                   "funds.welfare.joining.join_rate": 0.5}), rng=0)
    for _ in range(12):
        model.step()
        assert model.welfare_fund.member.sum() <= 0.32 * 500 + 0.5 * 500 * 0.05


def network_of_enterprises(share: float):
    """Source 001's five enterprises at 400 households over 36 months, when their members' pay
    would draw most households in."""
    return load_scenario(NETWORK, {"months": 36, "households.count": 400,
                                   "households.joining.interested_share": share})


def test_enterprise_membership_is_bounded_by_interest() -> None:
    """With every household interested membership climbs higher; with 60% interested no one
    else ever joins, so members stay below that share (and the leaders) in every run."""
    assert_knockout(network_of_enterprises(1.0), network_of_enterprises(0.6), "members_end", +1,
                    range(6))
    for seed in range(3):
        model = CommunityModel(network_of_enterprises(0.6), rng=seed, reporters=[])
        hh = model.households
        for _ in range(36):
            model.step()
            assert not (hh.is_member & ~hh.interested).any()
        assert hh.is_member.sum() <= hh.interested.sum()
        assert abs(hh.interested[~hh.leader].mean() - 0.6) < 0.1


def test_enterprise_membership_is_bounded_by_its_work() -> None:
    """The case over its 36 months: without idle leaving more members stay; joining only where
    there is work takes fewer in."""
    unbounded = case_scenario(months=36, **{"households.joining.idle_leave_rate": 0.0})
    assert_knockout(unbounded, case_scenario(months=36), "members_end", +1, SEEDS)
    needs_work = case_scenario(months=36, **{"households.joining.join_needs_work": True})
    assert_knockout(case_scenario(months=36), needs_work, "members_end", +1, SEEDS)

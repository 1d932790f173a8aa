"""The welfare fund and the savings group (docs/ODD.md, Part II): their books, their rules, the
knock-out of each mechanism and the two patterns, on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from se_sim.model import CommunityModel
from se_sim.model.livelihood import food_need
from se_sim.model.metrics import FINANCE_MONTHLY, finance_summary
from se_sim.model.welfare import BENEFITS, DAYS_PER_MONTH
from se_sim.scenario import InputError, load_scenario
from tests.conftest import BANG_SAO_THONG, ROOT, case_scenario, run
from tests.knockout import assert_effect, assert_knockout
from tests.test_model import assert_household_state_in_range, assert_invariants

CODI = ROOT / "scenarios" / "codi_welfare_fund.yaml"
# COVID-19 early in a two-year run, as in the Bang Sao Thong case, so that a test run is short
EARLY_COVID = [{"kind": "covid19", "start": 2, "duration": 12, "households_hit": 0.4,
                "income_loss": 0.5, "demand_drop": 0.3}]
UNMATCHED = {"funds.welfare.local_match.ratio": 0.0, "funds.welfare.national_match.ratio": 0.0}
NO_BENEFITS = {f"funds.welfare.benefits.{kind}.rate": 0.0 for kind in BENEFITS}


def codi(**overrides: object) -> pd.DataFrame:
    """The CODI scenario over 24 months with COVID-19 in months 2-13, plus overrides."""
    return load_scenario(CODI, {"months": 24, "shocks": EARLY_COVID, **overrides})


# --- books and invariants -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_money_is_conserved_with_the_welfare_fund_and_the_savings_group(seed: int) -> None:
    scenario = codi()
    model, table, summary = run(scenario, seed)
    assert_invariants(table, scenario.households.count)
    assert_household_state_in_range(model)
    assert model.ledger.inflows["welfare_matching_local"] > 0
    assert model.ledger.outflows["welfare_admin"] > 0
    assert model.ledger.outflows["loan_spending"] > 0
    assert 0 <= summary["loan_recovery_rate"] <= 1 and 0 <= summary["portfolio_at_risk"] <= 1
    assert summary["household_debt_end_thb"] == pytest.approx(model.households.debt.sum())


def test_same_seed_same_finance_different_seed_different() -> None:
    scenario = codi(months=12)
    first, again, other = (run(scenario, seed)[1] for seed in (4, 4, 5))
    pd.testing.assert_frame_equal(first, again)
    assert not first[list(FINANCE_MONTHLY)].equals(other[list(FINANCE_MONTHLY)])


def test_the_case_has_no_welfare_fund_or_savings_group() -> None:
    scenario = load_scenario(BANG_SAO_THONG)
    assert scenario.funds.welfare is None and scenario.funds.savings_group is None
    model, table, summary = run(case_scenario(months=6), 0)
    assert model.welfare_fund is None and model.savings_group is None
    assert (table[list(FINANCE_MONTHLY)] == 0).all().all()
    assert math.isnan(summary["welfare_fund_balance_end_thb"])
    assert math.isnan(summary["loan_recovery_rate"]) and summary["household_debt_end_thb"] == 0


def test_funds_that_do_nothing_change_nothing_else() -> None:
    """A welfare fund nobody joins and a savings group without members leave every other figure
    of the case as it was: their draws come from their own streams."""
    idle = {"funds.welfare": {"initial_member_share": 0.0, "joining": {"join_rate": 0.0}},
            "funds.savings_group": {"member_share": 0.0, "enterprise_loan_rate": 0.0}}
    _, plain, plain_summary = run(case_scenario(), 3)
    model, table, summary = run(case_scenario(**idle), 3)
    seed_capital = model.savings_group.balance
    assert seed_capital == 1_000_000
    others = [c for c in plain.columns if c not in FINANCE_MONTHLY and c != "money_held_thb"]
    pd.testing.assert_frame_equal(table[others], plain[others])
    np.testing.assert_allclose(table["money_held_thb"] - seed_capital, plain["money_held_thb"])
    for key in plain_summary.keys() - finance_summary(model).keys():
        same = summary[key] == plain_summary[key]
        assert same or (math.isnan(summary[key]) and math.isnan(plain_summary[key])), key


@pytest.mark.parametrize("override, field", [
    ({"funds.welfare.admin_share": 0.3}, "funds.welfare.admin_share = 0.3"),
    ({"funds.savings_group.household_loan_thb": 30_000},
     "funds.savings_group.household_loan_thb = 30000: must not exceed loan_cap_thb (20000)"),
    ({"funds.welfare.local_match.stop_month": 0}, "funds.welfare.local_match.stop_month = 0"),
    ({"funds.welfare.benefits.old_age.rate": 0.99},
     "the rates sum to 1.02; a member claims at most once a month, so they must sum to at most 1"),
])
def test_bad_finance_values_give_one_line_naming_the_field(override: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(CODI, override)
    [line] = caught.value.lines
    assert field in line and line.startswith(f"{CODI} (override): ")


# --- the welfare fund -----------------------------------------------------------------------


def test_a_matched_welfare_fund_stays_solvent_longer_than_an_unmatched_one() -> None:
    """The pattern (source 002): 1:1:1 matching against none, and against matches that stop."""
    matched, unmatched = codi(), codi(**UNMATCHED)
    stopped = codi(**{"funds.welfare.local_match.stop_month": 4,
                      "funds.welfare.national_match.stop_month": 4})
    assert_knockout(matched, unmatched, "welfare_fund_solvent_months", +1)
    assert_knockout(matched, stopped, "welfare_fund_solvent_months", +1)
    assert_knockout(stopped, unmatched, "welfare_fund_solvent_months", +1)


def test_each_match_is_paid_on_contributions_until_its_stop_month() -> None:
    scenario = codi(**{"funds.welfare.local_match.stop_month": 5,
                       "funds.welfare.national_match": {"ratio": 0.5, "stop_month": 9}})
    _, table, _ = run(scenario, 2)
    month = table["month"]
    ratio = 1.0 * (month < 5) + 0.5 * (month < 9)
    np.testing.assert_allclose(table["welfare_matching_thb"],
                               ratio * table["welfare_contributions_thb"])
    assert table["welfare_contributions_thb"].iloc[1:].gt(0).all()


def test_contributions_are_one_baht_a_day_from_members_who_can_pay_and_fill_the_fund() -> None:
    model = CommunityModel(codi(), rng=1)
    fund, hh = model.welfare_fund, model.households
    poor = np.flatnonzero(fund.member)[:5]
    hh.base_income[poor] = hh.savings[poor] = 0.0  # they cannot pay and lapse
    model.step()
    assert not fund.member[poor].any()
    assert fund.month_contributions == pytest.approx(DAYS_PER_MONTH * fund.member.sum())
    assert_knockout(codi(), codi(**{"funds.welfare.contribution_thb_per_day": 0.0}),
                    "welfare_fund_balance_end_thb", +1)


def test_members_claim_each_benefit_at_its_monthly_rate_after_the_waiting_period() -> None:
    """With a fund too rich to fail, claims of each kind over the eligible member-months are
    binomial at the benefit's rate; nobody claims in the waiting months."""
    scenario = codi(months=36, **{"funds.welfare.initial_balance_thb": 1e8})
    model = CommunityModel(scenario, rng=0)
    fund, config = model.welfare_fund, scenario.funds.welfare
    exposure = 0
    for _ in range(scenario.months):
        model.step()
        waited = model.month - fund.joined_month >= config.waiting_months
        exposure += int((fund.member & waited).sum())
        if model.month <= config.waiting_months:
            assert fund.month_benefits == 0
    assert fund.first_insolvent_month is None
    for claims, rate in zip(fund.benefits_by_kind / fund.amounts, fund.rates, strict=True):
        expected = exposure * rate
        assert abs(claims - expected) < 4 * math.sqrt(expected * (1 - rate)), (claims, expected)
    assert_knockout(codi(**NO_BENEFITS), codi(), "welfare_fund_balance_end_thb", +1)


def test_administration_takes_its_share_of_what_comes_in() -> None:
    model, table, _ = run(codi(**{"funds.welfare.admin_share": 0.2}), 0)
    inflow = table["welfare_contributions_thb"] + table["welfare_matching_thb"]
    np.testing.assert_allclose(table["welfare_admin_thb"], 0.2 * inflow)
    assert model.ledger.outflows["welfare_admin"] == pytest.approx(table["welfare_admin_thb"].sum())
    assert_knockout(codi(**{"funds.welfare.admin_share": 0.0}),
                    codi(**{"funds.welfare.admin_share": 0.2}), "welfare_fund_balance_end_thb", +1)


def test_an_insolvent_month_is_one_with_an_unpaid_claim_and_the_first_is_recorded() -> None:
    _, table, summary = run(codi(**UNMATCHED), 3)
    unpaid = table.loc[table["welfare_claims_unpaid"] > 0, "month"]
    assert summary["welfare_fund_insolvent_month"] == unpaid.iloc[0]
    assert summary["welfare_fund_solvent_months"] == unpaid.iloc[0] - 1
    assert summary["welfare_fund_insolvent_months"] == unpaid.size
    assert (table["welfare_fund_balance_thb"] >= 0).all()
    _, _, rich = run(codi(), 3)
    assert math.isnan(rich["welfare_fund_insolvent_month"])
    assert rich["welfare_fund_solvent_months"] == 24


def test_giving_and_peers_draw_households_into_the_welfare_fund() -> None:
    for weight in ("giving_weight", "peer_weight"):
        assert_knockout(codi(), codi(**{f"funds.welfare.joining.{weight}": 0.0}),
                        "welfare_members_end", +1)


# --- the savings group and its loans ------------------------------------------------------


def test_loan_recovery_falls_under_a_covariate_shock() -> None:
    """The pattern: COVID-19 puts many borrowers in hardship at once."""
    assert_knockout(codi(), codi(shocks=[]), "loan_recovery_rate", -1)
    assert_knockout(codi(), codi(shocks=[]), "loans_written_off_total_thb", +1)


def test_defaults_rise_with_the_borrowers_hardship() -> None:
    flat = {"funds.savings_group.miss_rate_hardship": 0.01}  # = miss_rate: hardship adds nothing
    assert_knockout(codi(), codi(**flat), "loan_recovery_rate", -1)


def test_debt_long_in_arrears_is_written_off_and_the_borrower_barred() -> None:
    never = {"funds.savings_group.write_off_months": 1200}
    assert_knockout(codi(), codi(**never), "loans_written_off_total_thb", +1)
    assert_knockout(codi(), codi(**never), "portfolio_at_risk", -1)
    model = CommunityModel(codi(), rng=5)
    group, hh = model.savings_group, model.households
    barred_before = np.zeros(hh.n, dtype=bool)
    for _ in range(24):
        debt = hh.debt.copy()
        model.step()
        assert (hh.debt[barred_before] == 0).all(), "a written-off borrower borrowed again"
        barred_before = group.barred.copy()
        written = (debt > 0) & (hh.debt == 0) & group.barred
        assert (group.arrears[written] == 0).all()
    assert group.barred.any() and group.written_off_total > 0


def test_loans_are_one_at_a_time_within_the_cap_and_cash() -> None:
    model = CommunityModel(codi(), rng=2)
    group, hh, cfg = model.savings_group, model.households, model.config.funds.savings_group
    for _ in range(24):
        debt, instalment = hh.debt.copy(), group.instalment.copy()
        model.step()
        new_loan = hh.debt > debt * (1 + group.monthly_rate) + 1e-6
        # only a borrower without debt, or who paid its last instalment this month, borrows
        assert (debt[new_loan] <= instalment[new_loan] + 1e-6).all(), "a second loan"
        assert (hh.debt[new_loan] <= cfg.loan_cap_thb).all()
        assert group.member[new_loan].all() and group.balance >= 0
    assert group.lent_by_kind["household"] > 0 and group.outstanding > 0


def test_food_loans_come_before_the_food_bill_and_lower_food_insecurity() -> None:
    model = CommunityModel(codi(), rng=1)
    hh = model.households
    fed_by_loans = 0
    for _ in range(24):
        debt = hh.debt.copy()
        model.step()
        food_borrowers = (debt == 0) & (hh.debt > 0) & hh.hardship  # only food loans go to them
        assert hh.food_secure[food_borrowers].all()
        fed_by_loans += int(food_borrowers.sum())
    assert fed_by_loans > 0
    no_food_loans = codi(**{"funds.savings_group.food_loans": False})
    assert_knockout(codi(), no_food_loans, "food_insecure_household_months", -1)


def test_savers_share_out_the_years_profit() -> None:
    _, table, _ = run(codi(months=36), 0)
    paid = table.loc[table["loan_share_out_thb"] > 0, "month"]
    assert list(paid) == [12, 24, 36]
    assert table["savings_group_deposits_thb"].is_monotonic_increasing
    none = {"funds.savings_group.share_out_share": 0.0}
    assert_knockout(codi(), codi(**none), "loan_share_out_total_thb", +1)
    assert_knockout(codi(), codi(**none), "savings_group_balance_end_thb", -1)


def test_enterprise_loans_buy_capital_and_are_repaid_from_cash() -> None:
    def capital(rate: float) -> np.ndarray:
        scenario = codi(**{"funds.savings_group.enterprise_loan_rate": rate})
        return np.array([run(scenario, seed)[1]["enterprise_capital_thb"].iloc[-1]
                         for seed in range(8)])

    assert_effect(capital(1.0) - capital(0.0), +1)
    model, _, _ = run(codi(**{"funds.savings_group.enterprise_loan_rate": 1.0}), 0)
    group = model.savings_group
    assert group.lent_by_kind["enterprise"] > 0
    assert model.ledger.outflows["enterprise_investment"] == group.lent_by_kind["enterprise"]


def test_borrowers_repay_what_they_hold_beyond_their_food_money() -> None:
    scenario = codi(**{"funds.savings_group.miss_rate": 0.0,
                       "funds.savings_group.miss_rate_hardship": 0.0})
    model = CommunityModel(scenario, rng=0)
    for _ in range(3):
        model.step()
    group, hh = model.savings_group, model.households
    borrowers = np.flatnonzero(hh.debt > 0)[:4]
    need = food_need(hh)[borrowers]
    hh.savings[borrowers] = need + 50.0  # less than the instalment
    debt = hh.debt[borrowers] * (1 + group.monthly_rate)
    group.step()
    np.testing.assert_allclose(hh.savings[borrowers], need)
    np.testing.assert_allclose(hh.debt[borrowers], debt - 50.0)
    assert (group.arrears[borrowers] >= 1).all()

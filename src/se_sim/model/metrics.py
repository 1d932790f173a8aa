"""What every run reports each month (Mesa model reporters) and at the end (the summary).

The summary does not read the monthly table: a ``RunTracker`` keeps the few running figures it
needs (totals, worst months, the state at month 0), so a sweep can record only the monthly
metrics it keeps and still get every summary column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from se_sim.model.events import last_shock_month

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.households import HouseholdArrays

Reporter = Callable[["CommunityModel"], float]


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = one holds all)."""
    x = np.sort(values)
    if x.size and x[0] < 0:
        x = np.clip(x, 0.0, None)
    total = x.sum()
    if x.size == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, x.size + 1, dtype=np.float64)
    return float(2 * (ranks @ x) / (x.size * total) - (x.size + 1) / x.size)


def _by_origin(stat: Callable[[np.ndarray], float], field: str, newcomer: bool) -> Reporter:
    def report(model: CommunityModel) -> float:
        hh = model.households
        values = getattr(hh, field)[hh.newcomers if newcomer else hh.originals]
        return float(stat(values)) if values.size else 0.0

    if field != "income":
        return report
    return _income_statistic(report)


def _income_statistic(report: Reporter) -> Reporter:
    """Incomes move only while a shock cuts them; in other months they are the base incomes,
    whose statistics the run computes once (kept with its households)."""

    def cached(model: CommunityModel) -> float:
        if model.events.any_shock:
            return report(model)
        memo = model.households.base_income_statistics
        if report not in memo:
            memo[report] = report(model)
        return memo[report]

    return cached


def _members(newcomer: bool | None) -> Reporter:
    def report(model: CommunityModel) -> float:
        hh = model.households
        mask = hh.is_member if newcomer is None else hh.is_member & (hh.newcomer == newcomer)
        return float(mask.sum())

    return report


def _fund_inflow(kind: str) -> Reporter:
    return lambda m: m.vulnerable_fund.inflow_by_kind[kind]


def _outgroup_trust(newcomer: bool) -> Reporter:
    return _by_origin(np.mean, "trust_outgroup", newcomer)


def _enterprise_sum(attribute: str) -> Reporter:
    return lambda m: float(sum(getattr(e, attribute) for e in m.enterprise_list))


def buyers(model: CommunityModel) -> float:
    """Community households that bought from any enterprise this month."""
    return float(np.count_nonzero(model.households.purchases_thb > 0))


def food_insecure(model: CommunityModel) -> float:
    return float((~model.households.food_secure).sum())


def food_insecure_hit(model: CommunityModel) -> float:
    """Food-insecure households among those an active shock hits this month."""
    return float((~model.households.food_secure & model.events.hit_now).sum())


def garden_reach(model: CommunityModel) -> float:
    return float((model.households.garden | model.households.receives_produce).sum())


# --- disposable income (accounts.py; docs/ODD.md, "Household accounts") ----------------------
# It moves every month with pay, grants, benefits and repayments, so unlike earned income its
# statistics are computed each time, never cached.

def _mean_of(values: np.ndarray, rows: np.ndarray) -> float:
    """Mean over the indices ``rows`` (faster than a mask); NaN for an empty group."""
    return float(values[rows].sum()) / rows.size if rows.size else math.nan


def _disposable_of(group: str) -> Reporter:
    return lambda m: _mean_of(m.households.disposable_income, getattr(m.households, group))


def poverty_rate(model: CommunityModel) -> float:
    """Share of households whose disposable income this month is below the poverty line."""
    hh = model.households
    return float(np.count_nonzero(hh.disposable_income < hh.config.poverty_line_thb)) / hh.n


def poverty_gap(model: CommunityModel) -> float:
    """FGT1: mean over all households of the shortfall below the line, as a share of it."""
    hh = model.households
    line = hh.config.poverty_line_thb
    return float(np.maximum(line - hh.disposable_income, 0.0).sum()) / (line * hh.n)


MONTHLY: dict[str, Reporter] = {
    "active_enterprises": lambda m: float(sum(e.active for e in m.enterprise_list)),
    "members": _members(None),
    "members_original": _members(False),
    "members_newcomer": _members(True),
    "hours_worked": _enterprise_sum("hours_worked"),
    "buyers": buyers,
    "units_sold": _enterprise_sum("units_sold"),
    "revenue_thb": _enterprise_sum("revenue"),
    "profit_thb": _enterprise_sum("profit"),
    "member_payout_thb": _enterprise_sum("member_payout"),
    "member_wages_thb": _enterprise_sum("wages"),
    "enterprise_cash_thb": _enterprise_sum("cash"),
    "enterprise_reserve_thb": _enterprise_sum("reserve"),
    "enterprise_capital_thb": _enterprise_sum("capital"),
    "capability_mean": lambda m: float(np.mean([e.capability for e in m.enterprise_list]))
    if m.enterprise_list else 0.0,
    "reputation_mean": lambda m: float(np.mean([m.market.reputation(e.slot)
                                                for e in m.enterprise_list]))
    if m.enterprise_list else 0.0,
    "fund_balance_thb": lambda m: m.vulnerable_fund.balance,
    "fund_inflow_thb": lambda m: m.vulnerable_fund.month_inflow,
    "fund_outflow_thb": lambda m: m.vulnerable_fund.month_outflow,
    "fund_inflow_total_thb": lambda m: m.vulnerable_fund.inflow_total,
    "fund_inflow_enterprise_thb": _fund_inflow("enterprise"),
    "fund_inflow_donation_thb": _fund_inflow("donation"),
    "fund_inflow_matching_thb": _fund_inflow("matching"),
    "fund_inflow_assets_thb": _fund_inflow("assets"),
    "fund_grants_total_thb": lambda m: m.vulnerable_fund.grants_total,
    "fund_unique_beneficiaries": lambda m: float(m.vulnerable_fund.unique_beneficiaries),
    "fund_in_need": lambda m: float(m.vulnerable_fund.in_need.sum()),
    "garden_households": lambda m: float(m.households.garden.sum()),
    "garden_reach_households": garden_reach,
    "food_secure_households": lambda m: float(m.households.food_secure.sum()),
    "food_insecure_households": food_insecure,
    "food_insecure_hit_households": food_insecure_hit,
    "disposable_income_mean_thb": lambda m: float(m.households.disposable_income.sum())
    / m.households.n,
    "disposable_income_original_thb": _disposable_of("originals"),
    "disposable_income_newcomer_thb": _disposable_of("newcomers"),
    "disposable_income_vulnerable_thb": _disposable_of("vulnerables"),
    # this month's members and poverty rate: the run tracker has them (it observes first)
    "disposable_income_members_thb": lambda m: m.tracker.members_disposable,
    "poverty_rate": lambda m: m.tracker.poverty_rate,
    "poverty_gap": poverty_gap,
    "gini_disposable": lambda m: gini(m.households.disposable_income),
    "earned_income_mean_original": _by_origin(np.mean, "income", False),
    "earned_income_mean_newcomer": _by_origin(np.mean, "income", True),
    "earned_income_median_original": _by_origin(np.median, "income", False),
    "earned_income_median_newcomer": _by_origin(np.median, "income", True),
    "wealth_mean_original": _by_origin(np.mean, "savings", False),
    "wealth_mean_newcomer": _by_origin(np.mean, "savings", True),
    "wealth_median_original": _by_origin(np.median, "savings", False),
    "wealth_median_newcomer": _by_origin(np.median, "savings", True),
    "gini_earned_income": _income_statistic(lambda m: gini(m.households.income)),
    "gini_wealth": lambda m: gini(m.households.savings),
    "poverty_rate_earned": _income_statistic(lambda m: float(
        (m.households.income < m.households.config.poverty_line_thb).mean()
    )),
    "ties": lambda m: float(m.network.edge_count),
    "mean_degree": lambda m: m.network.mean_degree,
    "cross_group_tie_share": lambda m: m.network.cross_group_share(),
    "ei_index": lambda m: m.network.ei_index(),
    "outgroup_trust_original": _outgroup_trust(False),
    "outgroup_trust_newcomer": _outgroup_trust(True),
    "outgroup_trust_mean": lambda m: float(m.households.trust_outgroup.mean()),
    "shock_active": lambda m: float(m.events.any_shock),
    "money_held_thb": lambda m: m.money_held(),
    "external_net_inflow_thb": lambda m: m.ledger.net,
}


# --- community finance: the welfare fund and the savings group (docs/ODD.md, Part II) --------
# Monthly figures are 0 when the scenario has no such fund; summary figures that only a fund can
# have (its balance, a rate, a month) are NaN then.

def _welfare(attribute: str) -> Reporter:
    return lambda m: float(getattr(m.welfare_fund, attribute)) if m.welfare_fund else 0.0


def _loans(attribute: str) -> Reporter:
    return lambda m: float(getattr(m.savings_group, attribute)) if m.savings_group else 0.0


FINANCE_MONTHLY: dict[str, Reporter] = {
    "welfare_fund_balance_thb": _welfare("balance"),
    "welfare_members": lambda m: float(m.welfare_fund.member.sum()) if m.welfare_fund else 0.0,
    "welfare_contributions_thb": _welfare("month_contributions"),
    "welfare_matching_thb": _welfare("month_matching"),
    "welfare_admin_thb": _welfare("month_admin"),
    "welfare_benefits_thb": _welfare("month_benefits"),
    "welfare_claims_unpaid": _welfare("month_claims_unpaid"),
    "savings_group_balance_thb": _loans("balance"),
    "savings_group_deposits_thb": lambda m: float(m.savings_group.deposits.sum())
    if m.savings_group else 0.0,
    "loans_outstanding_thb": _loans("outstanding"),
    "loans_in_arrears_thb": _loans("in_arrears"),
    "loans_lent_thb": _loans("month_lent"),
    "loan_dues_thb": _loans("month_due"),
    "loan_repayments_thb": _loans("month_collected"),
    "loan_defaults": _loans("month_defaults"),
    "loans_written_off_thb": _loans("month_written_off"),
    "loan_share_out_thb": _loans("month_share_out"),
    "savings_withdrawn_thb": _loans("month_withdrawn"),
    "household_debt_thb": lambda m: float(m.households.debt.sum()),
}
MONTHLY.update(FINANCE_MONTHLY)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def finance_summary(model: CommunityModel) -> dict[str, Any]:
    """End-of-run figures of the welfare fund and the savings group."""
    fund, group, nan = model.welfare_fund, model.savings_group, math.nan
    insolvent = fund.first_insolvent_month if fund else None
    row: dict[str, Any] = {
        "welfare_fund_balance_end_thb": fund.balance if fund else nan,
        "welfare_fund_insolvent_month": float(insolvent) if insolvent is not None else nan,
        # months before the first insolvent one: the whole run for a fund that never was
        "welfare_fund_solvent_months": float(model.month if insolvent is None else insolvent - 1)
        if fund else nan,
        "welfare_fund_insolvent_months": float(fund.insolvent_months) if fund else nan,
        "welfare_members_end": float(fund.member.sum()) if fund else 0.0,
        "welfare_contributions_total_thb": fund.contributions_total if fund else 0.0,
        "welfare_matching_total_thb": fund.matching_total if fund else 0.0,
        "welfare_admin_total_thb": fund.admin_total if fund else 0.0,
        "welfare_benefits_total_thb": fund.benefits_total if fund else 0.0,
        "welfare_claims_unpaid_total": float(fund.claims_unpaid_total) if fund else 0.0,
        "household_debt_end_thb": float(model.households.debt.sum()),
    }
    if group is None:
        return row | {"savings_group_balance_end_thb": nan, "loans_outstanding_end_thb": 0.0,
                      "loans_lent_total_thb": 0.0, "food_loans_total_thb": 0.0,
                      "loans_written_off_total_thb": 0.0, "loan_share_out_total_thb": 0.0,
                      "savings_withdrawn_total_thb": 0.0, "household_loan_asks": 0.0,
                      "loan_recovery_rate": nan, "portfolio_at_risk": nan}
    return row | {
        "savings_group_balance_end_thb": group.balance,
        "loans_outstanding_end_thb": group.outstanding,
        "loans_lent_total_thb": group.lent_total,
        "food_loans_total_thb": group.lent_by_kind["food"],
        "loans_written_off_total_thb": group.written_off_total,
        "loan_share_out_total_thb": group.share_out_total,
        "savings_withdrawn_total_thb": group.withdrawn_total,
        "household_loan_asks": float(group.household_loan_asks),
        # repayments collected over repayments due, all months and borrowers together
        "loan_recovery_rate": _ratio(group.collected_total, group.due_total),
        # debt of borrowers in arrears over all debt outstanding, at the end
        "portfolio_at_risk": _ratio(group.in_arrears, group.outstanding),
    }


# --- networks of enterprises and partners, enterprises founded during the run ----------------
# (docs/ODD.md, Part III). Without a network or founding they report 0, so nothing moves.

def network_ties(model: CommunityModel) -> float:
    return float(model.partners.tie_count) if model.partners else 0.0


def network_partners(model: CommunityModel) -> float:
    return float(model.partners.partner_count) if model.partners else 0.0


def enterprises_founded(model: CommunityModel) -> float:
    return float(len(model.founding.founded)) if model.founding else 0.0


MONTHLY |= {
    "network_ties": network_ties,
    "network_partners": network_partners,
    "network_units": lambda m: float(m.partners.unit_count) if m.partners else 0.0,
    "enterprises_founded": enterprises_founded,
}


def network_summary(model: CommunityModel) -> dict[str, float]:
    """Network and founding columns: the network at the start and the end, the months it was
    a network (source 001: 3 units and 2 ties at least), the enterprises founded during the run,
    and the share of all enterprises ever opened that are still open (NaN without any)."""
    partners, enterprises = model.partners, model.enterprise_list
    return {
        "network_ties_start": float(partners.ties_start) if partners else 0.0,
        "network_ties_end": network_ties(model),
        "partners_start": float(partners.partners_start) if partners else 0.0,
        "partners_end": network_partners(model),
        "network_months_alive": float(partners.months_alive) if partners else 0.0,
        "network_last_month": math.nan if partners is None or partners.last_alive is None
        else float(partners.last_alive),
        "enterprises_founded": enterprises_founded(model),
        "enterprise_survival_share_end": float(np.mean([e.active for e in enterprises]))
        if enterprises else math.nan,
    }


# --- what the interventions cost their funders (model/events.py; paid from outside) ----------

MONTHLY["intervention_cost_thb"] = lambda m: m.events.month_cost_thb


class RunTracker:
    """Running figures for the summary, updated once a month with a handful of sums."""

    def __init__(self, model: CommunityModel):
        self.start = {
            "cross_group_tie_share": model.network.cross_group_share(),
            "outgroup_trust": float(model.households.trust_outgroup.mean()),
            "mean_degree": model.network.mean_degree,
        }
        covid = [s for s in model.config.shocks if s.kind == "covid19"]
        # the last COVID-19 month, or the last month of a run that ends during the shock
        self.covid_end = min(last_shock_month(covid[0]), model.config.months) if covid else None
        self.garden_reach_end_of_shock = math.nan
        self.revenue = self.profit = self.member_payout = self.units_sold = self.wages = 0.0
        self.food_secure_min = float(model.households.n)
        self.food_insecure_worst = 0.0
        self.food_insecure_hit_worst = 0.0
        self.food_insecure_months = 0.0
        self.members_income_sum = 0.0  # sum over months with members of their mean disposable
        self.months_with_members = 0
        self.poverty_rate_worst = math.nan
        self.members_disposable = self.poverty_rate = math.nan  # this month's
        self.observe(model)

    def observe(self, model: CommunityModel) -> None:
        enterprises = model.enterprise_list
        self.revenue += sum(e.revenue for e in enterprises)
        self.units_sold += sum(e.units_sold for e in enterprises)
        self.profit += sum(e.profit for e in enterprises)
        self.member_payout += sum(e.member_payout for e in enterprises)
        self.wages += sum(e.wages for e in enterprises)
        insecure = food_insecure(model)
        self.food_insecure_months += insecure
        self.food_insecure_worst = max(self.food_insecure_worst, insecure)
        self.food_secure_min = min(self.food_secure_min, model.households.n - insecure)
        self.food_insecure_hit_worst = max(self.food_insecure_hit_worst, food_insecure_hit(model))
        if model.month == self.covid_end:
            self.garden_reach_end_of_shock = garden_reach(model)
        self._observe_disposable(model)

    def _observe_disposable(self, model: CommunityModel) -> None:
        hh = model.households
        self.members_disposable = _mean_of(hh.disposable_income, np.flatnonzero(hh.is_member))
        self.poverty_rate = poverty_rate(model)
        if model.month == 0:  # the run's months are 1..t: month 0 has no accounts yet
            return
        if not math.isnan(self.members_disposable):
            self.members_income_sum += self.members_disposable
            self.months_with_members += 1
        self.poverty_rate_worst = np.fmax(self.poverty_rate_worst, self.poverty_rate)


def poorest_fifth(households: HouseholdArrays) -> np.ndarray:
    """The fifth of households with the lowest income before the run (ties: lower index first):
    the same households under every policy run on the same seed."""
    count = max(1, round(households.n / 5))
    return np.argsort(households.earned_income_start, kind="stable")[:count]


def disposable_summary(model: CommunityModel) -> dict[str, float]:
    """Disposable income over the run (each group's mean over months 1..t of its monthly mean),
    and poverty and inequality of disposable income at the end and in the worst month."""
    hh, tracker, months = model.households, model.tracker, model.month
    per_month = hh.disposable_income_sum / months if months else np.full(hh.n, math.nan)
    line = hh.config.poverty_line_thb
    members = tracker.members_income_sum / tracker.months_with_members \
        if tracker.months_with_members else math.nan
    return {
        "disposable_income_mean_thb": float(per_month.mean()),
        "disposable_income_original_thb": _mean_of(per_month, hh.originals),
        "disposable_income_newcomer_thb": _mean_of(per_month, hh.newcomers),
        "disposable_income_vulnerable_thb": _mean_of(per_month, hh.vulnerables),
        "disposable_income_members_thb": members,
        "disposable_income_members_end_thb": tracker.members_disposable,
        "disposable_income_poorest_fifth_thb": _mean_of(per_month, poorest_fifth(hh)),
        "poverty_rate_end": poverty_rate(model),
        "poverty_rate_members_end": _mean_of(hh.disposable_income < line,
                                             np.flatnonzero(hh.is_member)),
        "poverty_gap_end": poverty_gap(model),
        "poverty_rate_worst": float(tracker.poverty_rate_worst),
        "poor_households_end": float(np.count_nonzero(hh.disposable_income < line)),
        "gini_disposable_end": gini(hh.disposable_income),
        "gini_earned_income_end": gini(hh.income),
        "poverty_rate_earned_end": float((hh.income < line).mean()),
    }


def summarise(model: CommunityModel) -> dict[str, Any]:
    """One row per run: the figures the Bang Sao Thong case reports, and end-of-run outcomes."""
    tracker, hh, fund = model.tracker, model.households, model.vulnerable_fund
    closed = [e.closed_month for e in model.enterprise_list if e.closed_month is not None]
    per_household = 1.0 / hh.n
    return {
        "seed": model.seed,
        "founding_leaders": float(model.founding_leaders),
        "garden_households_end_of_shock": tracker.garden_reach_end_of_shock,
        "garden_reach_end": garden_reach(model),
        "fund_inflow_total_thb": fund.inflow_total,
        "fund_inflow_enterprise_thb": fund.inflow_by_kind["enterprise"],
        "fund_inflow_donation_thb": fund.inflow_by_kind["donation"],
        "fund_inflow_per_household_thb": fund.inflow_total * per_household,
        "fund_grants_total_thb": fund.grants_total,
        "fund_balance_end_thb": fund.balance,
        "fund_unique_beneficiaries": float(fund.unique_beneficiaries),
        "people_helped_per_1000": 1000.0 * fund.unique_beneficiaries * per_household,
        "fund_in_need_ever": float(fund.ever_in_need.sum()),
        "fund_need_household_months": float(fund.need_months),
        # grants over household-months in the queue: 1 when every household in need is paid
        "fund_need_met_share": _ratio(fund.grants_paid, fund.need_months),
        "cross_group_tie_share_start": tracker.start["cross_group_tie_share"],
        "cross_group_tie_share_end": model.network.cross_group_share(),
        "outgroup_trust_start": tracker.start["outgroup_trust"],
        "outgroup_trust_end": float(hh.trust_outgroup.mean()),
        # pattern P4 as one number each: the change over the run (calibration targets)
        "cross_group_tie_share_change": model.network.cross_group_share()
        - tracker.start["cross_group_tie_share"],
        "outgroup_trust_change": float(hh.trust_outgroup.mean()) - tracker.start["outgroup_trust"],
        "mean_degree_start": tracker.start["mean_degree"],
        "mean_degree_end": model.network.mean_degree,
        "active_enterprises_end": float(sum(e.active for e in model.enterprise_list)),
        "enterprises_closed": float(len(closed)),
        "closed_month": float(min(closed)) if closed else math.nan,
        "members_end": float(hh.is_member.sum()),
        "members_newcomer_end": float((hh.is_member & hh.newcomer).sum()),
        "members_per_1000_end": 1000.0 * hh.is_member.sum() * per_household,
        "buyers_end": buyers(model),
        "units_sold_total": tracker.units_sold,
        "revenue_total_thb": tracker.revenue,
        "profit_total_thb": tracker.profit,
        "member_payout_total_thb": tracker.member_payout,
        "member_wages_total_thb": tracker.wages,
        "food_secure_min": tracker.food_secure_min,
        "food_insecure_worst": tracker.food_insecure_worst,
        "food_insecure_hit_worst": tracker.food_insecure_hit_worst,
        "food_insecure_household_months": tracker.food_insecure_months,
        "gini_wealth_end": gini(hh.savings),
        "wealth_median_original_end": float(np.median(hh.savings[~hh.newcomer]))
        if (~hh.newcomer).any() else 0.0,
        "wealth_median_newcomer_end": float(np.median(hh.savings[hh.newcomer]))
        if hh.newcomer.any() else 0.0,
        **disposable_summary(model),
        **network_summary(model),
    } | finance_summary(model) | model.events.cost_summary()

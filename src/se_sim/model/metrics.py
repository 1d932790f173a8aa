"""What every run reports each month (Mesa model reporters) and at the end (the summary)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from se_sim.model.events import last_shock_month

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel

Reporter = Callable[["CommunityModel"], float]


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = one holds all)."""
    x = np.sort(np.clip(values, 0.0, None))
    total = x.sum()
    if x.size == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, x.size + 1)
    return float(2 * (ranks * x).sum() / (x.size * total) - (x.size + 1) / x.size)


def _by_origin(stat: Callable[[np.ndarray], float], field: str, newcomer: bool) -> Reporter:
    def report(model: CommunityModel) -> float:
        hh = model.households
        values = getattr(hh, field)[hh.newcomer == newcomer]
        return float(stat(values)) if values.size else 0.0

    return report


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


MONTHLY: dict[str, Reporter] = {
    "active_enterprises": lambda m: float(sum(e.active for e in m.enterprise_list)),
    "members": _members(None),
    "members_original": _members(False),
    "members_newcomer": _members(True),
    "revenue_thb": _enterprise_sum("revenue"),
    "profit_thb": _enterprise_sum("profit"),
    "enterprise_cash_thb": _enterprise_sum("cash"),
    "enterprise_reserve_thb": _enterprise_sum("reserve"),
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
    "garden_households": lambda m: float(m.households.garden.sum()),
    "garden_reach_households": lambda m: float(
        (m.households.garden | m.households.receives_produce).sum()
    ),
    "food_secure_households": lambda m: float(m.households.food_secure.sum()),
    "income_mean_original": _by_origin(np.mean, "income", False),
    "income_mean_newcomer": _by_origin(np.mean, "income", True),
    "income_median_original": _by_origin(np.median, "income", False),
    "income_median_newcomer": _by_origin(np.median, "income", True),
    "wealth_mean_original": _by_origin(np.mean, "savings", False),
    "wealth_mean_newcomer": _by_origin(np.mean, "savings", True),
    "wealth_median_original": _by_origin(np.median, "savings", False),
    "wealth_median_newcomer": _by_origin(np.median, "savings", True),
    "gini_income": lambda m: gini(m.households.income),
    "gini_wealth": lambda m: gini(m.households.savings),
    "poverty_rate": lambda m: float(
        (m.households.income < m.households.config.poverty_line_thb).mean()
    ),
    "ties": lambda m: float(m.network.edge_count),
    "cross_group_tie_share": lambda m: m.network.cross_group_share(),
    "ei_index": lambda m: m.network.ei_index(),
    "outgroup_trust_original": _outgroup_trust(False),
    "outgroup_trust_newcomer": _outgroup_trust(True),
    "outgroup_trust_mean": lambda m: float(m.households.trust_outgroup.mean()),
    "shock_active": lambda m: float(m.events.any_shock),
    "money_held_thb": lambda m: m.money_held(),
    "external_net_inflow_thb": lambda m: m.ledger.net,
}


def summarise(model: CommunityModel) -> dict[str, float]:
    """One row per run: the figures the Bang Sao Thong case reports, and end-of-run outcomes."""
    table = model.datacollector.get_model_vars_dataframe()
    start, end = table.iloc[0], table.iloc[-1]
    covid = [s for s in model.config.shocks if s.kind == "covid19"]
    if covid:
        month = min(last_shock_month(covid[0]), len(table) - 1)
        gardens_at_shock_end = float(table["garden_reach_households"].iloc[month])
    else:
        gardens_at_shock_end = float("nan")
    closed = [e.closed_month for e in model.enterprise_list if e.closed_month is not None]
    return {
        "seed": model.seed,
        "founding_leaders": float(model.founding_leaders),
        "garden_households_end_of_shock": gardens_at_shock_end,
        "fund_inflow_total_thb": float(end["fund_inflow_total_thb"]),
        "fund_inflow_enterprise_thb": float(end["fund_inflow_enterprise_thb"]),
        "fund_inflow_donation_thb": float(end["fund_inflow_donation_thb"]),
        "fund_grants_total_thb": float(end["fund_grants_total_thb"]),
        "fund_balance_end_thb": float(end["fund_balance_thb"]),
        "fund_unique_beneficiaries": float(end["fund_unique_beneficiaries"]),
        "cross_group_tie_share_start": float(start["cross_group_tie_share"]),
        "cross_group_tie_share_end": float(end["cross_group_tie_share"]),
        "outgroup_trust_start": float(start["outgroup_trust_mean"]),
        "outgroup_trust_end": float(end["outgroup_trust_mean"]),
        "active_enterprises_end": float(end["active_enterprises"]),
        "enterprises_closed": float(len(closed)),
        "first_closure_month": float(min(closed)) if closed else float("nan"),
        "members_end": float(end["members"]),
        "members_newcomer_end": float(end["members_newcomer"]),
        "revenue_total_thb": float(table["revenue_thb"].sum()),
        "food_secure_min": float(table["food_secure_households"].min()),
        "gini_income_end": float(end["gini_income"]),
        "gini_wealth_end": float(end["gini_wealth"]),
        "poverty_rate_end": float(end["poverty_rate"]),
        "wealth_median_original_end": float(end["wealth_median_original"]),
        "wealth_median_newcomer_end": float(end["wealth_median_newcomer"]),
    }

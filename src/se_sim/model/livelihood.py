"""Household money each month: earn, spend, donate. All households at once, with arrays."""

from __future__ import annotations

import numpy as np

from se_sim.model.households import HouseholdArrays
from se_sim.model.ledger import ExternalLedger


def earn(households: HouseholdArrays, income_factor: np.ndarray, ledger: ExternalLedger) -> None:
    """Income earned outside the community, cut for households a shock hits; then hardship:
    income below the poverty line with savings (this month's income included) below the
    hardship buffer."""
    cfg = households.config
    households.income = households.base_income * income_factor
    households.savings += households.income
    ledger.inflow("household_income", households.income.sum())
    households.hardship = (households.income < cfg.poverty_line_thb) & (
        households.savings < cfg.hardship_savings_thb
    )


def food_need(households: HouseholdArrays) -> np.ndarray:
    """The month's food bill; a garden, or produce shared by a neighbour, covers part of it
    (source 000)."""
    cfg = households.config
    fed_from_gardens = households.garden | households.receives_produce
    return cfg.food_cost_thb * np.where(fed_from_gardens, 1 - cfg.gardens.food_cost_saving, 1.0)


def home_food(households: HouseholdArrays) -> np.ndarray:
    """The part of the month's food bill a garden, or a neighbour's produce, provides: income
    in kind."""
    return households.config.food_cost_thb - food_need(households)


def spend(households: HouseholdArrays, ledger: ExternalLedger) -> None:
    """Pay the food bill first from everything held (income, savings, grants), then a share of
    the income left; what was bought from the community's enterprises this month, and what was
    repaid on a loan that bought goods earlier (consumption brought forward), replace part of
    that other spending. Never more than is held. A household is food secure when it could
    pay its whole food bill."""
    cfg = households.config
    need = food_need(households)
    households.food_secure = households.savings >= need
    food = np.minimum(need, households.savings)
    other = cfg.other_spending_share * np.maximum(households.income - need, 0.0)
    replaced = households.purchases_thb + households.repaid_for_goods
    other = np.minimum(np.maximum(other - replaced, 0.0), households.savings - food)
    households.consumption = food + other
    households.savings -= households.consumption
    ledger.outflow("consumption", households.consumption.sum())


def donations(
    households: HouseholdArrays, aware: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Gifts to the vulnerable fund from households that know of it, by giving propensity.

    A donor gives ``donation_share`` of this month's surplus (income − consumption).
    """
    cfg = households.config
    surplus = np.maximum(households.income - households.consumption, 0.0)
    gives = aware & (rng.random(households.n) < cfg.donation_probability * households.giving)
    amount = np.where(gives, cfg.donation_share * surplus, 0.0)
    amount = np.minimum(amount, households.savings)
    households.savings -= amount
    return amount

"""Household money each month: earn, spend, donate. All households at once, with arrays."""

from __future__ import annotations

import numpy as np

from se_sim.model.households import HouseholdArrays
from se_sim.model.ledger import ExternalLedger


def earn(households: HouseholdArrays, income_factor: np.ndarray, ledger: ExternalLedger) -> None:
    """Income earned outside the community, cut for households a shock hits."""
    households.income = households.base_income * income_factor
    households.savings += households.income
    ledger.inflow("household_income", households.income.sum())


def food_cost(households: HouseholdArrays) -> np.ndarray:
    """A garden, or produce shared by a neighbour, saves part of the food bill (source 000)."""
    cfg = households.config
    fed_from_gardens = households.garden | households.receives_produce
    return cfg.food_cost_thb * np.where(fed_from_gardens, 1 - cfg.gardens.food_cost_saving, 1.0)


def spend(households: HouseholdArrays, ledger: ExternalLedger) -> np.ndarray:
    """Consume food first, then a share of what income is left; never more than is held.

    Returns whether each household could pay its food bill. Hardship: income below the poverty
    line with savings below the hardship buffer.
    """
    cfg = households.config
    food = food_cost(households)
    wanted = food + cfg.other_spending_share * np.maximum(households.income - food, 0.0)
    can_pay_food = households.savings >= food
    households.consumption = np.minimum(wanted, households.savings)
    households.savings -= households.consumption
    ledger.outflow("consumption", households.consumption.sum())
    households.hardship = (households.income < cfg.poverty_line_thb) & (
        households.savings < cfg.hardship_savings_thb
    )
    return can_pay_food


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

"""Households: their state as arrays (one entry per household) and Mesa agents that read it.

Every monthly household rule applies to all households at once with array operations; the
``Household`` agent is a readable view of one row, so the teaching app or a test can ask a single
household for its origin, income, garden or grants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.scenario.schema import Households as HouseholdsConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel

NO_ENTERPRISE = -1


class HouseholdArrays:
    """The state of every household, one numpy array per variable (index = household)."""

    def __init__(self, config: HouseholdsConfig, rng: np.random.Generator):
        n = config.count
        self.config = config
        self.n = n
        self.newcomer = np.zeros(n, dtype=bool)
        self.newcomer[rng.permutation(n)[: round(n * config.newcomer_share)]] = True
        self.originals = np.flatnonzero(~self.newcomer)
        self.newcomers = np.flatnonzero(self.newcomer)
        self.leader = self._draw_leaders(rng)
        self.vulnerable = (rng.random(n) < config.vulnerable_share) & ~self.leader
        self.vulnerables = np.flatnonzero(self.vulnerable)
        median = np.where(
            self.newcomer, config.income_newcomer.median_thb, config.income_original.median_thb
        )
        sigma = np.where(self.newcomer, config.income_newcomer.sigma, config.income_original.sigma)
        factor = np.where(self.vulnerable, config.vulnerable_income_factor, 1.0)
        self.base_income = median * np.exp(sigma * rng.standard_normal(n)) * factor
        self.income = self.base_income.copy()
        self.earned_income_start = self.base_income.copy()  # deciles of baseline income
        # accounts.py: this month's (month 0: the income earned before the run) and the sum
        # over months 1..t, so a run's mean is the sum over its months
        self.disposable_income = self.base_income.copy()
        self.disposable_income_sum = np.zeros(n)
        self.base_income_statistics: dict[object, float] = {}  # metrics.py: no shock, no change
        self.savings = config.initial_savings_months * self.base_income
        self.giving = np.where(self.newcomer, config.giving_newcomer, config.giving_original)
        self.trust_ingroup = np.full(n, config.trust.ingroup)
        self.trust_outgroup = np.zeros(n)  # set from the network's contact (trust.initialise)
        self.enterprise = np.full(n, NO_ENTERPRISE, dtype=np.int64)
        self.share_paid = np.zeros(n, dtype=bool)  # share capital is paid once, as equity
        self.skill = np.where(self.leader, config.leader_skill_start, config.skill_start)
        self.hours = np.zeros(n)  # offered for next month
        self.hours_worked = np.zeros(n)  # this month
        self.garden = np.zeros(n, dtype=bool)
        self.receives_produce = np.zeros(n, dtype=bool)
        self.food_secure = np.ones(n, dtype=bool)
        self.hardship = np.zeros(n, dtype=bool)
        self.grants_thb = np.zeros(n)
        self.grant_this_month = np.zeros(n)
        self.payouts_thb = np.zeros(n)
        self.purchases_thb = np.zeros(n)  # spent at the community's enterprises this month
        self.consumption = np.zeros(n)
        self.debt = np.zeros(n)  # owed to the savings group: loans.py
        self.repaid_for_goods = np.zeros(n)  # this month, on a loan spent on goods (loans.py)

    def _draw_leaders(self, rng: np.random.Generator) -> np.ndarray:
        """Leaders come from both groups in the configured split (source 000), as many as
        ``leader_count`` gives: a count, or in proportion to the community."""
        cfg, newcomers, originals = self.config, self.newcomer.sum(), (~self.newcomer).sum()
        count = cfg.leader_count
        n_new = min(round(count * cfg.leader_newcomer_share), int(newcomers))
        n_orig = min(count - n_new, int(originals))
        n_new = min(count - n_orig, int(newcomers))
        chosen = np.concatenate(
            [
                rng.choice(np.flatnonzero(self.newcomer), n_new, replace=False),
                rng.choice(np.flatnonzero(~self.newcomer), n_orig, replace=False),
            ]
        )
        leader = np.zeros(self.n, dtype=bool)
        leader[chosen] = True
        return leader

    def draw_interest(self, rng: np.random.Generator) -> None:
        """Which households would ever do enterprise work (every leader, and each other with
        probability ``interested_share``): fixed for the run, from a stream of its own so the
        draws of every other rule stay where they were."""
        share = self.config.joining.interested_share
        self.interested = self.leader | (rng.random(self.n) < share)

    @property
    def is_member(self) -> np.ndarray:
        return self.enterprise != NO_ENTERPRISE

    def newcomer_share_of_members(self, slots: int) -> np.ndarray:
        """Share of newcomers among the members of each enterprise slot (0 where none)."""
        shifted = self.enterprise + 1  # non-members fall in bin 0
        size = np.bincount(shifted, minlength=slots + 1)[1:]
        newcomers = np.bincount(shifted, weights=self.newcomer, minlength=slots + 1)[1:]
        return newcomers / np.maximum(size, 1)

    def newcomer_share_of(self, slot: int) -> float:
        """Share of newcomers among one enterprise slot's members (0 if it has none)."""
        members = self.enterprise == slot
        count = np.count_nonzero(members)
        return float(np.count_nonzero(members & self.newcomer)) / count if count else 0.0

    def trust_toward_mix(self, rows: np.ndarray, newcomer_share: float) -> np.ndarray:
        """Trust of the households ``rows`` toward one group with this share of newcomers."""
        inside, outside = self.trust_ingroup[rows], self.trust_outgroup[rows]
        toward_new = np.where(self.newcomer[rows], inside, outside)
        return newcomer_share * toward_new + (1 - newcomer_share) * (inside + outside - toward_new)

    def trust_toward(self, newcomer_share: np.ndarray) -> np.ndarray:
        """Trust of every household (rows) toward groups with these newcomer shares (columns)."""
        toward_new = np.where(self.newcomer, self.trust_ingroup, self.trust_outgroup)
        toward_orig = self.trust_ingroup + self.trust_outgroup - toward_new
        return toward_orig[:, None] + newcomer_share[None, :] * (toward_new - toward_orig)[:, None]


def _row_view(array: str, kind: type[bool] | type[float]) -> property:
    """A read-only attribute showing this household's entry of one ``HouseholdArrays`` array."""
    return property(lambda self: kind(getattr(self.model.households, array)[self.index]))


class Household(mesa.Agent):
    """One household, read from the model's ``HouseholdArrays`` row ``index``."""

    def __init__(self, model: CommunityModel, index: int):
        super().__init__(model)
        self.index = index

    is_leader = _row_view("leader", bool)
    is_vulnerable = _row_view("vulnerable", bool)
    income_thb = _row_view("income", float)
    disposable_income_thb = _row_view("disposable_income", float)
    savings_thb = _row_view("savings", float)
    skill = _row_view("skill", float)
    hours_offered = _row_view("hours", float)
    hours_worked = _row_view("hours_worked", float)
    purchases_thb = _row_view("purchases_thb", float)
    grows_vegetables = _row_view("garden", bool)
    receives_produce = _row_view("receives_produce", bool)
    food_secure = _row_view("food_secure", bool)
    trust_outgroup = _row_view("trust_outgroup", float)
    interested_in_enterprise_work = _row_view("interested", bool)
    grants_received_thb = _row_view("grants_thb", float)
    payouts_received_thb = _row_view("payouts_thb", float)
    debt_thb = _row_view("debt", float)

    @property
    def origin(self) -> str:
        return "newcomer" if self.model.households.newcomer[self.index] else "original"

    @property
    def enterprise(self) -> str | None:
        slot = int(self.model.households.enterprise[self.index])
        return None if slot == NO_ENTERPRISE else self.model.enterprise_list[slot].name

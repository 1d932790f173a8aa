"""Community funds as Mesa agents. Money enters and leaves a fund only through booked flows."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.model.livelihood import food_need
from se_sim.scenario.schema import VulnerableFund as VulnerableFundConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class VulnerableFund(mesa.Agent):
    """Source 000's fund for vulnerable people: fed by profit share, donations and grants.

    Each month it pays fixed grants from a queue of the households in need (docs/ODD.md, 7.8):
    need is read from the households' state after the month's income and enterprise pay
    (hardship, a food bill they cannot pay, a shock's hit on thin savings), so it moves with
    shocks, with the produce neighbours share and with members' pay. The queue is ordered by the
    planner's ``priority``; the fund pays at most ``balance_share_per_month`` of its balance
    (and at most ``max_grants_per_1000_households`` grants per 1,000 households), so more money
    reaches further down the queue until the queue is empty. A grant is paid before the month's
    food bill, so it counts toward food security.
    """

    def __init__(self, model: CommunityModel, config: VulnerableFundConfig):
        super().__init__(model)
        self.config = config
        n = model.households.n
        self.balance = config.initial_balance_thb
        self.inflow_by_kind: defaultdict[str, float] = defaultdict(float)
        self.grants_total = 0.0
        self.helped = np.zeros(n, dtype=bool)
        self.in_need = np.zeros(n, dtype=bool)  # this month's queue (eligible and in need)
        self.ever_in_need = np.zeros(n, dtype=bool)
        self.waiting = np.zeros(n, dtype=np.int64)  # months in need since the last grant
        self.need_months = self.grants_paid = 0  # household-months in the queue; grants paid
        self.month_inflow = 0.0
        self.month_outflow = 0.0

    def receive(self, kind: str, amount: float) -> None:
        """Book money into the fund; ``kind`` is enterprise, donation, matching or assets."""
        amount = float(amount)
        self.balance += amount
        self.inflow_by_kind[kind] += amount
        self.month_inflow += amount

    @property
    def inflow_total(self) -> float:
        return sum(self.inflow_by_kind.values())

    @property
    def unique_beneficiaries(self) -> int:
        return int(self.helped.sum())

    def eligible(self) -> np.ndarray:
        """Households in the fund's queue this month: its group (the vulnerable, or everyone)
        in need (``*_in_need``) or, under the v2 rules, in hardship (``*_in_hardship``)."""
        hh, rule = self.model.households, self.config.eligibility
        if rule.endswith("in_hardship"):
            need = hh.hardship
        else:
            short = hh.savings < food_need(hh)  # cannot pay this month's food bill
            hit = self.model.events.hit_now & (hh.savings < hh.config.hardship_savings_thb)
            need = hh.hardship | short | hit
        return need & hh.vulnerable if rule.startswith("vulnerable") else need

    def _queue(self, candidates: np.ndarray) -> np.ndarray:
        """Candidates in the planner's order; ties (and ``random``) in a random order."""
        order = self.model.streams.fund.permutation(candidates)
        hh, priority = self.model.households, self.config.priority
        if priority == "random":
            return order
        if priority == "new_first":
            key = self.helped[order].astype(np.float64)
        elif priority == "longest_waiting":
            key = -self.waiting[order].astype(np.float64)
        elif priority == "hardship_first":
            key = ~hh.hardship[order] * 1.0
        else:  # poorest_first: the least held against the month's food bill first
            key = hh.savings[order] - food_need(hh)[order]
        return order[np.argsort(key, kind="stable")]

    def step(self) -> None:
        """Pay this month's grants down the queue, as far as the balance cap allows."""
        cfg, n = self.config, self.model.households.n
        self.in_need = self.eligible()
        self.ever_in_need |= self.in_need
        self.need_months += int(np.count_nonzero(self.in_need))
        self.waiting = np.where(self.in_need, self.waiting + 1, 0)
        candidates = np.flatnonzero(self.in_need)
        affordable = int(cfg.balance_share_per_month * self.balance // cfg.grant_thb)
        count = min(candidates.size, affordable)
        if cfg.max_grants_per_1000_households is not None:
            per_month = cfg.max_grants_per_1000_households * n / 1000
            count = min(count, max(1, round(per_month)) if per_month > 0 else 0)
        if count == 0:
            return
        paid = self._queue(candidates)[:count]
        amount = cfg.grant_thb
        self.model.households.savings[paid] += amount
        self.model.households.grants_thb[paid] += amount
        self.model.households.grant_this_month[paid] = amount
        self.model.accounts.book("grants", amount, paid)
        self.helped[paid] = True
        self.grants_paid += count
        self.waiting[paid] = 0
        self.balance -= amount * count
        self.grants_total += amount * count
        self.month_outflow += amount * count

    def start_month(self) -> None:
        self.month_inflow = 0.0
        self.month_outflow = 0.0

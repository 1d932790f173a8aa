"""Community funds as Mesa agents. Money enters and leaves a fund only through booked flows."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.scenario.schema import VulnerableFund as VulnerableFundConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class VulnerableFund(mesa.Agent):
    """Source 000's fund for vulnerable people: fed by profit share, donations and grants.

    Each month it pays fixed grants to eligible households in hardship, never more than its
    balance nor ``max_grants_per_1000_households`` per 1,000 households, first to households it
    has not helped before, and counts unique beneficiaries. A grant is paid before the month's
    food bill, so it counts toward food security.
    """

    def __init__(self, model: CommunityModel, config: VulnerableFundConfig):
        super().__init__(model)
        self.config = config
        self.balance = config.initial_balance_thb
        self.inflow_by_kind: defaultdict[str, float] = defaultdict(float)
        self.grants_total = 0.0
        self.helped = np.zeros(model.households.n, dtype=bool)
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
        households = self.model.households
        if self.config.eligibility == "in_hardship":
            return households.hardship
        return households.hardship & households.vulnerable

    def step(self) -> None:
        """Pay this month's grants; new beneficiaries first, then at random."""
        candidates = np.flatnonzero(self.eligible())
        affordable = int(self.balance // self.config.grant_thb)
        per_month = self.config.max_grants_per_1000_households * self.model.households.n / 1000
        cap = max(1, round(per_month)) if per_month > 0 else 0
        count = min(candidates.size, affordable, cap)
        if count == 0:
            return
        order = self.model.streams.fund.permutation(candidates)
        order = order[np.argsort(self.helped[order], kind="stable")]
        paid = order[:count]
        amount = self.config.grant_thb
        self.model.households.savings[paid] += amount
        self.model.households.grants_thb[paid] += amount
        self.model.households.grant_this_month[paid] = amount
        self.model.accounts.book("grants", amount, paid)
        self.helped[paid] = True
        self.balance -= amount * count
        self.grants_total += amount * count
        self.month_outflow += amount * count

    def start_month(self) -> None:
        self.month_inflow = 0.0
        self.month_outflow = 0.0

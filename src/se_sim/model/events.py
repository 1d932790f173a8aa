"""Shocks and interventions scheduled by month.

Month m is the m-th step (months 1..M); month 0 is the starting state. A shock with ``start`` s
and ``duration`` d is active in months s .. s+d−1; it picks the households it hits when it
starts. An intervention happens once, at the start of its month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from se_sim.scenario.schema import (
    Bridging,
    MarketChannel,
    MatchingGrant,
    RemoveHub,
    Shock,
    Training,
)

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


def shock_active(shock: Shock, month: int) -> bool:
    return shock.start <= month < shock.start + shock.duration


def last_shock_month(shock: Shock) -> int:
    return shock.start + shock.duration - 1


class EventSchedule:
    """Applies the scenario's shocks and interventions and holds this month's shock factors and
    the households an active shock hits (``hit_now``)."""

    def __init__(self, model: CommunityModel):
        self.model = model
        scenario = model.config
        self.shocks = scenario.shocks
        self.interventions = scenario.interventions
        self._hit = [np.zeros(model.households.n, dtype=bool) for _ in self.shocks]
        self.income_factor = np.ones(model.households.n)
        self.demand_factor = 1.0
        self.cost_factor = 1.0
        self.any_shock = False
        self.hit_now = np.zeros(model.households.n, dtype=bool)

    def begin_month(self, month: int) -> None:
        """Update shock factors and carry out interventions that fall on ``month``."""
        rng, n = self.model.streams.events, self.model.households.n
        self.income_factor = np.ones(n)
        self.demand_factor = self.cost_factor = 1.0
        self.any_shock = False
        self.hit_now = np.zeros(n, dtype=bool)
        for shock, hit in zip(self.shocks, self._hit, strict=True):
            if month == shock.start:
                hit[:] = rng.random(n) < shock.households_hit
            if shock_active(shock, month):
                self.any_shock = True
                self.hit_now |= hit
                self.income_factor *= np.where(hit, 1 - shock.income_loss, 1.0)
                self.demand_factor *= 1 - shock.demand_drop
                self.cost_factor *= 1 + shock.cost_increase
        for intervention in self.interventions:
            if intervention.month == month:
                self._apply(intervention)

    def _apply(
        self, intervention: Training | MarketChannel | MatchingGrant | Bridging | RemoveHub
    ) -> None:
        model = self.model
        active = [e for e in model.enterprise_list if e.active]
        match intervention:
            case Training(skill_gain=gain):
                for enterprise in active:
                    enterprise.train(gain)
            case MarketChannel():
                for enterprise in active:
                    model.market.add_pool(enterprise.slot, intervention)
            case MatchingGrant(amount_thb=amount):
                model.ledger.inflow("matching_grants", amount)
                model.vulnerable_fund.receive("matching", amount)
            case Bridging(participants=share, ties_per_participant=k):
                model.ties.bridge(share, k)
            case RemoveHub():
                model.partners.remove_hub()

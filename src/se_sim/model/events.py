"""Shocks and interventions scheduled by month.

Month m is the m-th step (months 1..M); month 0 is the starting state. A shock with ``start`` s
and ``duration`` d is active in months s .. s+d−1; it picks the households it hits when it
starts. An intervention happens once, at the start of its month.

What interventions cost their funder is counted here too, since the schedule decides when each
happens: ``cost_thb`` in the intervention's month, and ``cost_thb_per_month`` every month from
then to the end of the run for a kind that lasts (a market channel). An intervention in month 0
or after the last month never happens and costs nothing. The money comes from outside the
community and is not part of its ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

import numpy as np

from se_sim.scenario.schema import (
    Bridging,
    Intervention,
    MarketChannel,
    MatchingGrant,
    RemoveHub,
    Shock,
    Training,
)

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


INTERVENTION_KINDS: tuple[str, ...] = tuple(
    get_args(cls.model_fields["kind"].annotation)[0] for cls in get_args(get_args(Intervention)[0])
)


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
        self.month_cost_thb = 0.0
        self.cost_by_kind = dict.fromkeys(INTERVENTION_KINDS, 0.0)

    @property
    def cost_total_thb(self) -> float:
        """What the interventions carried out so far have cost their funders."""
        return sum(self.cost_by_kind.values())

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
        self.month_cost_thb = 0.0
        for intervention in self.interventions:
            if intervention.month == month:
                self._apply(intervention)
            self._pay(intervention, month)

    def _pay(self, intervention: Intervention, month: int) -> None:
        """Book this month's cost of one intervention (see the module's docstring)."""
        if not 1 <= intervention.month <= month:
            return
        cost = intervention.cost_once_thb if intervention.month == month else 0.0
        if intervention.lasts:
            cost += intervention.cost_thb_per_month
        if cost:
            self.month_cost_thb += cost
            self.cost_by_kind[intervention.kind] += cost

    def cost_summary(self) -> dict[str, float]:
        """The summary's cost columns: the total within the run and the total of each kind."""
        return {"intervention_cost_total_thb": self.cost_total_thb} | {
            f"intervention_cost_{kind}_thb": cost for kind, cost in self.cost_by_kind.items()}

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

"""Trust toward the other group, which follows contact (Pettigrew & Tropp 2006).

A household's contact is the share of its ties that cross groups plus, for a member who worked
this month, the share of its fellow members from the other group, weighted by
``work_contact_weight``. Contact sets the level trust moves toward,
    τ* = 1 − (1 − base) · exp(−contact_sensitivity · contact),
at ``rate`` a month, while trust gained above the household's starting level τ₀ fades at
``decay`` a month unless contact renews it:
    τ ← τ + rate · (τ* − τ) − decay · (τ − τ₀).
Every household starts at the level its own ties give (τ₀ = τ*, the steady state of a community
without a project), so trust moves only with new contact. The fading makes trust settle at
τ₀ + rate / (rate + decay) · (τ* − τ₀) within about 1 / (rate + decay) months of a change in
contact: a modest effect of contact (public figure: r ≈ −0.21) that does not keep climbing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class Trust:
    def __init__(self, model: CommunityModel):
        self.model = model
        config = model.households.config.trust
        newcomer = model.households.newcomer
        self.base = np.where(newcomer, config.base_newcomer, config.base_original)

    def initialise(self) -> None:
        """Start at the no-project steady state: the level of the household's own ties."""
        self.start = self.level(self.tie_contact())
        self.model.households.trust_outgroup[:] = self.start

    def level(self, contact: np.ndarray) -> np.ndarray:
        sensitivity = self.model.households.config.trust.contact_sensitivity
        return 1 - (1 - self.base) * np.exp(-sensitivity * contact)

    def tie_contact(self) -> np.ndarray:
        """Share of each household's ties that reach the other group."""
        hh, network = self.model.households, self.model.network
        newcomer_ties = network.neighbour_count(hh.newcomer)
        other = np.where(hh.newcomer, network.degree - newcomer_ties, newcomer_ties)
        return other / np.maximum(network.degree, 1)

    def work_contact(self) -> np.ndarray:
        """For members who worked this month: the share of fellow members from the other group."""
        hh = self.model.households
        contact = np.zeros(hh.n)
        members = np.flatnonzero(hh.is_member & (hh.hours_worked > 0))
        if members.size == 0:
            return contact
        share_new = hh.newcomer_share_of_members(len(self.model.enterprise_list))
        share_new = share_new[hh.enterprise[members]]
        other = np.where(hh.newcomer[members], 1 - share_new, share_new)
        contact[members] = hh.config.trust.work_contact_weight * other
        return contact

    def update(self) -> None:
        hh = self.model.households
        config, trust = hh.config.trust, hh.trust_outgroup
        target = self.level(self.tie_contact() + self.work_contact())
        trust += config.rate * (target - trust) - config.decay * (trust - self.start)
        np.clip(trust, 0.0, 1.0, out=trust)  # rate + decay > 1 could overshoot

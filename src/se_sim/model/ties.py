"""Ties and trust between original residents and newcomers.

Joint work creates ties: each month every member, with probability ``joint_work_ties``, makes a
tie with a random fellow member (source 000 built the enterprise across the two groups for this).
Bridging activities add cross-group ties. A cross-group tie dissolves with monthly probability
``dissolution_rate · (1 − mean out-group trust of its two ends)``.
Trust toward the other group moves by
    Δτ = contact_gain · contact · (1 − τ) − decay · (τ − τ_start),
where contact is the share of one's ties that cross groups plus, for members, the share of
fellow members from the other group (intergroup contact, Pettigrew & Tropp 2006).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class TieDynamics:
    def __init__(self, model: CommunityModel):
        self.model = model

    def update_ties(self) -> None:
        """This month's dissolutions and joint-work ties, applied to the network at once."""
        self.model.network.change(self._dissolving(), *self._joint_work_pairs())

    def _dissolving(self) -> np.ndarray:
        network, trust = self.model.network, self.model.households.trust_outgroup
        hazard = self.model.config.network.dissolution_rate * (
            1 - 0.5 * (trust[network.u] + trust[network.v])
        )
        return network.cross_group() & (self.model.rng.random(hazard.size) < hazard)

    def _joint_work_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        hh, rng = self.model.households, self.model.rng
        members = np.flatnonzero(hh.is_member)
        if members.size < 2:
            return members[:0], members[:0]
        members = members[np.argsort(hh.enterprise[members], kind="stable")]
        slots, starts, counts = np.unique(
            hh.enterprise[members], return_index=True, return_counts=True
        )
        makers = rng.random(members.size) < self.model.config.network.joint_work_ties
        group = np.searchsorted(slots, hh.enterprise[members[makers]])
        partner = starts[group] + (rng.random(group.size) * counts[group]).astype(np.int64)
        return members[makers], members[partner]

    def bridge(self, share: float, ties_each: int) -> None:
        """Bridging activity: participants each meet ``ties_each`` people of the other group."""
        hh, rng = self.model.households, self.model.rng
        participants = np.flatnonzero(rng.random(hh.n) < share)
        originals, newcomers = np.flatnonzero(~hh.newcomer), np.flatnonzero(hh.newcomer)
        if participants.size == 0 or originals.size == 0 or newcomers.size == 0:
            return
        source = np.repeat(participants, ties_each)
        partner = np.where(
            hh.newcomer[source],
            originals[rng.integers(originals.size, size=source.size)],
            newcomers[rng.integers(newcomers.size, size=source.size)],
        )
        self.model.network.add_edges(source, partner)

    def update_trust(self) -> None:
        hh, network = self.model.households, self.model.network
        rule = hh.config.trust
        other_group_share = np.where(
            hh.newcomer,
            network.neighbour_share(~hh.newcomer),
            network.neighbour_share(hh.newcomer),
        )
        contact = other_group_share + self._fellow_member_contact()
        tau = hh.trust_outgroup
        tau += rule.contact_gain * contact * (1 - tau) - rule.decay * (
            tau - hh.trust_outgroup_start
        )
        np.clip(tau, 0.0, 1.0, out=tau)

    def _fellow_member_contact(self) -> np.ndarray:
        """For members, the share of their enterprise's members from the other group."""
        hh = self.model.households
        contact = np.zeros(hh.n)
        members = hh.is_member
        if not members.any():
            return contact
        slots = hh.enterprise[members]
        share_new = hh.newcomer_share_of_members(len(self.model.enterprise_list))[slots]
        contact[members] = np.where(hh.newcomer[members], 1 - share_new, share_new)
        return contact

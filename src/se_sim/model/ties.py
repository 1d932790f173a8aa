"""Ties that churn: every tie can dissolve, and new ties form by meeting, triadic closure and
joint work, so that without a project the network keeps its density and its mix.

Each month a tie dissolves with probability
    dissolution_rate · (1 + dissimilar_extra · [cross-group] · (1 − mean out-group trust of its
    two ends)),
so ties across groups last longer as trust grows. New ties replace them at the rate that keeps
the starting network in balance: at month 0 the expected dissolutions of each block
(original–original, cross-group, newcomer–newcomer) are computed; a share ``triadic_closure`` of
all new ties is made between friends of friends (whatever block that gives, estimated at month
0), and meeting ties make up each block's remainder. Members meet at work instead: each member
who works makes, with probability ``joint_work_ties``, a tie with a random fellow member (from
either group, the contact source 000 built the enterprise for); these ties take the place of
the month's meeting ties, never more of them than there are, so the project changes whom people
meet, not how many. Bridging activities add cross-group ties on top.

New ties come at a fixed rate and every tie dissolves at its hazard, so each block's ties relax
toward inflow / hazard within about 1 / dissolution_rate months: once membership settles, the
share of ties across the groups settles a few tie lifetimes later (docs/ODD.md, 7.12).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from se_sim.model.network import block_of

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel

CLOSURE_SAMPLE = 2_000  # friend-of-friend pairs drawn at month 0 to learn closure's block mix


class TieDynamics:
    def __init__(self, model: CommunityModel):
        self.model = model
        config = model.config.network
        network = model.network
        newcomer = model.households.newcomer
        # households by origin, originals first: block b pairs group[left[b]] with group[right[b]]
        self._by_origin = np.argsort(newcomer, kind="stable")
        originals, n = int((~newcomer).sum()), newcomer.size
        # where each block's left and right sides begin in _by_origin, and how many they hold
        self._left = np.array([0, 0, originals]), np.array([originals, originals, n - originals])
        self._right = (np.array([0, originals, originals]),
                       np.array([originals, n - originals, n - originals]))
        expected_loss = np.bincount(network.blocks(), weights=self._hazard(), minlength=3)
        self.closure_per_month = config.triadic_closure * expected_loss.sum()
        u, v = self._friends_of_friends(CLOSURE_SAMPLE)
        mix = np.bincount(block_of(network.newcomer, u, v), minlength=3) / max(u.size, 1)
        self.meeting_per_month = np.maximum(expected_loss - self.closure_per_month * mix, 0.0)

    def _hazard(self) -> np.ndarray:
        config, network = self.model.config.network, self.model.network
        hazard = np.full(network.edge_count, config.dissolution_rate)
        cross = np.flatnonzero(network.cross_group())  # only these depend on trust
        trust = self.model.households.trust_outgroup
        distrust = 1 - 0.5 * (trust[network.u[cross]] + trust[network.v[cross]])
        hazard[cross] *= 1 + config.dissimilar_extra * distrust
        return hazard

    def update_ties(self) -> None:
        """This month's dissolutions and new ties, applied to the network at once."""
        rng, network = self.model.streams.ties, self.model.network
        dissolving = rng.random(network.edge_count) < self._hazard()
        meetings = int(rng.poisson(self.meeting_per_month.sum()))
        work_u, work_v = self._joint_work_pairs(meetings)
        share = self.meeting_per_month / max(self.meeting_per_month.sum(), 1e-12)
        meet_u, meet_v = self._meetings(rng.multinomial(meetings - work_u.size, share))
        close_u, close_v = self._friends_of_friends(int(rng.poisson(self.closure_per_month)))
        network.change(
            dissolving,
            np.concatenate([work_u, meet_u, close_u]),
            np.concatenate([work_v, meet_v, close_v]),
        )

    def _meetings(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Random pairs: ``counts`` original–original, cross-group and newcomer–newcomer."""
        rng = self.model.streams.ties
        (start, size), (start_right, size_right) = self._left, self._right
        block = np.repeat(np.arange(3), counts)
        block = block[(size[block] > 0) & (size_right[block] > 0)]
        draws = rng.random((2, block.size))
        left = start[block] + (draws[0] * size[block]).astype(np.int64)
        right = start_right[block] + (draws[1] * size_right[block]).astype(np.int64)
        return self._by_origin[left], self._by_origin[right]

    def _friends_of_friends(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``count`` untied pairs that share a friend (triadic closure)."""
        network, rng = self.model.network, self.model.streams.ties
        empty = np.empty(0, dtype=np.int64)
        linked = np.flatnonzero(network.degree > 0)
        if count == 0 or linked.size == 0:
            return empty, empty
        draws = rng.random((3, 2 * count + 8))
        start = linked[(draws[0] * linked.size).astype(np.int64)]
        friend = network.neighbour_of(start, draws[1])
        other = network.neighbour_of(friend, draws[2])  # a friend has at least one tie: ours
        fresh = ~network.has_edges(start, other)
        return start[fresh][:count], other[fresh][:count]

    def _joint_work_pairs(self, most: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of fellow members who met at work this month, at most ``most`` of them."""
        hh, rng = self.model.households, self.model.streams.ties
        members = np.flatnonzero(hh.is_member & (hh.hours_worked > 0))
        if members.size < 2:
            return members[:0], members[:0]
        slot = hh.enterprise[members]
        if slot[0] != slot.max() or slot[0] != slot.min():  # several enterprises: group them
            members = members[np.argsort(slot, kind="stable")]
        counts = np.bincount(slot)
        starts = np.cumsum(counts) - counts
        makers = rng.random(members.size) < self.model.config.network.joint_work_ties
        group = hh.enterprise[members[makers]]
        partner = starts[group] + (rng.random(group.size) * counts[group]).astype(np.int64)
        return members[makers][:most], members[partner][:most]

    def bridge(self, share: float, ties_each: int) -> None:
        """Bridging activity: participants each meet ``ties_each`` people of the other group."""
        hh, rng = self.model.households, self.model.streams.interventions
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

"""Enterprises founded by households during the run.

Each month, with probability ``monthly_rate``, a founding is tried; it happens when all of these
hold (each threshold a scenario parameter):

* a founding core: at least ``min_free_leaders`` leaders belong to no enterprise (source 000:
  leaders found; leaders of a closed enterprise are free again);
* members-to-be: at least ``min_members_to_be`` households that belong to no enterprise, would
  do enterprise work at all (``interested``, membership.py), are not in hardship, can pay the
  share capital and are tied to one of the core's leaders;
* trust: the community's mean out-group trust is at least ``min_outgroup_trust``;
* a buyer base: at least ``min_buyers_per_1000_households`` households bought from a community
  enterprise this month;
* room: fewer than ``max_active_per_1000_households`` enterprises (per 1,000 households) are open.

The new enterprise takes the ``template``'s parameters; up to ``leaders_per_enterprise`` free
leaders and members-to-be up to ``founders`` in all found it, pay their share capital and expect
what its plan promises. It is an ``Enterprise`` like the others — it closes under the asset lock
— with a market column of its own (nobody knows it yet: its reputation starts from nothing) and
a market stream spawned from the ``founding`` stream, so runs stay reproducible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from se_sim.model.enterprise import Enterprise
from se_sim.model.membership import join
from se_sim.scenario.schema import Founding

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class EnterpriseFounding:
    def __init__(self, model: CommunityModel, config: Founding):
        self.model = model
        self.config = config
        self.rng = model.streams.founding  # one draw a month: the arms of a comparison agree
        self.choices = self.rng.spawn(1)[0]  # who founds, drawn only when a founding happens
        self.founded: list[Enterprise] = []

    def step(self, month: int) -> None:
        if self.rng.random() >= self.config.monthly_rate or not self._room_and_market():
            return
        founders = self._founders()
        if founders is not None:
            self._found(founders)

    def _room_and_market(self) -> bool:
        model, cfg = self.model, self.config
        hh, per_1000 = model.households, model.households.n / 1000
        active = sum(e.active for e in model.enterprise_list)
        buyers = model.market.bought.any(axis=1).sum() if model.enterprise_list else 0
        return (active < max(1, round(cfg.max_active_per_1000_households * per_1000))
                and buyers >= cfg.min_buyers_per_1000_households * per_1000
                and hh.trust_outgroup.mean() >= cfg.min_outgroup_trust)

    def _founders(self) -> np.ndarray | None:
        """The founding core and its members-to-be, or None when there are too few."""
        hh, cfg = self.model.households, self.config
        free = np.flatnonzero(hh.leader & ~hh.is_member)
        if free.size < cfg.min_free_leaders:
            return None
        core = self.choices.permutation(free)[: min(cfg.leaders_per_enterprise, cfg.founders)]
        willing = (~hh.is_member & ~hh.leader & ~hh.hardship & hh.interested
                   & (hh.share_paid | (hh.savings >= hh.config.share_capital_thb)))
        if core.size:
            in_core = np.zeros(hh.n, dtype=bool)
            in_core[core] = True
            willing &= self.model.network.neighbour_count(in_core) > 0
        candidates = np.flatnonzero(willing)
        if candidates.size < cfg.min_members_to_be:
            return None
        joining = self.choices.permutation(candidates)[: cfg.founders - core.size]
        return np.concatenate([core, joining])

    def _found(self, founders: np.ndarray) -> None:
        model = self.model
        template = self.config.template
        config = template.model_copy(update={"name": f"{template.name}_{len(self.founded) + 1}"})
        slot = model.market.add_slot(config.channels)
        if len(model.streams.market_of) <= slot:  # a community without enterprises has one spare
            model.streams.market_of.append(self.rng.spawn(1)[0])
        enterprise = Enterprise(model, slot, config, model.config.allocation_for(config))
        model.enterprise_list.append(enterprise)
        join(model, enterprise, founders)
        enterprise.expect_from_plan()
        self.founded.append(enterprise)

"""Networks of enterprises and partner organisations (sources 001, 003, 004).

The units of a network are some of the scenario's enterprises and its partner organisations
(government, private sector, academia, civil society). They sit on the nodes of a shape —
star, line, circle, Y, tree, or a seeded random or scale-free graph — whose edges are the ties
the network can have; the hub (the organisation with a ``hub`` section, else the first unit)
takes the most central node. A tie is active while both its units belong to the network, and
belonging follows the formation mode (source 001):

* at month 0 the first ``round(start_share · units)`` units in breadth-first order from the
  hub belong;
* each month a unit that is tied in the shape to a member joins with ``joining_rate``, and a
  member leaves with the hazard h(a) = mature + (start − mature) · exp(−a / maturity_months)
  at ``a`` months of membership, times ``support_dependence`` from ``support_ends_month`` on;
  the hub leaves only when it is removed (intervention ``remove_hub``), and an enterprise that
  closed leaves at once.

Over the active ties, every month before the enterprises trade:

* hub buyers: an enterprise tied to a hub with buyers has one more outside pool, at its own
  price plus the hub's fair-price premium (sources 003, 004);
* shared channels: it reaches ``channel_share`` of the buyers of each pool of a tied enterprise
  that it does not hold itself;
* joint purchasing: its unit cost falls by ``purchasing_discount_per_tie`` for each tied
  enterprise or purchasing organisation, at most ``purchasing_discount_max`` (source 004);
* knowledge spillover: each member's skill closes ``spillover_rate`` of its gap to the mean
  capability of the tied units (enterprises' capability, advisers' ``capability``) when that
  mean is above it; an enterprise's capability is its members' skill, so its members learn.

The network holds a handful of units, so the monthly rules work on small dense matrices; the
shape is drawn once, at month 0, with networkx seeded from the ``partners`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from se_sim.scenario.schema import OutsidePool, Partners

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.enterprise import Enterprise

NOT_AN_ENTERPRISE = -1
MIN_TIES = 2  # source 001: a network needs at least 3 units and 2 ties


def shape_graph(config: Partners, units: int, rng: np.random.Generator) -> nx.Graph:
    """The shape's graph over nodes ``0..units-1``."""
    match config.shape:
        case "star":
            return nx.star_graph(units - 1)
        case "line":
            return nx.path_graph(units)
        case "circle":
            return nx.cycle_graph(units)
        case "y":  # three arms from a junction at node 0
            graph = nx.empty_graph(units)
            for arm in range(3):
                nx.add_path(graph, [0, *range(1 + arm, units, 3)])
            return graph
        case "tree":
            return nx.full_rary_tree(config.branching, units)
        case "random":
            ties = min(round(config.mean_degree * units / 2), units * (units - 1) // 2)
            return nx.gnm_random_graph(units, ties, seed=int(rng.integers(2**32)))
        case "scale_free":
            attachment = min(config.attachment, units - 1)
            return nx.barabasi_albert_graph(units, attachment, seed=int(rng.integers(2**32)))
    raise ValueError(f"unknown shape {config.shape!r}")  # the schema allows no other


def centre_of(config: Partners, graph: nx.Graph) -> int:
    """Where the hub sits: a line's middle, a generated graph's best-tied node (the lowest
    numbered of them), else node 0: the star's centre, the circle's first, the Y's junction, the
    tree's root."""
    if config.shape == "line":
        return (graph.number_of_nodes() - 1) // 2
    if config.shape in ("random", "scale_free"):
        return min(graph.nodes, key=lambda node: (-graph.degree[node], node))
    return 0


class PartnerNetwork:
    """The network's units, its shape and who belongs, and what the active ties do."""

    def __init__(self, model: CommunityModel, config: Partners):
        self.model = model
        self.config = config
        self.mode = getattr(config.modes, config.formation)
        self.rng = model.streams.partners
        by_name = {e.name: e for e in model.enterprise_list}
        names = list(by_name) if config.enterprises is None else list(config.enterprises)
        self.names = names + [o.name for o in config.organisations]
        self.slot = np.array([by_name[n].slot for n in names]
                             + [NOT_AN_ENTERPRISE] * len(config.organisations))
        self.organisations = [None] * len(names) + list(config.organisations)
        units = len(self.names)
        hubs = [u for u, o in enumerate(self.organisations)
                if o is not None and o.hub is not None]
        self.hub = hubs[0] if hubs else 0
        self.hub_removed = False
        self.hub_pools: dict[int, OutsidePool] = {}
        self.purchasing = np.array([o is not None and o.joint_purchasing
                                    for o in self.organisations])

        graph = shape_graph(config, units, self.rng)
        centre = centre_of(config, graph)
        others = [u for u in range(units) if u != self.hub]
        node_of = np.empty(units, dtype=np.int64)
        node_of[self.hub] = centre
        node_of[others] = self.rng.permutation([n for n in range(units) if n != centre])
        unit_at = np.argsort(node_of)
        self.shape = np.zeros((units, units), dtype=bool)
        for a, b in graph.edges:
            self.shape[unit_at[a], unit_at[b]] = self.shape[unit_at[b], unit_at[a]] = True

        distance = nx.single_source_shortest_path_length(graph, centre)
        depth = np.array([distance.get(int(node_of[u]), units) for u in range(units)])
        order = np.lexsort((self.rng.random(units), depth))
        self.member = np.zeros(units, dtype=bool)
        self.member[order[: max(1, round(self.mode.start_share * units))]] = True
        self.joined = np.zeros(units, dtype=np.int64)
        self._hub_buyers(self.links())
        self.ties_start, self.partners_start = self.tie_count, self.partner_count
        self.months_alive = 0  # months 1.. with at least MIN_TIES active ties
        self.last_alive: int | None = 0 if self.ties_start >= MIN_TIES else None

    # --- state that reporters read ---------------------------------------------------------

    def belonging(self) -> np.ndarray:
        """Members still open: an enterprise that closed this month is out at once (it leaves
        the member list at the next formation step)."""
        return self.member & self._open()

    def links(self) -> np.ndarray:
        """Units × units: the active ties."""
        belonging = self.belonging()
        return self.shape & belonging[:, None] & belonging[None, :]

    @property
    def tie_count(self) -> int:
        return int(self.links().sum()) // 2

    @property
    def partner_count(self) -> int:
        """Partner organisations in the network (source 003 counts them)."""
        return int((self.member & (self.slot == NOT_AN_ENTERPRISE)).sum())

    @property
    def unit_count(self) -> int:
        return int(self.belonging().sum())

    def _enterprise(self, unit: int) -> Enterprise | None:
        slot = self.slot[unit]
        return None if slot == NOT_AN_ENTERPRISE else self.model.enterprise_list[slot]

    def _open(self) -> np.ndarray:
        """Units that can belong: organisations, enterprises still open, the hub unless removed."""
        enterprises = map(self._enterprise, range(self.slot.size))
        open_ = np.array([e is None or e.active for e in enterprises])
        open_[self.hub] &= not self.hub_removed
        return open_

    # --- the month -------------------------------------------------------------------------

    def step(self, month: int) -> None:
        """Formation, then what this month's ties bring to the enterprises about to trade."""
        self.form(month)
        links = self.links()
        self._hub_buyers(links)
        self._share_channels(links)
        self._buy_jointly(links)
        self._spill_knowledge(links)

    def form(self, month: int) -> None:
        """Units join along the shape and leave by the mode's hazard; one draw per unit."""
        mode = self.mode
        draws = self.rng.random(self.slot.size)
        mature = (mode.dissolution_rate if mode.mature_dissolution_rate is None
                  else mode.mature_dissolution_rate)
        age = month - self.joined
        hazard = mature + (mode.dissolution_rate - mature) * np.exp(-age / mode.maturity_months)
        ends = self.config.support_ends_month
        if ends is not None and month >= ends:
            hazard = hazard * mode.support_dependence
        open_ = self._open()
        by_hazard = draws < hazard
        by_hazard[self.hub] = False  # the coordinator keeps the network (source 001)
        leaves = self.member & (by_hazard | ~open_)
        tied_to_member = (self.shape & self.member[None, :]).any(axis=1)
        joins = ~self.member & open_ & tied_to_member & (draws < mode.joining_rate)
        self.member = (self.member & ~leaves) | joins
        self.joined[joins] = month
        if self.tie_count >= MIN_TIES:
            self.months_alive += 1
            self.last_alive = month

    def remove_hub(self) -> None:
        """The hub leaves for good: closed from now on, it leaves at the next formation (this
        month's, since events come first) and its buyers go with its ties."""
        self.hub_removed = True

    def _hub_buyers(self, links: np.ndarray) -> None:
        """A pool of the hub's buyers for every enterprise tied to it, and none for the others."""
        hub = self.organisations[self.hub]
        if hub is None or hub.hub is None:
            return
        market = self.model.market
        for unit in np.flatnonzero(self.slot != NOT_AN_ENTERPRISE):
            enterprise = self._enterprise(unit)
            pool = self.hub_pools.get(enterprise.slot)
            if links[unit, self.hub] and pool is None:
                terms = hub.hub
                pool = OutsidePool(
                    name=f"hub:{hub.name}",
                    buyers_per_1000_households=terms.buyers_per_1000_households,
                    price_thb=enterprise.config.price_thb * (1 + terms.fair_price_premium),
                    buy_rate=terms.buy_rate, units_per_buyer=terms.units_per_buyer,
                )
                market.add_pool(enterprise.slot, pool)
                self.hub_pools[enterprise.slot] = pool
            elif not links[unit, self.hub] and pool is not None:
                market.remove_pool(enterprise.slot, pool)
                del self.hub_pools[enterprise.slot]

    def _tied_enterprises(self, links: np.ndarray, unit: int) -> list[Enterprise]:
        found = (self._enterprise(v) for v in np.flatnonzero(links[unit]))
        return [e for e in found if e is not None and e.active]

    def _share_channels(self, links: np.ndarray) -> None:
        """This month's share of tied enterprises' pools that an enterprise does not hold."""
        market, share = self.model.market, self.config.channel_share
        for unit in np.flatnonzero(self.slot != NOT_AN_ENTERPRISE):
            slot = self.slot[unit]
            held = {pool.name for pool in market.pools[slot]}
            shared = []
            for other in self._tied_enterprises(links, unit):
                for pool in market.pools[other.slot]:
                    if pool.name not in held:
                        held.add(pool.name)
                        shared.append(pool.model_copy(update={
                            "buyers_per_1000_households": share * pool.buyers_per_1000_households}))
            market.shared[slot] = shared

    def _buy_jointly(self, links: np.ndarray) -> None:
        config = self.config
        for unit in np.flatnonzero(self.slot != NOT_AN_ENTERPRISE):
            buyers = len(self._tied_enterprises(links, unit)) + int(
                (links[unit] & self.purchasing).sum())
            discount = min(config.purchasing_discount_per_tie * buyers,
                           config.purchasing_discount_max)
            self._enterprise(unit).unit_cost_factor = 1.0 - discount

    def _spill_knowledge(self, links: np.ndarray) -> None:
        """Members learn toward the mean capability of their enterprise's tied units, never
        down: know-how flows from those who have it, a weaker neighbour teaches nothing."""
        hh, rate = self.model.households, self.config.spillover_rate
        capability = np.full(self.slot.size, np.nan)
        for unit, organisation in enumerate(self.organisations):
            enterprise = self._enterprise(unit)
            if enterprise is not None and enterprise.active and enterprise.members().size:
                capability[unit] = enterprise.capability
            elif organisation is not None and organisation.capability is not None:
                capability[unit] = organisation.capability
        for unit in np.flatnonzero(self.slot != NOT_AN_ENTERPRISE):
            sources = links[unit] & ~np.isnan(capability)
            enterprise = self._enterprise(unit)
            if not sources.any() or not enterprise.active:
                continue
            target = capability[sources].mean()
            members = enterprise.members()
            skill = hh.skill[members]
            hh.skill[members] = skill + rate * np.maximum(target - skill, 0.0)

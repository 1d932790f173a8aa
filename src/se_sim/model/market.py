"""Buyers: households of the community, who learn of an enterprise by word of mouth, and outside
pools reached through channels.

Each household holds, per enterprise, whether it knows it (``aware``) and what it thinks of its
quality (``opinion``, 0–1). Every month, for every active enterprise:

* awareness spreads: a household hears of the enterprise from outside with ``visibility`` (times
  the enterprise's reach) and from each informed neighbour (a member, or last month's buyer) with
  ``word_of_mouth``; one who hears takes on its informed neighbours' mean opinion. Aware
  households that neither belong nor bought forget it with ``forget_rate``; opinions drift toward
  informed neighbours' (reputation travels along ties);
* aware households buy with probability σ(buy_intercept + opinion_weight·(opinion − ½)
  + trust_weight·(trust in the members' mix − ½) + cause_weight·giving·fund share) cut by the
  month's demand factor, if they are not in hardship; a buyer wants
  ``units_per_buyer · (price / reference price)^price_elasticity · (income / base income)^
  income_elasticity`` units, so a shock cuts demand through incomes;
* outside pools (``OutsidePool``) add ``buyers_per_1000_households`` buyers each, who buy at the
  pool's price with a probability set by the enterprise's reputation, scaled by its reach; an
  enterprise in a partner network also reaches this month's ``shared`` pools (partners.py).

A lognormal market-risk draw (mean 1) scales the month's demand of each enterprise. Buyers then
pay for what they receive and update their opinion from the quality they experienced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from se_sim.scenario.schema import OutsidePool

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel
    from se_sim.model.enterprise import Enterprise


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


@dataclass
class Demand:
    """One enterprise's demand this month: what it expects (to plan output) and what comes."""

    expected_units: float
    buyers: np.ndarray  # community households that want to buy
    units: np.ndarray  # units each of them wants, market risk included
    pool_units: np.ndarray  # units each outside pool wants, market risk included
    pool_prices: np.ndarray

    @property
    def units_total(self) -> float:
        return float(self.units.sum() + self.pool_units.sum())


@dataclass(frozen=True)
class PoolTable:
    """An enterprise's outside pools as arrays: buyers (for this community), rates, prices."""

    buyers: np.ndarray
    buy_rate: np.ndarray
    logit: np.ndarray  # of the buy rate, where it is strictly between 0 and 1
    interior: np.ndarray
    units_per_buyer: np.ndarray
    prices: np.ndarray

    @classmethod
    def of(cls, pools: list[OutsidePool], households: int) -> PoolTable:
        rate = np.array([pool.buy_rate for pool in pools])
        inner = np.clip(rate, 1e-9, 1 - 1e-9)
        buyers = [round(pool.buyers_per_1000_households * households / 1000) for pool in pools]
        return cls(np.array(buyers, dtype=np.int64), rate, np.log(inner / (1 - inner)),
                   (rate > 0) & (rate < 1), np.array([pool.units_per_buyer for pool in pools]),
                   np.array([pool.price_thb for pool in pools]))


class Market:
    """Awareness, opinions and buying of every household toward every enterprise slot."""

    def __init__(self, model: CommunityModel, slots: int):
        self.model = model
        n = model.households.n
        config = model.config.market
        self.config = config
        self.aware = np.zeros((n, slots), dtype=bool)
        self.opinion = np.full((n, slots), config.opinion_start)
        self.bought = np.zeros((n, slots), dtype=bool)
        self.pools: list[list[OutsidePool]] = [list(e.channels) for e in model.config.enterprises]
        self._tables: dict[int, tuple[tuple[int, ...], PoolTable]] = {}
        # part of tied enterprises' pools, reset each month by the partner network (partners.py)
        self.shared: list[list[OutsidePool]] = [[] for _ in range(slots)]

    def add_pool(self, slot: int, pool: OutsidePool) -> None:
        self.pools[slot].append(pool)

    def remove_pool(self, slot: int, pool: OutsidePool) -> None:
        """Take away this very pool (a hub that goes); an equal pool of another channel stays."""
        self.pools[slot] = [p for p in self.pools[slot] if p is not pool]

    def add_slot(self, channels: list[OutsidePool]) -> int:
        """A column for an enterprise founded during the run: nobody knows it yet, so its
        reputation starts from nothing, and it is its own."""
        n = self.aware.shape[0]
        self.aware = np.column_stack([self.aware, np.zeros(n, dtype=bool)])
        self.opinion = np.column_stack([self.opinion, np.full(n, self.config.opinion_start)])
        self.bought = np.column_stack([self.bought, np.zeros(n, dtype=bool)])
        self.pools.append(list(channels))
        self.shared.append([])
        return self.aware.shape[1] - 1

    def buyers(self, slot: int) -> int:
        """Community households that bought from the enterprise this month."""
        return int(self.bought[:, slot].sum())

    def reputation(self, slot: int) -> float:
        """Mean opinion among the households that know the enterprise (its start value if none)."""
        aware = self.aware[:, slot]
        count = np.count_nonzero(aware)
        return float(self.opinion[:, slot] @ aware) / count if count else self.config.opinion_start

    def spread(self, enterprises: list[Enterprise]) -> None:
        """This month's word of mouth for these enterprises at once: who hears, who forgets, how
        opinions travel. Each enterprise's columns depend only on its own members, buyers and
        reach, so doing all of them before any trades is the same as one by one."""
        active = [e for e in enterprises if e.active]
        if not active:
            return
        model, cfg = self.model, self.config
        hh, network = model.households, model.network
        slots = np.array([e.slot for e in active])
        members = hh.enterprise[:, None] == slots[None, :]
        bought, aware = self.bought[:, slots], self.aware[:, slots]
        opinion = self.opinion[:, slots]
        informed = members | bought
        contacts = network.neighbour_count_matrix(informed)
        heard = network.neighbour_count_matrix(np.where(informed, opinion, 0.0))
        heard /= np.maximum(contacts, 1.0)  # read only where contacts > 0
        outside = np.minimum(cfg.visibility * np.array([e.reach() for e in active]), 1.0)
        # (1 − word_of_mouth)^k, as exp(k · log(1 − w)): twice as fast as a power of an array
        silent = np.log1p(-min(cfg.word_of_mouth, 1 - 1e-12))
        p_hear = 1.0 - (1.0 - outside)[None, :] * np.exp(contacts * silent)
        draws = np.column_stack([model.streams.market_of[slot].random(hh.n) for slot in slots])
        hears = ~aware & (draws < p_hear)
        forgets = aware & ~informed & (draws < cfg.forget_rate)
        drifting = aware & ~bought & (contacts > 0)
        opinion = np.where(hears, np.where(contacts > 0, heard, cfg.opinion_start), opinion)
        opinion = np.where(drifting, opinion + cfg.opinion_spread * (heard - opinion), opinion)
        self.opinion[:, slots] = opinion
        self.aware[:, slots] = (aware | hears | members) & ~forgets

    def demand(self, enterprise: Enterprise) -> Demand:
        """Who wants how much this month, and what the enterprise expects before the draws."""
        model, cfg, slot = self.model, self.config, enterprise.slot
        hh, rng = model.households, model.streams.market_of[slot]
        factor = model.events.demand_factor
        candidates = np.flatnonzero(self.aware[:, slot] & ~hh.hardship)
        mix = hh.newcomer_share_of(slot)
        trust = hh.trust_toward_mix(candidates, mix)
        utility = (
            cfg.buy_intercept
            + cfg.opinion_weight * (self.opinion[candidates, slot] - 0.5)
            + cfg.trust_weight * (trust - 0.5)
            + cfg.cause_weight * hh.giving[candidates] * enterprise.allocation.fund_share
        )
        p_buy = factor * sigmoid(utility)
        relative_income = hh.income[candidates] / np.maximum(hh.base_income[candidates], 1.0)
        wanted = (
            cfg.units_per_buyer
            * (enterprise.config.price_thb / cfg.reference_price_thb) ** cfg.price_elasticity
            * relative_income**cfg.income_elasticity
        )
        pools = self._pool_table(slot)
        rates = self._pool_rates(enterprise, pools)
        counts, per_buyer = pools.buyers, pools.units_per_buyer
        expected = float((p_buy * wanted).sum() + (counts * rates * per_buyer).sum())
        sigma = enterprise.config.market_risk_sigma
        risk = rng.lognormal(-0.5 * sigma**2, sigma)  # mean 1: risk, not trend
        buys = rng.random(hh.n)[candidates] < p_buy
        pool_units = np.array([rng.binomial(c, r) for c, r in zip(counts, rates, strict=True)],
                              dtype=np.float64) * per_buyer * risk  # scalar draws: fewer pools
        return Demand(expected, candidates[buys], wanted[buys] * risk, pool_units, pools.prices)

    def _pool_table(self, slot: int) -> PoolTable:
        """The enterprise's own and shared pools as arrays, rebuilt only when they change."""
        pools = self.pools[slot] + self.shared[slot]
        key = tuple(id(pool) for pool in pools)
        cached = self._tables.get(slot)
        if cached is None or cached[0] != key:
            cached = (key, PoolTable.of(pools, self.model.households.n))
            self._tables[slot] = cached
        return cached[1]

    def _pool_rates(self, enterprise: Enterprise, pools: PoolTable) -> np.ndarray:
        """Share of each pool's buyers who buy this month: the pool's rate at an average
        reputation, moved by the enterprise's reputation, times its reach and the demand factor."""
        if pools.buyers.size == 0:
            return np.zeros(0)
        shift = self.config.opinion_weight * (self.reputation(enterprise.slot) - 0.5)
        rates = np.where(pools.interior, sigmoid(pools.logit + shift), pools.buy_rate)
        return np.minimum(rates * enterprise.reach() * self.model.events.demand_factor, 1.0)

    def settle(self, enterprise: Enterprise, demand: Demand, fill: float, quality: float) -> float:
        """Community buyers pay for the share ``fill`` of what they wanted (never more than they
        hold) and learn the quality; returns what they paid. Last month's buyers are replaced."""
        hh, cfg, slot = self.model.households, self.config, enterprise.slot
        price = enterprise.config.price_thb
        paid = np.minimum(demand.units * fill * price, hh.savings[demand.buyers])
        hh.savings[demand.buyers] -= paid
        hh.purchases_thb[demand.buyers] += paid
        self.model.accounts.book("purchases", paid, demand.buyers)
        served = demand.buyers[paid > 0]
        bought = self.bought[:, slot]
        bought[:] = False
        bought[served] = True
        rng = self.model.streams.market_of[slot]
        noise = cfg.experience_noise * rng.standard_normal(hh.n)[served]
        experience = np.clip(quality + noise, 0.0, 1.0)
        opinion = self.opinion[:, slot]
        opinion[served] += cfg.opinion_learning * (experience - opinion[served])
        return float(paid.sum())

    def forget_enterprise(self, slot: int) -> None:
        """A closed enterprise sells nothing more; its buyers stop being informed about it."""
        self.bought[:, slot] = False

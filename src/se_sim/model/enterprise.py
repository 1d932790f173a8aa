"""Social / community enterprises as Mesa agents: produce, sell under market risk, split profit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.model.households import NO_ENTERPRISE
from se_sim.scenario.schema import Allocation
from se_sim.scenario.schema import Enterprise as EnterpriseConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel


class Enterprise(mesa.Agent):
    """An enterprise owned by its member households.

    It produces what its members can make, but no more than ``production_plan`` times the demand
    it expects (market size, channels, shocks); the market then takes a lognormal share of that.

    Members work; there are no wages: members are paid only through ``member_share`` of a
    positive profit, split equally (every member gives the same work time). Cash is working
    capital; a loss is paid from cash, then reserve. Spending is limited to what it holds, so its
    money never goes negative; a month that ends with less than the fixed cost is insolvent, and
    after ``insolvency_months`` such months in a row it closes under the asset lock.
    """

    def __init__(
        self, model: CommunityModel, slot: int, config: EnterpriseConfig, allocation: Allocation
    ):
        super().__init__(model)
        self.slot = slot
        self.name = config.name
        self.config = config
        self.allocation = allocation
        self.capability = config.capability
        self.cash = 0.0
        self.reserve = 0.0
        self.demand_multiplier = 1.0
        self.active = True
        self.opened_month = model.month
        self.closed_month: int | None = None
        self.insolvent_months = 0
        self.revenue = 0.0
        self.profit = 0.0
        self.member_payout_per_member = 0.0
        self.expected_payout = 0.0

    def members(self) -> np.ndarray:
        return np.flatnonzero(self.model.households.enterprise == self.slot)

    def add_share_capital(self, amount: float) -> None:
        self.cash += amount

    def step(self) -> None:
        self.revenue = self.profit = self.member_payout_per_member = 0.0
        if not self.active:
            return
        model, cfg = self.model, self.config
        members = self.members()
        unit_cost = cfg.unit_cost_thb * model.events.cost_factor
        fixed = min(cfg.fixed_cost_thb, self.cash + self.reserve)
        capacity = members.size * cfg.productivity * self.capability
        affordable = (self.cash + self.reserve - fixed) / unit_cost if unit_cost > 0 else capacity
        expected_demand = cfg.market_size * self.demand_multiplier * model.events.demand_factor
        planned = cfg.production_plan * expected_demand
        output = max(0.0, min(capacity, affordable, planned))
        sigma = cfg.market_risk_sigma
        risk = model.rng.lognormal(-0.5 * sigma**2, sigma)  # mean 1: risk, not trend
        demand = expected_demand * risk
        sold = min(output, demand)
        self.revenue = sold * cfg.price_thb
        costs = output * unit_cost + fixed
        model.ledger.inflow("market_sales", self.revenue)
        model.ledger.outflow("production_costs", costs)
        self.profit = self.revenue - costs
        self._book_result(self.profit)
        if self.profit > 0:
            self._allocate(self.profit, members)
        self.capability += cfg.experience_gain * (1 - self.capability)
        # Households expect a payout from a smoothed memory of recent ones.
        weight = model.households.config.joining.payout_memory
        self.expected_payout += weight * (self.member_payout_per_member - self.expected_payout)
        self._check_solvency()

    def _book_result(self, result: float) -> None:
        """Add a profit to cash, or take a loss from cash, then reserve."""
        self.cash += result
        if self.cash < 0:
            self.reserve += self.cash
            self.cash = 0.0
        self.reserve = max(self.reserve, 0.0)  # rounding only: spending never exceeds holdings

    def _allocate(self, profit: float, members: np.ndarray) -> None:
        alloc, model = self.allocation, self.model
        to_reserve = alloc.reserve_share * profit
        to_fund = alloc.fund_share * profit
        to_members = alloc.member_share * profit if members.size else 0.0
        to_reinvest = profit - to_reserve - to_fund - to_members
        self.cash -= to_reserve + to_fund + to_members + to_reinvest
        self.reserve += to_reserve
        model.vulnerable_fund.receive("enterprise", to_fund)
        if members.size:
            self.member_payout_per_member = to_members / members.size
            model.households.savings[members] += self.member_payout_per_member
            model.households.payouts_thb[members] += self.member_payout_per_member
        model.ledger.outflow("reinvestment", to_reinvest)
        gain = to_reinvest / self.config.reinvestment_per_capability_thb
        self.capability += min(gain, 1.0) * (1 - self.capability)

    def _check_solvency(self) -> None:
        if self.cash + self.reserve < self.config.fixed_cost_thb:
            self.insolvent_months += 1
        else:
            self.insolvent_months = 0
        if self.insolvent_months >= self.config.insolvency_months:
            self.close()

    def close(self) -> None:
        """Close under the asset lock (source 001): assets go to the fund or a similar enterprise,
        never back to members."""
        model = self.model
        self.active = False
        self.closed_month = model.month
        assets = self.cash + self.reserve
        self.cash = self.reserve = 0.0
        heirs = [e for e in model.enterprise_list if e.active and e is not self]
        if self.config.asset_lock == "enterprise" and heirs:
            heirs[0].add_share_capital(assets)
        else:
            model.vulnerable_fund.receive("assets", assets)
        model.households.enterprise[model.households.enterprise == self.slot] = NO_ENTERPRISE

    def train(self, gain: float) -> None:
        self.capability += gain * (1 - self.capability)

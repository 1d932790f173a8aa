"""Social / community enterprises as Mesa agents: produce, sell to buyers, split the profit.

Each month an active enterprise plans output on the demand it expects (``production_plan`` ×
expected units), limited by what its members' hours can make and what it can pay for; sells what
its buyers take; pays unit and fixed costs; and splits a positive profit by its allocation:
reserve, the community fund, members (by hours worked), and reinvestment, which buys capital.
Members are also paid for their work: ``labour_share`` of the unit cost of every unit made goes
to them by the hours each worked (a piece rate, so hours and pay follow demand), and only the
rest of the cost leaves the community.
Capital raises output per hour, the quality buyers experience (equipment, packaging) and the
enterprise's reach (visibility and outside buyers), relative to the size of the community it
serves, and depreciates, so an enterprise that stops reinvesting shrinks back.

Enterprises differ: each draws, when it is founded, a factor on its unit cost, on its
capability (the know-how its members' skill is worth) and on the demand its products meet, each
lognormal with mean 1 and the scenario's dispersion (0: all alike).

Money: cash is working capital (share capital, sales, minus costs); a loss is paid from cash,
then reserve (together the buffer), and spending never exceeds what it holds. Share capital is
equity, paid once by a household. Part of the unit cost (``committed_cost_share``) is committed
capacity (hired help, input contracts, rented equipment): it rises at once with output but is
released only at ``commitment_release`` a month, so a sudden fall in sales (a shock, a lost hub
or channel) leaves costs the remaining sales must carry, in proportion to the share of sales
lost. A month is in distress when its loss takes more than ``loss_tolerance`` of the buffer, or
it ends with less than the fixed cost in hand; each distress month adds one to a distress count
and each other month takes ``distress_recovery`` off it; when the count reaches
``insolvency_months`` the members close the enterprise under the asset lock.
"""

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
    """An enterprise owned by its member households; members are the households whose
    ``enterprise`` slot is this one's."""

    def __init__(
        self, model: CommunityModel, slot: int, config: EnterpriseConfig, allocation: Allocation
    ):
        super().__init__(model)
        self.slot = slot
        self.name = config.name
        self.config = config
        self.allocation = allocation
        self.cash = 0.0
        self.reserve = 0.0
        self.capital = config.capital_start_thb
        self.active = True
        self.opened_month = model.month
        self.closed_month: int | None = None
        self.insolvent_months = 0.0  # the distress count: months in distress, less recovery
        self.revenue = self.profit = self.costs = 0.0
        self.units_made = self.units_sold = self.capacity = self.expected_units = 0.0
        self.member_payout = self.hours_worked = self.hours_offered = self.wages = 0.0
        self.expected_payout_per_hour = 0.0
        self.expected_fund_per_hour = 0.0
        self.planned = False  # expectations still the founders' plan (until the first month)
        self.unit_cost_factor = 1.0  # below 1 when buying inputs jointly (partners.py)
        self.committed_units = 0.0  # capacity paid for whether used or not (module docstring)
        self.in_distress = False
        # drawn for every enterprise whatever the dispersion, so runs that differ only in a
        # dispersion share their draws (common random numbers)
        draws = model.streams.enterprises.standard_normal(3)
        sigmas = np.array([config.unit_cost_sigma, config.capability_sigma, config.demand_sigma])
        self.cost_draw, self.capability_draw, self.demand_draw = (
            float(f) for f in np.exp(sigmas * draws - 0.5 * sigmas**2))

    def members(self) -> np.ndarray:
        return np.flatnonzero(self.model.households.enterprise == self.slot)

    @property
    def capability(self) -> float:
        """Quality of what it makes: its members' skill, weighted by the hours they work, times
        the enterprise's capability draw (at most 1)."""
        return self._capability(self.members())

    def _capability(self, members: np.ndarray) -> float:
        hh = self.model.households
        if members.size == 0:
            return 0.0
        hours, skill = hh.hours[members], hh.skill[members]
        total = hours.sum()  # offered hours: the month's workforce
        mean = float((hours * skill).sum() / total) if total > 0 else float(skill.mean())
        return min(self.capability_draw * mean, 1.0)

    @property
    def quality(self) -> float:
        """What buyers experience: capability, with the gap to 1 divided by the reach factor."""
        return self._quality(self.members())

    def _quality(self, members: np.ndarray) -> float:
        return 1.0 - (1.0 - self._capability(members)) / self.reach()

    @property
    def fixed_cost(self) -> float:
        """Monthly overheads, which grow with the community the enterprise serves."""
        return self.config.fixed_cost_thb_per_1000_households * self.model.households.n / 1000

    def reach(self) -> float:
        """1 + capital over ``capital_scale_thb_per_1000_households`` (per 1,000 households of the
        community): the factor on output per hour, visibility and outside buyers, and the divisor
        of the quality gap."""
        scale = self.config.capital_scale_thb_per_1000_households * self.model.households.n / 1000
        return 1.0 + self.capital / scale

    def expect_from_plan(self) -> None:
        """Founders' first expectation, which sets their hours for the first month: the planned
        margin and piece rate per hour of work at full use, split by the allocation. The first
        month's accounts replace it (``_update_expectations``): others join on what the
        enterprise has paid, not on its founders' plan."""
        cfg, alloc = self.config, self.allocation
        per_hour = cfg.productivity * self.capability
        margin = (cfg.price_thb - cfg.unit_cost_thb) * per_hour
        wage = cfg.labour_share * cfg.unit_cost_thb * per_hour
        self.expected_payout_per_hour = max(margin, 0.0) * alloc.member_share + wage
        self.expected_fund_per_hour = max(margin, 0.0) * alloc.fund_share
        self.planned = True

    def add_share_capital(self, amount: float) -> None:
        self.cash += amount

    def step(self) -> None:
        self.revenue = self.profit = self.costs = 0.0
        self.units_made = self.units_sold = self.capacity = self.expected_units = 0.0
        self.member_payout = self.hours_worked = self.wages = 0.0
        if not self.active:
            return
        model, cfg = self.model, self.config
        hh = model.households
        members = self.members()
        quality = self._quality(members)
        demand = model.market.demand(self)
        offered = hh.hours[members]
        per_hour = cfg.productivity * self.reach()
        capacity = float((offered * hh.skill[members]).sum()) * per_hour
        capacity *= self.capability_draw
        unit_cost = (cfg.unit_cost_thb * model.events.cost_factor * self.unit_cost_factor
                     * self.cost_draw)
        buffer = self.cash + self.reserve
        fixed = min(self.fixed_cost, buffer)
        committed = min(cfg.committed_cost_share * unit_cost * self.committed_units,
                        buffer - fixed)
        affordable = self._affordable(buffer - fixed - committed, unit_cost, capacity)
        planned = cfg.production_plan * demand.expected_units
        output = max(0.0, min(capacity, affordable, planned))
        wanted = demand.units_total
        sold = min(output, wanted)
        fill = sold / wanted if wanted > 0 else 0.0
        used = output / capacity if capacity > 0 else 0.0
        hh.hours_worked[members] = offered * used  # members work the hours the output needs
        self.hours_worked = float(hh.hours_worked[members].sum())
        self.hours_offered = float(offered.sum())
        from_households = model.market.settle(self, demand, fill, quality)
        from_outside = float((demand.pool_units * fill * demand.pool_prices).sum())
        self.units_made, self.units_sold = output, sold
        self.capacity, self.expected_units = capacity, demand.expected_units
        self.revenue = from_households + from_outside
        self.costs = fixed + committed + self._variable_cost(output, unit_cost)
        self._commit(output)
        self.wages = self._pay_for_work(cfg.labour_share * unit_cost * output, members)
        model.ledger.inflow("market_sales", from_outside)
        model.ledger.outflow("production_costs", self.costs - self.wages)
        self.profit = self.revenue - self.costs
        self._book_result(self.profit)
        fund_paid = self._allocate(self.profit, members) if self.profit > 0 else 0.0
        self.capital *= 1 - cfg.depreciation
        self._learn(members)
        self._update_expectations(fund_paid)
        self._check_solvency(buffer)

    def _affordable(self, room: float, unit_cost: float, capacity: float) -> float:
        """Units the money ``room`` pays for: up to the committed capacity a unit costs only its
        uncommitted part, beyond it the full unit cost."""
        if unit_cost <= 0:
            return capacity
        below = (1 - self.config.committed_cost_share) * unit_cost
        if room < below * self.committed_units:
            return room / below
        return self.committed_units + (room - below * self.committed_units) / unit_cost

    def _variable_cost(self, output: float, unit_cost: float) -> float:
        """The uncommitted part of every unit, and the committed part of units beyond the
        capacity already committed (it is committed now, and paid this month)."""
        share = self.config.committed_cost_share
        return output * (1 - share) * unit_cost + share * unit_cost * max(
            output - self.committed_units, 0.0)

    def _commit(self, output: float) -> None:
        """Capacity rises at once to this month's output; unused capacity is released slowly."""
        committed = max(self.committed_units, output)
        self.committed_units = committed - self.config.commitment_release * (committed - output)

    def _pay_for_work(self, wages: float, members: np.ndarray) -> float:
        """Pay members for the units they made, by the hours each worked: the labour part of
        the unit cost stays in the community as members' earnings (a community enterprise exists
        for its members' income and jobs, source 001); the rest of the cost leaves it."""
        hh = self.model.households
        hours = hh.hours_worked[members]
        if wages <= 0 or hours.sum() <= 0:
            return 0.0
        paid = wages * hours / hours.sum()
        hh.savings[members] += paid
        hh.payouts_thb[members] += paid
        self.model.accounts.book("enterprise_pay", paid, members)
        return wages

    def _book_result(self, result: float) -> None:
        """Add a profit to cash, or take a loss from cash, then reserve."""
        self.cash += result
        if self.cash < 0:
            self.reserve += self.cash
            self.cash = 0.0
        self.reserve = max(self.reserve, 0.0)  # rounding only: spending never exceeds holdings

    def _allocate(self, profit: float, members: np.ndarray) -> float:
        """Split a profit; returns what went to the fund."""
        alloc, model, hh = self.allocation, self.model, self.model.households
        to_reserve = alloc.reserve_share * profit
        to_fund = alloc.fund_share * profit
        to_members = alloc.member_share * profit if members.size else 0.0
        to_reinvest = max(profit - to_reserve - to_fund - to_members, 0.0)  # rounding
        self.cash -= to_reserve + to_fund + to_members + to_reinvest
        self.reserve += to_reserve
        model.vulnerable_fund.receive("enterprise", to_fund)
        if members.size:
            hours = hh.hours_worked[members]
            weights = hours / hours.sum() if hours.sum() > 0 else np.full(members.size,
                                                                          1 / members.size)
            paid = to_members * weights
            hh.savings[members] += paid
            hh.payouts_thb[members] += paid
            model.accounts.book("enterprise_pay", paid, members)
        self.member_payout = to_members
        model.ledger.outflow("reinvestment", to_reinvest)
        self.capital += to_reinvest
        return to_fund

    def _learn(self, members: np.ndarray) -> None:
        """Learning by doing: every 100 hours worked close ``experience_gain`` of a member's gap
        to full skill."""
        hh = self.model.households
        skill = hh.skill[members]
        gain = min(self.config.experience_gain, 1 - 1e-12)
        closed = -np.expm1(np.log1p(-gain) * hh.hours_worked[members] / 100)  # 1 − (1 − g)^(h/100)
        hh.skill[members] = skill + closed * (1 - skill)

    def _update_expectations(self, fund_paid: float) -> None:
        """Households expect pay (for their work and from the profit) and fund contributions
        per hour their members offered, from a smoothed memory: an hour offered and not used
        brings nothing, so a market too small for its members' hours is worth little to join
        even though each hour worked is paid the piece rate."""
        weight = 1.0 if self.planned else self.model.households.config.joining.payout_memory
        self.planned = False
        hours = self.hours_offered
        paid = self.member_payout + self.wages
        payout = paid / hours if hours > 0 else 0.0
        fund = fund_paid / hours if hours > 0 else 0.0
        self.expected_payout_per_hour += weight * (payout - self.expected_payout_per_hour)
        self.expected_fund_per_hour += weight * (fund - self.expected_fund_per_hour)

    def _check_solvency(self, buffer: float) -> None:
        """Distress: a loss that takes more than ``loss_tolerance`` of the month's starting
        ``buffer``, or less than the fixed cost left; the count recovers in other months."""
        cfg = self.config
        self.in_distress = (-self.profit > cfg.loss_tolerance * buffer
                            or self.cash + self.reserve < self.fixed_cost)
        if self.in_distress:
            self.insolvent_months += 1
        else:
            self.insolvent_months = max(self.insolvent_months - cfg.distress_recovery, 0.0)
        if self.insolvent_months >= cfg.insolvency_months:
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
        hh = model.households
        leaving = hh.enterprise == self.slot
        hh.enterprise[leaving] = NO_ENTERPRISE
        hh.hours[leaving] = hh.hours_worked[leaving] = 0.0
        model.market.forget_enterprise(self.slot)

    def train(self, gain: float) -> None:
        """Training (source 002): every member's skill closes ``gain`` of its gap to 1."""
        hh = self.model.households
        members = self.members()
        hh.skill[members] += gain * (1 - hh.skill[members])

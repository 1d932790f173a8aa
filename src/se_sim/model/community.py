"""The community model: households, their network, enterprises and funds, month by month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mesa
import numpy as np

from se_sim.model import gardens, livelihood
from se_sim.model.accounts import HouseholdAccounts
from se_sim.model.enterprise import Enterprise
from se_sim.model.events import EventSchedule
from se_sim.model.founding import EnterpriseFounding
from se_sim.model.funds import VulnerableFund
from se_sim.model.households import Household, HouseholdArrays
from se_sim.model.ledger import ExternalLedger
from se_sim.model.loans import SavingsGroup
from se_sim.model.market import Market
from se_sim.model.membership import join, update_membership
from se_sim.model.metrics import MONTHLY, RunTracker, summarise
from se_sim.model.network import build_network
from se_sim.model.partners import PartnerNetwork
from se_sim.model.streams import Streams
from se_sim.model.ties import TieDynamics
from se_sim.model.trust import Trust
from se_sim.model.welfare import WelfareFund
from se_sim.scenario.schema import Scenario


class CommunityModel(mesa.Model):
    """A community of original residents and newcomers with its enterprises and funds.

    One step is one month. All randomness comes from ``self.rng``, seeded by ``rng``, through
    one stream per mechanism (``self.streams``).
    ``reporters`` names the monthly metrics to record (default: all of ``MONTHLY``); the summary
    does not depend on them.
    """

    def __init__(
        self, scenario: Scenario, rng: int | None = None, reporters: Sequence[str] | None = None
    ):
        super().__init__(rng=rng)
        self.config = scenario
        self.seed = rng
        self.month = 0
        self.ledger = ExternalLedger()
        self.streams = Streams(self.rng, len(scenario.enterprises))
        self.households = HouseholdArrays(scenario.households, self.streams.setup)
        self.households.draw_interest(self.streams.interest)
        self.accounts = HouseholdAccounts(self.households)
        Household.create_agents(self, self.households.n, list(range(self.households.n)))
        self.network = build_network(
            scenario.network, self.households.newcomer, self.streams.network
        )
        self.trust = Trust(self)
        self.trust.initialise()
        self.vulnerable_fund = VulnerableFund(self, scenario.funds.vulnerable)
        # community finance, off unless the scenario configures it (docs/ODD.md, Part II)
        welfare, group = scenario.funds.welfare, scenario.funds.savings_group
        self.welfare_fund = WelfareFund(self, welfare) if welfare else None
        self.savings_group = SavingsGroup(self, group) if group else None
        self.enterprise_list = [
            Enterprise(self, slot, config, scenario.allocation_for(config))
            for slot, config in enumerate(scenario.enterprises)
        ]
        self.market = Market(self, len(self.enterprise_list))
        self.founding_leaders = self._found_enterprises()
        network, founding = scenario.partners, scenario.founding  # None: the mechanism is off
        self.partners = PartnerNetwork(self, network) if network is not None else None
        self.founding = EnterpriseFounding(self, founding) if founding is not None else None
        self.events = EventSchedule(self)
        self.ties = TieDynamics(self)
        self.money_at_start = self.money_held()
        self.tracker = RunTracker(self)
        names = list(MONTHLY) if reporters is None else list(reporters)
        self.datacollector = (
            mesa.DataCollector(model_reporters={n: MONTHLY[n] for n in names}) if names else None
        )
        self._collect()

    def _found_enterprises(self) -> int:
        """Leaders found the enterprises (source 000: a core of 30); returns founding leaders.

        Enterprises founded by leaders share the leaders evenly unless ``founder_count`` is
        set; ``random`` enterprises are founded by ``founder_count`` (default 10) other households.
        Founders know their enterprise, expect what its plan promises and offer hours for month 1.
        """
        hh = self.households
        rng = self.streams.setup
        leaders = rng.permutation(np.flatnonzero(hh.leader))
        led = sum(e.config.founders == "leaders" for e in self.enterprise_list)
        taken = 0
        for enterprise in self.enterprise_list:
            count = enterprise.config.founder_count
            if enterprise.config.founders == "leaders":
                count = count if count is not None else len(leaders) // led
                founders = leaders[taken : taken + count]
                taken += count
            else:
                outsiders = np.flatnonzero(~hh.is_member & ~hh.leader)
                founders = rng.choice(outsiders, min(count or 10, outsiders.size), False)
            join(self, enterprise, founders)
            enterprise.expect_from_plan()
        update_membership(self, choices=False)
        return int((hh.leader & hh.is_member).sum())

    def money_held(self) -> float:
        """All money inside: household savings, enterprise cash and reserves, fund balances."""
        enterprises = sum(e.cash + e.reserve for e in self.enterprise_list)
        funds = sum(f.balance for f in (self.vulnerable_fund, self.welfare_fund,
                                        self.savings_group) if f is not None)
        return float(self.households.savings.sum() + enterprises + funds)

    def step(self) -> None:
        """One month, in this order (docs/ODD.md, section 3)."""
        self.month += 1
        hh, streams = self.households, self.streams
        hh.purchases_thb[:] = 0.0
        hh.repaid_for_goods[:] = 0.0
        hh.hours_worked[:] = 0.0
        hh.grant_this_month[:] = 0.0
        self.accounts.start_month()
        self.vulnerable_fund.start_month()
        self.events.begin_month(self.month)
        knows_a_member = gardens.update_gardens(hh, self.network, streams.gardens)
        livelihood.earn(hh, self.events.income_factor, self.ledger)
        self.accounts.book("earned", hh.income)
        if self.partners is not None:  # ties formed, then what they bring to this month's trade
            self.partners.step(self.month)
        if self.enterprise_list:
            self.market.spread(self.enterprise_list)  # word of mouth, then each one trades
            self.agents_by_type[Enterprise].shuffle_do("step")
        self.vulnerable_fund.step()
        # welfare benefits and loans come before the food bill, so they count toward food
        if self.welfare_fund is not None:
            self.welfare_fund.step()
        if self.savings_group is not None:
            self.savings_group.step()
        livelihood.spend(hh, self.ledger)
        self.accounts.book("consumption", hh.consumption)
        self.accounts.book("home_food", livelihood.home_food(hh))
        gifts = livelihood.donations(hh, knows_a_member, streams.donations)
        self.accounts.book("donations", gifts)
        self.vulnerable_fund.receive("donation", gifts.sum())
        if self.founding is not None:  # before membership: others may join at once
            self.founding.step(self.month)
        update_membership(self)
        self.ties.update_ties()
        self.trust.update()
        self.accounts.close_month()
        self.running = self.month < self.config.months
        self.tracker.observe(self)
        self._collect()

    def _collect(self) -> None:
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def summary(self) -> dict[str, Any]:
        return summarise(self)

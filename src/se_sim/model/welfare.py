"""The community welfare fund (source 002; public figure: CODI welfare funds), a Mesa agent.

Member households pay a contribution each month (1 baht a day), which local and national
government each match at a ratio until the month their match stops; administration takes a share
of what comes in; each member claims at most one benefit a month, for birth, illness, death or
old age, each with its monthly rate (illness and old age more often in hardship).
Claims are paid in full, in a random order, until the first one the balance cannot cover; that
claim and the rest of the month's lapse, and the month counts as insolvent. A member claims only
after ``waiting_months`` months of membership, as funds' rules require. Households join with
a probability raised by their neighbours' membership, their trust in the members and their
giving, lowered as the fund nears its capacity; they leave at a small rate, more as their
interest wanes (months without a benefit; at once when a claim goes unpaid), or when their
contribution would cut into their food money. Solvency is thus a behaviour: claims follow the
members' hardship, membership follows what the fund pays (docs/ODD.md, Part II).

Money: contributions move household → fund and benefits fund → household (internal); matching
enters from outside (ledger inflows ``welfare_matching_local`` / ``_national``) and
administration leaves (ledger outflow ``welfare_admin``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from se_sim.model.livelihood import food_need
from se_sim.model.market import sigmoid
from se_sim.scenario.schema import Matching
from se_sim.scenario.schema import WelfareFund as WelfareFundConfig

if TYPE_CHECKING:
    from se_sim.model.community import CommunityModel

DAYS_PER_MONTH = 365 / 12
BENEFITS = ("birth", "illness", "death", "old_age")
# a member whose claim the fund cannot pay loses its interest at once: as if it had waited this
# long without a benefit (interest ½^(10⁶ / half-life) ≈ 0 for any half-life the schema allows)
LOST_INTEREST_MONTHS = 1_000_000


class WelfareFund(mesa.Agent):
    """The fund's balance and books; ``member`` marks the member households."""

    def __init__(self, model: CommunityModel, config: WelfareFundConfig):
        super().__init__(model)
        self.config = config
        n = model.households.n
        self.member = model.streams.welfare.random(n) < config.initial_member_share
        self.joined_month = np.ones(n, dtype=np.int64)  # first month paid; founders: month 1
        # the month a member last had a reason to stay: joining, or a benefit to its household
        self.interested_since = np.ones(n, dtype=np.int64)
        self.balance = config.initial_balance_thb
        self.rates = np.array([getattr(config.benefits, kind).rate for kind in BENEFITS])
        self.cumulative_rates = np.cumsum(self.rates)
        self.claim_scale = _hardship_scale(self.rates, config.hardship_claim_factor)
        self.amounts = np.array([getattr(config.benefits, kind).amount_thb for kind in BENEFITS])
        self.contributions_total = self.matching_total = self.admin_total = 0.0
        self.benefits_by_kind = np.zeros(len(BENEFITS))
        self.claims_unpaid_total = 0
        self.insolvent_months = 0
        self.first_insolvent_month: int | None = None
        self._reset_month()

    def _reset_month(self) -> None:
        self.month_contributions = self.month_matching = self.month_admin = 0.0
        self.month_benefits = 0.0
        self.month_claims_unpaid = 0

    @property
    def contribution_thb(self) -> float:
        """The monthly contribution of a member household."""
        return self.config.contribution_thb_per_day * DAYS_PER_MONTH

    @property
    def benefits_total(self) -> float:
        return float(self.benefits_by_kind.sum())

    def step(self) -> None:
        """Membership, contributions, matching, administration, then benefits."""
        self._reset_month()
        hh = self.model.households
        # fixed-size draws, so that common random numbers stay aligned between arms
        draws = self.model.streams.welfare.random((hh.n, 2))
        self._join_and_leave(draws[:, 0])
        self._collect()
        self._administer(self.month_contributions + self._match())
        self._pay_benefits(draws[:, 1])

    def join_probability(self, households: np.ndarray) -> np.ndarray:
        """join_rate · σ(intercept + peer_weight · members' share of one's ties
        + trust_weight · (trust in the members' mix of groups − ½) + giving_weight · giving),
        for the given non-member households."""
        hh, network, rule = self.model.households, self.model.network, self.config.joining
        peers = network.neighbour_count(self.member)[households]
        peers /= np.maximum(network.degree[households], 1)
        members = np.count_nonzero(self.member)
        newcomers = np.count_nonzero(self.member & hh.newcomer)
        mix = newcomers / members if members else hh.newcomer.mean()  # newcomer share
        own_group = np.where(hh.newcomer[households], mix, 1.0 - mix)
        trust = (own_group * hh.trust_ingroup[households]
                 + (1.0 - own_group) * hh.trust_outgroup[households])
        utility = (rule.intercept + rule.peer_weight * peers
                   + rule.trust_weight * (trust - 0.5) + rule.giving_weight * hh.giving[households])
        return rule.join_rate * sigmoid(utility) * self.room(members)

    def room(self, members: int) -> float:
        """1 − members / capacity (at least 0): joining slows as the fund fills; 1 unbounded."""
        share = self.config.joining.capacity_share
        if share is None:
            return 1.0
        return max(0.0, 1.0 - members / max(share * self.model.households.n, 1.0))

    def leave_probability(self) -> np.ndarray:
        """leave_rate + lapse_rate · (1 − interest), interest = ½^(months since the member
        joined or its household last received a benefit / half-life): interest wanes."""
        rule = self.config.joining
        idle = self.model.month - self.interested_since
        interest = np.exp2(-idle / rule.interest_half_life_months)
        return rule.leave_rate + rule.lapse_rate * (1.0 - interest)

    def _join_and_leave(self, draws: np.ndarray) -> None:
        rule = self.config.joining
        # σ < 1: only a draw below join_rate can join, so only those need their utility
        candidates = np.flatnonzero(~self.member & (draws < rule.join_rate))
        joining = candidates[draws[candidates] < self.join_probability(candidates)]
        self.member &= draws >= self.leave_probability()
        self.member[joining] = True
        self.joined_month[joining] = self.interested_since[joining] = self.model.month

    def _collect(self) -> None:
        """Members pay from what is left after the month's food bill; who cannot, lapses."""
        hh = self.model.households
        fee = self.contribution_thb
        can_pay = hh.savings - food_need(hh) >= fee
        paying = self.member & can_pay
        self.member &= can_pay
        hh.savings[paying] -= fee
        self.model.accounts.book("contributions", fee, paying)
        self.month_contributions = fee * float(paying.sum())
        self.contributions_total += self.month_contributions
        self.balance += self.month_contributions

    def _match(self) -> float:
        month, ledger = self.model.month, self.model.ledger
        total = 0.0
        for name, rule in (("local", self.config.local_match),
                           ("national", self.config.national_match)):
            amount = self.month_contributions * _ratio_now(rule, month)
            ledger.inflow(f"welfare_matching_{name}", amount)
            total += amount
        self.month_matching = total
        self.matching_total += total
        self.balance += total
        return total

    def _administer(self, inflow: float) -> None:
        self.month_admin = self.config.admin_share * inflow
        self.admin_total += self.month_admin
        self.balance -= self.month_admin
        self.model.ledger.outflow("welfare_admin", self.month_admin)

    def _pay_benefits(self, draws: np.ndarray) -> None:
        """A member past the waiting period claims benefit k when its draw falls in k's slice
        of [0, 1) (competing events: probability rate_k each, at most one a month). Claims are
        paid in a random order until the first that the balance cannot cover: the order of the
        draws' positions within their slices, uniform and independent of the kind."""
        hh = self.model.households
        # a member claims once it has paid ``waiting_months`` months before this one
        waited = self.model.month - self.joined_month >= self.config.waiting_months
        # a household in hardship claims illness and old age ``hardship_claim_factor`` as often
        top = np.where(hh.hardship, self.claim_scale @ self.rates, self.cumulative_rates[-1])
        claimant = np.flatnonzero(self.member & waited & (draws < top))
        if claimant.size == 0:
            return
        scale = np.where(hh.hardship[claimant, None], self.claim_scale, 1.0)
        rates = self.rates * scale  # claimants × kinds
        upper = np.cumsum(rates, axis=1)
        u = draws[claimant]
        kind = (u[:, None] >= upper).sum(axis=1)
        rows = np.arange(claimant.size)
        position = (u - (upper - rates)[rows, kind]) / rates[rows, kind]
        order = np.argsort(position, kind="stable")
        claimant, kind = claimant[order], kind[order]
        amount = self.amounts[kind]
        running = np.cumsum(amount)
        count = int(np.searchsorted(running, self.balance, side="right"))  # claims covered
        paid = slice(0, count)
        benefit = np.bincount(claimant[paid], weights=amount[paid], minlength=hh.n)
        hh.savings += benefit
        self.model.accounts.book("benefits", benefit)
        self.interested_since[claimant[paid]] = self.model.month
        self.benefits_by_kind += np.bincount(kind[paid], weights=amount[paid],
                                             minlength=len(BENEFITS))
        self.month_benefits = float(running[count - 1]) if count else 0.0
        self.balance -= self.month_benefits
        unpaid = claimant.size - count
        self.interested_since[claimant[count:]] = self.model.month - LOST_INTEREST_MONTHS
        self.month_claims_unpaid = unpaid
        self.claims_unpaid_total += unpaid
        if unpaid:
            self.insolvent_months += 1
            if self.first_insolvent_month is None:
                self.first_insolvent_month = self.model.month


def _hardship_scale(rates: np.ndarray, factor: float) -> np.ndarray:
    """Per benefit, how much more often a household in hardship claims: ``factor`` for illness
    and old age, as far as the rates in hardship still sum to at most 1 (one claim a month)."""
    birth, illness, death, old_age = rates
    room = (1.0 - birth - death) / (illness + old_age) if illness + old_age > 0 else 1.0
    scale = max(1.0, min(factor, room))
    return np.array([1.0, scale, 1.0, scale])


def _ratio_now(rule: Matching, month: int) -> float:
    """The match paid this month: its ratio before ``stop_month``, nothing from then on."""
    return rule.ratio if rule.stop_month is None or month < rule.stop_month else 0.0

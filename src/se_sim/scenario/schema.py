"""The typed scenario: every parameter of a run, its default, its range and where it comes from.

Money is Thai baht (THB), one step is one month. Defaults are those of the calibrated Bang Sao
Thong scenario (which adds its COVID-19 shock and its local-market channel). Comments cite
``docs/sources.md``: "source 000" … "source 004" are the five documents, "public figure" the
table of outside figures; every other default is an assumption, listed with its range, and for
calibrated ones how it was chosen, in ``docs/ODD.md``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Baht = Annotated[float, Field(ge=0.0)]
Month = Annotated[int, Field(ge=0)]
Weight = Annotated[float, Field(ge=0.0, le=50.0)]
Dispersion = Annotated[float, Field(ge=0.0, le=2.0)]  # sigma of a mean-1 lognormal factor
DEFAULT_LEADERS_PER_1000 = 30.0  # source 000: 30 founding leaders in the case's 1,000 households


class Section(BaseModel):
    """Every section rejects unknown keys, so a typo is an error and never a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class IncomeDistribution(Section):
    """Lognormal monthly household income."""

    median_thb: Annotated[float, Field(gt=0)] = 15_000.0
    sigma: Annotated[float, Field(ge=0, le=3)] = 0.6


class Work(Section):
    """Members' time: hours given to an enterprise, weighed against what a spare hour is worth."""

    minimum_wage_thb_per_day: Baht = 372.0  # public figure: minimum wage, Samut Prakan, 2025
    hours_per_day: Annotated[float, Field(gt=0, le=24)] = 8.0
    spare_time_value: Share = 0.25
    max_hours_per_month: Annotated[float, Field(gt=0, le=300)] = 24.0
    hours_sensitivity: Weight = 2.0

    @property
    def time_cost_thb_per_hour(self) -> float:
        """What an hour given to the enterprise costs a member (a share of a wage hour)."""
        return self.spare_time_value * self.minimum_wage_thb_per_day / self.hours_per_day


class JoiningRule(Section):
    """Logit choice to join or leave an enterprise; see ODD 7.9. All assumptions."""

    monthly_rate: Share = 0.04
    intercept: Annotated[float, Field(ge=-20, le=20)] = -5.0
    value_weight: Weight = 10.0
    social_weight: Weight = 0.5
    peer_weight: Weight = 4.0
    trust_weight: Weight = 1.5
    leave_rate: Share = 0.05
    payout_memory: Share = 0.3
    # bounds (docs/ODD.md, 7.7): joining needs work (the share of offered hours the enterprise
    # used last month), and members whose hours go unused leave at ``idle_leave_rate``
    join_needs_work: bool = False
    idle_leave_rate: Share = 0.02
    # households with the time and interest for enterprise work beside their main work (source
    # 001), drawn at month 0; the rest never join. Assumption (docs/ODD.md, 7.7); 1: no bound
    interested_share: Annotated[float, Field(gt=0, le=1)] = 0.6


class GardenRule(Section):
    """Home vegetable growing (source 000, activity 1) as a complex contagion (Centola 2010)."""

    promoted_adoption: Share = 0.0283  # calibrated
    contagion_threshold: Annotated[int, Field(ge=1)] = 2
    contagion_adoption: Share = 0.03
    abandon_rate: Share = 0.01
    share_with: Annotated[int, Field(ge=0, le=20)] = 2
    food_cost_saving: Share = 0.3


class TrustRule(Section):
    """Trust toward the other group follows contact (Pettigrew & Tropp 2006), ODD 7.11.

    With no contact it is ``base_*``; contact raises the level it moves toward. Households start
    at the level their own ties give, so without a project trust stays where it is; trust
    gained above that level fades at ``decay`` a month unless contact renews it, so it settles.
    """

    ingroup: Share = 0.7
    base_original: Share = 0.2
    base_newcomer: Share = 0.2
    contact_sensitivity: Annotated[float, Field(ge=0, le=20)] = 1.5
    work_contact_weight: Annotated[float, Field(ge=0, le=10)] = 1.0
    rate: Share = 0.05
    decay: Share = 0.05


class Households(Section):
    count: Annotated[int, Field(ge=10, le=1_000_000)] = 1000
    newcomer_share: Share = 0.5
    # leaders as a count, or in proportion to the community (source 000: 30 in the case's 1,000);
    # set one of the two; with neither, 30 per 1,000 households
    leaders: Annotated[int, Field(ge=0)] | None = None
    leaders_per_1000_households: Annotated[float, Field(ge=0, le=1000)] | None = None
    leader_newcomer_share: Share = 0.5  # source 000: leaders from both groups; split assumed even
    vulnerable_share: Share = 0.1
    # source 002: CODI's figure of at least 15,000 THB a month per household
    income_original: IncomeDistribution = IncomeDistribution(median_thb=15_000.0)
    income_newcomer: IncomeDistribution = IncomeDistribution(median_thb=18_000.0, sigma=0.5)
    vulnerable_income_factor: Share = 0.4
    food_cost_thb: Baht = 3_000.0
    other_spending_share: Share = 0.92
    initial_savings_months: Annotated[float, Field(ge=0, le=120)] = 1.0
    giving_original: Share = 0.6  # source 000: "giving for society" is the local value
    giving_newcomer: Share = 0.35
    donation_probability: Share = 0.01
    donation_share: Share = 0.01
    share_capital_thb: Baht = 100.0
    share_refund: Literal["none", "on_leave"] = "none"
    hardship_savings_thb: Baht = 10_900.0  # calibrated (docs/ODD.md, Calibration)
    poverty_line_thb: Baht = 8_300.0  # public figure: poverty line ~2,760/person x 3 persons
    skill_start: Share = 0.4
    leader_skill_start: Share = 0.5
    work: Work = Work()
    joining: JoiningRule = JoiningRule()
    gardens: GardenRule = GardenRule()
    trust: TrustRule = TrustRule()

    @model_validator(mode="after")
    def _leaders_fit(self) -> Households:
        if self.leaders is not None and self.leaders_per_1000_households is not None:
            raise ValueError("set leaders (a count) or leaders_per_1000_households (in proportion "
                             "to count), not both")
        if self.leader_count > self.count:
            raise ValueError(f"leaders ({self.leader_count}) must not exceed count ({self.count})")
        return self

    @property
    def leader_count(self) -> int:
        """Leaders in this community: the count, or the share of ``count`` (default 30 per
        1,000, source 000), so a larger community has leaders in proportion."""
        if self.leaders is not None:
            return self.leaders
        per_1000 = (DEFAULT_LEADERS_PER_1000 if self.leaders_per_1000_households is None
                    else self.leaders_per_1000_households)
        return round(per_1000 * self.count / 1000)


class Network(Section):
    """The household network: density and segregation are separate knobs; ties churn (7.10)."""

    kind: Literal["two_group", "watts_strogatz", "barabasi_albert", "erdos_renyi"] = "two_group"
    mean_degree: Annotated[float, Field(gt=0, le=200)] = 6.0
    homophily: Annotated[float, Field(ge=0, lt=1)] = 0.6
    original_density_ratio: Annotated[float, Field(gt=0, le=20)] = 1.5
    rewiring: Share = 0.1
    dissolution_rate: Share = 0.01
    dissimilar_extra: Annotated[float, Field(ge=0, le=20)] = 1.0
    triadic_closure: Share = 0.3
    joint_work_ties: Share = 0.05

    def block_probabilities(self, n_original: int, n_newcomer: int) -> tuple[float, float, float]:
        """Tie probabilities (original-original, newcomer-newcomer, cross) giving mean_degree.

        The cross-group probability is (1 - homophily) times the newcomers' in-group one, and
        original residents' in-group probability is ``original_density_ratio`` times it.
        """
        pairs_oo = n_original * (n_original - 1) / 2
        pairs_nn = n_newcomer * (n_newcomer - 1) / 2
        pairs_on = n_original * n_newcomer
        weight = self.original_density_ratio * pairs_oo + pairs_nn + (1 - self.homophily) * pairs_on
        edges = self.mean_degree * (n_original + n_newcomer) / 2
        base = edges / weight if weight > 0 else 0.0
        return self.original_density_ratio * base, base, (1 - self.homophily) * base


class Market(Section):
    """Households as buyers (ODD 7.5): awareness by word of mouth, opinion, trust, price, income."""

    reference_price_thb: Annotated[float, Field(gt=0)] = 50.0
    price_elasticity: Annotated[float, Field(ge=-5, le=0)] = -0.6  # public figure: vegetables
    income_elasticity: Annotated[float, Field(ge=0, le=5)] = 1.0
    units_per_buyer: Annotated[float, Field(ge=0, le=100)] = 0.81  # an earlier calibration
    visibility: Share = 0.01
    word_of_mouth: Share = 0.0598  # an earlier calibration (the case: its scenario)
    forget_rate: Share = 0.05
    buy_intercept: Annotated[float, Field(ge=-20, le=20)] = -1.0
    opinion_weight: Weight = 3.0
    trust_weight: Weight = 2.0
    cause_weight: Weight = 0.5
    opinion_start: Share = 0.5
    opinion_learning: Share = 0.3
    opinion_spread: Share = 0.1
    experience_noise: Annotated[float, Field(ge=0, le=2)] = 0.15


class OutsidePool(Section):
    """Buyers outside the community reached through a channel or hub, sized per 1,000 households
    of the community (a bigger community sits in a bigger surrounding market)."""

    name: str = "outside"
    buyers_per_1000_households: Annotated[float, Field(ge=0, le=100_000)] = 50.0
    price_thb: Annotated[float, Field(gt=0)] = 60.0
    buy_rate: Share = 0.3
    units_per_buyer: Annotated[float, Field(ge=0, le=100)] = 2.0


def _at_most_one(total: float, terms: str, why: str = "") -> None:
    """Shares of one whole (a profit, a unit's cost) may not add up to more than it."""
    if total > 1 + 1e-9:
        raise ValueError(f"{terms} = {total:.3g}; must be at most 1{why}")


class Allocation(Section):
    """How a positive monthly profit is split; what is left is reinvested."""

    reserve_share: Share = 0.1  # public figure: Thai cooperatives keep >= 10% as reserve
    fund_share: Share = 0.2  # the "profit share"; public figure: SE Act 2019 anchors 0.7 as upper
    member_share: Share = 0.4

    @model_validator(mode="after")
    def _sum_at_most_one(self) -> Allocation:
        _at_most_one(self.reserve_share + self.fund_share + self.member_share,
                     "reserve_share + fund_share + member_share")
        return self

    @property
    def reinvest_share(self) -> float:
        return max(0.0, 1.0 - self.reserve_share - self.fund_share - self.member_share)


class Enterprise(Section):
    name: str = "enterprise"
    founders: Literal["leaders", "random"] = "leaders"
    founder_count: Annotated[int, Field(ge=1)] | None = None
    price_thb: Annotated[float, Field(gt=0)] = 50.0
    unit_cost_thb: Baht = 30.0
    fixed_cost_thb_per_1000_households: Baht = 300.0
    productivity: Annotated[float, Field(ge=0, le=1000)] = 1.0
    capital_start_thb: Baht = 0.0
    capital_scale_thb_per_1000_households: Annotated[float, Field(gt=0)] = 20_000.0
    depreciation: Share = 0.03
    market_risk_sigma: Annotated[float, Field(ge=0, le=3)] = 0.3
    production_plan: Annotated[float, Field(gt=0, le=10)] = 1.0
    max_members: Annotated[int, Field(ge=1)] | None = None
    experience_gain: Share = 0.05
    # each enterprise differs (docs/ODD.md 7.4): mean-1 lognormal draws at founding; 0: identical
    unit_cost_sigma: Dispersion = 0.1
    capability_sigma: Dispersion = 0.1
    demand_sigma: Dispersion = 0.2
    # resilience (docs/ODD.md 7.6): committed costs, the cash buffer, distress that recovers
    committed_cost_share: Share = 0.5
    commitment_release: Share = 0.1
    loss_tolerance: Share = 0.25
    distress_recovery: Annotated[float, Field(ge=0, le=120)] = 1.0
    insolvency_months: Annotated[int, Field(ge=1)] = 6
    # livelihood (docs/ODD.md 7.19): the members' own work in a unit, paid per unit made
    labour_share: Share = 0.3
    asset_lock: Literal["fund", "enterprise"] = "fund"  # source 001: assets never go to members
    channels: list[OutsidePool] = Field(default_factory=list)
    allocation: Allocation | None = None

    @model_validator(mode="after")
    def _labour_is_not_committed(self) -> Enterprise:
        _at_most_one(self.labour_share + self.committed_cost_share,
                     "labour_share + committed_cost_share", " (members are paid for the units "
                     "they make, so their work is not committed capacity)")
        return self


class VulnerableFund(Section):
    """Source 000: a fund for vulnerable people fed by the enterprise's profit."""

    initial_balance_thb: Baht = 0.0
    grant_thb: Annotated[float, Field(gt=0)] = 205.0  # calibrated
    # assumption: volunteers' capacity, a planner's cap; null: no cap but the balance
    max_grants_per_1000_households: Annotated[float, Field(ge=0)] | None = None
    # who queues: the vulnerable (or everyone) in need (hardship, a food bill they cannot pay,
    # a shock on thin savings), or the v2 rule, in hardship alone (docs/ODD.md, 7.8)
    eligibility: Literal["in_need", "vulnerable_in_need", "in_hardship",
                         "vulnerable_in_hardship"] = "in_need"
    # the queue's order (assumption: a planner's choice); new_first is the v2 rule
    priority: Literal["longest_waiting", "hardship_first", "poorest_first", "new_first",
                      "random"] = "longest_waiting"
    balance_share_per_month: Share = 0.5  # assumption: at most half the balance paid a month


class Matching(Section):
    """One government's match of members' contributions: ``ratio`` baht per baht contributed,
    paid in the months before ``stop_month`` (every month when it is null)."""

    ratio: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0  # public figure: CODI welfare funds 1:1:1
    stop_month: Annotated[int, Field(ge=1)] | None = None


class Benefit(Section):
    """A benefit the welfare fund pays: each member household claims ``amount_thb`` with
    probability ``rate`` a month (one claim a month at most, of any kind)."""

    rate: Share
    amount_thb: Baht


class WelfareBenefits(Section):
    """Source 002 names birth, illness, death and old age; rates and amounts are assumptions
    (about 3 persons a household; see docs/ODD.md, Part II)."""

    birth: Benefit = Benefit(rate=0.0025, amount_thb=1_000.0)
    illness: Benefit = Benefit(rate=0.025, amount_thb=600.0)
    death: Benefit = Benefit(rate=0.002, amount_thb=10_000.0)
    old_age: Benefit = Benefit(rate=0.05, amount_thb=500.0)

    @model_validator(mode="after")
    def _one_claim_a_month(self) -> WelfareBenefits:
        total = self.birth.rate + self.illness.rate + self.death.rate + self.old_age.rate
        if total > 1 + 1e-9:
            raise ValueError(f"the rates sum to {total:.3g}; a member claims at most once a "
                             "month, so they must sum to at most 1")
        return self


class WelfareJoining(Section):
    """Households join with ``join_rate`` · σ(intercept + peers + trust + giving) · room a month
    and leave with ``leave_rate`` plus ``lapse_rate`` as their interest wanes, or when they
    cannot pay (docs/ODD.md, 7.F1). All assumptions."""

    join_rate: Share = 0.02
    intercept: Annotated[float, Field(ge=-20, le=20)] = -2.0
    peer_weight: Weight = 3.0
    trust_weight: Weight = 2.0
    giving_weight: Weight = 2.0
    leave_rate: Share = 0.005
    # bounds: room falls as the fund nears its capacity (null: no bound); a member's interest
    # halves every ``interest_half_life_months`` without a benefit in its household
    capacity_share: Share | None = 0.6
    interest_half_life_months: Annotated[float, Field(gt=0, le=1200)] = 24.0
    lapse_rate: Share = 0.02


class WelfareFund(Section):
    """Source 002: a community welfare fund, members paying 1 baht a day, matched by local and
    national government (public figure: CODI welfare funds)."""

    initial_balance_thb: Baht = 0.0
    initial_member_share: Share = 0.3  # public figure: about 300 members a fund
    contribution_thb_per_day: Baht = 1.0  # public figure: CODI welfare funds, 1 baht a day
    local_match: Matching = Matching()
    national_match: Matching = Matching()
    admin_share: Annotated[float, Field(ge=0.0, le=0.2)] = 0.1  # public figure: at most 20%
    waiting_months: Annotated[int, Field(ge=0, le=120)] = 6
    benefits: WelfareBenefits = WelfareBenefits()
    # claims that vary: a member household in hardship claims illness and old age this many
    # times as often (assumption: the poor fall ill more often and rely on the allowance); less
    # if the rates would then sum to more than 1 (one claim a month at most)
    hardship_claim_factor: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0
    joining: WelfareJoining = WelfareJoining()


class Withdrawals(Section):
    """Savers in need take part of their deposits back (docs/ODD.md, 7.F5). Assumptions."""

    share: Share = 0.5  # of its deposits a saver in need may take out at a time
    notice_months: Annotated[int, Field(ge=0, le=24)] = 1  # months between asking and being paid


class SavingsGroup(Section):
    """Source 002: a savings group with a revolving loan fund run like a Village Fund (public
    figure: Village Fund). Rates, terms and hazards are assumptions."""

    member_share: Share = 0.3  # public figure: Village Fund, about 30% of households reached
    initial_balance_thb_per_1000_households: Baht = 1_000_000.0  # public figure: ~1 million a fund
    monthly_saving_thb: Baht = 100.0
    loan_cap_thb: Baht = 20_000.0  # public figure: Village Fund loans capped near 20,000 baht
    household_loan_thb: Baht = 20_000.0
    household_loan_rate: Share = 0.05
    enterprise_loan_rate: Share = 0.1
    enterprise_loan_thb: Baht = 20_000.0
    food_loans: bool = True
    food_loan_months: Annotated[float, Field(gt=0.0, le=12.0)] = 2.0
    interest_rate_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = 0.06
    term_months: Annotated[int, Field(ge=1, le=120)] = 12
    miss_rate: Share = 0.01
    miss_rate_hardship: Share = 0.2
    write_off_months: Annotated[int, Field(ge=1, le=1200)] = 6
    share_out_share: Share = 0.7
    share_out_every_months: Annotated[int, Field(ge=1, le=120)] = 12
    withdrawals: Withdrawals | None = Withdrawals()  # null: deposits are locked (the v2 rule)
    # loan demand (docs/ODD.md, 7.F6): the elasticity of household-loan asks to the interest rate
    # at the reference rate (public figure: credit demand elasticity), and how much more often a
    # member with savings below the hardship buffer asks (assumption)
    rate_elasticity: Annotated[float, Field(ge=0.0, le=10.0)] = 0.8
    reference_rate_per_year: Annotated[float, Field(gt=0.0, le=1.0)] = 0.06
    need_weight: Weight = 1.0

    @field_validator("household_loan_thb", "enterprise_loan_thb")
    @classmethod
    def _within_cap(cls, value: float, info: ValidationInfo) -> float:
        cap = info.data.get("loan_cap_thb")
        if cap is not None and value > cap:
            raise ValueError(f"must not exceed loan_cap_thb ({cap:g})")
        return value


class Funds(Section):
    vulnerable: VulnerableFund = VulnerableFund()
    welfare: WelfareFund | None = None  # off unless the scenario has one (docs/ODD.md, Part II)
    savings_group: SavingsGroup | None = None


class Shock(Section):
    kind: Literal["covid19", "disaster", "price"] = "covid19"
    start: Month = 2
    duration: Annotated[int, Field(ge=1)] = 12
    households_hit: Share = 0.4
    income_loss: Share = 0.5
    demand_drop: Share = 0.3
    cost_increase: Annotated[float, Field(ge=0, le=10)] = 0.0


# --- what interventions cost the funder (docs/sources.md, "Costs of interventions") ---------
# Costs are paid from outside the community and never enter its money; only what an
# intervention itself moves (a matching grant's amount) does, through the ledger as before.

MATCHING_ADMIN_SHARE = 0.2  # public figure: CODI funds' administration, at most 20%


class Costed(Section):
    """What an intervention costs its funder: ``cost_thb`` once, in its month, and
    ``cost_thb_per_month`` each month while it lasts. Only a market channel lasts (it stays open
    to the end of the run); every other kind happens once, so its cost is all ``cost_thb``."""

    cost_thb: Baht = 0.0
    cost_thb_per_month: Baht = 0.0
    lasts: ClassVar[bool] = False

    @property
    def cost_once_thb(self) -> float:
        """What the funder pays in the intervention's month."""
        return self.cost_thb  # type: ignore[return-value]

    @model_validator(mode="after")
    def _running_cost_needs_duration(self) -> Costed:
        if self.cost_thb_per_month > 0 and not self.lasts:
            raise ValueError(
                f"cost_thb_per_month: a {getattr(self, 'kind', 'one-off')} intervention happens "
                "once, so give its whole cost as cost_thb (only a market_channel lasts)")
        return self


class Training(Costed):
    """Members learn: each member's skill closes ``skill_gain`` of its gap to 1 (source 002)."""

    kind: Literal["training"]
    month: Month
    skill_gain: Share = 0.1
    cost_thb: Baht = 30_000.0  # assumption: 15 trainees x 2 days x THB 1,000 a trainee-day


class MarketChannel(OutsidePool, Costed):
    """A channel or platform opened to every active enterprise: one more pool of outside buyers,
    open from its month to the end of the run."""

    kind: Literal["market_channel"]
    month: Month
    name: str = "channel"
    cost_thb: Baht = 10_000.0  # assumption: setting up listings, packaging and delivery
    cost_thb_per_month: Baht = 2_000.0  # assumption: a part-time coordinator's share, fees
    lasts: ClassVar[bool] = True


class MatchingGrant(Costed):
    """Outside money into the fund; its cost is the amount plus administration (20%, the CODI
    cap, unless ``cost_thb`` says otherwise)."""

    kind: Literal["matching_grant"]
    month: Month
    amount_thb: Baht = 2_000.0
    fund: Literal["vulnerable"] = "vulnerable"

    cost_thb: Baht | None = None  # None: amount_thb x (1 + MATCHING_ADMIN_SHARE)

    @property
    def cost_once_thb(self) -> float:
        """Unset, the cost follows the amount, also when a sweep changes the amount."""
        if self.cost_thb is None:
            return self.amount_thb * (1 + MATCHING_ADMIN_SHARE)
        return self.cost_thb


class Bridging(Costed):
    kind: Literal["bridging"]
    month: Month
    participants: Share = 0.1
    ties_per_participant: Annotated[int, Field(ge=1, le=50)] = 1
    cost_thb: Baht = 10_000.0  # assumption: two joint activity days at THB 5,000 each


class RemoveHub(Costed):
    """The network's hub leaves for good (a university project ends, a cooperative fails): a test
    of the network's resilience (model.md, "Networks of enterprises and partners")."""

    kind: Literal["remove_hub"]
    month: Month


Intervention = Annotated[
    Training | MarketChannel | MatchingGrant | Bridging | RemoveHub, Field(discriminator="kind")
]


# --- networks of enterprises and partners (sources 001, 003, 004; docs/ODD.md, Part III) -------


class FormationMode(Section):
    """How a network forms and holds together. Source 001 gives only the ordering of its three
    modes (natural: slow to form, most stable; state: quick and large, loose, often discontinued
    when support stops; evolutionary: grows step by step, then as durable as natural); every
    magnitude here is an assumption to sweep."""

    start_share: Share = 0.3
    joining_rate: Share = 0.03
    dissolution_rate: Share = 0.005
    mature_dissolution_rate: Share | None = None  # unset: the same as dissolution_rate
    maturity_months: Annotated[float, Field(gt=0, le=600)] = 12.0
    support_dependence: Annotated[float, Field(ge=0, le=100)] = 1.0


class FormationModes(Section):
    natural: FormationMode = FormationMode(start_share=0.3, joining_rate=0.03,
                                           dissolution_rate=0.005)
    state: FormationMode = FormationMode(start_share=1.0, joining_rate=0.01,
                                         dissolution_rate=0.02, support_dependence=4.0)
    evolutionary: FormationMode = FormationMode(start_share=0.1, joining_rate=0.06,
                                                dissolution_rate=0.04,
                                                mature_dissolution_rate=0.005,
                                                maturity_months=12.0)


class Hub(Section):
    """A hub's outside buyers (source 003's university shop, source 004's cooperative): one pool
    for every enterprise tied to it, buying at the enterprise's price plus a fair-price premium."""

    buyers_per_1000_households: Annotated[float, Field(ge=0, le=100_000)] = 50.0
    buy_rate: Share = 0.3
    units_per_buyer: Annotated[float, Field(ge=0, le=100)] = 2.0
    fair_price_premium: Annotated[float, Field(ge=0, le=5)] = 0.1


class PartnerOrganisation(Section):
    """A partner outside the community's households (source 003: government, private sector,
    academia, civil society)."""

    name: str
    sector: Literal["government", "private", "academic", "civil_society"]
    capability: Share | None = None  # know-how it passes to tied enterprises (advisers)
    joint_purchasing: bool = False  # buys inputs with tied enterprises (source 004)
    hub: Hub | None = None


class Partners(Section):
    """Enterprises and partner organisations tied in a shape (source 001), formed in a mode."""

    shape: Literal["star", "line", "circle", "y", "tree", "random", "scale_free"] = "star"
    formation: Literal["natural", "state", "evolutionary"] = "natural"
    modes: FormationModes = FormationModes()
    enterprises: list[str] | None = None  # names of the scenario's enterprises; unset: all
    organisations: list[PartnerOrganisation] = Field(default_factory=list)
    branching: Annotated[int, Field(ge=1, le=10)] = 2  # tree
    mean_degree: Annotated[float, Field(gt=0, le=20)] = 2.0  # random
    attachment: Annotated[int, Field(ge=1, le=10)] = 1  # scale_free
    spillover_rate: Share = 0.05
    channel_share: Share = 0.25
    purchasing_discount_per_tie: Share = 0.03
    purchasing_discount_max: Share = 0.15
    support_ends_month: Month | None = None


class Founding(Section):
    """Households found new enterprises during the run when the conditions hold
    (docs/ODD.md, Part III, "Founding"); every threshold is an assumption."""

    monthly_rate: Share = 0.1
    min_free_leaders: Annotated[int, Field(ge=0)] = 3
    leaders_per_enterprise: Annotated[int, Field(ge=0)] = 5
    founders: Annotated[int, Field(ge=1)] = 10
    min_members_to_be: Annotated[int, Field(ge=0)] = 5
    min_outgroup_trust: Share = 0.0
    min_buyers_per_1000_households: Annotated[float, Field(ge=0, le=1000)] = 50.0
    max_active_per_1000_households: Annotated[float, Field(gt=0)] = 5.0
    template: Enterprise = Enterprise(name="founded")


class Scenario(Section):
    name: str = "scenario"
    description: str = ""
    months: Annotated[int, Field(ge=1, le=1200)] = 36
    households: Households = Households()
    network: Network = Network()
    market: Market = Market()
    allocation: Allocation = Allocation()
    enterprises: list[Enterprise] = Field(default_factory=lambda: [Enterprise()])
    funds: Funds = Funds()
    shocks: list[Shock] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    partners: Partners | None = None  # unset: no network of enterprises and partners
    founding: Founding | None = None  # unset: no enterprise is founded during the run

    @model_validator(mode="after")
    def _network_feasible(self) -> Scenario:
        n_new = round(self.households.count * self.households.newcomer_share)
        n_orig = self.households.count - n_new
        if self.network.kind == "two_group":
            highest = max(self.network.block_probabilities(n_orig, n_new))
            if highest > 1:
                raise ValueError(
                    f"network.mean_degree = {self.network.mean_degree} is too dense for "
                    f"{self.households.count} households at homophily {self.network.homophily}"
                    " (a tie probability would exceed 1)"
                )
        elif self.network.mean_degree >= self.households.count - 1:
            raise ValueError("network.mean_degree must be below households.count - 1")
        names = [e.name for e in self.enterprises]
        if len(set(names)) != len(names):
            raise ValueError(f"enterprise names must be unique, got {names}")
        return self

    @model_validator(mode="after")
    def _partners_fit(self) -> Scenario:
        """A network needs at least 3 units (source 001) among names the scenario knows, and
        one hub at most."""
        partners, names = self.partners, [e.name for e in self.enterprises]
        if partners is None:
            if any(isinstance(i, RemoveHub) for i in self.interventions):
                raise ValueError("interventions: remove_hub needs a partners section")
            return self
        unknown = [n for n in partners.enterprises or [] if n not in names]
        if unknown:
            raise ValueError(f"partners.enterprises: {unknown} not among the enterprises {names}")
        units = (names if partners.enterprises is None else partners.enterprises) + [
            o.name for o in partners.organisations]
        if len(set(units)) != len(units):
            raise ValueError(f"partners: names of enterprises and organisations must be unique, "
                             f"got {units}")
        if len(units) < 3:
            raise ValueError(f"partners: a network needs at least 3 units (source 001), got "
                             f"{len(units)}")
        hubs = [o.name for o in partners.organisations if o.hub is not None]
        if len(hubs) > 1:
            raise ValueError(f"partners.organisations: at most one organisation may be the hub, "
                             f"got {hubs}")
        return self

    def allocation_for(self, enterprise: Enterprise) -> Allocation:
        return enterprise.allocation or self.allocation

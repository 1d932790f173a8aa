"""The page's knobs (sliders and switches) and how they change a scenario.

The knobs are a small, flat set a class can follow; each maps to fields of the scenario, so that
a run on the page is the same run as ``se-sim run`` with the matching ``--set`` overrides.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from se_sim.app.labels import Language, text
from se_sim.scenario import Scenario, build_scenario
from se_sim.scenario.schema import Shock

INTERVENTION_KINDS = ("training", "market_channel", "matching_grant", "bridging")
# When the scenario has no intervention of a kind, switching it on adds one in this month:
# after the first months of COVID-19 in the Bang Sao Thong case, so that its effect can be seen.
DEFAULT_INTERVENTION_MONTH = 6


@dataclass(frozen=True)
class Settings:
    profit_share: float
    mean_degree: float
    homophily: float
    newcomer_share: float
    shock: bool
    shock_month: int
    training: bool
    market_channel: bool
    matching_grant: bool
    bridging: bool
    intervention_month: int

    @classmethod
    def of(cls, scenario: Scenario) -> Settings:
        """The knobs as the scenario file sets them (the page's starting values)."""
        kinds = {i.kind for i in scenario.interventions}
        months = [i.month for i in scenario.interventions]
        return cls(
            profit_share=scenario.allocation.fund_share,
            mean_degree=scenario.network.mean_degree,
            homophily=scenario.network.homophily,
            newcomer_share=scenario.households.newcomer_share,
            shock=bool(scenario.shocks),
            shock_month=scenario.shocks[0].start if scenario.shocks else Shock().start,
            intervention_month=min(months, default=DEFAULT_INTERVENTION_MONTH),
            **{kind: kind in kinds for kind in INTERVENTION_KINDS},
        )

    def overrides(self, scenario: Scenario) -> dict[str, Any]:
        """``--set``-style overrides that give ``scenario`` these knobs.

        The shock switch keeps or removes all of the scenario's shocks, and the shock month moves
        them together (the first starts then); a scenario without shocks gets a COVID-19 shock
        with the schema's defaults. An intervention switch keeps the scenario's own interventions
        of that kind, or adds one at ``intervention_month``.
        """
        shocks: list[dict[str, Any]] = []
        if self.shock:
            own = [s.model_dump(mode="json") for s in scenario.shocks]
            own = own or [Shock(kind="covid19", start=self.shock_month).model_dump(mode="json")]
            offset = self.shock_month - own[0]["start"]
            shocks = [{**s, "start": max(0, s["start"] + offset)} for s in own]
        interventions: list[dict[str, Any]] = []
        for kind in INTERVENTION_KINDS:
            if getattr(self, kind):
                own = [i.model_dump(mode="json") for i in scenario.interventions if i.kind == kind]
                interventions += own or [{"kind": kind, "month": self.intervention_month}]
        return {
            "allocation.fund_share": self.profit_share,
            "network.mean_degree": self.mean_degree,
            "network.homophily": self.homophily,
            "households.newcomer_share": self.newcomer_share,
            "shocks": shocks,
            "interventions": interventions,
        }

    def apply(self, scenario: Scenario, source: str) -> Scenario:
        """The scenario with these knobs; an InputError names the knob's field if invalid."""
        return build_scenario(scenario.model_dump(mode="json"), source, self.overrides(scenario))

    def changed(self, other: Settings) -> list[str]:
        """The names of the knobs that differ."""
        mine, theirs = asdict(self), asdict(other)
        return [name for name in mine if mine[name] != theirs[name]]


def describe_settings(settings: Settings, shock_kind: str, language: Language,
                      names: list[str] | None = None) -> str:
    """The knobs as a reader sees them ("COVID-19 shock: on, ..."); by default all that matter:
    a month knob only while its switch is on."""
    if names is None:
        interventions = any(getattr(settings, kind) for kind in INTERVENTION_KINDS)
        names = [f.name for f in fields(settings)
                 if (f.name != "shock_month" or settings.shock)
                 and (f.name != "intervention_month" or interventions)]
    parts = []
    for name in names:
        value = getattr(settings, name)
        label = text(f"shock.{shock_kind}" if name == "shock" else name, language)
        if isinstance(value, bool):
            value = text("on" if value else "off", language)
        parts.append(f"{label}: {value:g}" if isinstance(value, float) else f"{label}: {value}")
    return ", ".join(parts)


def difference(earlier: Settings, now: Settings, shock_kind: str, language: Language) -> str:
    """The earlier knobs where they differ from now; empty if only the scenario file differs."""
    changed = earlier.changed(now)
    return describe_settings(earlier, shock_kind, language, changed) if changed else ""


def parse_seed(value: object) -> int:
    """A seed from the page, where a typed seed arrives as text: a whole number of 0 or more."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = value if isinstance(value, int) else int(str(value).strip())  # "1.5", "" fail
    if number < 0:
        raise ValueError(value)
    return number


def profit_share_max(scenario: Scenario) -> float:
    """The largest fund share the scenario's allocation allows (reserve + fund + members <= 1)."""
    allocation = scenario.allocation
    return round(1.0 - allocation.reserve_share - allocation.member_share, 6)

"""Class mode's shared state: the join code, the groups, their choices and the round's results.

Every browser session of the page (the teacher's and each group's) reads and changes one board;
it lives on the server, outside Solara, so that its rules can be tested without a browser, and it
is written to a JSON file after every change so that a restarted server keeps the round.

A group proves who it is with a private token issued when it joins (kept in its browser
session): a group cannot change another's choice. No names of people are asked for, only a
group name. The join code is drawn from the operating system's randomness (or a given
``random.Random`` in tests); it is not a simulation draw and touches no run's seed.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from se_sim.app.ensemble import run_ensemble
from se_sim.app.settings import INTERVENTION_KINDS, Settings
from se_sim.scenario import Scenario, build_scenario

POLICIES = (*INTERVENTION_KINDS, "none")
CODE_DIGITS = 4
MAX_NAME = 30


@dataclass(frozen=True)
class Outcome:
    """One of the board's measures: the summary column, and whether more is better."""

    key: str  # label key and summary column
    column: str
    higher_is_better: bool


OUTCOMES = (
    Outcome("people_helped", "fund_unique_beneficiaries", True),
    Outcome("food_insecure_worst", "food_insecure_worst", False),
    Outcome("fund_balance_end", "fund_balance_end_thb", True),
    Outcome("poorest_income", "disposable_income_poorest_fifth_thb", True),
    Outcome("trust_end", "outgroup_trust_end", True),
)


class BoardError(Exception):
    """A refused action; ``key`` is the label the page shows (see labels.py)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass
class Group:
    name: str
    token: str
    policy: str = "none"
    profit_share: float | None = None  # None until the group chooses
    chosen: bool = False


@dataclass
class Result:
    """A group's runs: each outcome's 5%, 50% and 95% over runs, and the runs themselves."""

    policy: str
    profit_share: float
    quantiles: dict[str, list[float]]
    runs: list[dict[str, float]]


@dataclass
class BoardState:
    code: str
    round: int = 1
    locked: bool = False
    revealed: bool = False
    seed: int = 0
    groups: dict[str, Group] = field(default_factory=dict)  # by group name
    results: dict[str, Result] = field(default_factory=dict)  # by group name


def new_code(rng: random.Random | None = None) -> str:
    digits = [str((rng or secrets.SystemRandom()).randrange(10)) for _ in range(CODE_DIGITS)]
    return "".join(digits)


class ClassBoard:
    """The board, its rules, and its file. Methods are safe to call from several sessions."""

    def __init__(self, path: Path, rng: random.Random | None = None):
        self.path = Path(path)
        self._rng = rng
        self._lock = threading.Lock()
        self.version = 0  # bumped on every change, so pages know when to redraw
        self.state = self._load() or BoardState(code=new_code(rng))
        self._save()

    # --- groups -----------------------------------------------------------------------------
    def join(self, code: str, name: str) -> str:
        """A new group's private token; a wrong code, an empty or taken name is refused."""
        name = " ".join(str(name).split())[:MAX_NAME]
        with self._lock:
            if str(code).strip() != self.state.code:
                raise BoardError("class.bad_code")
            if not name:
                raise BoardError("class.no_name")
            if name in self.state.groups:
                raise BoardError("class.name_taken")
            token = secrets.token_urlsafe(16)
            self.state.groups[name] = Group(name, token)
            self._changed()
            return token

    def group_of(self, token: str) -> Group:
        found = next((g for g in self.state.groups.values()
                      if token and secrets.compare_digest(g.token, token)), None)
        if found is None:
            raise BoardError("class.bad_token")
        return found

    def choose(self, token: str, policy: str, profit_share: float) -> None:
        """Set the choice of the group that holds ``token`` (and of no other)."""
        if policy not in POLICIES:
            raise BoardError("class.bad_policy")
        with self._lock:
            group = self.group_of(token)
            if self.state.locked:
                raise BoardError("class.locked")
            group.policy, group.profit_share, group.chosen = policy, float(profit_share), True
            self._changed()

    # --- the teacher ------------------------------------------------------------------------
    def lock(self, locked: bool = True) -> None:
        with self._lock:
            self.state.locked = locked
            self._changed()

    def reveal(self, revealed: bool = True) -> None:
        with self._lock:
            self.state.revealed = revealed
            self._changed()

    def reset(self) -> None:
        """A new round: the groups stay joined; choices, results, lock and reveal are cleared."""
        with self._lock:
            self.state.round += 1
            self.state.locked = self.state.revealed = False
            self.state.results = {}
            for group in self.state.groups.values():
                group.policy, group.chosen = "none", False
            self._changed()

    def seeds(self, runs: int) -> tuple[int, ...]:
        """The seeds every group's ensemble uses: common random numbers, so that the groups'
        differences come from their choices and not from luck."""
        return tuple(range(self.state.seed, self.state.seed + runs))

    def record(self, name: str, result: Result) -> None:
        with self._lock:
            self.state.results[name] = result
            self._changed()

    # --- storage ----------------------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self.state), indent=1), encoding="utf-8")
        temporary.replace(self.path)

    def _load(self) -> BoardState | None:
        if not self.path.exists():
            return None
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        groups = {name: Group(**g) for name, g in raw.pop("groups", {}).items()}
        results = {name: Result(**r) for name, r in raw.pop("results", {}).items()}
        return BoardState(**raw, groups=groups, results=results)


def choice_settings(base: Settings, policy: str, profit_share: float) -> Settings:
    """The lesson's question: under COVID-19, one policy (or none) and a profit share."""
    return replace(base, shock=True, profit_share=profit_share,
                   **{kind: kind == policy for kind in INTERVENTION_KINDS})


def run_group(board: ClassBoard, group: Group, base: Scenario, source: str, runs: int,
              extra: dict[str, object] | None = None,
              progress: Callable[[int], None] = lambda done: None) -> Result:
    """Run a group's choice on the board's common seeds and keep each outcome's band."""
    start = Settings.of(base)
    share = start.profit_share if group.profit_share is None else group.profit_share
    settings = choice_settings(start, group.policy, share)
    scenario = build_scenario(base.model_dump(mode="json"), source,
                              {**settings.overrides(base), **(extra or {})})
    ensemble = run_ensemble(scenario, settings, board.seeds(runs), (), progress)
    # Runs finish in any order: sorted by seed, a group's runs line up with every other's.
    rows = sorted(({"seed": float(s.get("seed", 0)),
                    **{o.key: float(s.get(o.column, np.nan)) for o in OUTCOMES}}
                   for s in ensemble.summaries), key=lambda row: row["seed"])
    quantiles = {o.key: [float(q) for q in np.nanquantile([r[o.key] for r in rows],
                                                           [0.05, 0.5, 0.95])]
                 for o in OUTCOMES if rows}
    return Result(group.policy, share, quantiles, rows)


def ranking(results: dict[str, Result], outcome: Outcome) -> list[str]:
    """Group names, best first by the median of ``outcome``."""
    named = [(name, r.quantiles[outcome.key][1]) for name, r in results.items()
             if outcome.key in r.quantiles and not np.isnan(r.quantiles[outcome.key][1])]
    return [name for name, _ in sorted(named, key=lambda item: item[1],
                                       reverse=outcome.higher_is_better)]


def runs_table(results: dict[str, Result]) -> list[dict[str, object]]:
    """Every run of every group, one row each (for the CSV download)."""
    return [{"group": name, "policy": r.policy, "profit_share": r.profit_share, **row}
            for name, r in results.items() for row in r.runs]


def chosen_groups(groups: Iterable[Group]) -> list[Group]:
    return [g for g in groups if g.chosen]

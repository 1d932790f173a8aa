"""Experiment files: what to run (a scenario or any Mesa model), over which design, how often.

An experiment is read in two passes so that errors point at the right place: first the design's
``kind`` picks the design schema, then the whole file is validated against ``Experiment[Design]``,
which lets a typo anywhere (also inside ``design``) be answered with the closest valid key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)

from se_sim.scenario.errors import (
    InputError,
    describe_validation_error,
    did_you_mean,
    read_yaml,
)
from se_sim.scenario.schema import Scenario, Section

DEFAULT_REPORT = "fund_inflow_total_thb"


class Levels(Section):
    """A grid field's values: listed, or from ``start`` to ``stop`` (inclusive) ``num`` of them
    or ``step`` apart, or ``named`` (name: value; the runs table and the report show the name,
    so a level that is a whole list, e.g. no interventions, reads "kept" rather than ``[]``).
    A bare list or value in the file means ``values``."""

    values: Annotated[list[Any], Field(min_length=1)] | None = None
    named: Annotated[dict[str, Any], Field(min_length=1)] | None = None
    start: float | None = None
    stop: float | None = None
    num: Annotated[int, Field(ge=1)] | None = None
    step: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Levels:
        spacing = [v for v in (self.num, self.step) if v is not None]
        if self.named is not None:
            if self.values is not None or self.start is not None or self.stop is not None \
                    or spacing:
                raise ValueError("give named levels alone, without values, start, stop, num or "
                                 "step")
        elif self.values is not None:
            if self.start is not None or self.stop is not None or spacing:
                raise ValueError("give either values or start/stop with num or step, not both")
        elif self.start is None or self.stop is None or len(spacing) != 1:
            raise ValueError("give a list of values, or start and stop with either num or step")
        elif self.stop < self.start:
            raise ValueError("stop must not be below start")
        return self


def _as_levels(value: Any) -> Any:
    """In the file, ``[0.3, 0.8]`` or ``0.3`` stands for ``{values: [...]}``."""
    if isinstance(value, dict):
        return value
    return {"values": value if isinstance(value, list) else [value]}


def _ordered(bounds: tuple[float, float]) -> tuple[float, float]:
    if not bounds[0] < bounds[1]:
        raise ValueError("lower bound must be below upper bound")
    return bounds


Bounds = Annotated[tuple[float, float], AfterValidator(_ordered)]
Sweep = Annotated[Levels, BeforeValidator(_as_levels)]
FieldPath = Annotated[str, Field(min_length=1)]


class Grid(Section):
    """Full factorial over each field's values."""

    kind: Literal["grid"]
    fields: Annotated[dict[FieldPath, Sweep], Field(min_length=1)]


class Points(Section):
    """An explicit list of design points, each a mapping of field path to value."""

    kind: Literal["points"]
    points: Annotated[list[dict[FieldPath, Any]], Field(min_length=1)]


class Variants(Section):
    """Named sets of overrides (e.g. baseline, training); a variant may replace a whole list."""

    kind: Literal["variants"]
    variants: Annotated[dict[FieldPath, dict[FieldPath, Any]], Field(min_length=1)]


class Lhs(Section):
    """Latin hypercube sample of ``samples`` points within ``bounds``."""

    kind: Literal["lhs"]
    bounds: Annotated[dict[FieldPath, Bounds], Field(min_length=1)]
    samples: Annotated[int, Field(ge=1)]


def _power_of_two(n: int) -> int:
    if n & (n - 1):
        raise ValueError(f"must be a power of 2 for Sobol' balance, e.g. {1 << n.bit_length()}")
    return n


class Sobol(Section):
    """Saltelli's scheme: ``samples`` * (2D + 2) points (D + 2 without second-order indices)."""

    kind: Literal["sobol"]
    bounds: Annotated[dict[FieldPath, Bounds], Field(min_length=1)]
    samples: Annotated[int, Field(ge=1), AfterValidator(_power_of_two)]
    second_order: bool = True


class Morris(Section):
    """Elementary-effects trajectories: ``trajectories`` * (D + 1) points."""

    kind: Literal["morris"]
    bounds: Annotated[dict[FieldPath, Bounds], Field(min_length=1)]
    trajectories: Annotated[int, Field(ge=2)]
    levels: Annotated[int, Field(ge=2, multiple_of=2)] = 4


DESIGNS: dict[str, type[Section]] = {
    "grid": Grid, "points": Points, "variants": Variants,
    "lhs": Lhs, "sobol": Sobol, "morris": Morris,
}


class Flush(Section):
    """How often finished runs are written: a part file every ``runs`` runs or ``seconds``."""

    runs: Annotated[int, Field(ge=1)] = 200
    seconds: Annotated[float, Field(gt=0)] = 60.0


def _tolerance(value: Any) -> float | str:
    """A positive number in the metric's units, or a positive share of the value such as '20%'."""
    number = value[:-1] if isinstance(value, str) and value.endswith("%") else value
    try:
        positive = not isinstance(number, bool) and float(number) > 0
    except (TypeError, ValueError):
        positive = False
    if not positive or (isinstance(value, str) and number is value):
        raise ValueError("give a positive number in the metric's units, or a share like '20%'")
    return value if isinstance(value, str) else float(value)


class Target(Section):
    """A pattern to reproduce: a summary metric's ``value``, the ``tolerance`` within which a run
    counts as hitting it (absolute, or '20%' of the value) and its ``weight`` in the distance."""

    value: float
    tolerance: Annotated[float | str, PlainValidator(_tolerance)]
    weight: Annotated[float, Field(ge=0)] = 1.0

    @model_validator(mode="after")
    def _relative_needs_a_value(self) -> Target:
        if isinstance(self.tolerance, str) and self.value == 0:
            raise ValueError("a relative tolerance needs a non-zero value; give it in units")
        return self

    @property
    def half_width(self) -> float:
        """The tolerance in the metric's units."""
        if isinstance(self.tolerance, str):
            return abs(self.value) * float(self.tolerance[:-1]) / 100
        return self.tolerance


class Acceptance(Section):
    """Which design points are accepted: the ``quantile`` share closest to the targets, or those
    ``within_tolerance`` of every weighted target."""

    quantile: Annotated[float, Field(gt=0, le=1)] | None = None
    within_tolerance: bool = False

    @model_validator(mode="after")
    def _one_rule(self) -> Acceptance:
        if (self.quantile is None) != self.within_tolerance:
            raise ValueError("give either quantile (e.g. 0.05) or within_tolerance: true")
        return self


REJECTION_ONLY = ("accept", "rounds", "margin")
SMC_ONLY = ("population", "generations", "distance")


class Calibration(Section):
    """How ``se-sim calibrate`` fits the design's bounds (uniform priors) to the targets:
    ``rejection`` ABC in rounds on the sweep runner, or ``smc``, pyabc's ABC-SMC; ``predictive``
    runs of posterior draws check the fit (``--validate``). An smc ``distance`` scales each
    target by the spread of its simulated values (``adaptive``) or by its own tolerance
    (``tolerance``: the posterior's centre is drawn toward what the sources call a fit)."""

    method: Literal["rejection", "smc"] = "rejection"
    accept: Acceptance = Acceptance(quantile=0.05)
    rounds: Annotated[int, Field(ge=1)] = 1
    margin: Annotated[float, Field(ge=0)] = 0.25
    population: Annotated[int, Field(ge=5)] = 100
    generations: Annotated[int, Field(ge=1)] = 4
    distance: Literal["adaptive", "tolerance"] = "adaptive"
    statistic: Literal["mean", "median"] = "mean"
    predictive: Annotated[int, Field(ge=1)] = 100

    @model_validator(mode="after")
    def _fields_of_the_method(self) -> Calibration:
        other = SMC_ONLY if self.method == "rejection" else REJECTION_ONLY
        fields = type(self).model_fields
        given = [name for name in other if getattr(self, name) != fields[name].default]
        if given:
            method = "smc" if self.method == "rejection" else "rejection"
            raise ValueError(f"{', '.join(given)}: used by method {method} only, and this "
                             f"calibration's method is {self.method}")
        return self


def _as_field_labels(value: Any) -> Any:
    """``{kept: "hub kept"}`` stands for ``{levels: {kept: "hub kept"}}``; level keys are read
    as text, so ``61: hub kept`` labels the level 61."""
    if isinstance(value, dict) and not set(value) <= {"name", "levels"}:
        value = {"levels": value}
    if isinstance(value, dict) and isinstance(value.get("levels"), dict):
        value = {**value, "levels": {str(k): v for k, v in value["levels"].items()}}
    return value


class FieldLabels(Section):
    """How a swept field reads on report pages: its ``name`` and its ``levels`` in words (the
    page shows "network centre: removed in month 30", not ``interventions.0.month=30``)."""

    name: str | None = None
    levels: dict[str, str] = Field(default_factory=dict)


def _not_reversed(bounds: tuple[float, float]) -> tuple[float, float]:
    if bounds[0] > bounds[1]:
        raise ValueError("lower bound must not be above upper bound")
    return bounds


class Uncertainty(Section):
    """What the data do not pin, drawn ``draws`` times and crossed with the policy design: each
    draw sets every path of ``bounds`` (a Latin hypercube) and/or the parameters of one accepted
    set of ``posterior`` (a CSV written by ``se-sim calibrate``, relative to the experiment file,
    rows drawn with replacement, by its ``weight`` column if it has one). See runner/uncertainty.py.
    """

    draws: Annotated[int, Field(ge=1)]
    bounds: dict[FieldPath, Annotated[tuple[float, float], AfterValidator(_not_reversed)]] = (
        Field(default_factory=dict))
    posterior: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _something_to_draw(self) -> Uncertainty:
        if not self.bounds and self.posterior is None:
            raise ValueError("give bounds (PATH: [low, high]) and/or posterior (a CSV of "
                             "accepted parameter sets from se-sim calibrate)")
        return self


class Experiment[D: Section](Section):
    """One experiment: a design of points, each run ``replicates`` times with spawned seeds."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenario: str | None = None
    overrides: dict[FieldPath, Any] = Field(default_factory=dict)
    model: Annotated[str, Field(pattern=r"^[\w.]+:\w+$")] | None = None
    scenario_class: Annotated[str, Field(pattern=r"^([\w.]+:)?\w+$")] | None = None
    parameters: dict[FieldPath, Any] = Field(default_factory=dict)
    steps: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] = 0
    replicates: Annotated[int, Field(ge=1)] = 1
    common_random_numbers: bool = False
    design: D
    keep_steps: Literal["all", "none"] | list[str] = "all"
    report: str | Annotated[list[str], Field(min_length=1)] | None = None
    flush: Flush = Flush()
    run_timeout_s: Annotated[float, Field(gt=0)] | None = None
    run_memory_mb: Annotated[float, Field(gt=0)] | None = None
    max_runs_per_worker: Annotated[int, Field(ge=1)] | None = None
    targets: dict[FieldPath, Target] = Field(default_factory=dict)
    calibration: Calibration = Calibration()
    labels: dict[FieldPath, Annotated[FieldLabels, BeforeValidator(_as_field_labels)]] = Field(
        default_factory=dict)
    baseline: str | dict[FieldPath, Any] | None = None  # a variant, or a grid cell's levels
    uncertainty: Uncertainty | None = None
    objectives: dict[FieldPath, Literal["max", "min"]] = Field(default_factory=dict)

    @property
    def report_metrics(self) -> list[str | None]:
        """The summary metrics printed after a sweep: ``report:``, else the case's fund inflow
        in scenario mode; None stands for a Mesa model's first summary metric."""
        if isinstance(self.report, list):
            return list(self.report)
        return [self.report or (DEFAULT_REPORT if self.scenario is not None else None)]

    def identity(self) -> dict[str, Any]:
        """Everything that decides the results of finished runs; ``report``, ``flush``, the time
        and memory limits, how often workers are replaced, text, how runs are scored against
        targets, and the objectives, labels and baseline a report reads may change freely (a
        resume with a longer limit retries timed-out runs; a calibration reuses a sweep's
        folder)."""
        return self.model_dump(mode="json", exclude_none=True,
                               exclude={"description", "report", "flush", "run_timeout_s",
                                        "run_memory_mb", "max_runs_per_worker", "targets",
                                        "calibration", "objectives", "labels", "baseline"})


@dataclass(frozen=True)
class ExperimentFile:
    """A validated experiment with the file it came from and, in scenario mode, its scenario."""

    path: Path
    given: dict[str, Any]
    spec: Experiment[Any]
    scenario_path: Path | None
    scenario_raw: dict[str, Any] | None

    @property
    def sha256(self) -> str:
        """The experiment's identity, with the posterior file's content when it draws from one
        (its rows decide the runs as much as the experiment's own keys do)."""
        identity = self.spec.identity()
        if self.posterior_path is not None and self.posterior_path.is_file():
            identity["uncertainty"]["posterior_sha256"] = file_sha256(self.posterior_path)
        return sha256_json(identity)

    @property
    def posterior_path(self) -> Path | None:
        """The posterior CSV of ``uncertainty:``, resolved against the experiment's folder."""
        uncertainty = self.spec.uncertainty
        if uncertainty is None or uncertainty.posterior is None:
            return None
        return (self.path.parent / uncertainty.posterior).resolve()

    @property
    def scenario_sha256(self) -> str | None:
        return file_sha256(self.scenario_path) if self.scenario_path else None


def sha256_json(data: Any) -> str:
    """Hash of canonical JSON, so key order and YAML formatting do not change identity."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_experiment(path: str | Path) -> ExperimentFile:
    """Read and validate an experiment file; every problem becomes one readable InputError line."""
    path = Path(path)
    given = read_yaml(path)
    if file_kind(given) == "scenario":
        raise InputError([f"{path}: this is a scenario file, not an experiment: run it with "
                          f"`se-sim run {path}`, or sweep it from an experiment file that names it "
                          "(scenario: ...; see docs/sweeps.md)"])
    spec = _validate(given, path)
    _check_mode(spec, str(path))
    _check_labels(spec, str(path))
    scenario_path = None
    scenario_raw = None
    if spec.scenario is not None:
        scenario_path = (path.parent / spec.scenario).resolve()
        if not scenario_path.is_file():
            raise InputError(
                [f"{path}: scenario = {spec.scenario!r}: no such file ({scenario_path})"]
            )
        scenario_raw = read_yaml(scenario_path)
    return ExperimentFile(path, given, spec, scenario_path, scenario_raw)


def file_kind(data: dict[str, Any]) -> Literal["scenario", "experiment"] | None:
    """Which kind of file a YAML mapping is, from keys only one kind has (None if unclear)."""
    experiment = set(data) & (set(Experiment.model_fields) - set(Scenario.model_fields))
    scenario = set(data) & (set(Scenario.model_fields) - set(Experiment.model_fields))
    if experiment and not scenario:
        return "experiment"
    if scenario and not experiment:
        return "scenario"
    return None


def _validate(given: dict[str, Any], path: Path) -> Experiment[Any]:
    design = given.get("design")
    kind = design.get("kind") if isinstance(design, dict) else None
    if not isinstance(kind, str) or kind not in DESIGNS:
        raise InputError([_bad_kind(str(path), design, kind)])
    schema = Experiment[DESIGNS[kind]]  # type: ignore[misc]
    try:
        return schema.model_validate({"name": path.stem, **given})
    except ValidationError as exc:
        raise describe_validation_error(str(path), exc, schema) from None


def _bad_kind(source: str, design: Any, kind: Any) -> str:
    allowed = ", ".join(DESIGNS)
    if not isinstance(design, dict):
        return f"{source}: design: missing or not a mapping; it needs a kind ({allowed})"
    hint = did_you_mean(str(kind), list(DESIGNS))
    return f"{source}: design.kind = {kind!r}: must be one of {allowed}{hint}"


def _check_mode(spec: Experiment[Any], source: str) -> None:
    """Scenario mode and Mesa-model mode take different keys; say which ones do not fit."""
    if (spec.scenario is None) == (spec.model is None):
        raise InputError([f"{source}: give exactly one of 'scenario' (a scenario file) or "
                          "'model' (package.module:ClassName)"])
    misplaced = {
        "parameters": (spec.scenario and spec.parameters, "use 'overrides' with a scenario"),
        "steps": (spec.scenario and spec.steps, "a scenario runs for its 'months'"),
        "overrides": (spec.model and spec.overrides, "use 'parameters' with a model"),
        "scenario_class": (spec.scenario and spec.scenario_class,
                           "it names the Mesa Scenario class of a 'model'"),
    }
    lines = [
        f"{source}: {key}: not used in this kind of experiment; {advice}"
        for key, (present, advice) in misplaced.items()
        if present
    ]
    if spec.model is not None and spec.steps is None:
        lines.append(f"{source}: steps: required with 'model' (how many steps to run)")
    if lines:
        raise InputError(lines)


def swept_fields(design: Section) -> list[str]:
    """The field paths a design varies (``variant`` for named variants)."""
    if isinstance(design, Grid):
        return list(design.fields)
    if isinstance(design, Points):
        return list(dict.fromkeys(k for point in design.points for k in point))
    if isinstance(design, Variants):
        return ["variant"]
    return list(getattr(design, "bounds", {}))


def _check_labels(spec: Experiment[Any], source: str) -> None:
    """Labels and a baseline name only what the design varies."""
    swept = swept_fields(spec.design)
    lines = [f"{source}: labels.{key}: not a field the design varies{did_you_mean(key, swept)} "
             f"(it varies: {', '.join(swept)})" for key in spec.labels if key not in swept]
    baseline = spec.baseline
    if isinstance(baseline, str) and not isinstance(spec.design, Variants):
        lines.append(f"{source}: baseline: a name picks a variant; for a {spec.design.kind} "
                     "design give the baseline's levels, e.g. {field: value}")
    elif isinstance(baseline, str) and baseline not in spec.design.variants:
        lines.append(f"{source}: baseline = {baseline!r}: not a variant"
                     f"{did_you_mean(baseline, list(spec.design.variants))}")
    elif isinstance(baseline, dict):
        if not isinstance(spec.design, Grid):
            lines.append(f"{source}: baseline: levels pick a cell of a grid design only")
        else:
            lines += [f"{source}: baseline.{key}: not a field of the grid"
                      f"{did_you_mean(key, swept)}" for key in baseline if key not in swept]
    if lines:
        raise InputError(lines)

"""One run, as shipped to a worker: what to build (the job), with which values and seed (the spec).

Everything here is picklable and small; a result carries plain dicts and numpy arrays rather than
DataFrames, because results cross process boundaries once per run.
"""

from __future__ import annotations

import functools
import gc
import importlib
import inspect
import os
import random
import sys
import time
import traceback
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario
from pydantic import BaseModel, TypeAdapter, ValidationError

from se_sim.runner.simulate import advance, quick_summary, simulate
from se_sim.scenario import InputError, Scenario, build_scenario
from se_sim.scenario.errors import did_you_mean

Keep = Literal["all", "none"] | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunSpec:
    run_id: int
    point_id: int
    replicate: int
    seed: int
    params: dict[str, Any]


@dataclass(slots=True)
class RunResult:
    """``steps`` maps column → values (the step index first); empty for failed runs."""

    run_id: int
    point_id: int
    replicate: int
    seed: int
    status: Literal["ok", "failed"]
    wall_time_s: float
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioJob:
    """Scenario mode: the scenario file's content plus the experiment's fixed overrides."""

    raw: dict[str, Any]
    source: str
    overrides: dict[str, Any]
    keep: Keep
    index_name: str = "month"

    def scenario(self, params: dict[str, Any], source: str | None = None) -> Scenario:
        return build_scenario(self.raw, source or self.source, {**self.overrides, **params})

    def build(self, params: dict[str, Any], seed: int) -> tuple[mesa.Model, int]:
        from se_sim.model import CommunityModel  # model-mode sweeps never load the community model

        scenario = self.scenario(params)
        reporters = None if self.keep == "all" else [] if self.keep == "none" else self.keep
        return CommunityModel(scenario, rng=seed, reporters=reporters), scenario.months

    def check(self, params: dict[str, Any], label: str) -> None:
        """Validate one design point in the main process, so workers never see bad input."""
        self.scenario(params, label)
        if isinstance(self.keep, tuple):
            from se_sim.model.metrics import MONTHLY

            valid = list(MONTHLY)
            lines = [f"{label}: keep_steps: {name!r} is not a monthly metric"
                     f"{did_you_mean(name, valid)} (valid: {', '.join(valid)})"
                     for name in self.keep if name not in MONTHLY]
            if lines:
                raise InputError(lines)

    def is_integer(self, path: str) -> bool:
        return _field_type(Scenario, path) is int

    def knows(self, path: str) -> bool:
        """Whether ``path`` names a field of the scenario schema (a posterior's column may)."""
        return _field_type(Scenario, path) is not None


@dataclass(frozen=True)
class ModelJob:
    """Any Mesa model stepped ``steps`` times: ``cls(**parameters, **point, rng=seed)``, or, for a
    model built from a Mesa Scenario, ``cls(scenario=S(rng=seed, **fields), **other_keywords)``.

    ``search_path`` holds the directory the class was imported from in the main process, so that
    worker processes (which may start with another ``sys.path``) import the same module.
    ``scenario_class`` names the Scenario class when the model's ``scenario`` parameter does not
    say (see ``Constructor``).
    """

    target: str
    parameters: dict[str, Any]
    steps: int
    keep: Keep
    search_path: tuple[str, ...] = ()
    index_name: str = "step"
    scenario_class: str | None = None

    def model_class(self) -> type[mesa.Model]:
        for entry in self.search_path:
            if entry not in sys.path:
                sys.path.insert(0, entry)
        module_name, _, class_name = self.target.partition(":")
        return getattr(importlib.import_module(module_name), class_name)

    def constructor(self) -> Constructor:
        return constructor_of(self.model_class(), self.scenario_class)

    def build(self, params: dict[str, Any], seed: int) -> tuple[mesa.Model, int]:
        _seed_global_generators(seed)
        return self.constructor().build({**self.parameters, **params}, seed), self.steps

    def check(self, params: dict[str, Any], label: str) -> None:
        lines = self.constructor().problems({**self.parameters, **params}, self.target)
        if lines:
            raise InputError([f"{label}: {line}" for line in lines])

    def is_integer(self, path: str) -> bool:
        return self.constructor().is_integer(path)

    def knows(self, path: str) -> bool:
        """Whether the model (or its Scenario class) takes a parameter of this name."""
        constructor = self.constructor()
        return path in constructor.fields or path in constructor.keywords


@dataclass(frozen=True)
class Constructor:
    """How the runner calls a model class, and which names it takes with which annotation.

    Keyword style (``scenario`` is None): the model takes ``rng=`` and keyword parameters.
    Scenario style: the model takes ``scenario=``, a subclass of Mesa's
    ``mesa.experimental.scenarios.Scenario`` whose annotated class attributes are its parameters
    and which carries the seed (Mesa's Model seeds ``rng`` and ``random`` from ``scenario.rng``).
    A name that is a Scenario field goes to the Scenario, any other to the constructor.
    """

    model: type
    scenario: type[MesaScenario] | None
    fields: dict[str, inspect.Parameter]
    keywords: dict[str, inspect.Parameter]
    any_keyword: bool
    takes_rng: bool

    def build(self, values: dict[str, Any], seed: int) -> mesa.Model:
        if self.scenario is None:
            return self.model(**values, rng=seed)
        fields = {k: v for k, v in values.items() if k in self.fields}
        keywords = {k: v for k, v in values.items() if k not in self.fields}
        return self.model(**keywords, scenario=self.scenario(rng=seed, **fields))

    def problems(self, values: dict[str, Any], target: str) -> list[str]:
        """One line per name the model does not take or value its annotation refuses."""
        lines = []
        for name, value in values.items():
            parameter = self.fields.get(name) or self.keywords.get(name)
            if name in RUNNER_SET:
                lines.append(f"{name}: set by the runner from each run's seed (the experiment's "
                             "'seed' is the master seed)")
            elif parameter is None and not self.any_keyword:
                lines.append(self._unknown(name, target))
            elif parameter is not None and (problem := _type_problem(parameter.annotation, value)):
                lines.append(f"{name} = {value!r}: {problem}")
        if self.scenario is None and not self.takes_rng:
            lines.append(f"{target} must take rng= or scenario= with a Mesa Scenario (the runner "
                         "seeds each run); if it takes scenario=, annotate it with the Scenario "
                         "class or set scenario_class:")
        return lines

    def _unknown(self, name: str, target: str) -> str:
        valid = sorted([*self.fields, *self.keywords])
        hint = did_you_mean(name, valid)
        if self.scenario is None:
            return f"{name}: {target} takes no such parameter{hint} (valid: {', '.join(valid)})"
        where = f"{self.scenario.__module__}:{self.scenario.__qualname__}"
        return (f"{name}: not a field of {where} nor a parameter of {target}{hint} "
                f"(valid: {', '.join(valid)})")

    def is_integer(self, name: str) -> bool:
        """Annotated ``int``, or unannotated with an integer default (``width=50``)."""
        parameter = self.fields.get(name) or self.keywords.get(name)
        if parameter is None:
            return False
        if parameter.annotation is inspect.Parameter.empty:
            return type(parameter.default) is int
        return _unwrap(parameter.annotation) is int


RUNNER_SET = ("rng", "scenario")
CHECKED_TYPES = (int, float, bool, str, type(None))


@functools.cache
def constructor_of(model: type, scenario_class: str | None = None) -> Constructor:
    """Read a model class's constructor once per process; ``ValueError`` names what is wrong."""
    hints = _hints(model.__init__)
    parameters = inspect.signature(model).parameters.values()
    keywords = {
        p.name: p.replace(annotation=hints.get(p.name, p.empty))
        for p in parameters
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    any_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters)
    scenario = None
    if "scenario" in keywords or scenario_class is not None:
        scenario = _scenario_class(model, keywords.get("scenario"), scenario_class)
    if scenario is not None and "scenario" not in keywords and not any_keyword:
        raise ValueError(f"scenario_class = {scenario_class!r}: {model.__qualname__} takes no "
                         "scenario= parameter")
    fields = _scenario_fields(scenario) if scenario is not None else {}
    own = {k: v for k, v in keywords.items() if k not in RUNNER_SET}
    return Constructor(model, scenario, fields, own, any_keyword, "rng" in keywords or any_keyword)


def _scenario_class(
    model: type, parameter: inspect.Parameter | None, named: str | None
) -> type[MesaScenario] | None:
    """``named`` (``module:Class``, or ``Class`` in the model's module), else the ``scenario``
    parameter's annotation, else the one Scenario subclass defined in the model's module."""
    module = sys.modules[model.__module__]
    if named is not None:
        module_name, _, class_name = named.rpartition(":")
        if module_name:
            module = importlib.import_module(module_name)
        found = getattr(module, class_name, None)
        if found is None:
            raise ValueError(f"scenario_class = {named!r}: no such class in {module.__name__}")
        if not _is_scenario(found):
            raise ValueError(f"scenario_class = {named!r}: not a subclass of "
                             "mesa.experimental.scenarios.Scenario")
        return found
    annotated = _unwrap(parameter.annotation) if parameter is not None else None
    if _is_scenario(annotated) and annotated is not MesaScenario:
        return annotated
    defined = [v for v in vars(module).values()
               if _is_scenario(v) and v.__module__ == module.__name__]
    if len(defined) > 1:
        names = ", ".join(sorted(v.__name__ for v in defined))
        raise ValueError(f"model = '{module.__name__}:{model.__name__}': takes scenario= and its "
                         f"module defines several Scenario classes ({names}); set scenario_class:")
    return defined[0] if defined else None


def _is_scenario(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, MesaScenario)


def _scenario_fields(scenario: type[MesaScenario]) -> dict[str, inspect.Parameter]:
    """The annotated public class attributes, as Mesa's Scenario collects its defaults; ``rng``
    (Epstein's scenario declares one) belongs to the runner."""
    return {
        name: inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                default=getattr(scenario, name, inspect.Parameter.empty))
        for name, annotation in _hints(scenario).items()
        if not name.startswith("_") and name not in RUNNER_SET
        and typing.get_origin(annotation) is not typing.ClassVar
    }


def _hints(obj: Any) -> dict[str, Any]:
    """Resolved annotations, or the raw ones (left unchecked) when a name cannot be resolved,
    e.g. one imported only under ``TYPE_CHECKING``."""
    try:
        return typing.get_type_hints(obj)
    except (NameError, TypeError):
        if not isinstance(obj, type):
            return dict(getattr(obj, "__annotations__", {}))
        return {k: v for owner in reversed(obj.__mro__)
                for k, v in vars(owner).get("__annotations__", {}).items()}


def _type_problem(annotation: Any, value: Any) -> str | None:
    """Pydantic's complaint about ``value`` for a scalar annotation (int, float, bool, str, a
    Literal, or unions of them), checked strictly: 2.5 is no int, "yes" no bool. Other
    annotations (containers, classes) are left to the model."""
    if not _is_scalar(annotation):
        return None
    try:
        _adapter(annotation).validate_python(value, strict=True)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    return None


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)  # building one costs more than a check: large designs reuse it


def _is_scalar(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin in (typing.Union, types.UnionType):
        return all(_is_scalar(arg) for arg in typing.get_args(annotation))
    return annotation in CHECKED_TYPES


def _seed_global_generators(seed: int) -> None:
    """Seed Python's and numpy's global generators from the run's seed. Some models draw from
    them (Mesa's VirusOnNetwork builds its graph with networkx's default, the global ``random``);
    unseeded, a run would depend on which process ran it and what ran there before."""
    random.seed(seed)
    np.random.seed(seed % 2**32)  # the legacy global generator takes 32-bit seeds


Job = ScenarioJob | ModelJob


def import_model_job(job: ModelJob, source: str) -> ModelJob:
    """Import the model class (and its Scenario class) now, turning a bad ``model:`` or
    ``scenario_class:`` into an InputError."""
    try:
        cls = job.model_class()
    except ImportError as exc:
        raise InputError([f"{source}: model = {job.target!r}: cannot import: {exc}"]) from None
    except AttributeError:
        module = job.target.partition(":")[0]
        raise InputError([f"{source}: model = {job.target!r}: no such class in {module}"]) from None
    if not (isinstance(cls, type) and issubclass(cls, mesa.Model)):
        raise InputError([f"{source}: model = {job.target!r}: not a Mesa model class (a "
                          "subclass of mesa.Model)"])
    try:
        job.constructor()
    except ImportError as exc:
        raise InputError([f"{source}: scenario_class = {job.scenario_class!r}: cannot import: "
                          f"{exc}"]) from None
    except ValueError as exc:
        raise InputError([f"{source}: {exc}"]) from None
    return job


def execute(spec: RunSpec, job: Job, memory_mb: float | None = None) -> RunResult:
    """Build and run one model; any exception becomes a failed result carrying its traceback,
    ``SystemExit`` too (a model's ``sys.exit`` must not end the sweep); Ctrl-C stops the sweep.

    With ``memory_mb``, a run whose process holds more memory than that after a step is stopped
    as failed. Garbage is collected after every failed run: the traceback kept the model alive,
    often in a reference cycle, and the next run in this process must not find it still there.
    """
    start = time.perf_counter()
    try:
        summary, kept = _simulated(spec, job, memory_mb)
    except KeyboardInterrupt:
        raise
    except RunOutOfMemory as exc:
        error = str(exc)
    except BaseException:
        error = traceback.format_exc()
    else:
        return _result(spec, "ok", start, summary=summary, steps=kept)
    gc.collect()
    return _result(spec, "failed", start, error=error)


def _simulated(spec: RunSpec, job: Job,
               memory_mb: float | None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    check = None if memory_mb is None else functools.partial(check_memory, memory_mb)
    model, steps = job.build(spec.params, spec.seed)
    if check is not None:
        check()
    if job.keep == "none":  # no steps kept: no step table, unless the summary needs one
        advance(model, steps, check)
        summary = quick_summary(model)
        if summary is not None:
            return {k: _plain(v) for k, v in summary.items()}, {}
        steps = 0  # already stepped: simulate only reads the record
    table, summary = simulate(model, steps, index_name=job.index_name, between_steps=check)
    return {k: _plain(v) for k, v in summary.items()}, _kept(table, job.keep, job.index_name)


class RunOutOfMemory(Exception):
    """A run's process holds more memory than the experiment's ``run_memory_mb``."""


OUT_OF_MEMORY = "out of memory"
STATM = Path("/proc/self/statm")


def check_memory(limit_mb: float) -> None:
    used = process_memory_mb()
    if used > limit_mb:
        raise RunOutOfMemory(f"{OUT_OF_MEMORY}: its process held {used:,.0f} MB after a step, "
                             f"more than run_memory_mb = {limit_mb:g} MB; the run was stopped")


def process_memory_mb() -> float:
    """This process's resident memory now (Linux: /proc/self/statm, which costs microseconds;
    the peak that ``resource`` reports elsewhere would fail every run after a large one)."""
    resident_pages = int(STATM.read_bytes().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_can_be_checked() -> bool:
    return STATM.is_file()


def is_memory_failure(result: RunResult) -> bool:
    """Failed for lack of memory: past ``run_memory_mb``, or a MemoryError raised in the run (or
    a subclass, such as numpy's ``numpy._core._exceptions._ArrayMemoryError``)."""
    if result.status != "failed":
        return False
    raised = result.error.strip().rpartition("\n")[2].partition(":")[0]
    return result.error.startswith(OUT_OF_MEMORY) or raised.endswith("MemoryError")


def _result(spec: RunSpec, status: Literal["ok", "failed"], start: float, **data: Any) -> RunResult:
    wall = time.perf_counter() - start
    return RunResult(spec.run_id, spec.point_id, spec.replicate, spec.seed, status, wall, **data)


def _kept(table: Any, keep: Keep, index_name: str) -> dict[str, np.ndarray]:
    if keep == "none":
        return {}
    names = [c for c in table.columns if c != index_name] if keep == "all" else list(keep)
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise KeyError(f"keep_steps names {missing}, not recorded; recorded: {list(table.columns)}")
    return {name: table[name].to_numpy() for name in [index_name, *names]}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _field_type(schema: type[BaseModel], path: str) -> Any:
    """The type at a dotted field path of a pydantic schema (list indices skipped), or None."""
    current: Any = schema
    for part in path.split("."):
        if part.isdigit():
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return None
        current = _unwrap(fields[part].annotation)
    return current


def _unwrap(annotation: Any) -> Any:
    """``Annotated[int, ...] | None`` → int; ``list[X]`` → X; other unions stay as they are."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _unwrap(args[0])
    if origin is list:
        return _unwrap(args[0])
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        return _unwrap(kept[0]) if len(kept) == 1 else annotation
    return annotation

"""One run, as shipped to a worker: what to build (the job), with which values and seed (the spec).

Everything here is picklable and small; a result carries plain dicts and numpy arrays rather than
DataFrames, because results cross process boundaries once per run.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import time
import traceback
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import mesa
import numpy as np
from pydantic import BaseModel

from se_sim.runner.simulate import simulate
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
        return CommunityModel(scenario, rng=seed), scenario.months

    def check(self, params: dict[str, Any], label: str) -> None:
        """Validate one design point in the main process, so workers never see bad input."""
        self.scenario(params, label)

    def is_integer(self, path: str) -> bool:
        return _field_type(Scenario, path) is int


@dataclass(frozen=True)
class ModelJob:
    """Any Mesa model: ``cls(**parameters, **point, rng=seed)`` stepped ``steps`` times.

    ``search_path`` holds the directory the class was imported from in the main process, so that
    worker processes (which may start with another ``sys.path``) import the same module.
    """

    target: str
    parameters: dict[str, Any]
    steps: int
    keep: Keep
    search_path: tuple[str, ...] = ()
    index_name: str = "step"

    def model_class(self) -> type[mesa.Model]:
        for entry in self.search_path:
            if entry not in sys.path:
                sys.path.insert(0, entry)
        module_name, _, class_name = self.target.partition(":")
        return getattr(importlib.import_module(module_name), class_name)

    def build(self, params: dict[str, Any], seed: int) -> tuple[mesa.Model, int]:
        return self.model_class()(**{**self.parameters, **params}, rng=seed), self.steps

    def check(self, params: dict[str, Any], label: str) -> None:
        signature = inspect.signature(self.model_class())
        if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            return
        valid = sorted(signature.parameters)
        lines = [
            f"{label}: {name}: {self.target} takes no such parameter{did_you_mean(name, valid)} "
            f"(valid: {', '.join(valid)})"
            for name in [*self.parameters, *params]
            if name not in signature.parameters
        ]
        if "rng" not in signature.parameters:
            lines.append(f"{label}: {self.target} must take rng= (the runner seeds each run)")
        if lines:
            raise InputError(lines)

    def is_integer(self, path: str) -> bool:
        return _unwrap(typing.get_type_hints(self.model_class().__init__).get(path)) is int


Job = ScenarioJob | ModelJob


def import_model_job(job: ModelJob, source: str) -> ModelJob:
    """Import the model class now, turning a bad ``model:`` into an InputError."""
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
    return job


def execute(spec: RunSpec, job: Job) -> RunResult:
    """Build and run one model; any exception becomes a failed result carrying its traceback,
    ``SystemExit`` too (a model's ``sys.exit`` must not end the sweep); Ctrl-C stops the sweep."""
    start = time.perf_counter()
    try:
        model, steps = job.build(spec.params, spec.seed)
        table, summary = simulate(model, steps, index_name=job.index_name)
        kept = _kept(table, job.keep, job.index_name)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return _result(spec, "failed", start, error=traceback.format_exc())
    return _result(spec, "ok", start, summary={k: _plain(v) for k, v in summary.items()},
                   steps=kept)


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

"""Small Mesa models for the runner tests: Boltzmann wealth exchange, keyword style and
Scenario style.

They live in an importable module (``tests.toy_models``) because worker processes import them by
name, exactly as they would import a user's model given as ``model: package.module:Class``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Literal

import mesa
import numpy as np
from mesa.experimental.data_collection import DataRecorder, DatasetConfig
from mesa.experimental.scenarios import Scenario

from se_sim.runner.tasks import process_memory_mb


def gini(wealth: np.ndarray) -> float:
    x = np.sort(wealth)
    ranks = np.arange(1, x.size + 1)
    return float(2 * (ranks * x).sum() / (x.size * x.sum()) - (x.size + 1) / x.size)


class BoltzmannWealth(mesa.Model):
    """Each step every agent with money gives one unit to a random agent.

    ``fail_above``: raise in step 1 when ``n`` exceeds it (to test failed runs);
    ``pause_s``: sleep per step (to make a sweep slow enough to interrupt).
    """

    def __init__(
        self,
        n: int = 20,
        start_wealth: float = 1.0,
        fail_above: int | None = None,
        pause_s: float = 0.0,
        rng: int | None = None,
    ):
        super().__init__(rng=rng)
        self.wealth = np.full(n, start_wealth)
        self.fail_above = fail_above
        self.pause_s = pause_s
        self.datacollector = mesa.DataCollector(
            model_reporters={"gini": lambda m: m.gini(), "richest": lambda m: m.wealth.max()}
        )
        self.datacollector.collect(self)

    def gini(self) -> float:
        return gini(self.wealth)

    def step(self) -> None:
        if self.fail_above is not None and self.wealth.size > self.fail_above:
            raise RuntimeError(f"toy failure: n = {self.wealth.size} > {self.fail_above}")
        time.sleep(self.pause_s)
        givers = np.flatnonzero(self.wealth >= 1)
        receivers = self.rng.integers(0, self.wealth.size, givers.size)
        self.wealth[givers] -= 1
        np.add.at(self.wealth, receivers, 1)
        self.datacollector.collect(self)


class WealthScenario(Scenario):
    """The parameters of ``RecordedWealth``, in Mesa's Scenario style (seed included)."""

    n: int = 20
    start_wealth: int = 2
    label: Literal["plain", "fancy"] = "plain"  # unused: there to check Literal values


class RichScenario(WealthScenario):
    """A second Scenario class in this module: a model that does not annotate its ``scenario``
    parameter then needs ``scenario_class:`` to say which one it takes."""

    start_wealth: int = 10


class RecordedWealth(mesa.Model):
    """Boltzmann exchange built from a Scenario, recording only through Mesa's experimental
    DataRecorder: ``total`` and ``gini`` every step, ``richest`` every second step from step 1."""

    def __init__(self, scenario: WealthScenario | None = None):
        super().__init__(scenario=scenario or WealthScenario())
        self.wealth = np.full(self.scenario.n, self.scenario.start_wealth)
        self.data_recorder = DataRecorder(self)
        self.data_registry.track_model(self, "totals", ["total", "gini"]).record(
            self.data_recorder)
        self.data_registry.track_model(self, "top", "richest").record(
            self.data_recorder, configuration=DatasetConfig(start_time=1, interval=2))

    @property
    def total(self) -> int:
        return int(self.wealth.sum())

    @property
    def richest(self) -> int:
        return int(self.wealth.max())

    @property
    def gini(self) -> float:
        return gini(self.wealth)

    def step(self) -> None:
        givers = np.flatnonzero(self.wealth >= 1)
        self.wealth[givers] -= 1
        np.add.at(self.wealth, self.rng.integers(0, self.wealth.size, givers.size), 1)


class UnannotatedWealth(RecordedWealth):
    """Takes ``scenario=`` without saying which class, in a module that defines two."""

    def __init__(self, scenario=None):
        super().__init__(scenario)


class KnownAnswer(mesa.Model):
    """A calibration problem with a known answer: ``total = a + b`` and ``difference = a - b``,
    each with normal noise of sd ``noise``; ``c`` changes nothing. Targets total = 6 and
    difference = 0 are met at a = b = 3, whatever c is."""

    def __init__(self, a: float = 0.0, b: float = 0.0, c: float = 0.0, noise: float = 0.2,
                 rng: int | None = None):
        super().__init__(rng=rng)
        error = self.rng.normal(0.0, noise, 2)
        self.outcome = {"total": a + b + error[0], "difference": a - b + error[1], "c": c}

    def step(self) -> None:
        self.running = False

    def summary(self) -> dict[str, float]:
        return self.outcome


class LinearToy(mesa.Model):
    """A model whose outcome is known: ``y = 2a + 5b + 0c`` plus seeded noise of sd ``noise``,
    so Morris mu* is 2 and 5 times each range and 0 for c, and Sobol' ranks b, a, c."""

    def __init__(self, a: float = 0.0, b: float = 0.0, c: float = 0.0, noise: float = 0.0,
                 rng: int | None = None):
        super().__init__(rng=rng)
        self.y = 2 * a + 5 * b + 0 * c + noise * self.rng.standard_normal()
        self.datacollector = mesa.DataCollector(model_reporters={"y": lambda m: m.y})
        self.datacollector.collect(self)

    def step(self) -> None:
        self.datacollector.collect(self)

    def summary(self) -> dict[str, float]:
        return {"y": self.y, "y_squared": self.y**2}


class Misbehaving(mesa.Model):
    """A model that fails on purpose, as ``behaviour`` says, in its first step:

    ``ok``; ``raise`` an exception; ``exit`` through sys.exit(3); ``die`` (os._exit, its worker
    dies); ``kill`` (SIGKILL to its own process); ``hang`` (sleeps for an hour); ``text`` (its
    summary value is "n/a" where other runs give numbers); ``object`` (an unpicklable summary
    value); ``huge`` (an integer too large for 64 bits); ``big`` (2^62 + 1, exact only as an
    integer); ``steptext`` (its step metric is text where other runs record numbers);
    ``surrogate`` (text that is not valid Unicode, which only pyarrow finds out);
    ``unless_marker``: raise while the file ``marker`` exists (a failure that a resume can
    retry away).
    """

    def __init__(self, behaviour: str = "ok", marker: str = "", pause_s: float = 0.0,
                 rng: int | None = None):
        super().__init__(rng=rng)
        self.behaviour = behaviour
        self.marker = marker
        self.pause_s = pause_s
        self.value: float | str = "start" if behaviour == "steptext" else 0.0
        self.datacollector = mesa.DataCollector(model_reporters={"value": "value"})
        self.datacollector.collect(self)

    def step(self) -> None:
        time.sleep(self.pause_s)
        match self.behaviour:
            case "raise":
                raise ValueError("misbehaving on purpose")
            case "exit":
                sys.exit(3)
            case "die":
                os._exit(1)
            case "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            case "hang":
                time.sleep(3600)
            case "unless_marker" if os.path.exists(self.marker):
                raise RuntimeError("the marker file is there")
            case "steptext":
                self.value = "n/a"
                self.datacollector.collect(self)
                return
        self.value += float(self.rng.random())
        self.datacollector.collect(self)

    def summary(self) -> dict[str, object]:
        odd = {"text": "n/a", "object": lambda: None, "huge": 2**70, "big": 2**62 + 1}
        label = "\ud800" if self.behaviour == "surrogate" else self.behaviour
        return {"value": odd.get(self.behaviour, self.value), "label": label}


class Hungry(mesa.Model):
    """Keeps ``mb_per_step`` more megabytes each step, in a reference cycle (as a model and its
    agents refer to each other), and reports the process it ran in. Blocks of 40 MB or more
    come straight from the operating system and go back to it when freed."""

    def __init__(self, mb_per_step: int = 0, rng: int | None = None):
        super().__init__(rng=rng)
        self.mb_per_step = mb_per_step
        self.kept: list[np.ndarray] = []
        self.itself = self

    def step(self) -> None:
        if self.mb_per_step:
            self.kept.append(np.ones(self.mb_per_step * 2**20 // 8))

    def summary(self) -> dict[str, int]:
        return {"pid": os.getpid(), "kept_mb": len(self.kept) * self.mb_per_step,
                "held_mb": process_memory_mb()}

"""A small Mesa model for the runner tests: Boltzmann wealth exchange.

It lives in an importable module (``tests.toy_models``) because worker processes import it by
name, exactly as they would import a user's model given as ``model: package.module:Class``.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import mesa
import numpy as np


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
        x = np.sort(self.wealth)
        ranks = np.arange(1, x.size + 1)
        return float(2 * (ranks * x).sum() / (x.size * x.sum()) - (x.size + 1) / x.size)

    def step(self) -> None:
        if self.fail_above is not None and self.wealth.size > self.fail_above:
            raise RuntimeError(f"toy failure: n = {self.wealth.size} > {self.fail_above}")
        time.sleep(self.pause_s)
        givers = np.flatnonzero(self.wealth >= 1)
        receivers = self.rng.integers(0, self.wealth.size, givers.size)
        self.wealth[givers] -= 1
        np.add.at(self.wealth, receivers, 1)
        self.datacollector.collect(self)


class Misbehaving(mesa.Model):
    """A model that fails on purpose, as ``behaviour`` says, in its first step:

    ``ok``; ``raise`` an exception; ``exit`` through sys.exit(3); ``die`` (os._exit, its worker
    dies); ``kill`` (SIGKILL to its own process); ``hang`` (sleeps for an hour); ``text`` (its
    summary value is "n/a" where other runs give numbers); ``object`` (an unpicklable summary
    value); ``huge`` (an integer too large for 64 bits); ``surrogate`` (text that is not valid
    Unicode, which only pyarrow finds out); ``unless_marker``: raise while the file
    ``marker`` exists (a failure that a resume can retry away).
    """

    def __init__(self, behaviour: str = "ok", marker: str = "", pause_s: float = 0.0,
                 rng: int | None = None):
        super().__init__(rng=rng)
        self.behaviour = behaviour
        self.marker = marker
        self.pause_s = pause_s
        self.value = 0.0
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
        self.value += float(self.rng.random())
        self.datacollector.collect(self)

    def summary(self) -> dict[str, object]:
        odd = {"text": "n/a", "object": lambda: None, "huge": 2**70}
        label = "\ud800" if self.behaviour == "surrogate" else self.behaviour
        return {"value": odd.get(self.behaviour, self.value), "label": label}

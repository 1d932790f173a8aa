"""A small Mesa model for the runner tests: Boltzmann wealth exchange.

It lives in an importable module (``tests.toy_models``) because worker processes import it by
name, exactly as they would import a user's model given as ``model: package.module:Class``.
"""

from __future__ import annotations

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

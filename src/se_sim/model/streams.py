"""One random stream per mechanism, all spawned from the model's own generator.

Common random numbers need more than a shared seed: if every rule drew from one generator, a
change in how often one rule draws (another market, one more member) would shift every later draw
of every other rule, and a knock-out would compare two unrelated histories. Each mechanism draws
from its own stream, mostly in fixed-size batches (one number per household), so the arms of a
comparison share their randomness wherever their states agree. A stream is the child of the
model's generator at a fixed position: new mechanisms append their names, so the existing
streams stay as they are.
"""

from __future__ import annotations

import numpy as np

NAMES = ("setup", "network", "events", "interventions", "gardens", "fund", "donations",
         "membership", "ties", "market", "welfare", "loans", "partners", "founding", "enterprises",
         "interest")


class Streams:
    def __init__(self, rng: np.random.Generator, enterprises: int):
        for name, child in zip(NAMES, rng.spawn(len(NAMES)), strict=True):
            setattr(self, name, child)
        # each enterprise's buyers and market risk, so that enterprises stepped in a random order
        # do not trade their draws
        self.market_of = self.market.spawn(max(enterprises, 1))

    setup: np.random.Generator
    network: np.random.Generator
    events: np.random.Generator
    interventions: np.random.Generator
    gardens: np.random.Generator
    fund: np.random.Generator
    donations: np.random.Generator
    membership: np.random.Generator
    ties: np.random.Generator
    market: np.random.Generator
    welfare: np.random.Generator
    loans: np.random.Generator
    partners: np.random.Generator
    founding: np.random.Generator  # spawns the market streams of enterprises founded in a run
    enterprises: np.random.Generator  # each enterprise's cost, capability and demand draws
    interest: np.random.Generator  # which households would ever do enterprise work (month 0)

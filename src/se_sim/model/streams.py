"""One random stream per mechanism, all spawned from the model's own generator.

Common random numbers need more than a shared seed: if every rule drew from one generator, a
change in how often one rule draws (another market, one more member) would shift every later draw
of every other rule, and a knock-out would compare two unrelated histories. Each mechanism draws
from its own stream, mostly in fixed-size batches (one number per household), so the arms of a
comparison share their randomness wherever their states agree.
"""

from __future__ import annotations

import numpy as np

NAMES = ("setup", "network", "events", "interventions", "gardens", "fund", "donations",
         "membership", "ties")
# Spawned after the streams above, so that adding one leaves every earlier stream as it was.
LATER = ("partners", "founding")


class Streams:
    def __init__(self, rng: np.random.Generator, enterprises: int):
        children = rng.spawn(len(NAMES) + 1)
        for name, child in zip(NAMES, children, strict=False):
            setattr(self, name, child)
        # each enterprise's buyers and market risk, so that enterprises stepped in a random order
        # do not trade their draws
        self.market = children[-1].spawn(max(enterprises, 1))
        for name, child in zip(LATER, rng.spawn(len(LATER)), strict=True):
            setattr(self, name, child)

    setup: np.random.Generator
    network: np.random.Generator
    events: np.random.Generator
    interventions: np.random.Generator
    gardens: np.random.Generator
    fund: np.random.Generator
    donations: np.random.Generator
    membership: np.random.Generator
    ties: np.random.Generator
    partners: np.random.Generator
    founding: np.random.Generator  # spawns the market streams of enterprises founded in a run

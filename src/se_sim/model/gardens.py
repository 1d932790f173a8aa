"""Home vegetable growing (source 000, activity 1): adoption as a complex contagion, and sharing.

Enterprise members (the founding leaders first) promote gardens: they and their neighbours adopt
with ``promoted_adoption`` a month, so without an enterprise nobody promotes them; anyone with at
least ``contagion_threshold`` growing neighbours adopts with ``contagion_adoption`` (Centola 2010:
clustered ties spread behaviour better).
Growers share produce each month with ``share_with`` random neighbours.
"""

from __future__ import annotations

import numpy as np

from se_sim.model.households import HouseholdArrays
from se_sim.model.network import SocialNetwork


def update_gardens(
    households: HouseholdArrays, network: SocialNetwork, rng: np.random.Generator
) -> np.ndarray:
    """Adoption, abandonment and sharing; returns who knows a member (member or neighbour of
    one) at the start of the month, whom members reach for gardens and for the fund."""
    rule = households.config.gardens
    members = households.is_member
    promoted = members | (network.neighbour_count(members) > 0)
    growing_neighbours = network.neighbour_count(households.garden)
    p_adopt = rule.promoted_adoption * promoted + rule.contagion_adoption * (
        growing_neighbours >= rule.contagion_threshold
    )
    draws = rng.random(households.n)
    adopts = ~households.garden & (draws < np.minimum(p_adopt, 1.0))
    abandons = households.garden & (draws < rule.abandon_rate)
    households.garden = (households.garden | adopts) & ~abandons
    receivers = network.random_neighbours(np.flatnonzero(households.garden), rule.share_with, rng)
    households.receives_produce = np.zeros(households.n, dtype=bool)
    households.receives_produce[receivers] = True
    return promoted

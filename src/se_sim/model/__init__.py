"""Model layer: households, their social network, enterprises and funds as a Mesa model."""

from se_sim.model.community import CommunityModel

__all__ = ["CommunityModel"]

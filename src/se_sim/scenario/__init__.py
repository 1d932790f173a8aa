"""Scenario layer: the typed schema of a run and how it is read from YAML."""

from se_sim.scenario.errors import InputError
from se_sim.scenario.loader import build_scenario, load_scenario, parse_assignment
from se_sim.scenario.schema import Scenario

__all__ = ["InputError", "Scenario", "build_scenario", "load_scenario", "parse_assignment"]

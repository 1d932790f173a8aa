"""Shared helpers: small scenarios built from the schema, and a runner for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from se_sim.model import CommunityModel
from se_sim.runner.simulate import simulate
from se_sim.scenario import Scenario, build_scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BANG_SAO_THONG = ROOT / "scenarios" / "bang_sao_thong.yaml"


def small_scenario(**overrides: Any) -> Scenario:
    """The Bang Sao Thong scenario shrunk to 200 households and 18 months, plus overrides."""
    base = {"households.count": 200, "months": 18, **overrides}
    return load_scenario(BANG_SAO_THONG, base)


def case_scenario(**overrides: Any) -> Scenario:
    """The Bang Sao Thong case for 24 months: a mechanism's effect shows beyond replicate noise
    and a run takes a few hundredths of a second."""
    base = {"months": 24, **overrides}
    return load_scenario(BANG_SAO_THONG, base)


def scenario_from(raw: dict[str, Any]) -> Scenario:
    return build_scenario(raw, "test")


def run(scenario: Scenario, seed: int = 0) -> tuple[CommunityModel, pd.DataFrame, dict]:
    model = CommunityModel(scenario, rng=seed)
    table, summary = simulate(model, scenario.months, "month")
    return model, table, summary


@pytest.fixture(scope="session")
def bang_sao_thong() -> Scenario:
    return load_scenario(BANG_SAO_THONG)

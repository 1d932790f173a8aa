"""Knock-out comparisons on common random numbers: the same seeds with a mechanism on and off.

A mechanism passes when switching it off moves the outcome it drives in the expected direction
by more than ``t`` standard errors of the paired differences (replicate noise).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from se_sim.model import CommunityModel
from se_sim.runner.simulate import simulate
from se_sim.scenario import Scenario

SEEDS = range(12)


def summaries(scenario: Scenario, seeds: Iterable[int] = SEEDS) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        model = CommunityModel(scenario, rng=seed, reporters=[])
        rows.append(simulate(model, scenario.months, "month")[1])
    return pd.DataFrame(rows)


def paired_differences(
    on: Scenario, off: Scenario, metric: str, seeds: Iterable[int] = SEEDS
) -> np.ndarray:
    seeds = list(seeds)
    return (summaries(on, seeds)[metric] - summaries(off, seeds)[metric]).to_numpy()


def assert_effect(differences: np.ndarray, direction: int, t: float = 3.0) -> None:
    """``direction`` +1: on > off; −1: on < off; beyond ``t`` standard errors of the mean."""
    mean = float(np.mean(differences))
    se = float(np.std(differences, ddof=1) / np.sqrt(differences.size))
    assert direction * mean > 0, f"mean difference {mean:.4g} has the wrong sign"
    assert direction * mean > t * se, f"mean difference {mean:.4g} within noise (se {se:.3g})"


def assert_knockout(
    on: Scenario, off: Scenario, metric: str, direction: int, seeds: Iterable[int] = SEEDS
) -> None:
    assert_effect(paired_differences(on, off, metric, seeds), direction)

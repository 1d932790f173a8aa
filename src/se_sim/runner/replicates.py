"""Running one scenario over seeded replicates, as ``se-sim run`` does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from se_sim.model import CommunityModel
from se_sim.runner.simulate import simulate
from se_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ReplicateResults:
    scenario: Scenario
    seeds: list[int]  # of the replicates that finished
    steps: pd.DataFrame  # one row per replicate and month
    summary: pd.DataFrame  # one row per replicate
    interrupted: bool = False


def run_replicates(scenario: Scenario, seeds: list[int], progress: bool = True) -> ReplicateResults:
    """Run one replicate per seed. Ctrl-C keeps the replicates that finished (and raises only
    when none has)."""
    steps, summaries = [], []
    try:
        for seed in tqdm(seeds, desc="replicates", disable=not progress, leave=False):
            table, summary = simulate(CommunityModel(scenario, rng=seed), scenario.months, "month")
            table.insert(0, "seed", seed)
            steps.append(table)
            summaries.append(summary)
    except KeyboardInterrupt:
        if not summaries:
            raise
        interrupted = True
    else:
        interrupted = False
    return ReplicateResults(
        scenario, list(seeds[: len(summaries)]), pd.concat(steps, ignore_index=True),
        pd.DataFrame(summaries), interrupted,
    )


def new_results_dir(root: str | Path, name: str) -> Path:
    """A new folder ``root/<name>-<timestamp>``: no run ever overwrites another."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(root) / f"{name}-{stamp}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = Path(root) / f"{name}-{stamp}-{suffix}"
    return path

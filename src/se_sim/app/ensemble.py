"""Many runs of the page's settings, on the runner's local backend, reduced to bands.

Seeds follow ``se-sim run --seed S --replicates N``: S, S+1, ..., so the page's run is the
ensemble's first member and the bands are those the command line reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from se_sim.app.charts import Bands, bands
from se_sim.app.settings import Settings
from se_sim.runner.executors import Backend, default_workers, run_all
from se_sim.runner.tasks import RunSpec, ScenarioJob
from se_sim.scenario import Scenario


@dataclass(frozen=True)
class Ensemble:
    scenario: Scenario  # the resolved scenario the runs used
    settings: Settings
    seeds: tuple[int, ...]
    bands: Bands
    failed: int
    first_error: str
    seconds: float
    summaries: tuple[dict[str, float], ...] = ()  # each successful run's end-of-run summary


def run_ensemble(
    scenario: Scenario,
    settings: Settings,
    seeds: Iterable[int],
    series: Iterable[str],
    progress: Callable[[int], None] = lambda done: None,
    backend: Backend = "local",
    workers: int | None = None,
) -> Ensemble:
    """Run ``scenario`` once per seed and keep the median and 90% band of ``series``."""
    start = time.perf_counter()
    seeds, series = tuple(seeds), tuple(series)
    job = ScenarioJob(scenario.model_dump(mode="json"), scenario.name, {}, series)
    specs = [RunSpec(i, 0, i, seed, {}) for i, seed in enumerate(seeds)]
    tables, summaries, errors = [], [], []
    workers = min(workers or default_workers(), len(specs))
    for done, result in enumerate(run_all(specs, job, backend, workers), start=1):
        if result.status == "ok":
            tables.append(pd.DataFrame(result.steps).assign(seed=result.seed))
            summaries.append(result.summary)
        else:
            errors.append(result.error.strip().splitlines()[-1])
        progress(done)
    steps = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame({"month": []})
    return Ensemble(scenario, settings, seeds, Bands(len(tables), bands(steps, series)),
                    len(errors), errors[0] if errors else "", time.perf_counter() - start,
                    tuple(summaries))


def compared(ensembles: Iterable[Ensemble], scenario: Scenario,
             settings: Settings) -> tuple[Ensemble | None, Ensemble | None]:
    """The ensemble of ``scenario`` (newest first), and the one to compare it with: of the
    others, the one whose knobs differ least from ``settings`` (the newest among equals), so
    that a switch turned on is compared with the same settings without it."""
    ensembles = list(ensembles)
    current = next((e for e in ensembles if e.scenario == scenario), None)
    others = [e for e in ensembles if e.scenario != scenario]
    earlier = min(others, key=lambda e: len(e.settings.changed(settings)), default=None)
    return current, earlier

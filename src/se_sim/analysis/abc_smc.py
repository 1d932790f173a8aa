"""Calibration by ABC-SMC: pyabc's sequential Monte Carlo, run on this project's runner
(``se_sim.runner.tasks.execute``), every simulation seeded.

pyabc proposes parameter sets from the uniform priors (the design's bounds), then from a kernel
around the previous generation's weighted particles; each generation accepts the particles whose
distance to the targets lies below the median of the previous one (pyabc's default epsilon). The
distance is a weighted Euclidean norm (``smc_distance``) that scales each target either by the
spread of its simulated values or by its tolerance, so a target that varies in thousands of
baht does not drown one that varies in shares; a target's ``weight`` multiplies its term. The
last generation's weighted particles are the posterior sample.

**Seeds.** pyabc draws proposals from numpy's global generator. The sampler here splits each
generation into one task per particle to accept; task ``i`` of generation ``t`` seeds numpy (and
``random``) from ``SeedSequence(seed, spawn_key=(STREAM, t + 2, i))`` and simulates until it has
one accepted particle, drawing each run's seed from the same generator. The tasks run in order
through a ``map`` (in this process, or a pool of worker processes) and their results are joined
in task order, so the posterior, every simulation and its seed depend only on the experiment's
seed: not on the backend or the number of workers. (pyabc's own multicore samplers reseed their
workers from the operating system, which is why they are not used.) An interrupted calibration
is not resumed: a rerun starts it again (pyabc's database could continue it, but not with the
same random draws).
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import logging
import multiprocessing
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from se_sim.runner.executors import Backend, default_workers
from se_sim.runner.experiment import ExperimentFile, Target
from se_sim.runner.tasks import Job, RunSpec, execute
from se_sim.scenario import InputError

STREAM = 2**32 + 1  # no run's spawn key (point ids are below 2**32) and not the rounds' stream
DATABASE = "abc.db"
Mapper = Callable[[Callable[[int], Any], Iterable[int]], Iterator[Any]]


class RunFailed(RuntimeError):
    """A simulation failed: the calibration cannot score it and stops (rerun to retry)."""


OUTSIDE_TASKS = -2  # the "generation" of the seed for whatever pyabc draws in this process


def task_seed(master: int, generation: int, task: int) -> int:
    """The numpy seed of one sampling task; pyabc's calibration sample is generation -1."""
    sequence = np.random.SeedSequence(master, spawn_key=(STREAM, generation + 2, task))
    return int(sequence.generate_state(1, np.uint32)[0])


@dataclass(frozen=True)
class Simulator:
    """pyabc's model: a parameter set (``p0``, ``p1``, ... for the design's field paths) to the
    ``statistic`` of each target over ``replicates`` seeded runs."""

    job: Job
    names: tuple[str, ...]
    integers: frozenset[str]
    metrics: tuple[str, ...]
    replicates: int
    statistic: str

    def values(self, parameter: Mapping[str, float]) -> dict[str, Any]:
        """Field path to value; an integer field gets the nearest whole number."""
        values = {}
        for i, name in enumerate(self.names):
            value = float(parameter[f"p{i}"])
            values[name] = round(value) if name in self.integers else value
        return values

    def __call__(self, parameter: Mapping[str, float]) -> dict[str, float]:
        params = self.values(parameter)
        rows = []
        for replicate in range(self.replicates):
            seed = int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
            result = execute(RunSpec(0, 0, replicate, seed, params), self.job)
            if result.status != "ok":
                last = result.error.strip().splitlines()[-1] if result.error else "?"
                raise RunFailed(f"a run failed (seed {seed}, {params}): {last}")
            rows.append([float(result.summary[m]) for m in self.metrics])
        table = pd.DataFrame(rows, columns=list(self.metrics))
        return dict(table.agg(self.statistic))


def _sample_task(packed: bytes, seed: int) -> tuple[Any, int]:
    """One task: seed numpy and ``random``, then simulate until one particle is accepted."""
    import cloudpickle  # pyabc's dependency, as pyabc (the 'calibrate' extra)

    simulate_one, new_sample = cloudpickle.loads(packed)
    np.random.seed(seed)
    random.seed(seed)
    sample, evaluations = new_sample(), 0
    while True:
        particle = simulate_one()
        evaluations += 1
        sample.append(particle)
        if particle.accepted:
            return sample, evaluations


@dataclass
class Generation:
    """What one generation took: its index (-1: pyabc's calibration sample from the prior),
    particles accepted and simulations run (each of ``replicates`` runs)."""

    number: int
    accepted: int
    simulations: int


def seeded_sampler(master: int, map_: Mapper, on_generation: Callable[[Generation], None]) -> Any:
    """A pyabc sampler whose draws depend only on ``master`` (see the module's docstring)."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class SeededSampler(Sampler):
        def sample_until_n_accepted(self, n: int, simulate_one: Callable[[], Any], t: int,
                                    **_: Any) -> Any:
            packed = cloudpickle.dumps((simulate_one, self.sample_factory))
            seeds = [task_seed(master, t, i) for i in range(n)]
            results = list(map_(functools.partial(_sample_task, packed), seeds))
            sample = self._create_empty_sample()
            for part, _evaluations in results:
                sample += part
            self.nr_evaluations_ = sum(evaluations for _, evaluations in results)
            on_generation(Generation(t, n, self.nr_evaluations_))
            return sample

    return SeededSampler()


@dataclass
class SmcFit:
    """A finished ABC-SMC: the posterior sample (field paths and ``weight``), the generations
    and pyabc's per-generation table (epsilon, samples); every particle is in ``abc.db``."""

    sample: pd.DataFrame
    generations: list[Generation] = field(default_factory=list)
    populations: pd.DataFrame = field(default_factory=pd.DataFrame)


def fit_smc(experiment: ExperimentFile, job: Job, targets: Mapping[str, Target], folder: Path,
            seed: int, map_: Mapper,
            on_generation: Callable[[Generation], None] = lambda g: None) -> SmcFit:
    """Run pyabc's ABC-SMC on ``targets`` (those of weight > 0 count) into ``folder``."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    spec = experiment.spec
    bounds = dict(spec.design.bounds)
    names = tuple(bounds)
    counted = {m: t for m, t in targets.items() if t.weight > 0}
    simulator = Simulator(job, names, frozenset(n for n in names if job.is_integer(n)),
                          tuple(counted), spec.replicates, spec.calibration.statistic)
    prior = pyabc.Distribution(**{f"p{i}": pyabc.RV("uniform", low, high - low)
                                  for i, (low, high) in enumerate(bounds.values())})
    distance = smc_distance(spec.calibration.distance, counted)
    generations: list[Generation] = []

    def record(generation: Generation) -> None:
        generations.append(generation)
        on_generation(generation)

    sampler = seeded_sampler(seed, map_, record)
    abc = pyabc.ABCSMC(simulator, prior, distance, population_size=spec.calibration.population,
                       sampler=sampler)
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DATABASE
    database.unlink(missing_ok=True)  # a rerun starts again (see the module's docstring)
    np.random.seed(task_seed(seed, OUTSIDE_TASKS, 0))
    abc.new(f"sqlite:///{database}", {m: t.value for m, t in counted.items()})
    history = abc.run(max_nr_populations=spec.calibration.generations)
    particles, weights = history.get_distribution(m=0, t=history.max_t)
    sample = particles.rename(columns={f"p{i}": name for i, name in enumerate(names)})
    sample = sample[list(names)].reset_index(drop=True)
    for name in simulator.integers:
        sample[name] = sample[name].round().astype(int)
    sample["weight"] = np.asarray(weights, dtype=float)
    return SmcFit(sample, generations, history.get_all_populations())


def smc_distance(kind: str, targets: Mapping[str, Target]) -> Any:
    """pyabc's Euclidean distance over the targets. ``adaptive`` divides each term by the
    spread of its simulated values, refitted every generation: the targets count equally
    however loose their tolerances. ``tolerance`` divides it by the target's half-width, as
    the rejection method does, so a particle at distance 1 is one tolerance off, and a tight
    target pulls harder than a loose one."""
    import pyabc

    if kind == "adaptive":
        return pyabc.AdaptivePNormDistance(
            p=2, fixed_weights={m: t.weight for m, t in targets.items()})
    return pyabc.PNormDistance(
        p=2, fixed_weights={m: t.weight / t.half_width for m, t in targets.items()})


def mapper(backend: Backend, workers: int | None) -> tuple[Mapper, Callable[[], None]]:
    """An order-keeping ``map`` in this process or on a pool of local workers; how to close it."""
    count = 1 if backend == "serial" else workers or default_workers()
    if count == 1:
        return map, lambda: None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["se_sim.model", "pyabc"])
    pool = concurrent.futures.ProcessPoolExecutor(count, mp_context=context)
    return pool.map, lambda: pool.shutdown(cancel_futures=True)


def check_smc(backend: Backend) -> None:
    """pyabc is an optional extra, and its tasks run here or on local workers: one line each."""
    if backend == "dask":
        raise InputError(["--backend dask: calibration.method = 'smc' runs on --backend local or "
                          "serial (method rejection runs on Dask)"])
    try:
        import pyabc  # noqa: F401
    except ImportError as exc:
        raise InputError([f"calibration.method = 'smc' needs pyabc ({exc}); install it with "
                          "pip install -e '.[calibrate]' (make setup does)"]) from None


def weighted_quantile(values: pd.Series, weights: pd.Series, q: float) -> float:
    """The q-quantile of a weighted sample (the smallest value whose cumulative weight >= q)."""
    order = np.argsort(values.to_numpy(), kind="stable")
    cumulative = np.cumsum(weights.to_numpy()[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1]))
    return float(values.to_numpy()[order][min(index, len(order) - 1)])


def parameter_table(sample: pd.DataFrame, bounds: Mapping[str, tuple[float, float]]
                    ) -> pd.DataFrame:
    """Per parameter: prior, weighted median and 5%-95% range of the posterior, and how much the
    targets constrain it: ``1 - sd(posterior) / sd(uniform prior)``, labelled as the rejection
    method's (docs/sweeps.md) at the effective sample size ``1 / sum(w^2)`` of the weights."""
    from se_sim.analysis.calibrate import PINNED, _edge_note, constraint_label

    weights = sample["weight"] / sample["weight"].sum()
    effective = float(1 / (weights**2).sum())
    rows = []
    for name, (low, high) in bounds.items():
        values = sample[name].astype(float)
        mean = float((weights * values).sum())
        sd = float(np.sqrt((weights * (values - mean) ** 2).sum()))
        constraint = 1 - sd / ((high - low) / np.sqrt(12))
        label = constraint_label(constraint, round(effective))
        median = weighted_quantile(values, weights, 0.5)
        rows.append({
            "parameter": name, "prior_low": low, "prior_high": high,
            "effective_sample": effective, "median": median,
            "q05": weighted_quantile(values, weights, 0.05),
            "q95": weighted_quantile(values, weights, 0.95),
            "constraint": constraint, "label": label,
            "note": _edge_note(median, low, high) if label in PINNED else "",
        })
    return pd.DataFrame(rows)


def central(sample: pd.DataFrame, names: list[str]) -> pd.Series:
    """The particle nearest the weighted medians, each parameter scaled by its weighted sd:
    a set that was run and accepted, and lies where the posterior's mass is."""
    weights = sample["weight"] / sample["weight"].sum()
    values = sample[names].astype(float)
    medians = pd.Series({n: weighted_quantile(values[n], weights, 0.5) for n in names})
    means = (values.mul(weights, axis=0)).sum()
    spread = np.sqrt(((values - means) ** 2).mul(weights, axis=0).sum())
    spread = spread.where(spread > 0, 1.0)
    offset = (((values - medians) / spread) ** 2).sum(axis=1)
    return sample.loc[offset.sort_values(kind="stable").index[0]]


@dataclass
class SmcResult:
    """``se-sim calibrate`` with method smc: the fit, its parameter table and the files written."""

    experiment: ExperimentFile
    out: Path
    fit: SmcFit
    table: pd.DataFrame
    files: list[Path]
    wall_time_s: float


def calibrate_smc(experiment: ExperimentFile, out: Path, backend: Backend = "local",
                  workers: int | None = None,
                  on_generation: Callable[[Generation], None] = lambda g: None) -> SmcResult:
    """Check the experiment, fit it, and write the result to ``out/calibration/``."""
    from se_sim.analysis.calibrate import FOLDER, check_calibration, checked_plan

    check_smc(backend)
    _, bounds = check_calibration(experiment)
    plan, _ = checked_plan(experiment)
    start = time.perf_counter()
    map_, close = mapper(backend, workers)
    try:
        fit = fit_smc(experiment, plan.job, experiment.spec.targets, out / FOLDER,
                      experiment.spec.seed, map_, on_generation)
    finally:
        close()
    wall = time.perf_counter() - start
    table = parameter_table(fit.sample, bounds)
    result = SmcResult(experiment, out, fit, table, [], wall)
    result.files = write_smc(result, out / FOLDER)
    return result


def write_smc(result: SmcResult, folder: Path) -> list[Path]:
    """posterior.csv (field paths and ``weight``: what an experiment's ``uncertainty:
    posterior:`` draws from), parameters.csv, best.yaml and calibration.json."""
    from se_sim.analysis.calibrate import write_files

    spec = result.experiment.spec
    names = list(spec.design.bounds)
    chosen = central(result.fit.sample, names)
    record = {
        "experiment": str(result.experiment.path),
        "sha256": result.experiment.sha256,
        "method": "smc",
        "pyabc": _pyabc_version(),
        "seed": spec.seed,
        "targets": {m: {**t.model_dump(), "half_width": t.half_width}
                    for m, t in spec.targets.items()},
        "calibration": spec.calibration.model_dump(
            exclude_none=True, exclude={"accept", "rounds", "margin"}),
        "replicates": spec.replicates,
        "wall_time_s": round(result.wall_time_s, 1),
        "generations": [{"generation": g.number, "accepted": g.accepted,
                         "simulations": g.simulations} for g in result.fit.generations],
        "epsilon": [float(e) for e in result.fit.populations["epsilon"]],
    }
    labels = result.table.set_index("parameter")["label"]
    best = [
        f"# The central particle of the ABC-SMC posterior of {result.experiment.path} (nearest the",
        "# weighted medians; docs/sweeps.md, 'Calibration'). Use it as an experiment's overrides:",
        "# or as --set PATH=VALUE options of se-sim run; draw from posterior.csv for the rest.",
        "overrides:",
        *(f"  {name}: {_plain(chosen[name])!r}  # {labels[name]}" for name in names),
    ]
    return write_files(folder, {
        "posterior.csv": result.fit.sample.to_csv(index=False),
        "parameters.csv": result.table.to_csv(index=False),
        "best.yaml": "\n".join(best) + "\n",
        "calibration.json": json.dumps(record, indent=2) + "\n",
    })


def _pyabc_version() -> str:
    import pyabc

    return str(pyabc.__version__)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def format_smc(result: SmcResult) -> str:
    """The printed result: generations, then the posterior of each parameter."""
    fit = result.fit
    generations = int((fit.populations["t"] >= 0).sum())  # t = -1: pyabc's prior sample
    lines = [f"ABC-SMC: {len(fit.sample)} particles after {generations} generations, "
             f"{sum(g.simulations for g in fit.generations):,} simulations "
             f"({result.wall_time_s:.0f} s)"]
    rows = [("parameter", "prior", "median", "5%–95%", "constraint", "")]
    rows += [(row["parameter"], f"{row['prior_low']:.4g}–{row['prior_high']:.4g}",
              f"{row['median']:.4g}", f"{row['q05']:.4g}–{row['q95']:.4g}",
              f"{row['constraint']:.2f}", row["label"] + (f" ({row['note']})" if row["note"]
                                                          else ""))
             for row in result.table.to_dict("records")]
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
              for cells in rows]
    return "\n".join(lines)

"""Running an experiment: plan the runs, skip stored ones, execute, store, report.

Run ids are ``point_id * replicates + replicate``; shard I of N takes the run ids congruent to I
modulo N, which spreads every design point across shards. Resuming is always safe: a run's seed
and values depend only on its id, never on what ran before.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from se_sim.runner.design import Design, build_design
from se_sim.runner.executors import Backend, default_workers, run_all
from se_sim.runner.experiment import ExperimentFile, load_experiment
from se_sim.runner.seeds import design_seed, run_seed
from se_sim.runner.storage import (
    PartWriter,
    Shard,
    completed_run_ids,
    now,
    provenance,
    read_manifests,
    write_manifest,
)
from se_sim.runner.tasks import Job, ModelJob, RunSpec, ScenarioJob, import_model_job
from se_sim.scenario import InputError

WHOLE = Shard()


@dataclass(frozen=True)
class Plan:
    """An experiment resolved into a job and validated design points."""

    experiment: ExperimentFile
    job: Job
    design: Design

    @property
    def total_runs(self) -> int:
        return len(self.design.points) * self.experiment.spec.replicates

    def specs(self, shard: Shard, skip: set[int]) -> Iterator[RunSpec]:
        """The shard's runs in run_id order, lazily, so a huge sweep is never held in memory."""
        spec = self.experiment.spec
        for run_id in range(shard.index, self.total_runs, shard.count):
            if run_id in skip:
                continue
            point_id, replicate = divmod(run_id, spec.replicates)
            seed = run_seed(spec.seed, point_id, replicate, spec.common_random_numbers)
            yield RunSpec(run_id, point_id, replicate, seed, self.design.points[point_id])


@dataclass
class SweepOutcome:
    out: Path
    in_shard: int
    stored_before: int
    ok: int = 0
    failed: int = 0
    interrupted: bool = False
    first_error: str = ""
    swept: list[str] = field(default_factory=list)


def plan_sweep(experiment: ExperimentFile) -> Plan:
    """Build the job and the design, and validate every design point before anything runs."""
    job = _job(experiment)
    spec = experiment.spec
    design = build_design(spec.design, design_seed(spec.seed), job.is_integer)
    source = str(experiment.path)
    for point_id, (point, columns) in enumerate(zip(design.points, design.columns, strict=True)):
        job.check(point, f"{source}: design point {point_id} {columns}")
    return Plan(experiment, job, design)


def _job(experiment: ExperimentFile) -> Job:
    spec = experiment.spec
    keep: Any = spec.keep_steps if isinstance(spec.keep_steps, str) else tuple(spec.keep_steps)
    if experiment.scenario_raw is not None:
        job = ScenarioJob(experiment.scenario_raw, str(experiment.scenario_path), spec.overrides,
                          keep)
        job.scenario({}, job.source)  # errors in the scenario file itself name that file
        return job
    assert spec.model is not None and spec.steps is not None  # guaranteed by load_experiment
    model_job = ModelJob(spec.model, spec.parameters, spec.steps, keep, (str(Path.cwd()),),
                         scenario_class=spec.scenario_class)
    return import_model_job(model_job, str(experiment.path))


def run_sweep(
    experiment: ExperimentFile,
    out: Path,
    backend: Backend = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    shard: Shard = WHOLE,
    resume: bool = False,
    progress: bool = False,
) -> SweepOutcome:
    """Run the shard's runs not yet stored in ``out``; Ctrl-C stops, keeping what finished."""
    plan = plan_sweep(experiment)
    _check_out(out, experiment, resume)
    workers = workers or (1 if backend == "serial" else default_workers())
    stored = {run_id for run_id in completed_run_ids(out) if shard.owns(run_id)}
    in_shard = len(range(shard.index, plan.total_runs, shard.count))
    outcome = SweepOutcome(out, in_shard, len(stored), swept=plan.design.swept)
    manifest = _manifest(plan, shard, backend, workers)
    write_manifest(out, shard, manifest)
    flush = experiment.spec.flush
    writer = PartWriter(out, shard, plan.design.columns, flush.runs, flush.seconds)
    tqdm.monitor_interval = 0  # no monitor thread: nothing left running after a sweep
    bar = tqdm(total=in_shard - len(stored), disable=not progress, unit="run", mininterval=0.5,
               desc=experiment.spec.name, dynamic_ncols=True, postfix={"failed": 0})
    results = run_all(plan.specs(shard, stored), plan.job, backend, workers, scheduler)
    status = "crashed"
    try:
        for result in results:
            writer.add(result)
            if result.status == "ok":
                outcome.ok += 1
            else:
                outcome.failed += 1
                outcome.first_error = outcome.first_error or result.error
                bar.set_postfix(failed=outcome.failed, refresh=False)
            bar.update()
        status = "complete"
    except KeyboardInterrupt:
        results.close()  # stops the workers; unfinished runs are redone on resume
        outcome.interrupted = True
        status = "interrupted"
    finally:
        bar.close()
        writer.flush()
        manifest |= {"status": status, "finished": now(), "runs": _counts(outcome, plan)}
        write_manifest(out, shard, manifest)
    return outcome


def _check_out(out: Path, experiment: ExperimentFile, resume: bool) -> None:
    """Refuse to mix experiments in one folder; anything else there is resumed."""
    manifests = read_manifests(out) if out.is_dir() else []
    if not manifests and out.is_dir() and any(out.iterdir()):
        raise InputError([f"{out}: not empty and holds no sweep manifest; choose another --out"])
    if resume and not manifests:
        raise InputError([f"--resume: {out} holds no results to resume"])
    for manifest in manifests:
        stored = manifest["experiment"]["sha256"]
        if stored != experiment.sha256:
            raise InputError([
                f"{out}: holds results of a different experiment (sha256 {stored[:12]}…, this "
                f"one is {experiment.sha256[:12]}…); choose another --out or remove the folder"
            ])
        stored_scenario = (manifest.get("scenario") or {}).get("sha256")
        if stored_scenario != experiment.scenario_sha256:
            raise InputError([
                f"{out}: its runs used another version of {experiment.scenario_path} (sha256 "
                "differs); choose another --out or remove the folder"
            ])
    out.mkdir(parents=True, exist_ok=True)


def _manifest(plan: Plan, shard: Shard, backend: str, workers: int) -> dict[str, Any]:
    experiment = plan.experiment
    scenario = (
        {"path": str(experiment.scenario_path), "sha256": experiment.scenario_sha256}
        if experiment.scenario_path
        else None
    )
    return {
        "status": "running",
        "experiment": {
            "path": str(experiment.path),
            "sha256": experiment.sha256,
            "given": experiment.given,
            "resolved": experiment.spec.model_dump(mode="json", exclude_none=True),
        },
        "scenario": scenario,
        "design": {
            "kind": plan.design.kind,
            "points": len(plan.design.points),
            "swept": plan.design.swept,
            "problem": plan.design.problem,
        },
        "shard": {"index": shard.index, "count": shard.count},
        "backend": backend,
        "workers": workers,
        **provenance(),
        "started": now(),
        "finished": None,
    }


def _counts(outcome: SweepOutcome, plan: Plan) -> dict[str, int]:
    return {
        "total": plan.total_runs,
        "in_shard": outcome.in_shard,
        "stored_before": outcome.stored_before,
        "ok": outcome.ok,
        "failed": outcome.failed,
    }


def parse_shard(text: str | None) -> Shard:
    if text is None:
        return Shard()
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not int(match.group(1)) < int(match.group(2)):
        raise InputError([f"--shard {text!r}: expected I/N with 0 <= I < N, e.g. 0/4"])
    return Shard(int(match.group(1)), int(match.group(2)))


def sweep_command(
    path: str | Path,
    out: str | Path | None = None,
    backend: Backend = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    shard: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> tuple[ExperimentFile, SweepOutcome]:
    """``se-sim sweep`` without the printing: check the options, then run the sweep with SIGTERM
    (how batch schedulers stop jobs) handled like Ctrl-C."""
    parsed = parse_shard(shard)
    check_options(backend, workers, scheduler)
    experiment = load_experiment(path)
    folder = Path(out or Path("results") / experiment.spec.name)
    with sigterm_as_interrupt():
        outcome = run_sweep(experiment, folder, backend, workers, scheduler, parsed, resume,
                            progress)
    return experiment, outcome


def check_options(backend: Backend, workers: int | None, scheduler: str | None) -> None:
    if scheduler and backend != "dask":
        raise InputError(["--scheduler needs --backend dask"])
    if workers is not None and workers < 1:
        raise InputError([f"--workers {workers}: must be at least 1"])


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt meanwhile, so a batch job's end stores what finished."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt

"""Running an experiment: plan the runs, skip stored ones, execute, store, report.

Run ids are ``point_id * replicates + replicate`` (with an ``uncertainty:`` section,
``(point_id * draws + draw) * replicates + replicate``: see ``uncertainty``); shard I of N takes
the run ids congruent to I modulo N, which spreads every design point across shards. Resuming is
always safe: a run's seed and values depend only on its id, never on what ran before.

A sweep holds its shard's lock on the results folder from start to end (see ``lock``); the
folder is checked (same experiment, same scenario file, same model code) and its manifest written
under the folder's own lock, so that two sweeps started together cannot both pass the check.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from se_sim.interrupts import sigterm_as_interrupt
from se_sim.runner.design import CHECK_ALL, Design, build_design, design_size, points_to_check
from se_sim.runner.executors import Backend, Limits, default_workers, run_all
from se_sim.runner.experiment import ExperimentFile, load_experiment
from se_sim.runner.fingerprint import code_changes, code_fingerprint
from se_sim.runner.lock import ShardLock, folder_lock, is_lock_file, running_shards
from se_sim.runner.seeds import design_seed, run_seed, uncertainty_seed
from se_sim.runner.storage import (
    PartWriter,
    Shard,
    Stored,
    compact,
    make_folder,
    now,
    provenance,
    quarantine_unreadable,
    read_manifests,
    remove_stale_temporaries,
    stored_run_ids,
    write_manifest,
)
from se_sim.runner.tasks import (
    Job,
    ModelJob,
    RunSpec,
    ScenarioJob,
    import_model_job,
    memory_can_be_checked,
)
from se_sim.runner.uncertainty import (
    Draws,
    build_draws,
    check_draws,
    lever_paths,
    locate,
    params_of,
)
from se_sim.scenario import InputError

WHOLE = Shard()
# Larger designs are refused unless the caller allows more (``se-sim sweep --max-runs``).
DEFAULT_MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Plan:
    """An experiment resolved into a job and validated design points."""

    experiment: ExperimentFile
    job: Job
    design: Design
    draws: Draws | None = None  # the uncertainty section's draws, crossed with every point

    @property
    def draw_count(self) -> int:
        return len(self.draws) if self.draws is not None else 1

    @property
    def total_runs(self) -> int:
        return len(self.design.points) * self.draw_count * self.experiment.spec.replicates

    def specs(self, shard: Shard, skip: set[int]) -> Iterator[RunSpec]:
        """The shard's runs in run_id order, lazily, so a huge sweep is never held in memory."""
        spec = self.experiment.spec
        for run_id in range(shard.index, self.total_runs, shard.count):
            if run_id in skip:
                continue
            point_id, draw, replicate = locate(run_id, self.draw_count, spec.replicates)
            params = params_of(self.design.points[point_id], self.draws, draw)
            seed = run_seed(spec.seed, point_id, replicate, spec.common_random_numbers,
                            None if self.draws is None else draw)
            yield RunSpec(run_id, point_id, replicate, seed, params)

    def run_columns(self, run_id: int) -> dict[str, Any]:
        """The draw and its values, which the runs table records beside the point's columns."""
        if self.draws is None:
            return {}
        _, draw, _ = locate(run_id, self.draw_count, self.experiment.spec.replicates)
        return self.draws.columns(draw)


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
    notes: list[str] = field(default_factory=list)


def plan_sweep(experiment: ExperimentFile, max_runs: int = DEFAULT_MAX_RUNS) -> Plan:
    """Build the job and the design, and validate the design points before anything runs.

    A design of more than ``max_runs`` runs is refused before it is built; of a large one only
    a spread of points is checked here (``design.points_to_check``; of a large sampled design,
    which is drawn only when its runs start, its corners), the others when they run.
    """
    job = _job(experiment)
    spec = experiment.spec
    source = str(experiment.path)
    points = design_size(spec.design)
    draws = spec.uncertainty.draws if spec.uncertainty is not None else 1
    if points * draws * spec.replicates > max_runs:
        runs = points * draws * spec.replicates
        times = f"{draws:,} draws x " if spec.uncertainty is not None else ""
        raise InputError([f"{source}: design: {points:,} points x {times}{spec.replicates:,} "
                          f"replicates = {runs:,} runs, more than the limit of {max_runs:,}; "
                          f"pass --max-runs {runs} to run them all"])
    design = build_design(spec.design, design_seed(spec.seed), job.is_integer)
    drawn = _draws(experiment, job, design)
    for label, point in points_to_check(design):  # at the first draw, if there are draws
        job.check(params_of(point, drawn, 0), f"{source}: {label}")
    return Plan(experiment, job, design, drawn)


def _draws(experiment: ExperimentFile, job: Job, design: Design) -> Draws | None:
    """The uncertainty section's draws, checked like design points (None without a section)."""
    spec, source = experiment.spec, str(experiment.path)
    if spec.uncertainty is None:
        return None
    draws = build_draws(spec.uncertainty, experiment.posterior_path, uncertainty_seed(spec.seed),
                        job.knows, job.is_integer, source)
    levers = lever_paths(design.points, design.swept, design.kind)
    check_draws(draws, levers, job.check, design.points[0], source, CHECK_ALL)
    return draws


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
    allow_code_change: bool = False,
    max_runs: int = DEFAULT_MAX_RUNS,
    run_memory_mb: float | None = None,
    repair: bool = False,
    scheduler_timeout_s: float = 600.0,
) -> SweepOutcome:
    """Run the shard's runs not yet stored in ``out``; Ctrl-C stops, keeping what finished.

    An unreadable part stops the sweep (``UnreadableParts``) unless ``repair``, which moves it to
    ``out/quarantine/`` so that its runs are run again. Finished runs whose steps are missing
    (when steps are kept) are run again.

    At the end of a sweep after which every run of the experiment has a record, the folder is
    compacted (one runs part, one steps part), unless another shard is still running.
    ``run_memory_mb`` replaces the experiment's own limit.
    """
    plan = plan_sweep(experiment, max_runs)
    spec = experiment.spec
    limits = Limits(spec.run_timeout_s, run_memory_mb or spec.run_memory_mb,
                    spec.max_runs_per_worker, scheduler_timeout_s)
    if limits.memory_mb is not None and not memory_can_be_checked():
        raise InputError([f"run_memory_mb = {limits.memory_mb:g}: needs Linux, where a process "
                          "can read its own memory use (/proc/self/statm)"])
    code = code_fingerprint(plan.job)
    workers = workers or (1 if backend == "serial" else default_workers())
    if resume and not out.is_dir():
        raise InputError([f"--resume: {out} holds no results to resume"])
    make_folder(out)
    lock = ShardLock(out, shard.tag)
    with folder_lock(out):
        notes = lock.acquire()
        try:
            manifests = _check_out(out, experiment, shard, code, resume, allow_code_change)
            remove_stale_temporaries(out, shard, alone=not running_shards(out, shard.tag))
            if repair:
                notes += [f"unreadable part moved to {path}" for path in quarantine_unreadable(out)]
            stored = Stored.read(out)
            if plan.job.keep == "none":
                stored.without_steps = set()
            elif lost := {run_id for run_id in stored.without_steps if shard.owns(run_id)}:
                notes.append(f"{len(lost)} stored run(s) have no steps stored (their steps part "
                             "is missing); they are run again")
            manifest = _manifest(plan, shard, backend, workers, code, manifests,
                                 allow_code_change)
            write_manifest(out, shard, manifest)
        except BaseException:
            lock.release()
            raise
    try:
        outcome = _run(plan, out, backend, workers, scheduler, shard, stored, manifest, progress,
                       limits)
        outcome.notes = notes + outcome.notes
        if not outcome.interrupted:
            with folder_lock(out):
                if (len(stored_run_ids(out)) == plan.total_runs
                        and not running_shards(out, shard.tag)):
                    _compact(out, shard, manifest)
    finally:
        lock.release()
    return outcome


def _note(text: str) -> None:
    """A note while runs execute, above the progress bar."""
    tqdm.write(f"note: {text}", file=sys.stderr)


def _compact(out: Path, shard: Shard, manifest: dict[str, Any]) -> None:
    """Compact the folder; if that fails, the manifest says ``crashed`` (the folder still reads
    the same: compaction removes old parts only after writing new ones)."""
    try:
        compact(out)
    except BaseException:
        with contextlib.suppress(OSError):
            write_manifest(out, shard, manifest | {"status": "crashed"})
        raise


def _run(plan: Plan, out: Path, backend: Backend, workers: int, scheduler: str | None,
         shard: Shard, stored: Stored, manifest: dict[str, Any], progress: bool,
         limits: Limits) -> SweepOutcome:
    spec = plan.experiment.spec
    skip = {run_id for run_id in stored.ok - stored.without_steps if shard.owns(run_id)}
    in_shard = len(range(shard.index, plan.total_runs, shard.count))
    outcome = SweepOutcome(out, in_shard, len(skip), swept=plan.design.swept)
    writer = PartWriter(out, shard, plan.design.columns, spec.flush.runs, spec.flush.seconds,
                        stored, plan.run_columns if plan.draws is not None else None)
    tqdm.monitor_interval = 0  # no monitor thread: nothing left running after a sweep
    bar = tqdm(total=in_shard - len(skip), disable=not progress, unit="run", mininterval=0.5,
               desc=spec.name, dynamic_ncols=True, postfix={"failed": 0})
    results = run_all(plan.specs(shard, skip), plan.job, backend, workers, scheduler, limits,
                      writer.flush_if_due, _note)
    status = "crashed"
    failed = 0
    try:
        for result in results:
            if writer.add(result).status == "failed":
                failed += 1
                bar.set_postfix(failed=failed, refresh=False)
            bar.update()
        status = "complete"
    except KeyboardInterrupt:
        results.close()  # stops the workers; unfinished runs are redone on resume
        outcome.interrupted = True
        status = "interrupted"
    finally:
        bar.close()
        try:
            writer.flush()
        except BaseException:
            status = "crashed"
            raise
        finally:  # what is on disk counts
            outcome.ok, outcome.failed = writer.counts["ok"], writer.counts["failed"]
            outcome.first_error = writer.first_error
            outcome.notes += [f"summary {name!r} holds values of different kinds (numbers, text, "
                              "booleans) or integers beyond 2^53 beside floats: stored as text"
                              for name in sorted(writer.mixed)]
            outcome.notes += [f"step metric {name!r} holds values of different kinds over the "
                              "runs, or integers beyond 2^53 beside floats: stored as text"
                              for name in sorted(writer.mixed_steps)]
            manifest |= {"status": status, "finished": now(), "runs": _counts(outcome, plan)}
            try:
                write_manifest(out, shard, manifest)
            except BaseException:  # the manifest must not go on saying "running"
                with contextlib.suppress(OSError):
                    write_manifest(out, shard, manifest | {"status": "crashed"})
                raise
    return outcome


def _check_out(out: Path, experiment: ExperimentFile, shard: Shard, code: dict[str, Any],
               resume: bool, allow_code_change: bool) -> list[dict[str, Any]]:
    """Refuse to mix experiments, scenario versions, model code or shard splits in one folder;
    anything else there is resumed. Returns the manifests found."""
    manifests = read_manifests(out)
    if not manifests and any(not is_lock_file(p) for p in out.iterdir()):
        raise InputError([f"{out}: not empty and holds no sweep manifest; choose another --out"])
    if resume and not manifests:
        raise InputError([f"--resume: {out} holds no results to resume"])
    for tag, holder in running_shards(out, shard.tag).items():
        if tag.rpartition("of")[2] != str(shard.count):
            raise InputError([f"{out}: shard {tag} is running ({holder}); shards that run at "
                              f"the same time must split the runs alike (--shard I/{shard.count} "
                              "here)"])
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
        changes = code_changes(manifest.get("code") or {}, code)
        if changes and not allow_code_change:
            raise InputError([
                f"{out}: its runs came from other model code ({'; '.join(changes)}); choose "
                "another --out, or pass --allow-code-change to add runs of this code to them"
            ])
    return manifests


def _manifest(plan: Plan, shard: Shard, backend: str, workers: int, code: dict[str, Any],
              manifests: list[dict[str, Any]], allow_code_change: bool) -> dict[str, Any]:
    """The shard's manifest. Code that differs from what earlier runs came from (accepted with
    --allow-code-change) is listed under ``code.mixed_with`` and stays listed on later resumes."""
    earlier = {m.get("code", {}).get("sha256") for m in manifests}
    earlier |= {h for m in manifests for h in m.get("code", {}).get("mixed_with", [])}
    mixed = sorted(str(h) for h in earlier - {code["sha256"]})
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
        **({"uncertainty": plan.draws.describe()} if plan.draws is not None else {}),
        "shard": {"index": shard.index, "count": shard.count},
        "backend": backend,
        "workers": workers,
        "code": {**code, "mixed_with": mixed},
        "allow_code_change": allow_code_change,
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
    allow_code_change: bool = False,
    max_runs: int = DEFAULT_MAX_RUNS,
    run_memory_mb: float | None = None,
    repair: bool = False,
    scheduler_timeout_s: float = 600.0,
) -> tuple[ExperimentFile, SweepOutcome]:
    """``se-sim sweep`` without the printing: check the options, then run the sweep with SIGTERM
    (how batch schedulers stop jobs) handled like Ctrl-C."""
    parsed = parse_shard(shard)
    check_options(backend, workers, scheduler)
    if max_runs < 1:
        raise InputError([f"--max-runs {max_runs}: must be at least 1"])
    if not scheduler_timeout_s > 0:
        raise InputError([f"--scheduler-timeout {scheduler_timeout_s:g}: must be above 0"])
    if run_memory_mb is not None and not run_memory_mb > 0:
        raise InputError([f"--run-memory-mb {run_memory_mb:g}: must be above 0"])
    experiment = load_experiment(path)
    folder = Path(out or Path("results") / experiment.spec.name)
    with sigterm_as_interrupt():
        outcome = run_sweep(experiment, folder, backend, workers, scheduler, parsed, resume,
                            progress, allow_code_change, max_runs, run_memory_mb, repair,
                            scheduler_timeout_s)
    return experiment, outcome


def check_options(backend: Backend, workers: int | None, scheduler: str | None) -> None:
    if scheduler and backend != "dask":
        raise InputError(["--scheduler needs --backend dask"])
    if workers is not None and workers < 1:
        raise InputError([f"--workers {workers}: must be at least 1"])
    if backend == "dask":
        _check_dask()


def _check_dask() -> None:
    try:
        import dask.distributed  # noqa: F401
    except ImportError as exc:
        raise InputError([f"--backend dask: Dask is not installed ({exc}); install it with "
                          "pip install 'se_sim[dask]'"]) from None

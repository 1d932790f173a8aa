"""Bounded memory: a run whose process holds more than ``run_memory_mb`` after a step is stopped
and stored as failed saying so; the memory of a failed run is freed before the next run (serial),
and a pool's workers are replaced after a memory failure and after ``max_runs_per_worker`` runs.

The limit is set 100 MB above what the process that runs the model holds: the test process
itself for the serial backend; for a pool, what a worker of the same pool reports from a probe
run (workers are forked from the test process, or come from a fork server when it runs other
threads, so what they start with depends on what ran before in the same test process); the
hungry model keeps 40 MB a step, so it passes the limit in its third step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from se_sim.cli import main
from se_sim.runner import executors
from se_sim.runner.storage import load_runs
from se_sim.runner.tasks import process_memory_mb
from tests.runner_support import write_experiment

HUNGRY = "tests.toy_models:Hungry"


def hungry_experiment(folder: Path, mb_per_step: int = 40, **fields: Any) -> Path:
    """Two hungry runs first, then four that keep nothing."""
    return write_experiment(
        folder, "hungry", model=HUNGRY, steps=6, seed=1, replicates=2,
        design={"kind": "points", "points": [{"mb_per_step": mb_per_step}, {"mb_per_step": 0},
                                             {"mb_per_step": 0}]},
        report="kept_mb", **fields)


def limit_mb() -> int:
    return int(process_memory_mb()) + 100


def worker_limit_mb(folder: Path) -> int:
    """100 MB above what a worker of a one-worker pool holds after a run that keeps nothing."""
    probe = write_experiment(folder, "probe", model=HUNGRY, steps=1, seed=1, replicates=1,
                             design={"kind": "points", "points": [{"mb_per_step": 0}]},
                             report="held_mb")
    out = folder / "probe_out"
    assert main(["sweep", str(probe), "--out", str(out), "--backend", "local", "--workers", "1",
                 "--quiet"]) == 0
    return int(load_runs(out)["held_mb"].iloc[0]) + 100


def check_memory_failures(out: Path, error: str = "out of memory: its process held") -> None:
    runs = load_runs(out)
    hungry = runs[runs["point_id"] == 0]
    assert (hungry["status"] == "failed").all()
    assert hungry["error"].str.contains(error, regex=False).all()
    healthy = runs[runs["point_id"] > 0]
    assert (healthy["status"] == "ok").all(), list(healthy["error"])


def test_serial_sweep_stops_a_run_past_its_memory_and_goes_on(tmp_path: Path) -> None:
    """The healthy runs after the hungry ones find its memory freed (without the garbage
    collection after a failed run, the hungry model's cycle would keep it and fail them)."""
    experiment = hungry_experiment(tmp_path)
    out = tmp_path / "out"
    code = main(["sweep", str(experiment), "--out", str(out), "--backend", "serial", "--quiet",
                 "--run-memory-mb", str(limit_mb())])
    assert code == 1
    check_memory_failures(out)


@pytest.mark.parametrize("cause", ["run_memory_mb", "MemoryError"])
def test_a_pool_is_replaced_after_a_memory_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cause: str
) -> None:
    """Past the limit, or a MemoryError in the run: numpy's, whose name is its own subclass
    (a petabyte a step, beyond any address space)."""
    if cause == "run_memory_mb":
        experiment = hungry_experiment(tmp_path, run_memory_mb=worker_limit_mb(tmp_path))
    else:
        experiment = hungry_experiment(tmp_path, mb_per_step=2**30)
    pools: list[executors._Pool] = []  # counted from here: the probe's pool is not the sweep's

    class Counted(executors._Pool):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            pools.append(self)

    monkeypatch.setattr(executors, "_Pool", Counted)
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "local",
                 "--workers", "1", "--quiet"]) == 1
    check_memory_failures(out, "run_memory_mb" if cause == "run_memory_mb" else "MemoryError")
    assert len(pools) >= 2


def test_workers_are_replaced_after_max_runs_per_worker(tmp_path: Path) -> None:
    experiment = write_experiment(
        tmp_path, "fresh", model=HUNGRY, steps=1, replicates=6, max_runs_per_worker=2,
        design={"kind": "points", "points": [{"mb_per_step": 0}]}, report="kept_mb")
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "local",
                 "--workers", "1", "--quiet"]) == 0
    pids = load_runs(out).sort_values("run_id")["pid"].tolist()
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4] == pids[5]
    assert len(set(pids)) == 3


def test_a_memory_limit_must_be_positive(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    experiment = hungry_experiment(tmp_path)
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "out"), "--quiet",
                 "--run-memory-mb", "0"]) == 2
    assert capsys.readouterr().err.strip() == "error: --run-memory-mb 0: must be above 0"

"""The same experiment gives the same tables on every backend, worker count, shard split and
after an interruption: each run's randomness depends only on its own spawned seed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from se_sim.cli import main
from se_sim.runner.storage import RUNS, STEPS, Shard, load_results, load_runs, read_manifests
from tests.runner_support import (
    assert_same_tables,
    interrupt_after_first_part,
    sweep,
    tables,
    tiny_scenario_experiment,
    toy_experiment,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scenario-mode experiment and its serial results, the reference for every backend."""
    folder = tmp_path_factory.mktemp("tiny")
    experiment = tiny_scenario_experiment(folder)
    outcome = sweep(experiment, folder / "serial")
    assert (outcome.ok, outcome.failed) == (12, 0)
    return experiment, folder / "serial"


def test_serial_tables_have_the_documented_layout(tiny: tuple[Path, Path]) -> None:
    runs, steps = load_results(tiny[1])
    assert list(runs.columns[:11]) == [
        "run_id", "point_id", "replicate", "seed", "allocation.fund_share",
        "network.mean_degree", "status", "attempt", "wall_time_s", "error", "founding_leaders",
    ]
    assert {"fund_inflow_total_thb", "outgroup_trust_end"} <= set(runs.columns)
    assert list(runs["run_id"]) == list(range(12))
    assert list(steps.columns) == ["run_id", "month", "members", "fund_balance_thb"]
    assert len(steps) == 12 * 7  # months 0..6
    # Written every 5 runs, then compacted at the end into one part for runs and one for steps.
    assert [p.name for p in (tiny[1] / RUNS).iterdir()] == ["part-merged-000001.parquet"]
    assert [p.name for p in (tiny[1] / STEPS).iterdir()] == ["part-merged-000001.parquet"]


@pytest.mark.parametrize("workers", [1, 2])
def test_local_pool_matches_serial(tiny: tuple[Path, Path], tmp_path: Path, workers: int) -> None:
    outcome = sweep(tiny[0], tmp_path / "local", "local", workers)
    assert outcome.ok == 12
    assert_same_tables(tiny[1], tmp_path / "local")


def test_dask_local_cluster_matches_serial(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    outcome = sweep(tiny[0], tmp_path / "dask", "dask", 2)
    assert outcome.ok == 12
    assert_same_tables(tiny[1], tmp_path / "dask")


def test_two_shards_merge_into_the_whole(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "sharded"
    first = sweep(tiny[0], out, shard=Shard(0, 2))
    assert (first.in_shard, first.ok) == (6, 6)
    runs, _ = load_results(out)
    assert set(runs["run_id"]) == {0, 2, 4, 6, 8, 10}
    sweep(tiny[0], out, "local", 2, shard=Shard(1, 2))
    assert {p.name for p in out.glob("manifest*.json")} == {"manifest-s0of2.json",
                                                            "manifest-s1of2.json"}
    assert_same_tables(tiny[1], out)


def test_each_shard_counts_only_its_own_stored_runs(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path)
    out = tmp_path / "out"
    sweep(experiment, out, shard=Shard(0, 2))
    second = sweep(experiment, out, shard=Shard(1, 2))
    assert (second.in_shard, second.stored_before, second.ok) == (6, 0, 6)
    manifest = next(m for m in read_manifests(out) if m["shard"]["index"] == 1)
    assert manifest["runs"] == {"total": 12, "in_shard": 6, "stored_before": 0, "ok": 6,
                                "failed": 0}


def test_resume_after_a_partial_run_skips_stored_runs(
    tiny: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "resumed"
    sweep(tiny[0], out, shard=Shard(1, 3))  # an interrupted sweep leaves a subset like this
    again = sweep(tiny[0], out, "local", 2, resume=True)
    assert (again.stored_before, again.ok) == (4, 8)
    assert_same_tables(tiny[1], out)
    assert sweep(tiny[0], out).ok == 0  # nothing left to do


def test_ctrl_c_stops_the_sweep_and_resume_completes_it(tmp_path: Path) -> None:
    """Ctrl-C on ``se-sim sweep`` (SIGINT to its process group) keeps finished runs; exit 130."""
    experiment = toy_experiment(tmp_path, parameters={"start_wealth": 2, "pause_s": 0.02},
                                replicates=6, flush={"runs": 2})
    out = tmp_path / "interrupted"
    code, stderr = interrupt_after_first_part("sweep", experiment, out)
    assert code == 130, stderr
    assert "--resume" in stderr
    stored = len(load_results(out)[0])
    assert 0 < stored < 24

    outcome = sweep(experiment, out, "local", 2, resume=True)
    assert outcome.stored_before == stored and outcome.ok == 24 - stored
    sweep(experiment, tmp_path / "reference", "local", 2)
    assert_same_tables(tmp_path / "reference", out)


def test_any_mesa_model_runs_in_worker_processes(tmp_path: Path) -> None:
    """``model: tests.toy_models:BoltzmannWealth`` imports in fork-server and Dask workers."""
    experiment = toy_experiment(tmp_path)
    sweep(experiment, tmp_path / "serial")
    for backend in ("local", "dask"):
        outcome = sweep(experiment, tmp_path / backend, backend, 2)  # type: ignore[arg-type]
        assert outcome.ok == 12, outcome.first_error
        assert_same_tables(tmp_path / "serial", tmp_path / backend)
    runs, steps = tables(tmp_path / "serial")
    assert list(steps.columns) == ["run_id", "step", "gini", "richest"]
    assert runs.groupby("n")["gini"].median().is_monotonic_increasing
    pd.testing.assert_series_equal(runs["n"], pd.Series([10, 20, 30, 40]).repeat(3)
                                   .reset_index(drop=True), check_names=False)


def test_a_dask_scheduler_without_workers_is_reported_and_given_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scheduler with no worker: the sweep says so, gives up after --scheduler-timeout with
    exit 3, and the runs stored before stay stored."""
    from dask.distributed import LocalCluster

    experiment = toy_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial", "--quiet",
                 "--shard", "0/2"]) == 0
    stored = load_runs(out)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        code = main(["sweep", str(experiment), "--out", str(out), "--backend", "dask",
                     "--scheduler", address, "--scheduler-timeout", "3", "--quiet"])
    assert code == 3
    err = capsys.readouterr().err
    assert f"note: waiting for Dask workers at {address}: none connected" in err
    assert f"error: no Dask worker connected to the scheduler at {address} in 3 s" in err
    assert "Traceback" not in err
    pd.testing.assert_frame_equal(load_runs(out), stored)
    statuses = {m["shard"]["count"]: m["status"] for m in read_manifests(out)}
    assert statuses == {2: "complete", 1: "crashed"}

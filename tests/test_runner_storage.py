"""The results folder: atomic parts, one record per run (the latest), manifest, summary table."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from se_sim.analysis.sweep_table import format_sweep_table, sweep_table, two_way_table
from se_sim.runner.storage import (
    RUNS,
    STEPS,
    PartWriter,
    Shard,
    compact,
    completed_run_ids,
    load_results,
    read_manifests,
    write_manifest,
)
from se_sim.runner.tasks import RunResult
from tests.runner_support import sweep, toy_experiment

COLUMNS = [{"x": 0.5}, {"x": 1.5}]


def result(run_id: int, status: str = "ok", value: float = 1.0) -> RunResult:
    steps = {"step": np.arange(3), "y": np.full(3, value)} if status == "ok" else {}
    summary = {"y_end": value, "seed": 999} if status == "ok" else {}
    return RunResult(run_id, run_id % 2, run_id // 2, 100 + run_id, status,  # type: ignore[arg-type]
                     0.1, "" if status == "ok" else "Traceback ...", summary, steps)


def test_parts_are_named_by_shard_and_the_latest_attempt_wins(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, Shard(1, 3), COLUMNS, flush_runs=2, flush_seconds=60)
    for run in [result(1), result(4, "failed"), result(7)]:
        writer.add(run)
    writer.flush()
    assert sorted(p.name for p in (tmp_path / RUNS).iterdir()) == [
        "part-s1of3-000001.parquet", "part-s1of3-000002.parquet"]
    assert completed_run_ids(tmp_path) == {1, 7}
    again = PartWriter(tmp_path, Shard(1, 3), COLUMNS, flush_runs=10, flush_seconds=60)
    again.add(result(4, value=5.0))  # a resumed retry of the failed run
    again.add(result(1, value=9.0))  # a rerun replaces the earlier record and its steps
    again.flush()
    assert (tmp_path / RUNS / "part-s1of3-000003.parquet").is_file()
    # A copy that does not keep file times (or a clock that went back): the old parts now look
    # newest, and must not win.
    for index, part in enumerate(sorted((tmp_path / RUNS).iterdir())):
        os.utime(part, (2_000_000_000 - index, 2_000_000_000 - index))
    runs, steps = load_results(tmp_path)
    assert list(runs["run_id"]) == [1, 4, 7]
    assert list(runs["status"]) == ["ok", "ok", "ok"]
    assert list(runs["attempt"]) == [2, 2, 1]
    assert list(runs["y_end"]) == [9.0, 5.0, 1.0]
    assert list(runs["seed"]) == [101, 104, 107]  # the runner's seed, not the summary's
    assert list(runs.columns) == ["run_id", "point_id", "replicate", "seed", "x", "status",
                                  "attempt", "wall_time_s", "error", "y_end"]
    assert steps.groupby("run_id")["y"].first().to_dict() == {1: 9.0, 4: 5.0, 7: 1.0}
    assert len(steps) == 9


def test_compacting_keeps_the_latest_record_of_each_run_and_only_its_steps(
    tmp_path: Path,
) -> None:
    """Run 1 stored twice (a rerun in a later part, beside a failed run): the merged folder that
    plain pd.read_parquet reads holds each run once, with the steps of its latest record."""
    writer = PartWriter(tmp_path, Shard(), COLUMNS, flush_runs=2, flush_seconds=60)
    for run in [result(0), result(1), result(1, value=9.0), result(2, "failed")]:
        writer.add(run)
    before = load_results(tmp_path)
    compact(tmp_path)
    assert [p.name for p in (tmp_path / STEPS).iterdir()] == ["part-merged-000001.parquet"]
    runs, steps = pd.read_parquet(tmp_path / RUNS), pd.read_parquet(tmp_path / STEPS)
    assert sorted(runs["run_id"]) == [0, 1, 2]
    assert steps.groupby("run_id")["y"].agg(list).to_dict() == {0: [1.0] * 3, 1: [9.0] * 3}
    for earlier, merged in zip(before, load_results(tmp_path), strict=True):
        pd.testing.assert_frame_equal(earlier, merged)


def test_leftovers_of_a_crash_are_ignored(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, Shard(), COLUMNS, flush_runs=1, flush_seconds=60)
    writer.add(result(0))
    (tmp_path / RUNS / ".part-s0of1-000002.parquet.tmp").write_bytes(b"half a parquet file")
    orphan = pd.DataFrame({"run_id": [5], "step": [0], "y": [3.0]})
    orphan.to_parquet(tmp_path / STEPS / "part-s0of1-000002.parquet")  # runs part never written
    runs, steps = load_results(tmp_path)
    assert list(runs["run_id"]) == [0] and set(steps["run_id"]) == {0}


def test_a_manifest_write_that_fails_midway_keeps_the_previous_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk (or a kill) while the manifest is written must not leave half of one."""
    write_manifest(tmp_path, Shard(), {"status": "running", "runs": {"ok": 1}})
    write_text = Path.write_text

    def half_then_full_disk(self: Path, text: str, *args, **kwargs) -> int:
        write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_manifest(tmp_path, Shard(), {"status": "complete", "runs": {"ok": 2}})
    monkeypatch.undo()
    assert read_manifests(tmp_path) == [{"status": "running", "runs": {"ok": 1}}]


def test_time_based_flush(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, Shard(), COLUMNS, flush_runs=1000, flush_seconds=0.0)
    writer.add(result(0))
    assert writer.written == 1 and len(load_results(tmp_path)[0]) == 1


def test_manifest_records_what_ran(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path, design={"kind": "sobol", "samples": 4,
                                                  "bounds": {"n": [10, 40]}}, replicates=1)
    sweep(experiment, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["design"]["problem"] == {"num_vars": 1, "names": ["n"],
                                             "bounds": [[10.0, 40.0]]}
    assert manifest["experiment"]["given"]["design"]["kind"] == "sobol"
    assert manifest["experiment"]["resolved"]["common_random_numbers"] is False
    assert len(manifest["experiment"]["sha256"]) == 64 and manifest["scenario"] is None
    assert set(manifest["versions"]) >= {"se_sim", "mesa", "numpy", "python"}
    assert "git_commit" in manifest and manifest["host"]
    assert manifest["runs"]["ok"] == 4 * (2 * 1 + 2)  # N (2D + 2) Sobol points, 1 replicate


def test_sweep_table_by_point_or_by_main_effect(tmp_path: Path) -> None:
    runs = pd.DataFrame({
        "run_id": range(8), "status": ["ok"] * 7 + ["failed"],
        "a": [1, 1, 2, 2, 1, 1, 2, 2], "b": [0, 1, 0, 1, 0, 1, 0, 1],
        "y": [1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, np.nan],
    })
    table = sweep_table(runs, ["a", "b"], "y").drop(columns=["ci_low", "ci_high"])
    assert table.to_dict("list") == {"a": [1, 1, 2, 2], "b": [0, 1, 0, 1],
                                     "median": [2.0, 3.0, 4.0, 4.0], "runs": [2, 2, 2, 1]}
    effects = sweep_table(runs, ["a", "b"], "y", max_rows=3)
    assert effects.drop(columns=["ci_low", "ci_high"]).to_dict("list") == {
        "parameter": ["a", "a", "b", "b"], "level": ["1", "2", "0", "1"],
        "median": [2.5, 4.0, 3.0, 4.0], "runs": [4, 3, 4, 3]}
    assert effects[["ci_low", "ci_high"]].isna().all().all()  # under 6 runs: no interval
    grid = two_way_table(runs, ["a", "b"], "y")
    assert grid.loc[1, 0] == 2.0 and grid.loc[2, 1] == 4.0  # median over the other runs
    assert two_way_table(runs, ["a"], "y") is None
    sweep(toy_experiment(tmp_path), tmp_path / "out")
    text = format_sweep_table(tmp_path / "out", ["n"], "richest")
    assert text.splitlines()[0] == ("median richest by design point, with its 95% interval "
                                    "(distribution-free; n/a under 6 runs):")
    assert "not a run summary" in format_sweep_table(tmp_path / "out", ["n"], "absent")

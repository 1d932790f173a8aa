"""The local pool sends short runs several to a task (chunks), and each run stays its own: the
same results as serial, a failure fails only its run, a worker killed mid-chunk loses no other
run of the chunk and blames the right one, and ``max_runs_per_worker`` counts runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from se_sim.runner import executors
from se_sim.runner.storage import load_runs
from tests.runner_support import assert_same_tables, sweep, write_experiment
from tests.test_runner_memory import HUNGRY
from tests.test_runner_misbehaving import ERRORS, MISBEHAVING

RUNS = 48


def chunks_sent(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Chunks of up to 8 runs whatever the runs take; the run ids of every task submitted."""
    monkeypatch.setattr(executors, "CHUNK_TARGET_S", 60.0)
    monkeypatch.setattr(executors, "MAX_CHUNK", 8)
    sent: list[list[int]] = []

    class Recorded(executors._Pool):
        def submit(self, chunk: executors.Chunk) -> Any:
            sent.append([spec.run_id for spec in chunk])
            return super().submit(chunk)

    monkeypatch.setattr(executors, "_Pool", Recorded)
    return sent


def behaviours_experiment(folder: Path, name: str, odd: dict[int, str]) -> Path:
    """``RUNS`` runs of one replicate each, well-behaved but for the points in ``odd``."""
    points = [{"behaviour": odd.get(i, "ok")} for i in range(RUNS)]
    return write_experiment(folder, name, model=MISBEHAVING, steps=2, seed=5, replicates=1,
                            design={"kind": "points", "points": points}, report="value",
                            keep_steps="all", flush={"runs": 10})


def inside_a_chunk(sent: list[list[int]], run_id: int) -> bool:
    """Sent with other runs, and not as the last of them."""
    return any(run_id in chunk[:-1] for chunk in sent)


def test_chunks_give_the_results_of_serial_and_a_raising_run_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raising = {12, 17, 22, 27, 32, 37, 42}
    experiment = behaviours_experiment(tmp_path, "raising", dict.fromkeys(raising, "raise"))
    sweep(experiment, tmp_path / "serial")
    sent = chunks_sent(monkeypatch)
    sweep(experiment, tmp_path / "local", "local", 2)
    assert sorted(run for chunk in sent for run in chunk) == list(range(RUNS))  # each sent once
    assert any(inside_a_chunk(sent, run) for run in raising), sent
    assert_same_tables(tmp_path / "serial", tmp_path / "local")
    runs = load_runs(tmp_path / "local")
    failed = runs[runs["status"] == "failed"]
    assert set(failed["point_id"]) == raising
    assert failed["error"].str.contains(ERRORS["raise"], regex=False).all()


def test_a_worker_killed_mid_chunk_loses_no_other_run_and_blames_the_right_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = {20: "kill", 33: "die"}
    sent = chunks_sent(monkeypatch)
    sweep(behaviours_experiment(tmp_path, "deadly", odd), tmp_path / "local", "local", 2)
    assert inside_a_chunk(sent, 20) and inside_a_chunk(sent, 33), sent
    runs = load_runs(tmp_path / "local")
    assert list(runs["run_id"]) == list(range(RUNS))  # none lost, none twice
    failed = runs[runs["status"] == "failed"].set_index("point_id")["error"]
    assert set(failed.index) == set(odd)
    for point, behaviour in odd.items():
        assert ERRORS[behaviour] in failed[point], failed[point]
    # the other runs of the dead chunks ran again, with the values a serial sweep gives them
    monkeypatch.undo()
    reference = behaviours_experiment(tmp_path, "reference", dict.fromkeys(odd, "raise"))
    sweep(reference, tmp_path / "serial")
    expected = load_runs(tmp_path / "serial")
    ok = runs["status"] == "ok"
    assert (ok == (expected["status"] == "ok")).all()
    assert runs.loc[ok, "value"].tolist() == expected.loc[ok, "value"].tolist()


def test_max_runs_per_worker_counts_runs_not_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = write_experiment(
        tmp_path, "fresh", model=HUNGRY, steps=1, replicates=24, max_runs_per_worker=4,
        design={"kind": "points", "points": [{"mb_per_step": 0}]}, report="kept_mb")
    sent = chunks_sent(monkeypatch)
    sweep(experiment, tmp_path / "out", "local", 1)
    assert max(len(chunk) for chunk in sent) > 1, sent
    pids = load_runs(tmp_path / "out").sort_values("run_id")["pid"].tolist()
    assert sorted(Counter(pids).values()) == [4] * 6
    assert all(len(set(pids[i:i + 4])) == 1 for i in range(0, 24, 4))

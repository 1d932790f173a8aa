"""Every failure is one run's failure: models that raise, exit, kill their worker, hang or return
values that cannot be stored each give a failed run with a clear error, the other runs finish, and
a resume retries the failed ones."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from se_sim.cli import main
from se_sim.runner.storage import RUNS, load_results, load_runs, read_manifests
from tests.runner_support import sweep, write_experiment

MISBEHAVING = "tests.toy_models:Misbehaving"
# Why each behaviour's runs fail, as the 'error' column says it (the last line of a traceback).
ERRORS = {
    "raise": "ValueError: misbehaving on purpose",
    "exit": "SystemExit: 3",
    "die": "the worker process running it died (exit code 1)",
    "kill": "the worker process running it died (killed by SIGKILL",
    "hang": "timed out: still running after 1 s (run_timeout_s)",
    "huge": "summary 'value': an integer too large for 64 bits",
    "surrogate": "its values could not be stored: ",
}


def misbehaving_experiment(folder: Path, behaviours: list[str], name: str = "bad",
                           **fields: Any) -> Path:
    """Two replicates of each behaviour, after two well-behaved points (so that numbers are
    stored before any odd value arrives); a one-second time limit."""
    points = [{"behaviour": "ok"}, {"behaviour": "ok"}] + [
        {"behaviour": b, "pause_s": 0.3 if b == "text" else 0.0} for b in behaviours]
    spec: dict[str, Any] = {
        "model": MISBEHAVING, "steps": 2, "seed": 5, "replicates": 2,
        "design": {"kind": "points", "points": points}, "report": "value",
        "run_timeout_s": 1.0, "flush": {"runs": 3}, **fields,
    }
    return write_experiment(folder, name, **spec)


def check_failures(out: Path, behaviours: list[str], replicates: int = 2,
                   **expected: str) -> pd.DataFrame:
    """Every run stored once; the ok ones with values, each misbehaving one failed saying why."""
    expected = ERRORS | expected
    runs = load_runs(out)
    assert list(runs["run_id"]) == list(range(replicates * (2 + len(behaviours))))  # none lost
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 2 * replicates and ok["value"].notna().all() and (ok["error"] == "").all()
    for point, behaviour in enumerate(behaviours, start=2):
        mine = runs[runs["point_id"] == point]
        assert (mine["status"] == "failed").all(), behaviour
        assert mine["error"].str.contains(expected[behaviour], regex=False).all(), (
            behaviour, list(mine["error"]))
    return runs


def test_local_pool_survives_every_kind_of_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Worker deaths replace the pool, a hung run is stopped at its time limit, and the runs in
    flight beside them are run again rather than lost."""
    behaviours = ["raise", "exit", "die", "kill", "hang", "huge", "surrogate", "object"]
    experiment = misbehaving_experiment(tmp_path, behaviours)
    out = tmp_path / "out"
    code = main(["sweep", str(experiment), "--out", str(out), "--backend", "local",
                 "--workers", "2", "--quiet"])
    assert code == 1
    captured = capsys.readouterr()
    assert "16 run(s) failed" in captured.err
    assert "median value by design point" in captured.out  # mixed kinds did not break the table
    runs = check_failures(out, behaviours, object="could not be brought back from the worker")
    assert runs.loc[runs["point_id"] == 9, "error"].str.contains("pickle").all()
    manifest = read_manifests(out)[0]
    assert manifest["status"] == "complete"
    assert manifest["runs"] == {"total": 20, "in_shard": 20, "stored_before": 0, "ok": 4,
                                "failed": 16}


def test_serial_runs_fail_alone_and_a_resume_retries_them(tmp_path: Path) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("the serial time limit is an alarm signal, for the main thread only")
    behaviours = ["raise", "exit", "hang", "object"]
    experiment = misbehaving_experiment(tmp_path, behaviours, replicates=1)
    out = tmp_path / "out"
    outcome = sweep(experiment, out)
    assert (outcome.ok, outcome.failed) == (2, 4)
    runs = check_failures(out, behaviours, replicates=1, object="summary 'value': a function; a "
                          "summary value must be a number")
    assert runs.loc[runs["point_id"] == 4, "error"].str.contains("RunTimeout").all()
    again = sweep(experiment, out, resume=True)
    assert (again.stored_before, again.ok, again.failed) == (2, 0, 4)
    assert load_runs(out).groupby("status")["attempt"].max().to_dict() == {"ok": 1, "failed": 2}


def test_dask_turns_dead_workers_and_hung_runs_into_failed_runs(tmp_path: Path) -> None:
    """A LocalCluster tries a run whose worker died on one more worker, then fails it; a hung
    run is given up at its limit and its worker replaced, and the runs beside it finish."""
    behaviours = ["exit", "die", "hang"]
    experiment = misbehaving_experiment(tmp_path, behaviours, replicates=1)
    out = tmp_path / "out"
    # One worker: with two, a run beside both a dying and a hung one may be hit twice (see
    # docs/sweeps.md); the local pool, which knows what each worker runs, has no such case.
    outcome = sweep(experiment, out, "dask", 1)
    assert (outcome.ok, outcome.failed) == (2, 3)
    check_failures(out, behaviours, replicates=1, die="the worker process running it died (Dask: "
                   "Attempted to run task")


def test_a_crash_of_the_sweep_itself_keeps_finished_runs_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk is no run's fault: the sweep stops with one line, exit 3, and how to resume."""
    from se_sim.runner import storage

    experiment = misbehaving_experiment(tmp_path, [], replicates=6)
    write = storage.PartWriter._write
    calls = []

    def disk_fills_up(self: storage.PartWriter, entries: list) -> None:
        calls.append(len(entries))
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        write(self, entries)

    monkeypatch.setattr(storage.PartWriter, "_write", disk_fills_up)
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial"]) == 3
    err = capsys.readouterr().err
    assert "error: [Errno 28] No space left on device" in err
    assert f"resume with: se-sim sweep {experiment} --out {out} --resume" in err
    assert "Traceback" not in err
    assert read_manifests(out)[0]["status"] == "crashed"
    assert len(pd.read_parquet(out / RUNS)) == 3  # the part written before the disk filled up


def test_a_column_of_mixed_kinds_is_the_same_text_whatever_the_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Numbers, "n/a" and 2^62 + 1 in one summary column, numbers and text in one step metric:
    serial (parts of 3 runs) and 2 workers (parts of 1) store the same tables, every run ok, the
    columns as text with each value exact."""
    outs = []
    for backend, workers, flush in (("serial", "1", 3), ("local", "2", 1)):
        experiment = misbehaving_experiment(tmp_path, ["text", "big", "steptext"],
                                            name=f"mixed{flush}",
                                            flush={"runs": flush})
        outs.append(out := tmp_path / backend)
        assert main(["sweep", str(experiment), "--out", str(out), "--backend", backend,
                     "--workers", workers, "--quiet"]) == 0
        err = capsys.readouterr().err
        assert "note: summary 'value' holds values of different kinds" in err
        assert "note: step metric 'value' holds values of different kinds" in err
    serial, pool = (load_runs(out).drop(columns="wall_time_s") for out in outs)
    pd.testing.assert_frame_equal(serial, pool)
    steps = [load_results(out)[1] for out in outs]
    pd.testing.assert_frame_equal(*steps)
    assert steps[0].loc[steps[0]["run_id"] == 8, "value"].tolist() == ["start", "n/a", "n/a"]
    assert (serial["status"] == "ok").all()
    assert serial.loc[serial["point_id"] == 2, "value"].tolist() == ["n/a", "n/a"]
    assert serial.loc[serial["point_id"] == 3, "value"].tolist() == [str(2**62 + 1)] * 2
    assert float(serial.loc[0, "value"]) > 0


@pytest.mark.parametrize("flush", [1, 3])
def test_integers_beyond_2_53_beside_floats_are_exact_text_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flush: int
) -> None:
    """Floats and 2^62 + 1 agree in kind (numbers), but a float column would round the integer
    (to 4.611686018427388e18): the column is text, each value exact, and the sweep says so.
    Parts of one run meet only when read; of three, run 3's float and run 4's integer share one."""
    experiment = misbehaving_experiment(tmp_path, ["big"], flush={"runs": flush})
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial",
                 "--quiet"]) == 0
    assert "note: summary 'value' holds values of different kinds" in capsys.readouterr().err
    runs = load_runs(out)
    assert runs.loc[runs["point_id"] == 2, "value"].tolist() == [str(2**62 + 1)] * 2
    assert float(runs.loc[0, "value"]) > 0

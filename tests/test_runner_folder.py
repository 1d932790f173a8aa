"""One results folder, many hands: racing sweeps, killed sweeps and their workers, changed model
code between shards, retries, and a folder that plain ``pd.read_parquet`` reads right."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from se_sim.cli import main
from se_sim.runner.lock import ShardLock, folder_lock
from se_sim.runner.storage import RUNS, STEPS, Shard, load_results, load_runs, read_manifests
from se_sim.scenario import InputError
from tests.runner_support import ROOT, sweep, toy_experiment, write_experiment

MISBEHAVING = "tests.toy_models:Misbehaving"


def slow_experiment(folder: Path, name: str = "slow", **fields: Any) -> Path:
    """12 well-behaved runs of about 0.2 s each."""
    spec: dict[str, Any] = {
        "model": MISBEHAVING, "parameters": {"pause_s": 0.1}, "steps": 2, "seed": 1,
        "replicates": 6, "design": {"kind": "points", "points": [{"behaviour": "ok"}] * 2},
        "report": "value", "flush": {"runs": 2}, **fields,
    }
    return write_experiment(folder, name, **spec)


@pytest.fixture
def start_sweep() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts ``se-sim sweep`` in a process group of its own, which is killed at the end (its
    workers too, should a test fail before they end)."""
    started: list[subprocess.Popen[str]] = []

    def start(experiment: Path, out: Path, *options: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "se_sim.cli", "sweep", str(experiment), "--out",
                   str(out), "--quiet", *options]
        started.append(subprocess.Popen(command, cwd=ROOT, text=True, start_new_session=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        return started[-1]

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def holds_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_two_experiments_started_together_into_one_folder_never_mix(
    tmp_path: Path, start_sweep: Callable[..., subprocess.Popen[str]]
) -> None:
    """Two experiments differing only in seed race for one folder: one runs, the other exits 2
    at once, and the folder holds all the runs of the one and none of the other. The test holds
    the folder's lock until both wait at it, so that they arrive at the very same moment."""
    out = tmp_path / "out"
    out.mkdir()
    experiments = [slow_experiment(tmp_path, f"race{seed}", seed=seed) for seed in (1, 2)]
    with folder_lock(out):
        racers = [start_sweep(e, out, "--backend", "serial") for e in experiments]
        wait_for(lambda: all(holds_open(p.pid, out / ".lock") for p in racers))
    results = [(p.wait(timeout=120), p.stderr.read()) for p in racers]  # type: ignore[union-attr]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    winner, (_, refusal) = (0, results[1]) if results[0][0] == 0 else (1, results[0])
    assert len(refusal.strip().splitlines()) == 1
    assert refusal.startswith(f"error: {out}: ")
    assert "in use by another sweep (pid" in refusal or "different experiment" in refusal
    [manifest] = read_manifests(out)
    assert manifest["experiment"]["path"] == str(experiments[winner])
    assert manifest["runs"]["ok"] == 12 and len(load_runs(out)) == 12
    assert main(["sweep", str(experiments[1 - winner]), "--out", str(out), "--resume"]) == 2


def test_a_second_sweep_is_told_who_holds_the_folder_and_a_killed_sweeps_lock_is_taken_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
    start_sweep: Callable[..., subprocess.Popen[str]],
) -> None:
    # runs of about 0.6 s, so the first sweep is still running when the second starts on a
    # loaded machine (at 0.2 s it once finished first)
    experiment = slow_experiment(tmp_path, parameters={"pause_s": 0.3})
    out = tmp_path / "out"
    first = start_sweep(experiment, out, "--backend", "serial")
    wait_for(lambda: list((out / RUNS).glob("part-*.parquet")))
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: in use by another sweep (pid {first.pid} on ")
    assert "se_sim.cli sweep" in err or "cli.py sweep" in err
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    stored = len(load_runs(out))
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial"]) == 0
    captured = capsys.readouterr()
    assert "note: took over the lock of a sweep that ended without releasing it (pid " \
        f"{first.pid}" in captured.err
    assert f"{stored} already stored" in captured.out
    assert list(load_runs(out)["run_id"]) == list(range(12))


def test_finished_runs_reach_the_disk_while_a_run_hangs_and_die_with_a_killed_sweep(
    tmp_path: Path, start_sweep: Callable[..., subprocess.Popen[str]]
) -> None:
    """flush.seconds is kept on a timer, not only when a result arrives; and SIGKILL of the sweep
    takes its worker processes with it instead of leaving them idle."""
    experiment = write_experiment(
        tmp_path, "hung", model=MISBEHAVING, steps=2, replicates=1, report="value",
        design={"kind": "points", "points": [{"behaviour": "ok"}, {"behaviour": "hang"},
                                             {"behaviour": "hang"}]},
        flush={"runs": 100, "seconds": 0.5})
    out = tmp_path / "out"
    process = start_sweep(experiment, out, "--backend", "local", "--workers", "2")
    wait_for(lambda: len(children(process.pid)) >= 2)
    workers = children(process.pid)
    wait_for(lambda: list((out / RUNS).glob("part-*.parquet")), seconds=30)
    assert process.poll() is None  # written while both workers still hang
    assert list(load_runs(out)["behaviour"]) == ["ok"]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=15)


def test_a_killed_dask_sweep_leaves_no_workers(
    tmp_path: Path, start_sweep: Callable[..., subprocess.Popen[str]]
) -> None:
    experiment = write_experiment(
        tmp_path, "hung", model=MISBEHAVING, steps=2, replicates=2, report="value",
        design={"kind": "points", "points": [{"behaviour": "hang"}]})
    process = start_sweep(experiment, tmp_path / "out", "--backend", "dask", "--workers", "2")
    wait_for(lambda: len(children(process.pid)) >= 2)
    workers = children(process.pid)
    time.sleep(1)  # let the workers start the runs
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=15)


def test_a_changed_model_between_two_shards_is_refused_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "changing_model.py"
    source = (ROOT / "tests" / "toy_models.py").read_text(encoding="utf-8")
    model.write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # model-mode experiments import from the current folder
    experiment = write_experiment(
        tmp_path, "changing", model="changing_model:BoltzmannWealth", steps=3, replicates=2,
        design={"kind": "grid", "fields": {"n": [10, 20]}}, report="gini")
    out = tmp_path / "out"
    assert sweep(experiment, out, shard=Shard(0, 2)).ok == 2
    model.write_text(source.replace("self.wealth[givers] -= 1", "self.wealth[givers] -= 0.5"),
                     encoding="utf-8")
    argv = ["sweep", str(experiment), "--out", str(out), "--shard", "1/2", "--backend", "serial",
            "--quiet"]
    assert main(argv) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"error: {out}: its runs came from other model code ({model.resolve()} "
                    "changed); choose another --out, or pass --allow-code-change to add runs of "
                    "this code to them")
    assert sorted(p.name for p in (out / RUNS).iterdir()) == ["part-s0of2-000001.parquet"]
    assert main([*argv, "--allow-code-change"]) == 0
    manifests = {m["shard"]["index"]: m for m in read_manifests(out)}
    assert manifests[1]["allow_code_change"] is True
    assert manifests[1]["code"]["mixed_with"] == [manifests[0]["code"]["sha256"]]
    assert manifests[0]["code"]["sources"] == ["changing_model"]
    # Both shards are in: the folder is compacted.
    assert [p.name for p in (out / RUNS).iterdir()] == ["part-merged-000001.parquet"]


CODECHG = """import mesa
from codehelper import FACTOR


class Model(mesa.Model):
    def __init__(self, x: float = 1.0, rng=None):
        super().__init__(rng=rng)
        self.value = 0.0
        self.x = x

    def step(self):
        self.value += self.x * FACTOR

    def summary(self):
        return {"value": self.value}
"""


@pytest.fixture
def codechg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A model module that takes a constant from a sibling module, both in the experiment's
    folder (the current one, from which model-mode experiments import)."""
    (tmp_path / "codechg.py").write_text(CODECHG, encoding="utf-8")
    (tmp_path / "codehelper.py").write_text("FACTOR = 1.0\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield write_experiment(tmp_path, "codechg", model="codechg:Model", steps=2, replicates=2,
                           design={"kind": "grid", "fields": {"x": [1.0, 2.0]}}, report="value")
    for name in ("codechg", "codehelper"):
        sys.modules.pop(name, None)


def test_a_resume_after_a_change_in_a_module_the_model_imports_is_refused(
    tmp_path: Path, codechg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the imported sibling changes: the resume names it, and the manifest lists both."""
    out = tmp_path / "out"
    argv = ["sweep", str(codechg), "--out", str(out), "--backend", "serial", "--quiet"]
    assert main([*argv, "--shard", "0/2"]) == 0
    modules = read_manifests(out)[0]["code"]["modules"]
    assert {"codechg", "codehelper"} <= set(modules)
    assert modules["codehelper"]["file"] == str((tmp_path / "codehelper.py").resolve())
    (tmp_path / "codehelper.py").write_text("FACTOR = 1000.0\n", encoding="utf-8")
    capsys.readouterr()
    assert main([*argv, "--shard", "1/2"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert f"{(tmp_path / 'codehelper.py').resolve()} changed" in line
    assert "codechg.py" not in line and "--allow-code-change" in line
    assert not list((out / RUNS).glob("part-s1of2-*"))
    assert main([*argv, "--shard", "1/2", "--allow-code-change"]) == 0


def test_plain_read_parquet_gives_one_row_per_run_after_retries_and_kills(tmp_path: Path) -> None:
    """Failed runs retried by a resume, a steps part orphaned by a kill, and a first part that
    holds only failed runs: at the end, plain pd.read_parquet on runs/ and steps/ gives one row
    per run (and per run and step), with every summary column."""
    marker = tmp_path / "failing"
    marker.touch()
    experiment = write_experiment(
        tmp_path, "flaky", model=MISBEHAVING, steps=3, replicates=3, report="value",
        parameters={"marker": str(marker)}, flush={"runs": 3},
        design={"kind": "points", "points": [{"behaviour": "unless_marker"},
                                             {"behaviour": "ok"}]})
    out = tmp_path / "out"
    assert (sweep(experiment, out).failed, len(pd.read_parquet(out / RUNS))) == (3, 6)
    orphan = load_results(out)[1].query("run_id == 4")  # as if killed before its runs part
    orphan.to_parquet(out / STEPS / "part-s0of1-000009.parquet", index=False)
    marker.unlink()
    assert sweep(experiment, out, resume=True).ok == 3
    runs, steps = pd.read_parquet(out / RUNS), pd.read_parquet(out / STEPS)
    assert sorted(runs["run_id"]) == list(range(6)) and (runs["status"] == "ok").all()
    assert runs.set_index("run_id")["attempt"].to_dict() == {0: 2, 1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    assert runs["value"].notna().all() and "label" in runs
    assert not steps.duplicated(["run_id", "step"]).any() and len(steps) == 6 * 4
    stored_runs, stored_steps = load_results(out)
    pd.testing.assert_frame_equal(
        steps.sort_values(["run_id", "step"]).reset_index(drop=True), stored_steps)
    assert len(stored_runs) == 6


def test_a_sweep_that_ends_cleanly_leaves_no_lock_to_take_over(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path, replicates=1)
    out = tmp_path / "out"
    assert sweep(experiment, out).notes == []
    assert (out / ".lock-s0of1").read_bytes() == b""  # released: nobody named as its holder
    again = sweep(experiment, out, resume=True)
    assert (again.notes, again.stored_before, again.ok) == ([], 4, 0)


def test_shards_running_at_the_same_time_must_split_the_runs_alike(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path)
    out = tmp_path / "out"
    sweep(experiment, out, shard=Shard(1, 2))
    running = ShardLock(out, "s1of2")  # shard 1 of 2 resumed by another sweep, still running
    assert running.acquire() == []
    try:
        with pytest.raises(InputError, match=r": shard s1of2 is running \(pid \d+ on .*\); "
                           r"shards that run at the same time must split the runs alike "
                           r"\(--shard I/3 here\)"):
            sweep(experiment, out, shard=Shard(0, 3))
    finally:
        running.release()
    assert len(load_runs(out)) == 6


def test_a_folder_is_compacted_only_once_no_other_shard_runs(tmp_path: Path) -> None:
    """Shard 0 stores the last missing runs while shard 1 is still running (resumed): shard 1
    may still write parts, so the folder is compacted at the end of shard 1, not of shard 0."""
    experiment = toy_experiment(tmp_path)
    out = tmp_path / "out"
    sweep(experiment, out, shard=Shard(1, 2))
    running = ShardLock(out, "s1of2")
    assert running.acquire() == []
    try:
        assert sweep(experiment, out, shard=Shard(0, 2)).ok == 6
    finally:
        running.release()
    parts = sorted(p.name for p in (out / RUNS).iterdir())
    assert len(load_runs(out)) == 12 and all(name.startswith("part-s") for name in parts), parts
    assert sweep(experiment, out, shard=Shard(1, 2), resume=True).ok == 0
    assert [p.name for p in (out / RUNS).iterdir()] == ["part-merged-000001.parquet"]


def test_the_folder_lock_excludes_any_other_holder_until_released(tmp_path: Path) -> None:
    """Checked directly with a second open file of the lock (flock locks are per open file)."""
    other = os.open(tmp_path / ".lock", os.O_RDWR | os.O_CREAT)
    try:
        with folder_lock(tmp_path), pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once released
    finally:
        os.close(other)

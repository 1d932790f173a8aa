"""Damaged folders: unreadable parts are named (sweep and report exit 2 with the command that
repairs them, no traceback); ``--repair`` quarantines them and runs exactly their runs again; a
run stored without its steps is run again; stale temporary parts are removed; and a manifest
whose sweep failed at its end says ``crashed``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from se_sim.cli import main
from se_sim.runner import sweep as sweep_module
from se_sim.runner.storage import RUNS, STEPS, load_results, load_runs, read_manifests
from se_sim.scenario import InputError
from tests.runner_support import toy_experiment


def part(out: Path, sub: str, number: int) -> Path:
    return out / sub / f"part-s0of2-{number:06d}.parquet"


def test_broken_and_missing_parts_are_named_and_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shard 0 of 2 (runs 0, 2, ..., 10), one run a part: the steps of run 0 are truncated, the
    runs part of run 4 too, the steps of run 8 deleted. The repair reruns runs 0, 4 and 8."""
    experiment = toy_experiment(tmp_path, flush={"runs": 1})
    out = tmp_path / "out"
    argv = ["sweep", str(experiment), "--out", str(out), "--backend", "serial", "--quiet",
            "--shard", "0/2"]
    assert main(argv) == 0
    for broken in (part(out, STEPS, 1), part(out, RUNS, 3)):
        broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])
    part(out, STEPS, 5).unlink()
    # a number the repair does not write (its own part 7 would replace a stale part 7); and
    # one of the other shard, which does not run
    stale = [out / RUNS / ".part-s0of2-000042.parquet.tmp",
             out / STEPS / ".part-s1of2-000003.parquet.tmp"]
    for path in stale:
        path.write_bytes(b"half a part")
    capsys.readouterr()

    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"unreadable part {Path(STEPS) / part(out, STEPS, 1).name}" in err
    assert f"unreadable part {Path(RUNS) / part(out, RUNS, 3).name}" in err
    assert f"--out {out} --repair" in err

    assert main(argv) == 2
    assert "unreadable part" in capsys.readouterr().err

    assert main([*argv, "--repair"]) == 0
    captured = capsys.readouterr()
    assert "3 runs done (3 ok, 0 failed), 3 already stored" in captured.out
    assert "2 stored run(s) have no steps stored" in captured.err  # runs 0 and 8
    assert sorted(p.relative_to(out / "quarantine").as_posix()
                  for p in (out / "quarantine").rglob("*.parquet")) == [
        f"{RUNS}/{part(out, RUNS, 3).name}", f"{STEPS}/{part(out, STEPS, 1).name}"]
    assert not any(path.exists() for path in stale)
    runs = load_runs(out).set_index("run_id")
    assert runs["attempt"].to_dict() == {0: 2, 2: 1, 4: 1, 6: 1, 8: 2, 10: 1}
    _, steps = load_results(out)
    assert steps.groupby("run_id").size().to_dict() == {r: 9 for r in range(0, 12, 2)}


def test_a_deleted_steps_part_is_reported_and_its_runs_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = toy_experiment(tmp_path, flush={"runs": 2})
    out = tmp_path / "out"
    argv = ["sweep", str(experiment), "--out", str(out), "--backend", "serial", "--quiet",
            "--shard", "0/2"]
    assert main(argv) == 0
    part(out, STEPS, 2).unlink()  # runs 4 and 6
    capsys.readouterr()
    lost = r"2 finished run\(s\) have no steps stored \(run_id 4, 6\)"
    with pytest.raises(InputError, match=lost):
        load_results(out)
    assert main(argv) == 0
    assert "2 runs done (2 ok, 0 failed), 4 already stored" in capsys.readouterr().out
    assert load_results(out)[1]["run_id"].nunique() == 6


@pytest.mark.parametrize("failing", ["compact", "write_manifest"])
def test_a_sweep_that_fails_at_its_end_leaves_a_crashed_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    original = getattr(sweep_module, failing)

    def fail(*args: Any) -> None:
        if failing == "compact" or args[2]["status"] == "complete":
            raise OSError(28, "No space left on device")
        original(*args)

    monkeypatch.setattr(sweep_module, failing, fail)
    experiment = toy_experiment(tmp_path, replicates=1)
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial",
                 "--quiet"]) == 3
    assert read_manifests(out)[0]["status"] == "crashed"

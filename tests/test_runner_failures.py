"""A run that raises is stored with its traceback, the others complete, and the command fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from se_sim.cli import main
from se_sim.runner.storage import completed_run_ids, load_results, read_manifests
from tests.runner_support import BANG_SAO_THONG, sweep, tiny_scenario_experiment, toy_experiment


@pytest.mark.parametrize("backend", ["serial", "local"])
def test_failed_runs_keep_their_traceback_and_exit_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    experiment = toy_experiment(tmp_path, parameters={"start_wealth": 2, "fail_above": 25})
    out = tmp_path / "out"
    code = main(["sweep", str(experiment), "--out", str(out), "--backend", backend,
                 "--workers", "2", "--quiet"])
    assert code == 1
    captured = capsys.readouterr()
    assert "6 run(s) failed" in captured.err and "RuntimeError: toy failure" in captured.err
    runs, steps = load_results(out)
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["n"].unique()) == [30, 40] and len(failed) == 6
    assert failed["error"].str.contains("Traceback").all()
    assert failed["error"].str.contains("toy_models.py").all()
    assert failed["gini"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 6 and (ok["error"] == "").all() and ok["gini"].notna().all()
    assert set(steps["run_id"]) == set(ok["run_id"])
    assert read_manifests(out)[0]["runs"] == {"total": 12, "in_shard": 12, "stored_before": 0,
                                             "ok": 6, "failed": 6}


def test_resume_retries_failed_runs_and_keeps_one_record_each(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path, parameters={"start_wealth": 2, "fail_above": 25})
    out = tmp_path / "out"
    sweep(experiment, out)
    assert completed_run_ids(out) == set(range(6))
    again = sweep(experiment, out, resume=True)
    assert (again.stored_before, again.ok, again.failed) == (6, 0, 6)
    runs, _ = load_results(out)
    assert list(runs["run_id"]) == list(range(12))


def test_a_different_experiment_is_refused_in_the_same_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    sweep(toy_experiment(tmp_path), out)
    changed = toy_experiment(tmp_path, seed=4)
    assert main(["sweep", str(changed), "--out", str(out), "--backend", "serial"]) == 2
    assert "holds results of a different experiment" in capsys.readouterr().err


def test_an_edited_scenario_file_is_refused_in_the_same_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The experiment file is unchanged, but the scenario it names is not: its runs differ."""
    scenario = tmp_path / "case.yaml"
    shutil.copy(BANG_SAO_THONG, scenario)
    experiment = tiny_scenario_experiment(tmp_path, scenario=str(scenario), replicates=1,
                                          design={"kind": "points", "points": [{"months": 2}]})
    out = tmp_path / "out"
    assert sweep(experiment, out).ok == 1
    raw = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    scenario.write_text(yaml.safe_dump({**raw, "description": "edited"}), encoding="utf-8")
    assert main(["sweep", str(experiment), "--out", str(out), "--resume", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"error: {out}: its runs used another version of {scenario.resolve()} (sha256 differs); "
        "choose another --out or remove the folder\n")


def test_report_and_flush_settings_do_not_change_identity(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(toy_experiment(tmp_path), out)
    relabelled = toy_experiment(tmp_path, report="richest", flush={"runs": 100},
                                description="same runs, other summary")
    assert sweep(relabelled, out).stored_before == 12


def test_resume_needs_stored_results_and_refuses_foreign_folders(tmp_path: Path) -> None:
    experiment = toy_experiment(tmp_path)
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "new"), "--resume"]) == 2
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "other")]) == 2


def test_default_folder_is_results_slash_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = toy_experiment(tmp_path, name="named")
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(experiment), "--backend", "serial", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert (tmp_path / "results" / "named" / "manifest.json").is_file()
    assert "results/named: 12 runs done (12 ok, 0 failed)" in printed
    assert "median gini by design point" in printed

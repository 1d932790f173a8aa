"""Every user mistake is one ``error:`` line and exit 2, for every command; interruptions, closed
pipes and unexpected failures end just as cleanly, with the exit codes the README lists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from se_sim.cli import _parser, main
from se_sim.runner.sweep import DEFAULT_MAX_RUNS
from tests.runner_support import BANG_SAO_THONG, ROOT, TOY, toy_experiment, write_experiment

SMALL = ["--set", "households.count=150", "--months", "4", "--quiet"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Any]:
    binary = tmp_path / "picture.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    twice = tmp_path / "twice.yaml"  # a scenario with a top-level key given twice
    twice.write_text(BANG_SAO_THONG.read_text() + "months: 24\n")
    nested = toy_experiment(tmp_path, "nested")  # an experiment with a nested key twice
    nested.write_text(nested.read_text().replace("  start_wealth: 2\n",
                                                 "  start_wealth: 2\n  start_wealth: 5\n"))
    results = tmp_path / "earlier"
    results.mkdir()
    (results / "summary.csv").write_text("seed\n0\n")
    return {
        "binary": binary, "empty": empty, "twice": twice, "nested": nested,
        "twice_line": len(BANG_SAO_THONG.read_text().splitlines()) + 1,
        "months_line": 1 + next(i for i, line in enumerate(
            BANG_SAO_THONG.read_text().splitlines()) if line.startswith("months:")),
        "folder": tmp_path, "results": results,
        "experiment": toy_experiment(tmp_path),
        "dict": write_experiment(tmp_path, "dict", model="builtins:dict", steps=2,
                                 design={"kind": "grid", "fields": {"n": [1]}}),
        "huge": toy_experiment(tmp_path, "huge", replicates=1, design={
            "kind": "grid", "fields": {"n": {"start": 1, "stop": 10_000_000, "step": 1}}}),
    }


CASES: list[tuple[list[str], str]] = [
    (["validate", "{binary}"], "{binary}: not a text file (UTF-8): byte 0x89 at position 0"),
    (["run", "{binary}"], "{binary}: not a text file (UTF-8): byte 0x89 at position 0"),
    (["sweep", "{binary}"], "{binary}: not a text file (UTF-8): byte 0x89 at position 0"),
    (["validate", "{folder}"], "{folder}: is a folder; give a YAML file"),
    (["run", "{folder}"], "{folder}: is a folder; give a YAML file"),
    (["validate", "{twice}"], "{twice}: key 'months' is given twice, on line {months_line} and "
     "line {twice_line}; keep one"),
    (["run", "{twice}"], "{twice}: key 'months' is given twice, on line {months_line} and "
     "line {twice_line}; keep one"),
    (["sweep", "{nested}"], "{nested}: key 'start_wealth' is given twice, on line 4 and line 5; "
     "keep one"),
    (["validate", "{empty}"], "{empty}: is empty; expected a YAML mapping of sections"),
    (["run", "{experiment}"], "{experiment}: this is an experiment file, not a scenario: run it "
     "with `se-sim sweep {experiment}`"),
    (["validate", "{experiment}", "--set", "n=3"], "--set: applies to scenario files; "
     "{experiment} is an experiment, whose fixed changes go under 'overrides:' (docs/sweeps.md)"),
    (["sweep", str(BANG_SAO_THONG)], f"{BANG_SAO_THONG}: this is a scenario file, not an "
     f"experiment: run it with `se-sim run {BANG_SAO_THONG}`, or sweep it from an experiment "
     "file that names it (scenario: ...; see docs/sweeps.md)"),
    (["sweep", "{dict}"], "{dict}: model = 'builtins:dict': not a Mesa model class (a subclass "
     "of mesa.Model)"),
    (["sweep", "{experiment}", "--out", "/proc/nope"], "--out /proc/nope: cannot create the "
     "folder: No such file or directory"),
    (["run", str(BANG_SAO_THONG), "--out", "/proc/nope/run"], "--out /proc/nope/run: cannot "
     "create the folder: No such file or directory"),
    (["run", str(BANG_SAO_THONG), "--out", "{results}"], "--out {results}: already holds "
     "files; choose another folder, or pass --force to overwrite the run's files there"),
    (["sweep", "{huge}"], "{huge}: design: 10,000,000 points x 1 replicates = 10,000,000 runs, "
     "more than the limit of 1,000,000; pass --max-runs 10000000 to run them all"),
    (["validate", "{huge}"], "{huge}: design: 10,000,000 points x 1 replicates = 10,000,000 "
     "runs, more than the limit of 1,000,000; pass --max-runs 10000000 to run them all"),
    (["sweep", "{experiment}", "--max-runs", "0"], "--max-runs 0: must be at least 1"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES)
def test_each_mistake_is_one_line_and_exit_2(
    argv: list[str], expected: str, files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([arg.format(**files) for arg in argv]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {expected.format(**files)}\n"


def test_dask_backend_without_dask_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import now fails
    assert main(["sweep", str(toy_experiment(tmp_path)), "--backend", "dask"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: --backend dask: Dask is not installed (")
    assert line.endswith("install it with pip install 'se_sim[dask]'")


def test_validate_says_which_kind_of_file_it_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(BANG_SAO_THONG)]) == 0
    assert "valid scenario 'bang_sao_thong' (" in capsys.readouterr().out
    assert main(["validate", str(toy_experiment(tmp_path))]) == 0
    assert capsys.readouterr().out == (
        f"{tmp_path / 'toy.yaml'}: valid experiment 'toy' (grid design of 4 points x 3 "
        f"replicates = 12 runs of the model {TOY})\n")


def test_ctrl_c_during_run_keeps_the_finished_replicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from se_sim.runner import replicates

    simulate = replicates.simulate
    calls = []

    def interrupted_at_the_third(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return simulate(*args, **kwargs)

    monkeypatch.setattr(replicates, "simulate", interrupted_at_the_third)
    out = tmp_path / "run"
    assert main(["run", str(BANG_SAO_THONG), "--replicates", "5", "--out", str(out), *SMALL]) \
        == 130
    captured = capsys.readouterr()
    assert captured.err.strip() == f"interrupted: 2 of 5 replicates finished; they are written " \
        f"to {out}"
    assert list(pd.read_csv(out / "summary.csv")["seed"]) == [0, 1]
    assert "2 replicate(s)" in captured.out


def test_ctrl_c_before_anything_ran_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from se_sim.runner import sweep

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "plan_sweep", interrupted)
    assert main(["sweep", str(toy_experiment(tmp_path))]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_an_unexpected_error_shows_its_traceback_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from se_sim.runner import sweep

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sweep, "plan_sweep", broken)
    experiment = toy_experiment(tmp_path)
    assert main(["sweep", str(experiment)]) == 3
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Traceback (most recent call last):"
    assert err[-2:] == [
        "error: se-sim stopped on an unexpected RuntimeError: a bug (a bug: please report it "
        "with the traceback above)",
        f"error: the runs that finished are stored; resume with: se-sim sweep {experiment} "
        "--resume",
    ]


def test_a_closed_output_pipe_ends_quietly(tmp_path: Path) -> None:
    """``se-sim sweep ... | head`` whose reader has gone: no BrokenPipeError, exit 141."""
    experiment = toy_experiment(tmp_path)
    command = (f"{sys.executable} -m se_sim.cli sweep {experiment} --out {tmp_path / 'out'} "
               "--backend serial --quiet | true; echo ${PIPESTATUS[0]} >&2")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=buffered)
    assert done.stderr.strip().splitlines() == ["141"]
    assert len(pd.read_parquet(tmp_path / "out" / "runs")) == 12  # the work is done and stored


def test_run_force_writes_into_a_folder_with_files(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = files["results"]
    assert main(["run", str(BANG_SAO_THONG), "--out", str(out), "--force", *SMALL]) == 0
    assert len(pd.read_csv(out / "summary.csv")) == 1 and (out / "steps.parquet").is_file()


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("se-sim 0.")
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ["(default: local)", "(default: the CPUs this process may use",
                   "(default: 1,000,000)", "examples: se-sim sweep experiments/smoke.yaml",
                   "dask: a Dask cluster"]:
        assert phrase in text
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "(default: 1)" in capsys.readouterr().out
    sweep_parser = _parser()._subparsers._group_actions[0].choices["sweep"]  # type: ignore[union-attr]
    assert sweep_parser.get_default("max_runs") == DEFAULT_MAX_RUNS


def test_a_model_experiment_without_report_shows_its_first_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = yaml_without_report(toy_experiment(tmp_path))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--backend", "serial",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "median gini by design point, with its 95% interval" in out
    assert "(no 'report:' set: the first summary; set 'report:' to choose):" in out
    assert "fund_inflow" not in out


def yaml_without_report(path: Path) -> Path:
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.splitlines()
                              if not line.startswith("report:")) + "\n", encoding="utf-8")
    return path

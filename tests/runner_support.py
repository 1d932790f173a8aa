"""Helpers for the runner tests: experiment files written on the fly, sweeps, comparable tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from se_sim.runner.executors import Backend
from se_sim.runner.experiment import load_experiment
from se_sim.runner.storage import RUNS, Shard, load_results
from se_sim.runner.sweep import WHOLE, SweepOutcome, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BANG_SAO_THONG = ROOT / "scenarios" / "bang_sao_thong.yaml"
TINY = {"households.count": 60, "households.leaders_per_1000_households": 500 / 3, "months": 6}
TOY = "tests.toy_models:BoltzmannWealth"


def write_experiment(folder: Path, name: str, **fields: Any) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, **fields}, sort_keys=False), encoding="utf-8")
    return path


def tiny_scenario_experiment(folder: Path, name: str = "tiny", **fields: Any) -> Path:
    """Bang Sao Thong at 60 households for 6 months: a 2 x 2 grid, 3 replicates, parts of 5 runs."""
    spec: dict[str, Any] = {
        "scenario": str(BANG_SAO_THONG),
        "overrides": TINY,
        "seed": 42,
        "replicates": 3,
        "design": {"kind": "grid", "fields": {"allocation.fund_share": [0.1, 0.5],
                                              "network.mean_degree": [2, 5]}},
        "keep_steps": ["members", "fund_balance_thb"],
        "flush": {"runs": 5},
        **fields,
    }
    return write_experiment(folder, name, **spec)


def toy_experiment(folder: Path, name: str = "toy", **fields: Any) -> Path:
    """The Boltzmann toy model over n = 10, 20, 30, 40 with 3 replicates of 8 steps."""
    spec: dict[str, Any] = {
        "model": TOY,
        "parameters": {"start_wealth": 2},
        "steps": 8,
        "seed": 3,
        "replicates": 3,
        "design": {"kind": "grid", "fields": {"n": [10, 20, 30, 40]}},
        "keep_steps": "all",
        "report": "gini",
        "flush": {"runs": 4},
        **fields,
    }
    return write_experiment(folder, name, **spec)


def sweep(experiment: Path, out: Path, backend: Backend = "serial", workers: int = 1,
          shard: Shard = WHOLE, resume: bool = False) -> SweepOutcome:
    return run_sweep(load_experiment(experiment), out, backend, workers, shard=shard,
                     resume=resume)


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored runs and steps without the one column allowed to differ: wall time."""
    runs, steps = load_results(out)
    return runs.drop(columns="wall_time_s"), steps


def assert_same_tables(left: Path, right: Path) -> None:
    for a, b in zip(tables(left), tables(right), strict=True):
        pd.testing.assert_frame_equal(a, b)


def interrupt_after_first_part(command: str, experiment: Path, out: Path) -> tuple[int, str]:
    """Run ``se-sim COMMAND EXPERIMENT --out OUT`` on 2 local workers, send Ctrl-C (SIGINT to its
    process group) once a runs part is stored; its exit code and standard error."""
    argv = [sys.executable, "-m", "se_sim.cli", command, str(experiment), "--out", str(out),
            "--backend", "local", "--workers", "2", "--quiet"]
    # Ctrl-C's default action, whatever the tests inherited: a shell starts a background job
    # (``make test &``) with SIGINT ignored, and Python keeps an ignored SIGINT ignored
    process = subprocess.Popen(argv, cwd=ROOT, start_new_session=True, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while (not list((out / RUNS).glob("part-*.parquet")) and process.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr

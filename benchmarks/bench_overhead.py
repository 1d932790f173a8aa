"""Per-run cost of the runner for a model that does nothing: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_overhead.py [--runs 2000 20000] [--repeat 2] [--work-ms 0]

A model with one step that does nothing and a ``summary()``, swept with ``keep_steps: none``
serially and on 2 local workers. The cost per run is the time added between a sweep of the
first and of the second number of runs, so that start-up (fingerprint, manifest, pool) cancels
out; a plain loop that builds and steps the same model as often is the floor. Each sweep runs in
a fresh child process. ``--work-ms`` gives each run that much busy work instead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETUPS = {"serial": ("serial", 1), "2 workers": ("local", 2)}


class Idle(mesa.Model):
    """Does nothing, so that all the time a sweep takes is the runner's."""

    def __init__(self, x: int = 0, work_ms: float = 0.0, rng: int | None = None):
        super().__init__(rng=rng)
        self.x = x
        self.work_ms = work_ms

    def step(self) -> None:
        until = time.perf_counter() + self.work_ms / 1000
        while time.perf_counter() < until:
            pass

    def summary(self) -> dict[str, int]:
        return {"x": self.x}


def sweep_seconds(backend: str, workers: int, runs: int, work_ms: float) -> float:
    from se_sim.runner import load_experiment, run_sweep

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "idle.yaml"
        spec = {"name": "idle", "model": "bench_overhead:Idle", "steps": 1, "seed": 1,
                "parameters": {"work_ms": work_ms},
                "replicates": runs // 2, "design": {"kind": "grid", "fields": {"x": [0, 1]}},
                "keep_steps": "none", "flush": {"runs": 5000, "seconds": 30}}
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        experiment = load_experiment(path)
        start = time.perf_counter()
        outcome = run_sweep(experiment, Path(folder) / "out", backend, workers)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
    assert outcome.ok == runs, outcome.first_error
    return elapsed


def loop_seconds(runs: int, work_ms: float) -> float:
    start = time.perf_counter()
    for seed in range(runs):
        model = Idle(seed % 2, work_ms, rng=seed)
        model.step()
        model.summary()
    return time.perf_counter() - start


def measure(name: str, runs: int, work_ms: float) -> float:
    """Seconds for ``runs`` runs of ``name`` (a setup or "loop") in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--child", name, str(runs), str(work_ms)],
                          check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs=2, default=[2000, 20000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work-ms", type=float, default=0.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, runs, work_ms = args.child[0], int(args.child[1]), float(args.child[2])
        seconds = (loop_seconds(runs, work_ms) if name == "loop"
                   else sweep_seconds(*SETUPS[name], runs, work_ms))
        print(json.dumps(seconds))
        return
    few, many = args.runs
    what = f"{args.work_ms:g} ms of busy work" if args.work_ms else "a do-nothing model"
    print(f"ms per run added between sweeps of {few:,} and {many:,} runs of {what}")
    for name in ["loop", *SETUPS]:
        tries = []
        for _ in range(args.repeat):
            added = measure(name, many, args.work_ms) - measure(name, few, args.work_ms)
            tries.append(added / (many - few) * 1000)
        shown = ", ".join(f"{t:.3f}" for t in tries)
        print(f"  {name:10s} {min(tries):.3f} ms a run (tries: {shown})")


if __name__ == "__main__":
    main()

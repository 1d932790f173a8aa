"""The benchmark scripts run and print their figures (timings are theirs to print, not tested)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_the_model_benchmark_prints_every_figure_it_promises() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_model.py"), "--sizes", "200",
         "--months", "3", "--repeat", "1", "--sweep-runs", "2", "--all-mechanisms", "300"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    size_row = next(line.split() for line in done.stdout.splitlines()
                    if line.split()[:1] == ["200"])
    assert float(size_row[3]) > 0  # households, ours/s, Boltzmann/s, cost ratio, seconds
    figures = re.findall(r"^  se_sim .* cost ratio (\d+\.\d+) \(goal <= (1\.5|1)\)$",
                         done.stdout, re.M)
    assert [goal for _, goal in figures] == ["1.5", "1"], done.stdout
    assert "main job in a serial sweep (2 runs of 1,000 households" in done.stdout
    assert "every mechanism on (enterprise_network.yaml with the funds of" in done.stdout

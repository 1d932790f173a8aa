"""``se-sim run``: the files it writes, their columns and rows, and where it writes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from se_sim.analysis.labels import metric_label
from se_sim.analysis.plots import LABELS, PANELS, series_label
from se_sim.analysis.run_report import outcome_table
from se_sim.cli import main
from se_sim.model.metrics import MONTHLY
from se_sim.runner.replicates import run_replicates
from se_sim.scenario import load_scenario
from tests.conftest import BANG_SAO_THONG

SUMMARY_COLUMNS = [
    "seed", "founding_leaders", "garden_households_end_of_shock", "fund_inflow_total_thb",
    "fund_unique_beneficiaries", "cross_group_tie_share_start", "cross_group_tie_share_end",
    "outgroup_trust_start", "outgroup_trust_end", "active_enterprises_end",
]
SMALL = ["--set", "households.count=150", "--months", "8"]


def test_run_writes_every_output(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["run", str(BANG_SAO_THONG), "--seed", "5", "--replicates", "3", "--out", str(out),
                 "--quiet", *SMALL])
    assert code == 0
    printed = capsys.readouterr().out
    assert metric_label("fund_inflow_total_thb") in printed and str(out) in printed
    steps = pd.read_parquet(out / "steps.parquet")
    assert len(steps) == 3 * 9  # months 0..8 for each replicate
    assert set(MONTHLY) <= set(steps.columns)
    pd.testing.assert_frame_equal(steps, pd.read_csv(out / "steps.csv"), check_dtype=False)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["seed"]) == [5, 6, 7]
    assert set(SUMMARY_COLUMNS) <= set(summary.columns)
    document = json.loads((out / "summary.json").read_text())
    assert document["seeds"] == [5, 6, 7]
    assert document["scenario"]["households"]["count"] == 150
    assert len(document["replicates"]) == 3
    assert (out / "outcomes.png").stat().st_size > 10_000


def test_run_without_out_makes_a_new_folder_under_results(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert main(["run", str(BANG_SAO_THONG), "--quiet", *SMALL]) == 0
    folders = sorted((tmp_path / "results").iterdir())
    assert len(folders) == 2 and all((f / "summary.csv").exists() for f in folders)


def test_another_process_gives_identical_steps(tmp_path: Path) -> None:
    """The same scenario and seed give the same table in a fresh interpreter."""
    out = tmp_path / "sub"
    cmd = [sys.executable, "-m", "se_sim.cli", "run", str(BANG_SAO_THONG), "--seed", "11",
           "--out", str(out), "--quiet", *SMALL]
    subprocess.run(cmd, check=True, capture_output=True)
    scenario = load_scenario(BANG_SAO_THONG, ["households.count=150", "months=8"])
    here = run_replicates(scenario, [11], progress=False).steps
    pd.testing.assert_frame_equal(pd.read_parquet(out / "steps.parquet"), here)


@pytest.mark.parametrize("args", [["validate", "missing.yaml"], ["run", "missing.yaml"]])
def test_console_errors_have_no_traceback(args: list[str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "se_sim.cli", *args], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: missing.yaml: no such file"


def test_outcome_table_prints_each_kind_of_number_one_way() -> None:
    one = pd.DataFrame({"founding_leaders": [30.0], "fund_inflow_total_thb": [10_234.6],
                        "fund_unique_beneficiaries": [36.0], "cross_group_tie_share_end": [0.4]})
    lines = outcome_table(one).splitlines()
    assert lines[1].split() == ["outcome", "value"]  # one replicate: no spread to show
    values = _by_label(lines[3:])
    assert values[metric_label("founding_leaders")] == ["30"]
    assert values[metric_label("fund_inflow_total_thb")] == ["10,235"]
    assert values[metric_label("fund_unique_beneficiaries")] == ["36"]
    assert values[metric_label("cross_group_tie_share_end")] == ["0.400"]
    assert values[metric_label("members_end")] == ["n/a"]
    many = pd.DataFrame({"founding_leaders": [30.0, 30.0, 31.0, 29.0],
                         "fund_unique_beneficiaries": [35.0, 36.0, 1_070.0, 1_078.0]})
    lines = outcome_table(many).splitlines()
    assert lines[1].split() == ["outcome", "median", "5%", "95%"]
    values = _by_label(lines[3:])
    assert values[metric_label("founding_leaders")] == ["30", "29.1", "30.9"]
    assert values[metric_label("fund_unique_beneficiaries")] == ["553", "35.1", "1,077"]


def _by_label(lines: list[str]) -> dict[str, list[str]]:
    """Rows of the outcome table by their label (labels hold spaces; values are 2 spaces apart)."""
    return {parts[0]: parts[1:] for line in lines if line
            for parts in [[p.strip() for p in line.split("  ") if p.strip()]]
            if len(parts) > 1 and not line.startswith("events")}


def test_events_are_shares_with_intervals_and_months_among_them() -> None:
    summary = pd.DataFrame({"closed_month": [6.0, 8.0] + [float("nan")] * 18,
                            "members_end": [3.0] * 20})
    text = outcome_table(summary)
    assert "nan" not in text.lower()
    line = next(line for line in text.splitlines() if line.startswith("an enterprise closed"))
    low, high = stats.binomtest(2, 20).proportion_ci(0.95, method="wilson")
    assert f"2 of 20 runs (10%, 95% CI {low:.0%} to {high:.0%})" in line
    assert "median month 7 among them" in line
    assert metric_label("closed_month") not in text  # not a median over the runs without it


def test_plot_legends_are_words() -> None:
    plotted = [column for _, columns in PANELS for column in columns]
    assert all(series_label(c) != c and "_" not in series_label(c) for c in plotted)
    assert set(LABELS) <= set(MONTHLY)

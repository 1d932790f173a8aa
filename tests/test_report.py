"""``se-sim report``: the files it writes, their numbers against the runs, the page, the errors."""

from __future__ import annotations

import html
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from se_sim.analysis.rerun import StoredDesign
from se_sim.analysis.sweep_results import read_sweep
from se_sim.cli import main
from se_sim.runner import load_runs
from tests.report_support import grid_folder, offline_page, variants_folder
from tests.runner_support import sweep, tiny_scenario_experiment, toy_experiment

SUMMARY_COLUMNS = ["point_id", "point", "variant", "metric", "n", "mean", "sd", "median",
                   "ci_low", "ci_high", "ci_method"]
CONTRAST_COLUMNS = ["point_id", "point", "baseline", "metric", "n_pairs", "n", "n_baseline",
                    "baseline_mean", "mean", "mean_diff", "ci_low", "ci_high", "p_value",
                    "ci_method"]


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Path:
    return variants_folder(tmp_path_factory.mktemp("variants"))


@pytest.fixture(scope="module")
def variants_report(variants: Path) -> tuple[Path, str]:
    """The report of the variants folder, written once; (its folder, what the command printed)."""
    from contextlib import redirect_stdout
    from io import StringIO

    printed = StringIO()
    with redirect_stdout(printed):
        code = main(["report", str(variants), "--discover", "fund_inflow_total_thb > 1000"])
    assert code == 0
    return variants / "report", printed.getvalue()


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> Path:
    return grid_folder(tmp_path_factory.mktemp("grid"))


def test_variants_report_writes_its_files(variants_report: tuple[Path, str]) -> None:
    out, printed = variants_report
    for name in ["report.html", "summary_by_point.csv", "contrasts.csv", "discovery.csv",
                 "contrasts.png", "time_series.png", "survival.png", "network.png",
                 "who_benefits.png", "who_benefits.csv"]:
        assert (out / name).stat().st_size > 0, name
    assert not (out / "sensitivity.csv").exists()  # a variants design has no indices
    assert list(pd.read_csv(out / "summary_by_point.csv").columns) == SUMMARY_COLUMNS
    assert list(pd.read_csv(out / "contrasts.csv").columns) == CONTRAST_COLUMNS
    assert "Against baseline" in printed and f"report written to {out / 'report.html'}" in printed
    assert "each on the same seeds (common random numbers)" in printed


def test_summary_agrees_with_the_runs(variants: Path, variants_report: tuple[Path, str]) -> None:
    runs = load_runs(variants)
    table = pd.read_csv(variants_report[0] / "summary_by_point.csv")
    row = table[(table["variant"] == "grant") & (table["metric"] == "fund_inflow_total_thb")]
    values = runs.loc[runs["variant"] == "grant", "fund_inflow_total_thb"].to_numpy()
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    assert row["n"].item() == 4 and row["mean"].item() == pytest.approx(values.mean())
    assert row["ci_low"].item() == pytest.approx(values.mean() - half)
    assert row["ci_high"].item() == pytest.approx(values.mean() + half)
    expected = {"fund_inflow_total_thb", "members_end", "outgroup_trust_end"}
    assert expected <= set(table["metric"])  # the report metric and the case's outcomes


def test_contrasts_are_paired_differences_of_replicates(
    variants: Path, variants_report: tuple[Path, str]
) -> None:
    runs = load_runs(variants).set_index(["variant", "replicate"])["fund_inflow_total_thb"]
    table = pd.read_csv(variants_report[0] / "contrasts.csv")
    inflow = table[table["metric"] == "fund_inflow_total_thb"].set_index("point")
    diff = (runs["bridging"] - runs["baseline"]).to_numpy()
    half = stats.t.ppf(0.975, 3) * diff.std(ddof=1) / 2
    row = inflow.loc["bridging"]
    assert row["n_pairs"] == 4 and row["baseline"] == "baseline"
    assert row["mean_diff"] == pytest.approx(diff.mean())
    assert row["ci_low"] == pytest.approx(diff.mean() - half)
    assert row["ci_method"] == "paired t on common random numbers, 3 df"
    # the 3,000 THB grant adds about 3,000 THB in every pair (the grants it pays change what
    # their recipients donate by a few baht; test_statistics checks pairs that differ exactly)
    grant = inflow.loc["grant"]
    assert grant["mean_diff"] == pytest.approx(3000, abs=30)
    assert grant["ci_high"] - grant["ci_low"] < 30


def test_page_is_one_self_contained_file(variants_report: tuple[Path, str]) -> None:
    out, _ = variants_report
    page = (out / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    images = re.findall(r'<img[^>]*src="([^"]{0,30})', page)
    assert len(images) >= 5 and all(s.startswith("data:image/png;base64,") for s in images)
    assert "<b>grant</b> raises inflow to the vulnerable fund by" in page
    assert "<h2>Scenario discovery: fund_inflow_total_thb &gt; 1000</h2>" in page


def test_discovery_bounds_the_variant(variants_report: tuple[Path, str]) -> None:
    boxes = pd.read_csv(variants_report[0] / "discovery.csv")
    assert set(boxes["rule"]) == {"fund_inflow_total_thb > 1000"}
    assert set(boxes["parameter"]) <= {"variant"} and "grant" in boxes["values"].iloc[0]


def test_grid_report_has_heatmaps_and_no_contrasts(grid: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "grid_report"
    metrics = ["fund_inflow_total_thb", "members_end"]
    assert main(["report", str(grid), "--out", str(out), "--metric", *metrics]) == 0
    assert "What moves inflow to the vulnerable fund" in capsys.readouterr().out
    assert {f"heatmap_{m}.png" for m in metrics} <= {p.name for p in out.iterdir()}
    assert not (out / "contrasts.csv").exists()  # independent seeds: nothing is paired
    summary = pd.read_csv(out / "summary_by_point.csv")
    assert len(summary) == 8 * 2 and set(summary["n"]) == {2}
    assert {"allocation.fund_share", "network.mean_degree", "network.homophily"} <= set(summary)


def test_a_rerun_reproduces_every_stored_run(variants: Path, grid: Path) -> None:
    """The household pictures come from runs rebuilt from the manifest and the seed."""
    for folder in (variants, grid):
        results = read_sweep(folder)
        stored = StoredDesign(results)
        assert stored.note == ""
        for row in results.ok.groupby("point_id").head(1).itertuples():
            again = stored.rerun(row.point_id, row.seed, "again")
            assert again.summary["fund_inflow_total_thb"] == row.fund_inflow_total_thb
            assert again.summary["members_end"] == row.members_end
            assert len(again.households) == 60 and not again.missing
            assert again.graph_start.number_of_nodes() == 60


def test_a_mesa_model_sweep_is_reported_with_what_it_has(tmp_path: Path) -> None:
    out = tmp_path / "toy"
    sweep(toy_experiment(tmp_path), out)
    assert main(["report", str(out)]) == 0
    page = html.unescape((out / "report" / "report.html").read_text())
    assert "None of the case's outcomes are in these results" in page
    assert "a Mesa-model experiment: there are no households to look inside" in page
    assert "No survival curves" in page
    summary = pd.read_csv(out / "report" / "summary_by_point.csv")
    assert set(summary["metric"]) == {"gini", "richest"}


def test_sweep_prints_the_report_command(tmp_path: Path, capsys) -> None:
    out = tmp_path / "smoke"
    experiment = tiny_scenario_experiment(tmp_path, replicates=1)
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial",
                 "--quiet"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"report: se-sim report {out}")


@pytest.mark.parametrize(("args", "message"), [
    (["--metric", "fund_inflow"], "--metric fund_inflow: not a summary metric in {folder}; did "
                                  "you mean 'fund_inflow_total_thb'?"),
    (["--baseline", "grnat"], "--baseline grnat: not a variant of tiny_variants; did you mean "
                              "'grant'? (variants: baseline, grant, bridging)"),
    (["--discover", "fund_inflow_total_thb ~ 5"], "--discover 'fund_inflow_total_thb ~ 5': "
                                                  "expected METRIC < VALUE"),
    (["--discover", "fund_inflw_total_thb < 5"], "did you mean 'fund_inflow_total_thb'?"),
])
def test_bad_options_are_one_line_and_exit_2(variants: Path, args: list[str], message: str,
                                             capsys) -> None:
    assert main(["report", str(variants), "--out", str(variants / "bad"), *args]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message.format(folder=variants) in error
    assert not (variants / "bad").exists()  # nothing written before the input is checked


def test_folders_without_results_are_refused(grid: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no sweep results (no manifest.json)" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["report", str(grid), "--baseline", "x"]) == 2
    assert "names a variant, but" in capsys.readouterr().err


def test_baseline_can_be_any_variant(variants: Path, tmp_path: Path) -> None:
    out = tmp_path / "against_grant"
    assert main(["report", str(variants), "--out", str(out), "--baseline", "grant",
                 "--metric", "fund_inflow_total_thb"]) == 0
    table = pd.read_csv(out / "contrasts.csv")
    assert set(table["baseline"]) == {"grant"} and set(table["point"]) == {"baseline", "bridging"}
    assert np.all(table.loc[table["point"] == "baseline", "mean_diff"] < 0)



ARTIFACTS = Path(__file__).resolve().parents[1] / "results" / "test-artifacts"


def test_page_renders_offline_in_headless_chromium(variants_report: tuple[Path, str],
                                                   tmp_path: Path) -> None:
    """Debian's chromium (scripts/ensure-browser) opens the page with the network blocked: every
    image shows, nothing is fetched, and the answer and its figure are on the first screen."""
    out, _ = variants_report
    shot = tmp_path / "report-first-screen.png"
    with offline_page()(out / "report.html") as (page, requested):
        loaded = page.evaluate("Array.from(document.images).map(i => i.complete && "
                               "i.naturalWidth > 0)")
        answer = page.locator("#answer").bounding_box()
        figure = page.locator("#lead img").bounding_box()
        text = page.locator("#answer").inner_text()
        page.screenshot(path=shot)
    assert len(loaded) >= 5 and all(loaded)
    assert [url for url in requested if not url.startswith(("file:", "data:"))] == []
    assert answer["y"] + answer["height"] < 800 and figure["y"] < 800 - 150
    assert "grant raises inflow to the vulnerable fund by" in text
    assert shot.stat().st_size > 20_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    print(f"screenshot: {ARTIFACTS / shot.name}")


def test_failed_runs_are_left_out_and_said_so(tmp_path: Path) -> None:
    out = tmp_path / "failing"
    experiment = toy_experiment(tmp_path, "failing", parameters={"fail_above": 25})
    assert sweep(experiment, out).failed == 6  # n = 30 and n = 40, 3 replicates each
    assert main(["report", str(out)]) == 0
    page = (out / "report" / "report.html").read_text()
    assert "6 runs ok, 6 failed and left out" in page
    summary = pd.read_csv(out / "report" / "summary_by_point.csv")
    assert sorted(summary["point"].unique()) == ["n: 10", "n: 20"]

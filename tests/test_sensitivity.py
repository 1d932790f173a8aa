"""Sensitivity indices on functions whose indices are known."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample

from se_sim.analysis.sensitivity import sensitivity_indices, standardised_regression
from se_sim.analysis.sweep_results import SweepResults, read_sweep
from se_sim.cli import main
from tests.runner_support import sweep, write_experiment

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def sampled_results(kind: str, x: np.ndarray, y: np.ndarray, design: dict) -> SweepResults:
    """Two replicates per point, at y - e and y + e with a large random e, so that only their
    mean is y: indices from one replicate alone would be far off."""
    names = ISHIGAMI["names"]
    points = np.repeat(np.arange(len(y)), 2)
    noise = np.random.default_rng(1).normal(0, 5, len(y))[points] * np.tile([-1.0, 1.0], len(y))
    runs = pd.DataFrame(x[points], columns=names).assign(
        run_id=np.arange(points.size), point_id=points, replicate=np.tile([0, 1], len(y)),
        seed=np.arange(points.size), status="ok", y=y[points] + noise)
    manifest = {"experiment": {"resolved": {"name": kind, "design": design, "seed": 1}},
                "design": {"kind": kind, "swept": names, "points": len(y), "problem": ISHIGAMI}}
    return SweepResults(Path(kind), manifest, True, runs, pd.DataFrame())


def test_sobol_indices_of_the_ishigami_function() -> None:
    x = sobol_sample.sample(ISHIGAMI, 1024, calc_second_order=False, seed=7)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    found = sensitivity_indices(sampled_results("sobol", x, y, {"kind": "sobol",
                                                                "second_order": False}))
    table = found.table.set_index("parameter")
    # analytic values (Ishigami a = 7, b = 0.1): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    assert table["S1"].tolist() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert table["ST"].tolist() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert list(found.table.columns) == ["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]


def test_standardised_regression_of_a_linear_function() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (400, 2))
    result = standardised_regression(x, 3 * x[:, 0] - x[:, 1])
    # equal spreads: coefficients 3 and -1 over the outcome's sd sqrt(3² + 1²) times the x sd
    scale = x.std(axis=0) / (3 * x[:, 0] - x[:, 1]).std()
    assert result["src"] == pytest.approx([3 * scale[0], -scale[1]], abs=1e-9)
    assert result["r2"][0] == pytest.approx(1.0)
    assert np.all(result["src_ci_low"] <= result["src"])


def test_morris_on_a_known_linear_model_through_the_runner(tmp_path: Path) -> None:
    """y = 2a + 5b + 0c: mu* is the coefficient times the parameter's range, sigma is 0."""
    experiment = write_experiment(
        tmp_path, "linear_morris", model="tests.toy_models:LinearToy", steps=1, seed=5,
        replicates=2, parameters={"noise": 0.001},
        design={"kind": "morris", "trajectories": 6, "levels": 4,
                "bounds": {"a": [0, 1], "b": [0, 2], "c": [0, 1]}},
        report="y")
    out = tmp_path / "out"
    assert sweep(experiment, out).ok == 6 * 4 * 2
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    table = pd.read_csv(tmp_path / "report" / "sensitivity.csv")
    assert list(table.columns) == ["metric", "parameter", "mu_star", "mu_star_conf", "sigma"]
    y = table[table["metric"] == "y"].set_index("parameter")
    assert y["mu_star"].tolist() == pytest.approx([2.0, 10.0, 0.0], abs=0.02)
    assert y["sigma"].tolist() == pytest.approx([0.0, 0.0, 0.0], abs=0.02)
    assert set(table["metric"]) == {"y", "y_squared"}  # every summary metric
    assert (tmp_path / "report" / "sensitivity_y.png").stat().st_size > 5_000
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Morris screening: it reacts most to <b>b" in page


def test_sobol_design_through_the_runner_ranks_the_parameters(tmp_path: Path) -> None:
    experiment = write_experiment(
        tmp_path, "linear_sobol", model="tests.toy_models:LinearToy", steps=1, seed=5,
        design={"kind": "sobol", "samples": 64, "second_order": False,
                "bounds": {"a": [0, 1], "b": [0, 1], "c": [0, 1]}},
        report="y")
    out = tmp_path / "out"
    sweep(experiment, out)
    found = sensitivity_indices(read_sweep(out))
    y = found.table[found.table["metric"] == "y"].set_index("parameter")
    # variance shares of 2a + 5b: 4/29 and 25/29
    assert y["ST"].tolist() == pytest.approx([4 / 29, 25 / 29, 0.0], abs=0.1)


def test_other_designs_have_no_indices() -> None:
    x = np.zeros((4, 3))
    assert sensitivity_indices(sampled_results("grid", x, np.arange(4.0), {"kind": "grid"})) \
        is None


def test_latin_hypercube_gets_regression_coefficients(tmp_path: Path) -> None:
    experiment = write_experiment(
        tmp_path, "linear_lhs", model="tests.toy_models:LinearToy", steps=1, seed=5,
        design={"kind": "lhs", "samples": 40, "bounds": {"a": [0, 1], "b": [0, 1], "c": [0, 1]}},
        report="y")
    out = tmp_path / "out"
    sweep(experiment, out)
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    table = pd.read_csv(tmp_path / "report" / "sensitivity.csv")
    assert list(table.columns) == ["metric", "parameter", "src", "src_ci_low", "src_ci_high",
                                   "r2"]
    y = table[table["metric"] == "y"].set_index("parameter")
    assert y.loc["b", "src"] > y.loc["a", "src"] > 0.2 and abs(y.loc["c", "src"]) < 0.01
    assert y["r2"].iloc[0] == pytest.approx(1.0)
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Standardised regression (a linear fit explains 100% of its variance)" in page

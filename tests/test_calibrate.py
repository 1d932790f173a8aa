"""``se-sim calibrate``: ABC on the sweep runner finds a known answer, tells an irrelevant
parameter from constrained ones, reproduces on every backend, resumes, and refuses bad targets."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from se_sim.analysis.calibrate import (
    FOLDER,
    accept,
    calibrate_command,
    constraint_label,
    narrow,
    score_points,
)
from se_sim.cli import main
from se_sim.runner.experiment import Acceptance, Target, load_experiment
from se_sim.runner.storage import RUNS, load_runs
from se_sim.scenario import load_scenario
from tests.runner_support import ROOT, TOY, interrupt_after_first_part, write_experiment

FILES = ["scores.csv", "accepted.csv", "posterior.csv", "parameters.csv", "best.yaml",
         "calibration.json"]
TARGETS = {"total": {"value": 6, "tolerance": 1}, "difference": {"value": 0, "tolerance": 1}}


def known_answer(folder: Path, name: str = "known", **fields: Any) -> Path:
    """tests.toy_models:KnownAnswer, priors a, b, c in [0, 10]: the answer is a = b = 3 and c
    is free. 200 points x 2 replicates, two rounds accepting the nearest 15% (30 sets)."""
    spec: dict[str, Any] = {
        "model": "tests.toy_models:KnownAnswer",
        "steps": 1,
        "seed": 5,
        "replicates": 2,
        "design": {"kind": "lhs", "samples": 200,
                   "bounds": {"a": [0, 10], "b": [0, 10], "c": [0, 10]}},
        "keep_steps": "none",
        "flush": {"runs": 100},
        "targets": TARGETS,
        "calibration": {"accept": {"quantile": 0.15}, "rounds": 2},
        **fields,
    }
    return write_experiment(folder, name, **spec)


def run_calibrate(experiment: Path, out: Path, *options: str) -> int:
    return main(["calibrate", str(experiment), "--out", str(out), "--quiet", *options])


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / FOLDER / name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The known-answer experiment and its serial calibration."""
    folder = tmp_path_factory.mktemp("known")
    experiment = known_answer(folder)
    assert run_calibrate(experiment, folder / "serial", "--backend", "serial") == 0
    return experiment, folder / "serial"


def test_accepts_sets_near_the_known_answer(reference: tuple[Path, Path]) -> None:
    out = reference[1]
    posterior = read(out, "parameters.csv").set_index("parameter")
    assert posterior.loc[["a", "b"], "median"].sub(3).abs().max() < 0.3
    assert list(posterior["label"]) == ["constrained", "constrained", "not constrained"]
    assert (posterior.loc[["a", "b"], "constraint"] > 0.6).all()
    assert posterior.loc["c", "q95"] - posterior.loc["c", "q05"] > 7  # c spans its prior
    accepted = read(out, "accepted.csv")
    assert len(accepted) == 30 and (accepted["round"] == 2).all()
    sample = read(out, "posterior.csv")  # what an experiment's uncertainty: posterior: draws
    pd.testing.assert_frame_equal(sample, accepted[["a", "b", "c"]].assign(weight=1.0))
    assert accepted[["a", "b"]].sub(3).abs().to_numpy().max() < 1.5
    rounds = json.loads((out / FOLDER / "calibration.json").read_text())["rounds"]
    assert [r["folder"] for r in rounds] == [".", "round-2"]
    box = rounds[1]["bounds"]
    assert box["a"][1] - box["a"][0] < 7 and box["b"][1] - box["b"][0] < 7  # narrowed
    assert box["c"][1] - box["c"][0] > 9  # the free parameter keeps (nearly) its prior
    assert rounds[1]["threshold"] < rounds[0]["threshold"]
    seeds = [set(load_runs(out / r["folder"])["seed"]) for r in rounds]
    assert len(seeds[0]) == len(seeds[1]) == 400 and not seeds[0] & seeds[1]
    best = yaml.safe_load((out / FOLDER / "best.yaml").read_text())["overrides"]
    [row] = accepted[accepted["a"] == best["a"]].to_dict("records")  # a set that was run
    assert {name: row[name] for name in "abc"} == best
    assert abs(best["a"] - 3) < 0.4 and abs(best["b"] - 3) < 0.4  # central, not an outlier
    assert abs(best["c"] - posterior.loc["c", "median"]) < 2.5


def test_every_point_is_scored_on_its_replicate_mean(reference: tuple[Path, Path]) -> None:
    out = reference[1]
    scores = read(out, "scores.csv")
    assert len(scores) == 400 and list(scores["round"].unique()) == [1, 2]
    runs = load_runs(out / "round-2")
    means = runs.groupby("point_id")[["total", "difference"]].mean()
    second = scores[scores["round"] == 2].set_index("point_id")
    pd.testing.assert_frame_equal(second[["total", "difference"]], means, check_names=False)
    assert np.allclose(second["distance"], second["total"].sub(6) ** 2 + second["difference"] ** 2)
    first = scores[scores["round"] == 1]
    nearest = first.nsmallest(30, "distance")["point_id"]
    assert set(first.loc[first["accepted"], "point_id"]) == set(nearest)


def test_same_seed_gives_the_same_files_on_the_local_backend(
    reference: tuple[Path, Path], tmp_path: Path
) -> None:
    experiment, serial = reference
    assert run_calibrate(experiment, tmp_path / "local", "--backend", "local",
                         "--workers", "2") == 0
    for name in FILES:
        assert (tmp_path / "local" / FOLDER / name).read_bytes() == \
            (serial / FOLDER / name).read_bytes(), name
    other = known_answer(tmp_path, "reseeded", seed=6)
    assert run_calibrate(other, tmp_path / "reseeded", "--backend", "serial") == 0
    assert not read(tmp_path / "reseeded", "scores.csv").equals(read(serial, "scores.csv"))


def test_reuses_a_sweep_and_resumes_each_round(
    reference: tuple[Path, Path], tmp_path: Path
) -> None:
    experiment, serial = reference
    out = tmp_path / "resumed"
    # Half of round 1 stored by `se-sim sweep` (a sweep's folder is round 1's folder)...
    assert main(["sweep", str(experiment), "--out", str(out), "--backend", "serial",
                 "--shard", "0/2", "--quiet"]) == 0
    # ... and a calibration interrupted in round 2: run it, then drop a stored part.
    result = calibrate_command(experiment, out, "serial", progress=False)
    assert result.rounds[0].sweep.stored_before == 200
    parts = sorted((out / "round-2" / RUNS).glob("part-*.parquet"))
    assert len(parts) == 1  # compacted at the end of the round
    runs = pd.read_parquet(parts[0])
    assert len(runs) == 400
    runs[runs["run_id"] < 300].to_parquet(parts[0])  # as if the round stopped after 300 runs
    shutil.rmtree(out / FOLDER)
    again = calibrate_command(experiment, out, "local", 2, progress=False)
    assert [(r.sweep.stored_before, r.sweep.ok) for r in again.rounds] == [(400, 0), (300, 100)]
    for name in FILES:
        assert (out / FOLDER / name).read_bytes() == (serial / FOLDER / name).read_bytes(), name


def test_a_sobol_prior_is_refined_with_latin_hypercubes_of_as_many_points(
    tmp_path: Path,
) -> None:
    design = {"kind": "sobol", "samples": 16, "second_order": False,
              "bounds": {"a": [0, 10], "b": [0, 10]}}
    experiment = known_answer(tmp_path, "sobol", design=design)
    assert run_calibrate(experiment, tmp_path / "out", "--backend", "serial") == 0
    rounds = json.loads((tmp_path / "out" / FOLDER / "calibration.json").read_text())["rounds"]
    assert [r["points"] for r in rounds] == [64, 64]  # 16 x (2 + 2)
    manifest = json.loads((tmp_path / "out" / "round-2" / "manifest.json").read_text())
    assert manifest["design"]["kind"] == "lhs"
    assert manifest["experiment"]["given"]["design"]["bounds"] == rounds[1]["bounds"]
    posterior = read(tmp_path / "out", "parameters.csv").set_index("parameter")
    assert posterior["median"].sub(3).abs().max() < 0.5


def test_ctrl_c_stops_a_round_and_a_rerun_finishes_the_calibration(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) keeps finished runs, exits 130, says how to resume."""
    experiment = write_experiment(
        tmp_path, "slow", model=TOY, parameters={"n": 20, "pause_s": 0.02}, steps=8, seed=3,
        replicates=2, keep_steps="none", flush={"runs": 2},
        design={"kind": "lhs", "samples": 12, "bounds": {"start_wealth": [1, 5]}},
        targets={"gini": {"value": 0.3, "tolerance": 0.1}},
        calibration={"accept": {"quantile": 0.25}, "rounds": 2})
    out = tmp_path / "interrupted"
    code, stderr = interrupt_after_first_part("calibrate", experiment, out)
    assert code == 130, stderr
    assert f"se-sim calibrate {experiment} --out {out}" in stderr
    assert not (out / FOLDER).exists()
    stored = len(load_runs(out))
    assert 0 < stored < 24
    result = calibrate_command(experiment, out, "local", 2, progress=False)
    assert result.rounds[0].sweep.stored_before == stored and len(result.rounds) == 2
    calibrate_command(experiment, tmp_path / "reference", "local", 2, progress=False)
    for name in FILES:
        assert (out / FOLDER / name).read_bytes() == \
            (tmp_path / "reference" / FOLDER / name).read_bytes(), name


def test_targets_and_acceptance_are_not_part_of_the_experiment_identity(tmp_path: Path) -> None:
    plain = load_experiment(known_answer(tmp_path, "a", targets={}, calibration={}))
    scored = load_experiment(known_answer(tmp_path, "a"))
    assert plain.sha256 == scored.sha256
    assert load_experiment(known_answer(tmp_path, "a", seed=6)).sha256 != scored.sha256


@pytest.mark.parametrize(("fields", "expected"), [
    ({"targets": {"totl": {"value": 6, "tolerance": 1}}},
     "targets.totl: not a summary metric of the runs; did you mean 'total'? "
     "(known: c, difference, total)"),
    ({"targets": {}}, "targets: none given; calibration needs targets"),
    ({"targets": {"total": {"value": 6, "tolerance": 1, "weight": 0}}},
     "targets: every weight is 0"),
    ({"design": {"kind": "grid", "fields": {"a": [1, 2]}}},
     "design.kind = 'grid': calibration needs an 'lhs' or 'sobol' design"),
    ({"targets": {"total": {"value": 6, "tolerance": "ten"}}},
     "targets.total.tolerance = 'ten': give a positive number in the metric's units, or a "
     "share like '20%'"),
    ({"targets": {"total": {"value": 6, "tolerance": 1, "tolerence": 1}}},
     "targets.total.tolerence: unknown field; did you mean 'tolerance'?"),
    ({"calibration": {"accept": {"quantile": 0.1, "within_tolerance": True}}},
     "calibration.accept = {'quantile': 0.1, 'within_tolerance': True}: give either quantile"),
])
def test_bad_targets_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fields: dict[str, Any], expected: str
) -> None:
    experiment = known_answer(tmp_path, "bad", **fields)
    assert run_calibrate(experiment, tmp_path / "out") == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {experiment}: ") and expected in line
    assert not (tmp_path / "out").exists()


def test_nothing_within_tolerance_exits_3_with_the_scores_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = known_answer(
        tmp_path, "strict", design={"kind": "lhs", "samples": 20, "bounds": {"a": [5, 10],
                                                                           "b": [5, 10]}},
        calibration={"accept": {"within_tolerance": True}, "rounds": 2})
    assert run_calibrate(experiment, tmp_path / "out", "--backend", "serial") == 3
    assert "round 1: no design point accepted" in capsys.readouterr().err
    scores = read(tmp_path / "out", "scores.csv")
    assert len(scores) == 20 and not scores["accepted"].any()
    assert (scores["total"] > 8).all()  # a + b >= 10 everywhere: 6 is out of reach
    assert not (tmp_path / "out" / FOLDER / "best.yaml").exists()


def test_points_with_a_failed_replicate_are_not_scored() -> None:
    runs = pd.DataFrame({
        "point_id": [0, 0, 1, 1, 2, 2],
        "a": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
        "status": ["ok", "ok", "ok", "failed", "ok", "ok"],
        "total": [5.0, 7.0, 6.0, None, 4.0, 4.0],
    })
    targets = {"total": Target(value=6, tolerance="50%")}
    scores = score_points(runs, ["a"], targets, replicates=2)
    assert list(scores["replicates_ok"]) == [2, 1, 2]
    assert list(scores["total"]) == [6.0, 6.0, 4.0]
    assert scores["distance"].tolist()[::2] == [0.0, pytest.approx((2 / 3) ** 2)]
    assert np.isnan(scores["distance"][1])
    assert list(scores["within_tolerance"]) == [True, False, True]
    assert list(accept(scores, Acceptance(quantile=0.5))) == [True, False, False]
    assert list(accept(scores, Acceptance(within_tolerance=True))) == [True, False, True]
    reported = {**targets, "other": Target(value=1, tolerance=1, weight=0)}
    with_other = score_points(runs.assign(other=math.nan), ["a"], reported, replicates=2)
    pd.testing.assert_series_equal(with_other["distance"], scores["distance"])
    three = pd.DataFrame({"point_id": [0, 0, 0], "a": [1.0] * 3, "status": ["ok"] * 3,
                          "total": [5.0, 6.0, 10.0]})
    assert score_points(three, ["a"], targets, 3)["total"][0] == 7.0
    assert score_points(three, ["a"], targets, 3, "median")["total"][0] == 6.0


@pytest.mark.parametrize(("constraint", "accepted", "label"), [
    (0.6, 100, "constrained"), (0.3, 100, "weakly constrained"), (0.2, 100, "not constrained"),
    (0.3, 10, "not constrained"),  # 1.35 / sqrt(10) = 0.43: chance alone reaches 0.3 often
    (0.45, 10, "weakly constrained"), (0.55, 5, "not constrained"),
    (math.nan, 1, "too few accepted"),
])
def test_labels_allow_for_the_chance_spread_of_few_accepted_sets(
    constraint: float, accepted: int, label: str
) -> None:
    assert constraint_label(constraint, accepted) == label


def test_narrowing_widens_the_accepted_range_and_keeps_integers_whole() -> None:
    accepted = pd.DataFrame({"x": [2.0, 4.0], "n": [7, 7], "m": [3, 5]})
    box = {"x": (0.0, 4.5), "n": (1.0, 10.0), "m": (2.5, 9.0)}
    narrowed = narrow(accepted, box, 0.25, lambda name: name in {"n", "m"})
    assert narrowed == {"x": (1.5, 4.5), "n": (6.5, 7.5), "m": (3.0, 6.0)}


# ABC-SMC (calibration.method: smc, pyabc) and --validate


def known_smc(folder: Path, name: str = "smc", **fields: Any) -> Path:
    """The known-answer problem for ABC-SMC: 40 particles, 3 generations, one run each."""
    spec: dict[str, Any] = {"replicates": 1, "calibration": {
        "method": "smc", "population": 40, "generations": 3, "predictive": 30}, **fields}
    return known_answer(folder, name, **spec)


@pytest.fixture(scope="module")
def smc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("smc")
    experiment = known_smc(folder)
    assert run_calibrate(experiment, folder / "serial", "--backend", "serial") == 0
    return experiment, folder / "serial"


def test_smc_narrows_what_the_targets_inform_and_leaves_the_rest_wide(
    smc: tuple[Path, Path],
) -> None:
    out = smc[1]
    table = read(out, "parameters.csv").set_index("parameter")
    assert list(table["label"]) == ["constrained", "constrained", "not constrained"]
    assert table.loc[["a", "b"], "median"].sub(3).abs().max() < 0.6
    assert table.loc["c", "q95"] - table.loc["c", "q05"] > 7  # c spans its prior
    sample = read(out, "posterior.csv")
    assert list(sample.columns) == ["a", "b", "c", "weight"] and len(sample) == 40
    assert (sample["weight"] > 0).all()
    record = json.loads((out / FOLDER / "calibration.json").read_text())
    assert record["method"] == "smc" and len(record["generations"]) == 4  # prior sample + 3
    best = yaml.safe_load((out / FOLDER / "best.yaml").read_text())["overrides"]
    assert {name: best[name] for name in "abc"} in sample[["a", "b", "c"]].to_dict("records")


def test_smc_gives_the_same_posterior_for_the_same_seed_on_any_backend(tmp_path: Path) -> None:
    small = {"method": "smc", "population": 10, "generations": 2}
    experiment = known_smc(tmp_path, calibration=small)
    assert run_calibrate(experiment, tmp_path / "serial", "--backend", "serial") == 0
    assert run_calibrate(experiment, tmp_path / "local", "--workers", "2") == 0
    for name in ["posterior.csv", "parameters.csv", "best.yaml"]:
        assert (tmp_path / "local" / FOLDER / name).read_bytes() == \
            (tmp_path / "serial" / FOLDER / name).read_bytes(), name
    other = known_smc(tmp_path, "reseeded", seed=6, calibration=small)
    assert run_calibrate(other, tmp_path / "reseeded", "--backend", "serial") == 0
    assert not read(tmp_path / "reseeded", "posterior.csv").equals(
        read(tmp_path / "serial", "posterior.csv"))


def test_validate_leaves_each_target_out_and_checks_the_posterior_predictive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Left out, ``difference`` cannot be predicted from ``total`` alone (a - b is free when
    only a + b is fitted): the table says so, and the fit on both predicts both."""
    experiment = known_smc(tmp_path, calibration={
        "method": "smc", "population": 30, "generations": 3, "predictive": 30})
    assert run_calibrate(experiment, tmp_path / "out", "--backend", "serial", "--validate") == 0
    table = read(tmp_path / "out", "validation.csv").set_index("target")
    assert list(table.reset_index().columns) == [
        "target", "left_out_share_inside", "ppc_share_inside", "central_share_inside",
        "ppc_median", "ppc_p05", "ppc_p95"]
    assert list(table.index) == ["total", "difference"]
    shares = table[["left_out_share_inside", "ppc_share_inside", "central_share_inside"]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    assert (table["ppc_p05"] <= table["ppc_median"]).all()
    assert (table["ppc_median"] <= table["ppc_p95"]).all()
    assert table.loc["difference", "left_out_share_inside"] < 0.5
    assert table.loc["difference", "ppc_share_inside"] > \
        table.loc["difference", "left_out_share_inside"]
    assert len(load_runs(tmp_path / "out" / "leave-out" / "total" / "predictive")) == 30
    central = load_runs(tmp_path / "out" / "central")
    assert len(central) == 30 and central["seed"].nunique() == 30
    assert central[["a", "b", "c"]].nunique().eq(1).all()  # one particle, fresh seeds
    # near a = b = 3 the noise (sd 0.2) keeps most runs within a tolerance of 1: more of them
    # than of draws from the whole posterior
    assert (table["central_share_inside"] >= 0.8).all()
    assert (table["central_share_inside"] >= table["ppc_share_inside"]).all()
    printed = capsys.readouterr().out
    assert "fit without difference" in printed and "left out: inside" in printed


def test_a_distance_in_tolerances_fits_a_tight_target_more_closely(tmp_path: Path) -> None:
    """``total`` must be met within 0.3 and ``difference`` only within 10: scaled by the spread
    of simulated values both count alike, scaled by their tolerances the tight one pulls harder,
    so more of the posterior's total lies inside its tolerance."""
    targets = {"total": {"value": 6, "tolerance": 0.3},
               "difference": {"value": 0, "tolerance": 10}}
    inside = {}
    for kind in ["adaptive", "tolerance"]:
        experiment = known_smc(tmp_path, kind, targets=targets, calibration={
            "method": "smc", "population": 40, "generations": 3, "distance": kind})
        assert run_calibrate(experiment, tmp_path / kind, "--backend", "serial") == 0
        sample = read(tmp_path / kind, "posterior.csv")
        total = sample["a"] + sample["b"]
        inside[kind] = float(sample["weight"][(total - 6).abs() <= 0.3].sum()
                             / sample["weight"].sum())
        record = json.loads((tmp_path / kind / FOLDER / "calibration.json").read_text())
        assert record["calibration"]["distance"] == kind
    assert inside["tolerance"] > inside["adaptive"] + 0.2, inside


def test_validate_works_with_the_rejection_method_too(tmp_path: Path) -> None:
    experiment = known_answer(
        tmp_path, design={"kind": "lhs", "samples": 40,
                          "bounds": {"a": [0, 10], "b": [0, 10], "c": [0, 10]}},
        calibration={"accept": {"quantile": 0.25}, "predictive": 10})
    assert run_calibrate(experiment, tmp_path / "out", "--backend", "serial", "--validate") == 0
    table = read(tmp_path / "out", "validation.csv")
    assert list(table["target"]) == ["total", "difference"]
    assert table[["left_out_share_inside", "ppc_share_inside"]].stack().between(0, 1).all()
    left_out = tmp_path / "out" / "leave-out" / "total"
    assert len(read(left_out, "posterior.csv")) == 10  # 25% of 40 sets, fitted on difference
    assert len(load_runs(left_out / "predictive")) == 20  # 10 draws x 2 replicates


@pytest.mark.parametrize(("fields", "options", "expected"), [
    ({"calibration": {"method": "smc", "rounds": 3}}, [],
     "calibration = {'method': 'smc', 'rounds': 3}: rounds: used by method rejection only, and "
     "this calibration's method is smc"),
    ({"calibration": {"population": 50}}, [],
     "population: used by method smc only, and this calibration's method is rejection"),
    ({"calibration": {"method": "smc", "distance": "mad"}}, [],
     "calibration.distance = 'mad'"),
    ({"calibration": {"method": "abc"}}, [], "calibration.method = 'abc'"),
    ({"calibration": {"method": "smc", "population": 2}}, [], "calibration.population = 2"),
    ({}, ["--backend", "dask"], "--backend dask: calibration.method = 'smc' runs on --backend "
     "local or serial"),
    ({"targets": {"total": {"value": 6, "tolerance": 1}}}, ["--validate"],
     "targets: --validate leaves each target out in turn and needs at least two"),
])
def test_bad_calibration_sections_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fields: dict[str, Any],
    options: list[str], expected: str,
) -> None:
    experiment = known_smc(tmp_path, "bad", **fields)
    assert run_calibrate(experiment, tmp_path / "out", *options) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and expected in line, line


def test_the_shipped_calibration_runs_on_a_tiny_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The case's own file, on 200 households for 6 months and 10 particles: every target is a
    summary column, and posterior.csv holds scenario field paths that a run accepts."""
    shipped = yaml.safe_load((ROOT / "experiments" / "calibrate_bang_sao_thong.yaml").read_text())
    del shipped["name"]
    shipped |= {"scenario": str(ROOT / "scenarios" / "bang_sao_thong.yaml"),
                "overrides": {"households.count": 200, "months": 6}}
    shipped["calibration"] |= {"population": 10, "generations": 1}
    experiment = write_experiment(tmp_path, "tiny_calibration", **shipped)
    assert run_calibrate(experiment, tmp_path / "out", "--backend", "serial") == 0
    assert "ABC-SMC: 10 particles after 1 generations" in capsys.readouterr().out
    sample = read(tmp_path / "out", "posterior.csv")
    assert list(sample.columns) == [*shipped["design"]["bounds"], "weight"]
    row = sample.drop(columns="weight").iloc[0].to_dict()
    scenario = load_scenario(ROOT / "scenarios" / "bang_sao_thong.yaml",
                             [f"{path}={value}" for path, value in row.items()])
    assert scenario.households.joining.value_weight == row["households.joining.value_weight"]

"""The uncertainty layer: draws crossed with every policy point and replicate, on common draws and
common seeds; posterior rows drawn with replacement; errors as one readable line; resume and the
rebuild of a stored (point, draw) run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from se_sim.analysis.rerun import StoredDesign
from se_sim.analysis.sweep_results import read_sweep
from se_sim.cli import main
from se_sim.runner.experiment import load_experiment
from se_sim.runner.seeds import run_seed
from se_sim.runner.storage import Shard, load_runs
from se_sim.runner.sweep import plan_sweep
from se_sim.runner.uncertainty import locate, run_id_of
from se_sim.scenario import InputError
from tests.runner_support import (
    BANG_SAO_THONG,
    TINY,
    assert_same_tables,
    sweep,
    tables,
    write_experiment,
)

VARIANTS = {"kind": "variants", "variants": {
    "baseline": {},
    "grant": {"interventions": [{"kind": "matching_grant", "month": 3, "amount_thb": 2000}]},
}}
BOUNDS = {"households.joining.value_weight": [2.0, 20.0], "market.word_of_mouth": [0.015, 0.1]}
# accepted.csv as se-sim calibrate writes it: ids, parameters, scores and flags
POSTERIOR = pd.DataFrame({
    "round": [3, 3, 3], "point_id": [4, 9, 17],
    "market.units_per_buyer": [0.5, 0.9, 1.4],
    "funds.vulnerable.grant_thb": [150.0, 250.0, 350.0],
    "replicates_ok": [4, 4, 4], "fund_inflow_total_thb": [9000.0, 10500.0, 11000.0],
    "distance": [0.4, 0.2, 0.3], "within_tolerance": [True, True, False],
    "accepted": [True, True, True],
})


def uncertain_experiment(folder: Path, name: str = "uncertain", **fields: Any) -> Path:
    """2 policies x 3 draws x 2 replicates of the tiny Bang Sao Thong, on common random numbers."""
    spec: dict[str, Any] = {
        "scenario": str(BANG_SAO_THONG), "overrides": TINY, "seed": 11, "replicates": 2,
        "common_random_numbers": True, "design": VARIANTS,
        "uncertainty": {"draws": 3, "bounds": BOUNDS},
        "objectives": {"people_helped_per_1000": "max", "poverty_rate_end": "min"},
        "keep_steps": "none", "flush": {"runs": 5}, **fields,
    }
    return write_experiment(folder, name, **spec)


def write_posterior(folder: Path, table: pd.DataFrame = POSTERIOR) -> Path:
    path = folder / "accepted.csv"
    table.to_csv(path, index=False)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        plan_sweep(load_experiment(path))
    return caught.value.lines


# --- the crossing -----------------------------------------------------------------------------

def test_every_policy_runs_every_draw_and_replicate_on_common_draws_and_seeds(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    outcome = sweep(uncertain_experiment(tmp_path), out)
    assert (outcome.ok, outcome.failed) == (12, 0)
    runs = load_runs(out)
    assert list(runs.columns[:6]) == ["run_id", "point_id", "variant", "replicate", "draw", "seed"]
    assert runs["draw"].dtype == np.int64
    assert sorted(zip(runs["point_id"], runs["draw"], runs["replicate"], strict=True)) == [
        (p, d, r) for p in range(2) for d in range(3) for r in range(2)]
    # run ids cross point, draw and replicate in that order
    assert [run_id_of(p, d, r, 3, 2) for p, d, r in
            zip(runs["point_id"], runs["draw"], runs["replicate"], strict=True)] == list(
        runs["run_id"])
    cells = zip(runs["point_id"], runs["draw"], runs["replicate"], strict=True)
    assert [locate(i, 3, 2) for i in runs["run_id"]] == list(cells)
    # draw d has the same values at every policy; draws differ from each other
    values = runs.groupby("draw")[list(BOUNDS)].nunique()
    assert (values == 1).all().all()
    by_draw = runs.drop_duplicates("draw").set_index("draw")[list(BOUNDS)]
    assert by_draw["households.joining.value_weight"].nunique() == 3
    for path, (low, high) in BOUNDS.items():
        assert by_draw[path].between(low, high).all()
    # common random numbers: replicate r has one seed for every policy and every draw
    assert (runs.groupby("replicate")["seed"].nunique() == 1).all()
    assert runs.groupby("replicate")["seed"].first().tolist() == [
        run_seed(11, 0, r, True) for r in range(2)]
    # the draws do change the runs: the same seed at another draw gives other sales
    baseline = runs[runs["point_id"] == 0]
    assert baseline.groupby("replicate")["revenue_total_thb"].nunique().max() > 1


def test_without_common_random_numbers_every_run_has_its_own_seed(tmp_path: Path) -> None:
    plan = plan_sweep(load_experiment(uncertain_experiment(tmp_path,
                                                           common_random_numbers=False)))
    seeds = [spec.seed for spec in plan.specs(Shard(), set())]
    assert plan.total_runs == len(seeds) == len(set(seeds)) == 12


def test_an_experiment_without_uncertainty_keeps_its_runs_table(tmp_path: Path) -> None:
    path = uncertain_experiment(tmp_path, "plain", uncertainty=None, objectives={})
    sweep(path, tmp_path / "out")
    runs = load_runs(tmp_path / "out")
    assert "draw" not in runs
    assert list(runs["run_id"]) == [p * 2 + r for p in range(2) for r in range(2)]
    assert list(runs["seed"]) == [run_seed(11, p, r, True) for p in range(2) for r in range(2)]


def test_the_lhs_draws_are_stratified_and_integers_rounded(tmp_path: Path) -> None:
    bounds = {"market.word_of_mouth": [0.0, 0.1], "months": [5, 15]}
    plan = plan_sweep(load_experiment(uncertain_experiment(
        tmp_path, uncertainty={"draws": 10, "bounds": bounds})))
    assert plan.draws is not None
    word = np.array([row["market.word_of_mouth"] for row in plan.draws])
    assert sorted(np.floor(word / 0.01).astype(int)) == list(range(10))  # one per stratum
    months = [row["months"] for row in plan.draws]
    assert all(isinstance(v, int) and 5 <= v <= 15 for v in months)


# --- the posterior ------------------------------------------------------------------------------

def test_posterior_rows_are_drawn_with_replacement_and_combined_with_the_bounds(
    tmp_path: Path,
) -> None:
    write_posterior(tmp_path)
    path = uncertain_experiment(tmp_path, uncertainty={
        "draws": 40, "posterior": "accepted.csv",
        "bounds": {"households.joining.value_weight": [2.0, 20.0]}})
    plan = plan_sweep(load_experiment(path))
    assert plan.draws is not None
    assert plan.draws.names == ["market.units_per_buyer", "funds.vulnerable.grant_thb",
                                "households.joining.value_weight"]
    rows = pd.DataFrame(list(plan.draws))
    taken = rows[["market.units_per_buyer", "funds.vulnerable.grant_thb"]]
    accepted = POSTERIOR[["market.units_per_buyer", "funds.vulnerable.grant_thb"]]
    # every draw is one whole accepted set; 40 draws of 3 rows repeat rows
    assert taken.merge(accepted, how="left", indicator=True)["_merge"].eq("both").all()
    assert taken.duplicated().any()
    assert taken.drop_duplicates().shape[0] == 3
    assert plan.draws.posterior_rows == [
        int(np.flatnonzero(POSTERIOR["market.units_per_buyer"] == v)[0])
        for v in rows["market.units_per_buyer"]]
    assert rows["households.joining.value_weight"].between(2, 20).all()
    assert rows["households.joining.value_weight"].nunique() == 40
    again = plan_sweep(load_experiment(path))
    assert list(again.draws) == list(plan.draws)  # type: ignore[arg-type]


def test_a_weight_column_decides_how_often_a_row_is_drawn(tmp_path: Path) -> None:
    write_posterior(tmp_path, POSTERIOR.assign(weight=[0.0, 1.0, 0.0]))
    path = uncertain_experiment(tmp_path, uncertainty={"draws": 20, "posterior": "accepted.csv"})
    plan = plan_sweep(load_experiment(path))
    assert plan.draws is not None
    assert {row["market.units_per_buyer"] for row in plan.draws} == {0.9}
    assert "weight" not in plan.draws.names


# --- reproducibility, resume, the stored design ----------------------------------------------

def test_the_same_experiment_gives_the_same_runs_table_on_any_number_of_workers(
    tmp_path: Path,
) -> None:
    write_posterior(tmp_path)
    path = uncertain_experiment(tmp_path, uncertainty={
        "draws": 3, "posterior": "accepted.csv", "bounds": BOUNDS})
    sweep(path, tmp_path / "first")
    sweep(path, tmp_path / "second")
    sweep(path, tmp_path / "two_workers", backend="local", workers=2)
    assert_same_tables(tmp_path / "first", tmp_path / "second")
    assert_same_tables(tmp_path / "first", tmp_path / "two_workers")


def test_a_resume_runs_only_what_is_missing(tmp_path: Path) -> None:
    path = uncertain_experiment(tmp_path)
    sweep(path, tmp_path / "whole")
    out = tmp_path / "out"
    assert sweep(path, out, shard=Shard(0, 2)).ok == 6  # half the runs, then stopped
    resumed = sweep(path, out, resume=True)
    assert (resumed.stored_before, resumed.ok) == (6, 6)
    assert sweep(path, out, resume=True).ok == 0
    whole, done = tables(tmp_path / "whole")[0], tables(out)[0]
    assert_frame_equal_but_attempts(whole, done)


def assert_frame_equal_but_attempts(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.drop(columns="attempt"), right.drop(columns="attempt"))


def test_a_stored_point_and_draw_is_rebuilt_exactly(tmp_path: Path) -> None:
    posterior = write_posterior(tmp_path)
    path = uncertain_experiment(tmp_path, uncertainty={
        "draws": 2, "posterior": "accepted.csv", "bounds": BOUNDS}, replicates=1)
    out = tmp_path / "out"
    sweep(path, out)
    results = read_sweep(out)
    assert results.uncertain == ["market.units_per_buyer", "funds.vulnerable.grant_thb",
                                 *BOUNDS]
    assert not set(results.uncertain) & set(results.metrics)
    checked = ["members_end", "fund_inflow_total_thb", "revenue_total_thb"]

    def reruns_match() -> None:
        stored = StoredDesign(results)
        for _, row in results.ok.iterrows():
            point_id, draw = int(row["point_id"]), int(row["draw"])
            scenario = stored.scenario(point_id, draw)
            assert scenario is not None
            assert scenario.market.units_per_buyer == row["market.units_per_buyer"]
            seen = stored.rerun(point_id, int(row["seed"]), "again", draw)
            assert seen is not None
            assert [seen.summary[m] for m in checked] == [row[m] for m in checked]

    reruns_match()
    posterior.unlink()  # gone: the draws are read back from the runs table
    reruns_match()


# --- objectives, identity, limits ------------------------------------------------------------

def test_objectives_are_stored_but_do_not_change_the_experiment(tmp_path: Path) -> None:
    first = load_experiment(uncertain_experiment(tmp_path, "a"))
    other = load_experiment(uncertain_experiment(tmp_path, "a", objectives={"members_end": "max"}))
    assert first.spec.objectives == {"people_helped_per_1000": "max", "poverty_rate_end": "min"}
    assert first.sha256 == other.sha256
    more = load_experiment(uncertain_experiment(tmp_path, "a", uncertainty={
        "draws": 4, "bounds": BOUNDS}))
    assert more.sha256 != first.sha256


def test_a_changed_posterior_file_is_another_experiment(tmp_path: Path) -> None:
    write_posterior(tmp_path)
    path = uncertain_experiment(tmp_path, uncertainty={"draws": 2, "posterior": "accepted.csv"},
                                replicates=1)
    sweep(path, tmp_path / "out")
    write_posterior(tmp_path, POSTERIOR.assign(**{"market.units_per_buyer": [0.6, 1.0, 1.5]}))
    with pytest.raises(InputError, match="holds results of a different experiment"):
        sweep(path, tmp_path / "out", resume=True)


def test_the_run_limit_counts_the_draws(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        plan_sweep(load_experiment(uncertain_experiment(tmp_path)), max_runs=11)
    assert caught.value.lines == [
        f"{tmp_path / 'uncertain.yaml'}: design: 2 points x 3 draws x 2 replicates = 12 runs, "
        "more than the limit of 11; pass --max-runs 12 to run them all"]


# --- errors: one readable line each, exit code 2 --------------------------------------------

@pytest.mark.parametrize(("uncertainty", "expected"), [
    ({"draws": 0, "bounds": BOUNDS},
     "uncertainty.draws = 0: Input should be greater than or equal to 1"),
    ({"draws": 3, "bounds": {"market.word_of_mouth": [0.2, 0.1]}},
     "uncertainty.bounds.market.word_of_mouth = [0.2, 0.1]: lower bound must not be above "
     "upper bound"),
    ({"draws": 3}, "uncertainty = {'draws': 3}: give bounds (PATH: [low, high]) and/or posterior"),
    ({"draws": 3, "bounds": {"market.word_of_muoth": [0.01, 0.1]}},
     "uncertainty.bounds (override): market.word_of_muoth: unknown field; did you mean "
     "'word_of_mouth'?"),
    ({"draws": 3, "bounds": {"market.word_of_mouth": [0.5, 2.0]}},
     "uncertainty.bounds (override): market.word_of_mouth = 2.0: Input should be less than or "
     "equal to 1"),
    ({"draws": 3, "posterior": "nowhere.csv"},
     "uncertainty.posterior = 'nowhere.csv': no such file"),
    ({"draws": 3, "bounds": {"interventions": [0, 1]}},
     "uncertainty: interventions: also set by the design; a parameter is either a policy "
     "lever or uncertain, not both"),
])
def test_bad_uncertainty_sections(tmp_path: Path, uncertainty: dict, expected: str) -> None:
    [line] = problems(uncertain_experiment(tmp_path, uncertainty=uncertainty))
    assert line.startswith(f"{tmp_path / 'uncertain.yaml'}")
    assert expected in line


@pytest.mark.parametrize(("table", "expected"), [
    (POSTERIOR[["round", "point_id", "distance", "accepted"]],
     "has no column that is a parameter of the scenario or model (columns: round, point_id, "
     "distance, accepted)"),
    (POSTERIOR.iloc[:0], "has no rows"),
    (POSTERIOR.assign(**{"market.units_per_buyer": [0.5, None, 1.4]}),
     "column 'market.units_per_buyer' has empty values (rows 3 of the file)"),
    (POSTERIOR.assign(weight=[0.0, 0.0, 0.0]),
     "column 'weight' must hold numbers >= 0 with a positive sum"),
])
def test_bad_posterior_files(tmp_path: Path, table: pd.DataFrame, expected: str) -> None:
    write_posterior(tmp_path, table)
    path = uncertain_experiment(tmp_path, uncertainty={"draws": 3, "posterior": "accepted.csv"})
    [line] = problems(path)
    assert line.startswith(f"{path}: uncertainty.posterior = 'accepted.csv': ")
    assert expected in line


def test_a_posterior_value_the_scenario_refuses(tmp_path: Path) -> None:
    write_posterior(tmp_path, POSTERIOR.assign(**{"market.word_of_mouth": [0.05, 3.0, 0.05]}))
    path = uncertain_experiment(tmp_path, uncertainty={"draws": 40, "posterior": "accepted.csv"})
    [line] = problems(path)
    assert line.startswith(f"{path}: uncertainty")
    assert "market.word_of_mouth = 3.0: Input should be less than or equal to 1" in line


def test_bad_objectives_and_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = uncertain_experiment(tmp_path, objectives={"people_helped_per_1000": "maximise"})
    assert main(["validate", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (f"error: {path}: objectives.people_helped_per_1000 = 'maximise': Input "
                    "should be 'max' or 'min'")
    good = uncertain_experiment(tmp_path, "good")
    assert main(["validate", str(good)]) == 0
    assert "2 points x 3 uncertainty draws x 2 replicates = 12 runs" in capsys.readouterr().out


def test_a_calibration_refuses_an_uncertainty_section(tmp_path: Path) -> None:
    from se_sim.analysis.calibrate import check_calibration

    path = uncertain_experiment(tmp_path, design={
        "kind": "lhs", "samples": 4, "bounds": {"allocation.fund_share": [0.1, 0.5]}},
        targets={"fund_inflow_total_thb": {"value": 10000, "tolerance": "30%"}})
    with pytest.raises(InputError) as caught:
        check_calibration(load_experiment(path))
    assert caught.value.lines == [f"{path}: uncertainty: not used by a calibration, whose "
                                  "design's bounds are the priors; remove it, or sweep the "
                                  "experiment with se-sim sweep"]


def test_the_accepted_sets_of_a_calibration_are_a_posterior(tmp_path: Path) -> None:
    """What se-sim calibrate writes is read as it is: its calibrated paths are the parameters,
    its ids, scores and flags are not."""
    from se_sim.analysis.calibrate import calibrate_command

    bounds = {"market.units_per_buyer": [0.3, 2.0], "funds.vulnerable.grant_thb": [100, 600]}
    calibration = uncertain_experiment(
        tmp_path, "calibration", uncertainty=None, objectives={}, replicates=1,
        design={"kind": "lhs", "samples": 6, "bounds": bounds},
        targets={"fund_inflow_total_thb": {"value": 500, "tolerance": "50%"}},
        calibration={"accept": {"quantile": 0.5}, "rounds": 1})
    result = calibrate_command(calibration, tmp_path / "calibrated", backend="serial",
                               progress=False)
    accepted = tmp_path / "calibrated" / "calibration" / "accepted.csv"
    assert accepted in result.files
    path = uncertain_experiment(tmp_path, uncertainty={
        "draws": 5, "posterior": "calibrated/calibration/accepted.csv"})
    plan = plan_sweep(load_experiment(path))
    assert plan.draws is not None
    assert plan.draws.names == list(bounds)
    table = pd.read_csv(accepted)
    for row in plan.draws:
        assert ((table[list(bounds)] == pd.Series(row)).all(axis=1)).any()


def test_contrasts_pair_the_runs_of_an_uncertainty_sweep_by_draw_and_replicate(
    tmp_path: Path,
) -> None:
    from se_sim.analysis.statistics import contrasts

    out = tmp_path / "out"
    sweep(uncertain_experiment(tmp_path), out)
    results = read_sweep(out)
    [row] = contrasts(results, ["members_end"], baseline=0).to_dict("records")
    ok = results.ok.set_index(["draw", "replicate"])
    diff = ok.loc[ok["point_id"] == 1, "members_end"] - ok.loc[ok["point_id"] == 0, "members_end"]
    assert (row["n_pairs"], row["n"]) == (6, 6)
    assert row["mean_diff"] == pytest.approx(diff.mean())

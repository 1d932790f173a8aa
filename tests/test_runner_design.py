"""Design points: grid sizes and values, explicit points and variants, SALib samples in bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from se_sim.runner.design import CHECK_ALL, Design, build_design, design_size, ids_to_check
from se_sim.runner.experiment import Grid, Lhs, Morris, Points, Sobol, Variants, load_experiment
from se_sim.runner.sweep import plan_sweep
from se_sim.runner.tasks import ScenarioJob
from se_sim.scenario import InputError
from tests.runner_support import BANG_SAO_THONG, toy_experiment, write_experiment

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
is_integer = ScenarioJob({}, "", {}, "none").is_integer
BOUNDS = {"allocation.fund_share": (0.0, 0.7), "network.mean_degree": (2.0, 12.0),
          "households.count": (100.5, 1000.0)}


def test_main_experiment_grid_is_8_by_6_by_2() -> None:
    plan = plan_sweep(load_experiment(EXPERIMENTS / "profit_share_x_density.yaml"))
    points = plan.design.points
    assert len(points) == 96 and plan.total_runs == 96 * 30
    assert sorted({p["allocation.fund_share"] for p in points}) == [
        0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert sorted({p["network.mean_degree"] for p in points}) == [2, 4, 6, 8, 10, 12]
    assert sorted({p["network.homophily"] for p in points}) == [0.3, 0.8]
    assert len({tuple(p.values()) for p in points}) == 96


def test_grid_ranges_by_step_and_integer_fields() -> None:
    grid = Grid.model_validate({"kind": "grid", "fields": {
        "network.homophily": {"start": 0.0, "stop": 0.9, "step": 0.3},
        "households.count": {"start": 10, "stop": 20, "num": 4},
        "months": 12,
    }})
    design = build_design(grid, 0, is_integer)
    assert len(design.points) == 4 * 4 * 1
    assert sorted({p["network.homophily"] for p in design.points}) == [0.0, 0.3, 0.6, 0.9]
    counts = [p["households.count"] for p in design.points]
    assert sorted(set(counts)) == [10, 13, 17, 20] and all(type(c) is int for c in counts)
    assert design.swept == ["network.homophily", "households.count", "months"]


def test_points_and_variants_keep_their_order() -> None:
    points = Points.model_validate({"kind": "points", "points": [
        {"months": 6}, {"months": 12, "network.homophily": 0.2}]})
    design = build_design(points, 0)
    assert design.swept == ["months", "network.homophily"]
    assert design.columns == [{"months": 6, "network.homophily": None},
                              {"months": 12, "network.homophily": 0.2}]
    variants = Variants.model_validate({"kind": "variants", "variants": {
        "baseline": {}, "training": {"interventions": [{"kind": "training", "month": 3}]}}})
    design = build_design(variants, 0)
    assert design.columns == [{"variant": "baseline"}, {"variant": "training"}]
    assert design.points[1] == {"interventions": [{"kind": "training", "month": 3}]}


@pytest.mark.parametrize(("design", "rows"), [
    (Lhs(kind="lhs", bounds=BOUNDS, samples=50), 50),
    (Sobol(kind="sobol", bounds=BOUNDS, samples=16), 16 * (2 * 3 + 2)),
    (Sobol(kind="sobol", bounds=BOUNDS, samples=16, second_order=False), 16 * (3 + 2)),
    (Morris(kind="morris", bounds=BOUNDS, trajectories=10), 10 * (3 + 1)),
])
def test_salib_designs_have_the_right_rows_and_stay_in_bounds(design, rows: int) -> None:
    built = build_design(design, 7, is_integer)
    assert len(built.points) == rows
    assert built.problem == {"num_vars": 3, "names": list(BOUNDS),
                             "bounds": [list(b) for b in BOUNDS.values()]}
    for name, (low, high) in BOUNDS.items():
        values = np.array([p[name] for p in built.points])
        assert values.min() >= low and values.max() <= high
    counts = [p["households.count"] for p in built.points]
    assert all(type(c) is int for c in counts) and min(counts) >= 101
    assert built.points == build_design(design, 7, is_integer).points  # seeded
    assert built.points != build_design(design, 8, is_integer).points


@pytest.mark.parametrize("section", [
    Grid(kind="grid", fields={"network.homophily": {"start": 0.0, "stop": 0.9, "step": 0.3},
                              "allocation.fund_share": {"start": 0.1, "stop": 0.5, "num": 5},
                              "months": [6, 12]}),
    Points(kind="points", points=[{"months": 6}, {"months": 12}, {"months": 18}]),
    Variants(kind="variants", variants={"a": {}, "b": {"months": 6}}),
    Lhs(kind="lhs", bounds=BOUNDS, samples=7),
    Sobol(kind="sobol", bounds=BOUNDS, samples=8),
    Sobol(kind="sobol", bounds=BOUNDS, samples=8, second_order=False),
    Morris(kind="morris", bounds=BOUNDS, trajectories=5),
], ids=lambda s: s.kind + ("" if not isinstance(s, Sobol) or s.second_order else "-first"))
def test_the_counted_size_is_the_size_of_the_built_design(section) -> None:
    """The --max-runs refusal trusts design_size, which counts without building."""
    assert design_size(section) == len(build_design(section, 1, is_integer).points)


@settings(max_examples=25, deadline=None)
@given(low=st.floats(-1e3, 1e3), width=st.floats(1e-3, 1e3), samples=st.integers(1, 40),
       seed=st.integers(0, 2**32 - 1))
def test_latin_hypercube_stays_in_any_bounds(low: float, width: float, samples: int,
                                              seed: int) -> None:
    design = Lhs(kind="lhs", bounds={"x": (low, low + width)}, samples=samples)
    values = [p["x"] for p in build_design(design, seed).points]
    assert len(values) == samples and all(low <= v <= low + width for v in values)


def test_a_million_point_grid_is_planned_lazily(tmp_path: Path) -> None:
    """Points are made when asked for; the counted size decides before anything is built."""
    levels = list(range(1, 101))
    path = toy_experiment(tmp_path, replicates=1, design={
        "kind": "grid", "fields": {"n": levels, "start_wealth": levels, "pause_s": [0.0] * 100}})
    plan = plan_sweep(load_experiment(path))
    assert plan.total_runs == 1_000_000
    assert plan.design.points[123_456] == {"n": 13, "start_wealth": 35, "pause_s": 0.0}
    assert plan.design.points[-1] == {"n": 100, "start_wealth": 100, "pause_s": 0.0}
    with pytest.raises(InputError, match="= 2,000,000 runs, more than the limit of 1,000,000"):
        plan_sweep(load_experiment(toy_experiment(tmp_path, "double", replicates=2,
                                                  design=load_experiment(path).given["design"])))
    assert plan_sweep(load_experiment(path), max_runs=10**7).total_runs == 1_000_000


def test_a_large_design_still_has_every_level_of_every_field_checked(tmp_path: Path) -> None:
    """Above CHECK_ALL points only a spread is checked before running, but a bad level of any
    grid field is found however deep in the design it hides."""
    homophily = [round(0.001 * i, 3) for i in range(100)]
    homophily[57] = 1.5
    path = write_experiment(tmp_path, "large", scenario=str(BANG_SAO_THONG), design={
        "kind": "grid", "fields": {"network.homophily": homophily,
                                   "allocation.fund_share": [0.001 * i for i in range(120)]}})
    design = plan_design(path)
    assert len(design.points) == 12_000 > CHECK_ALL
    assert len(ids_to_check(design)) < len(design.points)
    few = [design.points[i] for i in ids_to_check(design, limit=150)]  # 150 spread + levels
    for name, levels in (("network.homophily", homophily),
                         ("allocation.fund_share", [0.001 * i for i in range(120)])):
        assert {point[name] for point in few} == set(levels)
    with pytest.raises(InputError, match=r"network\.homophily = 1\.5: Input should be less than"):
        plan_sweep(load_experiment(path))


def plan_design(path: Path) -> Design:
    experiment = load_experiment(path)
    return build_design(experiment.spec.design, 0, is_integer)


def test_a_huge_lhs_is_checked_without_being_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 million samples: planning checks the design's corners and draws nothing; the points are
    drawn when first asked for, the same as SALib's sampler draws from the same seed."""
    from SALib.sample import latin

    from se_sim.runner import design as design_module

    def refuse(*args: object) -> None:
        raise AssertionError("the sample was drawn while planning")

    drawn = design_module._salib_sample
    monkeypatch.setattr(design_module, "_salib_sample", refuse)
    experiment = write_experiment(
        tmp_path, "huge", model="tests.toy_models:BoltzmannWealth", steps=1,
        design={"kind": "lhs", "samples": 10_000_000, "bounds": {"n": [10, 50],
                                                                 "start_wealth": [1, 3]}})
    plan = plan_sweep(load_experiment(experiment), max_runs=10_000_000)
    assert len(plan.design.points) == 10_000_000
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[10, 50], [1, 3]]}
    monkeypatch.setattr(design_module, "_salib_sample", drawn)
    for samples in (1, 7, 500):
        np.testing.assert_array_equal(design_module._latin(dict(problem), samples, 9),
                                      latin.sample(dict(problem), samples, seed=9))


def test_a_huge_lhs_with_a_bad_corner_is_refused_before_running(tmp_path: Path) -> None:
    """Its samples are not drawn to be checked, but every one lies within the bounds, so its
    corners are: at the upper one the three shares of profit add up to more than one."""
    path = write_experiment(tmp_path, "corner", scenario=str(BANG_SAO_THONG), design={
        "kind": "lhs", "samples": CHECK_ALL + 1,
        "bounds": {"allocation.fund_share": [0.0, 0.7], "network.homophily": [0.3, 0.8]}})
    with pytest.raises(InputError, match=r"design bounds \{'allocation.fund_share': 0.7, "
                                         r"'network.homophily': 0.8\}.*must be at most 1"):
        plan_sweep(load_experiment(path))

"""Mesa models built from a Scenario: parameters routed to the Scenario, its class found or named,
values checked against its fields, integer fields kept integers, DataRecorder output stored, and
bad input answered with one line and exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pytest

from se_sim.analysis.sweep_table import format_sweep_table
from se_sim.cli import main
from se_sim.runner.experiment import load_experiment
from se_sim.runner.simulate import simulate
from se_sim.runner.sweep import WHOLE, plan_sweep
from se_sim.scenario import InputError
from tests.runner_support import (
    BANG_SAO_THONG,
    ROOT,
    sweep,
    tables,
    toy_experiment,
    write_experiment,
)

RECORDED = "tests.toy_models:RecordedWealth"
SCHELLING = ROOT / "tests" / "mesa_examples" / "schelling.yaml"


def recorded_experiment(folder: Path, name: str = "recorded", **fields: Any) -> Path:
    """RecordedWealth over n = 10, 15, 20 (an integer range), 2 replicates of 6 steps, with the
    default report."""
    design = {"kind": "grid", "fields": {"n": {"start": 10, "stop": 20, "num": 3}}}
    spec = {"model": RECORDED, "parameters": {"start_wealth": 3}, "steps": 6, "seed": 5,
            "replicates": 2, "design": design, "report": None, **fields}
    return toy_experiment(folder, name, **spec)


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        plan_sweep(load_experiment(path))
    return caught.value.lines


def test_a_data_recorder_gives_the_steps_and_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = sweep(recorded_experiment(tmp_path), out)
    assert (outcome.ok, outcome.failed) == (6, 0), outcome.first_error
    runs, steps = tables(out)
    assert list(runs["n"]) == [10, 10, 15, 15, 20, 20] and runs["n"].dtype == np.int64
    assert list(steps.columns) == ["run_id", "step", "total", "gini", "richest"]
    assert list(steps["step"]) == list(range(7)) * 6  # 0 (before step 1) to 6 (after the last)
    # every unit of wealth changes hands, none is made or lost
    n_of_run = runs.set_index("run_id")["n"]
    assert (steps["total"] == 3 * n_of_run.loc[steps["run_id"]].to_numpy()).all()
    # "richest" is recorded every second step from step 1, and at the end
    assert steps.loc[steps["richest"].notna(), "step"].unique().tolist() == [1, 3, 5, 6]
    last = steps.groupby("run_id").last()  # the last recorded value of each column
    for name in ("total", "gini", "richest"):
        assert (runs[name].to_numpy() == last[name].to_numpy()).all(), name
    assert runs["total"].dtype == runs["richest"].dtype == np.int64  # not made floats by gini
    assert runs["seed"].nunique() == 6 and runs["gini"].nunique() > 1
    table = format_sweep_table(out, ["n"], load_experiment(tmp_path / "recorded.yaml")
                               .spec.report_metrics[0])
    assert table.startswith("median total by design point")


class StopsAfterThree(mesa.Model):
    """Counts its steps and sets ``running = False`` after the third."""

    def __init__(self, rng: int | None = None):
        super().__init__(rng=rng)
        self.count = 0
        self.datacollector = mesa.DataCollector(model_reporters={"count": "count"})
        self.datacollector.collect(self)

    def step(self) -> None:
        self.count += 1
        self.running = self.count < 3
        self.datacollector.collect(self)


def test_a_model_that_stops_itself_is_stepped_no_further() -> None:
    table, summary = simulate(StopsAfterThree(rng=0), steps=10)
    assert table.to_dict("list") == {"step": [0, 1, 2, 3], "count": [0, 1, 2, 3]}
    assert summary == {"count": 3}


def test_the_seed_reaches_the_model_through_the_scenario(tmp_path: Path) -> None:
    """Same seed, same run in any process; the Scenario's rng is the run's seed."""
    experiment = recorded_experiment(tmp_path, replicates=1)
    sweep(experiment, tmp_path / "serial")
    sweep(experiment, tmp_path / "local", "local", 2)
    serial, local = tables(tmp_path / "serial"), tables(tmp_path / "local")
    for a, b in zip(serial, local, strict=True):
        assert a.equals(b)
    job = plan_sweep(load_experiment(experiment)).job
    model, _ = job.build({"n": 10}, seed=1234)
    assert model.scenario.rng == 1234 and model.scenario.n == 10
    assert model.scenario.start_wealth == 3


def test_scenario_class_names_the_class_a_model_does_not_annotate(tmp_path: Path) -> None:
    unannotated = "tests.toy_models:UnannotatedWealth"
    [line] = problems(recorded_experiment(tmp_path, model=unannotated))
    assert "defines several Scenario classes (RichScenario, WealthScenario)" in line
    assert line.endswith("set scenario_class:")
    for named in ("RichScenario", "tests.toy_models:RichScenario"):
        path = recorded_experiment(tmp_path, model=unannotated, scenario_class=named,
                                   parameters={})
        out = tmp_path / named.replace(":", "_")
        assert sweep(path, out).ok == 6
        runs, _ = tables(out)
        assert (runs["total"] == 10 * runs["n"]).all()  # RichScenario's start_wealth


@pytest.mark.parametrize(("fields", "expected"), [
    ({"scenario_class": "Nope"}, "scenario_class = 'Nope': no such class in tests.toy_models"),
    ({"scenario_class": "tests.toy_models:BoltzmannWealth"},
     "scenario_class = 'tests.toy_models:BoltzmannWealth': not a subclass of "
     "mesa.experimental.scenarios.Scenario"),
    ({"scenario_class": "tests.nowhere:S"}, "scenario_class = 'tests.nowhere:S': cannot import"),
    ({"model": "tests.toy_models:BoltzmannWealth", "scenario_class": "WealthScenario"},
     "BoltzmannWealth takes no scenario= parameter"),
    ({"parameters": {"rng": 3}}, "rng: set by the runner from each run's seed"),
    ({"parameters": {"start_welth": 3}},
     "start_welth: not a field of tests.toy_models:WealthScenario nor a parameter of "
     "tests.toy_models:RecordedWealth; did you mean 'start_wealth'? (valid: label, n, "
     "start_wealth)"),
    ({"design": {"kind": "grid", "fields": {"n": [10, 12.5]}}},
     "design point 1 {'n': 12.5}: n = 12.5: Input should be a valid integer"),
    ({"design": {"kind": "grid", "fields": {"label": ["plain", "fnacy"]}}},
     "label = 'fnacy': Input should be 'plain' or 'fancy'"),
])
def test_bad_scenario_input_is_one_clear_line(
    tmp_path: Path, fields: dict[str, Any], expected: str
) -> None:
    [line] = problems(recorded_experiment(tmp_path, **fields))
    assert line.startswith(str(tmp_path / "recorded.yaml")) and expected in line, line


def test_scenario_class_is_refused_in_scenario_mode(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, "mixed", scenario=str(BANG_SAO_THONG),
                            scenario_class="WealthScenario",
                            design={"kind": "grid", "fields": {"months": [6]}})
    assert problems(path) == [f"{path}: scenario_class: not used in this kind of experiment; "
                              "it names the Mesa Scenario class of a 'model'"]
    smoke = load_experiment(ROOT / "experiments" / "smoke.yaml").spec
    assert smoke.report is None and smoke.report_metrics == ["fund_inflow_total_thb"]


def test_a_typo_in_a_mesa_example_field_exits_with_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_experiment(tmp_path, "typo", **{
        **load_experiment(SCHELLING).given, "design": {"kind": "grid", "fields": {"densty": [0.5]}},
    })
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: {path}: design point 0 {{'densty': 0.5}}: densty: not a field of "
        "mesa.examples.basic.schelling.model:SchellingScenario nor a parameter of "
        "mesa.examples:Schelling; did you mean 'density'? (valid: density, height, homophily, "
        "minority_pc, radius, width)\n"
    )
    assert not out.exists()


def test_integer_fields_stay_integers_in_designs(tmp_path: Path) -> None:
    """An ``int`` Scenario field (Schelling's width), and a keyword without annotation whose
    default is an int (Conway's width), in a Latin hypercube and in a grid range."""
    lhs = write_experiment(tmp_path, "lhs", model="mesa.examples:Schelling", steps=2, design={
        "kind": "lhs", "samples": 8, "bounds": {"width": [4, 9], "density": [0.3, 0.9]}})
    points = plan_sweep(load_experiment(lhs)).design.points
    assert all(type(p["width"]) is int and 4 <= p["width"] <= 9 for p in points)
    assert len({p["width"] for p in points}) > 2
    assert all(type(p["density"]) is float for p in points)
    grid = write_experiment(tmp_path, "grid", model="mesa.examples:ConwaysGameOfLife", steps=2,
                            design={"kind": "grid", "fields": {
                                "width": {"start": 4, "stop": 8, "num": 3},
                                "initial_fraction_alive": {"start": 0.1, "stop": 0.2, "num": 2}}})
    points = plan_sweep(load_experiment(grid)).design.points
    assert [p["width"] for p in points] == [4, 4, 6, 6, 8, 8]
    assert all(type(p["width"]) is int for p in points)
    assert [p["initial_fraction_alive"] for p in points] == [0.1, 0.2] * 3


def test_a_run_that_keeps_no_steps_builds_no_step_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-run DataFrame cost a tiny model most of its run: with keep_steps none and a
    summary the model gives (its summary() or its datacollector), none is built."""
    from se_sim.runner import tasks

    def no_table(*args: object, **kwargs: object) -> None:
        raise AssertionError("a step table was built")

    monkeypatch.setattr(tasks, "simulate", no_table)
    for model, summary in (("tests.toy_models:KnownAnswer", "total"),
                           ("tests.toy_models:BoltzmannWealth", "gini")):
        experiment = write_experiment(tmp_path, "lean", model=model, steps=2,
                                      keep_steps="none", design={"kind": "points",
                                                                 "points": [{}]})
        plan = plan_sweep(load_experiment(experiment))
        [spec] = plan.specs(WHOLE, set())
        result = tasks.execute(spec, plan.job)
        assert result.status == "ok", result.error
        assert summary in result.summary and result.steps == {}

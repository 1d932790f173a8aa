"""Bad experiment files give one readable line per problem, and the command exits with 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from se_sim.cli import main
from se_sim.runner.experiment import load_experiment
from se_sim.runner.sweep import plan_sweep
from se_sim.scenario import InputError
from tests.runner_support import BANG_SAO_THONG, TOY, write_experiment

GRID = {"kind": "grid", "fields": {"network.homophily": [0.3, 0.8]}}


def problems(folder: Path, **fields: Any) -> list[str]:
    """The error lines for an experiment file holding ``fields``."""
    path = write_experiment(folder, "bad", **fields)
    with pytest.raises(InputError) as caught:
        plan_sweep(load_experiment(path))
    return caught.value.lines


def test_unknown_key_names_the_closest_valid_one(tmp_path: Path) -> None:
    [line] = problems(tmp_path, scenario=str(BANG_SAO_THONG), replicate=3, design=GRID)
    assert line.startswith(f"{tmp_path / 'bad.yaml'}: replicate: unknown field")
    assert "did you mean 'replicates'?" in line


def test_typo_inside_the_design_and_in_its_kind(tmp_path: Path) -> None:
    [missing, typo] = problems(tmp_path, scenario=str(BANG_SAO_THONG),
                               design={"kind": "grid", "feilds": {}})
    assert "design.fields: Field required" in missing
    assert "design.feilds: unknown field; did you mean 'fields'?" in typo
    [kind] = problems(tmp_path, scenario=str(BANG_SAO_THONG), design={"kind": "gird"})
    assert "design.kind = 'gird': must be one of grid, points" in kind
    assert "did you mean 'grid'?" in kind


def test_typo_in_a_swept_field_path(tmp_path: Path) -> None:
    [line] = problems(tmp_path, scenario=str(BANG_SAO_THONG),
                      design={"kind": "grid", "fields": {"network.mean_dgree": [2, 4]}})
    assert "design point 0" in line
    assert "network.mean_dgree: unknown field; did you mean 'mean_degree'?" in line


@pytest.mark.parametrize(("fields", "expected"), [
    ({"replicates": 0}, "replicates = 0: Input should be greater than or equal to 1"),
    ({"design": {"kind": "grid", "fields": {"network.homophily": [0.3, 1.5]}}},
     "network.homophily = 1.5: Input should be less than 1"),
    ({"design": {"kind": "lhs", "bounds": {"network.homophily": [0.8, 0.2]}, "samples": 4}},
     "design.bounds.network.homophily = [0.8, 0.2]: lower bound must be below upper bound"),
    ({"design": {"kind": "sobol", "bounds": {"network.homophily": [0.2, 0.8]}, "samples": 12}},
     "design.samples = 12: must be a power of 2"),
    ({"design": {"kind": "grid", "fields": {"months": {"start": 6, "stop": 12}}}},
     "give a list of values, or start and stop with either num or step"),
    ({"design": {"kind": "grid", "fields": {"months": {"start": 12, "stop": 6, "step": 2}}}},
     "design.fields.months = {'start': 12, 'stop': 6, 'step': 2}: stop must not be below start"),
])
def test_out_of_range_values(tmp_path: Path, fields: dict[str, Any], expected: str) -> None:
    spec = {"scenario": str(BANG_SAO_THONG), "design": GRID, **fields}
    assert any(expected in line for line in problems(tmp_path, **spec))


def test_keys_of_the_other_mode_are_refused(tmp_path: Path) -> None:
    lines = problems(tmp_path, scenario=str(BANG_SAO_THONG), steps=5, design=GRID)
    assert lines == [f"{tmp_path / 'bad.yaml'}: steps: not used in this kind of experiment; "
                     "a scenario runs for its 'months'"]
    [both] = problems(tmp_path, scenario=str(BANG_SAO_THONG), model=TOY, design=GRID)
    assert "give exactly one of 'scenario'" in both
    [no_steps] = problems(tmp_path, model=TOY, design={"kind": "grid", "fields": {"n": [5]}})
    assert "steps: required with 'model'" in no_steps


def test_model_mode_checks_the_class_and_its_parameters(tmp_path: Path) -> None:
    design = {"kind": "grid", "fields": {"n": [10], "start_welth": [1.0]}}
    [line] = problems(tmp_path, model=TOY, steps=3, design=design)
    assert "start_welth: tests.toy_models:BoltzmannWealth takes no such parameter" in line
    assert "did you mean 'start_wealth'?" in line
    [missing] = problems(tmp_path, model="tests.toy_models:Nope", steps=3, design=design)
    assert "model = 'tests.toy_models:Nope': no such class in tests.toy_models" in missing
    [module] = problems(tmp_path, model="tests.nowhere:Model", steps=3, design=design)
    assert "cannot import" in module


def test_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(tmp_path / "absent.yaml")]) == 2
    assert f"error: {tmp_path / 'absent.yaml'}: no such file" in capsys.readouterr().err
    path = write_experiment(tmp_path, "lost", scenario="nowhere.yaml", design=GRID)
    assert main(["sweep", str(path)]) == 2
    assert "scenario = 'nowhere.yaml': no such file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["--shard", "2/2"], ["--shard", "one"], ["--workers", "0"], ["--scheduler", "tcp://x:1"],
])
def test_bad_command_line_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = write_experiment(tmp_path, "ok", scenario=str(BANG_SAO_THONG), design=GRID)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), *argv]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / "out").exists()


def test_shipped_experiments_are_valid() -> None:
    root = Path(__file__).resolve().parents[1] / "experiments"
    sizes = {path.stem: plan_sweep(load_experiment(path)).total_runs
             for path in sorted(root.glob("*.yaml"))}
    assert sizes == {"calibrate_bang_sao_thong": 100, "fund_share_tradeoff": 320,
                     "interventions": 150, "loans_covid": 40, "mesa_boltzmann": 30,
                     "mesa_virus_on_network": 50, "morris_community_capital": 756,
                     "morris_enterprise_network": 756, "morris_screen": 900,
                     "network_formation": 300, "profit_share_x_density": 2880, "smoke": 12,
                     "policy_choice": 720, "welfare_matching": 80}

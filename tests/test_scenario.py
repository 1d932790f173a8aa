"""Scenario files: valid ones load with documented defaults, bad ones give one clear line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from se_sim.cli import main
from se_sim.scenario import InputError, Scenario, load_scenario
from tests.conftest import BANG_SAO_THONG, ROOT


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_are_valid(path: Path) -> None:
    assert isinstance(load_scenario(path), Scenario)


def test_bang_sao_thong_holds_the_case_figures(bang_sao_thong: Scenario) -> None:
    assert bang_sao_thong.households.leader_count == 30
    assert bang_sao_thong.months == 36
    assert [s.kind for s in bang_sao_thong.shocks] == ["covid19"]


def test_defaults_fill_missing_sections(tmp_path: Path) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text("name: minimal\nhouseholds:\n  count: 50\n")
    scenario = load_scenario(path)
    assert scenario.households.count == 50
    assert scenario.network.kind == "two_group"
    assert len(scenario.enterprises) == 1


def test_overrides_reach_nested_fields_and_list_items() -> None:
    scenario = load_scenario(
        BANG_SAO_THONG,
        ["households.count=500", "allocation.fund_share=0.5", "enterprises.0.price_thb=60"],
    )
    assert scenario.households.count == 500
    assert scenario.allocation.fund_share == 0.5
    assert scenario.enterprises[0].price_thb == 60


def _errors(tmp_path: Path, text: str, overrides: list[str] | None = None) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_scenario(path, overrides)
    return caught.value.lines


def test_unknown_key_names_the_closest_valid_key(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "households:\n  cout: 100\n")
    assert "bad.yaml: households.cout: unknown field; did you mean 'count'?" in line


def test_value_out_of_range_names_file_field_value_and_limit(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "households:\n  newcomer_share: 1.5\n")
    assert "bad.yaml: households.newcomer_share = 1.5: " in line
    assert "less than or equal to 1" in line


@pytest.mark.parametrize(("value", "limit"),
                         [(0, "greater than 0"), (1.2, "less than or equal to 1")])
def test_interested_share_outside_its_range_is_refused(tmp_path: Path, value: float,
                                                        limit: str) -> None:
    [line] = _errors(tmp_path, f"households:\n  joining:\n    interested_share: {value}\n")
    assert f"bad.yaml: households.joining.interested_share = {value}: " in line and limit in line


def test_wrong_choice_lists_the_allowed_ones(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "network:\n  kind: ring\n")
    assert "network.kind = 'ring'" in line and "'watts_strogatz'" in line


def test_intervention_errors_use_yaml_paths(tmp_path: Path) -> None:
    lines = _errors(tmp_path, "interventions:\n  - kind: training\n    month: -1\n    gains: 1\n")
    assert any("interventions.0.month = -1" in line for line in lines)
    assert any("interventions.0.gains: unknown field" in line for line in lines)


def test_profit_split_over_one_is_refused(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "allocation:\n  fund_share: 0.7\n  member_share: 0.5\n")
    assert "must be at most 1" in line and line.startswith(str(tmp_path / "bad.yaml"))


def test_more_leaders_than_households_is_refused(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "households:\n  count: 20\n  leaders: 25\n")
    assert line == (f"{tmp_path / 'bad.yaml'}: households = {{'count': 20, 'leaders': 25}}: "
                    "leaders (25) must not exceed count (20)")


def test_a_rule_across_a_whole_section_does_not_print_the_section() -> None:
    """An override breaking a rule of the case's households section (some 40 fields): the line
    names the section and the rule, not every field's value."""
    with pytest.raises(InputError) as caught:
        load_scenario(BANG_SAO_THONG, ["households.leaders=25"])
    [line] = caught.value.lines
    assert line == (f"{BANG_SAO_THONG} (override): households: set leaders (a count) or "
                    "leaders_per_1000_households (in proportion to count), not both")


def test_too_dense_network_is_refused(tmp_path: Path) -> None:
    text = "households:\n  count: 20\n  leaders: 4\nnetwork:\n  mean_degree: 30\n"
    [line] = _errors(tmp_path, text)
    assert "too dense" in line


def test_bad_yaml_gives_line_number(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "name: [oops\n")
    assert "not valid YAML" in line and "line" in line


def test_bad_yaml_points_at_the_line_and_column_of_the_mistake(tmp_path: Path) -> None:
    """Counted from 1, as editors count: the stray colon is on line 4, in column 11."""
    [line] = _errors(tmp_path, "name: ok\nhouseholds:\n  count: 50\n   leaders: 3\n")
    assert line.startswith(f"{tmp_path / 'bad.yaml'} (line 4, column 11): not valid YAML: ")


def test_missing_file() -> None:
    with pytest.raises(InputError, match=r"nowhere\.yaml: no such file"):
        load_scenario("nowhere.yaml")


def test_bad_override_path_and_value(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"households\.cont: unknown field; did you mean 'count'"):
        load_scenario(BANG_SAO_THONG, ["households.cont=5"])
    with pytest.raises(InputError, match="not an index of a list of 1 items"):
        load_scenario(BANG_SAO_THONG, ["enterprises.3.price_thb=5"])
    with pytest.raises(InputError, match=r"enterprises\.1\.price_thb: '1' is not an index"):
        load_scenario(BANG_SAO_THONG, ["enterprises.1.price_thb=5"])  # one past the last item
    with pytest.raises(InputError, match="expected PATH=VALUE"):
        load_scenario(BANG_SAO_THONG, ["households.count"])


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "nowhere.yaml"],
        ["run", str(BANG_SAO_THONG), "--set", "households.count=abc"],
        ["run", str(BANG_SAO_THONG), "--set", "network.homophily=1.0"],
        ["run", str(BANG_SAO_THONG), "--replicates", "0"],
        ["run", str(BANG_SAO_THONG), "--seed", "-1"],
        ["run", str(BANG_SAO_THONG), "--out", str(BANG_SAO_THONG)],
    ],
)
def test_cli_bad_input_exits_2_with_one_line_per_error(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.strip() and all(line.startswith("error: ") for line in err.strip().splitlines())
    assert "Traceback" not in err


def test_labour_and_committed_cost_over_the_unit_cost_are_refused(tmp_path: Path) -> None:
    [line] = _errors(tmp_path, "enterprises:\n  - name: shop\n    labour_share: 0.6\n"
                               "    committed_cost_share: 0.5\n")
    assert line.startswith(str(tmp_path / "bad.yaml")) and "enterprises.0" in line
    assert "labour_share + committed_cost_share = 1.1; must be at most 1" in line

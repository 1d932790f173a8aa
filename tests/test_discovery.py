"""Scenario discovery: rules, and PRIM boxes around a region planted in the data."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from se_sim.analysis.discovery import describe_box, discover, parse_rule
from se_sim.analysis.sweep_results import SweepResults
from se_sim.scenario import InputError


def grid_results(y_of: callable) -> SweepResults:
    """A 21 x 21 grid of share in [0, 1] and degree in [2, 12], two replicates a point."""
    levels = itertools.product(np.linspace(0, 1, 21).round(9), np.linspace(2, 12, 21), [0, 1])
    runs = pd.DataFrame(list(levels), columns=["allocation.fund_share", "network.mean_degree",
                                               "replicate"])
    runs["point_id"] = np.arange(len(runs)) // 2
    runs = runs.assign(run_id=np.arange(len(runs)), seed=0, status="ok",
                       outcome=y_of(runs["allocation.fund_share"], runs["network.mean_degree"]))
    swept = ["allocation.fund_share", "network.mean_degree"]
    manifest = {"experiment": {"resolved": {"name": "grid"}},
                "design": {"kind": "grid", "swept": swept, "points": len(runs) // 2}}
    return SweepResults(Path("grid"), manifest, True, runs, pd.DataFrame())


@pytest.mark.parametrize(("text", "op", "value"), [
    ("outcome < 5", "<", 5.0), ("outcome>=-1.5e3", ">=", -1500.0), ("outcome > 5,000", ">", 5e3),
    ("  outcome <= .25 ", "<=", 0.25),
])
def test_rules_parse(text: str, op: str, value: float) -> None:
    rule = parse_rule(text, grid_results(lambda s, d: s))
    assert (rule.metric, rule.op, rule.value) == ("outcome", op, value)


@pytest.mark.parametrize(("text", "message"), [
    ("outcome = 5", "expected METRIC < VALUE"),
    ("outcome < many", "expected METRIC < VALUE"),
    ("< 5", "expected METRIC < VALUE"),
    ("outcom < 5", "not a summary metric in grid; did you mean 'outcome'?"),
])
def test_bad_rules_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_rule(text, grid_results(lambda s, d: s))
    assert len(error.value.lines) == 1 and message in error.value.lines[0]


def test_prim_finds_the_planted_box() -> None:
    """Low outcomes where the fund share is at most 0.3 and the degree at least 8."""
    results = grid_results(lambda s, d: np.where((s <= 0.3) & (d >= 8), 1.0, 10.0))
    found = discover(results, parse_rule("outcome < 5", results))
    first = found.boxes[found.boxes["box"] == 1].set_index("parameter")
    # the limits lie between the last level inside and the first outside
    assert 0.3 <= first.loc["allocation.fund_share", "high"] < 0.35
    assert 7.5 < first.loc["network.mean_degree", "low"] <= 8.0
    assert np.isnan(first.loc["allocation.fund_share", "low"])  # not bounded below
    assert first["density"].iloc[0] == 1.0 and first["coverage"].iloc[0] == 1.0
    assert found.cases == 7 * 9 * 2 and found.runs == 21 * 21 * 2
    assert describe_box(found.boxes, 1).startswith("allocation.fund_share ≤ 0.3")
    assert " and network.mean_degree ≥ " in describe_box(found.boxes, 1)


def test_nothing_to_discover_is_said() -> None:
    results = grid_results(lambda s, d: s)
    found = discover(results, parse_rule("outcome > 2", results))
    assert found.boxes.empty and found.note.startswith("no run has outcome > 2")

"""The planner's report end to end: a tiny policy experiment with costs, objectives and
uncertainty draws, swept and reported; its first screen speaks in words, its tables are exact."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from se_sim.analysis.costs import COLUMNS as COST_COLUMNS
from se_sim.analysis.distribution import COLUMNS as DISTRIBUTION_COLUMNS
from se_sim.analysis.report import write_report
from se_sim.analysis.robustness import COLUMNS as ROBUSTNESS_COLUMNS
from se_sim.analysis.sweep_results import read_sweep
from tests.runner_support import sweep, tiny_scenario_experiment

POLICIES = {
    "baseline": {},
    "grant": {"interventions": [{"kind": "matching_grant", "month": 2, "amount_thb": 3000}]},
    "training": {"interventions": [{"kind": "training", "month": 2, "skill_gain": 0.3}]},
}
OBJECTIVES = {"fund_unique_beneficiaries": "max", "poverty_rate_end": "min",
              "food_insecure_household_months": "min",
              "disposable_income_poorest_fifth_thb": "max"}


@pytest.fixture(scope="module")
def planner_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """3 policies x 4 draws x 2 replicates on common random numbers (24 runs), reported."""
    root = tmp_path_factory.mktemp("planner")
    experiment = tiny_scenario_experiment(
        root, "tiny_policy", replicates=2, common_random_numbers=True,
        design={"kind": "variants", "variants": POLICIES},
        uncertainty={"draws": 4, "bounds": {"market.word_of_mouth": [0.01, 0.1],
                                            "households.joining.value_weight": [0.0, 20.0]}},
        objectives=OBJECTIVES, keep_steps=["members"])
    out = root / "runs"
    assert sweep(experiment, out).ok == 24
    report = write_report(out)
    return report.out, report.page.read_text(encoding="utf-8")


def test_the_planner_tables_have_their_exact_columns(planner_report: tuple[Path, str]) -> None:
    folder, _ = planner_report
    for name, columns in (("robustness.csv", ROBUSTNESS_COLUMNS),
                          ("cost_effectiveness.csv", COST_COLUMNS),
                          ("distribution.csv", DISTRIBUTION_COLUMNS)):
        table = pd.read_csv(folder / name)
        assert list(table.columns) == columns, name
    robust = pd.read_csv(folder / "robustness.csv")
    assert set(robust["metric"]) == set(OBJECTIVES) and (robust["draws"] == 4).all()
    assert robust.groupby("metric")["p_best"].sum().round(9).eq(1).all()


def test_the_first_screen_names_no_raw_column(planner_report: tuple[Path, str]) -> None:
    folder, page = planner_report
    screen = re.search(r'<div id="answer">(.*?)</div>', page, re.S).group(1)
    runs = read_sweep(folder.parent).runs
    raw = [c for c in [*runs.columns, *OBJECTIVES] if "_" in c or "." in c]
    assert not [name for name in raw if name in screen]
    for question in ("Which policy", "For whom", "At what cost"):
        assert question in screen
    assert "draws of what the data do not pin" in screen


def test_household_pairs_are_re_run_from_the_stored_seeds(
        planner_report: tuple[Path, str]) -> None:
    folder, page = planner_report
    table = pd.read_csv(folder / "distribution.csv")
    income = table[table["metric"] == "disposable_income_thb"]
    assert set(income["group"]) >= {"all", "decile 1", "decile 10", "original", "newcomer",
                                    "vulnerable", "members"}
    assert "from 8 pairs of runs re-run from their seeds" in page  # 4 draws x 2 replicates
    assert "could not be re-run" not in page and "model changed" not in page

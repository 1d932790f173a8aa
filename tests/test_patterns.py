"""Pattern-oriented validation: the Bang Sao Thong case's figures, reproduced at once by the
mechanisms over 30 replicates (docs/ODD.md, "Calibration")."""

from __future__ import annotations

import pandas as pd
import pytest

from se_sim.runner.replicates import run_replicates
from se_sim.scenario import Scenario


@pytest.fixture(scope="module")
def medians(bang_sao_thong: Scenario) -> pd.Series:
    result = run_replicates(bang_sao_thong, list(range(30)), progress=False)
    return result.summary.median(numeric_only=True)


def test_thirty_founding_leaders(medians: pd.Series) -> None:
    assert medians["founding_leaders"] == 30


def test_about_255_households_fed_from_gardens_at_the_end_of_covid(medians: pd.Series) -> None:
    assert medians["garden_households_end_of_shock"] == pytest.approx(255, rel=0.2)


def test_fund_accumulates_about_10000_baht(medians: pd.Series) -> None:
    assert medians["fund_inflow_total_thb"] == pytest.approx(10_000, rel=0.3)


def test_fund_helps_about_35_people(medians: pd.Series) -> None:
    assert medians["fund_unique_beneficiaries"] == pytest.approx(35, rel=0.3)


def test_ties_and_trust_between_groups_grow(medians: pd.Series) -> None:
    assert medians["cross_group_tie_share_end"] > medians["cross_group_tie_share_start"]
    assert medians["outgroup_trust_end"] > medians["outgroup_trust_start"]

"""Parameters that scale: four times the households and the leaders, the same community per
household (buyers, demand, costs and grant caps are per household or shares; leaders a count)."""

from __future__ import annotations

import pytest

from tests.conftest import case_scenario
from tests.knockout import summaries

PER_HOUSEHOLD = ["fund_inflow_per_household_thb", "members_per_1000_end", "people_helped_per_1000"]
COUNTS = ["garden_reach_end", "buyers_end"]  # compared per household


def test_four_times_the_community_keeps_per_household_outcomes() -> None:
    seeds = range(8)
    small = summaries(case_scenario(months=36), seeds)
    big = summaries(case_scenario(months=36, **{"households.count": 4000}), seeds)
    for column in PER_HOUSEHOLD:
        assert big[column].median() == pytest.approx(small[column].median(), rel=0.2), column
    for column in COUNTS:
        assert big[column].median() / 4000 == pytest.approx(small[column].median() / 1000,
                                                             rel=0.2), column

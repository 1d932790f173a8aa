"""What interventions cost their funder: counted in the right months, outside the community's
money, and refused where a running cost has no duration."""

from __future__ import annotations

import pytest

from se_sim.scenario import InputError
from tests.conftest import run, small_scenario

CHANNEL = {"kind": "market_channel", "month": 6, "cost_thb": 5_000, "cost_thb_per_month": 700}


def test_a_channel_costs_its_setup_once_and_its_running_cost_each_month_to_the_end() -> None:
    _, table, summary = run(small_scenario(months=12, interventions=[CHANNEL]), seed=3)
    cost = table.set_index("month")["intervention_cost_thb"]
    assert (cost.loc[:5] == 0).all()
    assert cost.loc[6] == 5_000 + 700
    assert (cost.loc[7:12] == 700).all()
    assert summary["intervention_cost_total_thb"] == pytest.approx(5_000 + 7 * 700)
    assert summary["intervention_cost_market_channel_thb"] == summary[
        "intervention_cost_total_thb"]
    assert summary["intervention_cost_total_thb"] == pytest.approx(cost.sum())


def test_one_off_costs_fall_in_their_month_and_outside_the_horizon_cost_nothing() -> None:
    interventions = [
        {"kind": "training", "month": 2, "cost_thb": 1_000},
        {"kind": "bridging", "month": 4},  # default cost
        {"kind": "matching_grant", "month": 5, "amount_thb": 3_000},  # amount + 20% admin
        {"kind": "training", "month": 13, "cost_thb": 99_999},  # after the last month
        {"kind": "training", "month": 0, "cost_thb": 99_999},  # month 0 is never stepped
    ]
    _, table, summary = run(small_scenario(months=12, interventions=interventions), seed=1)
    cost = table.set_index("month")["intervention_cost_thb"]
    assert cost[cost > 0].to_dict() == {2: 1_000, 4: 10_000, 5: 3_600}
    assert summary["intervention_cost_training_thb"] == 1_000
    assert summary["intervention_cost_bridging_thb"] == 10_000
    assert summary["intervention_cost_matching_grant_thb"] == pytest.approx(3_600)
    assert summary["intervention_cost_total_thb"] == pytest.approx(14_600)


def test_a_grant_cost_follows_a_swept_amount_unless_given() -> None:
    swept = small_scenario(**{"interventions": [{"kind": "matching_grant", "month": 3}],
                              "interventions.0.amount_thb": 5_000})
    assert swept.interventions[0].cost_once_thb == pytest.approx(6_000)
    given = small_scenario(interventions=[{"kind": "matching_grant", "month": 3,
                                           "cost_thb": 2_500}])
    assert given.interventions[0].cost_once_thb == 2_500


def test_costs_do_not_change_the_community() -> None:
    """The funder pays from outside: the same run with and without costs is the same run, and
    money stays conserved (the ledger does not see costs)."""
    free = {**CHANNEL, "cost_thb": 0, "cost_thb_per_month": 0}
    _, paid, paid_summary = run(small_scenario(months=12, interventions=[CHANNEL]), seed=5)
    _, unpaid, unpaid_summary = run(small_scenario(months=12, interventions=[free]), seed=5)
    others = [c for c in paid.columns if c != "intervention_cost_thb"]
    assert paid[others].equals(unpaid[others])
    assert unpaid_summary["intervention_cost_total_thb"] == 0
    assert {k: v for k, v in paid_summary.items() if not k.startswith("intervention_cost")} == {
        k: v for k, v in unpaid_summary.items() if not k.startswith("intervention_cost")}
    change = paid["money_held_thb"] - paid["money_held_thb"].iloc[0]
    assert change.to_numpy() == pytest.approx(paid["external_net_inflow_thb"].to_numpy(), abs=1e-3)


@pytest.mark.parametrize(("intervention", "message"), [
    ({"kind": "training", "month": 2, "cost_thb_per_month": 10},
     "interventions.0 = {'kind': 'training', 'month': 2, 'cost_thb_per_month': 10}: "
     "cost_thb_per_month: a training intervention happens once, so give its whole cost as "
     "cost_thb (only a market_channel lasts)"),
    ({"kind": "bridging", "month": 2, "cost_thb": -1},
     "interventions.0.cost_thb = -1: Input should be greater than or equal to 0"),
])
def test_bad_costs_are_one_readable_line(intervention: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        small_scenario(interventions=[intervention])
    assert [line.split(": ", 1)[1] for line in caught.value.lines] == [message]

"""Networks of enterprises and partners: shapes, formation modes, what ties bring, the hub.

Knock-outs run the same seeds with a mechanism on and off (tests/knockout.py); the patterns of
source 001 are asserted over replicates on common random numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from se_sim.model import CommunityModel
from se_sim.model.partners import PartnerNetwork, centre_of, shape_graph
from se_sim.runner.simulate import simulate
from se_sim.scenario import InputError, Scenario, load_scenario
from se_sim.scenario.schema import Partners
from tests.conftest import ROOT, case_scenario, run
from tests.knockout import SEEDS, assert_effect, assert_knockout, summaries
from tests.test_model import assert_household_state_in_range, assert_invariants

NETWORK = ROOT / "scenarios" / "enterprise_network.yaml"
REMOVE_HUB = {"interventions": [{"kind": "remove_hub", "month": 12}]}
NETWORK_COLUMNS = ["network_ties_start", "network_ties_end", "partners_start", "partners_end",
                   "network_months_alive", "network_last_month"]


def network_scenario(**overrides: Any) -> Scenario:
    """The enterprise network of source 001 at 400 households for 36 months, without founding
    (tests/test_founding.py has it), so that each test sees only the network."""
    return load_scenario(NETWORK, {"households.count": 400, "months": 36, "founding": None,
                                   **overrides})


def end_values(scenario: Scenario, measure: Callable[[CommunityModel], float],
               seeds: range = SEEDS) -> np.ndarray:
    values = []
    for seed in seeds:
        model = CommunityModel(scenario, rng=seed, reporters=[])
        simulate(model, scenario.months, "month")
        values.append(measure(model))
    return np.array(values)


def network_capability(model: CommunityModel) -> float:
    return float(np.mean([e.capability for e in model.enterprise_list if e.active]))


# --- shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "ties", "centre_degree"), [
    ("star", 7, 7), ("line", 7, 2), ("circle", 8, 2), ("y", 7, 3), ("tree", 7, 2)])
def test_shapes_have_their_ties_and_the_centre_where_it_belongs(
        shape: str, ties: int, centre_degree: int) -> None:
    config = Partners(shape=shape)
    graph = shape_graph(config, 8, np.random.default_rng(0))
    centre = centre_of(config, graph)
    assert graph.number_of_edges() == ties and graph.degree[centre] == centre_degree
    assert centre == (3 if shape == "line" else 0)  # a line's middle


def test_generated_shapes_follow_the_seed() -> None:
    for shape in ("random", "scale_free"):
        config = Partners(shape=shape, mean_degree=3)
        first = shape_graph(config, 12, np.random.default_rng(5))
        again = shape_graph(config, 12, np.random.default_rng(5))
        other = shape_graph(config, 12, np.random.default_rng(6))
        assert sorted(first.edges) == sorted(again.edges) != sorted(other.edges)


def test_the_hub_sits_at_the_centre_and_every_unit_once() -> None:
    model = CommunityModel(network_scenario(**{"partners.shape": "star"}), rng=3)
    network = model.partners
    assert network.names[network.hub] == "network_centre"
    assert network.shape[network.hub].sum() == len(network.names) - 1
    assert (network.shape == network.shape.T).all() and not network.shape.diagonal().any()


# --- formation modes: the pattern of source 001 ------------------------------------------------


def formation(months: int, runs: int = 100, **overrides: Any) -> pd.DataFrame:
    """The formation process alone, on a community that does not move (its enterprises stay
    open): ``runs`` seeds, each stepping only the network for ``months`` months."""
    scenario = network_scenario(**{"households.count": 200, **overrides})
    rows = []
    for seed in range(runs):
        network = CommunityModel(scenario, rng=seed, reporters=[]).partners
        start = network.tie_count
        for month in range(1, months + 1):
            network.form(month)
        rows.append({"ties_start": start, "ties_end": network.tie_count,
                     "partners_end": network.partner_count,
                     "last_month": 0 if network.last_alive is None else network.last_alive})
    return pd.DataFrame(rows)


def test_natural_and_evolutionary_networks_outlast_state_formed_ones_which_start_larger() -> None:
    """Source 001's ordering over replicates of the whole model on common random numbers."""
    runs = {mode: summaries(network_scenario(**{"partners.formation": mode, "months": 48}),
                            range(20))
            for mode in ("natural", "state", "evolutionary")}
    for lasting in ("natural", "evolutionary"):
        for metric in ("network_ties_end", "partners_end"):
            assert_effect((runs[lasting][metric] - runs["state"][metric]).to_numpy(), +1)
        assert (runs["state"]["network_ties_start"] > runs[lasting]["network_ties_start"]).all()


@pytest.mark.parametrize("lasting", ["natural", "evolutionary"])
def test_state_formed_networks_are_the_first_to_stop_being_networks(lasting: str) -> None:
    """The last month with two ties at least (source 001's smallest network), over 100 runs of
    the formation alone; a network that never formed lasted nothing."""
    lasted = formation(48, **{"partners.formation": lasting})
    state = formation(48, **{"partners.formation": "state"})
    assert_effect((lasted["last_month"] - state["last_month"]).to_numpy(), +1)


@pytest.mark.parametrize(("mode", "overrides", "direction"), [
    ("natural", {"joining_rate": 0.0}, +1),
    ("natural", {"dissolution_rate": 0.0}, -1),
    ("evolutionary", {"mature_dissolution_rate": 0.04}, +1),  # ties that never mature
])
def test_joining_dissolution_and_maturing_drive_the_network(
        mode: str, overrides: dict, direction: int) -> None:
    knocked = {f"partners.modes.{mode}.{k}": v for k, v in overrides.items()}
    on = formation(36, **{"partners.formation": mode})
    off = formation(36, **{"partners.formation": mode, **knocked})
    assert_effect((on["ties_end"] - off["ties_end"]).to_numpy(), direction)


def test_state_networks_loosen_when_support_stops() -> None:
    on = formation(36, **{"partners.formation": "state"})
    off = formation(36, **{"partners.formation": "state", "partners.support_ends_month": None})
    assert_effect((on["ties_end"] - off["ties_end"]).to_numpy(), -1)
    assert (on["ties_start"] == off["ties_start"]).all()


def test_units_join_only_along_the_shape_and_closed_enterprises_leave() -> None:
    model = CommunityModel(network_scenario(**{"partners.formation": "evolutionary"}), rng=1)
    network = model.partners
    for _ in range(24):
        before = network.member.copy()
        model.step()
        joined = network.member & ~before
        assert (network.shape[joined] & before[None, :]).any(axis=1).all()
    assert network.member[network.hub]  # the coordinator stays
    enterprise = next(u for u in range(len(network.names)) if network.member[u] and u != network.hub
                      and network.slot[u] >= 0)
    model.enterprise_list[network.slot[enterprise]].close()
    model.step()
    assert not network.member[enterprise] and not network.links()[enterprise].any()


# --- what ties bring: on a network that stays as it formed ----------------------------------

# the network stays as it formed and its five groups stay open (closure is tested elsewhere)
STABLE = {"partners.formation": "state", "partners.support_ends_month": None,
          "partners.modes.state.dissolution_rate": 0.0, "months": 24,
          **{f"enterprises.{i}.insolvency_months": 1000 for i in range(5)}}
KNOCKOUT_SEEDS = range(8)


def stable(**overrides: Any) -> Scenario:
    return network_scenario(**STABLE, **overrides)


def test_knowledge_spills_over_to_tied_enterprises() -> None:
    off = stable(**{"partners.spillover_rate": 0.0})
    on_values = end_values(stable(), network_capability, KNOCKOUT_SEEDS)
    assert_effect(on_values - end_values(off, network_capability, KNOCKOUT_SEEDS), +1)


def test_spillover_moves_members_up_toward_what_their_ties_know() -> None:
    """skill += rate · max(mean capability of the tied units − skill, 0), members only."""
    model = CommunityModel(stable(), rng=0)
    hh, network = model.households, model.partners
    hh.skill[:] = 0.95  # above every enterprise's capability and the adviser's 0.8
    network.step(1)
    assert (hh.skill == 0.95).all()
    first = model.enterprise_list[0]
    hh.skill[:] = np.where(hh.enterprise == first.slot, 0.9, 0.1)
    capability = {u: model.enterprise_list[s].capability for u, s in enumerate(network.slot)
                  if s >= 0}
    capability |= {u: o.capability for u, o in enumerate(network.organisations)
                   if o is not None and o.capability is not None}
    before, links = hh.skill.copy(), network.links()
    network.step(2)
    for unit in np.flatnonzero(network.slot >= 0):
        known = [capability[v] for v in np.flatnonzero(links[unit]) if v in capability]
        members = model.enterprise_list[network.slot[unit]].members()
        gain = 0.05 * np.maximum(np.mean(known) - before[members], 0.0) if known else 0.0
        np.testing.assert_allclose(hh.skill[members], before[members] + gain)
    assert (hh.skill[~hh.is_member] == 0.1).all()
    assert (hh.skill > before).any()


def test_shared_channels_reach_tied_enterprises_buyers() -> None:
    # at full share: enterprises that differ make revenue noisy across seeds (docs/ODD.md 7.4)
    assert_knockout(stable(**{"partners.channel_share": 1.0}),
                    stable(**{"partners.channel_share": 0.0}), "revenue_total_thb", +1,
                    KNOCKOUT_SEEDS)


def test_a_shared_channel_is_a_share_of_each_pool_the_enterprise_lacks() -> None:
    model = CommunityModel(stable(), rng=0)
    market, network = model.market, model.partners
    network.step(1)
    links = network.links()
    for unit in np.flatnonzero(network.slot >= 0):
        own = {p.name for p in market.pools[network.slot[unit]]}
        shared = market.shared[network.slot[unit]]
        tied = [network.slot[v] for v in np.flatnonzero(links[unit]) if network.slot[v] >= 0]
        assert {p.name for p in shared} == {p.name for s in tied for p in market.pools[s]} - own
        assert len(shared) == len({p.name for p in shared})
        for pool in shared:
            assert pool.buyers_per_1000_households == pytest.approx(
                0.25 * (60 if pool.name.startswith("hub:") else 100))
    assert any(market.shared)


def test_joint_purchasing_lowers_costs() -> None:
    off = {"partners.purchasing_discount_per_tie": 0.0}
    assert_knockout(stable(), stable(**off), "profit_total_thb", +1, KNOCKOUT_SEEDS)


def test_joint_purchasing_discount_counts_ties_up_to_its_cap() -> None:
    """Every group on a circle has two ties; the centre buys jointly, the others do not."""
    model = CommunityModel(stable(**{"partners.purchasing_discount_max": 0.05}), rng=0)
    network = model.partners
    network.step(1)
    links = network.links()
    for unit in np.flatnonzero(network.slot >= 0):
        buying = sum(network.slot[v] >= 0 or network.purchasing[v]
                     for v in np.flatnonzero(links[unit]))
        enterprise = model.enterprise_list[network.slot[unit]]
        assert enterprise.unit_cost_factor == pytest.approx(1 - min(0.03 * buying, 0.05))


def test_hub_brings_buyers_at_a_fair_price() -> None:
    no_buyers = {"partners.organisations.0.hub.buyers_per_1000_households": 0}
    assert_knockout(stable(), stable(**no_buyers), "revenue_total_thb", +1, KNOCKOUT_SEEDS)
    model = CommunityModel(stable(**{"partners.shape": "star"}), rng=0)
    network = model.partners
    for slot, pool in network.hub_pools.items():
        assert pool in model.market.pools[slot]
        assert pool.price_thb == pytest.approx(model.enterprise_list[slot].config.price_thb * 1.1)
    assert set(network.hub_pools) == {int(s) for s in network.slot if s >= 0}


# --- the hub goes ------------------------------------------------------------------------------


def test_removing_the_hub_takes_its_ties_and_buyers() -> None:
    kept, removed = summaries(stable(), KNOCKOUT_SEEDS), summaries(stable(**REMOVE_HUB),
                                                                   KNOCKOUT_SEEDS)
    for metric in ("network_ties_end", "revenue_total_thb"):
        assert_effect((removed[metric] - kept[metric]).to_numpy(), -1)
    eager = {"partners.modes.state.joining_rate": 1.0}  # any unit tied to a member rejoins
    model = CommunityModel(stable(**REMOVE_HUB, **eager), rng=0)
    for _ in range(12):
        model.step()
    assert not model.partners.member[model.partners.hub] and not model.partners.hub_pools
    assert not any(p.name.startswith("hub:") for pools in model.market.pools for p in pools)
    model.step()
    assert not model.partners.member[model.partners.hub]  # gone for good
    assert model.partners.member.sum() == len(model.partners.names) - 1


def test_a_star_loses_more_than_a_circle_when_its_hub_goes() -> None:
    loss = {}
    for shape in ("star", "circle"):
        kept = summaries(stable(**{"partners.shape": shape}), KNOCKOUT_SEEDS)
        removed = summaries(stable(**{"partners.shape": shape}, **REMOVE_HUB), KNOCKOUT_SEEDS)
        loss[shape] = kept - removed
    for metric in ("network_ties_end", "revenue_total_thb"):
        assert_effect((loss["star"][metric] - loss["circle"][metric]).to_numpy(), +1)


def test_remove_hub_needs_a_network() -> None:
    with pytest.raises(InputError, match="remove_hub needs a partners section"):
        case_scenario(**REMOVE_HUB)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"partners.enterprises": ["rice_group", "nobody"]}, "not among the enterprises"),
    ({"partners.enterprises": ["rice_group"], "partners.organisations": []},
     "at least 3 units"),
    ({"partners.organisations.1.hub": {}}, "at most one organisation may be the hub"),
    ({"partners.organisations.1.name": "rice_group"}, "must be unique"),
])
def test_bad_networks_are_refused_in_one_line(overrides: dict, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        network_scenario(**overrides)
    assert len(error.value.lines) == 1 and "{" not in error.value.lines[0]


# --- flat counterfactual, determinism ----------------------------------------------------------


def test_a_network_that_brings_nothing_changes_nothing() -> None:
    """With every effect of ties at zero the run is the run without a network, draw for draw."""
    inert = {"partners.spillover_rate": 0.0, "partners.channel_share": 0.0,
             "partners.purchasing_discount_per_tie": 0.0,
             "partners.organisations.0.hub.buyers_per_1000_households": 0.0}
    _, with_network, summary = run(network_scenario(**inert), 4)
    _, without, plain = run(network_scenario(partners=None), 4)
    assert summary["network_ties_end"] > 0 and plain["network_ties_end"] == 0
    network_reporters = ["network_ties", "network_partners", "network_units"]
    pd.testing.assert_frame_equal(with_network.drop(columns=network_reporters),
                                  without.drop(columns=network_reporters))
    assert {k: v for k, v in summary.items() if k not in NETWORK_COLUMNS} == pytest.approx(
        {k: v for k, v in plain.items() if k not in NETWORK_COLUMNS}, nan_ok=True)


@pytest.mark.parametrize("shape", ["star", "y", "scale_free"])
def test_money_is_conserved_with_hub_buyers_shared_channels_and_joint_purchasing(
        shape: str) -> None:
    scenario = network_scenario(**{"partners.shape": shape, "partners.formation": "state",
                                   "months": 24}, **REMOVE_HUB)
    model, table, summary = run(scenario, 1)
    assert summary["network_ties_start"] > summary["network_ties_end"]
    assert_invariants(table, model.households.n)
    assert_household_state_in_range(model)


def test_same_seed_same_network_run() -> None:
    scenario = network_scenario(**{"partners.shape": "random"}, **REMOVE_HUB)
    first, again = run(scenario, 9), run(scenario, 9)
    pd.testing.assert_frame_equal(first[1], again[1])
    np.testing.assert_array_equal(first[0].partners.shape, again[0].partners.shape)
    assert not first[1].equals(run(scenario, 10)[1])


def test_network_reporters_follow_the_network() -> None:
    model, table, summary = run(network_scenario(**{"partners.formation": "state"}), 2)
    assert table["network_ties"].iloc[0] == summary["network_ties_start"] == 8
    assert table["network_ties"].iloc[-1] == summary["network_ties_end"]
    assert table["network_partners"].iloc[-1] == summary["partners_end"] <= 3
    assert summary["network_months_alive"] == (table["network_ties"].iloc[1:] >= 2).sum()
    assert isinstance(model.partners, PartnerNetwork)

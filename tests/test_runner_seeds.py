"""Seeds: spawned per run from the master seed, distinct, and shared per replicate under CRN."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from se_sim.runner.experiment import load_experiment
from se_sim.runner.seeds import run_seed
from se_sim.runner.storage import Shard
from se_sim.runner.sweep import plan_sweep

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def test_seeds_are_distinct_across_all_runs_of_the_main_experiment() -> None:
    plan = plan_sweep(load_experiment(EXPERIMENTS / "profit_share_x_density.yaml"))
    seeds = [spec.seed for spec in plan.specs(Shard(), set())]
    assert len(seeds) == 2880 == len(set(seeds))
    assert all(type(s) is int and 0 <= s < 2**63 for s in seeds)


def test_common_random_numbers_share_seeds_per_replicate_across_variants() -> None:
    plan = plan_sweep(load_experiment(EXPERIMENTS / "interventions.yaml"))
    by_variant: dict[int, list[int]] = {}
    for spec in plan.specs(Shard(), set()):
        by_variant.setdefault(spec.point_id, []).append(spec.seed)
    first, *others = by_variant.values()
    assert len(by_variant) == 5 and all(seeds == first for seeds in others)
    assert len(set(first)) == 30


def test_without_crn_each_point_gets_its_own_seeds() -> None:
    assert run_seed(1, 0, 0, False) != run_seed(1, 1, 0, False)
    assert run_seed(1, 0, 0, True) == run_seed(1, 1, 0, True)
    assert run_seed(1, 0, 0, False) != run_seed(2, 0, 0, False)


def test_seeds_are_spawned_children_of_the_master_seed() -> None:
    """Stable when replicates or points are added: the seed depends only on (point, replicate)."""
    child = np.random.SeedSequence(99).spawn(4)[3].spawn(8)[5]
    assert run_seed(99, 3, 5, False) == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    crn_child = np.random.SeedSequence(99).spawn(6)[5]
    assert run_seed(99, 3, 5, True) == int(crn_child.generate_state(1, np.uint64)[0] >> 1)


def test_shards_partition_the_runs() -> None:
    plan = plan_sweep(load_experiment(EXPERIMENTS / "interventions.yaml"))
    run_ids = [s.run_id for i in range(4) for s in plan.specs(Shard(i, 4), set())]
    assert sorted(run_ids) == list(range(150))
    assert [s.run_id for s in plan.specs(Shard(), {0, 1, 2})][:2] == [3, 4]

"""Mesa's own example models as the runner's external test suite.

Every model ``mesa.examples`` exports sweeps from an experiment file in tests/mesa_examples/
holding nothing but ``model``, a few fixed sizes, ``steps``, a design and seeds; keyword-style
models (``rng=``) and Scenario-style ones (``scenario=``) alike, with the same results serially
and on 2 local workers.
"""

from __future__ import annotations

from pathlib import Path

import mesa.examples
import pytest

from se_sim.analysis.labels import metric_label
from se_sim.analysis.sweep_table import format_sweep_table
from se_sim.runner.experiment import load_experiment
from tests.runner_support import ROOT, assert_same_tables, sweep, tables

# Sugarscape's price reporter averages an empty list while no one trades (NaN, as intended).
pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice",
                                        "ignore:invalid value encountered in scalar divide")

EXAMPLES = sorted((ROOT / "tests" / "mesa_examples").glob("*.yaml"))
RUNS = 4  # 2 design points x 2 replicates in every file

# What each model records: its DataCollector's model reporters (none for the models without one).
RECORDED = {
    "alliance_formation": ["Network"],  # declared, never collected: no rows, no summary
    "boid_flockers": [],
    "boltzmann_wealth": ["Gini"],
    "conways_game_of_life": [],
    "epstein_civil_violence": ["active", "quiet", "arrested"],
    "pd_grid": ["Cooperating_Agents"],
    "schelling": ["happy", "pct_happy", "population", "minority_pct"],
    "sugarscape_g1mt": ["#Traders", "Trade Volume", "Price"],
    "virus_on_network": ["Infected", "Susceptible", "Resistant", "R over S"],
    "wolf_sheep": ["Wolves", "Sheep", "Grass"],
}


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Every example swept serially and on 2 local workers: name → (serial, local) folders."""
    root = tmp_path_factory.mktemp("mesa_examples")
    folders = {}
    for path in EXAMPLES:
        serial, local = root / path.stem / "serial", root / path.stem / "local"
        sweep(path, serial)
        sweep(path, local, "local", 2)
        folders[path.stem] = (serial, local)
    return folders


def test_every_exported_model_has_an_experiment() -> None:
    models = {load_experiment(path).spec.model.partition(":")[2] for path in EXAMPLES}
    assert models == set(mesa.examples.__all__)
    assert set(RECORDED) == {path.stem for path in EXAMPLES}


def test_every_run_succeeds_with_its_own_seed_and_two_workers_match_serial(
    swept: dict[str, tuple[Path, Path]],
) -> None:
    seeds = []
    for name, (serial, local) in swept.items():
        runs, _ = tables(serial)
        failed = runs[runs["status"] != "ok"]
        assert failed.empty, f"{name}: {failed['error'].iloc[0]}"
        assert len(runs) == RUNS, name
        seeds += list(runs["seed"])
        assert_same_tables(serial, local)
    assert len(set(seeds)) == len(seeds) == RUNS * len(swept)


def test_each_model_gives_its_own_records_steps_summary_and_report(
    swept: dict[str, tuple[Path, Path]],
) -> None:
    for path in EXAMPLES:
        name, serial = path.stem, swept[path.stem][0]
        runs, steps = tables(serial)
        metrics = RECORDED[name]
        assert list(steps.columns) == ["run_id", "step", *metrics], name
        summary = list(runs.columns[runs.columns.get_loc("error") + 1:])
        assert summary == (metrics if len(steps) else []), name
        report = format_sweep_table(serial, list(load_experiment(path).spec.design.fields), None)
        if summary:
            assert report.startswith(f"median {metric_label(metrics[0])} by design point"), \
                (name, report)
            first = steps.groupby("run_id")["step"].min()
            assert set(first) == ({1} if name == "sugarscape_g1mt" else {0}), name
            assert (steps.groupby("run_id")["step"].max() <= 5).all(), name
        else:
            assert "no numeric summary" in report, name


def test_replicates_differ_because_their_seeds_do(swept: dict[str, tuple[Path, Path]]) -> None:
    """Two replicates of one design point are not the same run (seeds reach the model)."""
    for name in ("boltzmann_wealth", "wolf_sheep", "epstein_civil_violence", "virus_on_network",
                 "schelling"):
        runs, steps = tables(swept[name][0])
        first_point = runs.loc[runs["point_id"] == 0, "run_id"].tolist()
        a, b = (steps[steps["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
                for run_id in first_point)
        assert not a.equals(b), name

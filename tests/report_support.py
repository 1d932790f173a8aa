"""Small results folders for the report tests: tiny sweeps of the Bang Sao Thong scenario."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.runner_support import sweep, tiny_scenario_experiment

VARIANTS = {
    "baseline": {},
    "grant": {"interventions": [{"kind": "matching_grant", "month": 2, "amount_thb": 3000}]},
    "bridging": {"interventions": [{"kind": "bridging", "month": 2, "participants": 0.3,
                                    "ties_per_participant": 2}]},
}


def variants_folder(root: Path) -> Path:
    """3 variants x 4 replicates on common random numbers (12 runs)."""
    experiment = tiny_scenario_experiment(
        root, "tiny_variants", replicates=4, common_random_numbers=True,
        design={"kind": "variants", "variants": VARIANTS},
        keep_steps=["members", "fund_balance_thb", "fund_inflow_total_thb"],
        description="Which intervention fills the fund?")
    out = root / "variants"
    assert sweep(experiment, out).ok == 12
    return out


def grid_folder(root: Path) -> Path:
    """A 2 x 2 x 2 grid x 2 replicates on independent seeds (16 runs)."""
    experiment = tiny_scenario_experiment(
        root, "tiny_grid", replicates=2,
        design={"kind": "grid", "fields": {"allocation.fund_share": [0.1, 0.5],
                                           "network.mean_degree": [2, 5],
                                           "network.homophily": [0.3, 0.8]}})
    out = root / "grid"
    assert sweep(experiment, out).ok == 16
    return out


def offline_page():
    """scripts/screenshot_page.py's ``offline_page`` (scripts/ is no package)."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "screenshot_page.py"
    spec = importlib.util.spec_from_file_location("screenshot_page", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.offline_page

"""Survival as an outcome (docs/ODD.md, "Resilience"): the case's survival against the price
margin and against shock depth and duration, on common seeds, with model v3's rules and with
each knocked out; the figures go to docs/.

    PYTHONPATH=src python scripts/resilience_patterns.py [--seeds 20] [--out docs]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from se_sim.model import CommunityModel
from se_sim.runner.simulate import simulate
from se_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "scenarios" / "bang_sao_thong.yaml"
E = "enterprises.0."
IDENTICAL = {E + "unit_cost_sigma": 0.0, E + "capability_sigma": 0.0, E + "demand_sigma": 0.0}
V2_RULES = {**IDENTICAL, E + "committed_cost_share": 0.0, E + "loss_tolerance": 0.0,
            E + "distress_recovery": 6.0}
ARMS = {"v3 (defaults)": {}, "enterprises alike": IDENTICAL, "v2 rules": V2_RULES}
PRICES = [30, 32, 34, 36, 38, 40, 45, 50]
DROPS = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9]
DURATIONS = [6, 12, 18]


def survival(overrides: dict, seeds: range) -> float:
    scenario = load_scenario(CASE, overrides)
    closed = 0
    for seed in seeds:
        summary = simulate(CommunityModel(scenario, rng=seed, reporters=[]), scenario.months,
                           "month")[1]
        closed += summary["enterprises_closed"]
    return 1 - closed / len(seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    seeds = range(args.seeds)
    price = pd.DataFrame({arm: [survival({**kw, E + "price_thb": p}, seeds) for p in PRICES]
                          for arm, kw in ARMS.items()}, index=pd.Index(PRICES, name="price"))
    print(price.to_string(), flush=True)
    shock = pd.DataFrame(
        {(arm, d): [survival({**kw, "shocks.0.demand_drop": x, "shocks.0.duration": d}, seeds)
                    for x in DROPS]
         for arm, kw in (("v3 (defaults)", {}), ("v2 rules", V2_RULES)) for d in DURATIONS},
        index=pd.Index(DROPS, name="demand drop"))
    print(shock.to_string(), flush=True)

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for arm in price:
        left.plot(price.index, price[arm], marker="o", label=arm)
    left.set(xlabel="price, THB (unit cost 30)", ylabel="share of runs still open at month 36",
             title="Survival against the price margin")
    left.legend()
    for (arm, duration), values in shock.items():
        right.plot(shock.index, values, marker="o", linestyle="-" if arm.startswith("v3") else ":",
                   label=f"{arm}, {duration} months")
    right.set(xlabel="demand drop of the shock (from month 2)", ylabel="share still open",
              title="Survival against shock depth and duration")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(args.out / "resilience-survival.png", dpi=110)


if __name__ == "__main__":
    main()

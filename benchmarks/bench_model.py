"""Household-months per second of the Bang Sao Thong model against Mesa's Boltzmann wealth model.

Prints, for 1,000, 10,000 and 100,000 households over 36 months, the rate of our model (building
the community and its network, the monthly steps and data collection all included) and of a
plain Mesa Boltzmann wealth model (each agent gives one unit to a random other agent, with
``shuffle_do``) at the same sizes, and their ratio of cost per agent-month.
Goal (issue 2): at 10,000 households our cost is at most 3 times Boltzmann's, and grows linearly.

    python benchmarks/bench_model.py [--sizes 1000 10000 100000] [--months 36] [--repeat 3]
        [--scenario scenarios/enterprise_network.yaml]    # another scenario, e.g. all mechanisms on
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import mesa

from se_sim.model import CommunityModel
from se_sim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "bang_sao_thong.yaml"


class WealthAgent(mesa.Agent):
    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.wealth > 0:
            other = self.random.choice(self.model.agent_list)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    def __init__(self, n: int, rng: int = 0):
        super().__init__(rng=rng)
        WealthAgent.create_agents(self, n)
        self.agent_list = list(self.agents)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def run_ours(n: int, months: int, path: Path = SCENARIO) -> None:
    scenario = load_scenario(path, {"households.count": n, "months": months})
    model = CommunityModel(scenario, rng=0)
    for _ in range(months):
        model.step()


def run_boltzmann(n: int, months: int) -> None:
    model = BoltzmannWealth(n)
    for _ in range(months):
        model.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", type=Path, default=SCENARIO)
    args = parser.parse_args()
    print(f"{'households':>10}  {'se_sim hh-months/s':>19}  {'Boltzmann agent-steps/s':>23}"
          f"  {'cost ratio':>10}  {'se_sim s':>8}")
    for n in args.sizes:
        work = n * args.months
        ours = best_of(args.repeat, lambda n=n: run_ours(n, args.months, args.scenario))
        boltzmann = best_of(args.repeat, lambda n=n: run_boltzmann(n, args.months))
        print(f"{n:>10,}  {work / ours:>19,.0f}  {work / boltzmann:>23,.0f}"
              f"  {ours / boltzmann:>10.2f}  {ours:>8.2f}")


if __name__ == "__main__":
    main()

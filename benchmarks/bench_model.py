"""Household-months per second of the Bang Sao Thong model against Mesa's Boltzmann wealth model.

Prints, for 1,000, 10,000 and 100,000 households over 36 months, the rate of our model (building
the community and its network, the monthly steps and data collection of every monthly metric all
included; reading the YAML file is not, being the same few milliseconds at every size) and of a
plain Mesa Boltzmann wealth model (each agent gives one unit to a random other agent, with
``shuffle_do``) at the same sizes, and their ratio of cost per agent-month.
Goal (issue 6): at 10,000 households the ratio is at most 1.

Then the main job's figure: runs of ``experiments/profit_share_x_density.yaml`` (1,000
households) executed as a serial sweep executes them (``runner.tasks.execute``: building, steps,
only the kept metrics and the summary, packing the result; the sweep's start-up excluded),
against Boltzmann at 1,000 agents in the same process, interleaved. Goal (issue 6): at most 1.5.

Last, every mechanism at once at 10,000 households: scenarios/enterprise_network.yaml (five
enterprises, a partner network with a hub, enterprises founded during the run) with the funds of
scenarios/codi_welfare_fund.yaml (welfare fund, savings group and loans). Goal (issue 10): at
most 1, as for the case.

``--scenario`` times another scenario, e.g. scenarios/codi_welfare_fund.yaml (welfare fund and
savings group on).

    python benchmarks/bench_model.py [--sizes 1000 10000 100000] [--months 36] [--repeat 3]
                                     [--sweep-runs 40] [--scenario scenarios/bang_sao_thong.yaml]
                                     [--all-mechanisms 10000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import mesa
import yaml

from se_sim.model import CommunityModel
from se_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "bang_sao_thong.yaml"
NETWORK = ROOT / "scenarios" / "enterprise_network.yaml"
FUNDS = ROOT / "scenarios" / "codi_welfare_fund.yaml"
MAIN_JOB = ROOT / "experiments" / "profit_share_x_density.yaml"


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


def run_ours(scenario: Scenario, months: int) -> None:
    model = CommunityModel(scenario, rng=0)
    for _ in range(months):
        model.step()


def run_boltzmann(n: int, months: int) -> None:
    model = BoltzmannWealth(n)
    for _ in range(months):
        model.step()


def against_boltzmann(scenario: Scenario, months: int, repeat: int) -> tuple[float, float]:
    """Best-of seconds of the scenario and of Boltzmann with as many agents, for as long."""
    ours = best_of(repeat, lambda: run_ours(scenario, months))
    boltzmann = best_of(repeat, lambda: run_boltzmann(scenario.households.count, months))
    return ours, boltzmann


def sweep_figure(runs: int, repeat: int) -> None:
    """The main job's household-month inside a serial sweep against a Boltzmann agent-step."""
    from se_sim.runner.experiment import load_experiment
    from se_sim.runner.sweep import WHOLE, plan_sweep
    from se_sim.runner.tasks import execute

    plan = plan_sweep(load_experiment(MAIN_JOB))
    every = max(plan.total_runs // runs, 1)  # spread over the design: all shares and densities
    specs = list(plan.specs(WHOLE, set()))[::every][:runs]
    execute(specs[0], plan.job)  # warm: imports and first-call caches are start-up
    households, months = 1_000, 36
    ours, boltzmann = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for spec in specs:
            execute(spec, plan.job)
        ours.append((time.perf_counter() - start) / len(specs))
        boltzmann.append(best_of(1, lambda: run_boltzmann(households, months)))
    work = households * months
    print(f"\nmain job in a serial sweep ({len(specs)} runs of {households:,} households x "
          f"{months} months, best of {repeat}):")
    print(f"  se_sim {work / min(ours):,.0f} household-months/s, Boltzmann "
          f"{work / min(boltzmann):,.0f} agent-steps/s, cost ratio "
          f"{min(ours) / min(boltzmann):.2f} (goal <= 1.5)")


def all_mechanisms_figure(households: int, months: int, repeat: int) -> None:
    """Every mechanism at once: the partner network's scenario with the welfare fund's funds."""
    funds = yaml.safe_load(FUNDS.read_text(encoding="utf-8"))["funds"]
    scenario = load_scenario(NETWORK, {"funds": funds, "households.count": households,
                                       "months": months})
    ours, boltzmann = against_boltzmann(scenario, months, repeat)
    work = households * months
    print(f"\nevery mechanism on ({NETWORK.name} with the funds of {FUNDS.name}, "
          f"{households:,} households, best of {repeat}):")
    print(f"  se_sim {work / ours:,.0f} household-months/s, Boltzmann {work / boltzmann:,.0f} "
          f"agent-steps/s, cost ratio {ours / boltzmann:.2f} (goal <= 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sweep-runs", type=int, default=40)
    parser.add_argument("--scenario", type=Path, default=SCENARIO)
    parser.add_argument("--all-mechanisms", type=int, default=10_000, metavar="HOUSEHOLDS",
                        help="households of the every-mechanism figure (0 skips it)")
    args = parser.parse_args()
    print(f"{'households':>10}  {'se_sim hh-months/s':>19}  {'Boltzmann agent-steps/s':>23}"
          f"  {'cost ratio':>10}  {'se_sim s':>8}")
    for n in args.sizes:
        work = n * args.months
        scenario = load_scenario(args.scenario, {"households.count": n, "months": args.months})
        ours, boltzmann = against_boltzmann(scenario, args.months, args.repeat)
        print(f"{n:>10,}  {work / ours:>19,.0f}  {work / boltzmann:>23,.0f}"
              f"  {ours / boltzmann:>10.2f}  {ours:>8.2f}")
    if args.sweep_runs:
        sweep_figure(args.sweep_runs, args.repeat)
    if args.all_mechanisms:
        all_mechanisms_figure(args.all_mechanisms, args.months, args.repeat)


if __name__ == "__main__":
    main()

"""Does a calibration predict what it was not fitted to? ``se-sim calibrate --validate``.

Two checks, both on posterior predictive runs: ``predictive`` parameter sets drawn from the
posterior with replacement (by weight), each run ``replicates`` times on the sweep runner with
seeds of their own, and scored on the calibration's ``statistic`` over its replicates, as the fit
scored its simulations.

- **Posterior predictive check**: the posterior of all targets; per target the share of draws
  within its tolerance, the median and the 5%-95% range.
- **The central particle on fresh seeds**: the posterior's central particle run as many times as
  there are draws. Its share inside is what one community's history allows at a point that fits:
  where replicate noise alone puts many runs outside, no posterior can predict every run inside.
- **Leave one out**: for each target of weight > 0 in turn, the calibration is run again on the
  others, and the share of its predictive draws within the left-out target's tolerance says
  whether the model predicts that pattern from the rest. A share of at least one half is the
  goal (issue 16); below it, the pattern is not implied by the others under the model.

Folders inside the calibration's ``--out``: ``predictive/`` and ``central/`` (sweep folders), and
per target ``leave-out/<target>/`` with its own calibration and ``predictive/``. The table goes
to ``calibration/validation.csv``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from se_sim.analysis.abc_smc import central
from se_sim.analysis.numbers import significant
from se_sim.runner.executors import Backend
from se_sim.runner.experiment import Experiment, ExperimentFile, Points, Target
from se_sim.runner.storage import load_runs
from se_sim.runner.sweep import run_sweep
from se_sim.scenario import InputError

PREDICTIVE_STREAM = 2**32 + 2  # the draws of posterior sets; apart from runs, rounds and SMC
COLUMNS = ["target", "left_out_share_inside", "ppc_share_inside", "central_share_inside",
           "ppc_median", "ppc_p05", "ppc_p95"]
GOAL = 0.5  # share of the left-out target's predictive draws within its tolerance
Fit = Callable[[ExperimentFile, Path], pd.DataFrame]  # (experiment, folder) -> posterior sample


def with_targets(experiment: ExperimentFile, targets: Mapping[str, Target]) -> ExperimentFile:
    """The same experiment scored on other targets (not part of its identity)."""
    spec = experiment.spec.model_copy(update={"targets": dict(targets)})
    given = experiment.given | {"targets": {m: t.model_dump() for m, t in targets.items()}}
    return dataclasses.replace(experiment, given=given, spec=spec)


def predictive(experiment: ExperimentFile, sample: pd.DataFrame, folder: Path,
               backend: Backend, workers: int | None, scheduler: str | None,
               progress: bool = False) -> pd.DataFrame:
    """The target metrics of posterior predictive draws: one row per draw, the calibration's
    statistic over its replicates. The draws and their runs' seeds come from the experiment's
    seed, so a rerun resumes the sweep in ``folder``."""
    spec = experiment.spec
    names = list(spec.design.bounds)
    sequence = np.random.SeedSequence(spec.seed, spawn_key=(PREDICTIVE_STREAM,))
    rng = np.random.default_rng(sequence)
    weights = sample["weight"].to_numpy(dtype=float)
    draws = rng.choice(len(sample), size=spec.calibration.predictive, p=weights / weights.sum())
    points = [{name: sample[name].iloc[i].item() for name in names} for i in draws]
    changes = {
        "name": f"{spec.name}.predictive",
        "description": f"posterior predictive draws of the calibration of {spec.name}",
        "seed": int(sequence.generate_state(1, np.uint32)[0]),
        "design": {"kind": "points", "points": points},
        "keep_steps": "none",
    }
    draw_spec = Experiment[Points].model_validate(spec.model_dump() | changes)
    draw_experiment = dataclasses.replace(experiment, given=experiment.given | changes,
                                          spec=draw_spec)
    outcome = run_sweep(draw_experiment, folder, backend, workers, scheduler, progress=progress)
    if outcome.interrupted:
        raise KeyboardInterrupt
    runs = load_runs(folder)
    ok = runs[runs["status"] == "ok"]
    metrics = [m for m in spec.targets if m in ok.columns]
    values = ok[["point_id", *metrics]].astype(dict.fromkeys(metrics, float))
    return values.groupby("point_id")[metrics].agg(spec.calibration.statistic)


def share_inside(values: pd.Series, target: Target) -> float:
    """The share of values within the target's tolerance (a missing value counts as outside)."""
    inside = (values - target.value).abs() <= target.half_width
    return float(inside.mean()) if len(values) else float("nan")


def check(draws: pd.DataFrame, targets: Mapping[str, Target]) -> pd.DataFrame:
    """The posterior predictive check of every target."""
    return pd.DataFrame([{
        "target": metric,
        "ppc_share_inside": share_inside(draws[metric], target),
        "ppc_median": float(draws[metric].median()),
        "ppc_p05": float(draws[metric].quantile(0.05)),
        "ppc_p95": float(draws[metric].quantile(0.95)),
    } for metric, target in targets.items()])


def validate(experiment: ExperimentFile, out: Path, fit: Fit, backend: Backend,
             workers: int | None, scheduler: str | None,
             say: Callable[[str], None] = lambda line: None) -> pd.DataFrame:
    """The validation table (``COLUMNS``): the full fit's predictive check, and each weighted
    target's share inside its tolerance when the calibration is fitted without it."""
    targets = experiment.spec.targets
    counted = [m for m, t in targets.items() if t.weight > 0]
    if len(counted) < 2:
        raise InputError([f"{experiment.path}: targets: --validate leaves each target out in "
                          "turn and needs at least two of weight > 0"])
    say("fit on every target")
    full = fit(experiment, out)
    table = check(predictive(experiment, full, out / "predictive", backend, workers, scheduler),
                  targets)
    point = full.loc[[central(full, list(experiment.spec.design.bounds)).name]]
    runs = predictive(experiment, point.assign(weight=1.0), out / "central", backend, workers,
                      scheduler)
    table["central_share_inside"] = [share_inside(runs[m], t) for m, t in targets.items()]
    left_out: dict[str, float] = {}
    for metric in counted:
        say(f"fit without {metric}")
        folder = out / "leave-out" / metric
        rest = {m: t for m, t in targets.items() if m != metric}
        sample = fit(with_targets(experiment, rest), folder)
        draws = predictive(experiment, sample, folder / "predictive", backend, workers,
                           scheduler)
        left_out[metric] = share_inside(draws[metric], targets[metric])
    table.insert(1, "left_out_share_inside", table["target"].map(left_out))
    return table[COLUMNS]


def format_validation(table: pd.DataFrame, targets: Mapping[str, Target]) -> str:
    """The validation table as text, with each target's tolerance and the goal."""
    rows = [("target", "tolerance", "left out: inside", "all: inside", "central: inside",
             "median", "5%–95%")]
    for row in table.to_dict("records"):
        target = targets[row["target"]]
        shown: Any = row["left_out_share_inside"]
        rows.append((
            row["target"], f"{significant(target.value)} ± {significant(target.half_width)}",
            "—" if pd.isna(shown) else f"{shown:.0%}" + ("" if shown >= GOAL else " (< 50%)"),
            f"{row['ppc_share_inside']:.0%}", f"{row['central_share_inside']:.0%}",
            significant(row["ppc_median"]),
            f"{significant(row['ppc_p05'])} – {significant(row['ppc_p95'])}"))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
                     for cells in rows)

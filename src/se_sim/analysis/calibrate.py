"""Calibration by approximate Bayesian computation (ABC): ``se-sim calibrate``.

Two methods share the experiment's priors (the design's bounds), targets and output files:
``smc``, pyabc's ABC-SMC with adaptive distances (``se_sim.analysis.abc_smc``), and
``rejection``, rejection ABC in rounds on the sweep runner (this module), which runs on every
backend (Dask, SLURM shards through ``se-sim sweep``) and resumes. Both write ``posterior.csv``,
the posterior sample as field paths and a ``weight``, from which an experiment's
``uncertainty: posterior:`` draws; ``se_sim.analysis.validation`` checks either.

Rejection: each point of the ``lhs`` or ``sobol`` design is scored on the mean (or median) of
every target metric over its replicates, at the distance
``sum_i w_i ((value_i - target_i) / tolerance_i)^2``, and the points the acceptance rule keeps
are a sample of the approximate posterior.

With ``calibration.rounds`` > 1, each further round runs a Latin hypercube of as many points in
the box spanned by the previous round's accepted points, widened by ``margin`` times its width on
each side and kept inside the previous box. The priors being uniform and the boxes nested,
rejection within the last box samples the posterior restricted to that box at a tighter
threshold, without importance weights, as long as the box still holds the posterior (which is
what the margin is for).

Round 1 is the experiment itself, so its folder is an ordinary sweep folder (targets are not part
of an experiment's identity: ``se-sim sweep`` fills the same folder); round k runs in
``round-k/`` inside it, seeded from the master seed. A round's design depends only on the stored
runs of the rounds before it, so a calibration resumes like a sweep.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from se_sim.interrupts import sigterm_as_interrupt
from se_sim.runner.executors import Backend
from se_sim.runner.experiment import (
    Acceptance,
    Experiment,
    ExperimentFile,
    Lhs,
    Sobol,
    Target,
    load_experiment,
)
from se_sim.runner.seeds import round_seed
from se_sim.runner.storage import load_runs
from se_sim.runner.sweep import (
    WHOLE,
    Plan,
    SweepOutcome,
    check_options,
    plan_sweep,
    run_sweep,
)
from se_sim.runner.tasks import execute
from se_sim.scenario import InputError
from se_sim.scenario.errors import did_you_mean

FOLDER = "calibration"
CONSTRAINED = 0.5  # constraint at or above: "constrained"
WEAKLY = 0.25  # at or above (and below CONSTRAINED): "weakly constrained"
# An unconstrained parameter (accepted values spread like its uniform prior) shows a constraint
# above CHANCE / sqrt(n) in about 1% of calibrations with n >= 10 accepted sets (simulated), so
# neither label is given below that level.
CHANCE = 1.35
PINNED = ("constrained", "weakly constrained")
DRIVES = 0.3  # |rank correlation| in round 1 from which a parameter is said to drive a target
FEW_ACCEPTED = 20  # below this many accepted sets the constraint figures are noisy
Bounds = dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Round:
    """One round: its box of bounds, where its runs are, and every design point's score."""

    number: int
    folder: Path
    seed: int
    bounds: Bounds
    sweep: SweepOutcome
    scores: pd.DataFrame

    @property
    def accepted(self) -> pd.DataFrame:
        return self.scores[self.scores["accepted"]]


@dataclass
class CalibrationResult:
    """What ``calibrate`` did; ``stopped`` says why it ended before its last round, if it did."""

    experiment: ExperimentFile
    out: Path
    rounds: list[Round] = field(default_factory=list)
    interrupted: bool = False
    stopped: str = ""
    files: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(r.sweep.failed for r in self.rounds)

    @property
    def first_error(self) -> str:
        return next((r.sweep.first_error for r in self.rounds if r.sweep.first_error), "")


def calibrate_command(
    path: str | Path,
    out: str | Path | None = None,
    backend: Backend = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    on_round: Callable[[Round], None] = lambda r: None,
) -> CalibrationResult:
    """``se-sim calibrate`` without the printing: every round, then the files of the result."""
    check_options(backend, workers, scheduler)
    experiment = load_experiment(path)
    folder = Path(out or Path("results") / experiment.spec.name)
    with sigterm_as_interrupt():
        result = calibrate(experiment, folder, backend, workers, scheduler, progress, on_round)
    if not result.interrupted:
        result.files = write_calibration(result, folder / FOLDER)
    return result


class CalibrationFailed(RuntimeError):
    """A calibration inside ``--validate`` had failed runs or accepted too few sets."""


def fitted_sample(experiment: ExperimentFile, out: Path, backend: Backend = "local",
                  workers: int | None = None, scheduler: str | None = None) -> pd.DataFrame:
    """Calibrate by rejection into ``out`` and return the posterior sample (``--validate``)."""
    result = calibrate(experiment, out, backend, workers, scheduler)
    if result.interrupted:
        raise KeyboardInterrupt
    write_calibration(result, out / FOLDER)
    if result.failed or result.stopped:
        why = result.stopped or f"{result.failed} run(s) failed"
        raise CalibrationFailed(f"{experiment.path}, calibration in {out}: {why}")
    return result.rounds[-1].accepted[list(result.rounds[0].bounds)].assign(weight=1.0)


def calibrate(
    experiment: ExperimentFile,
    out: Path,
    backend: Backend = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    on_round: Callable[[Round], None] = lambda r: None,
) -> CalibrationResult:
    """Run and score every round in ``out``; stop early if too few points are accepted."""
    parameters, prior = check_calibration(experiment)
    spec = experiment.spec
    plan, probe = checked_plan(experiment)
    result = CalibrationResult(experiment, out)
    bounds, current, folder, seed = prior, experiment, out, spec.seed
    for number in range(1, spec.calibration.rounds + 1):
        if number > 1:
            seed = round_seed(spec.seed, number)
            current = round_experiment(experiment, number, bounds, seed, len(plan.design.points))
            folder = out / f"round-{number}"
        sweep = run_sweep(current, folder, backend, workers, scheduler, progress=progress)
        if sweep.interrupted:
            result.interrupted = True
            return result
        runs = load_runs(folder)
        if number == 1 and not probe and (runs["status"] == "ok").any():
            _check_targets(spec.targets, list(runs.columns), experiment.path)
        scores = score_points(runs, parameters, spec.targets, spec.replicates,
                              spec.calibration.statistic)
        scores.insert(0, "round", number)
        scores["accepted"] = accept(scores, spec.calibration.accept)
        done = Round(number, folder, seed, bounds, sweep, scores)
        result.rounds.append(done)
        on_round(done)
        accepted = len(done.accepted)
        if accepted == 0:
            result.stopped = f"round {number}: no design point accepted"
            return result
        if number < spec.calibration.rounds:
            if accepted < 2:
                result.stopped = (f"round {number}: only 1 design point accepted; narrowing the "
                                  "bounds needs 2 or more")
                return result
            bounds = narrow(done.accepted, bounds, spec.calibration.margin, plan.job.is_integer)
    return result


def check_calibration(experiment: ExperimentFile) -> tuple[list[str], Bounds]:
    """The calibrated parameters and their prior bounds; bad input becomes an InputError."""
    spec, source = experiment.spec, experiment.path
    lines = []
    if not isinstance(spec.design, Lhs | Sobol):
        lines.append(f"{source}: design.kind = {spec.design.kind!r}: calibration needs an 'lhs' "
                     "or 'sobol' design, whose bounds are the priors")
    if spec.uncertainty is not None:
        lines.append(f"{source}: uncertainty: not used by a calibration, whose design's bounds "
                     "are the priors; remove it, or sweep the experiment with se-sim sweep")
    if not spec.targets:
        lines.append(f"{source}: targets: none given; calibration needs targets such as "
                     "'fund_inflow_total_thb: {value: 10000, tolerance: 30%}'")
    elif not any(target.weight > 0 for target in spec.targets.values()):
        lines.append(f"{source}: targets: every weight is 0; at least one target must count")
    if lines:
        raise InputError(lines)
    bounds = dict(spec.design.bounds)
    return list(bounds), bounds


def checked_plan(experiment: ExperimentFile) -> tuple[Plan, dict[str, Any]]:
    """The experiment's plan, and the summary of one probe run against which every target
    metric was checked (empty if that run failed: the runs then say why)."""
    plan = plan_sweep(experiment)
    probe = _probe_metrics(plan)
    _check_targets(experiment.spec.targets, probe, experiment.path)
    return plan, probe


def _probe_metrics(plan: Plan) -> dict[str, Any]:
    """The summary of one run of design point 0, run here, so that a misspelt target fails
    before a whole round has run. Empty if that run fails (the sweep then records why)."""
    result = execute(next(plan.specs(WHOLE, set())), plan.job)
    return result.summary if result.status == "ok" else {}


def _check_targets(targets: Mapping[str, Target], known: list[str] | Mapping[str, Any],
                   source: Path) -> None:
    """One line per target that names no summary metric (or names one that is not a number);
    nothing to check against if ``known`` is empty (the probe run failed)."""
    names = sorted(str(name) for name in known)
    lines = []
    for metric in targets:
        if metric not in names:
            lines.append(f"{source}: targets.{metric}: not a summary metric of the runs"
                         f"{did_you_mean(metric, names)} (known: {', '.join(names)})")
        elif isinstance(known, Mapping) and isinstance(known[metric], str):
            lines.append(f"{source}: targets.{metric}: the runs report it as text "
                         f"({known[metric]!r}), not a number")
    if lines:
        raise InputError(lines)


def round_experiment(base: ExperimentFile, number: int, bounds: Bounds, seed: int,
                     samples: int) -> ExperimentFile:
    """Round ``number``: the experiment with a Latin hypercube of ``samples`` points within
    ``bounds`` and its own master seed; everything else (scenario, replicates, ...) unchanged."""
    name = f"{base.spec.name}.round-{number}"
    changes = {
        "name": name,
        "description": f"round {number} of the calibration of {base.spec.name}",
        "seed": seed,
        "design": {"kind": "lhs", "samples": samples,
                   "bounds": {path: list(box) for path, box in bounds.items()}},
    }
    spec = Experiment[Lhs].model_validate(base.spec.model_dump() | changes)
    return dataclasses.replace(base, given=base.given | changes, spec=spec)


def score_points(runs: pd.DataFrame, parameters: list[str], targets: Mapping[str, Target],
                 replicates: int, statistic: str = "mean") -> pd.DataFrame:
    """One row per design point: its parameters, successful replicates, the ``statistic`` of
    every target metric over them, ``distance`` (empty unless every replicate succeeded) and
    whether every weighted target lies within its tolerance."""
    ok = runs["status"] == "ok"
    metrics = list(targets)
    values = runs.loc[ok].reindex(columns=["point_id", *metrics])
    values = values.astype(dict.fromkeys(metrics, float)).groupby("point_id").agg(statistic)
    table = runs.groupby("point_id")[parameters].first()
    table["replicates_ok"] = ok.groupby(runs["point_id"]).sum().astype(int)
    table = table.join(values)
    complete = table["replicates_ok"] == replicates
    counted = {m: t for m, t in targets.items() if t.weight > 0}  # weight 0: reported only
    distance = sum(t.weight * ((table[m] - t.value) / t.half_width) ** 2
                   for m, t in counted.items())
    table["distance"] = distance.where(complete)
    hits = [(table[m] - t.value).abs() <= t.half_width for m, t in counted.items()]
    table["within_tolerance"] = complete & np.logical_and.reduce(hits)
    return table.reset_index()


def accept(scores: pd.DataFrame, rule: Acceptance) -> pd.Series:
    """The ``quantile`` share of scored points nearest the targets (ties by point id; at least
    one point), or those within every tolerance."""
    if rule.within_tolerance:
        return scores["within_tolerance"].copy()
    scored = scores.dropna(subset=["distance"]).sort_values(["distance", "point_id"],
                                                            kind="stable")
    keep = min(len(scored), max(1, math.ceil(rule.quantile * len(scored) - 1e-9)))
    return scores.index.isin(scored.index[:keep]) & scores["distance"].notna()


def narrow(accepted: pd.DataFrame, bounds: Bounds, margin: float,
           is_integer: Callable[[str], bool]) -> Bounds:
    """The next round's box: the accepted range widened by ``margin`` times its width on each
    side, inside the current box. An integer parameter keeps whole numbers: a range collapsed to
    one value v becomes (v - 0.5, v + 0.5), which samples v only."""
    narrowed: Bounds = {}
    for name, (low, high) in bounds.items():
        least, most = float(accepted[name].min()), float(accepted[name].max())
        pad = margin * (most - least)
        new_low, new_high = max(low, least - pad), min(high, most + pad)
        if is_integer(name):
            new_low = max(math.ceil(low), math.floor(new_low))
            new_high = min(math.floor(high), math.ceil(new_high))
            if new_high <= new_low:
                new_low, new_high = new_low - 0.5, new_low + 0.5
        elif new_high <= new_low:
            new_low, new_high = low, high
        narrowed[name] = (float(new_low), float(new_high))
    return narrowed


def posterior(result: CalibrationResult) -> pd.DataFrame:
    """Per parameter: prior and last box, accepted median and 5%-95% range, how much the patterns
    constrain it (``1 - sd(accepted) / sd(prior sample)``, see docs/sweeps.md), its rank
    correlation with the distance in the last round and with each target metric in round 1,
    where parameters vary independently, so that the latter says which pattern it drives."""
    first, last = result.rounds[0], result.rounds[-1]
    accepted = last.accepted
    scored = last.scores.dropna(subset=["distance"])
    prior_sample = first.scores.dropna(subset=["distance"])
    prior = first.bounds
    rows = []
    for name, (low, high) in prior.items():
        values = accepted[name].astype(float)
        spread = values.std() / first.scores[name].astype(float).std()
        constraint = 1 - spread if len(values) >= 2 else math.nan
        label = constraint_label(constraint, len(values))
        median = values.median()
        rows.append({
            "parameter": name,
            "prior_low": low,
            "prior_high": high,
            "box_low": last.bounds[name][0],
            "box_high": last.bounds[name][1],
            "accepted": len(values),
            "median": median,
            "q05": values.quantile(0.05),
            "q95": values.quantile(0.95),
            "constraint": constraint,
            "label": label,
            "rank_corr_distance": _rank_corr(scored[name], scored["distance"]),
            **{f"rank_corr_{metric}": _rank_corr(prior_sample[name], prior_sample[metric])
               for metric in result.experiment.spec.targets},
            "note": _edge_note(median, low, high) if label in PINNED else "",
        })
    return pd.DataFrame(rows)


def _rank_corr(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation; empty where either side is constant (it is undefined)."""
    if x.nunique() < 2 or y.nunique() < 2:
        return math.nan
    return float(x.corr(y, method="spearman"))


def constraint_label(constraint: float, accepted: int) -> str:
    """constrained / weakly constrained / not constrained, never on what chance alone gives."""
    if math.isnan(constraint):
        return "too few accepted"
    chance = CHANCE / math.sqrt(accepted)
    if constraint >= max(CONSTRAINED, chance):
        return "constrained"
    return "weakly constrained" if constraint >= max(WEAKLY, chance) else "not constrained"


def _edge_note(median: float, low: float, high: float) -> str:
    """A constrained parameter whose accepted sets crowd a prior bound may want a wider prior."""
    if median - low < 0.1 * (high - low):
        return "near the lower prior bound: widen it?"
    if high - median < 0.1 * (high - low):
        return "near the upper prior bound: widen it?"
    return ""


def best(result: CalibrationResult) -> pd.Series | None:
    """The central accepted set: the accepted point of the last round nearest the accepted
    medians, each parameter scaled by its accepted spread. It was run and hit the targets, and
    unlike the point at the smallest distance it is not chosen by replicate noise; unlike the
    marginal medians it lies where the accepted sets are when parameters trade off."""
    accepted = result.rounds[-1].accepted if result.rounds else pd.DataFrame()
    if accepted.empty:
        return None
    values = accepted[list(result.rounds[0].bounds)].astype(float)
    spread = values.std().where(lambda sd: sd > 0, 1.0).fillna(1.0)
    offset = (((values - values.median()) / spread) ** 2).sum(axis=1)
    order = pd.DataFrame({"offset": offset, "point_id": accepted["point_id"]})
    return accepted.loc[order.sort_values(["offset", "point_id"], kind="stable").index[0]]


def write_calibration(result: CalibrationResult, folder: Path) -> list[Path]:
    """scores.csv, accepted.csv, posterior.csv (the accepted sets' parameters, each of weight
    1), parameters.csv, best.yaml and calibration.json in ``folder``."""
    if not result.rounds:
        return []
    scores = pd.concat([r.scores for r in result.rounds], ignore_index=True)
    accepted = result.rounds[-1].accepted
    files = {
        "scores.csv": scores.to_csv(index=False),
        "accepted.csv": accepted.to_csv(index=False),
        "posterior.csv": accepted[list(result.rounds[0].bounds)].assign(weight=1.0)
        .to_csv(index=False),
        "parameters.csv": posterior(result).to_csv(index=False),
        "calibration.json": json.dumps(_record(result), indent=2) + "\n",
    }
    chosen = best(result)
    if chosen is not None:
        files["best.yaml"] = _best_yaml(result, chosen)
    written = write_files(folder, files)
    stale = folder / "best.yaml"
    if chosen is None and stale.exists():
        stale.unlink()  # from an earlier calibration into this folder that accepted something
    return written


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Each text to its file in ``folder``, atomically (a reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        temporary = path.with_name(f".{name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        written.append(path)
    return written


def _record(result: CalibrationResult) -> dict[str, Any]:
    spec = result.experiment.spec
    return {
        "experiment": str(result.experiment.path),
        "sha256": result.experiment.sha256,
        "targets": {m: {**t.model_dump(), "half_width": t.half_width}
                    for m, t in spec.targets.items()},
        "method": "rejection",
        "calibration": spec.calibration.model_dump(
            exclude_none=True, exclude={"population", "generations"}),
        "replicates": spec.replicates,
        "stopped": result.stopped,
        "rounds": [{
            "round": r.number,
            "folder": os.path.relpath(r.folder, result.out),
            "seed": r.seed,
            "bounds": {k: list(v) for k, v in r.bounds.items()},
            "points": len(r.scores),
            "scored": int(r.scores["distance"].notna().sum()),
            "accepted": len(r.accepted),
            "threshold": float(r.accepted["distance"].max()) if len(r.accepted) else None,
            "runs_failed": r.sweep.failed,
        } for r in result.rounds],
    }


def _best_yaml(result: CalibrationResult, chosen: pd.Series) -> str:
    spec = result.experiment.spec
    labels = posterior(result).set_index("parameter")["label"]
    lines = [
        f"# The central accepted parameter set of {result.experiment.path} (nearest the accepted",
        "# medians; see docs/sweeps.md, 'Calibration'):",
        f"# round {int(chosen['round'])}, point {int(chosen['point_id'])}, distance "
        f"{chosen['distance']:.4g}; {spec.calibration.statistic} over {spec.replicates} "
        "replicate(s):",
        *(f"#   {m} = {chosen[m]:.6g} (target {t.value:g} ± {t.half_width:g})"
          for m, t in spec.targets.items()),
        "# Use it as an experiment's overrides: or as --set PATH=VALUE options of se-sim run.",
        "overrides:",
    ]
    for name, label in labels.items():
        entry = yaml.safe_dump({name: _plain(chosen[name])}, default_flow_style=False).strip()
        lines.append(f"  {entry}  # {label}")
    return "\n".join(lines) + "\n"


def _drives(row: Mapping[str, Any], targets: Mapping[str, Target]) -> str:
    """The target metrics a parameter moves (|rank correlation| >= DRIVES in round 1)."""
    moved = [(row[f"rank_corr_{m}"], m) for m in targets
             if abs(row[f"rank_corr_{m}"]) >= DRIVES]
    return ", ".join(f"{m} {rho:+.2f}" for rho, m in sorted(moved, key=lambda x: -abs(x[0])))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def format_calibration(result: CalibrationResult) -> str:
    """The printed result: the posterior table and the best accepted set against the targets."""
    last = result.rounds[-1]
    spec = result.experiment.spec
    rule = spec.calibration.accept
    how = ("within every tolerance" if rule.within_tolerance
           else f"the {rule.quantile:g} quantile nearest the targets")
    head = (f"{len(last.accepted)} of {len(last.scores)} parameter sets accepted in round "
            f"{last.number} ({how})")
    if last.accepted.empty:
        return head
    table = posterior(result)
    rows = [("parameter", "prior", "median", "5%–95%", "constraint", "", "drives (round 1 ρ)")]
    rows += [(
        row["parameter"], f"{row['prior_low']:.4g}–{row['prior_high']:.4g}",
        f"{row['median']:.4g}", f"{row['q05']:.4g}–{row['q95']:.4g}", f"{row['constraint']:.2f}",
        row["label"] + (f" ({row['note']})" if row["note"] else ""), _drives(row, spec.targets),
    ) for row in table.to_dict("records")]
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
             .rstrip() for cells in rows]
    chosen = best(result)
    assert chosen is not None
    lines += ["", f"central accepted set (round {int(chosen['round'])}, point "
              f"{int(chosen['point_id'])}, distance {chosen['distance']:.3g}):"]
    lines += [f"  {m}: {chosen[m]:,.6g} (target {t.value:,.6g} ± {t.half_width:,.6g})"
              for m, t in spec.targets.items()]
    lines.append("  " + " ".join(f"--set {name}={_plain(chosen[name]):.6g}"
                                 for name in table["parameter"])
                 + "   (rounded; exact values in best.yaml)")
    if len(last.accepted) < FEW_ACCEPTED:
        lines.append(f"note: only {len(last.accepted)} accepted sets; below {FEW_ACCEPTED} the "
                     "constraint figures are noisy (more samples or a larger quantile)")
    return f"{head}:\n" + "\n".join(lines)

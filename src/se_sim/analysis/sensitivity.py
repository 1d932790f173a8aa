"""Sensitivity indices of every summary metric for sampled designs.

Sobol' and Morris designs are analysed with SALib (the sample is the one the runner drew and
stored as a SALib problem in the manifest); a Latin hypercube gets standardised regression
coefficients. Replicates of a design point are averaged first, so the indices describe the
parameters' effect on the expected outcome rather than on one seed's noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from se_sim.analysis.sweep_results import SAMPLED, SweepResults

KINDS = SAMPLED  # the designs with indices
COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu_star", "mu_star_conf", "sigma"],
    "lhs": ["src", "src_ci_low", "src_ci_high", "r2"],
}
MAIN = {"sobol": "ST", "morris": "mu_star", "lhs": "src"}  # the index a bar chart ranks by


@dataclass
class Sensitivity:
    kind: str
    table: pd.DataFrame  # metric, parameter, then COLUMNS[kind]
    skipped: dict[str, str] = field(default_factory=dict)  # metric → why it has no indices


def sensitivity_indices(results: SweepResults, metrics: list[str] | None = None,
                        seed: int = 0) -> Sensitivity | None:
    """Indices for each metric (default: every summary metric), or None for other designs."""
    if results.kind not in KINDS:
        return None
    problem = results.manifest["design"]["problem"]
    names = problem["names"]
    points = results.points
    means = results.ok.groupby("point_id")[[*names, *(metrics or results.metrics)]].mean()
    means = means.reindex(range(points))
    x = means[names].to_numpy(dtype=float)
    outcome = Sensitivity(results.kind, pd.DataFrame(columns=["metric", "parameter",
                                                              *COLUMNS[results.kind]]))
    frames = []
    for metric in metrics or results.metrics:
        y = means[metric].to_numpy(dtype=float)
        if np.isnan(y).any():
            missing = int(np.isnan(y).sum())
            outcome.skipped[metric] = f"no value at {missing} of {points} design points"
            continue
        if np.ptp(y) == 0:
            outcome.skipped[metric] = "the same at every design point"
            continue
        indices = _analyse(results, problem, x, y, seed)
        frames.append(pd.DataFrame({"metric": metric, "parameter": names, **indices}))
    if frames:
        outcome.table = pd.concat(frames, ignore_index=True)
    return outcome


def _analyse(results: SweepResults, problem: dict[str, Any], x: np.ndarray, y: np.ndarray,
             seed: int) -> dict[str, np.ndarray]:
    design = results.spec["design"]
    salib_problem = {k: problem[k] for k in ("num_vars", "names", "bounds")}
    if results.kind == "sobol":
        from SALib.analyze import sobol

        found = sobol.analyze(salib_problem, y, calc_second_order=design.get("second_order", True),
                              seed=seed)
        return {c: np.asarray(found[c]) for c in COLUMNS["sobol"]}
    if results.kind == "morris":
        from SALib.analyze import morris

        found = morris.analyze(salib_problem, x, y, num_levels=design.get("levels", 4), seed=seed)
        return {c: np.asarray(found[c]) for c in COLUMNS["morris"]}
    return standardised_regression(x, y)


def standardised_regression(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Coefficients of a linear fit of standardised y on standardised x, with 95% intervals;
    r2 says how much of the variance a linear model explains (trust the ranking if high)."""
    import statsmodels.api as sm

    spread = x.std(axis=0)
    z_x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    z_y = (y - y.mean()) / y.std()
    fit = sm.OLS(z_y, sm.add_constant(z_x, has_constant="add")).fit()
    ci = np.asarray(fit.conf_int(0.05))[1:]
    return {"src": np.asarray(fit.params)[1:], "src_ci_low": ci[:, 0], "src_ci_high": ci[:, 1],
            "r2": np.full(x.shape[1], fit.rsquared)}

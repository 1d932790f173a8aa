"""Design points: the list of field-path → value overrides an experiment runs.

Kept free of scenario and model code: the caller says which fields are integers, so sampled and
ranged values of e.g. ``households.count`` are rounded (and kept within their bounds).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.sample import latin, morris, sobol

from se_sim.runner.experiment import (
    Grid,
    Lhs,
    Morris,
    Points,
    Range,
    Section,
    Sobol,
    Sweep,
    Variants,
)

DECIMALS = 12  # ranges like 0..0.7 in 8 steps give 0.3, not 0.30000000000000004


@dataclass(frozen=True)
class Design:
    """Design points in order (point_id = index) and what the runs table shows for each."""

    kind: str
    points: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    swept: list[str]
    problem: dict[str, Any] | None = None


def build_design(design: Section, seed: int, integer_fields: Collection[str] = ()) -> Design:
    """Expand an experiment's design; ``seed`` drives SALib sampling (see seeds.design_seed)."""
    match design:
        case Grid():
            return _grid(design, integer_fields)
        case Points():
            return _points(design)
        case Variants():
            columns = [{"variant": name} for name in design.variants]
            return Design("variants", list(design.variants.values()), columns, ["variant"])
        case Lhs() | Sobol() | Morris():
            return _sampled(design, seed, integer_fields)
    raise TypeError(f"not a design: {design!r}")


def _grid(design: Grid, integer_fields: Collection[str]) -> Design:
    names = list(design.fields)
    values = [_sweep_values(design.fields[n], n in integer_fields) for n in names]
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]
    return Design("grid", points, points, names)


def _sweep_values(sweep: Sweep, integer: bool) -> list[Any]:
    if not isinstance(sweep, Range):
        return list(sweep)
    if sweep.num is not None:
        raw = np.linspace(sweep.start, sweep.stop, sweep.num)
    else:
        count = math.floor((sweep.stop - sweep.start) / sweep.step + 1e-9) + 1
        raw = sweep.start + sweep.step * np.arange(count)
    values = [int(round(v)) if integer else round(float(v), DECIMALS) for v in raw]
    return list(dict.fromkeys(values))  # rounding to integers may repeat a value


def _points(design: Points) -> Design:
    swept = list(dict.fromkeys(key for point in design.points for key in point))
    columns = [{key: point.get(key) for key in swept} for point in design.points]
    return Design("points", list(design.points), columns, swept)


def _sampled(design: Lhs | Sobol | Morris, seed: int, integer_fields: Collection[str]) -> Design:
    names = list(design.bounds)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(design.bounds[n]) for n in names],
    }
    match design:
        case Lhs():
            matrix = latin.sample(problem, design.samples, seed=seed)
        case Sobol():
            matrix = sobol.sample(
                problem, design.samples, calc_second_order=design.second_order, seed=seed
            )
        case Morris():
            matrix = morris.sample(problem, design.trajectories, num_levels=design.levels,
                                   seed=seed)
    columns = [
        _column_values(matrix[:, j], design.bounds[name], name in integer_fields)
        for j, name in enumerate(names)
    ]
    points = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return Design(design.kind, points, points, names, problem)


def _column_values(column: np.ndarray, bounds: tuple[float, float], integer: bool) -> list[Any]:
    if integer:
        low, high = math.ceil(bounds[0]), math.floor(bounds[1])
        return [int(v) for v in np.clip(np.rint(column), low, high)]
    return [float(v) for v in column]

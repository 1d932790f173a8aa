"""Design points: the list of field-path → value overrides an experiment runs.

Kept free of scenario and model code: the caller says which fields are integers, so sampled and
ranged values of e.g. ``households.count`` are rounded (and kept within their bounds).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from se_sim.runner.experiment import (
    Grid,
    Levels,
    Lhs,
    Morris,
    Points,
    Section,
    Sobol,
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


def build_design(
    design: Section, seed: int, is_integer: Callable[[str], bool] = lambda path: False
) -> Design:
    """Expand an experiment's design; ``seed`` drives SALib sampling (see seeds.design_seed)."""
    match design:
        case Grid():
            return _grid(design, is_integer)
        case Points():
            return _points(design)
        case Variants():
            columns = [{"variant": name} for name in design.variants]
            return Design("variants", list(design.variants.values()), columns, ["variant"])
        case Lhs() | Sobol() | Morris():
            return _sampled(design, seed, is_integer)
    raise TypeError(f"not a design: {design!r}")


def _grid(design: Grid, is_integer: Callable[[str], bool]) -> Design:
    names = list(design.fields)
    values = [_sweep_values(design.fields[n], is_integer(n)) for n in names]
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]
    return Design("grid", points, points, names)


def _sweep_values(levels: Levels, integer: bool) -> list[Any]:
    if levels.values is not None:
        return list(levels.values)
    start, stop = float(levels.start), float(levels.stop)  # type: ignore[arg-type]
    if levels.num is not None:
        raw = np.linspace(start, stop, levels.num)
    else:
        step = float(levels.step)  # type: ignore[arg-type]
        raw = start + step * np.arange(math.floor((stop - start) / step + 1e-9) + 1)
    values = [round(v) if integer else round(float(v), DECIMALS) for v in raw]
    return list(dict.fromkeys(values))  # rounding to integers may repeat a value


def _points(design: Points) -> Design:
    swept = list(dict.fromkeys(key for point in design.points for key in point))
    columns = [{key: point.get(key) for key in swept} for point in design.points]
    return Design("points", list(design.points), columns, swept)


def _sampled(design: Lhs | Sobol | Morris, seed: int, is_integer: Callable[[str], bool]) -> Design:
    names = list(design.bounds)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(design.bounds[n]) for n in names],
    }
    matrix = _salib_sample(design, dict(problem), seed)  # SALib adds keys to the dict it gets
    columns = [
        _column_values(matrix[:, j], design.bounds[name], is_integer(name))
        for j, name in enumerate(names)
    ]
    points = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return Design(design.kind, points, points, names, problem)


def _salib_sample(design: Lhs | Sobol | Morris, problem: dict[str, Any], seed: int) -> np.ndarray:
    from SALib.sample import latin, morris, sobol  # loads scipy.stats; only sampled designs need it

    match design:
        case Lhs():
            return latin.sample(problem, design.samples, seed=seed)
        case Sobol():
            return sobol.sample(problem, design.samples, calc_second_order=design.second_order,
                                seed=seed)
        case Morris():
            return morris.sample(problem, design.trajectories, num_levels=design.levels,
                                 seed=seed)


def _column_values(column: np.ndarray, bounds: tuple[float, float], integer: bool) -> list[Any]:
    if integer:
        low, high = math.ceil(bounds[0]), math.floor(bounds[1])
        return [int(v) for v in np.clip(np.rint(column), low, high)]
    return [float(v) for v in column]

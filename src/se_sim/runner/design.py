"""Design points: the list of field-path → value overrides an experiment runs.

Kept free of scenario and model code: the caller says which fields are integers, so sampled and
ranged values of e.g. ``households.count`` are rounded (and kept within their bounds).

Grids and sampled designs build each point when it is asked for, so a design of millions of
points costs the memory of its levels (grids) or of its sample matrix, not of millions of dicts;
``design_size`` counts points without building anything, so that a huge design can be refused
first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

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
CHECK_ALL = 10_000  # designs up to this size have every point checked before anything runs


@dataclass(frozen=True)
class Design:
    """Design points in order (point_id = index) and what the runs table shows for each."""

    kind: str
    points: Sequence[dict[str, Any]]
    columns: Sequence[dict[str, Any]]
    swept: list[str]
    problem: dict[str, Any] | None = None


class _LazyPoints(Sequence[dict[str, Any]]):
    """Points made on demand from a compact description."""

    def __init__(self, names: list[str], size: int):
        self.names = names
        self._size = size

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._point(i) for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self._point(index)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def _point(self, index: int) -> dict[str, Any]:
        raise NotImplementedError


class _Product(_LazyPoints):
    """A full factorial, in itertools.product order (the last field varies fastest)."""

    def __init__(self, names: list[str], levels: list[Sequence[Any]]):
        super().__init__(names, math.prod(len(v) for v in levels))
        self.levels = levels
        self.strides = [math.prod(len(v) for v in levels[j + 1:]) for j in range(len(levels))]

    def _point(self, index: int) -> dict[str, Any]:
        return {name: _plain(values[(index // stride) % len(values)])
                for name, values, stride in zip(self.names, self.levels, self.strides,
                                                strict=True)}

    def level_ids(self, limit: int) -> list[int]:
        """One point per level of each field (the other fields at their first level); of a
        field with more than ``limit`` levels, ``limit`` of them spread evenly."""
        ids = []
        for values, stride in zip(self.levels, self.strides, strict=True):
            picks = np.linspace(0, len(values) - 1, min(len(values), limit)).round()
            ids += [int(i) * stride for i in picks]
        return ids


def _plain(value: Any) -> Any:
    """A level as the Python value a scenario or model is given."""
    if isinstance(value, np.floating):
        return round(float(value), DECIMALS)
    return value.item() if isinstance(value, np.generic) else value


class _Rows(_LazyPoints):
    """The rows of a sample matrix, one array per field, drawn on first use (so that checking
    a design of millions of samples does not draw it); values come out as Python numbers."""

    def __init__(self, names: list[str], size: int, draw: Callable[[], list[np.ndarray]],
                 as_drawn: Callable[[str, np.ndarray], np.ndarray]):
        super().__init__(names, size)
        self._draw = draw
        self._as_drawn = as_drawn  # a field's raw values as the draw turns them into levels
        self._columns: list[np.ndarray] | None = None

    def corner(self, values: Sequence[float]) -> list[Any]:
        """A point with these raw values, made as a drawn one is (integer fields rounded)."""
        return [self._as_drawn(name, np.array([value]))[0].item()
                for name, value in zip(self.names, values, strict=True)]

    @property
    def columns(self) -> list[np.ndarray]:
        if self._columns is None:
            self._columns = self._draw()
        return self._columns

    def _point(self, index: int) -> dict[str, Any]:
        return {name: column[index].item()
                for name, column in zip(self.names, self.columns, strict=True)}


def design_size(design: Section) -> int:
    """The number of points, counted without building them (for a grid of ranged integer
    fields an upper bound: rounding may merge levels)."""
    match design:
        case Grid():
            return math.prod(_level_count(levels) for levels in design.fields.values())
        case Points():
            return len(design.points)
        case Variants():
            return len(design.variants)
        case Lhs():
            return design.samples
        case Sobol():
            dims = len(design.bounds)
            return design.samples * (2 * dims + 2 if design.second_order else dims + 2)
        case Morris():
            return design.trajectories * (len(design.bounds) + 1)
    raise TypeError(f"not a design: {design!r}")


def _level_count(levels: Levels) -> int:
    if levels.named is not None:
        return len(levels.named)
    if levels.values is not None:
        return len(levels.values)
    if levels.num is not None:
        return levels.num
    return _step_count(levels.start, levels.stop, levels.step)  # type: ignore[arg-type]


def _step_count(start: float, stop: float, step: float) -> int:
    """Values from start to stop (included when a step lands on it, up to rounding) by step."""
    return math.floor((stop - start) / step + 1e-9) + 1


def points_to_check(design: Design, limit: int = CHECK_ALL) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, point) for each point to check before a sweep: those of ``ids_to_check``; for a
    sampled design of more than ``limit`` points, which is not drawn here, its two corners (every
    field at its lower bound, then at its upper), as every sample lies within the bounds."""
    if isinstance(design.points, _Rows) and len(design.points) > limit:
        assert design.problem is not None
        for corner in zip(*design.problem["bounds"], strict=True):
            yield f"design bounds {dict(zip(design.swept, corner, strict=True))}", dict(
                zip(design.swept, design.points.corner(corner), strict=True))
        return
    for point_id in ids_to_check(design, limit):
        yield f"design point {point_id} {design.columns[point_id]}", design.points[point_id]


def ids_to_check(design: Design, limit: int = CHECK_ALL) -> list[int]:
    """Which points to check before a sweep: all of a design up to ``limit`` points; of a larger
    one, ``limit`` points spread over it plus, for a grid, every level of every field."""
    size = len(design.points)
    if size <= limit:
        return list(range(size))
    ids = set(np.linspace(0, size - 1, limit).round().astype(int).tolist())
    if isinstance(design.points, _Product):
        ids |= set(design.points.level_ids(limit))
    return sorted(ids)


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
    points = _Product(names, [_sweep_values(design.fields[n], is_integer(n)) for n in names])
    if all(levels.named is None for levels in design.fields.values()):
        return Design("grid", points, points, names)
    shown = [list(design.fields[n].named) if design.fields[n].named is not None
             else points.levels[i] for i, n in enumerate(names)]
    return Design("grid", points, _Product(names, shown), names)  # named levels by their name


def _sweep_values(levels: Levels, integer: bool) -> Sequence[Any]:
    """A field's levels: the listed values, or a range as an array (8 bytes a level), whose
    floats are rounded to DECIMALS as each point is made."""
    if levels.named is not None:
        return list(levels.named.values())
    if levels.values is not None:
        return list(levels.values)
    start, stop = float(levels.start), float(levels.stop)  # type: ignore[arg-type]
    if levels.num is not None:
        raw = np.linspace(start, stop, levels.num)
    else:
        step = float(levels.step)  # type: ignore[arg-type]
        raw = start + step * np.arange(_step_count(start, stop, step))
    if integer:  # rounding may repeat a value; the range rises, so unique values stay in order
        return np.unique(np.rint(raw)).astype(np.int64)
    return raw


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
    def as_drawn(name: str, raw: np.ndarray) -> np.ndarray:
        return _column_values(raw, design.bounds[name], is_integer(name))

    def draw() -> list[np.ndarray]:
        matrix = _salib_sample(design, dict(problem), seed)  # SALib adds keys to its dict
        return [as_drawn(name, matrix[:, j]) for j, name in enumerate(names)]

    points = _Rows(names, design_size(design), draw, as_drawn)
    return Design(design.kind, points, points, names, problem)


def _salib_sample(design: Lhs | Sobol | Morris, problem: dict[str, Any], seed: int) -> np.ndarray:
    from SALib.sample import morris, sobol  # loads scipy.stats; only sampled designs need it

    match design:
        case Lhs():
            return _latin(problem, design.samples, seed)
        case Sobol():
            return sobol.sample(problem, design.samples, calc_second_order=design.second_order,
                                seed=seed)
        case Morris():
            return morris.sample(problem, design.trajectories, num_levels=design.levels,
                                 seed=seed)


def _latin(problem: dict[str, Any], samples: int, seed: int) -> np.ndarray:
    """SALib's Latin hypercube (``SALib.sample.latin.sample``), the same numbers from the same
    seed, drawn with whole-array operations: SALib's loop over samples took 102 s for 10
    million. Sample s of each field is uniform in [s/N, (s+1)/N), then each field is shuffled."""
    from SALib.util import scale_samples

    rng = np.random.default_rng(seed)
    step = 1.0 / samples
    low = np.arange(samples, dtype=float)[:, None] * step
    high = (np.arange(samples, dtype=float)[:, None] + 1) * step
    matrix = low + (high - low) * rng.random((samples, problem["num_vars"]))
    for j in range(problem["num_vars"]):
        matrix[:, j] = matrix[rng.permutation(samples), j]
    return scale_samples(matrix, problem)


def _column_values(column: np.ndarray, bounds: tuple[float, float], integer: bool) -> np.ndarray:
    if integer:
        low, high = math.ceil(bounds[0]), math.floor(bounds[1])
        return np.clip(np.rint(column), low, high).astype(np.int64)
    return column.astype(np.float64)

"""The ``uncertainty:`` layer of an experiment: draws of what the data do not pin, crossed with
the policy design.

A planner compares policies (the ``design:``) and wants to know whether the ranking survives the
parameters the case does not pin. Each of ``draws`` draws sets those parameters: every path of
``bounds`` from a Latin hypercube (SALib), and/or every parameter column of one row of
``posterior`` (the ``accepted.csv`` of ``se-sim calibrate``, rows drawn with replacement, by the
``weight`` column when there is one). Both are drawn from the experiment's seed, on a stream of
their own (``seeds.uncertainty_seed``).

Every policy point runs at every draw and every replicate: draw d has the same values for every
point (common parameter draws), and with common random numbers replicate r has the same seed for
every point and every draw. Run ids are ``(point_id * draws + draw) * replicates + replicate``;
without an uncertainty section there is one draw and no ``draw`` column, so run ids, seeds and the
runs table are exactly what they were before this layer existed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from se_sim.runner.experiment import Uncertainty, file_sha256
from se_sim.scenario import InputError

DRAW = "draw"  # the runs table's column: which draw a run belongs to (0 .. draws-1)
WEIGHT = "weight"  # a posterior's optional column of sampling weights


@dataclass(frozen=True)
class Draws:
    """The experiment's draws: ``rows[d]`` maps each uncertain path to draw d's value.

    ``posterior_rows`` says which row of the posterior file each draw took (for the manifest);
    the values themselves are also stored in the runs table, one column per path.
    """

    names: list[str]
    rows: list[dict[str, Any]]
    bounds: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # as drawn: ints rounded
    posterior: list[str] = field(default_factory=list)
    posterior_path: Path | None = None
    posterior_rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, draw: int) -> dict[str, Any]:
        return self.rows[draw]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def columns(self, draw: int) -> dict[str, Any]:
        """What the runs table records for a run of this draw."""
        return {DRAW: draw, **self.rows[draw]}

    def describe(self) -> dict[str, Any]:
        """The manifest's ``uncertainty`` entry, which the analysis reads to tell the drawn
        parameter columns from metrics."""
        posterior = None
        if self.posterior_path is not None:
            posterior = {"path": str(self.posterior_path),
                         "sha256": file_sha256(self.posterior_path),
                         "parameters": self.posterior, "rows": self.posterior_rows}
        return {"draws": len(self), "parameters": self.names,
                "bounds": {name: list(ends) for name, ends in self.bounds.items()},
                "posterior": posterior}


def params_of(point: dict[str, Any], draws: Draws | None, draw: int | None) -> dict[str, Any]:
    """A run's overrides: its policy point's, then its draw's (which may refine a list the
    point sets, e.g. ``interventions.0.cost_thb``)."""
    if draws is None or draw is None:
        return point
    return {**point, **draws[draw]}


def draws_from_runs(runs: pd.DataFrame, names: list[str]) -> Draws:
    """The draws as a runs table recorded them (each draw's values in its first run), for a
    folder whose posterior file has gone or changed; a draw no run recorded has no values."""
    if DRAW not in runs or not names or not set(names) <= set(runs.columns):
        return Draws(names, [])
    first = runs.sort_values("run_id").drop_duplicates(DRAW).set_index(DRAW)
    count = int(first.index.max()) + 1
    rows = [{name: _python(first.at[d, name]) for name in names} if d in first.index else {}
            for d in range(count)]
    return Draws(names, rows)


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def locate(run_id: int, draws: int, replicates: int) -> tuple[int, int, int]:
    """``(point_id, draw, replicate)`` of a run id (the inverse of ``run_id_of``)."""
    cell, replicate = divmod(run_id, replicates)
    point_id, draw = divmod(cell, draws)
    return point_id, draw, replicate


def run_id_of(point_id: int, draw: int, replicate: int, draws: int, replicates: int) -> int:
    return (point_id * draws + draw) * replicates + replicate


def build_draws(
    uncertainty: Uncertainty,
    posterior_path: Path | None,
    seed: int,
    knows: Callable[[str], bool],
    is_integer: Callable[[str], bool],
    source: str,
) -> Draws:
    """Draw the uncertain parameters ``uncertainty.draws`` times from ``seed``.

    ``knows`` says which posterior columns are parameters (scenario field paths, or a model's
    parameters); ``is_integer`` which ones are rounded. Problems with the posterior file are
    InputErrors naming ``source`` and the field; unknown ``bounds`` paths are left to the
    caller's check of the draws, which is the check design points get.
    """
    lhs_seed, rows_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    n = uncertainty.draws
    names = list(uncertainty.bounds)
    columns: dict[str, list[Any]] = {}
    ends: dict[str, tuple[Any, Any]] = {}
    if names:
        unit = _unit_hypercube(len(names), n, lhs_seed)
        for j, name in enumerate(names):
            low, high = uncertainty.bounds[name]
            columns[name] = _scaled(unit[:, j], low, high, is_integer(name))
            least, most = _scaled(np.array([0.0, 1.0]), low, high, is_integer(name))
            ends[name] = (least, most)
    posterior: list[str] = []
    picked: list[int] = []
    if posterior_path is not None:
        table, posterior = read_posterior(posterior_path, knows, source)
        both = [name for name in posterior if name in uncertainty.bounds]
        if both:
            raise InputError([f"{source}: uncertainty.bounds.{name}: also a column of the "
                              f"posterior {posterior_path.name}; draw a parameter from one of "
                              "them" for name in both])
        picked = _pick_rows(table, n, rows_seed)
        for name in posterior:
            values = table[name].to_numpy()[picked]
            columns[name] = ([round(float(v)) for v in values] if is_integer(name)
                             else [float(v) for v in values])
    order = [*posterior, *names]
    rows = [{name: columns[name][d] for name in order} for d in range(n)]
    return Draws(order, rows, ends, posterior, posterior_path, picked)


def _unit_hypercube(dims: int, n: int, seed: int) -> np.ndarray:
    """An n x dims Latin hypercube on [0, 1); each column is scaled to its bounds afterwards, so
    that bounds with low == high (a parameter pinned for now) need no special case in SALib."""
    from SALib.sample import latin  # loads scipy.stats; only experiments with bounds need it

    problem = {"num_vars": dims, "names": [f"x{j}" for j in range(dims)],
               "bounds": [[0.0, 1.0]] * dims}
    return latin.sample(problem, n, seed=seed)


def _scaled(unit: np.ndarray, low: float, high: float, integer: bool) -> list[Any]:
    values = low + unit * (high - low)
    if integer:
        least, most = math.ceil(low), max(math.ceil(low), math.floor(high))
        return [int(v) for v in np.clip(np.rint(values), least, most)]
    return [float(v) for v in values]


def read_posterior(
    path: Path, knows: Callable[[str], bool], source: str
) -> tuple[pd.DataFrame, list[str]]:
    """The posterior table and its parameter columns: the numeric columns that name parameters
    (in ``se-sim calibrate``'s ``accepted.csv``, the scenario paths it calibrated; its scores,
    ids and flags are not parameters)."""
    where = f"{source}: uncertainty.posterior = {path.name!r}"
    if path.is_dir():
        raise InputError([f"{where}: {path} is a folder; give the CSV file (e.g. "
                          "calibration/accepted.csv)"])
    if not path.is_file():
        raise InputError([f"{where}: no such file ({path})"])
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError) as exc:
        raise InputError([f"{where}: cannot be read as CSV: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"]
                         ) from None
    parameters = [str(c) for c in table.columns
                  if c != WEIGHT and knows(str(c)) and pd.api.types.is_numeric_dtype(table[c])
                  and not pd.api.types.is_bool_dtype(table[c])]
    if table.empty or not parameters:
        what = "has no rows" if table.empty else (
            "has no column that is a parameter of the scenario or model (columns: "
            f"{', '.join(map(str, table.columns))}); its parameter columns are field paths "
            "such as market.word_of_mouth, as se-sim calibrate writes them")
        raise InputError([f"{where}: {what}"])
    lines = [f"{where}: column {name!r} has empty values (rows "
             f"{', '.join(str(i + 2) for i in np.flatnonzero(table[name].isna())[:5])} of the "
             "file); every accepted set needs every parameter"
             for name in parameters if table[name].isna().any()]
    if WEIGHT in table:
        weight = pd.to_numeric(table[WEIGHT], errors="coerce")
        if weight.isna().any() or (weight < 0).any() or not weight.sum() > 0:
            lines.append(f"{where}: column 'weight' must hold numbers >= 0 with a positive sum")
    if lines:
        raise InputError(lines)
    return table, parameters


def _pick_rows(table: pd.DataFrame, n: int, seed: int) -> list[int]:
    """n row indices drawn with replacement, by weight when the table has weights."""
    weights = None
    if WEIGHT in table:
        weight = pd.to_numeric(table[WEIGHT]).to_numpy(dtype=float)
        weights = weight / weight.sum()
    picked = np.random.default_rng(seed).choice(len(table), size=n, replace=True, p=weights)
    return [int(i) for i in picked]


def lever_paths(points: Any, swept: list[str], kind: str) -> set[str]:
    """The paths the policy design sets: its swept fields, or a variant's or point's keys."""
    if kind in ("variants", "points"):
        return {key for point in points for key in point}
    return set(swept)


def check_draws(
    draws: Draws,
    levers: set[str],
    check: Callable[[dict[str, Any], str], None],
    first_point: dict[str, Any],
    source: str,
    limit: int,
) -> None:
    """Refuse draws the runner could not run, before anything runs: a path that is also a
    policy lever (it would be both chosen and uncertain), then each uncertain path alone and
    then the draws (up to ``limit`` of them, spread), each with the first policy point, as
    design points are checked. A bounds path is checked at both of its ends."""
    clash = [name for name in draws.names if name in levers]
    if clash:
        raise InputError([f"{source}: uncertainty: {name}: also set by the design; a parameter "
                          "is either a policy lever or uncertain, not both" for name in clash])
    for name in draws.names:
        if name in draws.bounds:
            for end in draws.bounds[name]:
                check({**first_point, name: end}, f"{source}: uncertainty.bounds")
        else:
            check({**first_point, name: draws[0][name]},
                  f"{source}: uncertainty.posterior ({draws.posterior_path})")
    picks = np.unique(np.linspace(0, len(draws) - 1, min(len(draws), limit)).round().astype(int))
    for d in picks.tolist():
        check({**first_point, **draws[d]}, f"{source}: uncertainty draw {d} {draws[d]}")

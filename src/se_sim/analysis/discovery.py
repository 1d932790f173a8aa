"""Scenario discovery: which ranges of the swept parameters give an outcome of interest.

A rule such as ``fund_inflow_total_thb < 5000`` marks each run as a case of interest or not;
PRIM (the patient rule induction method, from EMA Workbench) then peels boxes in parameter
space that hold many such cases. A box is judged by its *coverage* (the share of all cases of
interest inside it) and its *density* (the share of runs inside it that are cases of interest).
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from se_sim.analysis.sweep_results import SweepResults
from se_sim.scenario.errors import InputError

OPERATORS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
}
RULE = re.compile(r"\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?[\d,_]*\.?\d+(?:[eE][-+]?\d+)?)\s*")
MAX_BOXES = 3
MIN_COVERAGE = 0.5  # of the cases of interest still outside earlier boxes
MIN_BOX_COVERAGE = 0.1  # of all cases of interest: smaller boxes explain too little to show


@dataclass(frozen=True)
class Rule:
    metric: str
    op: str
    value: float

    @property
    def text(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def holds(self, values: pd.Series) -> np.ndarray:
        """True where the rule holds; a missing value never counts as a case of interest."""
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return OPERATORS[self.op](numbers, self.value) & ~np.isnan(numbers)


def parse_rule(text: str, results: SweepResults) -> Rule:
    """``"METRIC < VALUE"`` (or ``<=``, ``>``, ``>=``) with METRIC a summary metric."""
    match = RULE.fullmatch(text)
    if not match:
        raise InputError([f"--discover {text!r}: expected METRIC < VALUE or METRIC > VALUE "
                          "(also <=, >=), e.g. 'fund_inflow_total_thb < 5000'"])
    metric, op, number = match.groups()
    results.check_metrics([metric], f"--discover {text!r}:")
    return Rule(metric, op, float(number.replace(",", "").replace("_", "")))


@dataclass
class Discovery:
    rule: Rule
    cases: int  # runs where the rule holds
    runs: int  # runs considered (successful ones)
    boxes: pd.DataFrame  # box, coverage, density, mass, runs_in_box, cases_in_box, parameter,
    #                      low, high, values (one row per box and restricted parameter)
    note: str = ""


def discover(results: SweepResults, rule: Rule, max_boxes: int = MAX_BOXES) -> Discovery:
    """PRIM's boxes (see ``prim_boxes``) of the swept parameters where ``rule`` holds."""
    ok = results.ok
    y = rule.holds(ok[rule.metric])
    x = ok[[c for c in results.swept if ok[c].nunique(dropna=False) > 1]].reset_index(drop=True)
    found = Discovery(rule, int(y.sum()), len(y), empty_boxes())
    if x.empty:
        found.note = "no swept parameter varies across the runs, so there is nothing to bound"
    elif not y.any() or y.all():
        found.note = f"{'no' if not y.any() else 'every'} run has {rule.text}: nothing to discover"
    if found.note:
        return found
    found.boxes = prim_boxes(x, y, max_boxes)
    if found.boxes.empty:
        found.note = f"PRIM found no box where {rule.text} is more common than elsewhere"
    return found


def prim_boxes(x: pd.DataFrame, y: np.ndarray, max_boxes: int = MAX_BOXES,
               max_dims: int | None = None) -> pd.DataFrame:
    """Up to ``max_boxes`` PRIM boxes over the columns of ``x`` for the cases ``y`` (some but not
    all true), each chosen on its peeling trajectory as the densest box that still covers at
    least half of the cases left outside earlier boxes (and a tenth of all of them), and bounds
    at most ``max_dims`` parameters if given (a rule short enough to say); no rows when no box
    holds the cases more densely than the rest."""
    prim = _prim(x, y)
    rows: list[dict] = []
    left = 1.0  # share of the cases of interest not yet in a box
    for number in range(1, max_boxes + 1):
        box = prim.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        eligible = trajectory[
            (trajectory["coverage"] >= max(MIN_COVERAGE * left, MIN_BOX_COVERAGE))
            & (trajectory["res_dim"] > 0)
            & (trajectory["res_dim"] <= (max_dims or len(x.columns)))
        ]
        if eligible.empty:
            break
        best = int(eligible["density"].idxmax())
        box.select(best)
        stats = trajectory.loc[best]
        remaining_rate = y[prim.yi_remaining].mean() if prim.yi_remaining.size else 0.0
        if stats["density"] <= remaining_rate:  # no better than the runs outside any box
            break
        rows += _limits(number, stats, box.box_lims[best], box.box_lims[0])
        left -= float(stats["coverage"])
        if left <= 0:
            break
    return _box_rows(rows)


def empty_boxes() -> pd.DataFrame:
    """Box rows of no box, with every column."""
    return _box_rows([])


def _prim(x: pd.DataFrame, y: np.ndarray):  # -> ema_workbench.analysis.prim.Prim
    with warnings.catch_warnings():  # the workbench warns at import about optional parts
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    numeric = x.apply(pd.to_numeric, errors="coerce").notna().all()
    x = x.apply(lambda c: c.astype(float) if numeric[c.name] else c.astype(str))
    return prim.Prim(x, y)


def _limits(number: int, stats: pd.Series, limits: pd.DataFrame,
            initial: pd.DataFrame) -> list[dict]:
    rows = []
    for parameter in limits.columns:
        low, high = limits[parameter].iloc[0], limits[parameter].iloc[1]
        start_low, start_high = initial[parameter].iloc[0], initial[parameter].iloc[1]
        if isinstance(low, set):
            if low == start_low:
                continue
            bounds = {"low": np.nan, "high": np.nan, "values": "|".join(sorted(map(str, low)))}
        else:
            if low == start_low and high == start_high:
                continue
            bounds = {"low": float(low) if low != start_low else np.nan,
                      "high": float(high) if high != start_high else np.nan, "values": ""}
        rows.append({"box": number, "coverage": float(stats["coverage"]),
                     "density": float(stats["density"]), "mass": float(stats["mass"]),
                     "runs_in_box": int(stats["n"]), "cases_in_box": int(stats["k"]),
                     "parameter": parameter, **bounds})
    return rows


def _box_rows(rows: list[dict]) -> pd.DataFrame:
    columns = ["box", "coverage", "density", "mass", "runs_in_box", "cases_in_box", "parameter",
               "low", "high", "values"]
    return pd.DataFrame(rows, columns=columns)


# How a box's limit on one parameter is said: a set of values, both ends, the lower, the upper.
SYMBOLS = ("{name} in {{{values}}}", "{low} ≤ {name} ≤ {high}", "{name} ≥ {low}", "{name} ≤ {high}")
WORDS = ("{name} is one of {values}", "{name} is between {low} and {high}",
         "{name} is at least {low}", "{name} is at most {high}")


def describe_box(
    boxes: pd.DataFrame,
    number: int,
    phrases: tuple[str, str, str, str] = SYMBOLS,
    name: Callable[[str], str] = str,
    value: Callable[[float], str] = lambda v: f"{v:.3g}",
) -> str:
    """``fund_share ≤ 0.2 and network.homophily ≥ 0.5`` for one box; with ``WORDS`` and a
    reader's names and numbers, the same box in a planner's words."""
    parts = []
    for row in boxes[boxes["box"] == number].itertuples():
        has_low, has_high = not np.isnan(row.low), not np.isnan(row.high)
        form = (phrases[0] if row.values else phrases[1] if has_low and has_high
                else phrases[2] if has_low else phrases[3])
        parts.append(form.format(name=name(row.parameter), values=row.values.replace("|", ", "),
                                 low=value(row.low) if has_low else "",
                                 high=value(row.high) if has_high else ""))
    return " and ".join(parts)

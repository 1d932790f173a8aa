"""Who gains: a policy's effect on households' disposable income by income decile and group,
as microsimulation's distributional tables show a reform (EUROMOD, OpenFisca).

A policy's run and the baseline's run on the same seed start from the same households, so each
household can be compared with itself: its mean monthly disposable income over the run under
the policy against under the baseline. Groups are fixed from the baseline run (deciles of
earned income at the start, origin, vulnerability, enterprise membership at the end), so a
policy cannot move a household between groups. Per pair of runs a group's mean change is one
number; the interval is the paired t interval over pairs. Shares better and worse off count the
households whose income moves by more than 1% either way, averaged over pairs.

Household data are not stored by the sweep: ``collect_households`` re-runs a capped number of
pairs from their stored seeds (rerun.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from se_sim.analysis.policy_runs import CELL, DRAW, with_draw
from se_sim.analysis.rerun import StoredDesign
from se_sim.analysis.statistics import paired_contrast

COLUMNS = ["point", "group", "metric", "mean_diff", "ci_low", "ci_high", "share_better",
           "share_worse"]
INCOME = "disposable_income_thb"  # mean monthly disposable income of a household over the run
THRESHOLD = 0.01  # better or worse off: a change of more than 1% of the baseline income
RUN_METRICS = ["poverty_rate_end", "poverty_gap_end", "gini_disposable_end"]
MAX_PAIRS = 20  # pairs of runs re-run per policy for household data
CHECKED = ["disposable_income_mean_thb", "fund_inflow_total_thb"]  # a re-run must reproduce
GROUPS = ["all", *[f"decile {d}" for d in range(1, 11)], "original", "newcomer", "vulnerable",
          "members"]
NEEDED = ["earned_income_start_thb", "disposable_income_sum_thb", "newcomer", "vulnerable",
          "is_member"]


@dataclass
class HouseholdPairs:
    """Re-run households, long: one row per policy (point_id, the baseline too), pair and
    household with ``income`` (mean monthly disposable income) and the baseline's group flags;
    and one row per policy and pair with the run's summary metrics."""

    households: pd.DataFrame
    runs: pd.DataFrame
    note: str = ""


def groups(base: pd.DataFrame) -> dict[str, np.ndarray]:
    """Group name → which households (rows of the baseline run) belong to it; decile 1 is the
    poorest tenth by earned income at the start."""
    rank = base["earned_income_start_thb"].rank(method="first")
    decile = np.ceil(rank * 10 / len(base)).astype(int).to_numpy()
    newcomer = base["newcomer"].to_numpy(bool)
    found = {"all": np.ones(len(base), bool)}
    found |= {f"decile {d}": decile == d for d in range(1, 11)}
    return found | {"original": ~newcomer, "newcomer": newcomer,
                    "vulnerable": base["vulnerable"].to_numpy(bool),
                    "members": base["is_member"].to_numpy(bool)}


def distribution(pairs: HouseholdPairs, labels: pd.Series, baseline_id: int) -> pd.DataFrame:
    """The COLUMNS of distribution.csv (plus ``point_id``, ``pairs``): per policy and group the
    change in disposable income, and for all households the change in the run metrics."""
    households, runs = pairs.households, pairs.runs
    base = households[households["point_id"] == baseline_id].set_index(["pair", "household"])
    rows = []
    for point_id in sorted(set(households["point_id"]) - {baseline_id}):
        policy = households[households["point_id"] == point_id].set_index(["pair", "household"])
        both = base.join(policy[["income"]], rsuffix="_policy", how="inner")
        change = both["income_policy"] - both["income"]
        margin = THRESHOLD * both["income"].abs()
        table = both.assign(change=change, better=change > margin, worse=change < -margin)
        for group in GROUPS:
            rows.append(_group_row(table, group) | {"point_id": point_id, "group": group})
        rows += [_run_row(runs, point_id, baseline_id, m) for m in RUN_METRICS if m in runs]
    table = pd.DataFrame(rows, columns=["point_id", *COLUMNS, "pairs"])
    table["point"] = table["point_id"].map(labels)
    return table


def _group_row(table: pd.DataFrame, group: str) -> dict:
    members = table[table[group]]
    by_pair = members.groupby(level="pair")
    result = paired_contrast(by_pair["change"].mean().to_numpy(float))
    return {"metric": INCOME, "mean_diff": result.mean_diff, "ci_low": result.ci_low,
            "ci_high": result.ci_high, "share_better": by_pair["better"].mean().mean(),
            "share_worse": by_pair["worse"].mean().mean(), "pairs": by_pair.ngroups}


def _run_row(runs: pd.DataFrame, point_id: int, baseline_id: int, metric: str) -> dict:
    wide = runs.pivot(index="pair", columns="point_id", values=metric)
    diff = (wide[point_id] - wide[baseline_id]).dropna().to_numpy(float)
    result = paired_contrast(diff)
    return {"point_id": point_id, "group": "all", "metric": metric,
            "mean_diff": result.mean_diff, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "share_better": np.nan, "share_worse": np.nan, "pairs": diff.size}


def household_table(inside: pd.DataFrame, base: pd.DataFrame, months: int) -> pd.DataFrame:
    """One re-run's households: ``income`` (mean monthly disposable income over ``months``)
    beside the group flags of the baseline run on the same seed (``base``)."""
    flags = pd.DataFrame(groups(base))
    income = inside["disposable_income_sum_thb"].to_numpy(float) / months
    return flags.assign(income=income, household=np.arange(len(base)))


def collect_households(stored: StoredDesign, runs: pd.DataFrame, baseline_id: int,
                       max_pairs: int = MAX_PAIRS) -> HouseholdPairs:
    """Re-run up to ``max_pairs`` (draw, replicate) cells for every policy and the baseline,
    first draws first, and gather their households; cells whose seeds differ between policies
    cannot be compared household by household and are skipped."""
    runs = with_draw(runs)
    same_seed = runs.groupby(CELL)["seed"].transform("nunique") == 1
    points = runs["point_id"].nunique()
    complete = runs[same_seed].groupby(CELL).filter(lambda cell: len(cell) == points)
    cells = sorted(complete.groupby(CELL).groups)[:max_pairs]
    frames, summaries, notes = [], [], []
    for pair, cell in enumerate(cells):
        rows = complete[(complete[DRAW] == cell[0]) & (complete["replicate"] == cell[1])]
        draw = int(cell[0]) if stored.draws is not None else None
        runs_of_cell = _rerun_cell(stored, rows, baseline_id, draw)
        if runs_of_cell is None:
            notes.append(f"draw {cell[0]}, replicate {cell[1]} could not be re-run as it ran "
                         "(the scenario or the model changed since the sweep?)")
            continue
        base = runs_of_cell[baseline_id].households
        missing = [c for c in NEEDED if c not in base]
        if missing:
            return HouseholdPairs(pd.DataFrame(), pd.DataFrame(),
                                  f"households do not record {', '.join(missing)}")
        months = stored.horizon(baseline_id, draw) or 1
        for point_id, seen in runs_of_cell.items():
            frames.append(household_table(seen.households, base, months)
                          .assign(point_id=point_id, pair=pair))
            summaries.append({"point_id": point_id, "pair": pair, **seen.summary})
    if not frames:
        return HouseholdPairs(pd.DataFrame(), pd.DataFrame(),
                              "no pair of runs shares its seed across the policies")
    return HouseholdPairs(pd.concat(frames, ignore_index=True), pd.DataFrame(summaries),
                          "; ".join(notes))


def _rerun_cell(stored: StoredDesign, rows: pd.DataFrame, baseline_id: int,
                draw: int | None) -> dict | None:
    """The re-runs of one cell by point_id; None when one cannot be rebuilt or gives another
    result than the stored run (the model or scenario changed since the sweep)."""
    seen = {}
    for _, row in rows.iterrows():
        inside = stored.rerun(int(row["point_id"]), int(row["seed"]), str(row["point_id"]), draw)
        if inside is None or not _same(row, inside.summary):
            return None
        seen[int(row["point_id"])] = inside
    return seen if baseline_id in seen else None


def _same(stored: pd.Series, summary: dict) -> bool:
    """Whether a re-run reproduced the stored run (on its checked metric)."""
    metric = next((m for m in CHECKED if m in stored and m in summary), None)
    return metric is None or bool(np.isclose(stored[metric], summary[metric], rtol=1e-9,
                                             equal_nan=True))


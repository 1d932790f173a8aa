"""Robustness of a policy choice over what the data do not pin.

Every draw of the uncertain parameters is run for every policy on the same seeds, so within a
draw the policies are compared on equal terms. Per policy and objective, over draws:

- the effect (policy − baseline, the mean over the draw's replicates): median, 5th and 95th
  percentile;
- P(beats baseline): the share of draws where the policy does better than the baseline;
- P(best): the share of draws where it does best of all policies (the baseline included; a tie
  of k policies gives each 1/k);
- regret: in each draw, how far the policy falls short of the best policy of that draw
  (|best − outcome|, EMA Workbench's definition); its maximum and 90th percentile over draws.

Which uncertain parameters the ranking turns on is found by PRIM (see discovery.py): a box of
parameter values where the runner-up beats the leading policy.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np
import pandas as pd

from se_sim.analysis.discovery import empty_boxes, prim_boxes
from se_sim.analysis.policy_runs import DRAW, common_cells, with_draw

COLUMNS = ["point", "metric", "draws", "effect_median", "effect_p05", "effect_p95",
           "p_beats_baseline", "p_best", "regret_max", "regret_p90"]
DIRECTIONS = {"max": 1, "min": -1}
MIN_LOST = 3  # draws the runner-up must win before PRIM looks for where it wins
MAX_DIMS = 2  # parameters a box may bound: a rule a planner can read in one sentence


def draw_means(runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Draw × policy (point_id): the metric's mean over the replicates every policy has."""
    runs = common_cells(runs.dropna(subset=[metric]))
    return runs.pivot_table(index=DRAW, columns="point_id", values=metric, aggfunc="mean")


def robustness(runs: pd.DataFrame, objectives: dict[str, str], baseline_id: int,
               labels: pd.Series) -> pd.DataFrame:
    """The COLUMNS of robustness.csv, one row per policy (the baseline too) and objective,
    plus ``point_id``; ``objectives`` maps a metric to "max" or "min"."""
    frames = []
    for metric, direction in objectives.items():
        means = draw_means(runs, metric)
        if means.empty or baseline_id not in means:
            continue
        frames.append(_objective(means, DIRECTIONS[direction], baseline_id)
                      .assign(metric=metric))
    if not frames:
        return pd.DataFrame(columns=["point_id", *COLUMNS])
    table = pd.concat(frames, ignore_index=True)
    table.insert(1, "point", table["point_id"].map(labels))
    return table[["point_id", *COLUMNS]]


def _objective(means: pd.DataFrame, sign: int, baseline_id: int) -> pd.DataFrame:
    values = means.to_numpy(float)  # draws × policies
    effect = values - means[baseline_id].to_numpy(float)[:, None]
    score = sign * values  # higher is better
    best = score.max(axis=1, keepdims=True)
    is_best = score == best
    regret = best - score  # = |best outcome − outcome|
    p05, median, p95 = np.quantile(effect, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({
        "point_id": means.columns.astype(int),
        "draws": len(means),
        "effect_median": median, "effect_p05": p05, "effect_p95": p95,
        "p_beats_baseline": (sign * effect > 0).mean(axis=0),
        "p_best": (is_best / is_best.sum(axis=1, keepdims=True)).mean(axis=0),
        "regret_max": regret.max(axis=0),
        "regret_p90": np.quantile(regret, 0.9, axis=0),
    })


@dataclass
class Turn:
    """Where the runner-up beats the leading policy for one objective."""

    metric: str
    leader: int  # point_ids
    runner_up: int
    draws: int
    lost: int  # draws in which the runner-up does better than the leader
    won: int  # draws in which the leader does better (the rest are ties)
    boxes: pd.DataFrame  # discovery's box rows (box 1 first); empty when PRIM found none
    note: str = ""


def ranking_turns(runs: pd.DataFrame, metric: str, direction: str, table: pd.DataFrame,
                  parameters: list[str]) -> Turn | None:
    """PRIM on the draws: where does the policy second in P(best) beat the first?
    None with fewer than two policies or no uncertain parameters."""
    sign = DIRECTIONS[direction]
    rows = table[table["metric"] == metric]
    rows = rows.assign(gain=sign * rows["effect_median"]).sort_values(["p_best", "gain"],
                                                                       ascending=False)
    if len(rows) < 2 or not parameters:
        return None
    leader, runner_up = int(rows["point_id"].iloc[0]), int(rows["point_id"].iloc[1])
    means = draw_means(runs, metric)
    gap = (sign * (means[runner_up] - means[leader])).to_numpy()
    lost = gap > 0
    x = with_draw(runs).groupby(DRAW)[parameters].first().loc[means.index]
    x = x.loc[:, x.nunique() > 1].reset_index(drop=True)
    turn = Turn(metric, leader, runner_up, len(lost), int(lost.sum()), int((gap < 0).sum()),
                empty_boxes())
    if x.empty:
        turn.note = "no uncertain parameter varies over the draws"
    elif importlib.util.find_spec("ema_workbench") is None:
        turn.note = "PRIM needs the report extra: pip install 'se_sim[report]'"
    elif lost.sum() < MIN_LOST:
        turn.note = f"too few to say where (PRIM is asked for {MIN_LOST} or more)"
    elif lost.all():
        turn.note = "it does better in every draw"
    else:
        turn.boxes = prim_boxes(x, lost, max_boxes=1, max_dims=MAX_DIMS)
        if turn.boxes.empty:
            turn.note = "PRIM finds no region of the uncertain parameters where that is common"
    return turn

"""The runs of a policy comparison, lined up for paired statistics.

An experiment that compares policies (its design points) may also repeat every policy over draws
of what the data do not pin (the ``draw`` column; absent means one draw). Replicate r of draw d
is run with the same seed for every policy (common random numbers), so the run of a policy and
the baseline's run of the same draw and replicate form a *pair* whose difference is free of the
noise the two share. Everything here keys runs by (draw, replicate) for that reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from se_sim.runner.storage import DRAW

CELL = [DRAW, "replicate"]  # what pairs a policy's run with the baseline's


def with_draw(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs with a ``draw`` column: one draw (0) when the experiment has no uncertainty."""
    if DRAW in runs:
        return runs
    return runs.assign(**{DRAW: 0})


def common_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Only the (draw, replicate) cells that every policy ran successfully, so that a mean over
    a draw's replicates compares the same seeds for every policy."""
    runs = with_draw(runs)
    points = runs["point_id"].nunique()
    complete = runs.groupby(CELL)["point_id"].transform("nunique") == points
    return runs[complete]


def pairs(runs: pd.DataFrame, columns: list[str], point_id: int, baseline_id: int
          ) -> tuple[pd.DataFrame, bool]:
    """The point's runs beside the baseline's, one row per (draw, replicate) both have, with
    ``<column>`` and ``<column>_base``; and whether every pair shares its seed."""
    runs = with_draw(runs)
    keep = [*CELL, "seed", *columns]
    policy = runs.loc[runs["point_id"] == point_id, keep]
    base = runs.loc[runs["point_id"] == baseline_id, keep]
    joined = policy.merge(base, on=CELL, suffixes=("", "_base")).sort_values(CELL)
    paired = len(joined) >= 2 and bool((joined["seed"] == joined["seed_base"]).all())
    return joined.reset_index(drop=True), paired


def resample_indices(rng: np.random.Generator, size: int, resamples: int) -> np.ndarray:
    """``resamples`` rows of ``size`` indices drawn with replacement (one bootstrap sample each)."""
    return rng.integers(0, size, size=(resamples, size))

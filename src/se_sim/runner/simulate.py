"""Stepping any Mesa model to the end and reading what it recorded."""

from __future__ import annotations

from typing import Any

import mesa
import pandas as pd


def simulate(
    model: mesa.Model, steps: int, index_name: str = "step"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Step ``model`` up to ``steps`` times (fewer if it sets ``running = False``).

    Returns the per-step table of its ``datacollector`` (empty if it has none) with a step
    column named ``index_name`` (0 is the state before the first step), and its summary:
    ``model.summary()`` where defined, else the last recorded row.
    """
    for _ in range(steps):
        if not model.running:
            break
        model.step()
    collector = getattr(model, "datacollector", None)
    table = (
        collector.get_model_vars_dataframe().reset_index(drop=True)
        if collector is not None
        else pd.DataFrame()
    )
    table.insert(0, index_name, range(len(table)))
    if hasattr(model, "summary"):
        summary = dict(model.summary())
    elif len(table):
        summary = table.iloc[-1].drop(index_name).to_dict()
    else:
        summary = {}
    return table, summary

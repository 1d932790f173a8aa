"""Stepping any Mesa model to the end and reading what it recorded."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.data_collection import BaseDataRecorder, ModelDataSet


def simulate(
    model: mesa.Model, steps: int, index_name: str = "step",
    between_steps: Callable[[], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Step ``model`` up to ``steps`` times (fewer if it sets ``running = False``), calling
    ``between_steps`` after each step (the runner checks the process's memory there).

    Returns the per-step table of what the model recorded, with a step column named
    ``index_name`` (0 is the state before the first step), and its summary: ``model.summary()``
    where defined, else the last recorded value of each column. The record is the model reporters
    of its ``datacollector``; a model without them that records through Mesa's experimental
    ``DataRecorder`` (any attribute holding one) gives its model-level datasets instead.
    """
    advance(model, steps, between_steps)
    collector = getattr(model, "datacollector", None)
    if collector is not None and collector.model_reporters:
        table, times = _collected(collector)
        last = None  # the last row, read only when the model has no summary of its own
    elif recorders := [v for v in vars(model).values() if isinstance(v, BaseDataRecorder)]:
        table, times, last = _recorded(recorders)
    else:
        table, times, last = pd.DataFrame(), [], {}
    table.insert(0, index_name, _steps(times))
    if hasattr(model, "summary"):
        return table, dict(model.summary())
    return table, last if last is not None else _last_row(table.drop(columns=index_name))


def advance(model: mesa.Model, steps: int,
            between_steps: Callable[[], None] | None = None) -> None:
    """Step ``model`` up to ``steps`` times, fewer if it sets ``running = False``."""
    for _ in range(steps):
        if not model.running:
            break
        model.step()
        if between_steps is not None:
            between_steps()


def quick_summary(model: mesa.Model) -> dict[str, Any] | None:
    """The summary ``simulate`` gives, read without building the step table (a DataFrame costs
    more than a tiny model's whole run): from ``model.summary()`` or the datacollector's last
    values; None for a model that records otherwise."""
    if hasattr(model, "summary"):
        return dict(model.summary())
    collector = getattr(model, "datacollector", None)
    if collector is not None and collector.model_reporters:
        return {name: values[-1] for name, values in collector.model_vars.items() if values}
    if not any(isinstance(v, BaseDataRecorder) for v in vars(model).values()):
        return {}
    return None


Record = tuple[pd.DataFrame, Any, dict[str, Any]]  # values, the time of each row, last values


def _collected(collector: mesa.DataCollector) -> tuple[pd.DataFrame, Any]:
    table = pd.DataFrame(collector.model_vars)
    # The model's time at each collection (what mesa.batch_run reads): a model that first
    # collects after step 1 (Mesa's Sugarscape) starts at step 1.
    times = getattr(collector, "_collection_steps", None)
    if times is None or len(times) != len(table):
        times = range(len(table))
    return table, times


def _recorded(recorders: list[BaseDataRecorder]) -> Record:
    """Model-level datasets joined on time; a field recorded by two datasets is named
    ``dataset.field``. The last value of each field comes from its own dataset's last record."""
    frames: dict[str, pd.DataFrame] = {}
    for recorder in recorders:
        recorder.finalise()  # the state after the last step is recorded only on request
        for name in recorder.configs:
            if isinstance(recorder.registry.datasets.get(name), ModelDataSet):
                frame = recorder.get_table_dataframe(name)
                frames[name] = frame.drop_duplicates("time", keep="last").sort_values("time")
    if not frames:
        return pd.DataFrame(), [], {}
    counts = Counter(c for frame in frames.values() for c in frame.columns if c != "time")
    frames = {
        name: frame.rename(columns={c: f"{name}.{c}" for c in frame.columns if counts[c] > 1})
        for name, frame in frames.items()
    }
    last = {k: v for frame in frames.values()
            for k, v in _last_row(frame.drop(columns="time")).items()}
    table = functools.reduce(lambda a, b: a.merge(b, on="time", how="outer"), frames.values())
    table = table.sort_values("time", ignore_index=True)
    return table.drop(columns="time"), table["time"], last


def _last_row(table: pd.DataFrame) -> dict[str, Any]:
    """Column by column, so that integer columns stay integers beside float ones."""
    return {name: table[name].iloc[-1] for name in table.columns} if len(table) else {}


def _steps(times: Any) -> np.ndarray:
    """Mesa counts time in floats (1.0, 2.0, ...); whole numbers become integer steps."""
    values = np.asarray(times, dtype=float)
    return values.astype(np.int64) if np.all(values == np.round(values)) else values

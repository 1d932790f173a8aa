"""A sweep's results folder as the analysis reads it: the runs, their steps, and what the
manifest says about the design (what was swept, how seeds were drawn, which metric to report).

Nothing here assumes that a particular summary metric exists: metrics are whatever numeric
columns the runs table holds besides the runner's own and the swept ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from se_sim.analysis.labels import parameter_name
from se_sim.analysis.numbers import level
from se_sim.runner.experiment import DEFAULT_REPORT
from se_sim.runner.storage import RUNNER_COLUMNS, load_results, read_manifests
from se_sim.scenario.errors import InputError, did_you_mean

SAMPLED = ("lhs", "sobol", "morris")  # designs read through sensitivity indices


@dataclass(frozen=True)
class SweepResults:
    folder: Path
    manifest: dict[str, Any]  # the first shard's; all shards of a folder share the experiment
    complete: bool  # every shard finished
    runs: pd.DataFrame  # every stored run, ok or failed
    steps: pd.DataFrame  # one row per run and month (the kept step metrics)

    @property
    def spec(self) -> dict[str, Any]:
        """The experiment as resolved when it ran (defaults filled in)."""
        return self.manifest["experiment"]["resolved"]

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.folder.name))

    @property
    def kind(self) -> str:
        return str(self.manifest["design"]["kind"])

    @property
    def swept(self) -> list[str]:
        return list(self.manifest["design"]["swept"])

    @property
    def uncertain(self) -> list[str]:
        """The parameters drawn by the experiment's ``uncertainty:`` section (none without one):
        columns of the runs table that are inputs, not metrics."""
        return list((self.manifest.get("uncertainty") or {}).get("parameters", []))

    @property
    def points(self) -> int:
        return int(self.manifest["design"]["points"])

    @property
    def report_metrics(self) -> list[str]:
        """The experiment's ``report:`` metrics, resolved as ``se-sim sweep`` resolves them."""
        report = self.spec.get("report")
        if isinstance(report, list):
            return [str(name) for name in report]
        if report:
            return [str(report)]
        if self.spec.get("scenario"):
            return [DEFAULT_REPORT]
        return self.metrics[:1]

    @cached_property
    def ok(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "ok"].reset_index(drop=True)

    @property
    def group(self) -> str:
        """The column that names a design point: the variant's name, else the point id."""
        return "variant" if self.kind == "variants" else "point_id"

    @cached_property
    def metrics(self) -> list[str]:
        """Numeric summary columns, in the order the model reports them."""
        skip = {*RUNNER_COLUMNS, *self.swept, *self.uncertain}
        return [c for c in self.runs.columns
                if c not in skip and pd.api.types.is_numeric_dtype(self.runs[c])]

    @cached_property
    def point_labels(self) -> pd.Series:
        """A readable name per point_id: the variant, or "profit share to the fund: 0.1; ties
        per household: 2" (the experiment's ``labels:`` first)."""
        first = self.runs.drop_duplicates("point_id").set_index("point_id").sort_index()
        if self.kind == "variants":
            return first["variant"].map(lambda name: self.level_label("variant", name))
        if not self.swept:
            return pd.Series("all runs", index=first.index)
        if self.kind in SAMPLED:  # a sampled point's many values name nothing; the CSVs hold them
            return pd.Series([f"sampled point {p}" for p in first.index], index=first.index)
        return first[self.swept].apply(
            lambda row: "; ".join(f"{self.field_label(k)}: {self.level_label(k, v)}"
                                  for k, v in row.items()), axis=1
        )

    @property
    def labels(self) -> dict[str, Any]:
        """The experiment's ``labels:``: per swept field, its ``name`` and ``levels`` in words."""
        return self.spec.get("labels") or {}

    def field_label(self, path: str) -> str:
        """A swept field as people read it: the experiment's name for it, else the shared
        label table's (``allocation.fund_share`` → "profit share to the fund")."""
        return (self.labels.get(path) or {}).get("name") or parameter_name(path)

    def level_label(self, path: str, value: Any) -> str:
        """A level as people read it: the experiment's word for it, else the value."""
        levels = (self.labels.get(path) or {}).get("levels") or {}
        keys = [str(value), level(value), *([f"{value:g}"] if isinstance(value, float) else [])]
        return next((str(levels[key]) for key in keys if key in levels), level(value))

    def check_metrics(self, names: list[str], what: str = "--metric") -> list[str]:
        """The names if all are summary metrics here; else an InputError with the closest one."""
        lines = [
            f"{what} {name}: not a summary metric in {self.folder}"
            f"{did_you_mean(name, self.metrics)} (metrics here: {', '.join(self.metrics)})"
            for name in names if name not in self.metrics
        ]
        if lines:
            raise InputError(lines)
        return names


def read_sweep(folder: str | Path) -> SweepResults:
    """Read a folder written by ``se-sim sweep``; a folder without results is an InputError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"{folder}: no such folder (give the results folder of se-sim sweep)"])
    manifests = read_manifests(folder)
    if not manifests:
        raise InputError([f"{folder}: holds no sweep results (no manifest.json); run se-sim "
                          "sweep first or give its --out folder"])
    runs, steps = load_results(folder)
    if runs.empty:
        raise InputError([f"{folder}: holds no stored runs yet"])
    if not (runs["status"] == "ok").any():
        raise InputError([f"{folder}: none of its {len(runs)} runs succeeded; the tracebacks are "
                          "in the 'error' column of se_sim.runner.load_runs"])
    complete = all(m.get("status") == "complete" for m in manifests)
    return SweepResults(folder, manifests[0], complete, runs, steps)


def short_name(path: str) -> str:
    """``allocation.fund_share`` → ``fund_share``: the last part of a field path."""
    return path.rsplit(".", 1)[-1]

"""The results folder of a sweep, and reading it back.

Layout::

    manifest.json                 (or manifest-s{I}of{N}.json per shard) what ran, where, with what
    runs/part-s{I}of{N}-000001.parquet   one row per run: ids, seed, swept values, status, summary
    steps/part-s{I}of{N}-000001.parquet  one row per run and step: the kept step metrics

Finished runs are buffered and written as numbered parts; each part goes to a hidden temporary
name and is then renamed, so a crash leaves either a whole part or none. A runs part and its steps
part share a name; reading keeps, for each run, the most recently written record.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from se_sim.runner.tasks import RunResult

RUNS = "runs"
STEPS = "steps"
PART = "_part"


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` of ``count``: the runs whose run_id % count == index."""

    index: int = 0
    count: int = 1

    @property
    def tag(self) -> str:
        return f"s{self.index}of{self.count}"

    @property
    def manifest_name(self) -> str:
        return "manifest.json" if self.count == 1 else f"manifest-{self.tag}.json"

    def owns(self, run_id: int) -> bool:
        return run_id % self.count == self.index


class PartWriter:
    """Buffers finished runs; writes a runs part and a steps part every N runs or T seconds."""

    def __init__(
        self,
        root: Path,
        shard: Shard,
        point_columns: Sequence[dict[str, Any]],
        flush_runs: int,
        flush_seconds: float,
    ):
        self.root = root
        self.shard = shard
        self.point_columns = point_columns
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        self.written = 0
        self._buffer: list[RunResult] = []
        self._last_flush = time.monotonic()
        self._sequence = _next_sequence(root, shard)
        for sub in (RUNS, STEPS):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def add(self, result: RunResult) -> None:
        self._buffer.append(result)
        due = time.monotonic() - self._last_flush >= self.flush_seconds
        if due or len(self._buffer) >= self.flush_runs:
            self.flush()

    def flush(self) -> None:
        """Write the buffer: steps first, so a stored run row always has its steps stored."""
        if self._buffer:
            name = f"part-{self.shard.tag}-{self._sequence:06d}.parquet"
            with_steps = [r for r in self._buffer if r.steps]
            if with_steps:
                _write_atomic(_steps_frame(with_steps), self.root / STEPS / name)
            rows = [_run_row(r, self.point_columns[r.point_id]) for r in self._buffer]
            _write_atomic(pd.DataFrame(rows), self.root / RUNS / name)
            self._sequence += 1
            self.written += len(self._buffer)
            self._buffer.clear()
        self._last_flush = time.monotonic()


def _run_row(result: RunResult, columns: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"run_id": result.run_id, "point_id": result.point_id}
    if "variant" in columns:
        row["variant"] = columns["variant"]
    row |= {"replicate": result.replicate, "seed": result.seed}
    row |= {name: _cell(value) for name, value in columns.items() if name != "variant"}
    row |= {"status": result.status, "wall_time_s": result.wall_time_s, "error": result.error}
    # A summary key named like a runner column (e.g. seed) repeats it; the runner's value stays.
    row |= {k: v for k, v in result.summary.items() if k not in row}
    return row


def _cell(value: Any) -> Any:
    """Scalars as they are; lists and mappings as JSON text, so every column stays flat."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True)


def _steps_frame(results: list[RunResult]) -> pd.DataFrame:
    """One table of every run's steps, joined column by column (a DataFrame per run costs the
    parent process more than a run's share of its time)."""
    columns = list(results[0].steps)
    if any(list(r.steps) != columns for r in results):  # models that record different columns
        frames = [pd.DataFrame(r.steps).assign(run_id=r.run_id) for r in results]
        steps = pd.concat(frames, ignore_index=True)
        return steps[["run_id", *steps.columns.drop("run_id")]]
    lengths = [len(r.steps[columns[0]]) for r in results]
    data = {"run_id": np.repeat([r.run_id for r in results], lengths)}
    data |= {name: np.concatenate([r.steps[name] for r in results]) for name in columns}
    return pd.DataFrame(data)


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _next_sequence(root: Path, shard: Shard) -> int:
    pattern = re.compile(rf"part-{shard.tag}-(\d+)\.parquet")
    numbers = [
        int(match.group(1))
        for sub in (RUNS, STEPS)
        for path in (root / sub).glob("part-*.parquet")
        if (match := pattern.fullmatch(path.name))
    ]
    return max(numbers, default=0) + 1


def _parts(root: Path, sub: str) -> list[Path]:
    """Parts in the order they were written (modification time, then name)."""
    paths = (root / sub).glob("part-*.parquet")
    return sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _read_parts(root: Path, sub: str) -> pd.DataFrame:
    frames = [pq.read_table(p).to_pandas().assign(**{PART: p.name}) for p in _parts(root, sub)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _latest_runs(root: Path) -> pd.DataFrame:
    runs = _read_parts(root, RUNS)
    if runs.empty:
        return runs
    runs = runs.drop_duplicates("run_id", keep="last")
    return runs.sort_values("run_id", kind="stable").reset_index(drop=True)


def load_runs(root: str | Path) -> pd.DataFrame:
    """The runs table alone (see ``load_results``), without reading the larger steps table."""
    return _latest_runs(Path(root)).drop(columns=PART, errors="ignore")


def load_results(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All runs and steps of every shard in ``root``: one record per run_id, sorted by run_id."""
    root = Path(root)
    runs = _latest_runs(root)
    steps = _read_parts(root, STEPS)
    if not steps.empty:
        latest = runs.reindex(columns=["run_id", PART])
        steps = steps.merge(latest, on=["run_id", PART])  # drop superseded and orphaned rows
        index_name = steps.columns[1]
        steps = steps.sort_values(["run_id", index_name], kind="stable").reset_index(drop=True)
    return runs.drop(columns=PART, errors="ignore"), steps.drop(columns=PART, errors="ignore")


def completed_run_ids(root: str | Path) -> set[int]:
    """Runs stored as finished; failed runs are not included, so a resume retries them."""
    runs = _latest_runs(Path(root))
    return set() if runs.empty else set(runs.loc[runs["status"] == "ok", "run_id"].tolist())


def write_manifest(root: Path, shard: Shard, manifest: dict[str, Any]) -> None:
    path = root / shard.manifest_name
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_manifests(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.glob("manifest*.json"))]


def provenance() -> dict[str, Any]:
    """Versions, code commit and host, so a results folder says what produced it."""
    import mesa
    import numpy

    import se_sim

    return {
        "versions": {
            "se_sim": se_sim.__version__,
            "mesa": mesa.__version__,
            "numpy": numpy.__version__,
            "pandas": pd.__version__,
            "python": platform.python_version(),
        },
        "git_commit": _git_commit(Path(se_sim.__file__).parent),
        "host": socket.gethostname(),
    }


def _git_commit(where: Path) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                              text=True, timeout=10, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

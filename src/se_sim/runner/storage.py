"""The results folder of a sweep, and reading it back.

Layout::

    manifest.json                 (or manifest-s{I}of{N}.json per shard) what ran, where, with what
    runs/part-s{I}of{N}-000001.parquet   one row per run: ids, seed, swept values, status, summary
    steps/part-s{I}of{N}-000001.parquet  one row per run and step: the kept step metrics

Finished runs are buffered and written as numbered parts; each part goes to a hidden temporary
name and is then renamed, so a crash leaves either a whole part or none. A runs part and its steps
part share a name. Every record carries its ``attempt`` (1 for a run's first record, 2 for its
first retry, ...); reading keeps each run's highest attempt, so copying a folder (which may change
file times) never changes what it holds. When every run of a sweep has a record, ``compact``
rewrites the parts as one runs part and one steps part (``part-merged-N.parquet``) holding only
those records, so that a plain ``pd.read_parquet(folder / "runs")`` gives one row per run.

A run's summary values and step metrics must be numbers, text or booleans. A summary column
whose runs hold values of different kinds (a number in some, text in others), or integers beyond
2^53 beside floats, is stored and read as text, each value written exactly (``as_text``), so that
what is stored never depends on which runs finished first or shared a part; the sweep says so.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from se_sim.runner.tasks import RunResult
from se_sim.scenario import InputError

RUNS = "runs"
STEPS = "steps"
PART = "_part"
QUARANTINE = "quarantine"
ATTEMPT = "attempt"
MERGED = "merged"
DRAW = "draw"  # an uncertainty draw (runner/uncertainty.py); absent without one
RUNNER_COLUMNS = ("run_id", "point_id", "variant", "replicate", DRAW, "seed", "status", ATTEMPT,
                  "wall_time_s", "error")
# What pyarrow raises when a frame cannot become a table (e.g. an integer beyond 64 bits).
UNWRITABLE = (pa.ArrowException, ValueError, TypeError, OverflowError)


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


@dataclass
class Stored:
    """What a results folder already holds, as a sweep needs it before adding runs."""

    ok: set[int] = field(default_factory=set)
    attempts: dict[int, int] = field(default_factory=dict)  # run_id -> its highest attempt
    summary_kinds: dict[str, str] = field(default_factory=dict)  # column -> number/text/bool
    step_kinds: dict[str, str] = field(default_factory=dict)
    without_steps: set[int] = field(default_factory=set)  # ok runs whose steps part is missing

    @classmethod
    def read(cls, root: Path) -> Stored:
        """Raises ``UnreadableParts`` when a part cannot be read."""
        check_parts(root)
        runs = _latest_runs(root)
        if runs.empty:
            return cls()
        return cls(
            ok=set(runs.loc[runs["status"] == "ok", "run_id"].tolist()),
            attempts=dict(zip(runs["run_id"].tolist(), runs[ATTEMPT].tolist(), strict=True)),
            summary_kinds=_schema_kinds(_parts(root, RUNS)),
            step_kinds=_schema_kinds(_parts(root, STEPS)),
            without_steps=_without_steps(root, runs),
        )


class UnreadableParts(InputError):
    """Parts that cannot be read (truncated or corrupted by a disk or a copy): each named, with
    the command that repairs the folder."""

    def __init__(self, root: Path, broken: dict[Path, str]):
        self.paths = sorted(broken)
        lines = [f"{root}: unreadable part {path.relative_to(root)} ({why})"
                 for path, why in sorted(broken.items())]
        super().__init__([*lines, repair_advice(root)])


def repair_advice(root: Path) -> str:
    experiment = next((m["experiment"]["path"] for m in read_manifests(root)), "EXPERIMENT")
    return (f"repair with: se-sim sweep {experiment} --out {root} --repair (moves broken parts "
            f"to {root / QUARANTINE}/ and runs their runs again)")


def unreadable_parts(root: Path) -> dict[Path, str]:
    """Parts whose footer (schema, row groups) cannot be read, with why; a truncated file has
    lost it. Damage inside a part shows when it is read in full (``_read_parts``)."""
    broken = {}
    for path in [*_parts(root, RUNS), *_parts(root, STEPS)]:
        try:
            pq.read_metadata(path)
        except (pa.ArrowException, OSError) as exc:
            broken[path] = str(exc).splitlines()[0]
    return broken


def check_parts(root: Path) -> None:
    if broken := unreadable_parts(root):
        raise UnreadableParts(root, broken)


def quarantine_unreadable(root: Path) -> list[Path]:
    """Move unreadable parts to ``root/quarantine/{runs,steps}/``; their runs then count as not
    stored (a broken runs part) or as stored without steps (a broken steps part), and the sweep
    runs them again. Returns where they went."""
    broken = dict(unreadable_parts(root))
    for sub in (RUNS, STEPS):
        for path in _parts(root, sub):
            if path not in broken:
                try:
                    pq.read_table(path)
                except (pa.ArrowException, OSError) as exc:
                    broken[path] = str(exc)
    moved = []
    for path in sorted(broken):
        target = root / QUARANTINE / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.append(target)
    return moved


def _without_steps(root: Path, runs: pd.DataFrame) -> set[int]:
    """Finished runs whose steps part (named like their runs part) is not there. Meaningful
    when the experiment keeps steps: then every finished run's part has one."""
    steps = {path.name for path in _parts(root, STEPS)}
    lost = runs[(runs["status"] == "ok") & ~runs[PART].isin(steps)]
    return set(lost["run_id"].tolist())


class PartWriter:
    """Buffers finished runs; writes a runs part and a steps part every N runs, or when the oldest
    buffered run has waited T seconds (``flush_if_due``, which the sweep calls while it waits)."""

    def __init__(
        self,
        root: Path,
        shard: Shard,
        point_columns: Sequence[dict[str, Any]],
        flush_runs: int,
        flush_seconds: float,
        stored: Stored | None = None,
        run_columns: Callable[[int], dict[str, Any]] | None = None,
    ):
        """``run_columns(run_id)`` adds columns that are not the point's (an uncertainty draw
        and its values)."""
        self.root = root
        self.shard = shard
        self.point_columns = point_columns
        self.run_columns = run_columns
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        self.written = 0
        self.counts = {"ok": 0, "failed": 0}  # runs written, by status
        self.first_error = ""
        stored = stored if stored is not None else Stored.read(root)
        self._attempts = dict(stored.attempts)
        self._summary_kinds = dict(stored.summary_kinds)
        self.mixed = {name for name, kind in stored.summary_kinds.items() if kind == MIXED}
        self.mixed_steps = {name for name, kind in stored.step_kinds.items() if kind == MIXED}
        self._step_kinds = dict(stored.step_kinds)
        self._number_forms: dict[tuple[str, str], set[str]] = {}  # (summary|step, name) -> forms
        self._buffer: list[tuple[RunResult, int]] = []
        self._oldest = 0.0
        self._sequence = _next_sequence(root, shard)
        for sub in (RUNS, STEPS):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def add(self, result: RunResult) -> RunResult:
        """Buffer one run (as stored: failed if its values cannot be stored) and return it."""
        result = self._checked(result)
        attempt = self._attempts.get(result.run_id, 0) + 1
        self._attempts[result.run_id] = attempt
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append((result, attempt))
        if len(self._buffer) >= self.flush_runs:
            self.flush()
        else:
            self.flush_if_due()
        return result

    def flush_if_due(self) -> None:
        if self._buffer and time.monotonic() - self._oldest >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffer. Should pyarrow still refuse a value, each run is written alone, and
        a run that cannot be written even so is stored as failed with pyarrow's message."""
        if not self._buffer:
            return
        try:
            self._write(self._buffer)
        except UNWRITABLE:
            for result, attempt in self._buffer:
                try:
                    self._write([(result, attempt)])
                except UNWRITABLE as exc:
                    self._write([(_failed(result, f"its values could not be stored: {exc}"),
                                  attempt)])
        self.written += len(self._buffer)
        self._buffer.clear()

    def _write(self, entries: list[tuple[RunResult, int]]) -> None:
        """Steps first, so a stored run row always has its steps stored."""
        name = f"part-{self.shard.tag}-{self._sequence:06d}.parquet"
        rows = _frame([_run_row(r, a, self._columns(r)) for r, a in entries])
        with_steps = [r for r, _ in entries if r.steps]
        steps = _steps_frame(with_steps) if with_steps else None
        runs_table = _table(rows)  # both converted before anything is written
        steps_table = _table(steps) if steps is not None else None
        self._sequence += 1
        if steps_table is not None:
            _write_atomic(steps_table, self.root / STEPS / name)
        _write_atomic(runs_table, self.root / RUNS / name)
        for result, _ in entries:
            self.counts[result.status] += 1
            self.first_error = self.first_error or result.error

    def _columns(self, result: RunResult) -> dict[str, Any]:
        columns = self.point_columns[result.point_id]
        return columns if self.run_columns is None else columns | self.run_columns(result.run_id)

    def _checked(self, result: RunResult) -> RunResult:
        """The result with plain summary values, or a failed one saying which value cannot be
        stored: only numbers, text and booleans, each column keeping one kind."""
        if result.status != "ok":
            return result
        problems: list[str] = []
        summary: dict[str, Any] = {}
        summary_kinds: dict[str, str] = {}
        taken = {*RUNNER_COLUMNS, *self._columns(result)}
        for key, value in result.summary.items():
            name = str(key)
            if name in taken:
                continue  # _run_row keeps the runner's value
            try:
                summary[name] = plain = _plain_value(value)
            except TypeError as exc:
                problems.append(f"summary {name!r}: {exc}")
                continue
            kind = _value_kind(plain)
            if (kind and self._summary_kinds.get(name, kind) != kind) or self._exactness_mixed(
                    "summary", name, plain):
                self.mixed.add(name)
            if kind:
                summary_kinds[name] = kind
        step_kinds: dict[str, str] = {}
        for name, values in result.steps.items():
            try:
                kind = _array_kind(values)
            except TypeError as exc:
                problems.append(f"step metric {name!r}: {exc}")
                continue
            if (kind and self._step_kinds.get(name, kind) != kind) or self._exactness_mixed(
                    "step", name, values):
                self.mixed_steps.add(name)
            if kind:
                step_kinds[name] = kind
        if problems:
            return _failed(result, "this run's results cannot be stored: " + "; ".join(problems))
        self._summary_kinds |= summary_kinds
        self._step_kinds |= step_kinds
        return replace(result, summary=summary)

    def _exactness_mixed(self, table: str, name: str, values: Any) -> bool:
        """Whether this sweep has now seen floats and integers beyond 2^53 in one column, which
        is then stored as text (``_needs_text``) though its kinds agree."""
        forms = _number_forms(values)
        if not forms:
            return False
        seen = self._number_forms.setdefault((table, name), set())
        seen |= forms
        return len(seen) > 1


def _number_forms(values: Any) -> set[str]:
    """"float" where a value is a float (not NaN), "large" where an integer is beyond 2^53; a
    summary's plain value, or a step metric's array."""
    if isinstance(values, float):
        return set() if math.isnan(values) else {"float"}
    if _large_int(values):
        return {"large"}
    if not isinstance(values, np.ndarray):
        return set()
    if values.dtype.kind == "f":
        return {"float"} if not np.isnan(values).all() else set()
    if values.dtype.kind in "iu" and values.size:
        largest = max(int(values.max()), -int(values.min()))
        return {"large"} if largest > EXACT_FLOAT else set()
    return set()


def _failed(result: RunResult, error: str) -> RunResult:
    return replace(result, status="failed", error=error, summary={}, steps={})


def _plain_value(value: Any) -> Any:
    """numpy scalars as Python ones; lists, tuples, arrays and mappings as JSON text, so that
    every column stays flat."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
        raise TypeError("an integer too large for 64 bits")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | dict | np.ndarray):
        try:
            return json.dumps(value.tolist() if isinstance(value, np.ndarray) else value,
                              sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"a {type(value).__name__} that is not plain data ({exc})") from None
    raise TypeError(f"a {type(value).__name__}; a summary value must be a number, text, a "
                    "boolean, or a list or mapping of these")


def _value_kind(value: Any) -> str | None:
    """None for a missing value (None or NaN), which fits any column."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "text"


def _array_kind(values: np.ndarray) -> str | None:
    values = np.asarray(values)
    if values.dtype.kind in "iuf":
        return "number"
    if values.dtype.kind == "b":
        return "bool"
    if values.dtype.kind == "U":
        return "text"
    if values.dtype.kind != "O":
        raise TypeError(f"values of dtype {values.dtype}; step metrics must be numbers, text or "
                        "booleans")
    kinds = set()
    for value in values:
        if not (value is None or isinstance(value, bool | int | float | str | np.generic)):
            raise TypeError(f"holds a {type(value).__name__}; step metrics must be numbers, "
                            "text or booleans")
        kinds.add(_value_kind(_plain_value(value)))
    kinds.discard(None)
    if len(kinds) > 1:
        raise TypeError(f"mixes {' and '.join(sorted(kinds))} values")  # type: ignore[arg-type]
    return kinds.pop() if kinds else None


def _schema_kinds(parts: list[Path]) -> dict[str, str]:
    """The kind of every column in these parts, read from their schemas alone; ``mixed`` where
    parts differ."""
    kinds: dict[str, str] = {}
    for path in parts:
        for column in pq.read_schema(path):
            kind = _arrow_kind(column.type)
            if kind:
                kinds[column.name] = kind if kinds.get(column.name, kind) == kind else MIXED
    return kinds


MIXED = "mixed"
EXACT_FLOAT = 2**53  # integers up to this size are exact as 64-bit floats


def as_text(value: Any) -> str | None:
    """A value of a column stored as text: the same text for the same value whichever type its
    part gave it (3 and 3.0 are "3"); integers in full; missing values stay missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) <= EXACT_FLOAT:
        return str(int(value))
    return str(value)


def _needs_text(values: Sequence[Any]) -> bool:
    """Whether a column holding these values must be text to keep each exactly: kinds mixed,
    or integers beyond 2^53 beside floats."""
    kinds = {_value_kind(v) for v in values} - {None}
    return len(kinds) > 1 or set().union(*map(_number_forms, values)) == {"float", "large"}


def _large_int(value: Any) -> bool:
    """An integer (not a bool) that a 64-bit float would not hold exactly."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_FLOAT


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The runs rows as a frame, column by column: a column that ``_needs_text`` becomes text,
    and one of large integers keeps them exact (pandas would turn them into floats when a value
    is missing)."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    data: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if _needs_text(values):
            data[name] = pd.Series([as_text(v) for v in values], dtype=object)
        elif None in values and any(map(_large_int, values)):
            data[name] = pd.Series(values, dtype=object)  # arrow makes it int64 with nulls
        else:
            data[name] = values
    return pd.DataFrame(data)


def _unified(tables: list[pa.Table]) -> list[pa.Table]:
    """Tables whose columns are text wherever ``_needs_text`` holds for the column's values over
    all of them (so the same whatever parts the runs landed in)."""
    types: dict[str, set[pa.DataType]] = {}
    for table in tables:
        for column in table.schema:
            if not pa.types.is_null(column.type):
                types.setdefault(column.name, set()).add(column.type)
    texts = []
    for name, found in types.items():
        kinds = {_arrow_kind(t) for t in found}
        floats = any(pa.types.is_floating(t) for t in found)
        if len(kinds) > 1 or (floats and any(pa.types.is_integer(t) for t in found) and any(
                _largest(table[name]) > EXACT_FLOAT for table in tables
                if name in table.column_names and pa.types.is_integer(table[name].type))):
            texts.append(name)
    return [_texted(table, texts) for table in tables] if texts else tables


def _largest(column: pa.ChunkedArray) -> int:
    return pc.max(pc.abs(column)).as_py() or 0


def _texted(table: pa.Table, names: list[str]) -> pa.Table:
    for name in names:
        if name in table.column_names:
            text = pa.array([as_text(v) for v in table[name].to_pylist()], pa.string())
            table = table.set_column(table.column_names.index(name), name, text)
    return table


def _arrow_kind(dtype: pa.DataType) -> str | None:
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype):
        return "number"
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "text"
    return None


def _run_row(result: RunResult, attempt: int, columns: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"run_id": result.run_id, "point_id": result.point_id}
    if "variant" in columns:
        row["variant"] = columns["variant"]
    row["replicate"] = result.replicate
    if DRAW in columns:
        row[DRAW] = columns[DRAW]
    row["seed"] = result.seed
    row |= {name: _plain_value(value) for name, value in columns.items()
            if name not in ("variant", DRAW)}
    row |= {"status": result.status, ATTEMPT: attempt, "wall_time_s": result.wall_time_s,
            "error": result.error}
    # A summary key named like a runner column (e.g. seed) repeats it; the runner's value stays.
    row |= {k: v for k, v in result.summary.items() if k not in row}
    return row


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
    data |= {name: _joined([r.steps[name] for r in results]) for name in columns}
    return pd.DataFrame(data)


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    """One step metric of several runs as one array; as exact text (``as_text``) when the runs
    disagree in kind or hold integers beyond 2^53 beside floats, as summary columns do."""
    kinds = {_array_kind(a) for a in arrays} - {None}
    floats = any(np.asarray(a).dtype.kind == "f" for a in arrays)
    large = floats and any(np.asarray(a).dtype.kind in "iu" and a.size
                           and np.abs(a).max() > EXACT_FLOAT for a in arrays)
    if len(kinds) > 1 or large:
        return np.array([as_text(v) for a in arrays for v in np.asarray(a).tolist()], dtype=object)
    return np.concatenate(arrays)


def _table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _write_atomic(table: pa.Table, path: Path) -> None:
    temporary = _temporary(path)
    pq.write_table(table, temporary)
    _publish(temporary, path)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def _publish(temporary: Path, path: Path) -> None:
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def remove_stale_temporaries(root: Path, shard: Shard, alone: bool) -> None:
    """Remove the hidden temporary files that a sweep killed between writing a part and renaming
    it left behind: the shard's own (its lock is held), and when no other shard runs
    (``alone``) every one, other shards' and compaction's included."""
    pattern = ".part-*.tmp" if alone else f".part-{shard.tag}-*.tmp"
    for sub in (RUNS, STEPS):
        for path in (root / sub).glob(pattern):
            path.unlink(missing_ok=True)


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
    return sorted((root / sub).glob("part-*.parquet"))


def _read_parts(root: Path, sub: str) -> pd.DataFrame:
    """All parts as one frame; a column missing or all-null in some parts takes its type from
    the others (arrow's promotion, not pandas' concatenation, whose rule for that is changing)."""
    tables = []
    broken = {}
    for path in _parts(root, sub):
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            broken[path] = str(exc).splitlines()[0]
            continue
        tables.append(table.append_column(PART, pa.array([path.name] * table.num_rows)))
    if broken:
        raise UnreadableParts(root, broken)
    if not tables:
        return pd.DataFrame()
    return pa.concat_tables(_unified(tables), promote_options="permissive").to_pandas()


def _latest_runs(root: Path) -> pd.DataFrame:
    """Each run's record with the highest attempt (parts of older versions have none: 0)."""
    runs = _read_parts(root, RUNS)
    if runs.empty:
        return runs
    if ATTEMPT not in runs:
        runs.insert(int(runs.columns.get_loc("status")) + 1, ATTEMPT, 0)
    runs[ATTEMPT] = runs[ATTEMPT].fillna(0).astype("int64")
    runs = runs.sort_values(["run_id", ATTEMPT, PART], kind="stable")
    return runs.drop_duplicates("run_id", keep="last").reset_index(drop=True)


def load_runs(root: str | Path) -> pd.DataFrame:
    """The runs table alone (see ``load_results``), without reading the larger steps table."""
    return _latest_runs(Path(root)).drop(columns=PART, errors="ignore")


def load_results(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All runs and steps of every shard in ``root``: one record per run_id, sorted by run_id."""
    root = Path(root)
    check_parts(root)
    runs = _latest_runs(root)
    steps = _read_parts(root, STEPS)
    if _keeps_steps(root, steps) and (lost := _without_steps(root, runs)):
        shown = ", ".join(map(str, sorted(lost)[:10])) + (", ..." if len(lost) > 10 else "")
        raise InputError([f"{root}: {len(lost)} finished run(s) have no steps stored (run_id "
                          f"{shown}): their steps part is missing", repair_advice(root)])
    if not steps.empty:
        latest = runs.reindex(columns=["run_id", PART])
        steps = steps.merge(latest, on=["run_id", PART])  # drop superseded and orphaned rows
        index_name = steps.columns[1]
        steps = steps.sort_values(["run_id", index_name], kind="stable").reset_index(drop=True)
    return runs.drop(columns=PART, errors="ignore"), steps.drop(columns=PART, errors="ignore")


def _keeps_steps(root: Path, steps: pd.DataFrame) -> bool:
    """Whether the folder's experiment keeps steps (its manifest says; else: any are stored)."""
    kept = [m["experiment"].get("resolved", {}).get("keep_steps") for m in read_manifests(root)]
    return any(k not in (None, "none") for k in kept) or not steps.empty


def completed_run_ids(root: str | Path) -> set[int]:
    """Runs stored as finished; failed runs are not included, so a resume retries them."""
    return Stored.read(Path(root)).ok


def stored_run_ids(root: Path) -> set[int]:
    """Every run with a record, finished or failed."""
    return set(Stored.read(root).attempts)


def compact(root: Path) -> None:
    """Rewrite every part as one runs part and one steps part with each run's latest record.

    The steps are copied part by part (memory holds one part at a time) under one schema, the
    union of all parts' columns; the new parts are written before the old ones are removed, and
    runs parts before steps parts, so a crash at any moment leaves a folder that reads the same.
    """
    runs_parts, steps_parts = _parts(root, RUNS), _parts(root, STEPS)
    if len(runs_parts) <= 1 and [p.name for p in steps_parts] in ([], [p.name for p in runs_parts]):
        return
    runs = _latest_runs(root)
    merged = [int(m.group(1)) for p in runs_parts + steps_parts
              if (m := re.fullmatch(rf"part-{MERGED}-(\d+)\.parquet", p.name))]
    name = f"part-{MERGED}-{max(merged, default=0) + 1:06d}.parquet"
    if steps_parts:
        _merge_steps(steps_parts, runs.groupby(PART)["run_id"].apply(list).to_dict(),
                     root / STEPS / name)
    _write_atomic(_table(runs.drop(columns=PART)), root / RUNS / name)
    for path in [*runs_parts, *steps_parts]:
        path.unlink()


def _merge_steps(parts: list[Path], kept: dict[str, list[int]], path: Path) -> None:
    schemas = [pq.read_schema(p).remove_metadata() for p in parts]
    texts = _text_columns(parts, schemas)
    schema = pa.unify_schemas(
        [pa.schema([f.with_type(pa.string()) if f.name in texts else f for f in s])
         for s in schemas], promote_options="permissive")
    temporary = _temporary(path)
    with pq.ParquetWriter(temporary, schema) as writer:
        for part in parts:
            if part.name not in kept:
                continue  # superseded by a later attempt, or orphaned by a crash
            table = pq.read_table(part)
            table = table.filter(pc.is_in(table["run_id"], pa.array(kept[part.name])))
            writer.write_table(_conform(_texted(table, texts), schema))
    _publish(temporary, path)


def _text_columns(parts: list[Path], schemas: list[pa.Schema]) -> list[str]:
    """The columns that ``_unified`` would make text, found from the schemas (and, for integers
    beside floats, the integer columns alone), without holding the parts in memory."""
    types: dict[str, set[pa.DataType]] = {}
    for schema in schemas:
        for f in schema:
            if not pa.types.is_null(f.type):
                types.setdefault(f.name, set()).add(f.type)
    def large_beside_floats(name: str, found: set[pa.DataType]) -> bool:
        return any(pa.types.is_floating(t) for t in found) and any(
            _largest(pq.read_table(part, columns=[name])[name]) > EXACT_FLOAT
            for part, schema in zip(parts, schemas, strict=True)
            if name in schema.names and pa.types.is_integer(schema.field(name).type))

    return [name for name, found in types.items()
            if len({_arrow_kind(t) for t in found}) > 1 or large_beside_floats(name, found)]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = [
        table[f.name].cast(f.type) if f.name in table.column_names
        else pa.nulls(len(table), f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def make_folder(path: Path, option: str = "--out") -> None:
    """Create a results folder (and its parents), or say in one line why it cannot be."""
    if path.exists() and not path.is_dir():
        raise InputError([f"{option} {path}: is a file, not a folder"])
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([f"{option} {path}: cannot create the folder: {exc.strerror}"]) from None


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

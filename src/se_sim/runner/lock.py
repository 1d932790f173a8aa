"""One sweep at a time in a results folder (one per shard, for shards of one split).

Locks are ``flock`` locks on hidden files in the folder, so the kernel releases them when their
process ends in any way, SIGKILL included: a lock left by a killed sweep is simply taken over. The
holder writes who it is into its lock file, so that a refused sweep can name it, and empties the
file on release, so that a non-empty file found free tells of a sweep that did not end cleanly.

``folder_lock`` is held for moments (checking a folder and writing a manifest, compacting it);
a ``ShardLock`` for the whole of a sweep. On a file system without locks (some cluster file
systems) sweeps run unlocked, with a note saying so.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from se_sim.scenario import InputError

PREFIX = ".lock"
UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}
NO_LOCKS = ("this file system does not support file locks: sweeps into the same folder at the "
            "same time are not detected")


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(PREFIX)


@contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """Wait for, and hold, the folder's own lock."""
    fd = os.open(root / PREFIX, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                raise
        yield
    finally:
        os.close(fd)  # closing releases the lock


class ShardLock:
    """The lock of one shard's sweep (``.lock-s0of1`` for a whole experiment)."""

    def __init__(self, root: Path, tag: str):
        self.root = root
        self.tag = tag
        self.path = root / f"{PREFIX}-{tag}"
        self._fd: int | None = None

    def acquire(self) -> list[str]:
        """Take the lock or raise InputError naming its holder; return notes for the user."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(_read_holder(fd))
            os.close(fd)
            raise InputError([f"{self.root}: in use by another sweep ({holder}); wait for it to "
                              "finish or choose another --out"]) from None
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                os.close(fd)
                raise
            self._fd = fd
            return [NO_LOCKS]
        self._fd = fd
        previous = _read_holder(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_me()).encode(), 0)
        if previous is None:
            return []
        return [f"took over the lock of a sweep that ended without releasing it "
                f"({_describe(previous)}); the runs it finished are kept"]

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def running_shards(root: Path, mine: str) -> dict[str, str]:
    """Tags of the other shards whose sweeps hold their lock now, with who holds each."""
    running = {}
    for path in sorted(root.glob(f"{PREFIX}-*")):
        tag = path.name.removeprefix(f"{PREFIX}-")
        if tag == mine:
            continue
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running[tag] = _describe(_read_holder(fd))
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                raise
        finally:
            os.close(fd)
    return running


def _me() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])}


def _read_holder(fd: int) -> dict[str, Any] | None:
    text = os.pread(fd, 65536, 0).decode(errors="replace")
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {}


def _describe(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "its process has not said who it is yet"
    return (f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('since')}: "
            f"{holder.get('command')}")

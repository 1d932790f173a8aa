"""Worker processes that end when the sweep that started them dies, SIGKILL included.

Without this, the workers of a killed ``se-sim sweep`` wait forever for work that never comes,
each holding the memory of a loaded model. On Linux the kernel sends them SIGKILL when their
parent dies (``PR_SET_PDEATHSIG``); everywhere, a watch thread checks the parent every second.
Also a Dask worker preload (``dask_setup``), for the workers of the LocalCluster a sweep starts;
Dask's own nanny pipe does the same, more slowly when a run holds the interpreter.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_S = 1.0
EXIT_ORPHANED = 70


def exit_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (or its current parent) is gone."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    watch = threading.Thread(target=_watch, args=(parent_pid, os.getppid()),
                             name="se-sim parent watch", daemon=True)
    watch.start()


def _watch(parent_pid: int, first_ppid: int) -> None:
    while True:
        if os.getppid() != first_ppid or not _alive(parent_pid):
            os._exit(EXIT_ORPHANED)
        time.sleep(WATCH_S)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dask_setup(worker: Any) -> None:
    """Dask preload hook: a LocalCluster's worker processes are children of the sweep process."""
    exit_with_parent(os.getppid())

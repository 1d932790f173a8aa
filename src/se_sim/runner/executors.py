"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every backend yields results as they finish and keeps only a bounded window of runs in flight,
so memory does not grow with the size of the sweep. Results do not depend on the backend: each
run's randomness comes from its own seed.

A run's failure stays that run's. An exception or ``SystemExit`` in the model, a result that
cannot travel back, a run past its time limit and a worker process that dies all become a failed
result with a message, and the sweep goes on. In the local pool the parent sees which run each
worker executes (shared memory the workers write), so it can stop a run past ``run_timeout_s`` by
killing its worker, and tell which run a dead worker was executing. A pool that lost a worker is
replaced: that run is stored as failed (not retried: a resume retries it), and the other runs it
had in flight are run again. Waiting for results wakes up every ``TICK_S`` to call ``tick`` (the
sweep flushes results on time there) and to look for runs past their limit.

The local pool sends short runs several to a task (a chunk), as a round trip between processes
costs more than a run of a tiny model: each run is still its own result, failure, time limit and
memory check, and a chunk whose worker died is run again one run per task (see ``_ChunkSize``).
"""

from __future__ import annotations

import gc
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from statistics import median
from typing import Any, Literal

from threadpoolctl import threadpool_limits

from se_sim.runner.orphans import exit_with_parent
from se_sim.runner.tasks import Job, ModelJob, RunResult, RunSpec, execute, is_memory_failure

Backend = Literal["serial", "local", "dask"]
IN_FLIGHT_PER_WORKER = 4
TICK_S = 0.5
# Imported once in a fork server, so each worker starts as a cheap fork with Mesa loaded.
PRELOAD = ["se_sim.runner.tasks", "se_sim.model"]
# Pools that break this many times in a row without running anything end the sweep.
BARREN_POOLS = 3
DASK_STARTED = "se-sim-run-started"
WORKER_CHECK_S = 1.0
WORKERLESS_NOTE_S = 20.0
# In the LocalCluster a sweep starts: a run whose worker dies is tried on one more worker, then
# failed (Dask's default is 3 more); and a worker is given only the run it executes (the others
# wait at the scheduler), so that no other run dies with it.
LOCAL_CLUSTER = {"distributed.scheduler.allowed-failures": 1,
                 "distributed.scheduler.worker-saturation": 1.0}
# Chunks of the local pool: aim at this much work per task, send at most MAX_CHUNK runs in one,
# judged from the median wall time of the last CHUNK_SAMPLE runs.
CHUNK_TARGET_S = 0.02
MAX_CHUNK = 64
CHUNK_SAMPLE = 31
LOST_TWICE = ("lost twice: worker processes died while this run was executing, and it could not "
              "be told which run killed them")


class RunTimeout(BaseException):
    """Raised inside a serial run past its limit; a BaseException, so that a model's own
    ``except Exception`` does not swallow it."""


def timeout_message(timeout_s: float) -> str:
    return f"timed out: still running after {timeout_s:g} s (run_timeout_s)"


def default_workers() -> int:
    """CPUs this process may use (respects SLURM/cgroup CPU sets, unlike os.cpu_count)."""
    return len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Limits:
    """What a run may take: ``timeout_s`` seconds, ``memory_mb`` of its process's memory (checked
    after each step); and how many runs a local worker process serves before it is replaced."""

    timeout_s: float | None = None
    memory_mb: float | None = None
    runs_per_worker: int | None = None
    scheduler_timeout_s: float = 600.0  # how long a Dask cluster may have no worker at all


NO_LIMITS = Limits()


def run_all(
    specs: Iterable[RunSpec],
    job: Job,
    backend: Backend,
    workers: int,
    scheduler: str | None = None,
    limits: Limits = NO_LIMITS,
    tick: Callable[[], None] = lambda: None,
    notify: Callable[[str], None] = lambda text: None,
) -> Iterator[RunResult]:
    """Run every spec on ``backend`` and yield results in completion order.

    No workers or cluster are started when there is nothing to run (e.g. a finished resume).
    """
    todo = iter(specs)
    first = next(todo, None)
    if first is None:
        return
    todo = chain([first], todo)
    match backend:
        case "serial":
            yield from _serial(todo, job, limits, tick)
        case "local":
            yield from _local(todo, job, workers, limits, tick)
        case "dask":
            yield from _dask(todo, job, workers, scheduler, limits, tick, notify)
        case _:
            raise ValueError(f"unknown backend {backend!r}")


def failed(spec: RunSpec, error: str, wall_time_s: float = 0.0) -> RunResult:
    """A run that ended without a result of its own making (killed, lost, timed out)."""
    return RunResult(spec.run_id, spec.point_id, spec.replicate, spec.seed, "failed",
                     wall_time_s, error=error)


def _serial(specs: Iterable[RunSpec], job: Job, limits: Limits,
            tick: Callable[[], None]) -> Iterator[RunResult]:
    """In this process; a time limit is an alarm signal, so it needs the main thread (and stops
    only runs that return to Python now and then)."""
    timeout_s = limits.timeout_s
    alarm = timeout_s is not None and threading.current_thread() is threading.main_thread()
    for spec in specs:
        tick()
        if alarm:
            yield _alarmed(spec, job, timeout_s, limits.memory_mb)  # type: ignore[arg-type]
        else:
            yield execute(spec, job, limits.memory_mb)


def _alarmed(spec: RunSpec, job: Job, timeout_s: float, memory_mb: float | None) -> RunResult:
    def expire(signum: int, frame: Any) -> None:
        raise RunTimeout(timeout_message(timeout_s))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return execute(spec, job, memory_mb)
    except RunTimeout as exc:  # the alarm rang as the run returned
        return failed(spec, str(exc), timeout_s)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Queue:
    """The runs still to submit: runs to run again first, then the rest, lazily."""

    def __init__(self, specs: Iterable[RunSpec]):
        self._specs = iter(specs)
        self._again: deque[RunSpec] = deque()

    def next(self) -> RunSpec | None:
        return self._again.popleft() if self._again else next(self._specs, None)

    def take(self, most: int) -> list[RunSpec]:
        """Up to ``most`` runs to send in one task; a run to run again goes alone, so that if it
        kills its worker again, no other run is lost with it."""
        if self._again:
            return [self._again.popleft()]
        return list(islice(self._specs, most))

    def again(self, spec: RunSpec) -> None:
        self._again.append(spec)

    def more(self) -> bool:
        spec = self.next()
        if spec is not None:
            self._again.appendleft(spec)
        return spec is not None


def _fill(pending: dict[Future[RunResult], RunSpec], queue: _Queue,
          submit: Callable[[RunSpec], Future[RunResult]], window: int) -> None:
    while len(pending) < window and (spec := queue.next()) is not None:
        try:
            pending[submit(spec)] = spec
        except BrokenProcessPool:
            queue.again(spec)
            return


def _undelivered(spec: RunSpec, error: BaseException) -> RunResult:
    """A failed result for a run whose result the backend could not deliver."""
    if type(error).__name__ == "KilledWorker":
        return failed(spec, f"the worker process running it died (Dask: {error}); a resume "
                      "runs it again")
    text = "".join(traceback.format_exception(error)).strip()
    return failed(spec, f"its result could not be brought back from the worker: {text}")


Chunk = list[RunSpec]


class _ChunkSize:
    """How many runs the local pool sends in one task: one at first, then as many as make about
    ``CHUNK_TARGET_S`` of work by the median wall time of recent runs (at most ``MAX_CHUNK``).
    Runs of 20 ms or more, every scenario of se_sim, keep going one per task.

    Measured on 2 cores (2026-12-04), a bare process pool costs about 0.37 ms a task, and the
    runner's local pool cost 0.5-1.1 ms a run of a model that does nothing, more than serially.
    With a time limit a chunk holds at most a tenth of it, so that a run past its limit, which
    takes its chunk's finished runs down with its worker, costs little to run again; the limit
    itself acts on each run alone (the worker marks each run's start in its slot), and so does
    the memory limit (checked after each step; a worker ends its chunk after a memory failure).
    """

    def __init__(self, timeout_s: float | None):
        self.target_s = CHUNK_TARGET_S if timeout_s is None else min(CHUNK_TARGET_S,
                                                                     timeout_s / 10)
        self._times: deque[float] = deque(maxlen=CHUNK_SAMPLE)

    def record(self, result: RunResult) -> None:
        self._times.append(result.wall_time_s)

    def runs(self) -> int:
        if not self._times:
            return 1
        typical = median(self._times)
        if typical <= 0:
            return MAX_CHUNK
        return max(1, min(MAX_CHUNK, int(self.target_s / typical)))


def _local(specs: Iterable[RunSpec], job: Job, workers: int, limits: Limits,
           tick: Callable[[], None]) -> Iterator[RunResult]:
    """A pool of forked workers, replaced when it breaks (a worker died) and when it retires:
    after a run failed for lack of memory (the worker's heap may stay large), and after
    ``workers * runs_per_worker`` runs (runs, not tasks). A retiring pool takes no more runs,
    hands back those not yet started, and finishes the others before the next pool starts."""
    queue = _Queue(specs)
    window = IN_FLIGHT_PER_WORKER * workers  # tasks in flight
    quota = None if limits.runs_per_worker is None else workers * limits.runs_per_worker
    size = _ChunkSize(limits.timeout_s)
    suspects: set[int] = set()
    barren = 0
    while True:
        pool = _Pool(workers, job, limits.memory_mb)
        pending: dict[Future[list[RunResult]], Chunk] = {}
        delivered = 0
        try:
            while not pool.broken:
                if not pool.retiring:
                    _fill_chunks(pending, queue, pool, window, size.runs(), quota)
                    pool.retiring = quota is not None and pool.submitted >= quota
                if not pending:
                    pool.close()
                    if pool.retiring and queue.more():
                        break
                    return
                done, _ = wait(pending, timeout=TICK_S, return_when=FIRST_COMPLETED)
                for future in done:
                    if isinstance(future.exception(), BrokenProcessPool):
                        pool.broken = True
                        continue  # stays pending: sorted out below
                    delivered += 1
                    for result in _chunk_outcome(future, pending.pop(future), queue):
                        size.record(result)
                        if is_memory_failure(result) and not pool.retiring:
                            pool.retiring = True
                            _hand_back(pending, queue)
                        yield result
                tick()
                if limits.timeout_s is not None:
                    pool.stop_overdue(limits.timeout_s)
            if not pool.broken:
                continue  # retired
            wait(pending)  # a broken pool fails every unfinished future at once
            pool.close()  # joins the workers, so that their exit codes are known
            causes, executing = pool.causes()
        except BaseException:
            pool.terminate()
            raise
        for future, chunk in pending.items():
            if not isinstance(future.exception(), BrokenProcessPool):
                delivered += 1
                yield from _chunk_outcome(future, chunk, queue)
                continue
            for spec in chunk:  # the finished runs of a chunk died with it, and run again
                if spec.run_id in causes:
                    yield failed(spec, *causes[spec.run_id])
                elif causes or spec.run_id not in executing:
                    queue.again(spec)  # innocent: another run killed its worker, or not started
                elif spec.run_id in suspects:
                    yield failed(spec, LOST_TWICE)
                else:
                    suspects.add(spec.run_id)
                    queue.again(spec)
        barren = 0 if causes or delivered else barren + 1
        if barren >= BARREN_POOLS:
            raise ChildProcessError(f"worker processes died {barren} times in a row before any "
                                    "run finished; see the runs' errors and the worker's start-up")


def _fill_chunks(pending: dict[Future[list[RunResult]], Chunk], queue: _Queue, pool: _Pool,
                 window: int, runs: int, quota: int | None) -> None:
    """Submit chunks of up to ``runs`` runs until ``window`` tasks are in flight or the pool has
    been given its ``quota`` of runs."""
    while len(pending) < window:
        room = runs if quota is None else min(runs, quota - pool.submitted)
        chunk = queue.take(room) if room > 0 else []
        if not chunk:
            return
        try:
            pending[pool.submit(chunk)] = chunk
        except BrokenProcessPool:
            for spec in chunk:
                queue.again(spec)
            return


def _chunk_outcome(future: Future[list[RunResult]], chunk: Chunk,
                   queue: _Queue) -> list[RunResult]:
    """The results of a chunk that came back. Runs without a result (the worker ended the chunk
    after a memory failure) go back to the queue; so does every run of a chunk whose results
    could not travel back, to run alone, so that only the run at fault fails."""
    error = future.exception()
    if error is not None:
        if len(chunk) == 1:
            return [_undelivered(chunk[0], error)]
        for spec in chunk:
            queue.again(spec)
        return []
    results = future.result()
    for spec in chunk[len(results):]:
        queue.again(spec)
    return results


def _hand_back(pending: dict[Future[list[RunResult]], Chunk], queue: _Queue) -> None:
    """Take back the runs a pool has not started (their futures can still be cancelled)."""
    for future in [f for f in pending if f.cancel()]:
        for spec in pending.pop(future):
            queue.again(spec)


class _Pool:
    """A process pool whose workers write into shared slots (pid, run_id, start time) which run
    they are executing, so that the parent can stop overdue runs and explain dead workers."""

    def __init__(self, workers: int, job: Job, memory_mb: float | None = None):
        self.broken = False
        self.retiring = False
        self.submitted = 0
        self.job = job
        self.memory_mb = memory_mb
        self._stopped: dict[int, tuple[str, float]] = {}
        self._context, modules = _context(job)
        self.slots = self._context.Array("d", 3 * workers)
        self.executor = ProcessPoolExecutor(workers, mp_context=self._context,
                                            initializer=_init_worker,
                                            initargs=(self.slots, os.getpid()))
        self._processes = self.executor._processes  # no public API before Python 3.14
        if self._context.get_start_method() == "fork":
            _fork_now(self.executor, modules)

    def submit(self, chunk: Chunk) -> Future[list[RunResult]]:
        future = self.executor.submit(_execute_in_slot, chunk, self.job, self.memory_mb)
        self.submitted += len(chunk)  # runs, not tasks
        return future

    def _running(self) -> list[tuple[int, int, float]]:
        with self.slots.get_lock():
            values = list(self.slots.get_obj())
        return [(int(values[i]), int(values[i + 1]), values[i + 2])
                for i in range(0, len(values), 3) if values[i + 2] > 0]

    def stop_overdue(self, timeout_s: float) -> None:
        now = time.monotonic()
        for pid, run_id, started in self._running():
            if now - started > timeout_s and run_id not in self._stopped:
                self._stopped[run_id] = (timeout_message(timeout_s), now - started)
                os.kill(pid, signal.SIGKILL)  # the pool breaks; the run is failed below

    def causes(self) -> tuple[dict[int, tuple[str, float]], set[int]]:
        """After the pool broke: the runs whose worker died of them, with why and how long they
        ran; and every run that was executing."""
        now = time.monotonic()
        causes = {}
        running = self._running()
        for pid, run_id, started in running:
            process = self._processes.get(pid)
            code = process.exitcode if process is not None else None
            if run_id in self._stopped:
                causes[run_id] = self._stopped[run_id]
            elif code is not None and code != -signal.SIGTERM:  # SIGTERM: the pool's clean-up
                causes[run_id] = (f"the worker process running it died ({_exit_text(code)}); a "
                                  "resume runs it again", now - started)
        return causes, {run_id for _, run_id, _ in running}

    def close(self) -> None:
        self.executor.shutdown()

    def terminate(self) -> None:
        """Drop queued runs and stop workers mid-run; they would be recomputed on resume."""
        processes = list(self._processes.values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()


def _exit_text(code: int) -> str:
    if code >= 0:
        return f"exit code {code}"
    name = signal.Signals(-code).name
    return f"killed by {name}" + (", e.g. for lack of memory" if name == "SIGKILL" else "")


_slot: tuple[Any, int] | None = None  # in a worker: the pool's slots and this worker's index


def _execute_in_slot(chunk: Chunk, job: Job, memory_mb: float | None) -> list[RunResult]:
    """Run a chunk's runs in turn, each marked in this worker's slot while it executes (between
    runs the slot is free, so a death there blames no run). After a memory failure the rest of
    the chunk is left to the parent, which runs it in a fresh pool."""
    assert _slot is not None
    slots, index = _slot
    results = []
    for spec in chunk:
        slots[index + 1] = spec.run_id
        slots[index + 2] = time.monotonic()
        try:
            result = execute(spec, job, memory_mb)
        finally:
            slots[index + 2] = 0.0
        results.append(result)
        if is_memory_failure(result):
            break
    return results


def _context(job: Job) -> tuple[Any, list[str]]:
    """Workers forked from this process, or from a fork server if it runs other Python threads
    (e.g. inside Jupyter, or after Dask started its event loop).

    Measured on 2 cores, a sweep of 200 runs of the full scenario: 7.3 s serial,
    3.9 s with 2 forked workers, which inherit the imported model and start at once; 5.0 s with a
    fork server, which first imports Mesa and the model (~0.9 s per Python process); spawn would
    re-import them in every worker. Forking is unsafe only if another thread holds a lock the
    child needs: Python threads are ruled out by the check; the native threads of numpy's
    OpenBLAS (which make CPython warn) re-initialise after fork; and CPython forks every worker
    of a fork pool at the first submit, before the pool's own manager thread starts.
    """
    modules = [*PRELOAD, *([job.target.partition(":")[0]] if isinstance(job, ModelJob) else [])]
    if sys.platform != "linux" or threading.active_count() > 1:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(modules)
        return context, modules
    return multiprocessing.get_context("fork"), modules


def _fork_now(executor: ProcessPoolExecutor, modules: list[str]) -> None:
    for module in modules:  # imported once here, not once in every worker's first run
        importlib.import_module(module)
    # Frozen objects are skipped by the workers' garbage collector, which would otherwise write
    # to (and so copy) every inherited memory page it scans: measured, this halves memory growth.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"This process .* is multi-threaded",
                                    DeprecationWarning)
            executor.submit(int).result()  # forks all the workers now
    finally:
        gc.unfreeze()


def _init_worker(slots: Any, parent_pid: int) -> None:
    """One BLAS thread per worker, as the pool already fills every core (measured: 4% faster).

    Ctrl-C in a terminal reaches the whole process group; only the parent should react.
    SIGTERM gets its default action back, in case the parent installed a handler that forked
    workers would otherwise inherit. The worker ends with its parent, and takes a free slot.
    """
    threadpool_limits(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent(parent_pid)
    global _slot
    with slots.get_lock():
        index = next(i for i in range(0, len(slots), 3) if slots[i] == 0)
        slots[index] = os.getpid()
    _slot = (slots, index)


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT, so Ctrl-C reaches only this one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _dask(
    specs: Iterable[RunSpec], job: Job, workers: int, scheduler: str | None,
    limits: Limits, tick: Callable[[], None], notify: Callable[[str], None],
) -> Iterator[RunResult]:
    """A Dask cluster: the one at ``scheduler``, else a LocalCluster that is closed afterwards.

    With a time limit each run announces its start and its worker (a Dask event), so that the
    sweep can give up on a run past its limit. Dask runs again the runs of a worker that died
    (finished ones too, if their results had not been fetched yet): their clocks restart.
    """
    import dask
    from dask.distributed import Client, LocalCluster
    from dask.distributed import wait as dask_wait

    with (
        tempfile.TemporaryDirectory(prefix="se-sim-dask-", ignore_cleanup_errors=True) as scratch,
        dask.config.set({"temporary-directory": scratch}),  # else it litters dask-scratch-space
        dask.config.set(LOCAL_CLUSTER if scheduler is None else {}),
    ):
        if scheduler is None:
            with _children_ignore_sigint():
                # Workers dying is what the sweep reports itself: Dask's log lines would repeat it.
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.CRITICAL,
                                       preload=["se_sim.runner.orphans"])
            client = Client(cluster)
        else:
            cluster, client = None, Client(scheduler)
        try:
            started: dict[int, tuple[float, str]] = {}  # run_id -> (since, worker address)
            timeout_s = limits.timeout_s
            if timeout_s is not None:
                client.subscribe_topic(DASK_STARTED, lambda event: started.__setitem__(
                    event[1]["run_id"], (time.monotonic(), event[1]["worker"])))
            window = IN_FLIGHT_PER_WORKER * max(workers, sum(client.nthreads().values()))
            # The job (a few kB) travels with each run: scattering it first would wait forever
            # for workers on an adaptive cluster that starts them only once runs are queued.
            queue = _Queue(specs)
            pending: dict[Any, RunSpec] = {}
            watch = _WorkerWatch(client, scheduler or "the local cluster",
                                 limits.scheduler_timeout_s, notify)
            while True:
                _fill(pending, queue, lambda spec: client.submit(
                    _execute_on_dask, spec, job, limits, pure=False), window)
                if not pending:
                    return
                try:
                    done = dask_wait(list(pending), timeout=TICK_S,
                                     return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    done = set()
                for future in done:
                    try:
                        result = future.result(timeout=TICK_S)
                    except TimeoutError:
                        continue  # lost with its worker before it was fetched: being rerun
                    except Exception as exc:
                        result = _undelivered(pending[future], exc)
                    started.pop(pending.pop(future).run_id, None)
                    future.release()
                    yield result
                tick()
                if not done:
                    watch.check()
                if timeout_s is not None and started:
                    yield from _give_up_overdue(client, pending, started, timeout_s)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


class _WorkerWatch:
    """Notices a cluster without workers (a scheduler started alone, a job queue that has not
    started any): says so after ``WORKERLESS_NOTE_S``, gives up after ``timeout_s`` with a
    ``TimeoutError`` (the sweep stores what finished and exits with 3)."""

    def __init__(self, client: Any, address: str, timeout_s: float,
                 notify: Callable[[str], None]):
        self.client, self.address, self.timeout_s, self.notify = client, address, timeout_s, notify
        self._since: float | None = None
        self._noted = False
        self._checked = 0.0

    def check(self) -> None:
        now = time.monotonic()
        if now - self._checked < WORKER_CHECK_S:
            return
        self._checked = now
        if self.client.scheduler_info().get("workers"):
            self._since, self._noted = None, False
            return
        self._since = self._since if self._since is not None else now
        waited = now - self._since
        if not self._noted and waited >= min(WORKERLESS_NOTE_S, self.timeout_s / 2):
            self.notify(f"waiting for Dask workers at {self.address}: none connected (giving up "
                        f"after {self.timeout_s:g} s, --scheduler-timeout)")
            self._noted = True
        if waited >= self.timeout_s:
            raise TimeoutError(f"no Dask worker connected to the scheduler at {self.address} in "
                               f"{self.timeout_s:g} s (--scheduler-timeout); start workers "
                               "with: dask worker ADDRESS")


def _give_up_overdue(client: Any, pending: dict[Any, RunSpec],
                     started: dict[int, tuple[float, str]], timeout_s: float
                     ) -> Iterator[RunResult]:
    """Fail the runs past their limit and end their workers, whose nannies start fresh ones (a
    worker cannot stop a run's thread). The run is cancelled first, so that Dask does not send
    it to another worker; a run sent to the freed worker in the moment between is run again."""
    alive = set(client.scheduler_info()["workers"])
    now = time.monotonic()
    for future, spec in list(pending.items()):
        since, worker = started.get(spec.run_id, (now, ""))
        if worker and worker not in alive:
            del started[spec.run_id]  # its worker died: Dask runs it again, which restarts it
        elif now - since > timeout_s:
            future.cancel()
            client.run(_exit_worker, workers=[worker], wait=False)
            del pending[future], started[spec.run_id]
            yield failed(spec, timeout_message(timeout_s), now - since)


async def _exit_worker() -> None:
    """Run in a Dask worker's event loop, which a stuck run's thread does not block."""
    os._exit(1)


def _execute_on_dask(spec: RunSpec, job: Job, limits: Limits) -> RunResult:
    if limits.timeout_s is not None:
        from distributed import get_worker

        worker = get_worker()
        worker.log_event(DASK_STARTED, {"run_id": spec.run_id, "worker": worker.address})
    return execute(spec, job, limits.memory_mb)

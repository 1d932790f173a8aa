"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every backend yields results as they finish and keeps only a bounded window of runs in flight,
so memory does not grow with the size of the sweep. Results do not depend on the backend: each
run's randomness comes from its own seed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Literal

from se_sim.runner.tasks import Job, ModelJob, RunResult, RunSpec, execute

Backend = Literal["serial", "local", "dask"]
IN_FLIGHT_PER_WORKER = 4
# Imported once in the fork server, so each worker starts as a cheap fork with Mesa loaded.
PRELOAD = ["se_sim.runner.tasks", "se_sim.model"]


def default_workers() -> int:
    """CPUs this process may use (respects SLURM/cgroup CPU sets, unlike os.cpu_count)."""
    return len(os.sched_getaffinity(0))


def run_all(
    specs: Iterable[RunSpec],
    job: Job,
    backend: Backend,
    workers: int,
    scheduler: str | None = None,
) -> Iterator[RunResult]:
    """Run every spec on ``backend`` and yield results in completion order."""
    match backend:
        case "serial":
            return (execute(spec, job) for spec in specs)
        case "local":
            return _local(specs, job, workers)
        case "dask":
            return _dask(specs, job, workers, scheduler)
    raise ValueError(f"unknown backend {backend!r}")


def _local(specs: Iterable[RunSpec], job: Job, workers: int) -> Iterator[RunResult]:
    """A process pool whose workers fork from a server that has already imported Mesa.

    Measured on 2 cores: fork-server workers start in milliseconds, spawn re-imports Mesa (~1 s
    per worker), and plain fork would copy whatever the parent holds (threads included).
    """
    context = multiprocessing.get_context("forkserver")
    modules = [job.target.partition(":")[0]] if isinstance(job, ModelJob) else []
    context.set_forkserver_preload([*PRELOAD, *modules])
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_sigint)
    try:
        yield from _windowed(lambda spec: pool.submit(execute, spec, job), specs,
                             IN_FLIGHT_PER_WORKER * workers)
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown()


def _ignore_sigint() -> None:
    """Ctrl-C in a terminal reaches the whole process group; only the parent should react."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Drop queued runs and stop workers mid-run; they would be recomputed on resume anyway."""
    processes = list((pool._processes or {}).values())  # no public API before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _windowed(
    submit: Callable[[RunSpec], Future[RunResult]], specs: Iterable[RunSpec], window: int
) -> Iterator[RunResult]:
    todo = iter(specs)
    pending = {submit(spec) for spec in islice(todo, window)}
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        pending |= {submit(spec) for spec in islice(todo, len(done))}  # refill before yielding
        for future in done:
            yield future.result()


def _dask(
    specs: Iterable[RunSpec], job: Job, workers: int, scheduler: str | None
) -> Iterator[RunResult]:
    """A Dask cluster: the one at ``scheduler``, else a LocalCluster that is closed afterwards."""
    from dask.distributed import Client, LocalCluster, as_completed

    with tempfile.TemporaryDirectory(prefix="se-sim-dask-", ignore_cleanup_errors=True) as scratch:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, local_directory=scratch)
            client = Client(cluster)
        else:
            cluster, client = None, Client(scheduler)
        try:
            window = IN_FLIGHT_PER_WORKER * max(workers, sum(client.nthreads().values()))
            shared_job = client.scatter(job, broadcast=True, hash=False)
            todo = iter(specs)
            running = as_completed(
                [client.submit(execute, spec, shared_job, pure=False)
                 for spec in islice(todo, window)]
            )
            for future in running:
                for spec in islice(todo, 1):
                    running.add(client.submit(execute, spec, shared_job, pure=False))
                result = future.result()
                future.release()
                yield result
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

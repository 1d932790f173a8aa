"""Per-run seeds spawned from the experiment's master seed.

A run's seed is the state of ``SeedSequence(master, spawn_key=key)``, which equals the ``key``-th
child of ``SeedSequence(master).spawn``: independent streams, computed in O(1) per run, and the same
in any process. Keys are ``(point, replicate)``, or ``(replicate,)`` with common random numbers so
every point of replicate r sees the same randomness. Adding replicates or appending points leaves
the seeds of existing runs unchanged. An experiment with an ``uncertainty:`` section keys runs
``(point, replicate, draw)``; with common random numbers still ``(replicate,)``, so every policy
and every draw of replicate r sees the same randomness.
"""

from __future__ import annotations

import numpy as np


def run_seed(master: int, point_id: int, replicate: int, common_random_numbers: bool,
             draw: int | None = None) -> int:
    """The seed of one run as a plain non-negative int below 2**63 (fits an int64 column);
    ``draw`` is the uncertainty draw, None in an experiment without one."""
    if common_random_numbers:
        key: tuple[int, ...] = (replicate,)
    else:
        key = (point_id, replicate) if draw is None else (point_id, replicate, draw)
    state = np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def design_seed(master: int) -> int:
    """Seed for sampling the design itself (SALib), distinct from every run's spawned stream."""
    return int(np.random.SeedSequence(master).generate_state(1, np.uint32)[0])


UNCERTAINTY_STREAM = 2**32 + 1  # above any point id: no run's spawn key starts with it


def uncertainty_seed(master: int) -> int:
    """Seed for drawing an experiment's uncertain parameters (the hypercube and the posterior
    rows): its own stream, so that the policy design's sample and the draws are independent."""
    sequence = np.random.SeedSequence(master, spawn_key=(UNCERTAINTY_STREAM,))
    return int(sequence.generate_state(1, np.uint32)[0])


ROUND_STREAM = 2**32  # above any point id, so (ROUND_STREAM, k) is no run's spawn key


def round_seed(master: int, round_number: int) -> int:
    """Master seed of round ``round_number`` (2, 3, ...) of a sequential calibration: spawned
    from the experiment's seed, so every round is reproducible and has streams of its own."""
    sequence = np.random.SeedSequence(master, spawn_key=(ROUND_STREAM, round_number))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))

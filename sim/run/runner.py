"""Replications of a scenario: one seeded model per replication, spread over worker processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sim.config import Scenario
from sim.run.parallel import WorkerPool, run_model
from sim.run.progress import Progress

__all__ = ["MIN_REPLICATIONS_FOR_WORKERS", "Outcome", "replication_seeds", "run_model", "run_replications",
           "stream_replications"]


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for each replication, spawned from the top-level ``seed``.

    Replication ``i`` always gets the same seed, however many replications are asked for.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


# Fewer replications than this run in this process: spawned workers take ~1.5-1.9 s to import
# the model (Mesa, pandas, pyarrow), which two workers win back only after ~120 replications.
MIN_REPLICATIONS_FOR_WORKERS = 200


@dataclass
class Outcome:
    """Tables of a batch of replications and how long it took."""

    tables: dict[str, pa.Table]
    seeds: list[int]
    seconds: float


def stream_replications(scenario: Scenario, seed: int, replications: int,
                        write: Callable[[dict[str, pa.Table]], None], workers: int | None = 1,
                        pool: WorkerPool | None = None, progress: bool = False) -> list[int]:
    """Run ``replications`` seeded models of ``scenario``, handing their tables on chunk by chunk.

    Replications are cut into contiguous chunks of run ids spread over ``workers`` spawned
    processes; ``write`` receives each chunk's tables in run-id order, so what it builds is
    identical for any number of workers, and no more than a few chunks are ever held in memory.

    Args:
        scenario: The validated scenario.
        seed: Top-level seed; replication ``i`` runs on ``replication_seeds(seed, n)[i]``.
        replications: How many replications.
        write: Called with each chunk's tables (``runs``, ``timeseries``, ``events``), in order,
            e.g. ``TableFiles.write``.
        workers: Processes to use (``None``: every core; 1: this process only). Ignored when
            ``pool`` is given. Fewer than ``MIN_REPLICATIONS_FOR_WORKERS`` replications run
            in this process rather than start workers.
        pool: An open ``WorkerPool`` to reuse (saves the start-up of fresh processes).
        progress: Show a progress bar on a terminal, or log progress lines elsewhere.

    Returns:
        The seed of each replication.
    """
    seeds = replication_seeds(seed, replications)
    bar = Progress(replications, scenario.name, enabled=progress)
    own_pool = pool is None
    if own_pool:
        pool = WorkerPool(1 if replications < MIN_REPLICATIONS_FOR_WORKERS else workers)
    try:
        for tables in pool.map_chunks(scenario, seeds, done=bar.advance if progress else None):
            write(tables)
    except BaseException:
        if own_pool:
            pool.terminate()  # an error or Ctrl-C: do not wait for the workers' running chunks
        raise
    finally:
        bar.close()
        if own_pool:
            pool.close()
    return seeds


def run_replications(scenario: Scenario, seed: int, replications: int, workers: int | None = 1,
                     pool: WorkerPool | None = None, progress: bool = False) -> Outcome:
    """Run ``replications`` seeded models of ``scenario`` and build their tidy tables in memory.

    For many replications, ``stream_replications`` into ``TableFiles`` keeps memory bounded;
    the arguments are the same.
    """
    began = time.perf_counter()
    chunks: list[dict[str, pa.Table]] = []
    seeds = stream_replications(scenario, seed, replications, chunks.append, workers, pool, progress)
    tables = {name: _concat([chunk[name] for chunk in chunks]) for name in chunks[0]}
    return Outcome(tables, seeds, time.perf_counter() - began)


def _concat(parts: list[pa.Table]) -> pa.Table:
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts).combine_chunks()

"""Replications of a scenario: one seeded model per replication, spread over worker processes."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sim.config import Scenario
from sim.model.model import TariffModel
from sim.parallel import WorkerPool
from sim.progress import Progress


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for each replication, spawned from the top-level ``seed``.

    Replication ``i`` always gets the same seed, however many replications are asked for.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def run_model(scenario: Scenario, seed: int) -> TariffModel:
    """Run one replication of ``scenario`` with its own ``seed``; returns the finished model."""
    return TariffModel(scenario, seed=seed).run()


@dataclass
class Outcome:
    """Tables of a batch of replications and how long it took."""

    tables: dict[str, pa.Table]
    seeds: list[int]
    seconds: float


def run_replications(scenario: Scenario, seed: int, replications: int, workers: int | None = 1,
                     pool: WorkerPool | None = None, progress: bool = False) -> Outcome:
    """Run ``replications`` seeded models of ``scenario`` and build their tidy tables.

    Replications are cut into contiguous chunks of run ids spread over ``workers`` spawned
    processes; each builds its chunk's tables and they are joined in run-id order, so the
    tables are identical for any number of workers.

    Args:
        scenario: The validated scenario.
        seed: Top-level seed; replication ``i`` runs on ``replication_seeds(seed, n)[i]``.
        replications: How many replications.
        workers: Processes to use (``None``: every core; 1: this process only). Ignored when
            ``pool`` is given.
        pool: An open ``WorkerPool`` to reuse (saves the start-up of fresh processes).
        progress: Show a progress bar on a terminal, or log progress lines elsewhere.
    """
    began = time.perf_counter()
    seeds = replication_seeds(seed, replications)
    bar = Progress(replications, scenario.name, enabled=progress)
    own_pool = pool is None
    pool = WorkerPool(workers) if pool is None else pool
    try:
        chunks = list(pool.map_chunks(scenario, seeds, done=bar.advance if progress else None))
    finally:
        bar.close()
        if own_pool:
            pool.close()
    tables = {name: _concat([chunk[name] for chunk in chunks]) for name in chunks[0]}
    return Outcome(tables, seeds, time.perf_counter() - began)


def _concat(parts: list[pa.Table]) -> pa.Table:
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts).combine_chunks()

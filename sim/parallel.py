"""A pool of worker processes for replications, built for the "spawn" start method.

``import mesa`` makes "spawn" the start method of the whole process, so every worker starts a
fresh interpreter and imports the model itself: tasks are top-level functions of this module,
and their arguments are plain picklable values (the validated, frozen ``Scenario`` and lists of
seeds), never closures. Replications are cut into contiguous chunks of run ids; each worker
builds the tidy tables of its chunk and the parent concatenates them in run-id order, so the
tables are identical whatever the number of workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

import pyarrow as pa

from sim.config import Scenario

# How many chunks per worker: enough to balance the load and move the progress bar smoothly,
# few enough that the cost of sending each chunk's tables back stays small.
CHUNKS_PER_WORKER = 8
# Fewer replications than this per chunk are not worth a process of their own.
MIN_CHUNK = 4
# In one process, a batch is still cut in pieces so that progress can be reported.
IN_PROCESS_PIECES = 2


def available_cores() -> int:
    """Cores this process may run on (a SLURM or container CPU set), else the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int | None) -> int:
    """The number of processes to use: ``None`` means every core this process may use."""
    if workers is None:
        return available_cores()
    return max(1, int(workers))


def chunk_bounds(n: int, workers: int, min_chunk: int = MIN_CHUNK) -> list[tuple[int, int]]:
    """Contiguous ``[start, stop)`` ranges that cover ``range(n)`` in order.

    Args:
        n: Number of replications.
        workers: Number of processes that will share them.
        min_chunk: Smallest chunk worth sending to a process (the last one may be smaller).

    Returns:
        The ranges, in run-id order; one range when ``workers`` is 1.
    """
    if n <= 0:
        return []
    if workers <= 1:
        return [(0, n)]
    pieces = max(1, min(workers * CHUNKS_PER_WORKER, -(-n // min_chunk)))
    size = -(-n // pieces)
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def run_chunk(scenario: Scenario, seeds: Sequence[int], first_run_id: int) -> dict[str, pa.Table]:
    """Run one contiguous chunk of replications and return its tidy tables.

    Replication ``first_run_id + i`` runs on ``seeds[i]``. This is the task a worker process runs;
    it is also what a single process runs for ``workers=1``.
    """
    from sim.results import TableBuilder
    from sim.runner import run_model

    builder = TableBuilder()
    for offset, seed in enumerate(seeds):
        builder.add(run_model(scenario, seed), first_run_id + offset)
        if offset % 256 == 255:
            gc.collect()  # models hold reference cycles (agents <-> model); free them in batches
    return builder.tables()


def _init_worker() -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO


class WorkerPool:
    """Spawned worker processes, started once and reused for many batches (a context manager).

    Args:
        workers: Number of processes (``None``: every core).

    Example:
        >>> with WorkerPool(2) as pool:                                   # doctest: +SKIP
        ...     tables = list(pool.map_chunks(scenario, seeds))
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = resolve_workers(workers)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (waits for running tasks; cancels queued ones)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, task: Callable[..., Any], *args: Any) -> Future:
        """Run ``task(*args)`` (a top-level, importable function) in a worker process."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._executor.submit(task, *args)

    def map_chunks(self, scenario: Scenario, seeds: Sequence[int],
                   done: Callable[[int], None] | None = None) -> Iterator[dict[str, pa.Table]]:
        """Tables of each contiguous chunk of ``seeds``, yielded in run-id order.

        Args:
            scenario: The validated scenario every replication runs.
            seeds: One seed per replication; replication ``i`` runs on ``seeds[i]``.
            done: Called with the number of replications of each chunk as it finishes (in
                completion order), for progress reporting.
        """
        bounds = chunk_bounds(len(seeds), self.workers)
        if self.workers == 1 or len(bounds) <= 1:
            if done is not None:  # pieces only so that progress moves
                bounds = chunk_bounds(len(seeds), IN_PROCESS_PIECES, min_chunk=16)
            for start, stop in bounds:  # in this process: no worker to start for one chunk
                tables = run_chunk(scenario, list(seeds[start:stop]), start)
                if done is not None:
                    done(stop - start)
                yield tables
            return
        futures = {self.submit(run_chunk, scenario, list(seeds[start:stop]), start): index
                   for index, (start, stop) in enumerate(bounds)}
        finished: dict[int, dict[str, pa.Table]] = {}
        next_index = 0
        try:
            for future in as_completed(futures):  # progress in completion order, tables in run-id order
                index = futures[future]
                finished[index] = future.result()
                if done is not None:
                    done(bounds[index][1] - bounds[index][0])
                while next_index in finished:
                    yield finished.pop(next_index)
                    next_index += 1
        finally:
            for future in futures:
                future.cancel()

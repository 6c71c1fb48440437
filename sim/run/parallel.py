"""A pool of worker processes for replications, built for the "spawn" start method.

``import mesa`` makes "spawn" the start method of the whole process, so every worker starts a
fresh interpreter and imports the model itself: tasks are top-level functions of this module,
and their arguments are plain picklable values (the validated, frozen ``Scenario`` and lists of
seeds), never closures. Replications are cut into contiguous chunks of run ids; each worker
builds the tidy tables of its chunk and the parent receives them in run-id order, so the
tables are identical whatever the number of workers.

Memory stays bounded whatever the number of replications: chunks are at most ``MAX_CHUNK``
replications, and only a few chunks per worker are in flight (running, or finished and waiting
for an earlier one) at any time; the caller hands each chunk on (to disk) as it arrives.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

import pyarrow as pa

from sim.config import Scenario
from sim.model.model import TariffModel

# Guided chunks: each takes this fraction of what is left per worker, so chunks start large
# (little overhead) and shrink towards the end (no worker waits long for the other's last chunk).
GUIDED_SHARE = 2
# Fewer replications than this per chunk are not worth a round trip to a process.
MIN_CHUNK = 4
# More than this per chunk holds too many rows in memory at once: 100 default runs make 87,500
# timeseries rows, ~50 MB as Python rows and ~15 MB as Arrow, and ~2.5 s of work.
MAX_CHUNK = 100
# In one process, a batch is still cut in about this many pieces so that progress moves.
IN_PROCESS_PIECES = 10
# Chunks in flight per worker: enough to keep every worker busy while the parent waits for the
# next chunk in run-id order, few enough to bound what waits in memory.
IN_FLIGHT_PER_WORKER = 4


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


def chunk_bounds(n: int, workers: int, min_chunk: int = MIN_CHUNK,
                 max_chunk: int | None = None) -> list[tuple[int, int]]:
    """Contiguous ``[start, stop)`` ranges that cover ``range(n)`` in order.

    With several workers the chunks are guided: each is ``1 / (GUIDED_SHARE * workers)`` of
    what is left, between ``min_chunk`` and ``max_chunk``. In one process they are about a
    tenth of ``n`` each (at least 16, at most ``max_chunk``), so that progress can be shown.

    Args:
        n: Number of replications.
        workers: Number of processes that will share them.
        min_chunk: Smallest chunk worth sending to a process (the last one may be smaller).
        max_chunk: Largest chunk, which bounds the rows held in memory at once
            (``None``: ``MAX_CHUNK``).

    Returns:
        The ranges, in run-id order.
    """
    max_chunk = MAX_CHUNK if max_chunk is None else max_chunk
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < n:
        if workers <= 1:
            size = min(max_chunk, max(16, -(-n // IN_PROCESS_PIECES)))
        else:
            size = min(max_chunk, max(min_chunk, -(-(n - start) // (GUIDED_SHARE * workers))))
        bounds.append((start, min(start + size, n)))
        start += size
    return bounds


def run_model(scenario: Scenario, seed: int) -> TariffModel:
    """Run one replication of ``scenario`` with its own ``seed``; returns the finished model."""
    return TariffModel(scenario, seed=seed).run()


def run_chunk(scenario: Scenario, seeds: Sequence[int], first_run_id: int) -> dict[str, pa.Table]:
    """Run one contiguous chunk of replications and return its tidy tables.

    Replication ``first_run_id + i`` runs on ``seeds[i]``. This is the task a worker process runs;
    it is also what a single process runs for ``workers=1``.
    """
    from sim.run.results import TableBuilder

    builder = TableBuilder(scenario)
    for offset, seed in enumerate(seeds):
        builder.add(run_model(scenario, seed), first_run_id + offset)
        if offset % 64 == 63:
            gc.collect()  # models hold reference cycles (agents <-> model); free them in batches
    return builder.tables()


# Signals that stop a run (Ctrl-C, ``kill``, a closed terminal), and how often the parent looks
# whether one arrived while it was waiting for its workers (seconds).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_CHECK_SECONDS = 0.2


class _DeferredSignals:
    """Stop signals that arrived while the executor's own code ran, raised later in ours."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._saved: dict[int, Any] = {}

    def _record(self, signum: int, frame: object) -> None:
        self.received.append(signum)

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            handler = signal.getsignal(signum)
            if handler not in (signal.SIG_IGN, None):
                self._saved[signum] = handler
                signal.signal(signum, self._record)

    def restore(self) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved.clear()

    def check(self) -> None:
        """Deliver a signal that arrived, to the handler it was meant for, here."""
        if self.received:
            signum = self.received[0]
            self.received.clear()
            self.restore()
            signal.raise_signal(signum)


@contextmanager
def deferred_stop_signals() -> Iterator[_DeferredSignals]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while the main thread runs the executor's own code.

    A handler that raises (``KeyboardInterrupt``, ``sim.apps.cli.Terminated``) may do so at any bytecode,
    and an exception inside ``concurrent.futures.wait`` can leave the locks of some futures held:
    the executor's thread then blocks on them and stopping the pool waits forever. Inside this
    block a stop signal is only noted; ``check()`` and the end of the block deliver it to its own
    handler. Outside the main thread (where handlers cannot be set) nothing changes.
    """
    deferred = _DeferredSignals()
    if threading.current_thread() is threading.main_thread():
        deferred.install()
    try:
        yield deferred
    finally:
        deferred.check()
        deferred.restore()


# How often a worker checks that the process that started it is still alive (seconds).
PARENT_CHECK_SECONDS = 0.2


def _init_worker(parent: int) -> None:
    """Set up a worker: quiet Mesa, leave Ctrl-C to the parent, and die with the parent."""
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    # Ctrl-C reaches the whole process group: the parent stops the workers and removes temporaries;
    # a worker's own KeyboardInterrupt would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)


_watching_parent = False


def exit_with_parent(parent: int) -> None:
    """Make this process exit as soon as ``parent``, the process that started it, is gone (a job
    that a launcher runs in a worker process of its own: joblib's do not notice their parent's
    death). Exits at once when ``parent`` is already gone."""
    global _watching_parent
    if not _watching_parent:
        _watching_parent = True
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watchdog").start()


def _exit_with_parent(parent: int) -> None:
    """Exit as soon as ``parent`` is gone (killed with SIGKILL, it cannot stop its workers itself):
    a worker is then adopted by another process and ``os.getppid()`` changes."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _import_model() -> None:
    import sim.run.results  # noqa: F401 - what a worker's first chunk would import (Mesa, pandas, pyarrow)


class WorkerPool:
    """Spawned worker processes, started at the first task and reused for many batches.

    With one worker nothing is spawned: tasks run in this process. A context manager.

    Args:
        workers: Number of processes (``None``: every core).

    Example:
        >>> with WorkerPool(2) as pool:                                   # doctest: +SKIP
        ...     for tables in pool.map_chunks(scenario, seeds):
        ...         save(tables)
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = resolve_workers(workers)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is not None:
            self.terminate()
        self.close()

    @property
    def started(self) -> bool:
        """Whether the worker processes are running (they start with the first task)."""
        return self._executor is not None

    def start(self) -> WorkerPool:
        """Start every worker now, each importing the model, rather than one by one as tasks come.

        ``ProcessPoolExecutor`` spawns a process only when a task finds no idle one, so a pool
        warmed by a single task still starts the others later; this is for timing runs and for
        pools reused over many small batches.
        """
        if self.workers > 1 and self._executor is None:
            for future in [self.submit(_import_model) for _ in range(self.workers)]:
                future.result()
        return self

    def close(self) -> None:
        """Stop the worker processes (waits for running tasks; cancels queued ones)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def terminate(self) -> None:
        """Stop the worker processes now, running tasks included (an interruption or an error:
        their results are not wanted)."""
        if self._executor is None:
            return
        with deferred_stop_signals():  # a second Ctrl-C must not leave the executor half stopped
            self._terminate()

    def _terminate(self) -> None:
        assert self._executor is not None
        # Python 3.11's executor fails (InvalidStateError, in its own thread) to mark a future that
        # was cancelled as broken: forget those before the processes go.
        pending = getattr(self._executor, "_pending_work_items", {})
        for key, item in list(pending.items()):
            if item.future.cancelled():
                pending.pop(key, None)
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None

    def submit(self, task: Callable[..., Any], *args: Any) -> Future:
        """Run ``task(*args)`` (a top-level, importable function) in a worker process."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(os.getpid(),),
            )
        return self._executor.submit(task, *args)

    def map_ordered(self, task: Callable[..., Any], arguments: Sequence[tuple],
                    done: Callable[[int], None] | None = None) -> Iterator[Any]:
        """``task(*args)`` for each tuple of ``arguments``, yielded in the order given.

        At most ``IN_FLIGHT_PER_WORKER * workers`` tasks are submitted ahead of the one the
        caller waits for, so results never pile up in memory. With one worker, or one task,
        everything runs in this process.

        Args:
            task: A top-level, importable function.
            arguments: One tuple of arguments per task.
            done: Called with a task's index as soon as it finishes (completion order), for
                progress reporting.
        """
        if self.workers == 1 or len(arguments) <= 1:
            for index, args in enumerate(arguments):
                result = task(*args)
                if done is not None:
                    done(index)
                yield result
            return
        window = IN_FLIGHT_PER_WORKER * self.workers
        pending: dict[Future, int] = {}
        finished: dict[int, Any] = {}
        submitted = next_index = 0
        try:
            while next_index < len(arguments):
                with deferred_stop_signals() as stop:
                    while submitted < len(arguments) and submitted - next_index < window:
                        pending[self.submit(task, *arguments[submitted])] = submitted
                        submitted += 1
                    completed: set[Future] = set()
                    while not completed:
                        completed, _ = wait(pending, timeout=STOP_CHECK_SECONDS, return_when=FIRST_COMPLETED)
                        stop.check()
                    for future in completed:
                        index = pending.pop(future)
                        finished[index] = future.result()
                        if done is not None:
                            done(index)
                while next_index in finished:
                    yield finished.pop(next_index)
                    next_index += 1
        finally:
            for future in pending:
                future.cancel()

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
        arguments = [(scenario, list(seeds[start:stop]), start) for start, stop in bounds]
        finished = None if done is None else (lambda index: done(bounds[index][1] - bounds[index][0]))
        yield from self.map_ordered(run_chunk, arguments, finished)

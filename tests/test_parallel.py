"""Replications over worker processes: same tables whatever the number of workers."""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest

from sim.config import ConfigError
from sim.run.parallel import IN_FLIGHT_PER_WORKER, MAX_CHUNK, MIN_CHUNK, WorkerPool, chunk_bounds, resolve_workers
from sim.run.progress import Progress
from sim.run.runner import replication_seeds, run_replications, stream_replications
from tests.conftest import study_from


def frames(tables):
    return {name: table.to_pandas() for name, table in tables.items()}


@pytest.mark.parametrize("n,workers", [(1, 2), (7, 2), (100, 2), (33, 3), (5, 1), (1000, 2), (10_000, 1)])
def test_chunks_are_contiguous_ordered_and_cover_every_run(n, workers):
    bounds = chunk_bounds(n, workers)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(stop == start for (_, stop), (start, _) in zip(bounds, bounds[1:]))
    assert all(0 < stop - start <= MAX_CHUNK for start, stop in bounds)


def test_chunks_shrink_towards_the_end_so_no_worker_waits_long_for_the_last():
    sizes = [stop - start for start, stop in chunk_bounds(800, 2)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == MAX_CHUNK and sizes[-1] <= MIN_CHUNK and len(sizes) < 40


def test_one_process_cuts_a_batch_in_pieces_that_move_the_progress_bar():
    assert chunk_bounds(100, 1) == [(0, 16), (16, 32), (32, 48), (48, 64), (64, 80), (80, 96), (96, 100)]
    assert chunk_bounds(10, 1) == [(0, 10)]


def test_workers_null_means_every_core(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(6)))
    assert resolve_workers(None) == 6
    assert resolve_workers(1) == 1


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(2) as shared:
        yield shared


def test_one_and_two_workers_give_identical_tables(baseline, pool):
    one = run_replications(baseline.scenario, seed=11, replications=12, workers=1)
    two = run_replications(baseline.scenario, seed=11, replications=12, pool=pool)
    assert one.seeds == two.seeds == replication_seeds(11, 12)
    a, b = frames(one.tables), frames(two.tables)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)
        assert list(one.tables[name].schema) == list(two.tables[name].schema)
    assert a["runs"]["run_id"].tolist() == sorted(a["runs"]["run_id"].tolist())
    assert sorted(a["runs"]["run_id"].unique()) == list(range(12))


def test_a_pool_is_reused_across_batches_and_matches_one_process(baseline, pool):
    first = run_replications(baseline.scenario, seed=3, replications=9, pool=pool, progress=True)
    second = run_replications(baseline.scenario, seed=3, replications=9, pool=pool)
    alone = run_replications(baseline.scenario, seed=3, replications=9, workers=1, progress=True)
    for name in alone.tables:
        pd.testing.assert_frame_equal(frames(first.tables)[name], frames(alone.tables)[name])
        pd.testing.assert_frame_equal(frames(second.tables)[name], frames(alone.tables)[name])


def test_workers_two_starts_its_own_pool_and_stops_it(baseline, monkeypatch):
    monkeypatch.setattr("sim.run.runner.MIN_REPLICATIONS_FOR_WORKERS", 4)
    started, close = [], WorkerPool.close
    monkeypatch.setattr(WorkerPool, "close", lambda self: started.append(self.started) or close(self))
    outcome = run_replications(baseline.scenario, seed=5, replications=8, workers=2)
    assert outcome.tables["runs"].num_rows == 8 * 5
    assert started == [True]


def test_a_small_batch_runs_in_this_process_rather_than_start_workers(baseline, monkeypatch):
    pools, close = [], WorkerPool.close
    monkeypatch.setattr(WorkerPool, "close", lambda self: pools.append(self) or close(self))
    run_replications(baseline.scenario, seed=5, replications=8, workers=2)
    assert [pool.workers for pool in pools] == [1] and not pools[0].started


def test_a_long_batch_reaches_the_writer_in_bounded_chunks_in_run_id_order(baseline, monkeypatch):
    monkeypatch.setattr("sim.run.parallel.MAX_CHUNK", 5)
    chunks = []
    stream_replications(baseline.scenario, 1, 23, lambda tables: chunks.append(tables["runs"]["run_id"].to_pylist()))
    assert [sorted(set(ids)) for ids in chunks] == [list(range(a, min(a + 5, 23))) for a in range(0, 23, 5)]


def slow_first(index: int) -> int:
    """A task that finishes out of order: the first one takes longest."""
    import time

    time.sleep(0.5 if index == 0 else 0.0)
    return index


def test_results_come_back_in_order_with_few_tasks_in_flight(pool, monkeypatch):
    submitted, yielded, finished = [], [], []
    submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda task, *args: submitted.append(args[0]) or submit(task, *args))
    for result in pool.map_ordered(slow_first, [(i,) for i in range(12)], finished.append):
        assert len(submitted) - len(yielded) <= IN_FLIGHT_PER_WORKER * pool.workers
        yielded.append(result)
    assert yielded == list(range(12)) == submitted
    assert sorted(finished) == yielded and finished[0] != 0  # progress as they finish, results in order


def test_workers_key_is_validated():
    assert study_from("workers=2").workers == 2
    assert study_from().workers is None
    with pytest.raises(ConfigError, match=r"workers=0: must be null \(every core\)"):
        study_from("workers=0")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_on_a_terminal():
    stream = _Terminal()
    bar = Progress(10, "baseline", stream=stream)
    bar.advance(5)
    bar.advance(5)
    bar.close()
    text = stream.getvalue()
    assert "\r" in text and "10/10 runs" in text and text.endswith("\n")


def test_progress_logs_plain_lines_elsewhere(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="tariffsim"):
        bar = Progress(100, "baseline", stream=stream)
        for _ in range(100):
            bar.advance(1)
        bar.close()
    assert stream.getvalue() == ""
    lines = [r.getMessage() for r in caplog.records]
    assert 5 <= len(lines) <= 11 and lines[-1].startswith("baseline [") and "100/100 runs" in lines[-1]


def test_start_spawns_every_worker_at_once():
    import multiprocessing

    before = len(multiprocessing.active_children())
    with WorkerPool(2) as fresh:
        fresh.start()
        assert fresh.started and len(multiprocessing.active_children()) == before + 2
    assert len(multiprocessing.active_children()) == before


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def test_a_stop_signal_inside_the_executors_code_waits_for_a_safe_point():
    """A SIGTERM that lands while the executor's code runs in the main thread (inside
    ``concurrent.futures.wait``, holding the futures' locks) is raised only at ``check()``: raised
    there, it once left those locks held and stopping the pool hung (a CI run, 2 Dec 2026)."""
    import os
    import signal

    from sim.run.parallel import deferred_stop_signals

    saved = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        with pytest.raises(_Stop):
            with deferred_stop_signals() as stop:
                os.kill(os.getpid(), signal.SIGTERM)
                reached = True  # the handler did not run here
                stop.check()
                reached = False
        assert reached
        assert signal.getsignal(signal.SIGTERM) is _raise_stop, "the handler is restored"
        with pytest.raises(_Stop):  # one that arrives late is delivered as the block ends
            with deferred_stop_signals():
                os.kill(os.getpid(), signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, saved)


def test_a_stop_signal_while_workers_run_stops_the_pool(baseline):
    """``map_chunks`` delivers a SIGTERM that arrives while it waits for its workers to the run's
    handler, and the pool then stops without waiting for the running chunks."""
    import os
    import signal
    import threading

    saved = signal.signal(signal.SIGTERM, _raise_stop)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        with pytest.raises(_Stop), WorkerPool(2) as pool:
            timer.start()
            for _ in pool.map_chunks(baseline.scenario, replication_seeds(1, 4000)):
                pass
        assert not pool.started
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, saved)

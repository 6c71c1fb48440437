"""Replications over worker processes: same tables whatever the number of workers."""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest

from sim.config import ConfigError
from sim.parallel import WorkerPool, chunk_bounds, resolve_workers
from sim.progress import Progress
from sim.runner import replication_seeds, run_replications
from tests.conftest import study_from


def frames(tables):
    return {name: table.to_pandas() for name, table in tables.items()}


@pytest.mark.parametrize("n,workers", [(1, 2), (7, 2), (100, 2), (33, 3), (5, 1), (1000, 2)])
def test_chunks_are_contiguous_ordered_and_cover_every_run(n, workers):
    bounds = chunk_bounds(n, workers)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(stop == start for (_, stop), (start, _) in zip(bounds, bounds[1:]))
    assert all(stop > start for start, stop in bounds)
    if workers == 1:
        assert bounds == [(0, n)]


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


def test_workers_two_starts_its_own_pool_and_stops_it(baseline):
    outcome = run_replications(baseline.scenario, seed=5, replications=8, workers=2)
    assert outcome.tables["runs"].num_rows == 8 * 5


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

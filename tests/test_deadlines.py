"""Moving a deadline (``sim.model.deadlines.set_deadline``, what a truce does): the clock of the
tables moved is moved in place when no other table shares it, and split otherwise."""

from __future__ import annotations

from types import SimpleNamespace

from sim.model.deadlines import DeadlineClock, set_deadline


def _tables(*clocks: DeadlineClock) -> list[SimpleNamespace]:
    return [SimpleNamespace(code=f"T{i}", clock=clock) for i, clock in enumerate(clocks)]


def test_moving_every_table_on_a_clock_moves_that_clock():
    shared = DeadlineClock(90, extensions=1)
    clocks = [shared]
    tables = _tables(shared, shared, shared)
    set_deadline(clocks, tables, tables, 120)
    assert clocks == [shared] and shared.day == 120 and shared.extensions == 1
    assert all(t.clock is shared for t in tables)


def test_moving_some_tables_of_a_shared_clock_gives_them_one_clock_of_their_own():
    shared = DeadlineClock(90, extensions=1)
    clocks = [shared]
    tables = _tables(shared, shared, shared)
    set_deadline(clocks, tables, tables[1:], 120)
    assert len(clocks) == 2 and shared.day == 90 and tables[0].clock is shared
    moved = clocks[1]
    assert tables[1].clock is moved and tables[2].clock is moved   # the moved tables still share one
    assert moved.day == 120 and moved.extensions == 1               # the count of extensions is kept


def test_tables_on_different_clocks_are_moved_clock_by_clock():
    a, b = DeadlineClock(90), DeadlineClock(100)
    clocks = [a, b]
    tables = _tables(a, a, b)
    set_deadline(clocks, tables, [tables[0], tables[2]], 70)
    assert b.day == 70 and tables[2].clock is b            # b's only table: moved in place
    assert a.day == 90 and tables[1].clock is a             # a's other table stays
    assert len(clocks) == 3 and tables[0].clock is clocks[2] and clocks[2].day == 70

"""Deals announced and deals in force: a ratified deal is announced on the day it is made, and its
tariff lines enter into force ``lag`` days later (the US–UK deal: announced on 8 May 2025, its
tariff terms in force on 30 Jun 2025). Until then the lines in force stay and the pair's status
is ``announced``; the talks are closed.

The lag of each table is drawn once per run (``us.implementation_lag_days`` ±
``us.implementation_lag_spread``) from a stream spawned from the run's generator: spawning does
not advance the generator, so the lags move no other draw of the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim.config.scenario import UnitedStates
from sim.model.events import EventKind, EventLog
from sim.model.talks import Status

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent


def implementation_lags(rng: np.random.Generator, us: UnitedStates, tables: int) -> list[int]:
    """The implementation lag of each of ``tables`` tables (in the model's partner order): the
    configured days moved by whole days drawn uniformly within ± the spread, at least 0 (no draw
    when the spread is 0)."""
    days, spread = us.implementation_lag_days, us.implementation_lag_spread
    if spread <= 0:
        return [days] * tables
    own = rng.spawn(1)[0]  # a child stream: the run's generator itself does not move
    return [max(0, days + int(d)) for d in own.integers(-spread, spread + 1, size=tables)]


def enter_into_force(log: EventLog, partners: Iterable[PartnerAgent], day: int) -> None:
    """Put into force the announced deals whose effective day is ``day``: their tariff lines
    replace those in force, the pair's record is frozen again, and ``deal_in_force`` is logged."""
    for partner in partners:
        talks = partner.talks
        if talks.status is not Status.ANNOUNCED or talks.effective_day != day:
            continue
        us_before = talks.in_force[talks.headline]
        talks.enter_into_force()
        if partner.counter is not None:  # the deal removes its share of the partner's counter-tariff
            i = talks.line_index[talks.headline]
            lowest = talks.space.lo[i] if i >= 0 else us_before
            partner.counter.after_deal(log, day, us_before, talks.in_force[talks.headline], lowest)
        partner.close()
        rates = ", ".join(f"{name} {rate:.1f}%" for name, rate in talks.in_force.items() if rate is not None)
        log.add(day, EventKind.DEAL_IN_FORCE, "USA", partner.code,
                f"the {partner.code} deal of day {talks.deal_day} enters into force: {rates}")

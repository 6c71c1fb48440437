"""The US's tactics, as its strategy decides them: whom to meet, whom to threaten, and what to
do with the deadline (move it early, extend it with letters, or impose the letter rates).

What the US decided only after the scenario's information date is drawn here from the run's
generator, not read from the record: the rate each letter names (between the rate in force during
the pause and the 2 Apr rate plus ``us.letter_premium``) and the length of an extension (the
strategy's days ± ``us.extension_spread``).

The functions take the pieces they read or change: the run's shared ``Context`` (log, generator,
US agent, world, calendar), the partners' tables and the deadline clocks they act on, and the day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from sim.config.scenario import UnitedStates
from sim.model.context import Context
from sim.model.events import EventKind
from sim.model.talks import Status
from sim.strategies import DeadlineAction, DeadlineView, TableView, USStrategy

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent, UnitedStatesAgent
    from sim.model.deadlines import DeadlineClock

# A TableView without the named tuple's Python-level __new__: built for every table every day.
_new_table_view = partial(tuple.__new__, TableView)
_TALKING = Status.TALKING  # Enum member look-ups are slow on Python 3.11 (~0.1 us each)


def table_view(partner: PartnerAgent, day: int, max_rate: float) -> TableView:
    """What the US sees of ``partner``'s table on ``day`` (``max_rate``: the highest rate it may name)."""
    talks = partner.talks
    offer = talks.partner_offer
    serious = offer.us_utility - partner.us_reservation if offer is not None else 0.0
    gap = talks.us_target - offer.us_utility if offer is not None else 1.0
    return _new_table_view((partner.code, serious, gap, day - talks.last_met, day - talks.best_gap_day,
                            day - talks.last_threat_day, talks.threatened, max_rate))


def choose_attention(us: UnitedStatesAgent, candidates: list[PartnerAgent], rng: np.random.Generator,
                     day: int) -> list[PartnerAgent]:
    """The partners the US meets today, at most ``us.attention`` of them, as its strategy ranks them."""
    settings = us.settings
    slots = settings.attention
    if len(candidates) <= slots:
        return candidates
    by_code = {p.code: p for p in candidates}
    max_rate = settings.max_rate
    chosen = us.strategy.attention([table_view(p, day, max_rate) for p in candidates], slots, rng)
    return [by_code[code] for code in chosen[:slots] if code in by_code]


def threaten_stalled(ctx: Context, partners: Sequence[PartnerAgent], day: int) -> None:
    """Raise the rate named for no deal where the US strategy threatens today."""
    strategy = ctx.us.strategy
    jump = ctx.world.settings.market_stress.threat
    max_rate = ctx.us.settings.max_rate
    for partner in partners:
        talks = partner.talks
        if talks.status is not _TALKING or talks.partner_offer is None:
            continue
        step = strategy.threat(table_view(partner, day, max_rate), ctx.rng)
        if step > 0 and talks.threatened < max_rate:
            rate = talks.threaten(step, max_rate)  # an escalation: Talks.threaten records it
            talks.last_threat_day = talks.best_gap_day = day
            partner.spend_capital(partner.settings.politics.threat_cost)
            ctx.world.shock(jump)
            ctx.log.add(day, EventKind.THREAT, "USA", partner.code,
                        f"talks stalled: the US threatens {partner.code} with {rate:.0f}% without a deal")


def deadline_tactics(ctx: Context, clocks: list[DeadlineClock], partners: Sequence[PartnerAgent], day: int) -> None:
    """For each deadline in force (one of ``clocks``, shared by every table unless a partner has
    its own): before it the US may move it; on the day it extends it or imposes the letter rates."""
    if len(clocks) == 1:  # every table on one deadline (the usual case)
        _at_clock(ctx, day, clocks[0], partners, len(partners))
        return
    for clock in list(clocks):
        members = [p for p in partners if p.clock is clock]
        if members:
            _at_clock(ctx, day, clock, members, len(partners))


def _at_clock(ctx: Context, day: int, clock: DeadlineClock, members: Sequence[PartnerAgent], tables: int) -> None:
    """The US's move on ``clock``'s deadline, shared by ``members`` (of ``tables`` tables in all)."""
    strategy = ctx.us.strategy
    if day < clock.day:
        if type(strategy).move_deadline is not USStrategy.move_deadline:  # most strategies never move it
            days = strategy.move_deadline(_deadline_view(ctx, day, clock, members), ctx.rng)
            _move(ctx, day, clock, _targets(members, tables), days)
        return
    if day != clock.day:
        return
    open_partners = _open(members)
    for target in _targets(members, tables):
        ctx.log.add(day, EventKind.DEADLINE, "USA", target,
                    f"deadline reached with {len(open_partners)} partner(s) without a deal")
    if not open_partners:
        return
    action, days = strategy.at_deadline(_deadline_view(ctx, day, clock, members), ctx.rng)
    if action is DeadlineAction.EXTEND and days > 0 and day < ctx.calendar.last_day:
        _extend(ctx, clock, _targets(members, tables), open_partners, day,
                extension_length(ctx.rng, ctx.us.settings, days))
    else:
        _impose(ctx, open_partners, day)


def _targets(members: Sequence[PartnerAgent], tables: int) -> list[str]:
    """Whom an event about a deadline names: ALL when every table shares it, else each of its tables."""
    return ["ALL"] if len(members) == tables else [p.code for p in members]


def _open(members: Sequence[PartnerAgent]) -> list[PartnerAgent]:
    return [p for p in members if p.open and p.talks.status is not Status.LETTER]


def _deadline_view(ctx: Context, day: int, clock: DeadlineClock, members: Sequence[PartnerAgent]) -> DeadlineView:
    open_partners = _open(members)
    gaps = [p.talks.us_target - p.talks.partner_offer.us_utility for p in open_partners if p.talks.partner_offer]
    stress = ctx.world.settings.market_stress
    return DeadlineView(day, clock.day, ctx.calendar.last_day, clock.extensions, ctx.world.stress,
                        tuple(p.code for p in open_partners), min(gaps, default=1.0), stress.threshold,
                        ctx.us.settings.stress_sensitivity, stress.letters_imposed)


def _move(ctx: Context, day: int, clock: DeadlineClock, targets: list[str], days: int) -> None:
    if days == 0:
        return
    calendar = ctx.calendar
    new_day = min(calendar.last_day, max(day + 1, clock.day + days))
    if new_day == clock.day:
        return
    kind = EventKind.SHORTENING if new_day < clock.day else EventKind.EXTENSION
    clock.day = new_day
    for target in targets:
        ctx.log.add(day, kind, "USA", target, f"the US moves the deadline to {calendar.date_of(new_day)}")


def _extend(ctx: Context, clock: DeadlineClock, targets: list[str], open_partners: list[PartnerAgent],
            day: int, days: int) -> None:
    calendar, log = ctx.calendar, ctx.log
    clock.extensions += 1
    clock.day = min(calendar.last_day, day + days)
    for target in targets:
        log.add(day, EventKind.EXTENSION, "USA", target,
                f"deadline extended to {calendar.date_of(clock.day)}; letters go out")
    for partner in open_partners:
        write_letter(ctx.rng, ctx.us.settings, partner)
        rate = partner.talks.send_letter()
        log.add(day, EventKind.LETTER, "USA", partner.code,
                f"letter to {partner.code}: {rate:.0f}% from {calendar.date_of(clock.day)} without a deal")
    ctx.world.shock(ctx.world.settings.market_stress.letter * len(open_partners))


def _impose(ctx: Context, open_partners: list[PartnerAgent], day: int) -> None:
    for partner in open_partners:
        write_letter(ctx.rng, ctx.us.settings, partner)
        partner.talks.letter_sent = True
        before = partner.talks.in_force[partner.talks.headline]
        rate = partner.talks.impose_letter()
        ctx.log.add(day, EventKind.LETTER_RATES_IMPOSED, "USA", partner.code,
                    f"{rate:.0f}% on {partner.code}'s goods from {ctx.calendar.date_of(day)}")
        retaliate(ctx, partner, day, "letter rate")
        counter_round(ctx, partner, day, rate - before, "letter rate")
    ctx.world.shock(ctx.world.settings.market_stress.letters_imposed)


def extension_length(rng: np.random.Generator, us: UnitedStates, days: int) -> int:
    """The days the deadline is extended by: the strategy's ``days``, moved by a whole number of
    days drawn uniformly within ± ``us.extension_spread`` (no draw when the spread is 0); at least 1."""
    spread = us.extension_spread
    if spread <= 0:
        return days
    return max(1, days + int(rng.integers(-spread, spread + 1)))


def letter_range(us: UnitedStates, partner: PartnerAgent) -> tuple[int, int]:
    """Whole-percent bounds of the rate a letter to ``partner`` may name: from the rate in force
    during the pause to the 2 Apr rate plus ``us.letter_premium``, at most ``us.max_rate``."""
    settings = partner.settings
    lo = math.ceil(min(settings.pause_rate, us.max_rate))
    hi = math.floor(min(us.max_rate, settings.announced_rate + us.letter_premium))
    return lo, max(lo, hi)


def write_letter(rng: np.random.Generator, us: UnitedStates, partner: PartnerAgent) -> None:
    """Fix the rate the letter to ``partner`` names, once: drawn uniformly over ``letter_range``
    where the config leaves it to the US (``letter_rate: null``), else the configured rate."""
    talks = partner.talks
    if talks.letter_sent or not partner.settings.letter_drawn:
        return
    lo, hi = letter_range(us, partner)
    # Read only once the letter is sent (send_letter, impose_letter), which refresh no deal's value.
    talks.letter_rate = float(rng.integers(lo, hi + 1))


def counter_round(ctx: Context, partner: PartnerAgent, day: int, us_points: float, cause: str) -> None:
    """A partner with a counter-tariff answers a US change of ``us_points`` on its goods in
    kind: an increase with a round (``CounterTariffLevel.answer``), which unsettles markets as
    retaliation does; a cut by undoing its answers (``CounterTariffLevel.ease``)."""
    counter = partner.counter
    if counter is None:
        return
    if us_points < 0.0:
        counter.ease(ctx.log, day, -us_points, cause)
    elif counter.answer(ctx.log, day, us_points, cause):
        ctx.world.shock(ctx.world.settings.market_stress.retaliation)


def retaliate(ctx: Context, partner: PartnerAgent, day: int, cause: str) -> None:
    """The partner's strategy may answer US escalation with countermeasures (the EU, Canada)."""
    if not partner.strategy.retaliates(partner.partner_view(), ctx.rng):
        return
    settings = partner.settings.retaliation
    partner.reservation_shift += settings.gain
    partner.us_penalty += settings.us_cost
    ctx.world.shock(ctx.world.settings.market_stress.retaliation)
    ctx.log.add(day, EventKind.RETALIATION, partner.code, "USA", f"{partner.code} retaliates against the {cause}")

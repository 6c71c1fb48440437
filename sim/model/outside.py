"""Dated outside events from the scenario, a small set of generic handlers chosen by ``kind``:
precedents, market shocks, US tariff-line changes (``sector_tariff``), talks cut and resumed,
unilateral concessions, summits, partners' rounds of counter-tariffs, red-line changes, deadline
changes and truces.

The functions take the pieces they read or change: the run's shared ``Context`` (log, generator,
US agent, world, calendar), the partners' tables, the deadline clocks (a truce moves its targets'
deadline) and the day."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.config.scenario import OutsideEvent
from sim.model.context import Context
from sim.model.deadlines import DeadlineClock, set_deadline
from sim.model.events import EventKind
from sim.model.talks import Status
from sim.model.us_tactics import counter_round, retaliate

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent


def apply_outside_event(ctx: Context, partners: Sequence[PartnerAgent], clocks: list[DeadlineClock],
                        event: OutsideEvent, day: int) -> list[PartnerAgent]:
    """Apply ``event`` to the ``partners`` it targets (and the world, the log, a truce's deadline
    among ``clocks``); returns partners that must meet the US today (summits)."""
    targets = [p for p in partners if "ALL" in event.targets or p.code in event.targets]
    label = "ALL" if "ALL" in event.targets else ",".join(p.code for p in targets) or "none"
    log, world = ctx.log, ctx.world
    stress = world.settings.market_stress
    kind = event.kind
    if kind == "precedent":
        for p in targets:
            if p.open:
                p.reservation_shift += event.amount
        log.add(day, EventKind.PRECEDENT, "WORLD", label, event.detail)
    elif kind == "market_shock":
        world.shock(event.amount)
        log.add(day, EventKind.MARKET_SHOCK, "WORLD", label, event.detail)
    elif kind == "sector_tariff":
        log.add(day, EventKind.SECTOR_TARIFF, "USA", label, event.detail)
        for p in targets:
            if p.open and p.talks.in_force.get(event.issue) is not None:
                before = p.talks.in_force[event.issue]
                p.talks.set_line(event.issue, event.amount)
                retaliate(ctx, p, day, f"{event.issue} tariff")
                counter_round(ctx, p, day, event.amount - before, f"{event.issue} tariff")
        world.shock(stress.letter)
    elif kind == "talks_cut":
        for p in targets:
            if p.talks.status is Status.TALKING:
                p.talks.status = Status.SUSPENDED
        world.shock(stress.talks_cut)
        log.add(day, EventKind.TALKS_CUT, "USA", label, event.detail)
    elif kind == "talks_resumed":
        # With an ``issue``, the US resumes only where the partner has given ground on it (Canada
        # scrapped its digital tax, then talks restarted); elsewhere the talks stay cut.
        resumed = [p for p in targets if p.talks.status is Status.SUSPENDED
                   and (event.issue is None or _has_conceded(p, event.issue))]
        for p in resumed:
            p.talks.status = Status.TALKING
        if resumed or event.issue is None:
            log.add(day, EventKind.TALKS_RESUMED, "USA", ",".join(p.code for p in resumed) or label, event.detail)
    elif kind == "concession":
        for p in targets:
            if p.open and event.issue in p.talks.space.names:
                p.talks.give(event.issue, event.amount)
        log.add(day, EventKind.CONCESSION, label, "USA", event.detail)
    elif kind == "partner_rate_change":
        for p in targets:  # the config admits only partners that declare a counter-tariff
            p.counter.set_rate(log, day, event.amount, event.detail)
    elif kind == "truce":
        _truce(ctx, partners, clocks, targets, label, event, day)
    elif kind == "deadline_change":
        moved = _move_deadline(ctx, partners, clocks, targets, event, day)
        log.add(day, EventKind.DEADLINE, "USA", label, f"{event.detail} ({moved})")
    elif kind == "red_line":
        for p in targets:
            if p.open and event.issue in p.talks.space.names:
                p.redraw_red_line(event.issue, event.amount, day)
        log.add(day, EventKind.RED_LINE, label, "USA", f"{event.detail} ({event.issue} at most {event.amount:g})")
    elif kind == "attention":
        log.add(day, EventKind.SUMMIT, "WORLD", label, event.detail)
        return [p for p in targets if p.open]
    return []


def _truce(ctx: Context, partners: Sequence[PartnerAgent], clocks: list[DeadlineClock], targets: list[PartnerAgent],
           label: str, event: OutsideEvent, day: int) -> None:
    """Both sides hold their fire for ``amount`` days: the deadline moves to the truce's end, cut
    talks with the targets resume, and markets calm as they do at a deal. Rates the truce lowers
    are dated rate changes of their own (``sector_tariff``, ``partner_rate_change``)."""
    moved = _move_deadline(ctx, partners, clocks, targets, event, day)
    for p in targets:
        if p.talks.status is Status.SUSPENDED:
            p.talks.status = Status.TALKING
    ctx.world.shock(-ctx.world.settings.market_stress.deal)
    ctx.log.add(day, EventKind.TRUCE, "USA", label, f"{event.detail} ({moved})")


def _move_deadline(ctx: Context, partners: Sequence[PartnerAgent], clocks: list[DeadlineClock],
                   targets: list[PartnerAgent], event: OutsideEvent, day: int) -> str:
    """The targets' deadline moves to ``amount`` days after ``day`` (at most the horizon's last
    day), as a truce and a deadline change do; returns "deadline now <date>" for the log."""
    end = min(ctx.calendar.last_day, day + int(event.amount))
    set_deadline(clocks, partners, targets, end)
    return f"deadline now {ctx.calendar.date_of(end)}"


def _has_conceded(partner: PartnerAgent, issue: str) -> bool:
    """Whether ``partner`` has given ground on ``issue`` outside the talks (a concession event)."""
    names = partner.talks.space.names
    return issue in names and partner.talks.given[names.index(issue)] > 0.0

"""The day's negotiating round at one table: one side opens, the other accepts or counters, the
opener accepts or not; an accepted package goes home for ratification.

Either side may open (a coin flip each meeting: who calls first), and both learn from what the
other refuses: a US package refused because it crosses a red line teaches the US that line (its
later offers respect it), and a counter the US refuses because a tariff line is below the US
floor teaches the partner the floors (its later counters ask no less).

The functions take the pieces they read or change: the table (the partner agent, which holds the
pair's ``Talks``), the US agent, the run's generator and event log, and the day. What a deal does
beyond its table (markets calm, the other partners ask more) is ``deal_spillovers``, which the
model calls for a round that ends in a deal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.core.frontier import Offer, Side
from sim.model.events import EventKind, EventLog
from sim.model.implementation import enter_into_force
from sim.model.talks import Status
from sim.strategies import View

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent, UnitedStatesAgent
    from sim.model.environment import World

OFFER_LOG_STEP = 0.02  # log an offer when the proposer's target moved this much since the last offer logged
US_OPENS = 0.5  # chance the US opens a meeting
_US, _PARTNER = Side.US, Side.PARTNER  # Enum member look-ups are slow on Python 3.11 (~0.1 us each)


def bargaining_round(partner: PartnerAgent, us: UnitedStatesAgent, rng: np.random.Generator, log: EventLog,
                     day: int) -> bool:
    """Exchange offers at ``partner``'s table today and settle if one side accepts; a partner
    whose ``meeting_chance`` is below 1 meets only on that share of the days it is called.

    US opens: it offers, the partner accepts or counters, the US accepts the counter or not.
    Partner opens: it offers, the US accepts or counters, the partner accepts that or not.

    Args:
        partner: The table: the partner agent and its talks with the US (changed).
        us: The US agent (its strategy and settings; read).
        rng: The run's generator (the strategies' targets draw from it).
        log: The run's event log (offers, refusals, acceptance, ratification, deal).
        day: Today's day index.

    Returns:
        Whether a deal was ratified today (``deal_spillovers`` then applies it beyond the table).
    """
    talks = partner.talks
    chance = partner.settings.meeting_chance
    if chance < 1.0 and partner.draws.uniform() >= chance:  # the delegation is not in town today
        return False
    talks.last_met = day
    talks.meetings += 1
    deal = False
    if partner.draws.uniform() < US_OPENS:
        ours = _us_today(us, partner, rng)
        offer = _us_proposes(partner, ours, log, day)
        mine = _partner_today(partner, rng)
        if _partner_accepts(partner, mine, offer, log, day):
            deal = _settle(partner, offer, partner.code, log, day)
        else:
            counter = _partner_proposes(partner, mine, log, day)
            if _us_accepts(us, partner, ours, counter, log, day):
                deal = _settle(partner, counter, "USA", log, day)
    else:
        mine = _partner_today(partner, rng)
        counter = _partner_proposes(partner, mine, log, day)
        ours = _us_today(us, partner, rng)
        if _us_accepts(us, partner, ours, counter, log, day):
            deal = _settle(partner, counter, "USA", log, day)
        else:
            offer = _us_proposes(partner, ours, log, day)
            if _partner_accepts(partner, mine, offer, log, day):
                deal = _settle(partner, offer, partner.code, log, day)
    talks.record_round()
    return deal


class _Stance(NamedTuple):
    """A side's view, target (with today's tremble) and locked issues at one meeting."""

    view: View
    target: float
    locked: frozenset[str]


_new_stance = partial(tuple.__new__, _Stance)  # without the named tuple's Python-level __new__ (hot path)


def _us_today(us: UnitedStatesAgent, partner: PartnerAgent, rng: np.random.Generator) -> _Stance:
    strategy = us.strategy
    view = partner.us_view()
    target = strategy.target(view, rng)
    partner.talks.us_target = target
    return _new_stance((view, partner.tremble(target, view, us.settings.target_noise), strategy.locked_issues(view)))


def _partner_today(partner: PartnerAgent, rng: np.random.Generator) -> _Stance:
    mine = partner.strategy
    view = partner.partner_view()
    target = mine.target(view, rng)
    partner.talks.partner_target = target
    return _new_stance((view, partner.tremble(target, view, partner.settings.target_noise), mine.locked_issues(view)))


def _us_proposes(partner: PartnerAgent, us: _Stance, log: EventLog, day: int) -> Offer:
    talks = partner.talks
    offer = talks.frontier(_US, us.locked).at(us.target)
    if abs(talks.us_target - talks.us_logged) >= OFFER_LOG_STEP:  # the target moved: trembles are not news
        talks.us_logged = talks.us_target
        log.add(day, EventKind.OFFER, "USA", partner.code, _offer_text(partner, offer, "USA", partner.code))
    talks.set_us_offer(offer)
    return offer


def _partner_proposes(partner: PartnerAgent, mine: _Stance, log: EventLog, day: int) -> Offer:
    talks = partner.talks
    counter = talks.frontier(_PARTNER, mine.locked).at(mine.target)
    if abs(talks.partner_target - talks.partner_logged) >= OFFER_LOG_STEP:
        talks.partner_logged = talks.partner_target
        log.add(day, EventKind.OFFER, partner.code, "USA", _offer_text(partner, counter, partner.code, "USA"))
    talks.set_partner_offer(counter)
    return counter


def _partner_accepts(partner: PartnerAgent, mine: _Stance, offer: Offer, log: EventLog, day: int) -> bool:
    """Whether the partner accepts the US's ``offer``; a refusal over a red line teaches the US
    that line."""
    talks, code = partner.talks, partner.code
    crossed = talks.crosses_red_line(offer)
    # A side never lets the other accept a package worth less to it than no deal.
    acceptable = (crossed < 0 and offer.us_utility >= partner.us_reservation
                  and offer.partner_utility >= partner.win_set
                  and not (mine.locked and talks.moves_locked(offer, Side.PARTNER, mine.locked)))
    if acceptable and partner.strategy.accepts(mine.view, offer.partner_utility, mine.target):
        return True
    if crossed >= 0:
        if crossed not in talks.learned_caps:
            issue = talks.space.names[crossed]
            log.add(day, EventKind.REJECTION, code, "USA",
                    f"{code} refuses the US package: {issue} at {talks.space.real(crossed, offer.y(crossed)):.1f} "
                    f"crosses its red line")
        talks.learn_red_line(crossed)
    return False


def _us_accepts(us: UnitedStatesAgent, partner: PartnerAgent, ours: _Stance, counter: Offer, log: EventLog,
                day: int) -> bool:
    """Whether the US accepts the partner's ``counter``; a refusal because a tariff line is
    below the US floor teaches the partner the floors."""
    talks = partner.talks
    # The partner's own box reaches past a red line only where it already gave more unilaterally.
    acceptable = (counter.partner_utility >= partner.win_set and counter.us_utility >= partner.us_reservation
                  and not talks.below_floor(counter) and talks.crosses_red_line(counter) < 0
                  and not (ours.locked and talks.moves_locked(counter, Side.US, ours.locked)))
    if acceptable and us.strategy.accepts(ours.view, counter.us_utility, ours.target):
        return True
    if not talks.floors_known and talks.below_floor(counter):
        log.add(day, EventKind.REJECTION, "USA", partner.code,
                f"the US refuses {partner.code}'s package: a tariff line below the US floor")
        talks.learn_floors()
    gap = ours.target - counter.us_utility
    if gap < talks.best_gap - 0.01:
        talks.best_gap, talks.best_gap_day = gap, day
    return False


def _settle(partner: PartnerAgent, offer: Offer, accepted_by: str, log: EventLog, day: int) -> bool:
    """The package ``accepted_by`` one side goes home; returns whether it was ratified (a deal)."""
    code = partner.code
    other = "USA" if accepted_by == code else code
    log.add(day, EventKind.ACCEPTANCE, accepted_by, other,
            f"{accepted_by} accepts: US {offer.us_utility:.2f} / {code} {offer.partner_utility:.2f}")
    if not partner.ratify(offer, day):
        log.add(day, EventKind.RATIFICATION_FAILURE, code, "USA",
                f"the package fails at home in {partner.settings.name}; capital now {partner.capital:.2f}")
        return False
    was_letter = partner.talks.status is Status.LETTER
    partner.talks.conclude(offer, day, partner.implementation_lag)
    partner.talks.record_round()
    partner.close()
    log.add(day, EventKind.DEAL, "USA", code,
            _offer_text(partner, offer, "deal", code, " (replaces the letter rate)" if was_letter else ""))
    enter_into_force(log, (partner,), day)  # at once where the lag is 0
    return True


def deal_spillovers(partner: PartnerAgent, partners: Sequence[PartnerAgent], world: World, log: EventLog,
                    day: int) -> None:
    """What ``partner``'s deal of today does beyond its table: markets calm (``market_stress.deal``),
    and every other open partner of ``partners`` cites it as a precedent (``precedent_weight``;
    ``PartnerAgent.cite_precedent``: it asks more only where no larger precedent stands; logged
    when someone does)."""
    settings = world.settings
    world.shock(-settings.market_stress.deal)
    weight = settings.precedent_weight
    if weight > 0:
        raised = []
        for other in partners:
            if other is not partner and other.open and other.cite_precedent(weight):
                raised.append(other.code)
        if raised:
            log.add(day, EventKind.PRECEDENT, partner.code, ",".join(raised),
                    f"the {partner.code} deal raises what {', '.join(raised)} demand (+{weight:.3f} utility)")


def _offer_text(partner: PartnerAgent, offer: Offer, who: str, to: str, suffix: str = "") -> Callable[[], str]:
    """A deferred detail: the package is put into words only when the table is written."""
    talks = partner.talks
    return lambda: (f"{who} → {to}: {talks.describe(offer)} "
                    f"(US {offer.us_utility:.2f} / {partner.code} {offer.partner_utility:.2f}){suffix}")

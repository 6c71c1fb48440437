"""One day's round at one table: one side opens, the other accepts or counters, the opener
accepts or not; an accepted package goes home for ratification.

Either side may open (a coin flip each meeting: who calls first), and both learn from what the
other refuses: a US package refused because it crosses a red line teaches the US that line (its
later offers respect it), and a counter the US refuses because a tariff line is below the US
floor teaches the partner the floors (its later counters ask no less).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from sim.core.frontier import Offer, Side
from sim.model.events import EventKind
from sim.model.implementation import enter_into_force
from sim.model.talks import Status
from sim.strategies import View

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent
    from sim.model.model import TariffModel

OFFER_LOG_STEP = 0.02  # log an offer when the proposer's target moved this much since the last offer logged
US_OPENS = 0.5  # chance the US opens a meeting
_US, _PARTNER = Side.US, Side.PARTNER  # Enum member look-ups are slow on Python 3.11 (~0.1 us each)


def bargaining_round(model: TariffModel, partner: PartnerAgent, day: int) -> None:
    """Exchange offers at ``partner``'s table today and settle if one side accepts; a partner
    whose ``meeting_chance`` is below 1 meets only on that share of the days it is called.

    US opens: it offers, the partner accepts or counters, the US accepts the counter or not.
    Partner opens: it offers, the US accepts or counters, the partner accepts that or not.
    """
    talks = partner.talks
    chance = partner.settings.meeting_chance
    if chance < 1.0 and partner.draws.uniform() >= chance:  # the delegation is not in town today
        return
    talks.last_met = day
    if partner.draws.uniform() < US_OPENS:
        us = _us_today(model, partner)
        offer = _us_proposes(model, partner, day, us)
        mine = _partner_today(model, partner)
        if not _partner_answers(model, partner, day, mine, offer):
            counter = _partner_proposes(model, partner, day, mine)
            _us_answers(model, partner, day, us, counter)
    else:
        mine = _partner_today(model, partner)
        counter = _partner_proposes(model, partner, day, mine)
        us = _us_today(model, partner)
        if not _us_answers(model, partner, day, us, counter):
            offer = _us_proposes(model, partner, day, us)
            _partner_answers(model, partner, day, mine, offer)
    talks.record_round()


class _Stance(NamedTuple):
    """A side's view, target (with today's tremble) and locked issues at one meeting."""

    view: View
    target: float
    locked: frozenset[str]


_new_stance = partial(tuple.__new__, _Stance)  # without the named tuple's Python-level __new__ (hot path)


def _us_today(model: TariffModel, partner: PartnerAgent) -> _Stance:
    us = model.us.strategy
    view = partner.us_view()
    target = us.target(view, model.rng)
    partner.talks.us_target = target
    return _new_stance((view, partner.tremble(target, view, model.us.settings.target_noise), us.locked_issues(view)))


def _partner_today(model: TariffModel, partner: PartnerAgent) -> _Stance:
    mine = partner.strategy
    view = partner.partner_view()
    target = mine.target(view, model.rng)
    partner.talks.partner_target = target
    return _new_stance((view, partner.tremble(target, view, partner.settings.target_noise), mine.locked_issues(view)))


def _us_proposes(model: TariffModel, partner: PartnerAgent, day: int, us: _Stance) -> Offer:
    talks = partner.talks
    offer = talks.frontier(_US, us.locked).at(us.target)
    if abs(talks.us_target - talks.us_logged) >= OFFER_LOG_STEP:  # the target moved: trembles are not news
        talks.us_logged = talks.us_target
        model.log.add(day, EventKind.OFFER, "USA", partner.code, _offer_text(partner, offer, "USA", partner.code))
    talks.set_us_offer(offer)
    return offer


def _partner_proposes(model: TariffModel, partner: PartnerAgent, day: int, mine: _Stance) -> Offer:
    talks = partner.talks
    counter = talks.frontier(_PARTNER, mine.locked).at(mine.target)
    if abs(talks.partner_target - talks.partner_logged) >= OFFER_LOG_STEP:
        talks.partner_logged = talks.partner_target
        model.log.add(day, EventKind.OFFER, partner.code, "USA", _offer_text(partner, counter, partner.code, "USA"))
    talks.set_partner_offer(counter)
    return counter


def _partner_answers(model: TariffModel, partner: PartnerAgent, day: int, mine: _Stance, offer: Offer) -> bool:
    """The partner accepts the US's ``offer`` (returns True once settled or sent home) or
    refuses it; a refusal over a red line teaches the US that line."""
    talks, code = partner.talks, partner.code
    crossed = talks.crosses_red_line(offer)
    # A side never lets the other accept a package worth less to it than no deal.
    acceptable = (crossed < 0 and offer.us_utility >= partner.us_reservation
                  and offer.partner_utility >= partner.win_set
                  and not (mine.locked and talks.moves_locked(offer, Side.PARTNER, mine.locked)))
    if acceptable and partner.strategy.accepts(mine.view, offer.partner_utility, mine.target):
        _settle(model, partner, offer, accepted_by=code, day=day)
        return True
    if crossed >= 0:
        if crossed not in talks.learned_caps:
            issue = talks.space.names[crossed]
            model.log.add(day, EventKind.REJECTION, code, "USA",
                          f"{code} refuses the US package: {issue} at {talks.space.real(crossed, offer.y(crossed)):.1f} "
                          f"crosses its red line")
        talks.learn_red_line(crossed)
    return False


def _us_answers(model: TariffModel, partner: PartnerAgent, day: int, us: _Stance, counter: Offer) -> bool:
    """The US accepts the partner's ``counter`` or refuses it; a refusal because a tariff line is
    below the US floor teaches the partner the floors."""
    talks = partner.talks
    # The partner's own box reaches past a red line only where it already gave more unilaterally.
    acceptable = (counter.partner_utility >= partner.win_set and counter.us_utility >= partner.us_reservation
                  and not talks.below_floor(counter) and talks.crosses_red_line(counter) < 0
                  and not (us.locked and talks.moves_locked(counter, Side.US, us.locked)))
    if acceptable and model.us.strategy.accepts(us.view, counter.us_utility, us.target):
        _settle(model, partner, counter, accepted_by="USA", day=day)
        return True
    if not talks.floors_known and talks.below_floor(counter):
        model.log.add(day, EventKind.REJECTION, "USA", partner.code,
                      f"the US refuses {partner.code}'s package: a tariff line below the US floor")
        talks.learn_floors()
    gap = us.target - counter.us_utility
    if gap < talks.best_gap - 0.01:
        talks.best_gap, talks.best_gap_day = gap, day
    return False


def _settle(model: TariffModel, partner: PartnerAgent, offer: Offer, accepted_by: str, day: int) -> None:
    code = partner.code
    other = "USA" if accepted_by == code else code
    model.log.add(day, EventKind.ACCEPTANCE, accepted_by, other,
                  f"{accepted_by} accepts: US {offer.us_utility:.2f} / {code} {offer.partner_utility:.2f}")
    if not partner.ratify(offer, day):
        model.log.add(day, EventKind.RATIFICATION_FAILURE, code, "USA",
                      f"the package fails at home in {partner.settings.name}; capital now {partner.capital:.2f}")
        return
    was_letter = partner.talks.status is Status.LETTER
    partner.talks.conclude(offer, day, partner.implementation_lag)
    partner.talks.record_round()
    partner.close()
    model.log.add(day, EventKind.DEAL, "USA", code,
                  _offer_text(partner, offer, "deal", code, " (replaces the letter rate)" if was_letter else ""))
    enter_into_force(model.log, (partner,), day)  # at once where the lag is 0
    model.world.shock(-model.scenario.environment.market_stress.deal)
    weight = model.scenario.environment.precedent_weight
    if weight > 0:
        for other_partner in model.partners:
            if other_partner is not partner and other_partner.open:
                other_partner.reservation_shift += weight
        model.log.add(day, EventKind.PRECEDENT, code, "ALL",
                      f"the {code} deal raises what the others demand (+{weight:.3f} utility)")


def _offer_text(partner: PartnerAgent, offer: Offer, who: str, to: str, suffix: str = "") -> Callable[[], str]:
    """A deferred detail: the package is put into words only when the table is written."""
    talks = partner.talks
    return lambda: (f"{who} → {to}: {talks.describe(offer)} "
                    f"(US {offer.us_utility:.2f} / {partner.code} {offer.partner_utility:.2f}){suffix}")

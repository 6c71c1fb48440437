"""One day's round at one table: the US proposes, the partner answers or counter-proposes, the
US answers; an accepted package goes home for ratification."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.core.frontier import Offer, Side
from sim.model.events import EventKind
from sim.model.talks import Status

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent
    from sim.model.model import TariffModel

OFFER_LOG_STEP = 0.02  # log an offer when the proposer's own utility moved this much since the last one


def bargaining_round(model: TariffModel, partner: PartnerAgent, day: int) -> None:
    """Exchange offers at ``partner``'s table today and settle if one side accepts."""
    talks = partner.talks
    talks.last_met = day
    _exchange(model, partner, day)
    talks.record_round()


def _exchange(model: TariffModel, partner: PartnerAgent, day: int) -> None:
    talks, us, log, rng = partner.talks, model.us.strategy, model.log, model.rng
    mine = partner.strategy
    code = partner.code

    us_view = partner.us_view()
    us_target = us.target(us_view, rng)
    us_locked = us.locked_issues(us_view)
    offer = talks.frontier(Side.US, us_locked).at(us_target)
    new_offer = talks.us_offer is None or abs(offer.us_utility - talks.us_offer.us_utility) >= OFFER_LOG_STEP
    if new_offer:
        log.add(day, EventKind.OFFER, "USA", code, _offer_text(partner, offer, "USA", code))
    talks.set_us_offer(offer)
    talks.us_target = us_target

    partner_view = partner.partner_view()
    partner_target = mine.target(partner_view, rng)
    partner_locked = mine.locked_issues(partner_view)
    talks.partner_target = partner_target
    crossed = talks.crosses_red_line(offer)
    # A side never proposes, nor lets the other accept, a package worth less to it than no deal.
    acceptable = (crossed < 0 and offer.us_utility >= partner.us_reservation
                  and offer.partner_utility >= partner.win_set
                  and not (partner_locked and talks.moves_locked(offer, Side.PARTNER, partner_locked)))
    if acceptable and mine.accepts(partner_view, offer.partner_utility, partner_target):
        _settle(model, partner, offer, accepted_by=code, day=day)
        return
    if crossed >= 0 and new_offer:
        issue = talks.space.names[crossed]
        log.add(day, EventKind.REJECTION, code, "USA",
                f"{code} refuses the US package: {issue} at {talks.space.real(crossed, offer.y(crossed)):.1f} "
                f"crosses its red line")

    counter = talks.frontier(Side.PARTNER, partner_locked).at(partner_target)
    if talks.partner_offer is None or abs(counter.partner_utility - talks.partner_offer.partner_utility) >= OFFER_LOG_STEP:
        log.add(day, EventKind.OFFER, code, "USA", _offer_text(partner, counter, code, "USA"))
    talks.set_partner_offer(counter)
    # The partner's own box reaches past a red line only where it already gave more unilaterally.
    acceptable = (counter.partner_utility >= partner.win_set and counter.us_utility >= partner.us_reservation
                  and not talks.below_floor(counter) and talks.crosses_red_line(counter) < 0
                  and not (us_locked and talks.moves_locked(counter, Side.US, us_locked)))
    if acceptable and us.accepts(us_view, counter.us_utility, us_target):
        _settle(model, partner, counter, accepted_by="USA", day=day)
        return
    gap = us_target - counter.us_utility
    if gap < talks.best_gap - 0.01:
        talks.best_gap, talks.best_gap_day = gap, day


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
    partner.talks.conclude(offer, day)
    partner.talks.record_round()
    partner.close()
    model.log.add(day, EventKind.DEAL, "USA", code,
                  _offer_text(partner, offer, "deal", code, " (replaces the letter rate)" if was_letter else ""))
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

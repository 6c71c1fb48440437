"""One day's round at one table: the US proposes, the partner answers or counter-proposes, the
US answers; an accepted package goes home for ratification."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.core.frontier import Offer
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
    talks, us, log = partner.talks, model.us, model.log
    code = partner.code
    days_left = model.deadline_day - day
    tau = day / model.deadline_day if model.deadline_day > 0 else 1.0
    near = us.settings.deadline_policy.near_days

    us_view = partner.view(day, tau * model.us_pressure, days_left, for_us=True)
    us_target = us.strategy.target(us_view, model.rng)
    offer = talks.us_frontier.at(us_target)
    new_offer = talks.us_offer is None or abs(offer.us_utility - talks.us_offer.us_utility) >= OFFER_LOG_STEP
    if new_offer:
        log.add(day, EventKind.OFFER, "USA", code, _offer_text(partner, offer, "USA", code))
    talks.us_offer, talks.us_target = offer, us_target

    partner_view = partner.view(day, tau, days_left, for_us=False)
    partner_target = partner.strategy.target(partner_view, model.rng)
    talks.partner_target = partner_target
    crossed = talks.crosses_red_line(offer)
    # A side never proposes, nor lets the other accept, a package worth less to it than no deal.
    us_can_sign = offer.us_utility >= partner.us_reservation
    if crossed < 0 and us_can_sign and partner.strategy.accepts(partner_view, offer.partner_utility, partner_target, near):
        _settle(model, partner, offer, accepted_by=code, day=day)
        return
    if crossed >= 0 and new_offer:
        issue = talks.space.names[crossed]
        log.add(day, EventKind.REJECTION, code, "USA",
                f"{code} refuses the US package: {issue} at {talks.space.real(crossed, offer.y(crossed)):.1f} "
                f"crosses its red line")

    counter = talks.partner_frontier.at(partner_target)
    if talks.partner_offer is None or abs(counter.partner_utility - talks.partner_offer.partner_utility) >= OFFER_LOG_STEP:
        log.add(day, EventKind.OFFER, code, "USA", _offer_text(partner, counter, code, "USA"))
    talks.partner_offer = counter
    partner_can_sign = counter.partner_utility >= partner.win_set
    if partner_can_sign and not talks.below_floor(counter) and us.strategy.accepts(us_view, counter.us_utility, us_target, near):
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

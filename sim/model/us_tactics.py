"""The US's tactics: whom to give attention, threats when talks stall, and what to do when the
deadline comes (extend with letters, impose letter rates, or shorten it on a whim)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sim.model.events import EventKind
from sim.model.talks import Status

if TYPE_CHECKING:
    from sim.model.agents import PartnerAgent
    from sim.model.model import TariffModel

ATTENTION_NOISE = 0.1  # spread of the daily jitter in how the US ranks partners (utility units)
STALENESS = 0.02  # priority a table gains per day without a meeting (Akazawa came seven times)


def choose_attention(model: TariffModel, candidates: list[PartnerAgent]) -> list[PartnerAgent]:
    """The partners the US negotiates with today: those with the most serious offers.

    Seriousness is the US's utility of the partner's latest offer over its reservation value;
    a table that has waited gains priority each day and a little daily jitter breaks ties, so no
    table is starved for ever.
    """
    slots = model.us.settings.attention
    if len(candidates) <= slots:
        return candidates
    jitter = model.rng.random(len(candidates))
    scores = []
    for partner, noise in zip(candidates, jitter):
        offer = partner.talks.partner_offer
        serious = offer.us_utility - partner.us_reservation if offer is not None else 0.0
        waited = model.day - partner.talks.last_met
        scores.append((serious + STALENESS * waited + ATTENTION_NOISE * noise, partner.unique_id, partner))
    scores.sort(key=lambda s: (-s[0], s[1]))
    return [s[2] for s in scores[:slots]]


def threaten_stalled(model: TariffModel, day: int) -> None:
    """Raise the threatened rate on partners whose offers have not moved towards the US lately."""
    threats = model.us.settings.threats
    jump = model.scenario.environment.market_stress.threat
    for partner in model.partners:
        talks = partner.talks
        if talks.status is not Status.TALKING or talks.partner_offer is None:
            continue
        stalled = day - talks.best_gap_day >= threats.stall_days
        if stalled and day - talks.last_threat_day >= threats.cooldown_days and talks.threatened < threats.max_rate:
            rate = talks.threaten(threats.step, threats.max_rate)
            talks.last_threat_day = talks.best_gap_day = day
            partner.spend_capital(partner.settings.politics.threat_cost)
            model.world.shock(jump)
            model.log.add(day, EventKind.THREAT, "USA", partner.code,
                          f"talks stalled: the US threatens {partner.code} with {rate:.0f}% without a deal")


def deadline_tactics(model: TariffModel, day: int) -> None:
    """At the deadline: extend it (sending letters) or impose letter rates; before it, maybe shorten."""
    policy = model.us.settings.deadline_policy
    if day < model.deadline_day:
        if policy.shorten_probability > 0 and model.rng.random() < policy.shorten_probability:
            new_day = max(day + 7, model.deadline_day - policy.shorten_days)
            if new_day < model.deadline_day:
                model.deadline_day = new_day
                model.log.add(day, EventKind.SHORTENING, "USA", "ALL",
                              f"the US brings the deadline forward to {model.date_of(new_day)}")
        return
    if day != model.deadline_day:
        return
    open_partners = [p for p in model.partners if p.open and p.talks.status is not Status.LETTER]
    model.log.add(day, EventKind.DEADLINE, "USA", "ALL",
                  f"deadline reached with {len(open_partners)} partner(s) without a deal")
    if not open_partners:
        return
    if model.extensions < policy.max_extensions and _worth_extending(model, open_partners):
        _extend(model, open_partners, day)
    else:
        _impose(model, open_partners, day)


def _worth_extending(model: TariffModel, open_partners: list[PartnerAgent]) -> bool:
    policy = model.us.settings.deadline_policy
    if model.world.stress >= policy.extend_stress:
        return True
    for partner in open_partners:
        talks = partner.talks
        if talks.partner_offer is not None and talks.us_target - talks.partner_offer.us_utility <= policy.extend_close_gap:
            return True
    return False


def _extend(model: TariffModel, open_partners: list[PartnerAgent], day: int) -> None:
    policy = model.us.settings.deadline_policy
    model.extensions += 1
    model.deadline_day = min(model.last_day, day + policy.extension_days)
    model.log.add(day, EventKind.EXTENSION, "USA", "ALL",
                  f"deadline extended to {model.date_of(model.deadline_day)}; letters go out")
    for partner in open_partners:
        rate = partner.talks.send_letter()
        model.log.add(day, EventKind.LETTER, "USA", partner.code,
                      f"letter to {partner.code}: {rate:.0f}% from {model.date_of(model.deadline_day)} without a deal")
    model.world.shock(model.scenario.environment.market_stress.letter * len(open_partners))


def _impose(model: TariffModel, open_partners: list[PartnerAgent], day: int) -> None:
    for partner in open_partners:
        partner.talks.letter_sent = True
        rate = partner.talks.impose_letter()
        model.log.add(day, EventKind.LETTER_RATES_IMPOSED, "USA", partner.code,
                      f"{rate:.0f}% on {partner.code}'s goods from {model.date_of(day)}")
        retaliate(model, partner, day, "letter rate")
    model.world.shock(model.scenario.environment.market_stress.letters_imposed)


def retaliate(model: TariffModel, partner: PartnerAgent, day: int, cause: str) -> None:
    """The partner may answer US escalation with countermeasures (the EU, Canada)."""
    settings = partner.settings.retaliation
    if settings.probability <= 0 or model.rng.random() >= settings.probability:
        return
    partner.reservation_shift += settings.gain
    partner.us_penalty += settings.us_cost
    model.world.shock(model.scenario.environment.market_stress.retaliation)
    model.log.add(day, EventKind.RETALIATION, partner.code, "USA", f"{partner.code} retaliates against the {cause}")


def date_of(start: dt.date, day: int) -> dt.date:
    """Calendar date of day index ``day``."""
    return start + dt.timedelta(days=day)

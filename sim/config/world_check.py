"""Checks that need the negotiation core: each side's aspiration must exceed its reservation."""

from __future__ import annotations

from sim.config.scenario import Scenario


def reservation_problems(scenario: Scenario, path: str = "scenario") -> list[str]:
    """Messages for every side whose reservation value on the first day is not below its
    aspiration (it would want nothing a deal can give)."""
    from sim.model.talks import Talks  # the model layer, imported late: config sits above it

    problems = []
    us = scenario.us
    for code, partner in scenario.partners.items():
        talks = Talks(partner, us.floors)
        us_no_deal, partner_no_deal = talks.no_deal_values(0.0)
        partner_reservation = partner_no_deal + partner.reservation_shift
        if partner_reservation >= partner.aspiration:
            problems.append(
                f"{path}.partners.{code}.aspiration={partner.aspiration!r}: must be above the partner's "
                f"reservation value on the first day ({partner_reservation:.3f}, the utility of no deal "
                f"plus reservation_shift)")
        us_reservation = us_no_deal - us.deal_value
        if us_reservation >= us.aspiration:
            problems.append(
                f"{path}.us.aspiration={us.aspiration!r}: must be above the US reservation value with "
                f"{code} on the first day ({us_reservation:.3f}, the utility of no deal less deal_value)")
    return problems

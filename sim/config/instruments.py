"""Tariff instruments of a partner, declared per partner in its YAML: the partner's own tariff on
US goods (a counter-tariff), a level that moves over time.

A partner without ``counter_tariff`` (the default) has no such instrument: the model neither
draws nor logs anything for it, so scenarios that declare none run exactly as before.

The level moves three ways (``sim.model.counter_tariffs``): dated rounds from the record
(``partner_rate_change`` events), answers to US rate increases (``response`` points per point the
US raises its lines in force: tit for tat), and a deal, which removes the same share of the
counter-tariff above ``floor`` as it removes of the US's tariff above the lowest rate its issue
allows.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ValidationInfo, field_validator
from pydantic.dataclasses import dataclass as settings

from sim.config.fields import SETTINGS, TARIFF, doc, number, refuse

Tariff = Annotated[float, number(0, 100, allowed=TARIFF)]
# Event kinds that act on a partner's instrument; their targets must declare one.
INSTRUMENT_EVENT_KINDS = ("partner_rate_change",)


@settings(config=SETTINGS)
class CounterTariff:
    """The partner's (trade-weighted average) tariff on US goods, in percent.

    Attributes:
        initial: The rate in force on the scenario's first day.
        floor: The rate before the dispute: no deal lowers it further, nothing costs the US below it.
        max_rate: The highest rate the partner can reach (its imports from the US are limited).
        response: Points of counter-tariff per point the US raises its tariff lines in force on
            the partner (0: it moves only with dated rounds and deals).
        us_cost: US utility lost per 10 points of counter-tariff above ``floor`` while there is
            no deal (what the counter-tariff does to US exporters); it lowers the US's reservation value.
    """

    initial: Annotated[Tariff, doc("the rate in force on the first day (%), within floor and max_rate")]
    floor: Annotated[Tariff, doc("the rate before the dispute (%): a deal lowers it no further")]
    max_rate: Annotated[Tariff, doc("the highest rate it can reach (%)")]
    us_cost: Annotated[float, number(0, 1), doc("US utility lost per 10 points above the floor while there is no deal")]
    response: Annotated[float, number(0, 10),
                        doc("points of counter-tariff per point the US raises its lines in force (0: none)")] = 0.0

    @field_validator("max_rate")
    @classmethod
    def _ordered(cls, max_rate: float, info: ValidationInfo) -> float:
        floor, initial = info.data.get("floor"), info.data.get("initial")
        if floor is not None and max_rate < floor:
            raise refuse([("max_rate", max_rate, f"must be at least {{here}}.floor={floor:g}")])
        if floor is not None and initial is not None and not floor <= initial <= max_rate:
            raise refuse([("initial", initial, f"must lie within {{here}}.floor={floor:g} and "
                           f"{{here}}.max_rate={max_rate:g}")])
        return max_rate


def instrument_problems(events: list[tuple[str, str, tuple[str, ...]]],
                        instruments: dict[str, CounterTariff | None]) -> list[tuple[str, tuple[str, ...], str]]:
    """Events that act on an instrument their targets do not declare.

    Args:
        events: ``(key, kind, targets)`` of each event (``key`` its dotted path).
        instruments: Each declared partner's counter-tariff (None where it declares none).

    Returns:
        ``(key, targets, allowed)`` for each bad event.
    """
    with_one = [code for code, c in instruments.items() if c is not None]
    out = []
    for key, kind, targets in events:
        if kind not in INSTRUMENT_EVENT_KINDS:
            continue
        codes = list(instruments) if "ALL" in targets else list(targets)
        lacking = [code for code in codes if instruments.get(code) is None]
        if lacking:
            out.append((key, targets, f"a {kind} event may target only partners that declare a counter_tariff "
                                      f"({', '.join(with_one) or 'none does'}); {', '.join(lacking)} declares none"))
    return out

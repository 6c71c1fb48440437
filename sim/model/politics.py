"""Domestic politics of a partner (Putnam's two-level game): red lines, elections, political
capital and ratification of a tentative deal at home.

References:
    Putnam, R. D. (1988). Diplomacy and domestic politics: the logic of two-level games.
    International Organization 42(3), 427-460.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from sim.config.scenario import Partner, Politics
from sim.core.issues import IssueSpace


@dataclass(frozen=True, slots=True)
class BindingLine:
    """A red line as day indices: the partner accepts nothing above ``cap`` (normalised)."""

    issue: int
    cap: float
    first_day: int
    last_day: int


def binding_lines(partner: Partner, space: IssueSpace, start: dt.date) -> tuple[BindingLine, ...]:
    """The partner's red lines with dates turned into day indices (open ends become ±infinity)."""
    lines = []
    for line in partner.red_lines:
        first = (line.start - start).days if line.start else -10**9
        last = (line.until - start).days - 1 if line.until else 10**9
        lines.append(BindingLine(space.index(line.issue), space.normalise(line.issue, line.max), first, last))
    return tuple(lines)


def caps_on(lines: tuple[BindingLine, ...], day: int) -> dict[int, float]:
    """The normalised caps binding on ``day`` (the tightest per issue)."""
    caps: dict[int, float] = {}
    for line in lines:
        if line.first_day <= day <= line.last_day:
            caps[line.issue] = min(line.cap, caps.get(line.issue, 1.0))
    return caps


def ratification_threshold(politics: Politics, capital: float, days_to_election: int | None,
                           salience: float = 1.0, pressure: float = 0.0) -> float:
    """The margin over the reservation value a deal needs to pass at home today.

    Weak governments need more; so does any government in the run-up to an election, the more
    so the nearer the vote: ``weight x (salience + audience_cost x pressure) x (1 - days to the
    vote / window)``, where ``salience`` is this run's draw of how much a deal would cost at the
    polls (1: as configured) and ``pressure`` how far the US has pushed the rate it names for no
    deal above the rate it announced, in tens of points: a deal struck under open threats looks
    like capitulation to the voters (audience costs). After the vote both go with the term.
    """
    threshold = politics.threshold + politics.capital_weight * (1.0 - capital)
    election = politics.election
    if election is not None and days_to_election is not None and 0 <= days_to_election <= election.window_days:
        stakes = election.weight * (salience + election.audience_cost * pressure)
        threshold += stakes * (1.0 - days_to_election / election.window_days)
    return threshold


def ratifies(margin: float, threshold: float, noise: float, rng: np.random.Generator) -> bool:
    """Whether a deal with ``margin`` over the reservation value passes at home.

    With ``noise`` > 0 the chance is logistic in ``margin - threshold``; with 0 it is a sharp cut.
    """
    if noise <= 0.0:
        return margin >= threshold
    z = (margin - threshold) / noise
    chance = 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
    return bool(rng.random() < chance)

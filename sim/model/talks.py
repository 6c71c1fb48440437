"""The state of one US–partner negotiation: its issues, the packages on the table, the tariffs
in force and what no deal would mean for each side."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from sim.config.scenario import Partner
from sim.core.frontier import Frontier, Offer, Side, frontier
from sim.core.issues import IssueSpace
from sim.core.values import package_value, shape, us_curvature

_PARTNER = Side.PARTNER  # Enum member look-ups are slow on Python 3.11 (~0.1 us each)
_NAN = float("nan")


class Status(str, Enum):
    """Where a pair stands; the ``value`` is what ``timeseries.parquet`` stores."""

    TALKING = "talking"
    SUSPENDED = "suspended"
    ANNOUNCED = "announced"  # a deal is ratified; its tariff lines are not yet in force
    DEAL = "deal"  # the deal's tariff lines are in force
    LETTER = "letter"


class Talks:
    """One US–partner negotiation.

    Args:
        partner: The partner's settings.
        us_floors: The lowest real value the US will offer on each issue it names (e.g. the 10%
            baseline on the headline line).
    """

    def __init__(self, partner: Partner, us_floors: dict[str, float], us_aspiration: float = 1.0) -> None:
        names = tuple(partner.issues)
        self.space = IssueSpace(names, tuple(s.lo for s in partner.issues.values()),
                                tuple(s.hi for s in partner.issues.values()))
        self.us_weights = tuple(s.us_weight for s in partner.issues.values())
        self.partner_weights = tuple(s.partner_weight for s in partner.issues.values())
        # Concave issues: the partner's curvature as configured, the US's grounded in the pair's
        # trade (``sim.core.values.us_curvature``).
        self.partner_curvature = tuple(s.curvature for s in partner.issues.values())
        self.us_curvature = tuple(us_curvature(s.us_curvature, s.us_line, partner.imports_bn, partner.deficit_bn)
                                  for s in partner.issues.values())
        self.units = tuple(s.unit for s in partner.issues.values())
        # The scenario's US tariff lines, the headline first, and where each sits in this pair's
        # packages (-1: not on this table).
        self.headline = partner.headline
        self.line_index = {name: (names.index(name) if name in names else -1) for name in partner.lines}
        self.floors = {names.index(k): self.space.normalise(k, v) for k, v in us_floors.items() if k in names}
        self._floor_items = tuple(self.floors.items())
        self.given = [0.0] * len(names)  # normalised value already conceded unilaterally
        self.caps: dict[int, float] = {}  # binding partner red lines, normalised
        self.learned_caps: dict[int, float] = {}  # red lines the US has run into (its offers respect them)
        self.floors_known = False  # whether the partner has learned the US floors (it asks no less)
        self.in_force: dict[str, float | None] = {}  # each US line's rate on the partner's goods (None: none applies)
        self._put_in_force(dict(partner.lines))
        self.threatened = partner.announced_rate
        self.escalations = 0.0  # percentage points by which the US raised tariffs on this partner outside the talks
        self.letter_rate = partner.letter_rate
        self.letter_sent = False
        self.status = Status.TALKING
        self.us_offer: Offer | None = None
        self.us_logged = self.partner_logged = -1.0  # each side's target when its last offer was logged
        self.partner_offer: Offer | None = None
        self.deal: Offer | None = None
        self.deal_day: int | None = None
        self.effective_day: int | None = None  # the day the deal's tariff lines enter into force
        self.best_gap = 2.0
        self.best_gap_day = 0
        self.last_threat_day = -10**6
        self.last_met = 0
        self.meetings = 0  # days on which the two sides met (the share of days met is in each side's View)
        self._aspirations = (us_aspiration, partner.aspiration)
        # The US's utility of its ideal package, every issue at its top: what it hopes for however
        # many red lines it runs into.
        self._us_ideal = package_value(self.us_weights, self.us_curvature, (1.0,) * len(names))
        self.us_aspiration = self.partner_aspiration = 1.0
        self.us_target = 1.0
        self.partner_target = 1.0
        nan = float("nan")
        # Where each US line sits in a package and its real bounds (lo, hi - lo), for the day's record
        # (-1: the line is not on this table).
        space = self.space
        self._line_bounds = tuple((i, space.lo[i], space.hi[i] - space.lo[i]) if i >= 0 else (-1, nan, nan)
                                  for i in self.line_index.values())
        self.table_record: tuple[float, ...] = (nan, nan, nan, nan, *(nan for _ in self._line_bounds), 1.0, 1.0)
        # Each side's utility of the other's (latest, previous, best) offer, for its view.
        self.us_received = (nan, nan, 0.0)
        self.partner_received = (nan, nan, 0.0)
        self._locked: dict[tuple[Side, frozenset[str]], Frontier] = {}
        self.us_frontier: Frontier
        self.partner_frontier: Frontier
        self._no_deal: tuple[float, float, float, float] | None = None
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute both frontiers after a red line, floor or unilateral concession changes."""
        self._no_deal = None
        self._locked = {}
        n = len(self.space)
        us_lo = tuple(max(self.given[i], self.floors.get(i, 0.0)) for i in range(n))
        us_hi = tuple(max(us_lo[i], self.learned_caps.get(i, 1.0)) for i in range(n))
        self.us_frontier = self._frontier(us_lo, us_hi, Side.US)
        p_hi = tuple(max(self.given[i], min(1.0, self.caps.get(i, 1.0))) for i in range(n))
        # Once the US has refused a counter below its floors (the 10% baseline it kept even for
        # the UK), the partner asks no less, unless one of its own red lines says otherwise.
        p_lo = tuple(min(p_hi[i], us_lo[i]) for i in range(n)) if self.floors_known else tuple(self.given)
        self.partner_frontier = self._frontier(p_lo, p_hi, Side.PARTNER)
        # What each side hopes for: its configured aspiration, at most its best feasible package.
        # A red line the US has run into does not lower its hopes: it asks more elsewhere until
        # its clock brings its target under what the line leaves (a red line costs time).
        self.us_aspiration = min(self._aspirations[0], self._us_ideal)
        self.partner_aspiration = min(self._aspirations[1], self.partner_frontier.best)

    def frontier(self, side: Side, locked: frozenset[str]) -> Frontier:
        """``side``'s frontier, with the ``locked`` issues held at that side's own ideal."""
        if not locked:
            return self.partner_frontier if side is _PARTNER else self.us_frontier
        key = (side, locked)
        found = self._locked.get(key)
        if found is None:
            base = self.us_frontier if side is Side.US else self.partner_frontier
            indices = frozenset(self.space.names.index(n) for n in locked if n in self.space.names)
            ideal = base.start
            lo = tuple(ideal[i] if i in indices else min(base.start[i], base.end[i]) for i in range(len(ideal)))
            hi = tuple(ideal[i] if i in indices else max(base.start[i], base.end[i]) for i in range(len(ideal)))
            found = self._locked[key] = self._frontier(lo, hi, side) if indices else base
        return found

    def _frontier(self, lo: tuple[float, ...], hi: tuple[float, ...], side: Side) -> Frontier:
        return frontier(self.us_weights, self.partner_weights, lo, hi, side, self.us_curvature, self.partner_curvature)

    def moves_locked(self, offer: Offer, side: Side, locked: frozenset[str]) -> bool:
        """Whether ``offer`` moves any of ``side``'s ``locked`` issues away from its ideal."""
        ideal = (self.us_frontier if side is Side.US else self.partner_frontier).start
        for name in locked:
            if name in self.space.names:
                i = self.space.names.index(name)
                if abs(offer.y(i) - ideal[i]) > 1e-9:
                    return True
        return False

    def set_us_offer(self, offer: Offer) -> None:
        """The US puts ``offer`` on the table."""
        self.us_offer = offer
        last, _, best = self.partner_received
        self.partner_received = (offer.partner_utility, last, max(best, offer.partner_utility))

    def set_partner_offer(self, offer: Offer) -> None:
        """The partner puts ``offer`` on the table."""
        self.partner_offer = offer
        last, _, best = self.us_received
        self.us_received = (offer.us_utility, last, max(best, offer.us_utility))

    def record_round(self) -> None:
        """Keep what the day's record shows of the offers on the table (after each round)."""
        us, partner = self.us_offer, self.partner_offer
        nan = float("nan")
        if us is None:  # the US accepted the partner's opening offer at their first meeting
            self.table_record = (nan, nan, partner.us_utility, partner.partner_utility,
                                 *(nan for _ in self._line_bounds), self.us_target, self.partner_target)
            return
        # The US offer's real value of each US line: ``IssueSpace.real`` of ``Offer.y`` written out
        # (the record is kept after every round), NaN for a line not on this table.
        vertices, f = us.frontier.vertices, us.fraction
        a = vertices[us.segment]
        if f == 0.0:  # at a vertex (most offers)
            lines = [lo + a[i] * span if i >= 0 else nan for i, lo, span in self._line_bounds]
        else:
            b = vertices[us.segment + 1]
            lines = [lo + (a[i] + f * (b[i] - a[i])) * span if i >= 0 else nan for i, lo, span in self._line_bounds]
        self.table_record = (
            us.us_utility, us.partner_utility,
            partner.us_utility if partner else nan, partner.partner_utility if partner else nan,
            *lines, self.us_target, self.partner_target,
        )

    def set_caps(self, caps: dict[int, float]) -> None:
        """Set the partner's binding red lines (normalised caps by issue index); a line that
        lapses or moves is announced, so what the US had learned of it goes."""
        if caps != self.caps:
            self.caps = caps
            self.learned_caps = {i: c for i, c in self.learned_caps.items() if caps.get(i) == c}
            self.rebuild()

    def learn_floors(self) -> None:
        """The US refused a counter below its floors: the partner's later counters respect them."""
        if not self.floors_known:
            self.floors_known = True
            self.rebuild()

    def learn_red_line(self, issue: int) -> None:
        """The partner refused a US package over its red line on ``issue``: the US respects it
        from now on (while it binds)."""
        if issue in self.caps and self.learned_caps.get(issue) != self.caps[issue]:
            self.learned_caps[issue] = self.caps[issue]
            self.rebuild()

    def give(self, issue: str, value: float) -> None:
        """The partner concedes ``issue`` up to the real ``value`` unilaterally (Canada drops its DST)."""
        i = self.space.index(issue)
        self.given[i] = max(self.given[i], self.space.normalise(issue, value))
        self.rebuild()

    def crosses_red_line(self, offer: Offer) -> int:
        """Index of an issue on which ``offer`` crosses a binding red line, or -1."""
        for i, cap in self.caps.items():
            if offer.y(i) > cap + 1e-9:
                return i
        return -1

    def below_floor(self, offer: Offer) -> bool:
        """Whether ``offer`` puts an issue under the US floor."""
        for i, floor in self._floor_items:
            if offer.y(i) < floor - 1e-9:
                return True
        return False

    def no_deal_values(self, court_risk: float) -> tuple[float, float]:
        """Each side's utility of no deal: the threatened or letter rate (discounted by the
        chance the court strikes it down), sector lines as they are, no concessions beyond those
        already given. Linear in ``court_risk``, so cached as intercept and slope.

        Returns:
            ``(us_value, partner_value)``.
        """
        if self._no_deal is None:
            self._no_deal = self._no_deal_line()
        us0, us1, p0, p1 = self._no_deal
        return us0 + us1 * court_risk, p0 + p1 * court_risk

    def _no_deal_line(self) -> tuple[float, float, float, float]:
        us = partner = us_slope = partner_slope = 0.0
        space, headline, in_force = self.space, self.headline, self.in_force
        for i, name in enumerate(space.names):
            if name == headline:
                y = space.normalise(name, self.no_deal_rate())
            elif in_force.get(name) is not None:  # a sector line as it is
                y = space.normalise(name, in_force[name])
            else:
                y = self.given[i]
            us_value = self.us_weights[i] * shape(y, self.us_curvature[i])
            partner_value = self.partner_weights[i] * shape(1.0 - y, self.partner_curvature[i])
            if name == headline:
                # A court strike takes the rate to 0: the US loses its value, the partner gains the rest.
                us_slope, partner_slope = -us_value, self.partner_weights[i] - partner_value
            us += us_value
            partner += partner_value
        return us, us_slope, partner, partner_slope

    def threaten(self, step: float, max_rate: float) -> float:
        """Raise the threatened rate by ``step`` points (at most ``max_rate``); returns the new rate."""
        before = self.threatened
        self.threatened = min(max_rate, max(self.threatened, self.threatened + step))
        # A threat is an escalation too, by the points it adds: bullying makes concessions harder
        # to sell at home (Froman, WSJ), so the partner's hesitancy grows (PartnerAgent.hesitancy).
        self.escalations += self.threatened - before
        self._no_deal = None
        return self.threatened

    def send_letter(self) -> float:
        """The US names the rate that applies without a deal; returns it."""
        self.letter_sent = True
        self._no_deal = None
        return self.no_deal_rate()

    def impose_letter(self) -> float:
        """The no-deal rate enters into force; returns it."""
        rate = self.no_deal_rate()
        self.escalations += max(0.0, rate - self.in_force[self.headline])
        if self.status is not Status.SUSPENDED:  # talks the US cut stay cut: the rate applies, nobody talks
            self.status = Status.LETTER
        self._put_in_force({self.headline: rate})
        return rate

    def set_line(self, name: str, rate: float) -> None:
        """A US tariff line on the partner changes outside the talks (steel doubled)."""
        self.escalations += max(0.0, rate - (self.in_force[name] or 0.0))
        if name == self.headline:  # no deal now means at least the rate in force
            self.threatened = max(self.threatened, rate)
        self._put_in_force({name: rate})

    def conclude(self, offer: Offer, day: int, lag: int = 0) -> None:
        """A ratified deal is announced on ``day``; its tariff lines enter into force ``lag`` days
        later (``enter_into_force``), the lines in force until then stay."""
        self.deal, self.deal_day, self.status = offer, day, Status.ANNOUNCED
        self.effective_day = day + lag

    def enter_into_force(self) -> None:
        """The announced deal's tariff lines replace those in force."""
        offer, self.status = self.deal, Status.DEAL
        self._put_in_force({name: self.space.real(i, offer.y(i)) for name, i in self.line_index.items() if i >= 0})

    def _put_in_force(self, rates: dict[str, float]) -> None:
        """The only way lines in force change: ``in_force`` and the record the day's row shows of
        it (NaN where a line does not apply) change together, a few times a run, not every day."""
        self.in_force.update(rates)
        self.in_force_record = tuple([_NAN if rate is None else rate for rate in self.in_force.values()])
        self._no_deal = None

    def no_deal_rate(self) -> float:
        """The headline rate that applies if no deal is made."""
        if self.status is Status.LETTER:
            return self.in_force[self.headline]
        return max(self.threatened, self.letter_rate) if self.letter_sent else self.threatened

    def agreed(self) -> dict[str, float]:
        """The deal's real value of every issue of the pair (empty without a deal)."""
        if self.deal is None:
            return {}
        return {name: self.space.real(i, self.deal.y(i)) for i, name in enumerate(self.space.names)}

    def describe(self, offer: Offer) -> str:
        """A package in words, real units, for the transcript."""
        parts = []
        for i, name in enumerate(self.space.names):
            value, unit = self.space.real(i, offer.y(i)), self.units[i]
            parts.append(f"{name} {value:.1f}%" if unit == "%" else f"{name} {value:.0f}{unit}")
        return ", ".join(parts)


def day_of(start: dt.date, date: dt.date | None) -> int | None:
    """Days from ``start`` to ``date`` (None stays None)."""
    return None if date is None else (date - start).days

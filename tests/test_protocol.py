"""Known answers of the bargaining protocol (``sim.model.protocol``): one day's round at one
table, with the strategies and the draws replaced by fixed ones so that each rule of the
protocol shows on its own: who meets and who opens, what each side may accept, what a refusal
teaches, what a settlement does to the pair, the others and the markets, and what is logged."""

from __future__ import annotations

import dataclasses
import math

import pytest

from sim.config.scenario import OutsideEvent
from sim.core.frontier import Side
from sim.model.outside import apply_outside_event
from sim.model.protocol import OFFER_LOG_STEP, US_OPENS, bargaining_round, deal_spillovers
from sim.model.events import EventKind
from sim.model.model import TariffModel
from sim.model.talks import Status

NONE = frozenset()


class _Fixed:
    """A strategy with a fixed target, a fixed answer and fixed locked issues."""

    def __init__(self, target: float = 1.0, accepts: bool = False, locked: frozenset[str] = NONE) -> None:
        self.value, self.answer, self.locked = target, accepts, locked

    def target(self, view, rng) -> float:
        return self.value

    def accepts(self, view, value, target) -> bool:
        return self.answer

    def locked_issues(self, view) -> frozenset[str]:
        return self.locked


class _Draws:
    """Uniform draws from a fixed list (the last one repeats), no trembles; counts the draws."""

    def __init__(self, *uniforms: float) -> None:
        self.uniforms, self.taken = list(uniforms), 0

    def uniform(self) -> float:
        self.taken += 1
        return self.uniforms.pop(0) if len(self.uniforms) > 1 else self.uniforms[0]

    def normal(self) -> float:
        return 0.0


US_FIRST, PARTNER_FIRST = 0.0, 0.99   # the opener's coin (meeting_chance 1: no meeting draw)


def _table(baseline, code: str = "CAN", opener: float = US_FIRST, us: _Fixed | None = None,
           mine: _Fixed | None = None, caps: dict[int, float] | None = None):
    """A model on day 0 with ``code``'s table set up: reservations 0 unless a test sets them,
    fixed strategies and the opener's coin fixed."""
    model = TariffModel(baseline.scenario, seed=1)
    model._clock(0)
    model._domestic_politics(0)
    partner = next(p for p in model.partners if p.code == code)
    partner.us_reservation = partner.win_set = partner.partner_reservation = 0.0
    partner.draws = _Draws(opener)
    model.us.settings = dataclasses.replace(model.us.settings, target_noise=0.0)   # no trembles
    partner.settings = dataclasses.replace(partner.settings, target_noise=0.0)
    model.us.strategy = us or _Fixed(1.0)
    partner.strategy = mine or _Fixed(1.0)
    if caps is not None:
        partner.talks.set_caps(caps)
    return model, partner


def _round(model, partner, day: int) -> bool:
    """One day's round at ``partner``'s table as ``TariffModel.step`` plays it: the protocol's
    functions with the model's pieces; a deal's spillovers when the round ends in one."""
    deal = bargaining_round(partner, model.us, model.rng, model.log, day)
    if deal:
        deal_spillovers(partner, model.partners, model.world, model.log, day)
    return deal


def _events(model, kind: EventKind) -> list[tuple]:
    return model.log.of_kind(kind)


def _text(row) -> str:
    detail = row[4]
    return detail() if callable(detail) else detail


# --- who meets, who opens --------------------------------------------------------------------------

def test_a_partner_whose_meeting_chance_is_0_never_meets_even_on_a_draw_of_0(baseline):
    model, partner = _table(baseline)
    partner.settings = dataclasses.replace(partner.settings, meeting_chance=0.0)
    partner.talks.last_met = -7
    for day in range(5):
        _round(model, partner, day)
    assert partner.talks.last_met == -7
    assert model.log.rows == [] and partner.talks.us_offer is None and partner.talks.partner_offer is None


def test_a_partner_meets_when_the_draw_is_below_its_meeting_chance_and_not_at_it(baseline):
    model, partner = _table(baseline)
    partner.settings = dataclasses.replace(partner.settings, meeting_chance=0.5)
    partner.draws = _Draws(0.5, US_FIRST)
    _round(model, partner, 3)
    assert partner.talks.last_met == 0 and model.log.rows == []
    partner.draws = _Draws(0.49, US_FIRST)
    _round(model, partner, 4)
    assert partner.talks.last_met == 4 and _events(model, EventKind.OFFER)


def test_a_partner_whose_meeting_chance_is_1_meets_every_call_and_draws_only_the_openers_coin(baseline):
    model, partner = _table(baseline)
    for day in range(1, 6):
        draws = partner.draws = _Draws(US_FIRST)
        _round(model, partner, day)
        assert partner.talks.last_met == day and draws.taken == 1



def test_each_side_sees_the_share_of_days_its_table_met_and_an_absent_delegation_does_not_count(baseline):
    model, partner = _table(baseline)
    for day in (0, 2):           # the US's attention went elsewhere on day 1
        _round(model, partner, day)
    partner.settings = dataclasses.replace(partner.settings, meeting_chance=0.5)
    partner.draws = _Draws(0.5, US_FIRST)
    _round(model, partner, 3)    # called, but the delegation is not in town
    model.day = 3
    assert partner.talks.meetings == 2
    assert partner.us_view().met_share == partner.partner_view().met_share == 0.5   # 2 of days 0-3

def test_the_us_opens_below_US_OPENS_on_the_coin_and_the_partner_at_it(baseline):
    model, partner = _table(baseline, opener=US_OPENS - 1e-9)
    _round(model, partner, 1)
    assert _events(model, EventKind.OFFER)[0][2] == "USA"
    model, partner = _table(baseline, opener=US_OPENS)
    _round(model, partner, 1)
    assert _events(model, EventKind.OFFER)[0][2] == "CAN"


def test_the_us_opens_about_half_of_the_meetings_of_a_seeded_model(baseline):
    model, partner = _table(baseline)
    openers = []
    for day in range(400):
        partner.draws = _Draws(float(model.rng.random()))   # the seeded run's coin
        partner.talks.us_logged = partner.talks.partner_logged = -1.0   # log every offer
        before = len(model.log.rows)
        _round(model, partner, day)
        openers.append(model.log.rows[before][2])
    share = openers.count("USA") / len(openers)
    assert US_OPENS - 0.07 < share < US_OPENS + 0.07   # 400 coins: sd 0.025
    assert openers.count("USA") + openers.count("CAN") == 400


def test_each_side_answers_the_other_once_a_day_in_the_order_of_the_opener(baseline):
    model, partner = _table(baseline, opener=US_FIRST)
    _round(model, partner, 1)
    assert [r[2] for r in _events(model, EventKind.OFFER)] == ["USA", "CAN"]
    model, partner = _table(baseline, opener=PARTNER_FIRST)
    _round(model, partner, 1)
    assert [r[2] for r in _events(model, EventKind.OFFER)] == ["CAN", "USA"]


# --- red lines and floors: what a refusal teaches --------------------------------------------------

def test_a_us_offer_over_a_red_line_is_refused_named_once_and_then_respected(baseline):
    model, partner = _table(baseline, mine=_Fixed(1.0, accepts=True), caps={0: 0.3, 3: 0.1})
    talks = partner.talks
    for day in range(1, 5):
        _round(model, partner, day)
    refusals = [r for r in _events(model, EventKind.REJECTION) if r[2] == "CAN"]
    assert [(r[0], r[3]) for r in refusals] == [(1, "USA"), (2, "USA")]
    assert _text(refusals[0]) == (f"CAN refuses the US package: reciprocal at {talks.space.real(0, 1.0):.1f} "
                                  "crosses its red line")
    assert "farm_access" in _text(refusals[1])
    assert talks.learned_caps == {0: 0.3, 3: 0.1}
    assert talks.crosses_red_line(talks.us_offer) == -1
    assert not [r for r in _events(model, EventKind.ACCEPTANCE) if r[2] == "CAN" and r[0] < 3]


def test_a_partner_never_accepts_a_package_over_its_red_line_whatever_its_strategy_says(baseline):
    model, partner = _table(baseline, us=_Fixed(0.6), mine=_Fixed(1.0, accepts=True), caps={0: 0.1})
    assert partner.talks.crosses_red_line(partner.talks.frontier(Side.US, NONE).at(0.6)) == 0
    _round(model, partner, 1)
    assert not _events(model, EventKind.ACCEPTANCE)
    assert partner.talks.learned_caps == {0: 0.1}


def test_a_counter_below_the_us_floor_is_refused_once_and_later_counters_respect_the_floors(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True), caps={})
    talks = partner.talks
    assert talks.below_floor(talks.frontier(Side.PARTNER, NONE).at(1.0)) and not talks.floors_known
    _round(model, partner, 1)
    assert talks.floors_known
    assert not _events(model, EventKind.ACCEPTANCE)   # the strategy said yes: the floor says no
    for day in range(2, 5):
        _round(model, partner, day)
        assert not talks.below_floor(talks.partner_offer)
    floor = [r for r in _events(model, EventKind.REJECTION) if r[2] == "USA"]
    assert [(r[0], r[3]) for r in floor] == [(1, "CAN")]
    assert _text(floor[0]) == "the US refuses CAN's package: a tariff line below the US floor"



def test_a_counter_refused_above_the_us_floors_teaches_no_floor_and_is_not_called_one(baseline):
    # The partner offers its worst package for itself (every tariff line high): the US refuses
    # it, but not for a floor.
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=False), mine=_Fixed(0.0),
                            caps={})
    talks = partner.talks
    assert not talks.below_floor(talks.frontier(Side.PARTNER, NONE).at(0.0))
    _round(model, partner, 1)
    assert not talks.floors_known
    assert not [r for r in _events(model, EventKind.REJECTION) if r[2] == "USA"]

# --- the engine's acceptance rules -----------------------------------------------------------------

def _us_offer(partner, target: float):
    return partner.talks.frontier(Side.US, NONE).at(target)


def _counter(partner, target: float):
    return partner.talks.frontier(Side.PARTNER, NONE).at(target)


@pytest.mark.parametrize("which", ["us_reservation", "win_set"])
@pytest.mark.parametrize("accepter", ["CAN", "USA"])
def test_a_package_worth_exactly_the_reservation_is_accepted_and_not_one_worth_less(baseline, which, accepter):
    """The partner answering a US offer, or the US answering a counter: both sides' limits bind."""
    for excess, accepted in ((0.0, True), (1e-9, False)):
        if accepter == "CAN":
            model, partner = _table(baseline, us=_Fixed(0.6), mine=_Fixed(1.0, accepts=True), caps={})
            package = _us_offer(partner, 0.6)
        else:
            model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True),
                                    mine=_Fixed(0.6), caps={})
            package = _counter(partner, 0.6)
            assert not partner.talks.below_floor(package)
        worth = package.us_utility if which == "us_reservation" else package.partner_utility
        setattr(partner, which, worth + excess)
        partner.ratify = lambda deal, day: True
        _round(model, partner, 1)
        assert bool(_events(model, EventKind.ACCEPTANCE)) is accepted
        if accepted:
            other = "USA" if accepter == "CAN" else "CAN"
            assert _events(model, EventKind.ACCEPTANCE)[0][2:4] == (accepter, other)


def test_the_us_refuses_a_counter_past_a_red_line_the_partner_crossed_unilaterally(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True), mine=_Fixed(0.6),
                            caps={0: 0.3})
    partner.talks.give("reciprocal", partner.talks.space.real(0, 0.9))
    assert partner.talks.crosses_red_line(_counter(partner, 0.6)) == 0
    _round(model, partner, 1)
    assert not _events(model, EventKind.ACCEPTANCE)


def test_a_locked_issue_moved_away_from_its_ideal_blocks_acceptance_and_one_kept_does_not(baseline):
    for locked, accepted in ((frozenset({"farm_access"}), False), (frozenset({"china_alignment"}), True)):
        model, partner = _table(baseline, us=_Fixed(0.6), mine=_Fixed(1.0, accepts=True, locked=locked), caps={})
        partner.ratify = lambda deal, day: True
        _round(model, partner, 1)
        assert [r[2] for r in _events(model, EventKind.ACCEPTANCE)] == (["CAN"] if accepted else [])
        model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True, locked=locked),
                                mine=_Fixed(0.6), caps={})
        partner.ratify = lambda deal, day: True
        _round(model, partner, 1)
        assert [r[2] for r in _events(model, EventKind.ACCEPTANCE)] == (["USA"] if accepted else [])


def test_a_side_whose_strategy_refuses_does_not_accept(baseline):
    model, partner = _table(baseline, us=_Fixed(0.6), mine=_Fixed(1.0), caps={})
    _round(model, partner, 1)
    model2, partner2 = _table(baseline, opener=PARTNER_FIRST, mine=_Fixed(0.6), caps={})
    _round(model2, partner2, 1)
    assert not _events(model, EventKind.ACCEPTANCE) and not _events(model2, EventKind.ACCEPTANCE)


# --- settling --------------------------------------------------------------------------------------

def _deal_table(baseline, ratified: bool, model_seed_stress: float = 0.6):
    model, partner = _table(baseline, us=_Fixed(0.6), mine=_Fixed(1.0, accepts=True), caps={})
    partner.ratify = lambda deal, day: ratified
    partner.implementation_lag = 0
    model.world.stress = model_seed_stress
    return model, partner


def test_a_ratification_failure_is_logged_and_leaves_the_pair_open(baseline):
    model, partner = _deal_table(baseline, ratified=False)
    others = {p.code: p.reservation_shift for p in model.partners}
    assert _round(model, partner, 5) is False
    kinds = [r[1] for r in model.log.rows if r[1] is not EventKind.OFFER]
    assert kinds == [EventKind.ACCEPTANCE, EventKind.RATIFICATION_FAILURE]
    (failure,) = _events(model, EventKind.RATIFICATION_FAILURE)
    assert failure[:4] == (5, EventKind.RATIFICATION_FAILURE, "CAN", "USA")
    assert _text(failure) == f"the package fails at home in {partner.settings.name}; capital now {partner.capital:.2f}"
    assert partner.open and partner.talks.deal is None and partner.talks.status is Status.TALKING
    assert model.world.stress == 0.6 and {p.code: p.reservation_shift for p in model.partners} == others


def test_a_ratified_deal_is_accepted_announced_and_calms_the_markets(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    offer = _us_offer(partner, 0.6)
    assert _round(model, partner, 5) is True
    kinds = [r[1] for r in model.log.rows if r[1] is not EventKind.OFFER]
    assert kinds == [EventKind.ACCEPTANCE, EventKind.DEAL, EventKind.DEAL_IN_FORCE, EventKind.PRECEDENT]
    (accept,) = _events(model, EventKind.ACCEPTANCE)
    assert accept[:4] == (5, EventKind.ACCEPTANCE, "CAN", "USA")
    assert _text(accept) == f"CAN accepts: US {offer.us_utility:.2f} / CAN {offer.partner_utility:.2f}"
    (deal,) = _events(model, EventKind.DEAL)
    assert deal[:4] == (5, EventKind.DEAL, "USA", "CAN")
    assert _text(deal) == (f"deal → CAN: {partner.talks.describe(offer)} "
                           f"(US {offer.us_utility:.2f} / CAN {offer.partner_utility:.2f})")
    assert partner.talks.deal == offer and partner.talks.deal_day == 5 and not partner.open
    assert partner.talks.status is Status.DEAL   # a lag of 0: in force at once
    assert model.world.stress == pytest.approx(0.6 - baseline.scenario.environment.market_stress.deal)
    assert partner.row[1:3] == (offer.us_utility, offer.partner_utility)   # the record, frozen with the deal


def test_the_round_changes_only_its_table_and_the_log_and_says_whether_a_deal_was_made(baseline):
    """The round itself leaves the world and the other tables alone (``deal_spillovers`` is the
    model's next call); it returns True only for a ratified deal."""
    model, partner = _deal_table(baseline, ratified=True)
    others = {p.code: p.reservation_shift for p in model.partners if p is not partner}
    assert bargaining_round(partner, model.us, model.rng, model.log, 5) is True
    assert not partner.open and model.world.stress == 0.6 and not _events(model, EventKind.PRECEDENT)
    assert {p.code: p.reservation_shift for p in model.partners if p is not partner} == others
    deal_spillovers(partner, model.partners, model.world, model.log, 5)
    assert model.world.stress < 0.6 and _events(model, EventKind.PRECEDENT)
    model, partner = _table(baseline, us=_Fixed(1.0), mine=_Fixed(1.0, accepts=False), caps={})
    assert bargaining_round(partner, model.us, model.rng, model.log, 5) is False   # refused both ways
    partner.settings = dataclasses.replace(partner.settings, meeting_chance=0.0)
    assert bargaining_round(partner, model.us, model.rng, model.log, 6) is False   # no meeting


def test_a_deal_with_an_implementation_lag_is_announced_not_in_force(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    partner.implementation_lag = 7
    _round(model, partner, 5)
    assert partner.talks.status is Status.ANNOUNCED and partner.talks.effective_day == 12
    assert not _events(model, EventKind.DEAL_IN_FORCE)


def test_a_deal_replacing_the_letter_rate_says_so(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    partner.talks.status = Status.LETTER
    _round(model, partner, 5)
    assert _text(_events(model, EventKind.DEAL)[0]).endswith(") (replaces the letter rate)")


def test_market_stress_after_a_deal_is_floored_at_zero(baseline):
    model, partner = _deal_table(baseline, ratified=True, model_seed_stress=0.01)
    _round(model, partner, 5)
    assert model.world.stress == 0.0


def test_a_deal_raises_every_other_open_partners_reservation_by_the_precedent_weight(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    closed = next(p for p in model.partners if p.code == "EU")
    closed.talks.deal = _us_offer(closed, 0.5)
    before = {p.code: p.reservation_shift for p in model.partners}
    weight = baseline.scenario.environment.precedent_weight
    assert weight > 0
    _round(model, partner, 5)
    after = {p.code: p.reservation_shift for p in model.partners}
    assert after == {code: (shift + weight if code not in ("CAN", "EU") else shift) for code, shift in before.items()}
    (precedent,) = _events(model, EventKind.PRECEDENT)
    assert precedent[:4] == (5, EventKind.PRECEDENT, "CAN", "JPN,KOR,VNM")
    assert _text(precedent) == f"the CAN deal raises what JPN, KOR, VNM demand (+{weight:.3f} utility)"


def test_precedents_do_not_add_up_a_partner_cites_the_largest(baseline):
    """A second precedent no larger than the best so far asks nothing more; a larger one raises the
    reservation by the difference only (0.03, then 0.01 and 0.03, then 0.05: +0.05 in all)."""
    model, partner = _deal_table(baseline, ratified=True)
    other = next(p for p in model.partners if p.code == "JPN")
    start = other.reservation_shift
    assert other.cite_precedent(0.03) is True and other.reservation_shift == pytest.approx(start + 0.03)
    assert other.cite_precedent(0.01) is False and other.cite_precedent(0.03) is False
    assert other.reservation_shift == pytest.approx(start + 0.03)
    assert other.cite_precedent(0.05) is True and other.reservation_shift == pytest.approx(start + 0.05)
    assert other.precedent == 0.05


def test_a_deal_logs_no_precedent_when_every_other_partner_cites_a_larger_one(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    weight = baseline.scenario.environment.precedent_weight
    for p in model.partners:
        if p is not partner:
            p.cite_precedent(weight)
    before = {p.code: p.reservation_shift for p in model.partners}
    _round(model, partner, 5)
    assert _events(model, EventKind.DEAL) and not _events(model, EventKind.PRECEDENT)
    assert {p.code: p.reservation_shift for p in model.partners} == before


def test_a_dated_precedent_event_adds_its_amount_on_top_of_the_rounds_precedents(baseline):
    """The UK's deal before the round (a ``precedent`` event) adds its amount whatever the round's
    deals have added; the round's deals then cite only the largest of their own."""
    model, partner = _deal_table(baseline, ratified=True)
    japan = next(p for p in model.partners if p.code == "JPN")
    start = japan.reservation_shift
    japan.cite_precedent(0.01)
    event = OutsideEvent(date=baseline.scenario.start, kind="precedent", targets=("JPN",), amount=0.03, detail="UK")
    apply_outside_event(model.context, model.partners, model.clocks, event, 0)
    assert japan.reservation_shift == pytest.approx(start + 0.04)
    assert japan.cite_precedent(0.01) is False and japan.reservation_shift == pytest.approx(start + 0.04)


def test_without_a_precedent_weight_a_deal_moves_no_other_reservation_and_logs_no_precedent(baseline):
    model, partner = _deal_table(baseline, ratified=True)
    model.world.settings = dataclasses.replace(model.world.settings, precedent_weight=0.0)
    before = {p.code: p.reservation_shift for p in model.partners}
    _round(model, partner, 5)
    assert _events(model, EventKind.DEAL) and not _events(model, EventKind.PRECEDENT)
    assert {p.code: p.reservation_shift for p in model.partners} == before


# --- what is logged and recorded -------------------------------------------------------------------

def test_an_offer_is_logged_when_the_target_moved_by_OFFER_LOG_STEP_and_not_less(baseline):
    us, mine = _Fixed(0.02), _Fixed(0.5)
    model, partner = _table(baseline, us=us, mine=mine, caps={})
    talks = partner.talks
    talks.us_logged, talks.partner_logged = 0.0, 0.52
    assert 0.02 - 0.0 == OFFER_LOG_STEP and abs(0.5 - 0.52) >= OFFER_LOG_STEP
    _round(model, partner, 1)
    logged = [(r[0], r[2]) for r in _events(model, EventKind.OFFER)]
    assert logged == [(1, "USA"), (1, "CAN")] and talks.us_logged == 0.02 and talks.partner_logged == 0.5
    us.value, mine.value = 0.02 + OFFER_LOG_STEP * 0.99, 0.5 - OFFER_LOG_STEP * 0.99
    _round(model, partner, 2)
    assert len(_events(model, EventKind.OFFER)) == 2 and talks.us_logged == 0.02
    us.value, mine.value = 0.2, 0.3
    _round(model, partner, 3)
    assert [(r[0], r[2]) for r in _events(model, EventKind.OFFER)][2:] == [(3, "USA"), (3, "CAN")]
    first, counter = _events(model, EventKind.OFFER)[2:]
    offer, reply = talks.us_offer, talks.partner_offer
    assert first[3] == "CAN" and counter[3] == "USA"
    assert _text(first) == (f"USA → CAN: {talks.describe(offer)} "
                            f"(US {offer.us_utility:.2f} / CAN {offer.partner_utility:.2f})")
    assert _text(counter) == (f"CAN → USA: {talks.describe(reply)} "
                              f"(US {reply.us_utility:.2f} / CAN {reply.partner_utility:.2f})")


def test_a_partner_offer_is_logged_when_its_target_moved_by_exactly_OFFER_LOG_STEP(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, mine=_Fixed(0.02), caps={})
    partner.talks.partner_logged = 0.0
    _round(model, partner, 1)
    assert [r[2] for r in _events(model, EventKind.OFFER)][:1] == ["CAN"] and partner.talks.partner_logged == 0.02


def test_the_round_records_both_sides_utilities_of_both_offers_on_the_table(baseline):
    for opener in (US_FIRST, PARTNER_FIRST):
        model, partner = _table(baseline, opener=opener, us=_Fixed(0.7), mine=_Fixed(0.8), caps={})
        # The floors known beforehand: a counter under them would rebuild the frontiers mid-round
        # (whether it is depends on the partner's values), and this test is about the record.
        partner.talks.learn_floors()
        _round(model, partner, 1)
        us, counter = _us_offer(partner, 0.7), _counter(partner, 0.8)
        assert partner.talks.us_offer == us and partner.talks.partner_offer == counter
        assert partner.talks.table_record[:4] == (us.us_utility, us.partner_utility,
                                                  counter.us_utility, counter.partner_utility)
        assert partner.talks.table_record[-2:] == (0.7, 0.8)
        assert partner.talks.us_target == 0.7 and partner.talks.partner_target == 0.8


def test_the_best_gap_moves_only_when_a_counter_comes_closer_by_more_than_0_01(baseline):
    mine = _Fixed(0.8)
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(0.9), mine=mine, caps={})
    talks = partner.talks
    talks.learn_floors()  # no frontier rebuilt mid-round by a counter under the floors
    _round(model, partner, 1)
    gap = 0.9 - _counter(partner, 0.8).us_utility
    assert (talks.best_gap, talks.best_gap_day) == (gap, 1)
    _round(model, partner, 2)   # the same counter: no closer
    assert talks.best_gap_day == 1
    talks.best_gap = gap + 0.0099   # a counter closer by less than 0.01
    _round(model, partner, 3)
    assert talks.best_gap_day == 1
    talks.best_gap = gap + 0.0101
    _round(model, partner, 4)
    assert (talks.best_gap, talks.best_gap_day) == (gap, 4)


def test_the_best_gap_needs_a_counter_closer_by_strictly_more_than_0_01(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(0.9), mine=_Fixed(0.8), caps={})
    gap = 0.9 - _counter(partner, 0.8).us_utility
    best = gap + 0.01
    while best - 0.01 != gap:   # a best gap exactly 0.01 above today's, in floating point
        best = math.nextafter(best, 1.0 if best - 0.01 < gap else 0.0)
    partner.talks.best_gap, partner.talks.best_gap_day = best, 0
    _round(model, partner, 1)
    assert (partner.talks.best_gap, partner.talks.best_gap_day) == (best, 0)


# --- locked issues and whose view decides ---------------------------------------------------------

def test_a_side_offers_its_locked_issues_at_its_own_ideal(baseline):
    model, partner = _table(baseline, us=_Fixed(0.6, locked=frozenset({"reciprocal"})),
                            mine=_Fixed(0.6, locked=frozenset({"farm_access"})), caps={})
    assert _us_offer(partner, 0.6).y(0) < 0.9 and _counter(partner, 0.6).y(3) > 0.05   # unlocked: moved
    _round(model, partner, 1)
    assert partner.talks.us_offer.y(0) == pytest.approx(1.0)          # the US's ideal reciprocal rate
    assert partner.talks.partner_offer.y(3) == pytest.approx(0.0)     # the partner's ideal: no farm access


def test_the_us_accepts_a_counter_that_keeps_its_locked_issue_at_the_us_ideal(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True, locked=frozenset({"digital"})),
                            mine=_Fixed(0.3), caps={})
    assert _counter(partner, 0.3).y(4) == pytest.approx(1.0)
    partner.ratify = lambda deal, day: True
    _round(model, partner, 1)
    assert [r[2] for r in _events(model, EventKind.ACCEPTANCE)] == ["USA"]


def test_once_the_us_accepts_the_partners_opening_nothing_more_is_offered(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(1.0, accepts=True), mine=_Fixed(0.6), caps={})
    partner.ratify = lambda deal, day: True
    _round(model, partner, 1)
    assert [r[2] for r in _events(model, EventKind.OFFER)] == ["CAN"]
    assert partner.talks.us_offer is None and partner.talks.deal == _counter(partner, 0.6)
    assert math.isnan(partner.talks.table_record[0])


class _Watching(_Fixed):
    """A fixed strategy that keeps the views and generators it is called with."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list = []

    def target(self, view, rng) -> float:
        self.seen.append(("target", view, rng))
        return self.value

    def locked_issues(self, view) -> frozenset[str]:
        self.seen.append(("locked", view, None))
        return self.locked


def test_each_side_decides_from_its_own_view_and_draws_from_the_runs_generator(baseline):
    us, mine = _Watching(0.6), _Watching(0.6)
    model, partner = _table(baseline, us=us, mine=mine, caps={})
    partner.us_reservation, partner.win_set = 0.11, 0.22
    _round(model, partner, 1)
    for strategy, reservation in ((us, 0.11), (mine, 0.22)):
        assert {kind for kind, _, _ in strategy.seen} == {"target", "locked"}
        assert all(view.reservation == reservation for _, view, _ in strategy.seen)
        assert all(rng is model.rng for kind, _, rng in strategy.seen if kind == "target")


# --- who accepts: the return value and the acceptance's actor in every order -----------------------

@pytest.mark.parametrize("opener", [US_FIRST, PARTNER_FIRST], ids=["US opens", "partner opens"])
def test_the_us_accepting_the_partners_package_is_its_acceptance_and_a_deal(baseline, opener):
    """The partner's package at its target 0.6 (above the US floors); the US takes it, whether it
    came as a counter (US opened) or as the opening (partner opened)."""
    model, partner = _table(baseline, opener=opener, us=_Fixed(1.0, accepts=True), mine=_Fixed(0.6, accepts=False), caps={})
    partner.ratify = lambda deal, day: True
    assert bargaining_round(partner, model.us, model.rng, model.log, 1) is True
    (accepted,) = _events(model, EventKind.ACCEPTANCE)
    assert accepted[2:4] == ("USA", "CAN")
    assert partner.talks.deal == partner.talks.partner_offer and partner.talks.deal_day == 1


def test_the_partner_accepting_the_us_offer_after_its_opening_was_refused_is_its_acceptance_and_a_deal(baseline):
    model, partner = _table(baseline, opener=PARTNER_FIRST, us=_Fixed(0.6, accepts=False), mine=_Fixed(0.6, accepts=True),
                            caps={})
    partner.ratify = lambda deal, day: True
    assert bargaining_round(partner, model.us, model.rng, model.log, 1) is True
    (accepted,) = _events(model, EventKind.ACCEPTANCE)
    assert accepted[2:4] == ("CAN", "USA")
    assert partner.talks.deal == partner.talks.us_offer


class _Recording(_Fixed):
    """A fixed strategy that notes the generator each target is drawn with."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[object] = []

    def target(self, view, rng) -> float:
        self.seen.append(rng)
        return self.value


@pytest.mark.parametrize("opener", [US_FIRST, PARTNER_FIRST], ids=["US opens", "partner opens"])
def test_both_sides_draw_their_targets_from_the_runs_generator(baseline, opener):
    """All randomness flows from the run's generator: each side's strategy gets it, in either order."""
    us, mine = _Recording(0.9), _Recording(0.9)
    model, partner = _table(baseline, opener=opener, us=us, mine=mine, caps={})
    bargaining_round(partner, model.us, model.rng, model.log, 1)
    assert us.seen == [model.rng] and mine.seen == [model.rng]

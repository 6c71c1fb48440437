"""Known answers of a partner's domestic politics (``sim.model.politics``): red lines as day
indices, the tightest binding cap, the ratification threshold and the ratification verdict."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from sim.config.scenario import Election, Politics, RedLine
from sim.core.issues import IssueSpace
from sim.model.politics import BindingLine, binding_lines, caps_on, ratification_threshold, ratifies

START = dt.date(2025, 4, 1)
SPACE = IssueSpace(("reciprocal", "autos", "farm_access"), (0.0, 0.0, 0.0), (50.0, 25.0, 100.0))


def _politics(threshold: float = 0.05, capital_weight: float = 0.2, election: Election | None = None) -> Politics:
    return Politics(capital=1.0, capital_recovery=0.0, threat_cost=0.0, failure_cost=0.0,
                    failure_narrowing=0.0, threshold=threshold, capital_weight=capital_weight,
                    noise=0.0, election=election)


def _lines(baseline, *red_lines: RedLine) -> tuple[BindingLine, ...]:
    partner = dataclasses.replace(baseline.scenario.partners["JPN"], red_lines=red_lines)
    return binding_lines(partner, SPACE, START)


# --- red lines -------------------------------------------------------------------------------------

def test_binding_line_turns_dates_into_day_indices_and_real_caps_into_normalised_ones(baseline):
    (line,) = _lines(baseline, RedLine("autos", 15.0, dt.date(2025, 4, 11), dt.date(2025, 4, 21)))
    assert line == BindingLine(issue=1, cap=pytest.approx(0.6), first_day=10, last_day=19)


def test_a_red_line_binds_from_its_first_day_and_lapses_on_its_until_day(baseline):
    lines = _lines(baseline, RedLine("autos", 15.0, dt.date(2025, 4, 11), dt.date(2025, 4, 21)))
    assert caps_on(lines, 9) == {}
    assert caps_on(lines, 10) == {1: pytest.approx(0.6)}
    assert caps_on(lines, 19) == {1: pytest.approx(0.6)}   # 20 April, the day before `until`
    assert caps_on(lines, 20) == {}                         # 21 April: lapsed


def test_an_open_ended_red_line_binds_on_every_day_of_a_run(baseline):
    lines = _lines(baseline, RedLine("farm_access", 0.0, None, None))
    for day in (-1000, -1, 0, 1, 365, 100_000):
        assert caps_on(lines, day) == {2: 0.0}
    only_from = _lines(baseline, RedLine("farm_access", 0.0, dt.date(2025, 4, 3), None))
    assert caps_on(only_from, 1) == {} and caps_on(only_from, 100_000) == {2: 0.0}
    only_until = _lines(baseline, RedLine("farm_access", 0.0, None, dt.date(2025, 4, 3)))
    assert caps_on(only_until, -1000) == {2: 0.0} and caps_on(only_until, 2) == {}


def test_overlapping_caps_on_one_issue_the_tightest_binds_whatever_their_order():
    loose = BindingLine(issue=1, cap=0.8, first_day=0, last_day=30)
    tight = BindingLine(issue=1, cap=0.4, first_day=10, last_day=20)
    other = BindingLine(issue=2, cap=0.5, first_day=0, last_day=30)
    for lines in ((loose, tight, other), (tight, loose, other), (other, tight, loose)):
        assert caps_on(lines, 5) == {1: 0.8, 2: 0.5}
        assert caps_on(lines, 15) == {1: 0.4, 2: 0.5}
        assert caps_on(lines, 25) == {1: 0.8, 2: 0.5}
        assert caps_on(lines, 31) == {}


def test_a_cap_of_one_is_no_tighter_than_none():
    assert caps_on((BindingLine(issue=0, cap=1.0, first_day=0, last_day=0),), 0) == {0: 1.0}


# --- ratification threshold -----------------------------------------------------------------------

def test_threshold_with_full_capital_and_no_election_is_the_base_threshold():
    assert ratification_threshold(_politics(threshold=0.05), 1.0, None) == pytest.approx(0.05)


def test_threshold_rises_by_the_capital_weight_times_the_capital_spent():
    politics = _politics(threshold=0.05, capital_weight=0.2)
    assert ratification_threshold(politics, 0.25, None) == pytest.approx(0.05 + 0.2 * 0.75)
    assert ratification_threshold(politics, 0.0, None) == pytest.approx(0.25)


def test_an_election_ten_days_out_of_a_sixty_day_window_with_weight_0_3_adds_exactly_0_25():
    election = Election(date=dt.date(2025, 7, 20), weight=0.3, window_days=60, capital_after=1.0)
    with_election = _politics(threshold=0.05, capital_weight=0.2, election=election)
    assert ratification_threshold(with_election, 1.0, 10) == pytest.approx(0.05 + 0.25)
    assert ratification_threshold(with_election, 0.5, 10) == pytest.approx(0.05 + 0.1 + 0.25)


def test_the_election_term_scales_with_the_runs_salience_draw():
    election = Election(date=dt.date(2025, 7, 20), weight=0.3, window_days=60, capital_after=1.0)
    politics = _politics(threshold=0.05, capital_weight=0.2, election=election)
    assert ratification_threshold(politics, 1.0, 10, salience=2.0) == pytest.approx(0.05 + 0.5)
    assert ratification_threshold(politics, 1.0, 10, salience=0.0) == pytest.approx(0.05)
    assert ratification_threshold(politics, 0.5, None, salience=2.0) == pytest.approx(0.15)   # capital: not scaled


def test_the_election_term_runs_from_zero_at_the_window_edge_to_its_weight_on_the_day():
    election = Election(date=dt.date(2025, 7, 20), weight=0.3, window_days=60, capital_after=1.0)
    politics = _politics(threshold=0.05, capital_weight=0.2, election=election)
    assert ratification_threshold(politics, 1.0, 0) == pytest.approx(0.35)      # election day
    assert ratification_threshold(politics, 1.0, 30) == pytest.approx(0.20)
    assert ratification_threshold(politics, 1.0, 60) == pytest.approx(0.05)     # window edge
    assert ratification_threshold(politics, 1.0, 61) == pytest.approx(0.05)     # outside the window
    assert ratification_threshold(politics, 1.0, -1) == pytest.approx(0.05)    # after the election
    assert ratification_threshold(politics, 1.0, None) == pytest.approx(0.05)   # no date to count to


def test_the_audience_cost_adds_its_share_of_the_pressure_to_the_election_term_and_fades_after_the_vote():
    """Weight 0.3 and audience cost 0.5 per 10 points, the US 20 points above its announced rate
    (pressure 2), 10 days out of a 60-day window: 0.3 x (1 + 0.5 x 2) x 50/60 = 0.5 on top of
    the base 0.05; the salience draw does not scale it; outside the window, after the vote, and
    with an election that weighs nothing, nothing."""
    election = Election(date=dt.date(2025, 7, 20), weight=0.3, window_days=60, capital_after=1.0, audience_cost=0.5)
    politics = _politics(threshold=0.05, capital_weight=0.2, election=election)
    assert ratification_threshold(politics, 1.0, 10, pressure=2.0) == pytest.approx(0.05 + 0.5)
    assert ratification_threshold(politics, 1.0, 10, pressure=0.0) == pytest.approx(0.05 + 0.25)
    assert ratification_threshold(politics, 1.0, 10) == pytest.approx(0.05 + 0.25)   # no pressure unless given
    assert ratification_threshold(politics, 1.0, 10, salience=0.0, pressure=2.0) == pytest.approx(0.05 + 0.25)
    assert ratification_threshold(politics, 1.0, 0, pressure=1.0) == pytest.approx(0.05 + 0.45)   # election day
    assert ratification_threshold(politics, 1.0, 61, pressure=2.0) == pytest.approx(0.05)         # outside the window
    assert ratification_threshold(politics, 1.0, -1, pressure=2.0) == pytest.approx(0.05)         # after the vote
    assert ratification_threshold(politics, 1.0, None, pressure=2.0) == pytest.approx(0.05)
    deaf = _politics(threshold=0.05, capital_weight=0.2, election=dataclasses.replace(election, audience_cost=0.0))
    assert ratification_threshold(deaf, 1.0, 10, pressure=2.0) == pytest.approx(0.05 + 0.25)
    weightless = _politics(threshold=0.05, capital_weight=0.2, election=dataclasses.replace(election, weight=0.0))
    assert ratification_threshold(weightless, 1.0, 10, pressure=2.0) == pytest.approx(0.05)


def test_an_election_window_edge_is_inside_the_window():
    """At ``days_to_election == window_days`` the election term is zero either way, so the edge
    shows only with a window of one day: the day before counts, at weight * 0."""
    election = Election(date=dt.date(2025, 7, 20), weight=0.3, window_days=1, capital_after=1.0)
    politics = _politics(threshold=0.0, capital_weight=0.0, election=election)
    assert ratification_threshold(politics, 1.0, 0) == pytest.approx(0.3)
    assert ratification_threshold(politics, 1.0, 1) == pytest.approx(0.0)


# --- ratification verdict --------------------------------------------------------------------------

def test_without_noise_ratification_is_a_sharp_cut_at_the_threshold():
    rng = np.random.default_rng(0)
    assert ratifies(0.2, 0.2, 0.0, rng)
    assert ratifies(0.2001, 0.2, 0.0, rng)
    assert not ratifies(0.1999, 0.2, 0.0, rng)
    assert not ratifies(0.1999, 0.2, -0.1, rng)   # a negative noise is no noise


def test_without_noise_ratification_draws_nothing_from_the_generator():
    rng = np.random.default_rng(3)
    ratifies(0.3, 0.2, 0.0, rng)
    assert rng.random() == np.random.default_rng(3).random()


@pytest.mark.parametrize("margin, threshold, noise", [(0.2, 0.2, 0.05), (0.25, 0.2, 0.05),
                                                      (0.1, 0.2, 0.1), (0.3, 0.1, 0.2)])
def test_with_noise_the_pass_share_is_logistic_in_the_margin_over_the_threshold(margin, threshold, noise):
    rng = np.random.default_rng(11)
    draws = 20_000
    share = sum(ratifies(margin, threshold, noise, rng) for _ in range(draws)) / draws
    expected = 1.0 / (1.0 + math.exp(-(margin - threshold) / noise))
    assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / draws) + 1e-3)


def test_with_noise_a_hopeless_deal_never_passes_and_a_sure_one_always_does():
    rng = np.random.default_rng(5)
    assert not any(ratifies(-100.0, 0.2, 1.0, rng) for _ in range(1000))   # z = -100.2: chance 0
    assert not ratifies(-100.0, 0.2, 0.01, rng)   # z = -10020: no overflow, chance 0
    assert all(ratifies(100.0, 0.2, 1.0, rng) for _ in range(1000))


def test_with_noise_the_verdict_is_one_draw_from_the_generator():
    rng = np.random.default_rng(7)
    verdicts = [ratifies(0.2, 0.2, 0.05, rng) for _ in range(50)]   # chance 1/2
    expected = [u < 0.5 for u in np.random.default_rng(7).random(50)]
    assert verdicts == expected

"""The two-sided table and what varies between runs: learning from refusals, escalation
hesitancy, the win-set's ratification margin, trembles and per-run draws; and the baseline's
outcomes (interior rates, US acceptances, spread in dates, rare ratification failures)."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from sim.core.frontier import Side
from sim.model.agents import ESCALATION_POINTS
from sim.model.model import TariffModel
from sim.model.politics import ratification_threshold
from sim.model.talks import Talks
from sim.run.runner import run_replications


def talks_of(baseline, code: str) -> Talks:
    scenario = baseline.scenario
    return Talks(scenario.partners[code], scenario.us.floors, scenario.us.aspiration)


def test_a_refusal_over_a_red_line_teaches_the_us_that_line(baseline):
    talks = talks_of(baseline, "JPN")
    autos = talks.space.index("autos")
    cap = talks.space.normalise("autos", 15.0)
    talks.set_caps({autos: cap})
    first = talks.frontier(Side.US, frozenset()).at(0.95)
    assert first.y(autos) > cap  # before: the US asks more on cars than the line allows
    assert talks.crosses_red_line(first) == autos
    talks.learn_red_line(autos)
    after = talks.frontier(Side.US, frozenset())
    assert max(p[autos] for p in after.vertices) <= cap + 1e-12
    assert talks.crosses_red_line(after.at(0.9)) == -1
    talks.set_caps({})  # the line lapses (announced): what was learned of it goes
    assert talks.learned_caps == {} and talks.us_frontier.vertices[0][autos] == 1.0


def test_a_counter_refused_below_the_floor_teaches_the_partner_the_floors(baseline):
    talks = talks_of(baseline, "JPN")
    rec = talks.space.index("reciprocal")
    floor = talks.space.normalise("reciprocal", baseline.scenario.us.floors["reciprocal"])
    ideal = talks.frontier(Side.PARTNER, frozenset()).at(1.0)
    assert ideal.y(rec) < floor and talks.below_floor(ideal)
    talks.learn_floors()
    counter = talks.frontier(Side.PARTNER, frozenset()).at(1.0)
    assert counter.y(rec) == pytest.approx(floor) and not talks.below_floor(counter)


def stepped(scenario, days: int, seed: int = 1) -> TariffModel:
    model = TariffModel(scenario, seed=seed)
    for _ in range(days):
        model.step()
    return model


def test_steel_doubled_makes_partners_hesitant_and_it_fades(baseline):
    """Steel 25% -> 50% is 25 points of escalation: ``hesitancy`` (given per 10 points) 2.5
    times over, on top of what earlier escalations left, fading with ``hesitancy_days``."""
    scenario = baseline.scenario
    doubled = next(e for e in scenario.events if e.kind == "sector_tariff")
    day = (doubled.date - scenario.start).days
    model = stepped(scenario, day + 1)
    japan = next(p for p in model.partners if p.code == "JPN")
    vietnam = next(p for p in model.partners if p.code == "VNM")  # no steel line: not hit
    h = scenario.partners["JPN"].hesitancy
    assert h > 0
    calm = dataclasses.replace(scenario, events=tuple(e for e in scenario.events if e.kind != "sector_tariff"))
    japan_calm = next(p for p in stepped(calm, day + 1).partners if p.code == "JPN")
    rise = doubled.amount - scenario.partners["JPN"].lines["steel"]
    assert japan.hesitancy(day) == pytest.approx(japan_calm.hesitancy(day) + h * rise / ESCALATION_POINTS)
    assert japan.hesitancy(day + scenario.partners["JPN"].hesitancy_days) == pytest.approx(japan.hesitancy(day) / math.e)
    assert japan.hesitancy(day) > japan.hesitancy(day + 10) > 0
    assert vietnam.hesitancy(day) == 0.0


def test_escalations_add_up_and_a_threat_counts_by_its_points(baseline):
    scenario = baseline.scenario
    model = stepped(scenario, 2)
    japan = next(p for p in model.partners if p.code == "JPN")
    h, days = scenario.partners["JPN"].hesitancy, scenario.partners["JPN"].hesitancy_days
    japan.talks.threaten(5.0, scenario.us.max_rate)  # a 5-point threat: half of ESCALATION_POINTS
    japan.new_day(2)
    assert japan.hesitancy(2) == pytest.approx(h * 0.5)
    japan.talks.set_line("steel", japan.talks.in_force["steel"] + 10.0)  # 10 more points on day 12
    japan.new_day(12)
    assert japan.hesitancy(12) == pytest.approx(h * 0.5 * math.exp(-10 / days) + h)
    japan.new_day(13)  # nothing new: the stock only fades
    assert japan.hesitancy(13) == pytest.approx((h * 0.5 * math.exp(-10 / days) + h) * math.exp(-1 / days))


def test_threats_and_letters_above_the_announced_rate_raise_the_threshold_before_the_vote(baseline):
    """Japan's pressure counts the points by which the rate named for no deal (a threat, a
    letter) exceeds the rate announced, in tens; in the election's window the threshold carries
    ``audience_cost`` times it, scaled like the election term (its weight, the days to the vote);
    a letter below the threatened rate adds nothing."""
    scenario = baseline.scenario
    settings = scenario.partners["JPN"]
    election = settings.politics.election
    assert election.audience_cost > 0
    model = stepped(scenario, 2)
    japan = next(p for p in model.partners if p.code == "JPN")
    day = japan.election_day - 10  # ten days before the vote
    before = japan.threshold(day)
    assert japan.pressure() == 0.0
    japan.talks.threaten(5.0, scenario.us.max_rate)
    assert japan.pressure() == pytest.approx(0.5)
    japan.talks.letter_rate = settings.announced_rate + 1.0  # a letter under the threatened rate
    japan.talks.send_letter()
    assert japan.pressure() == pytest.approx(0.5)
    japan.talks.letter_rate = settings.announced_rate + 15.0
    japan.talks.send_letter()
    assert japan.pressure() == pytest.approx(1.5)
    shadow = 1.0 - 10 / election.window_days
    assert japan.threshold(day) - before == pytest.approx(election.weight * election.audience_cost * 1.5 * shadow)
    assert japan.threshold(japan.election_day + 1) == pytest.approx(
        ratification_threshold(settings.politics, japan.capital, -1))  # after the vote: gone


def test_the_win_set_carries_the_margin_for_the_wanted_chance_of_ratification(baseline):
    model = stepped(baseline.scenario, 1)
    for partner in model.partners:
        politics = partner.settings.politics
        margin = partner.win_set - partner.partner_reservation - partner.threshold(0)
        if partner.win_set < 0.99:
            assert margin == pytest.approx(politics.noise * math.log(politics.confidence / (1 - politics.confidence)))


def test_domestic_opinion_is_drawn_per_run_around_the_configured_shift(baseline):
    scenario = baseline.scenario
    shifts = {seed: {p.code: p.reservation_shift for p in TariffModel(scenario, seed=seed).partners} for seed in (1, 2)}
    assert shifts[1] != shifts[2]
    assert shifts[1] == {p.code: p.reservation_shift for p in TariffModel(scenario, seed=1).partners}
    fixed = dataclasses.replace(scenario, partners={
        c: dataclasses.replace(p, reservation_spread=0.0) for c, p in scenario.partners.items()})
    assert {p.code: p.reservation_shift for p in TariffModel(fixed, seed=1).partners} == {
        c: p.reservation_shift for c, p in scenario.partners.items()}


def test_a_tremble_stays_between_reservation_and_aspiration(baseline):
    model = stepped(baseline.scenario, 1)
    for partner in model.partners:
        view = partner.partner_view()
        assert partner.tremble(0.7, view, 0.0) == 0.7
        values = [partner.tremble(view.aspiration, view, 0.5) for _ in range(200)]
        assert all(v >= view.reservation for v in values)
        assert all(v <= view.aspiration for v in values) or min(values) == max(values) == view.reservation
    view = model.partners[0].partner_view()._replace(reservation=0.2, aspiration=0.9)
    values = [model.partners[0].tremble(0.5, view, 0.1) for _ in range(200)]
    assert all(0.2 <= v <= 0.9 for v in values) and len(set(values)) > 1


@pytest.fixture(scope="module")
def outcomes(baseline) -> dict[str, pd.DataFrame]:
    outcome = run_replications(baseline.scenario, seed=11, replications=100)
    return {name: table.to_pandas() for name, table in outcome.tables.items()}


@pytest.mark.slow
def test_headline_rates_in_deals_are_inside_their_range_in_most_deals(baseline, outcomes):
    deals = outcomes["runs"][outcomes["runs"]["deal"]]
    floor = baseline.scenario.us.floors["reciprocal"]
    assert len(deals) > 100
    assert (deals["agreed_reciprocal"] > floor + 0.5).mean() > 0.8
    steel = deals["agreed_steel"].dropna()
    assert (steel > baseline.scenario.us.floors["steel"] + 0.5).any()


@pytest.mark.slow
def test_the_us_accepts_partner_offers_in_a_fifth_of_deals(outcomes):
    events = outcomes["events"]
    deals = events[events["kind"] == "deal"][["run_id", "target", "day"]]
    accepted = events[events["kind"] == "acceptance"]
    accepted = accepted.assign(partner=accepted["actor"].where(accepted["actor"] != "USA", accepted["target"]))
    made = deals.merge(accepted, left_on=["run_id", "target", "day"], right_on=["run_id", "partner", "day"])
    assert len(made) == len(deals)
    assert (made["actor"] == "USA").mean() >= 0.2


@pytest.mark.slow
def test_every_partner_that_deals_shows_spread_in_its_dates(outcomes):
    runs = outcomes["runs"]
    for code, mine in runs[runs["deal"]].groupby("partner"):
        days = mine["deal_day"]
        assert days.quantile(0.75) - days.quantile(0.25) > 0, code


@pytest.mark.slow
def test_ratification_rarely_fails_at_the_edge_of_the_win_set(outcomes):
    runs = outcomes["runs"]
    assert runs.groupby("partner")["ratification_failures"].mean().max() < 0.3


def test_draws_per_run_of_election_result_and_us_resolve(baseline):
    scenario = baseline.scenario
    models = [TariffModel(scenario, seed=seed) for seed in (1, 2)]
    japan = [next(p for p in m.partners if p.code == "JPN") for m in models]
    assert scenario.partners["JPN"].politics.election.capital_spread > 0
    assert japan[0]._capital_after != japan[1]._capital_after
    assert [p.us_shift for p in models[0].partners] != [p.us_shift for p in models[1].partners]
    fixed = dataclasses.replace(scenario, us=dataclasses.replace(scenario.us, reservation_spread=0.0))
    assert all(p.us_shift == 0.0 for p in TariffModel(fixed, seed=1).partners)


def test_a_partner_meets_only_on_its_share_of_days(baseline):
    scenario = baseline.scenario
    japan = scenario.partners["JPN"]
    rare = dataclasses.replace(scenario, partners={**scenario.partners, "JPN": dataclasses.replace(japan, meeting_chance=0.3)})
    always = dataclasses.replace(scenario, partners={**scenario.partners, "JPN": dataclasses.replace(japan, meeting_chance=1.0)})

    def meetings(s) -> int:
        model = TariffModel(s, seed=3)
        partner = next(p for p in model.partners if p.code == "JPN")
        met = 0
        for _ in range(60):
            before = partner.talks.last_met
            model.step()
            met += partner.talks.last_met != before
        return met

    assert meetings(rare) < 0.6 * meetings(always)

"""Known answers of the mechanisms that make the baseline live: market stress as a mean-reverting
walk, the per-run salience of an election, talks resumed only after a concession, cut talks that
stay cut under letter rates, and red lines that do not lower the US's hopes."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, load_study
from sim.core.frontier import Side
from sim.model.environment import World, election_salience
from sim.model.model import TariffModel
from sim.model.politics import ratification_threshold
from sim.model.talks import Status, Talks
from tests.conftest import compose_config


def _environment(baseline, **stress):
    env = baseline.scenario.environment
    return dataclasses.replace(env, market_stress=dataclasses.replace(env.market_stress, **stress))


def test_stress_without_volatility_reverts_to_its_level_deterministically(baseline):
    env = _environment(baseline, initial=0.6, level=0.3, decay=0.1, volatility=0.0)
    world = World(env, hearing_day=100, rng=np.random.default_rng(0))
    world.new_day(0)
    assert world.stress == pytest.approx(0.6 + 0.1 * (0.3 - 0.6))
    for day in range(1, 200):
        world.new_day(day)
    assert world.stress == pytest.approx(0.3, abs=1e-6)


def test_stress_walk_is_seeded_mean_reverting_and_never_negative(baseline):
    env = _environment(baseline, initial=0.3, level=0.3, decay=0.05, volatility=0.05)
    paths = []
    for _ in range(2):
        world = World(env, hearing_day=100, rng=np.random.default_rng(7))
        path = []
        for day in range(4000):
            world.new_day(day)
            path.append(world.stress)
        paths.append(path)
    assert paths[0] == paths[1]  # same generator, same path
    path = np.array(paths[0])
    assert path.min() >= 0.0 and path.std() > 0.05
    # The stationary sd of s' = s + a (m - s) + v z is v / sqrt(a (2 - a)).
    assert path[500:].mean() == pytest.approx(0.3, abs=0.03)
    assert path[500:].std() == pytest.approx(0.05 / math.sqrt(0.05 * 1.95), rel=0.15)


def test_stress_walk_draws_nothing_without_volatility(baseline):
    env = _environment(baseline, volatility=0.0)
    rng = np.random.default_rng(3)
    World(env, hearing_day=100, rng=rng).new_day(0)
    assert rng.random() == np.random.default_rng(3).random()


def test_election_salience_is_one_without_a_spread_and_uniform_within_it(baseline):
    election = baseline.scenario.partners["JPN"].politics.election
    rng = np.random.default_rng(5)
    assert election_salience(dataclasses.replace(election, salience_spread=0.0), rng) == 1.0
    assert rng.random() == np.random.default_rng(5).random()  # no draw taken
    draws = [election_salience(dataclasses.replace(election, salience_spread=0.5), rng) for _ in range(4000)]
    assert 0.5 <= min(draws) < 0.52 and 1.48 < max(draws) <= 1.5
    assert np.mean(draws) == pytest.approx(1.0, abs=0.02)


def test_the_election_term_scales_with_salience(baseline):
    politics = baseline.scenario.partners["JPN"].politics
    window = politics.election.window_days
    base = ratification_threshold(politics, 1.0, None)
    term = ratification_threshold(politics, 1.0, window // 2) - base
    assert ratification_threshold(politics, 1.0, window // 2, salience=2.0) - base == pytest.approx(2 * term)
    assert ratification_threshold(politics, 1.0, window // 2, salience=0.0) == pytest.approx(base)


def test_each_run_draws_its_own_salience(baseline):
    saliences = {next(p for p in TariffModel(baseline.scenario, seed=seed).partners if p.code == "JPN")._salience
                 for seed in range(6)}
    assert len(saliences) == 6 and all(0.0 <= s <= 2.0 for s in saliences)


def _canada_events(baseline, conceded: bool):
    events = []
    for event in baseline.scenario.events:
        if event.kind == "concession" and not conceded:
            continue
        events.append(event)
    return dataclasses.replace(baseline.scenario, events=tuple(events))


def test_talks_resume_only_once_the_partner_has_conceded_the_issue(baseline):
    resumed = next(e for e in baseline.scenario.events if e.kind == "talks_resumed")
    assert resumed.issue == "digital"
    day = (resumed.date - baseline.scenario.start).days
    for conceded, status in ((True, Status.TALKING), (False, Status.SUSPENDED)):
        model = TariffModel(_canada_events(baseline, conceded), seed=3)
        for _ in range(day + 1):
            model.step()
        canada = next(p for p in model.partners if p.code == "CAN")
        assert canada.open and canada.talks.status is status


def test_cut_talks_stay_cut_when_letter_rates_apply(baseline):
    talks = Talks(baseline.scenario.partners["CAN"], baseline.scenario.us.floors)
    talks.status = Status.SUSPENDED
    talks.letter_sent = True
    rate = talks.impose_letter()
    assert talks.status is Status.SUSPENDED and talks.in_force["reciprocal"] == rate
    talking = Talks(baseline.scenario.partners["CAN"], baseline.scenario.us.floors)
    talking.letter_sent = True
    talking.impose_letter()
    assert talking.status is Status.LETTER


def test_a_red_line_the_us_learns_does_not_lower_its_hopes(baseline):
    japan = baseline.scenario.partners["JPN"]
    talks = Talks(japan, baseline.scenario.us.floors, us_aspiration=0.95)
    autos = talks.space.index("autos")
    talks.set_caps({autos: 0.5})
    before = talks.us_aspiration
    talks.learn_red_line(autos)
    assert talks.us_frontier.best < 1.0 - 1e-9  # the US's best package now respects the line
    assert talks.us_aspiration == before == pytest.approx(0.95)
    # Its offer at that aspiration is its best package inside the line.
    offer = talks.frontier(Side.US, frozenset()).at(talks.us_aspiration)
    assert offer.y(autos) <= 0.5 + 1e-9 and offer.us_utility == pytest.approx(talks.us_frontier.best)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("environment.market_stress.volatility", -0.1, "environment.market_stress.volatility=-0.1"),
    ("environment.market_stress.level", 1.5, "environment.market_stress.level=1.5"),
    ("partners.JPN.politics.election.salience_spread", 2.0, "partners.JPN.politics.election.salience_spread=2.0"),
])
def test_new_settings_are_validated(key, value, message):
    data = OmegaConf.to_container(compose_config(), resolve=True)
    node = data["scenario"]
    *path, last = key.split(".")
    for part in path:
        node = node[part]
    node[last] = value
    with pytest.raises(ConfigError, match="must be a number in"):
        load_study(data)
    try:
        load_study(data)
    except ConfigError as error:
        assert message in str(error)

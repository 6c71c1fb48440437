"""Two generic outside events (``scenario.events``, sim/model/outside.py) are mechanisms:

- ``red_line``: from its date the targets accept at most ``amount`` on ``issue`` (their red lines
  on it end; the issue's upper bound or more lifts the line);
- ``deadline_change``: the targets' deadline moves to ``amount`` days after the event.

Claims, on ``REPLICATIONS`` common seeds of the baseline (seed 2025):

- lifting Japan's car red line (``red_line`` on autos at 25, its upper bound, on 9 Apr) raises the
  mean car rate in Japan's deals by at least ``MIN_POINTS`` (Welch's t-test, p < 0.01): the line
  is what holds that rate down;
- moving every table's deadline on 1 Jun to 31 Jul (``deadline_change``, 60 days) makes the
  median deal day of the partners that deal late (Japan, the EU, Canada) at least ``MIN_DAYS``
  later (Wilcoxon signed-rank, p < 0.01, bootstrap interval above 0).

Known answers: a red line given as an event on the first day runs exactly as the same line in the
country file; a deadline change to the day the deadline already falls on changes nothing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.analysis.mechanism_stats import median_shift, welch
from sim.apps.mechanisms import run_arm, scenario_for
from sim.config.scenario import OutsideEvent
from sim.run.runner import replication_seeds

REPLICATIONS = 200
SEED = 2025
MIN_POINTS = 0.5
MIN_DAYS = 3.0


def with_events(scenario, *events: OutsideEvent, **partner_changes):
    """``scenario`` with ``events`` added (and partners' settings replaced, by code)."""
    partners = {code: dataclasses.replace(p, **partner_changes[code]) if code in partner_changes else p
                for code, p in scenario.partners.items()}
    return dataclasses.replace(scenario, events=(*scenario.events, *events), partners=partners)


def event(date: str, kind: str, targets: tuple[str, ...], amount: float, issue: str | None = None) -> OutsideEvent:
    return OutsideEvent(date=date, kind=kind, targets=targets, amount=amount, issue=issue, detail=f"test {kind}")


@pytest.fixture(scope="module")
def baseline():
    return scenario_for(())


def test_a_red_line_given_as_an_event_on_the_first_day_runs_as_the_same_line_in_config(baseline):
    japan = baseline.partners["JPN"]
    (cars,) = [line for line in japan.red_lines if line.issue == "autos"]
    others = tuple(line for line in japan.red_lines if line.issue != "autos")
    moved = with_events(baseline, event("2025-04-09", "red_line", ("JPN",), cars.max, "autos"),
                        JPN={"red_lines": others})
    seeds = replication_seeds(SEED, 6)
    assert run_arm(moved, seeds).equals(run_arm(baseline, seeds))


def test_a_deadline_change_to_the_deadline_in_force_changes_nothing(baseline):
    same = with_events(baseline, event("2025-06-09", "deadline_change", ("ALL",), 30))  # 9 Jun + 30 days: 9 Jul
    seeds = replication_seeds(SEED, 6)
    assert run_arm(same, seeds).equals(run_arm(baseline, seeds))


def test_a_deadline_change_moves_the_targets_deadline_on_its_day(baseline):
    from sim.run.parallel import run_model

    changed = with_events(baseline, event("2025-06-01", "deadline_change", ("KOR", "VNM"), 60))
    model = run_model(changed, replication_seeds(SEED, 1)[0])
    day = 53  # 1 Jun 2025 is day 53 of the horizon (9 Apr is day 0)
    clocks = {p.code: p.clock for p in model.partners}
    assert clocks["KOR"] is clocks["VNM"] and clocks["KOR"] is not clocks["JPN"]
    logged = [row for row in model.log.rows if row[0] == day and row[1].value == "deadline"]
    assert logged and logged[0][3] == "KOR,VNM" and "deadline now 2025-07-31" in logged[0][4]


@pytest.mark.slow
def test_lifting_japans_car_red_line_raises_the_car_rate_in_its_deals(baseline):
    seeds = replication_seeds(SEED, REPLICATIONS)
    lifted = with_events(baseline, event("2025-04-09", "red_line", ("JPN",), 25.0, "autos"))
    rates = []
    for scenario in (baseline, lifted):
        runs = run_arm(scenario, seeds)
        japan = runs[(runs["partner"] == "JPN") & runs["deal"]]
        rates.append(japan["agreed_autos"].to_numpy(float))
    effect = welch(*rates)
    assert effect.p_value < 0.01 and effect.effect >= MIN_POINTS, effect


@pytest.mark.slow
def test_a_later_deadline_makes_the_late_deals_later(baseline):
    seeds = replication_seeds(SEED, REPLICATIONS)
    later = with_events(baseline, event("2025-06-01", "deadline_change", ("ALL",), 60))
    days = []
    for scenario in (baseline, later):
        runs = run_arm(scenario, seeds)
        late = runs[runs["partner"].isin(["JPN", "EU", "CAN"])].sort_values(["partner", "run_id"])
        days.append(np.where(late["deal"].to_numpy(bool), late["deal_day"].to_numpy(float), scenario.days))
    effect = median_shift(*days, SEED)
    assert effect.p_value < 0.01 and effect.low > 0.0 and effect.effect >= MIN_DAYS, effect

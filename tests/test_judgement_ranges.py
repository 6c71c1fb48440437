"""Every judgement of the baseline is screened, over the plausible range its comment gives.

The ranges are read from the config comments (``sim.analysis.sensitivity_ranges``): a new judgement
without an entry in ``sim/conf/sensitivity/judgement_morris.yaml``, or a range changed in only one of
the two places, fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config.sensitivity_study import load_sensitivity
from sim.analysis.sensitivity_ranges import INSIDE_OPEN_BOUND, judgements

STUDY = "judgement_morris"


@pytest.fixture(scope="module")
def found():
    return {j.key: j for j in judgements()}


def test_the_study_lists_every_judgement_with_its_plausible_range(found):
    study = {p.key: p for p in load_sensitivity(STUDY).parameters}
    assert sorted(set(found) - set(study)) == [], "judgements missing from the study"
    assert sorted(set(study) - set(found)) == [], "study parameters that are no judgement (or lost their comment)"
    for key, judgement in found.items():
        parameter = study[key]
        expected = INSIDE_OPEN_BOUND.get(key, (judgement.low, judgement.high))
        assert (parameter.low, parameter.high) == pytest.approx(expected), key
        assert parameter.integer == judgement.integer, key


def test_open_bound_ranges_stay_inside_the_plausible_range(found):
    for key, (low, high) in INSIDE_OPEN_BOUND.items():
        assert found[key].low <= low < high <= found[key].high, key
        assert max(low - found[key].low, found[key].high - high) <= 0.01 + 1e-9, key


def test_every_baseline_value_lies_in_its_plausible_range(found):
    outside = [(k, j.value, j.low, j.high) for k, j in found.items() if not j.low <= j.value <= j.high]
    assert outside == []


def test_the_forms_of_judgement_comments_are_read(found):
    # one of each form: scalar, named sub-key, several named ranges, a red line by value, an event,
    # every number of a mapping, a comment block above its key, an integer, a negative range
    assert (found["scenario.partners.JPN.politics.capital"].low, found["scenario.partners.JPN.politics.capital"].high) == (0.3, 0.6)
    assert found["scenario.partners.EU.issues.reciprocal.hi"].value == 35.0
    assert (found["scenario.partners.CAN.strategy.probability"].high, found["scenario.partners.CAN.strategy.beta"].low) == (0.9, 0.3)
    assert found["scenario.partners.JPN.red_lines.0.max"].high == 24.0
    assert found["scenario.partners.EU.red_lines.1.max"].low == 30.0
    assert (found["scenario.partners.EU.retaliation.gain"].high, found["scenario.partners.EU.retaliation.us_cost"].high) == (0.05, 0.05)
    assert (found["scenario.us.letter_premium"].low, found["scenario.us.letter_premium"].high) == (0.0, 15.0)
    assert found["scenario.us.strategy.near_days"].integer and not found["scenario.us.deal_value"].integer
    assert (found["scenario.events.1.amount"].low, found["scenario.events.1.amount"].high) == (-0.3, -0.1)
    assert not any(".issues." in k and k.endswith("weight") for k in found)  # weights: cannot move alone
    assert "scenario.partners.JPN.politics.election.capital_after" not in found


def test_a_judgement_comment_without_a_readable_range_is_refused(tmp_path):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "country").mkdir()
    (tmp_path / "scenario" / "baseline_2025.yaml").write_text("environment:\n  decay: 0.03  # judgement, plausible low to high\n")
    for stem in ("usa", "jpn", "eu", "can", "kor", "vnm"):
        (tmp_path / "country" / f"{stem}.yaml").write_text("aspiration: 0.9\n")
    with pytest.raises(ValueError, match=r"baseline_2025.yaml:2: no range"):
        judgements(Path(tmp_path))


def test_a_new_judgement_is_found(tmp_path):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "country").mkdir()
    (tmp_path / "scenario" / "baseline_2025.yaml").write_text(
        "environment:\n  court:\n    ramp_days: 45  # judgement, plausible 20-90: why\n"
        "events:\n  - {date: '2025-05-08', amount: 0.1}\n  - {date: '2025-05-09', amount: 0.2}  # judgement, plausible 0.1 to 0.3\n")
    for stem in ("usa", "jpn", "eu", "can", "kor", "vnm"):
        (tmp_path / "country" / f"{stem}.yaml").write_text("aspiration: 0.9\n")
    (tmp_path / "country" / "kor.yaml").write_text("strategy:\n  beta: 0.4  # Judgement, plausible 0.3-0.9\n")
    keys = {j.key: (j.low, j.high, j.integer) for j in judgements(Path(tmp_path))}
    assert keys == {"scenario.environment.court.ramp_days": (20.0, 90.0, True),
                    "scenario.events.1.amount": (0.1, 0.3, False),
                    "scenario.partners.KOR.strategy.beta": (0.3, 0.9, False)}

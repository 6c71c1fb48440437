"""Every strategy in the baseline model: swapped in for Japan, or for the United States."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.run.results import EVENT_COLUMNS
from sim.run.runner import run_replications
from sim.strategies import STRATEGIES, Side, strategy_spec
from sim.strategies.united_states import DealSeeker
from tests.conftest import baseline_columns, study_from

RUN_COLUMNS, TIMESERIES_COLUMNS = baseline_columns()

PARTNER_STRATEGIES = sorted(n for n in STRATEGIES if strategy_spec({"name": n}, Side.PARTNER, "s")[0] is not None)
US_STRATEGIES = sorted(n for n in STRATEGIES if strategy_spec({"name": n}, Side.US, "s")[0] is not None)
REPLICATIONS = 3


def swapped(key: str, name: str) -> list[str]:
    # `key={name:x}` would merge into the default mapping and keep its parameters: replace it.
    return [f"~{key}", f"+{key}={{name:{name}}}"]


def check_tables(tables: dict, partners: int) -> pd.DataFrame:
    runs, timeseries, events = (tables[n] for n in ("runs", "timeseries", "events"))
    assert tuple(runs.column_names) == RUN_COLUMNS
    assert tuple(timeseries.column_names) == TIMESERIES_COLUMNS
    assert tuple(events.column_names) == EVENT_COLUMNS
    frame = runs.to_pandas()
    assert len(frame) == REPLICATIONS * partners
    deals = frame[frame["deal"]]
    assert (deals["us_utility"] >= deals["us_reservation"] - 1e-12).all()
    assert (deals["partner_utility"] >= deals["partner_reservation"] - 1e-12).all()
    assert frame["final_tariff"].between(0, 100).all()
    assert timeseries.num_rows > 0 and events.num_rows > 0
    return frame


@pytest.mark.parametrize("name", PARTNER_STRATEGIES)
def test_each_partner_strategy_runs_for_japan(name: str) -> None:
    study = study_from(*swapped("scenario.partners.JPN.strategy", name))
    assert study.scenario.partners["JPN"].strategy.cls is STRATEGIES[name]
    frame = check_tables(run_replications(study.scenario, seed=3, replications=REPLICATIONS).tables,
                         len(study.scenario.partners))
    assert set(frame["partner"]) == set(study.scenario.partners)


@pytest.mark.parametrize("name", US_STRATEGIES)
def test_each_us_strategy_runs(name: str) -> None:
    study = study_from(*swapped("scenario.us.strategy", name))
    assert study.scenario.us.strategy.cls is STRATEGIES[name]
    check_tables(run_replications(study.scenario, seed=3, replications=REPLICATIONS).tables,
                 len(study.scenario.partners))


def test_the_library_covers_both_sides() -> None:
    assert {"maximum_pressure", "erratic", "deal_seeker"} <= set(US_STRATEGIES)
    assert {"hold_until_election", "appease_early", "retaliate", "wait_out_the_market"} <= set(PARTNER_STRATEGIES)


def test_a_strategy_parameter_from_the_command_line() -> None:
    study = study_from(*swapped("scenario.partners.JPN.strategy", "wait_out_the_market"),
                       "+scenario.partners.JPN.strategy.trigger=0.7")
    assert study.scenario.partners["JPN"].strategy.build().trigger == 0.7


def test_maximum_pressure_never_extends_and_erratic_moves_the_deadline_in_the_model() -> None:
    pressure = study_from(*swapped("scenario.us.strategy", "maximum_pressure"))
    events = run_replications(pressure.scenario, seed=5, replications=10).tables["events"].to_pandas()
    assert "extension" not in set(events["kind"]) and "letter_rates_imposed" in set(events["kind"])
    erratic = study_from(*swapped("scenario.us.strategy", "erratic"))
    events = run_replications(erratic.scenario, seed=5, replications=10).tables["events"].to_pandas()
    assert {"extension", "shortening"} & set(events["kind"])


def test_the_deadline_view_carries_the_us_sensitivity_threshold_and_the_imposition_shock(monkeypatch) -> None:
    seen = []
    decide = DealSeeker.at_deadline

    def recording(self, deadline, rng):
        seen.append(deadline)
        return decide(self, deadline, rng)

    monkeypatch.setattr(DealSeeker, "at_deadline", recording)
    study = study_from("scenario.us.stress_sensitivity=0.7", "scenario.environment.market_stress.threshold=0.3",
                       "scenario.environment.market_stress.letters_imposed=0.25")
    run_replications(study.scenario, seed=3, replications=1)
    assert seen, "the US never reached a deadline with tables open"
    assert {(v.stress_sensitivity, v.stress_threshold, v.imposing_shock) for v in seen} == {(0.7, 0.3, 0.25)}

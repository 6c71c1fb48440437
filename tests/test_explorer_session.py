"""The explorer's controls without a browser: the horizon, play and pause, one state per tab,
the sliders' values, and a page that stays offline."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

import pytest

from sim.apps.explorer import ExplorerModel, Focus, Settings, compose_study, focus_of, status_line
from sim.apps.explorer_session import PACE_KNOBS, PAUSE, PLAY, Session, model_knobs
from sim.model.model import TariffModel


def test_the_model_does_not_step_past_its_horizon() -> None:
    model = ExplorerModel()
    for _ in range(model.last_day + 1 + 16):  # 16 late clicks
        model.step()
    assert model.day == model.last_day + 1
    assert status_line(model).startswith(f"day {model.last_day + 1} of {model.last_day + 1} · 30 Sep 2025")


def test_step_stops_at_the_last_day_and_is_then_disabled() -> None:
    session = Session()
    last = session.model.last_day
    assert session.step(last) == last and session.can_step and not session.at_end
    assert session.step(30) == 1  # a frame of 30 days plays the one day left
    assert session.at_end and not session.can_step
    assert session.step() == 0 and session.model.day == last + 1


def test_play_stops_at_the_end_and_the_controls_return_to_a_consistent_state() -> None:
    session = Session()
    session.toggle_play()
    assert session.playing and session.toggle_label == PAUSE
    assert session.can_toggle and not session.can_step  # pause is enabled while playing
    while session.playing:  # what the page's play loop does
        session.step(7)
    assert session.at_end
    assert session.toggle_label == PLAY and not session.can_toggle and not session.can_step
    session.toggle_play()  # nothing left to play
    assert not session.playing
    session.reset()
    assert session.model.day == 0 and session.can_step and session.can_toggle
    assert session.toggle_label == PLAY


def test_pause_stops_play_and_reset_stops_play() -> None:
    session = Session()
    session.toggle_play()
    session.step(3)
    session.toggle_play()
    assert not session.playing and session.can_step and session.model.day == 3
    session.toggle_play()
    session.reset()
    assert not session.playing and session.model.day == 0


def test_each_session_has_its_own_model_and_settings() -> None:
    first = Session()
    first.set_value("deadline_day", 120)
    first.reset()
    first.step(5)
    second = Session()
    assert second.model is not first.model
    assert second.model.day == 0 and second.values["deadline_day"] == 91
    assert "deadline 09 Jul 2025" in status_line(second.model)
    assert first.model.day == 5 and first.model.knobs.deadline_day == 120


def test_the_sliders_set_the_next_model_and_reset_applies_them() -> None:
    session = Session()
    assert not session.pending
    session.set_value("us_beta", 1.5)
    session.set_value("deadline_day", 500)  # kept within the slider's range
    assert session.pending and session.values["deadline_day"] == 170
    assert session.model.knobs.us_beta == 0.4
    session.reset()
    assert not session.pending
    assert session.model.knobs.us_beta == 1.5 and session.model.knobs.deadline_day == 170


def test_a_seed_that_is_not_a_whole_number_keeps_the_model_and_says_why() -> None:
    session = Session()
    session.step(2)
    model = session.model
    session.seed_text = "abc"
    session.reset()
    assert session.model is model and session.model.day == 2
    assert session.error == "seed must be a whole number, not 'abc'; the model was not rebuilt"
    session.seed_text = " 7 "
    session.reset()
    assert session.error is None and session.model.seed == 7 and session.model.day == 0


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("deadline_day", 91, "day 91 · 09 Jul 2025"),
    ("deadline_day", 114, "day 114 · 01 Aug 2025"),
    ("election_weight", 0.3, "0.30 (0 = none, 1 = full)"),
    ("stress_sensitivity", 0.05, "0.05 (0 = none, 1 = full)"),
    ("us_beta", 0.4, "β = 0.40: tough (Boulware)"),
    ("partner_beta", 1.0, "β = 1.00: linear"),
    ("us_beta", 2.5, "β = 2.50: conceding (Conceder)"),
    ("play_ms", 300, "300 ms between frames"),
    ("days_per_frame", 1, "1 day per frame"),
    ("days_per_frame", 10, "10 days per frame"),
])
def test_each_slider_shows_its_value_with_its_unit(name: str, value: float, shown: str) -> None:
    assert {k.name: k for k in model_knobs() + PACE_KNOBS}[name].describe(value) == shown


def test_the_model_sliders_are_the_explorer_models_arguments() -> None:
    session = Session()
    assert [k.name for k in session.model_knobs] == ["deadline_day", "election_weight", "stress_sensitivity",
                                                     "us_beta", "partner_beta"]
    for knob in session.model_knobs:
        assert getattr(session.model.knobs, knob.name) == knob.default


NO_JAPAN_ELECTION = ("scenario.partners.JPN.politics.election=null",)


def test_the_baseline_settings_are_its_scenarios() -> None:
    scenario = compose_study().scenario
    assert focus_of(scenario) == Focus("JPN", "Japan", has_election=True, has_beta=True)
    assert Settings.of(scenario) == Settings(91, 0.3, 0.2, 0.4, 0.5)
    assert Settings.of(scenario).overrides(scenario) == (
        "scenario.deadline=2025-07-09", "scenario.partners.JPN.politics.election.weight=0.3",
        "scenario.us.stress_sensitivity=0.2", "scenario.us.strategy.beta=0.4",
        "scenario.partners.JPN.strategy.beta=0.5")
    labels = [k.label for k in model_knobs()]
    assert labels == ["Deadline", "Japan election weight", "US stress sensitivity", "US concession β",
                      "Japan concession β"]
    assert "Japan election weight 0.30" in status_line(ExplorerModel())
    assert "Japan β 0.50" in status_line(ExplorerModel())


def test_the_focus_partner_and_its_labels_come_from_the_scenario() -> None:
    """Without Japan's election the focus is the next partner with one (South Korea, its YAML's
    name), and its settings, not Japan's, are what the sliders set."""
    scenario = compose_study(NO_JAPAN_ELECTION).scenario
    assert focus_of(scenario) == Focus("KOR", "South Korea", has_election=True, has_beta=True)
    session = Session(NO_JAPAN_ELECTION)
    labels = {k.name: k.label for k in session.model_knobs}
    assert labels["election_weight"] == "South Korea election weight"
    assert labels["partner_beta"] == "South Korea concession β"
    kor = scenario.partners["KOR"]
    assert session.values["election_weight"] == kor.politics.election.weight
    assert session.values["partner_beta"] == kor.strategy.params["beta"]
    session.set_value("partner_beta", 0.7)
    session.set_value("election_weight", 0.05)
    session.reset()
    assert session.error is None
    built = session.model.scenario.partners
    assert built["KOR"].strategy.params["beta"] == 0.7 and built["KOR"].politics.election.weight == 0.05
    assert built["JPN"].strategy.params == scenario.partners["JPN"].strategy.params
    assert built["JPN"].politics.election is None
    line = status_line(session.model)
    assert "South Korea election weight 0.05" in line and "South Korea β 0.70" in line
    assert "Japan" not in line


def test_without_an_election_the_focus_is_the_first_partner_and_has_no_election_slider() -> None:
    base = tuple(f"scenario.partners.{code}.politics.election=null" for code in ("JPN", "KOR"))
    scenario = compose_study(base).scenario
    assert focus_of(scenario) == Focus("JPN", "Japan", has_election=False, has_beta=True)
    session = Session(base)
    assert [k.name for k in session.model_knobs] == ["deadline_day", "stress_sensitivity", "us_beta",
                                                     "partner_beta"]
    assert session.model.knobs.election_weight is None
    assert "election weight" not in status_line(session.model)
    with pytest.raises(ValueError, match=r"election_weight cannot be set: Japan \(JPN\) has no election"):
        ExplorerModel(election_weight=0.3, base=base)


def test_the_deadline_slider_starts_at_the_scenarios_deadline() -> None:
    base = ("scenario.deadline=2025-08-01",)
    (deadline,) = [k for k in model_knobs(base) if k.name == "deadline_day"]
    assert deadline.default == 114 and deadline.describe(deadline.default) == "day 114 · 01 Aug 2025"
    assert Session(base).model.scenario.deadline.isoformat() == "2025-08-01"


@pytest.fixture
def fresh_app(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``sim.apps.app`` imported anew, with no telemetry setting in the environment."""
    pytest.importorskip("solara")
    for key in [k for k in os.environ if k.upper() == "SOLARA_TELEMETRY_MIXPANEL_ENABLE"]:
        monkeypatch.delenv(key)
    import solara.server.settings as server_settings

    monkeypatch.setattr(server_settings.telemetry, "mixpanel_enable", True)  # solara's default
    sys.modules.pop("sim.apps.app", None)
    return server_settings


def test_the_page_builds_no_model_when_it_loads(fresh_app: ModuleType,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[TariffModel] = []
    original = TariffModel.__init__

    def counting(self: TariffModel, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TariffModel, "__init__", counting)
    importlib.import_module("sim.apps.app")
    assert built == []  # every tab builds its own when it opens


def test_the_page_turns_solaras_telemetry_off(fresh_app: ModuleType) -> None:
    importlib.import_module("sim.apps.app")
    assert fresh_app.telemetry.mixpanel_enable is False


def test_an_explicit_telemetry_setting_is_respected(fresh_app: ModuleType,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "true")
    importlib.import_module("sim.apps.app")
    assert fresh_app.telemetry.mixpanel_enable is True


def test_closing_a_tab_stops_its_play(fresh_app: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    import solara

    app = importlib.import_module("sim.apps.app")
    opened: list[Session] = []

    class Recorded(Session):
        def __init__(self) -> None:
            super().__init__()
            opened.append(self)

    monkeypatch.setattr(app, "Session", Recorded)
    _, tab = solara.render(app.Page(), handle_error=False)
    (session,) = opened
    session.playing = True  # as if ▶ had been pressed (no redraw, so no play thread here)
    tab.close()
    assert not session.playing


def test_strategies_without_beta_have_no_beta_sliders() -> None:
    base = ("~scenario.us.strategy", "+scenario.us.strategy={name:hardliner}",
            "~scenario.partners.JPN.strategy", "+scenario.partners.JPN.strategy={name:hardliner}")
    session = Session(base)
    assert [k.name for k in session.model_knobs] == ["deadline_day", "election_weight", "stress_sensitivity"]
    assert (session.model.knobs.us_beta, session.model.knobs.partner_beta) == (None, None)
    assert "β" not in status_line(session.model)
    with pytest.raises(ValueError, match=r"partner_beta cannot be set: the strategy of Japan \(JPN\) has no"):
        ExplorerModel(partner_beta=0.5, base=base)
    with pytest.raises(ValueError, match="us_beta cannot be set: the US strategy has no concession β"):
        ExplorerModel(us_beta=0.5, base=base)

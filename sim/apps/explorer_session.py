"""One browser tab's explorer: its settings, its model and whether it plays (no Solara here).

The page (``sim/apps/app.py``) keeps one ``Session`` per tab and draws its controls from the session's
properties, so the rules of the controls live here and are tested without a browser: stepping
stops at the last day of the horizon, Play stops there too, and the buttons that can do nothing
are disabled.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sim.apps.explorer import ExplorerModel, Settings, compose_study, focus_of

PLAY = "▶"
PAUSE = "❚❚"


@dataclass(frozen=True)
class Knob:
    """One slider of the page: what it sets, its range and how its value reads.

    Attributes:
        name: The keyword it sets (an ``ExplorerModel`` argument, or a pace setting).
        label: The slider's label.
        minimum: The smallest value.
        maximum: The largest value.
        step: The slider's step; whole numbers when it is an ``int``.
        default: The value a new tab starts with.
        describe: The value as the page shows it, with its unit.
    """

    name: str
    label: str
    minimum: float
    maximum: float
    step: float
    default: float
    describe: Callable[[float], str]

    @property
    def whole(self) -> bool:
        """Whether the slider takes whole numbers only."""
        return isinstance(self.step, int)


def _deadline(start: dt.date, day: float) -> str:
    return f"day {int(day)} · {start + dt.timedelta(days=int(day)):%d %b %Y}"


def _share(value: float) -> str:
    return f"{value:.2f} (0 = none, 1 = full)"


def _beta(value: float) -> str:
    stance = "tough (Boulware)" if value < 1 else "linear" if value == 1 else "conceding (Conceder)"
    return f"β = {value:.2f}: {stance}"


@functools.lru_cache(maxsize=8)
def model_knobs(base: tuple[str, ...] = ()) -> tuple[Knob, ...]:
    """The model's sliders for the default config with Hydra overrides ``base``: defaults, labels
    and dates from its scenario, the partner sliders for its focus partner (``focus_of``). A
    setting the scenario lacks (no election, a strategy without β) has no slider."""
    scenario = compose_study(base).scenario
    focus, base_settings = focus_of(scenario), Settings.of(scenario)
    knobs = [Knob("deadline_day", "Deadline", 30, 170, 1, base_settings.deadline_day,
                  functools.partial(_deadline, scenario.start))]
    if base_settings.election_weight is not None:
        knobs.append(Knob("election_weight", f"{focus.name} election weight", 0.0, 1.0, 0.05,
                          base_settings.election_weight, _share))
    knobs.append(Knob("stress_sensitivity", "US stress sensitivity", 0.0, 1.0, 0.05,
                      base_settings.stress_sensitivity, _share))
    if base_settings.us_beta is not None:
        knobs.append(Knob("us_beta", "US concession β", 0.1, 3.0, 0.1, base_settings.us_beta, _beta))
    if base_settings.partner_beta is not None:
        knobs.append(Knob("partner_beta", f"{focus.name} concession β", 0.1, 3.0, 0.1,
                          base_settings.partner_beta, _beta))
    return tuple(knobs)


PACE_KNOBS = (
    Knob("play_ms", "Play interval", 0, 1000, 50, 300, lambda ms: f"{int(ms)} ms between frames"),
    Knob("days_per_frame", "Days per frame", 1, 30, 1, 1,
         lambda n: "1 day per frame" if n == 1 else f"{int(n)} days per frame"),
)
DEFAULT_SEED = "2025"


class Session:
    """One tab's explorer: the settings on the sliders, the model they built, play or pause.

    The sliders set the next model; ``reset`` builds it. ``step`` never goes past the last day of
    the horizon, and reaching it stops play. A lock makes a step and a reset (a click while the
    play thread steps) follow one another.

    Args:
        base: Hydra overrides of the default config that the sliders apply to (none: the baseline).
    """

    def __init__(self, base: tuple[str, ...] = ()) -> None:
        self.base = base
        self.model_knobs = model_knobs(base)
        self.sliders: dict[str, Knob] = {knob.name: knob for knob in self.model_knobs + PACE_KNOBS}
        self.values: dict[str, float] = {name: knob.default for name, knob in self.sliders.items()}
        self.seed_text = DEFAULT_SEED
        self.playing = False
        self.error: str | None = None
        self._lock = threading.RLock()
        self.model = self._build()

    def set_value(self, name: str, value: float) -> None:
        """Moves slider ``name`` to ``value`` (kept within the slider's range)."""
        knob = self.sliders[name]
        value = min(max(value, knob.minimum), knob.maximum)
        self.values[name] = int(value) if knob.whole else float(value)

    def _build(self) -> ExplorerModel:
        return ExplorerModel(**{k.name: self.values[k.name] for k in self.model_knobs}, seed=self.seed_text,
                             base=self.base)

    def reset(self) -> None:
        """Builds a new model from the sliders and the seed; stops play.

        A seed that is not a whole number keeps the running model and sets ``error``.
        """
        with self._lock:
            self.playing = False
            try:
                self.model = self._build()
            except ValueError as error:  # a ConfigError is a ValueError too
                self.error = f"{error}; the model was not rebuilt"
            else:
                self.error = None

    @property
    def at_end(self) -> bool:
        """Whether the model has played the last day of its horizon."""
        return self.model.day > self.model.last_day

    def step(self, days: int = 1) -> int:
        """Plays up to ``days`` days, never past the horizon; returns how many it played.

        Reaching the last day stops play.
        """
        with self._lock:
            played = 0
            while played < days and not self.at_end:
                self.model.step()
                played += 1
            if self.at_end:
                self.playing = False
            return played

    def toggle_play(self) -> None:
        """Play when paused (unless at the end), pause when playing."""
        with self._lock:
            self.playing = not self.playing and not self.at_end

    def pause(self) -> None:
        """Stops play (the tab was closed, say)."""
        self.playing = False

    @property
    def can_step(self) -> bool:
        """Step is enabled: paused, with days left."""
        return not self.playing and not self.at_end

    @property
    def can_toggle(self) -> bool:
        """The play/pause button is enabled: it can pause, or there are days left to play."""
        return self.playing or not self.at_end

    @property
    def toggle_label(self) -> str:
        """The play/pause button's label: what pressing it does."""
        return PAUSE if self.playing else PLAY

    @property
    def pending(self) -> bool:
        """Whether the sliders or the seed differ from the running model's (Reset applies them)."""
        knobs = self.model.knobs
        return (any(getattr(knobs, k.name) != self.values[k.name] for k in self.model_knobs)
                or self.seed_text.strip() != str(self.model.seed))

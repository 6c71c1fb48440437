"""One browser tab's explorer: its settings, its model and whether it plays (no Solara here).

The page (``sim/apps/app.py``) keeps one ``Session`` per tab and draws its controls from the session's
properties, so the rules of the controls live here and are tested without a browser: stepping
stops at the last day of the horizon, Play stops there too, and the buttons that can do nothing
are disabled.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sim.apps.explorer import ExplorerModel, Settings, compose_study

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


def horizon_start() -> dt.date:
    """The first day of the baseline's horizon (day 0)."""
    return compose_study().scenario.start


def _deadline(day: float) -> str:
    return f"day {int(day)} · {horizon_start() + dt.timedelta(days=int(day)):%d %b %Y}"


def _share(value: float) -> str:
    return f"{value:.2f} (0 = none, 1 = full)"


def _beta(value: float) -> str:
    stance = "tough (Boulware)" if value < 1 else "linear" if value == 1 else "conceding (Conceder)"
    return f"β = {value:.2f}: {stance}"


_BASE = Settings()
MODEL_KNOBS = (
    Knob("deadline_day", "Deadline", 30, 170, 1, _BASE.deadline_day, _deadline),
    Knob("japan_election_weight", "Japan election weight", 0.0, 1.0, 0.05, _BASE.japan_election_weight,
         _share),
    Knob("stress_sensitivity", "US stress sensitivity", 0.0, 1.0, 0.05, _BASE.stress_sensitivity, _share),
    Knob("us_beta", "US concession β", 0.1, 3.0, 0.1, _BASE.us_beta, _beta),
    Knob("japan_beta", "Japan concession β", 0.1, 3.0, 0.1, _BASE.japan_beta, _beta),
)
PACE_KNOBS = (
    Knob("play_ms", "Play interval", 0, 1000, 50, 300, lambda ms: f"{int(ms)} ms between frames"),
    Knob("days_per_frame", "Days per frame", 1, 30, 1, 1,
         lambda n: "1 day per frame" if n == 1 else f"{int(n)} days per frame"),
)
KNOBS = {knob.name: knob for knob in MODEL_KNOBS + PACE_KNOBS}
DEFAULT_SEED = "2025"


class Session:
    """One tab's explorer: the settings on the sliders, the model they built, play or pause.

    The sliders set the next model; ``reset`` builds it. ``step`` never goes past the last day of
    the horizon, and reaching it stops play. A lock makes a step and a reset (a click while the
    play thread steps) follow one another.
    """

    def __init__(self) -> None:
        self.values: dict[str, float] = {name: knob.default for name, knob in KNOBS.items()}
        self.seed_text = DEFAULT_SEED
        self.playing = False
        self.error: str | None = None
        self._lock = threading.RLock()
        self.model = self._build()

    def set_value(self, name: str, value: float) -> None:
        """Moves slider ``name`` to ``value`` (kept within the slider's range)."""
        knob = KNOBS[name]
        value = min(max(value, knob.minimum), knob.maximum)
        self.values[name] = int(value) if knob.whole else float(value)

    def _build(self) -> ExplorerModel:
        return ExplorerModel(**{k.name: self.values[k.name] for k in MODEL_KNOBS}, seed=self.seed_text)

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
        return (any(getattr(knobs, k.name) != self.values[k.name] for k in MODEL_KNOBS)
                or self.seed_text.strip() != str(self.model.seed))

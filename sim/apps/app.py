"""The interactive explorer: one scenario, day by day, in the browser.

Start it with ``solara run sim/apps/app.py --no-check-version`` (needs ``pip install -e ".[viz]"``;
see docs/explorer.md). Each browser tab has its own model (``sim.apps.explorer_session.Session``): the
sliders set the next model, Reset builds it, Step plays a day and ▶ plays to the end of the horizon.

The page stays on this machine: solara's JavaScript comes from ``solara-assets`` through the local
server, and solara's usage telemetry is off unless ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` says
otherwise (``--no-check-version`` skips the command's own call to PyPI).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import matplotlib.dates as mdates
import pandas as pd
import solara
import solara.lab
import solara.server.settings
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.apps.explorer import ExplorerModel, event_lines, live_tables, status_line
from sim.apps.explorer_session import PACE_KNOBS, Knob, Session
from sim.core.issues import us_lines
from sim.plots.figure_style import color_of, name_of, shared_dates

SCREEN_DPI = 96  # the live charts are redrawn every step: screen resolution is enough
TITLE = "tariffsim explorer: the 2025 US tariff negotiations"


def stay_offline() -> None:
    """Turns solara's usage telemetry (Mixpanel, and an IP lookup) off unless the environment
    sets it: a researcher's page should not report to anyone. Solara reads the setting when the
    server has loaded this page, so setting it here is in time."""
    if not any(key.upper() == "SOLARA_TELEMETRY_MIXPANEL_ENABLE" for key in os.environ):
        solara.server.settings.telemetry.mixpanel_enable = False


stay_offline()


def _live_figure(model: ExplorerModel, which: str) -> Figure | None:
    """The offers or the tariffs of the days so far, one panel per partner, on the whole horizon.

    Lighter than the paper figures of ``sim.plots.figures`` (no constrained layout, fixed ticks) so
    that a step redraws in a fraction of a second; same colours and line conventions.
    """
    if model.day == 0:
        return None
    series = live_tables(model)["timeseries"]
    series["date"] = mdates.date2num(pd.to_datetime(series["date"]))
    order = list(model.scenario.partners)  # the scenario's order, as in the paper figures
    partners = sorted((p.code for p in model.partners), key=lambda c: order.index(c) if c in order else len(order))
    styles = _styles(model)
    rows_of_panels = -(-(len(partners) + 1) // 3)  # one panel per partner and one for the legend
    fig = Figure(figsize=(8.0, 2.3 * rows_of_panels), dpi=SCREEN_DPI)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.1, wspace=0.08, hspace=0.3)
    axes = fig.subplots(rows_of_panels, 3, sharex=True, sharey=True).ravel()
    for ax in axes[len(partners) + 1:]:
        ax.axis("off")
    shared_dates(list(axes), len(partners), 3)  # months under each column's last panel
    lines = us_lines(model.scenario.issues)
    for ax, partner in zip(axes, partners):
        rows = series[series["partner"] == partner]
        colour = color_of(partner, styles)
        handles = _draw_offers(ax, rows, colour) if which == "offers" else _draw_tariffs(ax, rows, colour, lines)
        _mark_days(ax, model, partner, rows)
        ax.set_title(name_of(partner, styles), color=color_of(partner, styles),
                     fontsize=10, fontweight="bold", pad=2)
        ax.grid(axis="y", lw=0.4, alpha=0.5)
    handles += [(Line2D([], [], color="0.4", lw=0.9), "deadline in force"),
                (Line2D([], [], color="0.4", lw=0.9, ls="-."), "election"),
                (Patch(color="0.5", alpha=0.2, lw=0), "deal in force")]
    legend = axes[len(partners)]
    legend.axis("off")
    legend.legend(*zip(*handles), loc="center", fontsize=8, frameon=False,
                  title="black: utility to the US\ncolour: utility to the partner" if which == "offers"
                  else "colour: the partner", title_fontsize=8)
    first = axes[0]
    first.set_xlim(mdates.date2num(model.scenario.start), mdates.date2num(model.scenario.end))
    first.xaxis.set_major_locator(mdates.MonthLocator())
    first.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    for ax in axes:
        ax.tick_params(labelsize=8)
    if which == "offers":
        first.set_ylim(-0.02, 1.05)
        fig.supylabel("utility (0–1)", fontsize=9)
        fig.suptitle(f"Offers on the table to {model.date_of(model.day - 1):%d %b %Y}: "
                     "each side's utility", fontsize=10)
    else:
        tariffs = [f"tariff_{line}" for line in us_lines(model.scenario.issues)]
        first.set_ylim(0, max(50.0, float(series[tariffs].max().max()) + 5))
        fig.supylabel("US tariff in force (%)", fontsize=9)
        fig.suptitle(f"US tariffs in force to {model.date_of(model.day - 1):%d %b %Y}", fontsize=10)
    fig.text(0.5, 0.01, f"date ({model.scenario.start.year})", ha="center", fontsize=9)
    return fig


def _styles(model: ExplorerModel) -> dict[str, dict[str, dict[str, str | None]]]:
    """Each partner's name and colour from the scenario, shaped like summary.json's ``partners``."""
    return {"partners": {code: {"name": p.name, "colour": p.colour} for code, p in model.scenario.partners.items()}}


def _draw_offers(ax: Axes, rows: pd.DataFrame, colour: str) -> list[tuple[object, str]]:
    """Draws one partner's offers; returns neutral legend handles (grey for the partner's colour)."""
    out = []
    for column, style, whose, label in (
            ("us_offer_us", "-", "black", "US offer, to the US"),
            ("us_offer_partner", "-", colour, "US offer, to the partner"),
            ("partner_offer_us", ":", "black", "partner's offer, to the US"),
            ("partner_offer_partner", ":", colour, "partner's offer, to the partner"),
            ("partner_win_set", "--", colour, "least the partner can ratify")):
        lw = 1.3 if style != "--" else 0.9
        ax.plot(rows["date"], rows[column], color=whose, ls=style, lw=lw)
        out.append((Line2D([], [], color="black" if whose == "black" else "0.55", ls=style, lw=lw), label))
    return out


_SECTOR_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1)))  # sector lines, in the scenario's order


def _draw_tariffs(ax: Axes, rows: pd.DataFrame, colour: str, lines: tuple[str, ...]) -> list[tuple[object, str]]:
    """Draws one partner's US tariff lines (``lines``: the headline first; a line that does not
    apply to the partner is all NaN and draws nothing); returns neutral legend handles."""
    out = []
    for i, line in enumerate(lines):
        style, lw = ("-", 1.8) if i == 0 else (_SECTOR_STYLES[(i - 1) % len(_SECTOR_STYLES)], 1.0)
        ax.step(rows["date"], rows[f"tariff_{line}"], where="post", color=colour, lw=lw, ls=style)
        out.append((Line2D([], [], color="0.55", lw=lw, ls=style), f"{line} (headline)" if i == 0 else line))
    return out


def _mark_days(ax: Axes, model: ExplorerModel, partner: str, rows: pd.DataFrame) -> None:
    """The deadline in force (grey), the partner's election (dash-dot) and its deal (shaded)."""
    ax.axvline(mdates.date2num(model.date_of(model.deadline_day)), color="0.4", lw=0.9)
    election = next((p.election_day for p in model.partners if p.code == partner), None)
    if election is not None:
        ax.axvline(mdates.date2num(model.date_of(election)), color="0.4", lw=0.9, ls="-.")
    dealt = rows.loc[rows["status"] == "deal", "date"]
    if not dealt.empty:
        ax.axvspan(dealt.iloc[0], dealt.iloc[-1], color=color_of(partner, _styles(model)), alpha=0.1, lw=0)


def _heading(title: str, text: str, classes: list[str] | None = None) -> None:
    with solara.Row(gap="6px", classes=classes or []):
        solara.Text(f"{title}:", style={"font-weight": "bold"})
        solara.Text(text)


def _chart(model: ExplorerModel, which: str) -> None:
    # The model changes in place: its identity and day say when to redraw.
    fig = solara.use_memo(lambda: _live_figure(model, which), dependencies=[id(model), model.day])
    if fig is None:
        start = model.scenario.start
        solara.Info(f"Press Step or ▶ to start the negotiations (day 0: {start.day} {start:%b %Y}).")
        return
    solara.FigureMatplotlib(fig, format="png", dpi=SCREEN_DPI, dependencies=[id(model), model.day])


@solara.component
def OffersChart(model: ExplorerModel, day: int) -> None:
    """Each side's utility of the latest offers, per partner (``day`` makes it redraw)."""
    with solara.Column(classes=["tariffsim-offers"]):
        _heading("Offers", "each side's utility of the latest offers, per partner")
        _chart(model, "offers")


@solara.component
def TariffChart(model: ExplorerModel, day: int) -> None:
    """The US headline tariff in force on each partner (``day`` makes it redraw)."""
    with solara.Column(classes=["tariffsim-tariffs"]):
        _heading("Tariffs", "the US headline tariff in force on each partner")
        _chart(model, "tariffs")


@solara.component
def Status(model: ExplorerModel, day: int) -> None:
    """Where the run stands: day, date, deadline, stress, settings (``day`` makes it redraw)."""
    _heading("Status", status_line(model), classes=["tariffsim-status"])


@solara.component
def EventLog(model: ExplorerModel, day: int) -> None:
    """The run's last 30 events, newest first (``day`` makes it redraw)."""
    with solara.Column(classes=["tariffsim-log"]):
        _heading("Last 30 events", "newest first; the sliders apply on Reset")
        lines = event_lines(model, 30)[::-1]
        solara.Preformatted("\n".join(lines) if lines else "no events yet",
                            style_="font-size: 11px; white-space: pre-wrap; margin: 0")


@solara.component
def KnobSlider(knob: Knob, value: float, on_value: Callable[[float], None]) -> None:
    """A slider with its current value and unit written under it."""
    slider = solara.SliderInt if knob.whole else solara.SliderFloat
    with solara.Column(gap="0px", classes=[f"tariffsim-knob-{knob.name}"]):
        slider(knob.label, value=value, min=knob.minimum, max=knob.maximum, step=knob.step,
               on_value=on_value, thumb_label=False)
        solara.Text(knob.describe(value), classes=["tariffsim-value"],
                    style={"font-size": "12px", "margin-top": "-12px"})


@solara.component
def Controls(session: Session, changed: Callable[[], None], version: int) -> None:
    """Reset, play/pause and Step, enabled as the session allows, and the pace sliders.

    The session changes in place: a new ``version`` makes the controls redraw.
    """
    def do(action: Callable[[], object]) -> Callable[[], None]:
        return lambda: (action(), changed())

    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=do(session.reset))
        solara.Button(session.toggle_label, color="primary", on_click=do(session.toggle_play),
                      disabled=not session.can_toggle)
        solara.Button("Step", color="primary", on_click=do(session.step), disabled=not session.can_step)
    for knob in PACE_KNOBS:
        KnobSlider(knob, session.values[knob.name],
                   lambda v, name=knob.name: (session.set_value(name, v), changed()))


@solara.component
def Parameters(session: Session, changed: Callable[[], None], version: int) -> None:
    """The model's sliders and seed; they apply on Reset (a new ``version`` redraws them)."""
    for knob in session.model_knobs:
        KnobSlider(knob, session.values[knob.name],
                   lambda v, name=knob.name: (session.set_value(name, v), changed()))

    def set_seed(text: str) -> None:
        session.seed_text = text
        changed()

    solara.InputText("Random seed (whole number)", value=session.seed_text, on_value=set_seed)
    if session.pending:
        solara.Info("Press Reset to build a model with these settings.", dense=True)
    if session.error:
        solara.Error(session.error, dense=True)


@solara.component
def Page() -> None:
    """The explorer: one ``Session`` per browser tab, built when the tab opens."""
    session = solara.use_memo(Session, dependencies=[])
    version, set_version = solara.use_state(0)  # each change of the session makes a new version

    def changed() -> None:
        set_version(lambda v: v + 1)

    def play() -> None:
        # Runs in a thread while the tab plays; the session stops play at the last day.
        while session.playing:
            time.sleep(session.values["play_ms"] / 1000)
            session.step(int(session.values["days_per_frame"]))
            changed()

    solara.lab.use_task(play, dependencies=[session.playing], prefer_threaded=True)
    solara.use_effect(lambda: session.pause, dependencies=[])  # a closed tab stops playing

    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            Controls(session, changed, version)
        with solara.Card("Model parameters"):
            Parameters(session, changed, version)
    model = session.model
    with solara.Column():
        Status(model, model.day)
        OffersChart(model, model.day)
        TariffChart(model, model.day)
        EventLog(model, model.day)

"""The look every figure shares: partner colours and names, reference lines, panel grids, one
legend panel, rate ribbons, and one saver that writes each figure as PNG and SVG.

Built on :class:`~matplotlib.figure.Figure` objects without pyplot: importing this module changes
no global matplotlib state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from sim.io.files import atomic_write

Writer = Callable[[Path, Callable[[Path], None]], None]  # atomic_write and what stands in for it

# Partners' names and colours come from summary.json (each partner's ``name`` and ``colour``, from
# its country YAML or the scenario's colour cycle); the US, the hub, is drawn in black.
US_COLOUR = "#000000"
US_CODE = "USA"  # the hub's code in tables and events (sim.config.scenario.RESERVED_CODES)
UNKNOWN_COLOUR = "0.5"  # a partner summary.json does not describe (grey)
FIGSIZE = (11.0, 6.0)
DPI = 150
REFERENCE_COLOR = "0.35"
RIBBON = 2.0  # half-thickness, in tariff points, of a rate's ribbon when every replication is at it


def to_dates(values: pd.Series | list[object]) -> pd.Series:
    """Converts date32 objects, strings or datetime64 values to datetime64, NaT where missing."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    return pd.to_datetime(series, errors="coerce")


def parse_day(value: str | None) -> pd.Timestamp | None:
    """An ISO date of summary.json as a timestamp (None stays None)."""
    return None if not value else pd.Timestamp(value)


def short_date(day: pd.Timestamp) -> str:
    """``9 Jul``: a date as the reference-line labels write it."""
    return f"{day.day} {day:%b}"


def partner_order(codes: Iterable[str], order: Iterable[str] | dict[str, Any] | None = None) -> list[str]:
    """The partners among ``codes`` in the scenario's order (``order``: the scenario's partner codes,
    or a summary.json whose ``partners`` lists them); codes it does not list last, as they come
    (result tables list partners in the scenario's order), and the US is never a partner. Every table and figure uses this one order."""
    if isinstance(order, dict):
        order = order.get("partners") or {}
    known = list(order or ())
    codes = list(dict.fromkeys(codes))
    present = set(codes) - {US_CODE}
    return list(dict.fromkeys(p for p in known if p in present)) + [c for c in codes if c in present and c not in known]


def _row(partner: str, summary: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``partner``'s row of the summary's ``partners`` block (empty when there is none)."""
    rows = summary.get("partners") if isinstance(summary, Mapping) else None
    row = rows.get(partner) if isinstance(rows, Mapping) else None
    return row if isinstance(row, Mapping) else {}


def color_of(partner: str, summary: Mapping[str, Any] | None = None) -> str:
    """The partner's colour: the one summary.json gives it (its country YAML's, or the scenario's
    colour cycle's), black for the US, else grey."""
    return str(_row(partner, summary).get("colour") or (US_COLOUR if partner == US_CODE else UNKNOWN_COLOUR))


def name_of(partner: str, summary: Mapping[str, Any] | None = None) -> str:
    """The partner's name: from summary.json, else its code."""
    return str(_row(partner, summary).get("name") or partner)


def label_of(partner: str, summary: Mapping[str, Any] | None = None) -> str:
    """``Japan (JPN)``: a panel title or tick label."""
    return f"{name_of(partner, summary)} ({partner})"


def events_of(events: pd.DataFrame, kind: str, run_id: int | None = None) -> pd.DataFrame:
    """The events of one ``kind`` (of one replication when ``run_id`` is given)."""
    if events.empty or "kind" not in events.columns:
        return pd.DataFrame(columns=["run_id", "date", "kind", "target"])
    chosen = events[events["kind"] == kind]
    return chosen if run_id is None else chosen[chosen["run_id"] == run_id]


def date_axis(ax: Axes) -> None:
    """Concise date ticks on the x axis, the year written once."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    # The year alone as offset: the horizon never spans more than a year or so.
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator, offset_formats=["", "%Y", "%Y", "%Y", "%Y", "%Y"]))


def _reference_line(ax: Axes, day: pd.Timestamp, label: str, style: object, alpha: float,
                    after: bool = False) -> None:
    """A grey vertical line with its label written along it, left of it unless ``after``."""
    ax.axvline(day, color=REFERENCE_COLOR, lw=0.9, ls=style, alpha=alpha, zorder=0)
    low, high = ax.get_xlim()
    # Labels of later lines go right of them so that close dates do not stack their labels,
    # unless that would push the label out of the axes.
    after = after and (mdates.date2num(day) - low) < 0.9 * (high - low)
    if label:
        ax.text(day, 0.02, label, transform=ax.get_xaxis_transform(), rotation=90,
                ha="left" if after else "right",
                va="bottom", fontsize=7, color=REFERENCE_COLOR, zorder=1,  # data lines on top
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})


def mark_study_dates(ax: Axes, summary: dict[str, Any], runs: pd.DataFrame, partner: str) -> None:
    """Unlabelled reference lines of the study figures: the original deadline (solid), the extended
    deadlines of ``runs`` (dotted) and ``partner``'s election, if any (dash-dot)."""
    original = pd.Timestamp(summary["deadline"])
    ax.axvline(original, color=REFERENCE_COLOR, lw=0.9)
    if "final_deadline" in runs:
        for day in pd.to_datetime(runs["final_deadline"]).dropna().unique():
            if day != original:
                ax.axvline(day, color=REFERENCE_COLOR, lw=0.9, ls=":")
    election = (summary.get("elections") or {}).get(partner)
    if election:
        ax.axvline(pd.Timestamp(election), color=REFERENCE_COLOR, lw=0.9, ls="-.")


def mark_references(ax: Axes, summary: dict[str, Any], deadlines: pd.Series | list[object],
                     elections_of: Iterable[str], extended_note: str = "") -> set[str]:
    """Draws and labels the original deadline, the deadlines it moved to, and elections.

    Moved deadlines (values of ``deadlines`` other than ``summary["deadline"]``) get one light
    line each and a single label on their median; past four of them, only the median is drawn.
    Returns the line styles drawn, for the legend.
    """
    drawn = set()
    original = parse_day(summary.get("deadline"))
    if original is not None:
        _reference_line(ax, original, f"deadline {short_date(original)}", "-", 0.9)
        drawn.add("-")
    moved = sorted(pd.Timestamp(d) for d in to_dates(deadlines).dropna().unique()
                   if d != original)
    if moved:
        median = moved[(len(moved) - 1) // 2]
        shown = moved if len(moved) <= 4 else [median]
        verb = "extended" if original is None or median > original else "moved"
        what = f"{verb} to {short_date(median)}" if len(moved) == 1 else (
            f"{verb} (median {short_date(median)})")
        for day in shown:
            label = f"{what}\n{extended_note}".strip() if day == median else ""
            _reference_line(ax, day, label, ":", 0.7, after=True)
        drawn.add(":")
    wanted = set(elections_of)
    by_day: dict[str, list[str]] = {}
    for partner, day in (summary.get("elections") or {}).items():
        if partner in wanted:
            by_day.setdefault(day, []).append(partner)
    for day, codes in sorted(by_day.items()):  # one line and label per day, however many vote then
        who = ", ".join(codes[:2]) + (f" +{len(codes) - 2}" if len(codes) > 2 else "")
        _reference_line(ax, pd.Timestamp(day), f"{who} election{'s' if len(codes) > 1 else ''}", "-.", 0.9)
        drawn.add("-.")
    return drawn


PANEL_COLUMNS = 3  # panels per row of the per-partner figures
PANEL_HEIGHT = 2.0  # inches per row of panels: the figure grows with the partners, the panels do not shrink


def panel_grid(n_panels: int) -> tuple[Figure, list[Axes]]:
    """A figure with one panel per partner plus one more (the legend), in rows of up to three, on
    shared axes; its height grows with the rows. Every panel with no panel below it keeps its date
    labels (``shared_dates``)."""
    cols = min(PANEL_COLUMNS, n_panels + 1)
    rows = -(-(n_panels + 1) // cols)
    fig = Figure(figsize=(FIGSIZE[0], max(FIGSIZE[1], 1.4 + PANEL_HEIGHT * rows)), dpi=DPI, layout="constrained")
    axes = list(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel())
    for ax in axes[n_panels:]:
        ax.axis("off")
    shared_dates(axes, n_panels, cols)
    return fig, axes


def shared_dates(axes: list[Axes], n_panels: int, cols: int) -> None:
    """Shared x axes show their tick labels on the grid's bottom row only; a panel whose cell below
    is empty (the legend's, or none) is a bottom panel too, and gets them back."""
    for i, ax in enumerate(axes[:n_panels]):
        if i + cols >= n_panels:
            ax.tick_params(axis="x", labelbottom=True)


def legend_panel(ax: Axes, handles: list[object], labels: list[str], title: str,
                  references: set[str], extended_note: str = "") -> None:
    """Fills an empty panel with the figure's one legend, the reference lines drawn included."""
    for style, words in (("-", "original deadline"), (":", f"deadline extended {extended_note}"),
                         ("-.", "election")):
        if style not in references:
            continue
        handles.append(Line2D([], [], color=REFERENCE_COLOR, lw=0.9, ls=style))
        labels.append(words.strip())
    ax.legend(handles, labels, loc="center", fontsize=8, title_fontsize=8, frameon=False,
              handlelength=4, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)},
              title=title)


def partner_lines(partners: list[str], style: object, lw: float = 1.6,
                  summary: Mapping[str, Any] | None = None) -> tuple[Line2D, ...]:
    """One legend line per partner, in its colour (``color_of``)."""
    return tuple(Line2D([], [], color=color_of(p, summary), ls=style, lw=lw) for p in partners)


def headline_column(columns: Iterable[str]) -> str:
    """The headline US line's ``tariff_<line>`` among timeseries ``columns``: the first of them
    (``timeseries.parquet`` holds one per US line the scenario declares, the headline first)."""
    found = next((c for c in columns if c.startswith("tariff_")), None)
    if found is None:
        raise KeyError("no tariff_<line> column: a timeseries.parquet holds one per US tariff line, the headline first")
    return found


def rate_shares(rows: pd.DataFrame) -> pd.DataFrame:
    """The share of replications at each headline rate in force, per day (rates to 0.1 point).

    Args:
        rows: One partner's timeseries rows (``date`` and the headline line's ``tariff_<line>``).

    Returns:
        Dates by rates; each row sums to 1.
    """
    counts = (rows.assign(rate=rows[headline_column(rows.columns)].round(1))
              .groupby(["date", "rate"]).size().unstack(fill_value=0))
    return counts.div(counts.sum(axis=1), axis=0)


LABEL_SHARE = 0.05  # a rate is labelled with its share at the horizon when at least this many runs hold it
LABEL_GAP = 2.5  # tariff points between two labels (the larger share keeps its label)


def rate_ribbons(ax: Axes, shares: pd.DataFrame, colour: str) -> None:
    """One ribbon per rate, as thick as the share of replications at that rate each day (full
    thickness: every run), labelled with its share at the horizon: runs that part show as ribbons
    that split, even where the median does not move. Only rates held by ``LABEL_SHARE`` of the
    runs are labelled, the largest shares first, at least ``LABEL_GAP`` points apart (interior
    deals spread the rates: a label for each would overprint the next)."""
    dates = shares.index
    labels = []
    for rate in shares.columns:
        share = shares[rate]
        if share.max() < 0.01:
            continue
        half = RIBBON * share
        drawn = ax.fill_between(dates, rate - half, rate + half, step="post", color=colour, alpha=0.55, lw=0)
        drawn.set_gid(f"rate {rate:g}")
        last = share.iloc[-1]
        if LABEL_SHARE <= last < 1.0:
            labels.append((last, rate + half.iloc[-1]))
    placed: list[float] = []
    for last, y in sorted(labels, reverse=True):
        if all(abs(y - other) >= LABEL_GAP for other in placed):
            placed.append(y)
            ax.annotate(f"{last:.0%}", (dates[-1], y), xytext=(-2, 1),
                        textcoords="offset points", ha="right", va="bottom", fontsize=7, color="0.2")


FORMATS = ("png", "svg")  # raster for screens and the HTML report, vector for papers


def save_figure(fig: Figure, path: Path, write: Writer = atomic_write) -> list[Path]:
    """Saves ``fig`` as PNG at ``path`` and as SVG beside it, each through a temporary file and a
    rename (complete or absent); every figure of every command is saved here.

    Args:
        fig: The figure.
        path: Where the PNG goes (the SVG gets the same name with ``.svg``).
        write: ``write(path, fill)`` that fills a temporary file and gives it its final name.

    Returns:
        The paths written, PNG first.
    """
    written = []
    for suffix in FORMATS:
        target = Path(path).with_suffix(f".{suffix}")
        write(target, lambda tmp, form=suffix: fig.savefig(tmp, format=form, dpi=DPI))
        written.append(target)
    return written

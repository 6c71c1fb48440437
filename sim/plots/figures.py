"""Paper figures drawn from a run's result files alone (see docs/results.md).

Every function here takes the tables a run writes (Parquet, read into DataFrames) and the parsed
``summary.json``; none touches a model. Figures are built as :class:`~matplotlib.figure.Figure`
objects without pyplot, so importing this module changes no global matplotlib state.
``write_figures`` reads only the columns the figures use, and of the per-day table only the first
``FIGURE_RUNS`` replications, so that its memory stays bounded however many replications ran.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.figure_style import (DPI, FIGSIZE, FORMATS, US_COLOUR, REFERENCE_COLOR, RIBBON,
                              Writer, color_of, date_axis, events_of, label_of, legend_panel, mark_references,
                              panel_grid, parse_day, partner_lines, partner_order, rate_ribbons, rate_shares,
                              save_figure, short_date, to_dates, headline_column)

__all__ = ["DPI", "FIGSIZE", "FIGURE_RUNS", "FORMATS", "US_COLOUR", "REFERENCE_COLOR", "RIBBON",
           "Writer", "first_runs", "partner_order", "plot_dance", "plot_deal_dates", "plot_tariff_paths",
           "rate_ribbons", "rate_shares", "read_columns", "run_figures", "save_figure", "write_figures"]

_FILES = ("dance.png", "tariff_paths.png", "deal_dates.png")  # each with an SVG beside it
# Replications are i.i.d., so the first FIGURE_RUNS of them are a fair sample for the per-day
# quantile bands and the example run, while every replication would cost memory (10^5 of them
# make ~10^8 timeseries rows). Counts and shares over replications still take every one.
FIGURE_RUNS = 1_000
_RUN_COLUMNS = ["run_id", "partner", "deal_date", "final_deadline"]
_TIMESERIES_COLUMNS = ["run_id", "date", "partner", "deadline", "us_offer_us",
                       "us_offer_partner", "partner_offer_us", "partner_offer_partner", "us_reservation",
                       "partner_reservation"]
_EVENT_COLUMNS = ["run_id", "date", "kind", "target"]

# The dance: colour says whose utility it is, line style says whose offer (or the reservation).
_OFFER_STYLES = {"us_offer": "-", "partner_offer": (0, (1, 1.2)), "reservation": "--"}
_OFFER_WORDS = {"us_offer": "US offer", "partner_offer": "partner's offer"}


def plot_dance(timeseries: pd.DataFrame, events: pd.DataFrame, summary: dict[str, Any],
               run_id: int = 0) -> Figure:
    """Draws one replication's offers and reservation values, one panel per partner.

    Colour says whose utility a line is (black: the US; the partner's colour: the partner),
    line style says which offer is valued (solid: the US's, dotted: the partner's) or that it
    is a reservation value (dashed).

    Args:
        timeseries: timeseries.parquet as a DataFrame.
        events: events.parquet as a DataFrame (``deal`` events mark the deals).
        summary: Parsed summary.json.
        run_id: The replication to draw.

    Returns:
        The figure.

    Raises:
        ValueError: If the timeseries has no rows for ``run_id``.
    """
    run = timeseries[timeseries["run_id"] == run_id].assign(
        date=lambda t: to_dates(t["date"]).to_numpy())
    if run.empty:
        raise ValueError(f"timeseries has no rows for run_id {run_id}")
    partners = partner_order(run["partner"].unique(), summary)
    deals = events_of(events, "deal", run_id)
    fig, axes = panel_grid(len(partners))
    references: set[str] = set()
    for ax, partner in zip(axes, partners):
        rows = run[run["partner"] == partner].sort_values("date")
        for side, colour in (("us", US_COLOUR), ("partner", color_of(partner, summary))):
            for offer, style in _OFFER_STYLES.items():
                column = f"{side}_{offer}" if offer == "reservation" else f"{offer}_{side}"
                ax.plot(rows["date"], rows[column], color=colour, ls=style,
                        lw=1.0 if offer == "reservation" else 1.6)
        dealt = to_dates(deals.loc[deals["target"] == partner, "date"]).dropna()
        if not dealt.empty:
            day = dealt.min()
            ax.axvspan(day, rows["date"].max(), color=color_of(partner, summary), alpha=0.08, lw=0)
            ax.plot([day], [1.06], ls="", marker="*", ms=11, color=color_of(partner, summary),
                    mec="black", mew=0.5)
            ax.annotate(f"deal {short_date(day)}", (day, 1.06), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=8)
        references |= mark_references(
            ax, summary, rows["deadline"] if "deadline" in rows else [], [partner])
        ax.set_title(label_of(partner, summary), color=color_of(partner, summary), fontweight="bold", fontsize=10)
        ax.set_ylim(-0.02, 1.14)
        ax.grid(axis="y", lw=0.4, alpha=0.5)
        date_axis(ax)
    handles: list[object] = []
    labels: list[str] = []
    for side, valuer in (("us", "the US"), ("partner", "the partner")):
        for offer, style in _OFFER_STYLES.items():
            lw = 1.0 if offer == "reservation" else 1.6
            handles.append(partner_lines(["USA"] if side == "us" else partners, style, lw, summary))
            owner = "US" if side == "us" else "partner's"
            labels.append(f"{owner} reservation value" if offer == "reservation"
                          else f"{_OFFER_WORDS[offer]}, valued by {valuer}")
    handles.append(Line2D([], [], ls="", marker="*", ms=11, color="0.5", mec="black", mew=0.5))
    labels.append("deal announced (shaded after)")
    legend_panel(axes[len(partners)], handles, labels,
                  "black: utility to the US\ncolour: utility to the partner", references)
    fig.suptitle(f"The negotiation dance (replication {run_id}): "
                 "each side's utility of the latest offers")
    fig.supxlabel("date")
    fig.supylabel("utility (0–1)")
    return fig


def plot_tariff_paths(timeseries: pd.DataFrame, events: pd.DataFrame,
                      summary: dict[str, Any], replications: int | None = None) -> Figure:
    """Draws the US headline tariff in force on each partner: the share of replications at each rate.

    One panel per partner on shared axes, so that equal tariffs never hide one another. Each rate
    in force is a ribbon as thick as the share of replications at it that day, so that runs
    which part (a deal at 15%, a letter at 25%) show as a ribbon that splits.

    Args:
        timeseries: timeseries.parquet as a DataFrame (the headline's ``tariff_<line>``, ``deadline``), or
            its rows of the first replications only.
        events: events.parquet as a DataFrame (``extension`` events of every replication give
            the share extended).
        summary: Parsed summary.json (its ``partners`` give the scenario's partner order).
        replications: How many replications the run has, when ``timeseries`` holds only the
            first of them (the title says so); by default, those in ``timeseries``.

    Returns:
        The figure.
    """
    data = timeseries.assign(date=lambda t: to_dates(t["date"]).to_numpy())
    n_runs = data["run_id"].nunique()
    total = max(replications or 0, n_runs)
    partners = partner_order(data["partner"].unique(), summary)
    fig, axes = panel_grid(len(partners))
    references: set[str] = set()
    for ax, partner in zip(axes, partners):
        mine = data[data["partner"] == partner]
        if n_runs > 1:
            rate_ribbons(ax, rate_shares(mine), color_of(partner, summary))
        else:
            path = mine.sort_values("date")
            ax.step(path["date"], path[headline_column(path.columns)], where="post", color=color_of(partner, summary), lw=2)
        references |= mark_references(
            ax, summary, data["deadline"] if "deadline" in data else [], [partner])
        ax.set_title(label_of(partner, summary), color=color_of(partner, summary), fontweight="bold", fontsize=10)
        ax.grid(axis="y", lw=0.4, alpha=0.5)
        date_axis(ax)
    axes[0].set_ylim(bottom=0)  # shared: only once all panels are drawn, or it clips them
    if n_runs > 1:
        handles: list[object] = [tuple(Patch(color=color_of(p, summary), alpha=0.55, lw=0) for p in partners)]
        labels = ["runs at each rate: thickness = share\nof runs that day (full: all runs);\n"
                  "% = share at the horizon (rates of 5% of runs or more)"]
    else:
        handles, labels = [partner_lines(partners, "-", 2.0, summary)], ["tariff in force"]
    extended = events_of(events, "extension")["run_id"].nunique()
    line = headline_column(data.columns).removeprefix("tariff_")
    legend_panel(axes[len(partners)], handles, labels, f"headline ({line}) tariff",
                  references, f"(in {extended:,} of {total:,} runs)" if total > 1 else "")
    drawn = (f"{n_runs:,} replication{'s' if n_runs != 1 else ''}" if total == n_runs
             else f"first {n_runs:,} of {total:,} replications")
    fig.suptitle(f"US headline tariff in force on each partner ({drawn})")
    fig.supxlabel("date")
    fig.supylabel("US tariff in force (%)")
    return fig


def plot_deal_dates(runs: pd.DataFrame, events: pd.DataFrame,
                    summary: dict[str, Any]) -> Figure:
    """Draws when deals were announced, one row per partner, with the share left without a deal.

    Args:
        runs: runs.parquet as a DataFrame (``deal_date``, ``final_deadline``).
        events: events.parquet as a DataFrame (``extension`` events give the share extended).
        summary: Parsed summary.json (``start``, ``end``, ``deadline``, ``elections``).

    Returns:
        The figure.
    """
    data = runs.assign(deal_date=lambda t: to_dates(t["deal_date"]).to_numpy())
    partners = partner_order(data["partner"].unique(), summary)
    n_runs = data["run_id"].nunique()
    fig = Figure(figsize=(FIGSIZE[0], max(FIGSIZE[1], 1.6 + 0.45 * len(partners))), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    ax.xaxis_date()
    for row, partner in enumerate(partners):
        mine = data[data["partner"] == partner]
        days = mine["deal_date"].dropna().sort_values()
        # Deterministic low-discrepancy jitter keeps the figure reproducible without a generator.
        jitter = ((np.arange(len(days)) * 0.618034) % 1.0 - 0.5) * 0.4
        ax.scatter(days, row + jitter, s=14, color=color_of(partner, summary), alpha=0.7, lw=0, zorder=3)
        if len(days) >= 3:
            lines = {"color": color_of(partner, summary)}
            ax.boxplot(mdates.date2num(days), positions=[row], orientation="horizontal",
                       widths=0.6, showfliers=False, manage_ticks=False, zorder=2,
                       medianprops={"color": "black", "lw": 1.5}, boxprops=lines,
                       whiskerprops=lines, capprops=lines)
        if days.empty:
            ax.text(0.02, row, "no deal in any replication", transform=ax.get_yaxis_transform(),
                    ha="left", va="center", fontsize=9, color="0.4")
        share = 1.0 - len(days) / len(mine) if len(mine) else float("nan")
        ax.text(1.01, row, f"no deal in {share:.0%}", transform=ax.get_yaxis_transform(),
                ha="left", va="center", fontsize=9)
    start, end = parse_day(summary.get("start")), parse_day(summary.get("end"))
    if start is not None and end is not None:
        ax.set_xlim(start, end)
    ax.set_ylim(len(partners) + 0.6, -0.5)  # an empty band below for the reference labels
    ax.set_yticks(range(len(partners)), [label_of(p, summary) for p in partners])
    extended = events_of(events, "extension")["run_id"].nunique()
    mark_references(ax, summary, data["final_deadline"] if "final_deadline" in data else [],
                     partners, f"({extended:,} of {n_runs:,} runs)" if n_runs > 1 else "")
    ax.grid(axis="x", lw=0.4, alpha=0.5)
    ax.set_xlabel("date the deal was announced")
    ax.set_ylabel("partner")
    date_axis(ax)
    horizon = f" by {short_date(end)}" if end is not None else ""
    fig.suptitle(f"When deals were announced ({n_runs:,} replication{'s' if n_runs != 1 else ''}"
                 f" per partner; right: share with no deal{horizon})")
    return fig


def read_columns(path: Path, columns: list[str], filters: list[Any] | None = None) -> pd.DataFrame:
    """The ``columns`` of a Parquet file, only the rows that pass ``filters``; dates as datetime64.

    Row groups whose statistics rule out every row are not read at all: result files are written
    in ``run_id`` order, so a filter on ``run_id`` reads little more than the rows it keeps.
    """
    return pq.read_table(path, columns=columns, filters=filters).to_pandas(date_as_object=False)


def headline_tariff(run_dir: Path) -> str:
    """The run's headline ``tariff_<line>`` column (the first of its timeseries' ``tariff_`` columns)."""
    return headline_column(pq.read_schema(Path(run_dir) / "timeseries.parquet").names)


def first_runs(run_ids: pd.Series) -> list[tuple[str, str, int]]:
    """A Parquet filter keeping the first ``FIGURE_RUNS`` replication ids present (ids need not
    start at 0)."""
    ids = np.sort(run_ids.unique())
    return [("run_id", "<=", int(ids[min(FIGURE_RUNS, len(ids)) - 1]))]


def run_figures(run_dir: Path, summary: dict[str, Any] | None = None) -> dict[str, Figure]:
    """Reads a run directory's result files and draws its three figures, by file name.

    The dance and the tariff bands are drawn from the first ``FIGURE_RUNS`` replications (the
    tariff figure says so when there are more); deal dates and the shares of replications with
    a deal or an extended deadline, from all of them.

    Args:
        run_dir: Directory holding runs/timeseries/events Parquet files and summary.json.
        summary: The run's summary, when ``summary.json`` is not written yet (the command
            writes it last, as the mark of a complete run directory).

    Returns:
        ``dance.png``, ``tariff_paths.png`` and ``deal_dates.png``, in that order.
    """
    run_dir = Path(run_dir)
    runs = read_columns(run_dir / "runs.parquet", _RUN_COLUMNS)
    sample = first_runs(runs["run_id"])
    timeseries = read_columns(run_dir / "timeseries.parquet", [*_TIMESERIES_COLUMNS, headline_tariff(run_dir)], sample)
    events = read_columns(run_dir / "events.parquet", _EVENT_COLUMNS,
                   [[("kind", "==", "extension")], [("kind", "==", "deal"), *sample]])
    if summary is None:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    replications = runs["run_id"].nunique()
    return dict(zip(_FILES, (
        plot_dance(timeseries, events, summary, run_id=int(timeseries["run_id"].min())),
        plot_tariff_paths(timeseries, events, summary, replications),
        plot_deal_dates(runs, events, summary),
    )))


def write_figures(run_dir: Path, summary: dict[str, Any] | None = None) -> list[Path]:
    """Writes a run's three figures (``run_figures``) under ``figures/``, each as PNG and SVG.

    Returns:
        Paths of dance.png, dance.svg, tariff_paths.png, tariff_paths.svg, deal_dates.png and
        deal_dates.svg, in that order.
    """
    out = Path(run_dir) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in run_figures(run_dir, summary).items():
        written += save_figure(fig, out / name)
    return written

"""Tests for sim.plots.figures, on synthetic result tables that follow docs/results.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.plots import figures

PARTNERS = ("JPN", "EU", "CAN", "KOR", "VNM")
NAMES = {"JPN": "Japan", "EU": "European Union", "CAN": "Canada", "KOR": "South Korea", "VNM": "Vietnam"}
COLOURS = {"JPN": "#D55E00", "EU": "#0072B2", "CAN": "#CC79A7", "KOR": "#009E73", "VNM": "#E69F00"}  # as the country YAMLs give them
START = dt.date(2025, 6, 1)
DEADLINE = dt.date(2025, 7, 9)
EXTENDED = dt.date(2025, 7, 25)
START_TARIFF = {"JPN": 24.0, "EU": 20.0, "CAN": 25.0, "KOR": 25.0, "VNM": 46.0}
# Day of the deal per (partner, run); None: no deal. CAN never settles.
DEAL_DAY = {
    "JPN": (45, 50, None),
    "EU": (30, 34, 41),
    "CAN": (None, None, None),
    "KOR": (None, 52, None),
    "VNM": (20, 25, None),
}


def make_results(n_runs: int = 3, n_days: int = 60, extended_runs: tuple[int, ...] = (0, 1),
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """Fabricates runs, timeseries, events and summary with plausible values.

    The US concedes as days pass and the partner concedes too; a deal freezes both offers and
    cuts the tariff to 15%. Runs in ``extended_runs`` move the deadline on day 30.
    """
    rng = np.random.default_rng(7)
    ts_rows, run_rows, event_rows = [], [], []
    for run_id in range(n_runs):
        seed = 1000 + run_id
        extended = run_id in extended_runs
        for index, partner in enumerate(PARTNERS):
            deal_day = DEAL_DAY[partner][run_id % 3]
            deal_day = deal_day if deal_day is not None and deal_day < n_days else None
            first_offer = 3 + index
            tariff = START_TARIFF[partner]
            frozen = None
            for day in range(n_days):
                date = START + dt.timedelta(days=day)
                deadline = EXTENDED if extended and day >= 30 else DEADLINE
                if deal_day is not None and day >= deal_day:
                    status, tariff = "deal", 15.0
                elif not extended and date > DEADLINE and deal_day is None:
                    status, tariff = "letter", START_TARIFF[partner] + 10.0
                else:
                    status = "talking"
                t = min(day, deal_day if deal_day is not None else day) / n_days
                noise = rng.normal(0, 0.01, 4)
                offers = [0.92 - 0.35 * t, 0.15 + 0.45 * t, 0.25 + 0.40 * t, 0.80 - 0.30 * t]
                values = frozen or [float(np.clip(v + e, 0, 1)) for v, e in zip(offers, noise)]
                if status == "deal":
                    frozen = values
                if day < first_offer:
                    values = [np.nan] * 4
                ts_rows.append({
                    "run_id": run_id, "seed": seed, "day": day, "date": date, "partner": partner,
                    "status": status,
                    "us_offer_us": values[0], "us_offer_partner": values[1],
                    "partner_offer_us": values[2], "partner_offer_partner": values[3],
                    "us_offer_reciprocal": tariff - 5.0, "us_offer_autos": 15.0,
                    "us_target": 0.9 - 0.3 * t, "partner_target": 0.85 - 0.3 * t,
                    "us_reservation": 0.45 + 0.02 * np.sin(day / 9),
                    "partner_reservation": 0.40 + 0.03 * np.cos(day / 7),
                    "tariff_reciprocal": tariff, "tariff_autos": 25.0, "tariff_steel": 50.0,
                    "market_stress": 0.1, "political_capital": 0.6, "deadline": deadline,
                })
            deal = deal_day is not None
            deal_date = START + dt.timedelta(days=deal_day) if deal else None
            run_rows.append({
                "run_id": run_id, "seed": seed, "partner": partner, "deal": deal,
                "deal_date": deal_date, "deal_day": deal_day, "final_tariff": tariff,
                "final_autos": 25.0, "final_steel": 50.0,
                "agreed_reciprocal": 15.0 if deal else np.nan,
                "letter": not deal and not extended, "extended_deadline": extended,
                "final_deadline": EXTENDED if extended else DEADLINE,
                "ratification_failures": 0,
                "us_utility": 0.6 if deal else np.nan, "partner_utility": 0.55 if deal else np.nan,
                "us_reservation": 0.45, "partner_reservation": 0.40,
            })
            if deal:
                event_rows.append({"run_id": run_id, "seed": seed, "day": deal_day,
                                   "date": deal_date, "kind": "deal", "actor": "USA",
                                   "target": partner, "detail": f"Deal with {partner}."})
            event_rows.append({"run_id": run_id, "seed": seed, "day": first_offer,
                               "date": START + dt.timedelta(days=first_offer), "kind": "offer",
                               "actor": "USA", "target": partner, "detail": "US offer."})
        if extended:
            event_rows.append({"run_id": run_id, "seed": seed, "day": 30,
                               "date": START + dt.timedelta(days=30), "kind": "extension",
                               "actor": "USA", "target": "ALL",
                               "detail": f"Deadline extended to {EXTENDED.isoformat()}."})
    runs = pd.DataFrame(run_rows).astype({"deal_day": "Int64"})
    summary = {
        "scenario": "synthetic", "replications": n_runs, "seed": 2025,
        "start": START.isoformat(), "end": (START + dt.timedelta(days=n_days - 1)).isoformat(),
        "deadline": DEADLINE.isoformat(), "elections": {"JPN": "2025-07-20"},
        "partners": {p: {"name": NAMES[p], "colour": COLOURS[p]} for p in PARTNERS}, "seconds": 0.1, "version": "0.1.0",
    }
    return runs, pd.DataFrame(ts_rows), pd.DataFrame(event_rows), summary


def write_results(run_dir: Path, **kwargs: object) -> None:
    runs, timeseries, events, summary = make_results(**kwargs)
    runs.to_parquet(run_dir / "runs.parquet")
    timeseries.to_parquet(run_dir / "timeseries.parquet")
    events.to_parquet(run_dir / "events.parquet")
    (run_dir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def data_axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.lines or ax.collections]


def texts(artist: Figure | Axes) -> list[str]:
    return [t.get_text() for t in artist.findobj(Text) if t.get_text()]


def panel(fig: Figure, partner: str) -> Axes:
    (ax,) = [ax for ax in fig.axes if f"({partner})" in ax.get_title()]
    return ax


def assert_readable(fig: Figure) -> None:
    """Title, labelled axes with units, dated x axes in the horizon, reference lines."""
    assert fig.get_suptitle() or all(ax.get_title() for ax in data_axes(fig))
    assert data_axes(fig)
    for ax in data_axes(fig):
        assert ax.get_xlabel() or fig.get_supxlabel()
        assert ax.get_ylabel() or fig.get_supylabel()
        assert isinstance(ax.xaxis.get_major_formatter(),
                          (mdates.ConciseDateFormatter, mdates.DateFormatter))
        low, high = (mdates.num2date(x).date() for x in ax.get_xlim())
        assert dt.date(2025, 5, 1) <= low < high <= dt.date(2025, 9, 1)
    words = " ".join(texts(fig)).lower()
    assert "deadline 9 jul" in words
    assert "jpn election" in words


@pytest.fixture(scope="module")
def results() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    return make_results()


def test_colours_are_the_summarys_and_the_us_is_black() -> None:
    from sim.plots.figure_style import color_of

    summary = make_results()[3]
    assert [color_of(p, summary) for p in PARTNERS] == [COLOURS[p] for p in PARTNERS]
    assert color_of("USA", summary) == figures.US_COLOUR == "#000000"


def test_dance_is_readable_with_shared_legend_and_deal_marks(results) -> None:
    _, timeseries, events, summary = results
    fig = figures.plot_dance(timeseries, events, summary, run_id=0)
    assert_readable(fig)
    assert "utility (0–1)" in fig.get_supylabel()
    assert len(data_axes(fig)) == len(PARTNERS)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + fig.legends
    assert len(legends) == 1
    entries = [t.get_text() for t in legends[0].get_texts()]
    for words in ("US offer, valued by the US", "partner's offer, valued by the partner",
                  "US reservation value", "partner's reservation value"):
        assert words in entries
    assert any(t.startswith("deal 16 Jul") for t in texts(panel(fig, "JPN")))
    assert not any(t.startswith("deal") for t in texts(panel(fig, "CAN")))
    assert any("extended to 25 Jul" in t for t in texts(panel(fig, "EU")))
    assert any("JPN election" in t for t in texts(panel(fig, "JPN")))
    assert not any("election" in t for t in texts(panel(fig, "EU")))


def test_dance_draws_the_run_values_with_gaps_before_the_first_offer(results) -> None:
    _, timeseries, events, summary = results
    fig = figures.plot_dance(timeseries, events, summary, run_id=1)
    rows = timeseries[(timeseries["run_id"] == 1) & (timeseries["partner"] == "KOR")]
    drawn = [line.get_ydata() for line in panel(fig, "KOR").lines if len(line.get_ydata()) > 1]
    expected = rows["us_offer_partner"].to_numpy()
    assert any(np.array_equal(y, expected, equal_nan=True) for y in drawn)
    assert np.isnan(expected[0])


def test_dance_without_extension_marks_none(results) -> None:
    _, timeseries, events, summary = results
    fig = figures.plot_dance(timeseries, events, summary, run_id=2)
    assert_readable(fig)
    assert not any("extended" in t for t in texts(fig))
    entries = [t.get_text() for t in fig.axes[len(PARTNERS)].get_legend().get_texts()]
    assert {"original deadline", "election"} <= set(entries)


def test_dance_refuses_unknown_run(results) -> None:
    _, timeseries, events, summary = results
    with pytest.raises(ValueError, match="run_id 9"):
        figures.plot_dance(timeseries, events, summary, run_id=9)


def test_tariff_paths_draw_a_ribbon_per_rate_per_partner(results) -> None:
    _, timeseries, events, summary = results
    fig = figures.plot_tariff_paths(timeseries, events, summary)
    assert_readable(fig)
    assert fig.get_supylabel() == "US tariff in force (%)"
    for partner in PARTNERS:
        mine = timeseries[timeseries["partner"] == partner]
        ribbons = [c for c in panel(fig, partner).collections if isinstance(c, PolyCollection)]
        assert {c.get_gid() for c in ribbons} == {f"rate {r:g}" for r in mine["tariff_reciprocal"].unique()}
        assert {to_hex(c.get_facecolor()[0]) for c in ribbons} == {COLOURS[partner].lower()}
        assert panel(fig, partner).get_ylim()[0] == 0
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    entries = {t.get_text() for legend in legends for t in legend.get_texts()}
    assert {"original deadline", "deadline extended (in 2 of 3 runs)", "election"} <= entries
    assert any("thickness = share" in e for e in entries)
    assert any("extended to 25 Jul" == t for t in texts(panel(fig, "VNM")))
    assert any("JPN election" in t for t in texts(panel(fig, "JPN")))


def test_tariff_paths_show_runs_that_part_where_the_median_stays_flat() -> None:
    """Two runs of three stay at 24%, one drops to 15%: the median never moves, the figure must."""
    days = pd.date_range("2025-06-01", periods=40)
    rows = [{"run_id": run, "date": day, "partner": "JPN", "deadline": DEADLINE,
             "tariff_reciprocal": 15.0 if run == 0 and i >= 20 else 24.0}
            for run in range(3) for i, day in enumerate(days)]
    series = pd.DataFrame(rows)
    shares = figures.rate_shares(series)
    assert shares.loc[days[-1]].to_dict() == pytest.approx({15.0: 1 / 3, 24.0: 2 / 3})
    summary = {"deadline": DEADLINE.isoformat(), "partners": {"JPN": {}}}
    fig = figures.plot_tariff_paths(series, pd.DataFrame(columns=["run_id", "kind"]), summary)
    japan = panel(fig, "JPN")
    low = next(c for c in japan.collections if c.get_gid() == "rate 15")
    y = low.get_paths()[0].vertices[:, 1]
    assert y.min() == pytest.approx(15 - figures.RIBBON / 3) and y.max() == pytest.approx(15 + figures.RIBBON / 3)
    assert {"33%", "67%"} <= set(texts(japan))  # the share at the horizon of each rate


def test_tariff_path_labels_skip_rare_rates_and_do_not_overprint() -> None:
    """100 runs over many rates (interior deals): 40 runs at 20%, 30 at 21% (too close to
    label), 27 at 30%, and one run each at 12%, 13% and 14% (under 5%: no label)."""
    days = pd.date_range("2025-06-01", periods=10)
    finals = [20.0] * 40 + [21.0] * 30 + [30.0] * 27 + [12.0, 13.0, 14.0]
    rows = [{"run_id": run, "date": day, "partner": "JPN", "deadline": DEADLINE, "tariff_reciprocal": rate}
            for run, rate in enumerate(finals) for day in days]
    summary = {"deadline": DEADLINE.isoformat(), "partners": {"JPN": {}}}
    fig = figures.plot_tariff_paths(pd.DataFrame(rows), pd.DataFrame(columns=["run_id", "kind"]), summary)
    shares = [t for t in texts(panel(fig, "JPN")) if t.endswith("%") and t[:-1].isdigit()]
    assert sorted(shares) == ["27%", "40%"]


def test_every_figure_follows_the_scenarios_partner_order(results) -> None:
    runs, timeseries, events, summary = results
    order = ["VNM", "CAN", "JPN", "KOR", "EU"]
    summary = {**summary, "partners": {code: {} for code in order}}
    for fig in (figures.plot_dance(timeseries, events, summary), figures.plot_tariff_paths(timeseries, events, summary)):
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert [t.split("(")[-1].rstrip(")") for t in titles] == order
    ticks = [t.get_text() for t in figures.plot_deal_dates(runs, events, summary).axes[0].get_yticklabels()]
    assert [t.split("(")[-1].rstrip(")") for t in ticks] == order


def test_deal_dates_report_no_deal_shares(results) -> None:
    runs, _, events, summary = results
    fig = figures.plot_deal_dates(runs, events, summary)
    assert_readable(fig)
    (ax,) = fig.axes
    shares = {round(t.get_position()[1]): t.get_text() for t in ax.texts
              if t.get_text().startswith("no deal in ") and "%" in t.get_text()}
    assert shares == {0: "no deal in 33%", 1: "no deal in 0%", 2: "no deal in 100%",
                      3: "no deal in 67%", 4: "no deal in 33%"}
    (empty,) = [t for t in ax.texts if t.get_text() == "no deal in any replication"]
    assert empty.get_position()[1] == PARTNERS.index("CAN")
    assert any("extended to 25 Jul\n(2 of 3 runs)" == t for t in texts(ax))
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Japan (JPN)", "European Union (EU)", "Canada (CAN)", "South Korea (KOR)", "Vietnam (VNM)"]


def test_single_replication_without_extension_or_deals(tmp_path: Path) -> None:
    runs, timeseries, events, summary = make_results(n_runs=1, extended_runs=())
    events = events[events["kind"] != "deal"]
    for fig in (figures.plot_dance(timeseries, events, summary),
                figures.plot_tariff_paths(timeseries, events, summary),
                figures.plot_deal_dates(runs.assign(deal_date=None), events, summary)):
        assert_readable(fig)
        drawn = [t for ax in data_axes(fig) for t in texts(ax)]
        assert not any("extended" in t or t.startswith("deal ") for t in drawn)
        fig.savefig(tmp_path / "figure.png")


def test_write_figures_writes_three_pngs_each_with_an_svg_and_no_temporary_files(tmp_path: Path) -> None:
    write_results(tmp_path)
    paths = figures.write_figures(tmp_path)
    assert [p.name for p in paths] == ["dance.png", "dance.svg", "tariff_paths.png", "tariff_paths.svg",
                                       "deal_dates.png", "deal_dates.svg"]
    for path in paths:
        head = path.read_bytes()[:500]
        assert head[:8] == b"\x89PNG\r\n\x1a\n" if path.suffix == ".png" else b"<svg" in head
        assert path.stat().st_size > 10_000
        assert path.stat().st_mode & 0o044 == 0o044  # readable by others, unlike mkstemp's 0600
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        p.name for p in paths)


def test_write_figures_leaves_nothing_when_saving_fails(tmp_path: Path, monkeypatch) -> None:
    write_results(tmp_path)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", fail)
    with pytest.raises(OSError, match="disk full"):
        figures.write_figures(tmp_path)
    assert list((tmp_path / "figures").iterdir()) == []


def test_figures_accept_datetime64_dates(results) -> None:
    runs, timeseries, events, summary = results
    as_datetime = {"date": lambda t: pd.to_datetime(t["date"]),
                   "deadline": lambda t: pd.to_datetime(t["deadline"])}
    timeseries = timeseries.assign(**as_datetime)
    runs = runs.assign(deal_date=lambda t: pd.to_datetime(t["deal_date"]))
    for fig in (figures.plot_dance(timeseries, events.assign(date=pd.to_datetime(events["date"])),
                                   summary),
                figures.plot_tariff_paths(timeseries, events, summary),
                figures.plot_deal_dates(runs, events, summary)):
        assert_readable(fig)


def drawn_figures(monkeypatch) -> dict[str, tuple[tuple, Figure]]:
    """Makes ``write_figures`` record what each plot function got and drew, by function name."""
    drawn: dict[str, tuple[tuple, Figure]] = {}
    for name in ("plot_dance", "plot_tariff_paths", "plot_deal_dates"):
        def record(*args: object, _name: str = name, _plot=getattr(figures, name), **kwargs: object) -> Figure:
            drawn[_name] = (args, _plot(*args, **kwargs))
            return drawn[_name][1]
        monkeypatch.setattr(figures, name, record)
    return drawn


def test_write_figures_draws_bands_from_the_first_replications_and_shares_from_all(
        tmp_path: Path, monkeypatch) -> None:
    write_results(tmp_path, n_runs=6, extended_runs=(0, 1, 4))
    monkeypatch.setattr(figures, "FIGURE_RUNS", 2)
    drawn = drawn_figures(monkeypatch)
    figures.write_figures(tmp_path)
    (timeseries, *_), tariffs = drawn["plot_tariff_paths"]
    assert set(timeseries["run_id"]) == {0, 1}
    assert set(drawn["plot_dance"][0][0]["run_id"]) == {0, 1}
    assert "first 2 of 6 replications" in tariffs.get_suptitle()
    # Canada stays at 25% in the sample (runs 0 and 1 extended, no letter), not in all six.
    assert {c.get_gid() for c in panel(tariffs, "CAN").collections} == {"rate 25"}
    entries = {t.get_text() for ax in tariffs.axes if ax.get_legend()
               for t in ax.get_legend().get_texts()}
    assert "deadline extended (in 3 of 6 runs)" in entries
    (_, deal_dates) = drawn["plot_deal_dates"]
    assert "6 replications per partner" in deal_dates.get_suptitle()
    assert any("(3 of 6 runs)" in t for t in texts(deal_dates))
    assert drawn["plot_dance"][1].get_suptitle().startswith("The negotiation dance (replication 0)")


def test_write_figures_samples_the_first_run_ids_present_and_says_nothing_below_the_limit(
        tmp_path: Path, monkeypatch) -> None:
    write_results(tmp_path, n_runs=3)
    for name in ("runs", "timeseries", "events"):
        table = pd.read_parquet(tmp_path / f"{name}.parquet")
        table.assign(run_id=table["run_id"] + 10).to_parquet(tmp_path / f"{name}.parquet")
    drawn = drawn_figures(monkeypatch)
    figures.write_figures(tmp_path)
    assert drawn["plot_dance"][1].get_suptitle().startswith("The negotiation dance (replication 10)")
    assert drawn["plot_tariff_paths"][1].get_suptitle() == (
        "US headline tariff in force on each partner (3 replications)")
    monkeypatch.setattr(figures, "FIGURE_RUNS", 1)
    figures.write_figures(tmp_path)
    (timeseries, *_), tariffs = drawn["plot_tariff_paths"]
    assert set(timeseries["run_id"]) == {10}
    assert "first 1 of 3 replications" in tariffs.get_suptitle()


def test_names_and_colours_come_from_the_summary_else_the_code_in_grey() -> None:
    from sim.plots.figure_style import color_of, label_of

    summary = {"partners": {"IND": {"name": "India", "colour": "#FF9933"}, "JPN": {"deal_probability": 1.0}}}
    assert (label_of("IND", summary), color_of("IND", summary)) == ("India (IND)", "#FF9933")
    # No name or colour in summary.json (nothing in the code names a country): the code, in grey.
    assert (label_of("JPN", summary), color_of("JPN", summary)) == ("JPN (JPN)", "0.5")
    assert (label_of("BRA"), color_of("BRA")) == ("BRA (BRA)", "0.5")

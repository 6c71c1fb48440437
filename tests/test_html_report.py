"""The self-contained HTML report of a run and of a sweep: everything inside, nothing fetched."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from sim.plots.html_report import _CAPTIONS, write_html_report
from sim.io.report_inputs import ReportError
from tests.test_study_figures import make_run

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("single"), figures=True)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    for job, deadline in enumerate(["2025-07-09", "2025-08-01"]):
        make_run(root / str(job), f"scenario.deadline={deadline}")
    return root


def assert_self_contained(text: str) -> None:
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, flags=re.I)
    assert not remote, f"remote references: {remote}"
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text


def test_single_run_report(single: Path) -> None:
    path = write_html_report(single)
    assert path == single / "report.html"
    text = path.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<table" in text and "P(deal)" in text
    scenario = list(json.loads((single / "summary.json").read_text())["partners"])
    rows = [text.index(f"<td>{partner}</td>") for partner in scenario]
    assert rows == sorted(rows)  # the outcome table in the scenario's partner order, as the figures
    assert "Resolved configuration" in text and "baseline_2025" in text and "replications: 3" in text
    assert not [p for p in single.iterdir() if p.name.startswith(".report")]  # no temporary left


def test_single_run_report_shows_each_figure_once(single: Path) -> None:
    """Deal dates once (not three times), tariff paths once (not twice), and the context."""
    text = write_html_report(single).read_text(encoding="utf-8")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", text)
    wanted = ["dance.png", "tariff_paths.png", "deal_dates.png", "context"]
    assert captions == [html.escape(_CAPTIONS[name]) for name in wanted]
    assert text.count('<img src="data:image/png;base64,') == len(wanted)


def test_sweep_report_has_the_swept_values_as_columns(sweep: Path) -> None:
    text = write_html_report(sweep).read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "<th>deadline</th>" in text
    assert "2025-07-09" in text and "2025-08-01" in text
    assert text.count('<img src="data:image/png;base64,') >= 2  # deal timing, final tariffs


def test_report_of_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="holds no run"):
        write_html_report(tmp_path)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_report_opens_offline_in_chromium(single: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    path = write_html_report(single)
    asked: list[str] = []

    def offline(route) -> None:
        asked.append(route.request.url)
        route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.route("**/*", offline)
            page.goto(path.as_uri())
            widths = page.evaluate("[...document.images].map(i => i.complete ? i.naturalWidth : 0)")
            assert len(widths) == 4 and min(widths) > 300  # every figure decoded
            assert "tariffsim report" in page.title()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert [u for u in asked if not u.startswith(("file:", "data:"))] == []

"""The explorer as a person uses it: a real solara server, a real headless Chromium.

Starts ``solara run sim/app.py`` on a free loopback port, opens the page in Debian's chromium
through Playwright (no browser download), moves the deadline slider, presses Reset and Step, and
checks that the status, the charts and the event log follow. Requests that would leave the
machine are refused, so the page must work offline (``solara-assets`` serves its JavaScript).

Skipped when chromium, Playwright or solara is missing, except under CI (``CI`` set), where a
missing piece is a failure: ``.ci/run`` installs them all.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STEP_TIMEOUT_MS = 60_000  # a step redraws two charts; generous for a loaded CI machine

pytestmark = pytest.mark.slow


def _require(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} is not installed (pip install -e '.[test,viz]')")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The explorer served on a free loopback port; its URL."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    _require("playwright")
    _require("solara")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    solara = Path(sys.executable).with_name("solara")
    log = open(ROOT / ".pytest_cache" / "explorer-server.log", "w") if (ROOT / ".pytest_cache").is_dir() \
        else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(solara), "run", "sim/app.py", "--port", str(port), "--host", "127.0.0.1", "--no-open",
         "--production"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, process, timeout=120)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not subprocess.DEVNULL:
            log.close()


def _wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"solara exited with {process.returncode} before serving the page")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the explorer did not answer on {url} within {timeout:.0f} s")


def test_slider_reset_and_step_update_status_charts_and_log(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    refused: list[str] = []
    broken: list[str] = []

    def local_only(route) -> None:
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.route("**/*", local_only)
            page.on("response", lambda r: r.status >= 400 and broken.append(f"{r.status} {r.url}"))
            page.goto(server, timeout=STEP_TIMEOUT_MS)
            step = page.get_by_role("button", name="Step")
            step.wait_for(timeout=STEP_TIMEOUT_MS)
            status = page.locator(".tariffsim-status")
            log = page.locator(".tariffsim-log pre")
            expect(status).to_contain_text("day 0 of 175")
            expect(status).to_contain_text("deadline 09 Jul 2025")
            expect(log).to_have_text("no events yet")

            # Move the deadline ten days later with the keyboard, as a person can, and rebuild.
            slider = page.get_by_role("slider", name="Deadline: day (91 = 9 Jul)")
            expect(slider).to_have_attribute("aria-valuenow", "91")
            slider.focus()
            for _ in range(10):
                slider.press("ArrowRight")
            expect(slider).to_have_attribute("aria-valuenow", "101")
            page.get_by_role("button", name="Reset").click()
            expect(status).to_contain_text("deadline 19 Jul 2025", timeout=STEP_TIMEOUT_MS)

            offers = page.locator(".tariffsim-offers img")
            tariffs = page.locator(".tariffsim-tariffs img")
            step.click()
            expect(status).to_contain_text("day 1 of 175", timeout=STEP_TIMEOUT_MS)
            expect(offers).to_have_count(1, timeout=STEP_TIMEOUT_MS)
            expect(tariffs).to_have_count(1, timeout=STEP_TIMEOUT_MS)
            before = (offers.get_attribute("src"), tariffs.get_attribute("src"), log.inner_text())
            for day in range(2, 6):
                expect(step).to_be_enabled(timeout=STEP_TIMEOUT_MS)
                step.click()
                expect(status).to_contain_text(f"day {day} of 175", timeout=STEP_TIMEOUT_MS)
            expect(offers).not_to_have_attribute("src", before[0], timeout=STEP_TIMEOUT_MS)
            expect(tariffs).not_to_have_attribute("src", before[1], timeout=STEP_TIMEOUT_MS)
            after_log = log.inner_text()
            assert after_log != before[2]
            assert "offer" in after_log  # the first days are all offers and refusals
            for image in (offers, tariffs):  # drawn, not broken: the browser decoded a picture
                assert image.evaluate("img => img.complete && img.naturalWidth > 300")
            shot = Path(os.environ.get("TARIFFSIM_SCREENSHOTS", tmp_path)) / "explorer.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert not broken, f"requests that failed on the local server: {broken}"
    assert not refused, f"the page asked for resources off this machine: {refused}"

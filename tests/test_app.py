"""The explorer as a person uses it: a real solara server, a real headless Chromium.

Starts the documented ``solara run sim/apps/app.py --no-check-version`` on a free loopback port and
opens the page in Debian's chromium through Playwright (no browser download): the sliders show
their values, Reset and Step drive the status, charts and event log, Play stops at the last day
with the controls usable again, and each tab has its own model. Nothing leaves the machine: the
browser's requests all go to the local server, and the server's own outgoing HTTP(S) requests go
through a recording proxy that must see none.

Skipped when chromium, Playwright or solara is missing, except under CI (``CI`` set), where a
missing piece is a failure: ``.ci/run`` installs them all.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:  # Playwright is imported only when the browser tests run
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DOCUMENTED = ["run", "sim/apps/app.py", "--no-check-version"]  # docs/explorer.md
STEP_TIMEOUT_MS = 60_000  # a step redraws two charts; generous for a loaded CI machine
LOCAL_HOSTS = ("127.0.0.1", "localhost")
SEEN_BY_THE_BROWSER: list[str] = []  # every request of every tab of this module's tests

pytestmark = pytest.mark.slow


def _require(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} is not installed (pip install -e '.[test,viz]')")


class RecordingProxy:
    """An HTTP proxy on loopback that forwards nothing: it records the first line of every
    request sent to it (``CONNECT pypi.org:443 HTTP/1.1``) and closes the connection."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._record, daemon=True)
        self._thread.start()

    def _record(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.seen.append(connection.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))
                except OSError:
                    self.seen.append("(a connection that sent nothing)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()


@pytest.fixture(scope="module")
def outbound() -> Iterator[RecordingProxy]:
    """The proxy through which the server must send any request off this machine."""
    proxy = RecordingProxy()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def server(outbound: RecordingProxy) -> Iterator[str]:
    """The explorer served on a free loopback port by the documented command; its URL.

    No ``SOLARA_*`` setting is passed on: the page must stay offline by itself. Every outgoing
    HTTP(S) request of the server goes through the recording proxy of ``outbound``.
    """
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    _require("playwright")
    _require("solara")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = f"http://127.0.0.1:{outbound.port}"
    env = {key: value for key, value in os.environ.items()
           if not key.upper().startswith("SOLARA_") and not key.upper().endswith("_PROXY")}
    env.update({"PYTHONPATH": str(ROOT), "NO_PROXY": ",".join(LOCAL_HOSTS),
                "no_proxy": ",".join(LOCAL_HOSTS)})
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = proxy
    solara = Path(sys.executable).with_name("solara")
    log = open(ROOT / ".pytest_cache" / "explorer-server.log", "w") if (ROOT / ".pytest_cache").is_dir() \
        else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(solara), *DOCUMENTED, "--port", str(port), "--host", "127.0.0.1", "--no-open", "--production"],
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
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to loopback
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"solara exited with {process.returncode} before serving the page")
        try:
            with opener.open(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the explorer did not answer on {url} within {timeout:.0f} s")


class Browsing:
    """One browser context on the page: the requests of every tab (this module's tests), and
    those of this context that failed."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.context, self.url = context, url
        self.requests: list[str] = SEEN_BY_THE_BROWSER
        self.broken: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", lambda r: r.status >= 400 and self.broken.append(f"{r.status} {r.url}"))
        context.route("**/*", self._local_only)

    @staticmethod
    def _local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:  # refused, so that a test fails rather than waits; recorded in self.requests
            route.abort()

    def open(self) -> Page:
        """A new tab on the page, its Step button shown."""
        page = self.context.new_page()
        page.goto(self.url, timeout=STEP_TIMEOUT_MS)
        page.get_by_role("button", name="Step").wait_for(timeout=STEP_TIMEOUT_MS)
        return page

    def check_stayed_local(self) -> None:
        off = [url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS]
        assert not off, f"the page asked for resources off this machine: {off}"
        assert not self.broken, f"requests that failed on the local server: {self.broken}"


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browsing(browser: Browser, server: str) -> Iterator[Browsing]:
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    try:
        yield Browsing(context, server)
    finally:
        context.close()


def _press(slider: Locator, key: str, times: int = 1) -> None:
    slider.focus()
    for _ in range(times):
        slider.press(key)


def test_sliders_show_their_values_and_reset_and_step_update_the_page(browsing: Browsing,
                                                                      tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browsing.open()
    status = page.locator(".tariffsim-status")
    log = page.locator(".tariffsim-log pre")
    expect(status).to_contain_text("day 0 of 175")
    expect(status).to_contain_text("deadline 09 Jul 2025")
    expect(log).to_have_text("no events yet")
    for name, shown in (("deadline_day", "day 91 · 09 Jul 2025"), ("us_beta", "β = 0.40: tough (Boulware)"),
                        ("election_weight", "0.30 (0 = none, 1 = full)"),
                        ("play_ms", "300 ms between frames"), ("days_per_frame", "1 day per frame")):
        expect(page.locator(f".tariffsim-knob-{name} .tariffsim-value")).to_have_text(shown)

    # The partner sliders name the baseline's focus partner, as its YAML names it.
    expect(page.get_by_role("slider", name="Japan election weight")).to_have_count(1)
    expect(page.get_by_role("slider", name="Japan concession β")).to_have_count(1)

    # Move the deadline ten days later with the keyboard, as a person can, and rebuild.
    slider = page.get_by_role("slider", name="Deadline")
    expect(slider).to_have_attribute("aria-valuenow", "91")
    _press(slider, "ArrowRight", 10)
    expect(slider).to_have_attribute("aria-valuenow", "101")
    expect(page.locator(".tariffsim-knob-deadline_day .tariffsim-value")).to_have_text("day 101 · 19 Jul 2025")
    expect(page.get_by_text("Press Reset to build a model")).to_be_visible()
    page.get_by_role("button", name="Reset").click()
    expect(status).to_contain_text("deadline 19 Jul 2025", timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_text("Press Reset to build a model")).to_have_count(0)

    step = page.get_by_role("button", name="Step")
    offers = page.locator(".tariffsim-offers img")
    tariffs = page.locator(".tariffsim-tariffs img")
    step.click()
    expect(status).to_contain_text("day 1 of 175", timeout=STEP_TIMEOUT_MS)
    expect(offers).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(tariffs).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    before = (offers.get_attribute("src"), tariffs.get_attribute("src"), log.inner_text())
    expect(step).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    step.click()
    expect(status).to_contain_text("day 2 of 175", timeout=STEP_TIMEOUT_MS)
    expect(offers).not_to_have_attribute("src", before[0], timeout=STEP_TIMEOUT_MS)
    expect(tariffs).not_to_have_attribute("src", before[1], timeout=STEP_TIMEOUT_MS)
    assert log.inner_text() != before[2]
    assert "offer" in log.inner_text()  # the first days are all offers and refusals
    for image in (offers, tariffs):  # drawn, not broken: the browser decoded a picture
        assert image.evaluate("img => img.complete && img.naturalWidth > 300")
    shot = Path(os.environ.get("TARIFFSIM_SCREENSHOTS", tmp_path)) / "explorer.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    browsing.check_stayed_local()


def test_play_stops_at_the_last_day_and_the_controls_work_again(browsing: Browsing) -> None:
    from playwright.sync_api import expect

    page = browsing.open()
    status = page.locator(".tariffsim-status")
    _press(page.get_by_role("slider", name="Days per frame"), "End")
    _press(page.get_by_role("slider", name="Play interval"), "Home")
    expect(page.locator(".tariffsim-knob-days_per_frame .tariffsim-value")).to_have_text("30 days per frame")
    expect(page.locator(".tariffsim-knob-play_ms .tariffsim-value")).to_have_text("0 ms between frames")
    page.get_by_role("button", name="▶").click()
    expect(status).to_contain_text("day 175 of 175 · 30 Sep 2025", timeout=STEP_TIMEOUT_MS)
    play = page.get_by_role("button", name="▶")  # back to play, not a dead pause button
    expect(play).to_be_disabled()  # nothing left to play
    expect(page.get_by_role("button", name="❚❚")).to_have_count(0)
    expect(page.get_by_role("button", name="Step")).to_be_disabled()
    time.sleep(1)  # no frame after the last day
    expect(status).to_contain_text("day 175 of 175")
    page.get_by_role("button", name="Reset").click()
    expect(status).to_contain_text("day 0 of 175", timeout=STEP_TIMEOUT_MS)
    expect(play).to_be_enabled()
    expect(page.get_by_role("button", name="Step")).to_be_enabled()
    browsing.check_stayed_local()


def test_each_tab_has_its_own_model(browsing: Browsing) -> None:
    from playwright.sync_api import expect

    first = browsing.open()
    _press(first.get_by_role("slider", name="Deadline"), "ArrowLeft", 5)
    first.get_by_role("button", name="Step").click()
    expect(first.locator(".tariffsim-status")).to_contain_text("day 1 of 175", timeout=STEP_TIMEOUT_MS)

    second = browsing.open()
    status = second.locator(".tariffsim-status")
    expect(status).to_contain_text("day 0 of 175 · not started · deadline 09 Jul 2025")
    expect(second.get_by_role("slider", name="Deadline")).to_have_attribute("aria-valuenow", "91")
    expect(second.locator(".tariffsim-knob-deadline_day .tariffsim-value")).to_have_text("day 91 · 09 Jul 2025")
    second.get_by_role("button", name="Reset").click()  # rebuilds this tab's model only
    expect(first.locator(".tariffsim-status")).to_contain_text("day 1 of 175")
    expect(first.get_by_role("slider", name="Deadline")).to_have_attribute("aria-valuenow", "86")
    browsing.check_stayed_local()


def test_nothing_leaves_the_machine(browsing: Browsing, outbound: RecordingProxy) -> None:
    """The documented command, its telemetry and its assets: no request off this machine."""
    assert " ".join(DOCUMENTED) in (ROOT / "docs" / "explorer.md").read_text(encoding="utf-8")
    if not any("/_solara/cdn/" in url for url in browsing.requests):  # run alone: open a tab
        page = browsing.open()
        page.get_by_role("button", name="Step").click()
        page.locator(".tariffsim-offers img").wait_for(timeout=STEP_TIMEOUT_MS)
    browsing.check_stayed_local()
    assert len(browsing.requests) > 5  # the page's scripts and styles were all seen, all local
    assert not outbound.seen, f"the server sent requests off this machine: {outbound.seen}"

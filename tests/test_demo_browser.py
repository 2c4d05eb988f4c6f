"""``make demo`` in a real browser: Voila serves the dashboard, offline, and it responds.

Starts ``python -m simlib.demo`` (what ``make demo`` runs) on a free port, opens it in headless
Chromium (Debian package ``chromium``, driven by Playwright; nothing downloaded) with every
request that is not to that server aborted and recorded, then moves the arrival-rate slider
and checks that the serving figure changes, jumps to a preset and back with reset.
Screenshots go to ``$SIMLIB_DEMO_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                                                     "(Debian/Ubuntu: apt-get install chromium)"),
    pytest.mark.skipif(not Path(sys.executable).with_name("voila").exists(),
                       reason="needs voila in the environment (pip install -r requirements.txt)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_dashboard(log: Path):
    """The dashboard served by ``python -m simlib.demo`` (no browser tab, server output in
    ``log``); yields its URL."""
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "simlib.demo", "--port", str(port),
                                 "--no-browser"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            assert proc.poll() is None, log.read_text(errors="replace")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# the serving explorer swaps PNGs in one Image widget (simlib.queueing.widget)
SERVING_FIGURE = ".simlib-demo img.widget-image:visible"


def _serving_figure(page) -> str:
    return page.locator(SERVING_FIGURE).first.get_attribute("src") or ""


def _wait_changed(page, before: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = _serving_figure(page)
        if now and now != before:
            return now
        page.wait_for_timeout(200)
    raise AssertionError("the serving figure did not change")


def test_dashboard_in_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    shots = Path(os.environ.get("SIMLIB_DEMO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "voila.log"
    with serve_dashboard(log) as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        blocked: list[str] = []

        def route(r):
            if r.request.url.startswith(url):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto(url, timeout=60_000)
        try:
            page.wait_for_selector(SERVING_FIGURE, timeout=90_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(shots / "demo-timeout.png"))
            raise AssertionError("no figure within 90 s; Voila said:\n"
                                 + log.read_text(errors="replace")[-3000:]) from None
        assert page.locator(".jp-InputArea, .jp-Cell-inputWrapper").count() == 0 or \
            not page.locator(".jp-InputArea").first.is_visible()  # the notebook's code is hidden
        page.screenshot(path=str(shots / "demo-start.png"))
        first = _serving_figure(page)

        handle = page.locator(".simlib-demo .widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(4):  # four steps of the arrival-rate slider
            page.keyboard.press("ArrowRight")
        moved = _wait_changed(page, first)
        page.screenshot(path=str(shots / "demo-slider-moved.png"))

        page.get_by_role("button", name="batching under a latency bound").click()
        # the kernel says so once every control is set (and every redraw sent)
        page.get_by_text("Compare the p99 label").wait_for(timeout=30_000)
        preset = _wait_changed(page, moved)
        assert "120" in page.inner_text(".simlib-demo .widget-readout >> nth=0")
        page.screenshot(path=str(shots / "demo-preset.png"))

        page.get_by_role("button", name="reset").click()
        page.get_by_text("back at its starting value").wait_for(timeout=30_000)
        assert _wait_changed(page, preset) != preset
        page.get_by_role("tab", name="Thermal / DVFS").click()  # built when first opened
        page.wait_for_function(
            "() => [...document.querySelectorAll('.simlib-demo .widget-output img')]"
            ".filter(i => i.offsetParent !== null && i.naturalHeight > 700).length > 0",
            timeout=60_000)
        page.screenshot(path=str(shots / "demo-thermal.png"))
        browser.close()
    assert blocked == [], f"the dashboard tried to reach the network: {blocked}"

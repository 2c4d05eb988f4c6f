"""Self-checks in a real JupyterLab, driven by headless Chromium: the MyST page opens as a
notebook (jupytext), a question is answered wrong then right through its widget, and the answer
survives a kernel restart (the reader's progress file).

Needs Debian's chromium and the python playwright package (both installed by .ci/run and
requirements.txt); skips with the reason otherwise. Downloads nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt install chromium)"),
]
QUESTION = "Which benchmarking dimension"


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter-home")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HOME": str(home), "SIMLIB_PROGRESS_DIR": str(home / "progress"),
           "SIMLIB_READER": "tester", "SIMLIB_BUDGET": "quick", "JUPYTER_CONFIG_DIR": str(home / ".jupyter")}
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--ServerApp.root_dir={REPO}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url, home / "progress"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _menu(page, menu: str, item: str) -> None:
    page.locator("div.lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator("li.lm-Menu-item", has_text=item).first.click()


def test_answer_in_jupyterlab_and_survive_a_restart(lab_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download)")
    url, progress_dir = lab_server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/book/exercises.md")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)  # opened as a notebook, not as text
        # Run All before the kernel is ready runs nothing (seen on a loaded machine): wait for it
        page.locator("text=Python 3 (ipykernel) | Idle").first.wait_for(timeout=120_000)
        _menu(page, "Run", "Run All Cells")
        q = page.locator(".widget-vbox", has=page.locator(f"text={QUESTION}")).last
        q.locator("label", has_text="Data benchmarking").wait_for(timeout=120_000)

        q.locator("label", has_text="System benchmarking").click()
        q.locator("button", has_text="Check").click()
        q.locator("text=not solved yet").wait_for(timeout=60_000)  # the kernel answers (slow if loaded)
        assert "what the model sees" in q.inner_text()  # the wrong choice's feedback

        q.locator("label", has_text="Data benchmarking").click()
        q.locator("button", has_text="Check").click()
        q.locator("text=2 attempt(s), solved").wait_for(timeout=60_000)
        text = q.inner_text()
        assert "Correct" in text and "evaluation data represents" in text  # the explanation
        assert "2 attempt(s), solved" in text

        # a new kernel reads the progress file: the question remembers, the summary counts it
        _menu(page, "Kernel", "Restart Kernel and Run All Cells")
        page.locator(".jp-Dialog button", has_text="Restart").click()
        page.wait_for_timeout(3000)
        q = page.locator(".widget-vbox", has=page.locator(f"text={QUESTION}")).last
        q.locator("text=2 attempt(s), solved").wait_for(timeout=120_000)
        page.locator("text=1 of 9 answered").first.wait_for(timeout=60_000)
        browser.close()
    assert list(progress_dir.glob("*.json")), "no progress file was written"

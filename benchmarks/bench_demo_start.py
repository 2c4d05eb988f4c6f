"""Start time of the live-demo dashboard: ``make demo``'s command to the first figure shown.

Starts ``python -m simlib.demo --no-browser`` (what ``make demo`` runs), opens the page in
headless Chromium as soon as the port answers, and stops the clock when the serving figure is
visible. The in-run baseline is the same Voila server and browser rendering a one-cell
notebook (``print``), so the ratio says what the dashboard itself adds. Target: under 15 s.
Timings are noisy on a shared machine: run it a few times (``--repeat``).

    .venv/bin/python benchmarks/bench_demo_start.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simlib.demo import voila_command

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_render(notebook: Path | None, selector: str) -> float:
    """Seconds from starting the server to ``selector`` visible in the browser."""
    from playwright.sync_api import sync_playwright

    port = _port()
    argv, env = voila_command(port, open_browser=False)
    if notebook is not None:  # the baseline: the same Voila command on another notebook
        argv[1] = str(notebook)
    else:  # exactly what `make demo` runs
        argv, env = [sys.executable, "-m", "simlib.demo", "--port", str(port), "--no-browser"], None
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            page.wait_for_selector(selector, timeout=120_000)
            elapsed = time.perf_counter() - t0
            browser.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline.ipynb"
        base.write_text(json.dumps({"cells": [{"cell_type": "code", "id": "b", "metadata": {},
                                               "execution_count": None, "outputs": [],
                                               "source": "print('baseline-ready')"}],
                                    "metadata": {"kernelspec": {"name": "python3",
                                                                "display_name": "Python 3",
                                                                "language": "python"}},
                                    "nbformat": 4, "nbformat_minor": 5}))
        dash, baseline = [], []
        for _ in range(args.repeat):
            baseline.append(time_to_render(base, "text=baseline-ready"))
            dash.append(time_to_render(None, ".simlib-demo img.widget-image:visible"))  # the serving figure
    med_d, med_b = statistics.median(dash), statistics.median(baseline)
    print(f"dashboard to first figure: median {med_d:.1f} s (runs: "
          f"{', '.join(f'{x:.1f}' for x in dash)}); target < 15 s")
    print(f"baseline (Voila + one print cell): median {med_b:.1f} s; ratio {med_d / med_b:.2f}x")
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()

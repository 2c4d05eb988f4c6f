"""Start-up time of the ``simlib`` command line: ``simlib --help`` and ``simlib simulate --help``
against ``python -c pass`` (the interpreter's own start-up), in the same run.

Run:  .venv/bin/python benchmarks/bench_cli.py [--repeat 15]

Each command runs ``--repeat`` times in a fresh interpreter, interleaved so that a change in the
machine's load hits every command alike; it prints the median and the spread (min-max) of the
wall time, and each median's ratio to ``python -c pass``. The target (issue 14) is
``simlib --help`` under 0.5 s. Timings depend on the machine's load (printed), so they are
printed, not asserted; tests/test_cli_imports.py checks the cause (no heavy import) without
timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "simlib --help": [sys.executable, "-m", "simlib", "--help"],
    "simlib simulate --help": [sys.executable, "-m", "simlib", "simulate", "--help"],
    "simlib thermal --help": [sys.executable, "-m", "simlib", "thermal", "--help"],
}
TARGET_S = 0.5


def wall_s(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="runs per command (default 15)")
    a = ap.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # one warm-up each (file-system cache, .pyc files)
        wall_s(argv)
    for _ in range(a.repeat):
        for name, argv in COMMANDS.items():
            times[name].append(wall_s(argv))
    base = statistics.median(times["python -c pass"])
    la = os.getloadavg()
    print(f"{a.repeat} runs each, interleaved; load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} "
          f"on {os.cpu_count()} logical cores; {sys.executable}")
    print(f"{'command':<26}{'median s':>10}{'min-max s':>16}{'x python -c pass':>18}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<26}{med:>10.3f}{f'{min(ts):.3f}-{max(ts):.3f}':>16}{med / base:>18.1f}")
    med_help = statistics.median(times["simlib --help"])
    print(f"simlib --help: median {med_help:.3f} s, target < {TARGET_S} s: "
          f"{'met' if med_help < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()

"""``simlib verdict A.json B.json``: is B really faster than A? The verdict on two result files.

The files are what :meth:`simlib.design.BenchmarkResult.save` writes (or any result's strict
JSON with ``samples_s``, or ``{"runs_s": [[...], ...]}`` for repeated runs). Prints the verdict
with its reasoning (:func:`simlib.design.verdict`); ``--json`` prints it as strict JSON.
Exit 0 when it ran, 2 for bad input (a missing or unreadable file, too few samples).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from simlib._validate import invalid
from simlib.commands._common import emit


def _read(flag: str, path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise invalid(flag, f"is {path!r}, which is not a file", "the path of a result file (JSON)",
                      owner="verdict")
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise invalid(flag, f"{path!r} is not readable JSON ({err})", "a result file (strict JSON)",
                      owner="verdict") from None
    if not isinstance(d, dict) or not (d.get("samples_s") or d.get("runs_s")):
        raise invalid(flag, f"{path!r} holds no samples_s or runs_s", "a result file with raw samples",
                      owner="verdict")
    return d


def run(args: argparse.Namespace) -> int:
    from simlib.design import verdict

    a, b = _read("A", args.a), _read("B", args.b)
    try:
        v = verdict(a, b)
    except (ValueError, TypeError) as err:
        raise invalid("A", f"its samples cannot be compared ({err})", "numbers in seconds, at least 2 per side",
                      owner="verdict") from None
    emit("verdict", v, args)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verdict", help="is B really faster than A? (two result files)",
                       description="Compare two result files on independent units (repeated runs, or "
                                   "consecutive batches of one run): the difference with its 95% interval, "
                                   "the effect size, a Welch t-test, and whether the change matters (5%).")
    p.add_argument("a", metavar="A", help="result file of the baseline (JSON)")
    p.add_argument("b", metavar="B", help="result file of the candidate (JSON)")
    p.add_argument("--json", action="store_true", help="print the verdict as strict JSON")
    p.set_defaults(func=run)

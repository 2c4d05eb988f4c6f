"""``simlib grade SUBMISSIONS... --lab LAB --out grades.csv``: grade submitted lab notebooks."""

from __future__ import annotations

import argparse

from simlib._validate import Range, check
from simlib.commands._common import add_renamed

FLAGS = {"timeout": "--timeout-s", "timeout_s": "--timeout-s", "memory": "--memory-mb", "memory_mb": "--memory-mb",
         "output": "--output-mb", "output_mb": "--output-mb", "jobs": "--jobs", "lab": "--lab", "out": "--out"}


def run(args: argparse.Namespace) -> int:
    from simlib.exercises.grading import grade_submissions, load_lab
    from simlib.exercises.grading.sandbox import Limits

    check("timeout_s", args.timeout_s, None, Range(0, None, closed="neither", unit="s"), owner="grade")
    check("memory_mb", args.memory_mb, None, Range(64, None, integer=True, unit="MB"), owner="grade")
    check("output_mb", args.output_mb, None, Range(1, None, integer=True, unit="MB"), owner="grade")
    check("jobs", args.jobs, None, Range(1, None, integer=True), owner="grade")
    limits = Limits.for_lab(load_lab(args.lab).limits, timeout_s=args.timeout_s,
                            cpu_s=None if args.timeout_s is None else int(args.timeout_s) + 1,
                            memory_mb=args.memory_mb, output_mb=args.output_mb)
    grades = grade_submissions(args.lab, args.submissions, args.out, limits=limits,
                               jobs=args.jobs, sandbox=not args.unsafe_no_sandbox,
                               id_pattern=args.id_pattern, deadline_s=_deadline(args.deadline),
                               export=tuple(args.export or ()), assignment=args.assignment,
                               feedback_files=not args.no_feedback)
    print(f"wrote {args.out}: {len(grades)} submission(s)")
    return 0


def _deadline(text: str | None) -> float | None:
    """``--deadline`` (ISO 8601; without a zone: this machine's local time) as epoch seconds."""
    import datetime as dt

    from simlib._validate import InvalidParameterError

    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(
            "The 'deadline' parameter of grade must be an ISO 8601 date and time, e.g. "
            f"2026-12-01T23:59 or 2026-12-01T23:59+01:00. Got {text!r}.") from None
    return when.timestamp()  # a naive time is taken as local time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade", help="grade submitted lab notebooks into a CSV gradebook",
        description="Run each submission in its own operating-system sandbox (bubblewrap: no "
                    "view of the lab, the other submissions or the gradebook; time, memory, "
                    "output and process limits), score it against the lab's hidden tests and "
                    "write one CSV row per student. An existing CSV is never overwritten.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help=".ipynb files or folders of them (student id: the file name, or the "
                        "folder name when the file is named after the lab)")
    p.add_argument("--lab", required=True, help="lab directory with source.md, e.g. labs/percentiles")
    p.add_argument("--out", required=True, help="CSV to create (refuses to overwrite)")
    p.add_argument("--timeout-s", type=float, default=None, metavar="S",
                   help="wall-clock limit per submission, s (default: the lab's, else 60)")
    p.add_argument("--memory-mb", type=int, default=None, metavar="MB",
                   help="memory limit per submission, MB (default: the lab's, else 2048)")
    p.add_argument("--output-mb", type=int, default=None, metavar="MB",
                   help="largest file or output per submission, MB (default: the lab's, else 5)")
    for old, new, unit in (("--timeout", "--timeout-s", "seconds"), ("--memory", "--memory-mb", "MB"),
                           ("--output", "--output-mb", "MB")):
        add_renamed(p, old, new, f" (same unit, {unit})")
    p.add_argument("--jobs", type=int, default=None,
                   help="submissions graded at once, each in its own sandbox (default: the "
                        "number of cores); the CSV does not depend on it")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without bubblewrap (macOS, no user namespaces): a submission can "
                        "then read the lab and other submissions; every row's notes say so")
    p.add_argument("--id-pattern", default=None, metavar="REGEX",
                   help="regular expression whose group (or group named 'id') is the student id "
                        "in each file name, e.g. '^(\\d+)_'; a name it does not match is "
                        "graded under its file name, noted and left out of --export files")
    p.add_argument("--deadline", default=None, metavar="ISO-TIME",
                   help="flag files modified after it as late (a 'late' column), e.g. "
                        "2026-12-01T23:59 (local time) or 2026-12-01T23:59+00:00")
    p.add_argument("--export", action="append", choices=["canvas", "moodle"],
                   help="also write <out stem>.canvas.csv / .moodle.csv for the course site "
                        "(repeat for both)")
    p.add_argument("--assignment", default=None,
                   help="the grade column's name in --export files (default: the lab's name)")
    p.add_argument("--no-feedback", action="store_true",
                   help="do not write <out stem>.feedback/<student>.md")
    p.set_defaults(func=run)

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
                               jobs=args.jobs, sandbox=not args.unsafe_no_sandbox)
    print(f"wrote {args.out}: {len(grades)} submission(s)")
    return 0


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
    p.set_defaults(func=run)

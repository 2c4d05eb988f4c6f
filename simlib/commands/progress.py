"""``simlib progress summarize FILES...``: a class's participation from readers' progress files."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from simlib._validate import invalid


def run(args: argparse.Namespace) -> int:
    from simlib.exercises.grading import gradebook
    from simlib.exercises.participation import summarize, table

    paths: list[Path] = []
    for f in args.files:
        p = Path(f)
        paths += sorted(p.glob("*.json")) if p.is_dir() else [p]
    if args.csv:
        gradebook.check_new(Path(args.csv), what="csv", owner="progress summarize")
    rows, problems = summarize(paths)
    if problems and not rows:  # nothing to summarize: bad input (exit 2), as `results import` does
        raise invalid("FILES", f"held no readable progress file ({len(problems)} skipped; first: {problems[0]})",
                      "progress JSON files (simlib-progress/1) or folders of them")
    for problem in problems:  # some files were read: the others are reported, not fatal
        print(f"simlib progress: warning: skipped {problem}", file=sys.stderr)
    data = table(rows)
    if args.json:
        from simlib.commands._common import print_json

        print_json({"readers": data, "skipped": problems})
    elif data:
        cols = list(data[0])
        widths = {c: max(len(c), *(len(str(d[c])) for d in data)) for c in cols}
        print("  ".join(c.ljust(widths[c]) for c in cols))
        for d in data:
            print("  ".join(str(d[c]).ljust(widths[c]) for c in cols))
    else:
        print("no readable progress files")
    if args.csv and data:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        w.writerows([{k: gradebook.cell(str(v)) for k, v in d.items()} for d in data])
        gradebook.write_new(Path(args.csv), buf.getvalue())
        print(f"wrote {args.csv}: {len(data)} reader(s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="summarize readers' self-check progress files",
                       description="Progress files come from JupyterLab (~/.simlib/progress/"
                                   "<reader>.json) or from the static book's 'Download my "
                                   "progress' button; both use one format.")
    psub = p.add_subparsers(dest="progress_command", required=True)
    s = psub.add_parser("summarize", help="one row per reader: questions answered and solved "
                                          "per chapter, first-try score, last answer")
    s.add_argument("files", nargs="+", metavar="FILE",
                   help="progress .json files, or folders of them")
    s.add_argument("--csv", default=None, help="also write the table to this new CSV file")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s.set_defaults(func=run)

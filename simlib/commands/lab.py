"""``simlib lab build LAB_DIR``: write the student version of a lab (no solutions, no hidden tests)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from simlib.exercises.grading import build_student

    for lab in args.labs:
        print(f"wrote {build_student(lab, args.out if len(args.labs) == 1 else None)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lab", help="build the student version of a lab",
                       description="Lab tools for instructors (see labs/README.md).")
    lab_sub = p.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    b = lab_sub.add_parser("build", help="write LAB/student/<lab>.ipynb from LAB/source.md")
    b.add_argument("labs", nargs="+", metavar="LAB", help="lab directory, e.g. labs/percentiles")
    b.add_argument("--out", help="output notebook (default: LAB/student/<lab>.ipynb)")
    b.set_defaults(func=run)

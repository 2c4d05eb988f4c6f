"""``simlib lab build LAB... [--out PATH] [--force]``: write the student version of labs.

The student notebook has no solutions and no hidden tests. It goes to ``LAB/student/<lab>.ipynb``,
or where ``--out`` says: a ``.ipynb`` file (one LAB) or a folder (``<out>/<lab>.ipynb`` per LAB).
A notebook already there that differs from what the build would write (a student's or an
instructor's edits) is kept unless ``--force``; nothing is written unless every LAB can be.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from simlib._validate import invalid

FLAGS = {"directory": "LAB", "lab": "LAB"}


def _cells(path: Path):
    """The notebook's content for comparison (cell ids are random per build, so left out)."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # unreadable or not a notebook: it differs from anything we would write
        return None
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def _destinations(labs: list, out: str | None) -> list[Path]:
    if out is None:
        return [lab.student_path for lab in labs]
    if not out.strip():
        raise invalid("--out", "is empty", "a .ipynb path or a folder")
    o = Path(out)
    if o.suffix == ".ipynb":
        if len(labs) > 1:
            raise invalid("--out", f"is one notebook ({out}) but {len(labs)} LABs were given",
                          "a folder with several LABs (each goes to <out>/<lab>.ipynb), or one LAB")
        return [o]
    if o.exists() and not o.is_dir():
        raise invalid("--out", f"{out} exists and is not a folder", "a .ipynb path or a folder")
    return [o / f"{lab.name}.ipynb" for lab in labs]


def run(args: argparse.Namespace) -> int:
    from simlib.exercises.grading import build_student, load_lab

    labs = [load_lab(d) for d in args.labs]
    dests = _destinations(labs, args.out)
    if len(set(dests)) < len(dests):
        raise invalid("LAB", "two labs would be written to the same notebook", "distinct LABs")
    built: list[tuple[Path, Path]] = []
    try:
        for lab, dest in zip(labs, dests, strict=True):
            tmp = dest.with_name(f".{dest.name}.building")
            built.append((build_student(lab, tmp), dest))
        plan = []
        for tmp, dest in built:
            if not dest.exists():
                plan.append((tmp, dest, "wrote"))
            elif _cells(dest) == _cells(tmp):
                plan.append((tmp, dest, "unchanged"))
            elif args.force:
                plan.append((tmp, dest, "overwrote"))
            else:
                raise invalid(str(dest), "exists and differs from the student notebook this build would "
                              "write (it may hold edits); nothing was written",
                              "--force to overwrite it, or --out somewhere else")
        for tmp, dest, verb in plan:
            if verb == "unchanged":
                continue
            os.replace(tmp, dest)
    finally:
        for tmp, _ in built:
            tmp.unlink(missing_ok=True)
    for _, dest, verb in plan:
        print(f"{verb} {dest}" + (" (same content as the build)" if verb == "unchanged" else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lab", help="build the student version of a lab",
                       description="Lab tools for instructors (see labs/README.md).")
    lab_sub = p.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    b = lab_sub.add_parser("build", help="write LAB/student/<lab>.ipynb from LAB/source.md",
                           description="Write the student notebook of each LAB (no solutions, no hidden "
                                       "tests). An existing notebook that differs is kept unless --force.")
    b.add_argument("labs", nargs="+", metavar="LAB", help="lab directory, e.g. labs/percentiles")
    b.add_argument("--out", help="output notebook (.ipynb, one LAB) or folder (default: "
                                 "LAB/student/<lab>.ipynb)")
    b.add_argument("--force", action="store_true", help="overwrite a student notebook that differs")
    b.set_defaults(func=run)

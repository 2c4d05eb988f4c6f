"""Grading throughput: wall time of ``simlib grade`` at ``--jobs 1`` and ``--jobs N``, and the
projected time for a course (printed, not asserted; timings depend on the machine's load).

Run:  .venv/bin/python benchmarks/bench_grade.py [--lab labs/capacity] [--n 40] [--jobs 1 2]
      [--course 300]

The submissions are copies of the lab's solution and of its blank student notebook,
alternating (so half run every measurement, half stop early, as a real class mixes both).
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from pathlib import Path

import nbformat


def load_note() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} logical cores"


def main() -> None:
    from simlib.exercises.grading import grade_submissions, load_lab, solution_notebook

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", default="labs/capacity")
    ap.add_argument("--n", type=int, default=40, help="submissions to grade")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--course", type=int, default=300, help="students to project for")
    a = ap.parse_args()
    lab = load_lab(a.lab)
    sol = solution_notebook(lab)
    blank = nbformat.read(str(lab.student_path), as_version=4)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for i in range(a.n):
            nbformat.write(sol if i % 2 == 0 else blank, str(subs / f"s{i:03d}.ipynb"))
        base = None
        for jobs in a.jobs:
            print(f"jobs={jobs}: start ({load_note()})", flush=True)
            t0 = time.perf_counter()
            grades = grade_submissions(lab.directory, [subs], Path(tmp) / f"g{jobs}.csv",
                                       progress=False, jobs=jobs)
            wall_s = time.perf_counter() - t0
            base = base or wall_s
            full = sum(g.total == lab.max_points for g in grades)
            print(f"jobs={jobs}: {a.n} submissions in {wall_s:.1f} s ({wall_s / a.n:.2f} s each, "
                  f"{base / wall_s:.2f}x the first), {full} full marks; projected "
                  f"{a.course} students: {wall_s / a.n * a.course / 60:.1f} min ({load_note()})",
                  flush=True)
            lost = collections.Counter(n.split(":")[0] for g in grades if g.total < lab.max_points
                                       and g.total > 0 for n in g.notes)
            if lost:
                print(f"jobs={jobs}: tasks that cost a solution points: {dict(lost)}")


if __name__ == "__main__":
    main()

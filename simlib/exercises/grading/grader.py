"""Grade a folder of submitted notebooks into a CSV gradebook.

Each submission runs in its own limited process (:mod:`.sandbox`); the solution runs the same
way once to give the reference values. A probe scores when its value matches the reference
(numbers within the task's ``rtol``/``atol``); a task scores ``points`` times the share of its
probes that match. A submission that tampers (tries to read the lab or other submissions, start
a process, open a socket) scores zero. Reasons go into the ``notes`` column.

The gradebook is written with exclusive creation: an existing file is never overwritten.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from simlib._validate import InvalidParameterError

from .labfile import Lab, load_lab, read_notebook, tags
from .sandbox import Limits, RunResult, run_notebook_code

__all__ = ["Grade", "grade_notebook", "grade_submissions", "student_id"]


@dataclass
class Grade:
    student: str
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def student_id(path: Path, lab_name: str) -> str:
    """``alice.ipynb`` → alice; ``alice/<lab>.ipynb`` → alice."""
    return path.parent.name if path.stem == lab_name else path.stem


def _code_cells(nb) -> list[str]:  # noqa: ANN001
    return [c.source for c in nb.cells if c.cell_type == "code" and "hidden-tests" not in tags(c)]


def _same(got: object, ref: object, rtol: float, atol: float) -> bool:
    if isinstance(ref, bool) or isinstance(got, bool):
        return got is ref if isinstance(ref, bool) else False
    if isinstance(ref, int | float) and isinstance(got, int | float):
        return math.isclose(got, ref, rel_tol=rtol, abs_tol=atol)
    if isinstance(ref, list) and isinstance(got, list):
        return len(ref) == len(got) and all(_same(g, r, rtol, atol) for g, r in zip(got, ref, strict=True))
    if isinstance(ref, dict) and isinstance(got, dict):
        return set(ref) == set(got) and all(_same(got[k], ref[k], rtol, atol) for k in ref)
    return got == ref


def reference(lab: Lab, limits: Limits) -> dict[str, dict]:
    probes = sorted({p for t in lab.tasks for p in t.probes})
    res = run_notebook_code(_code_cells(lab.notebook), probes, limits, forbidden=[])
    bad = [p for p in probes if "ok" not in res.values.get(p, {})]
    if res.failure or bad or res.cell_errors:
        raise InvalidParameterError(
            f"The solution of lab {lab.name!r} does not run cleanly: {res.failure or ''} "
            f"{res.cell_errors} {[(p, res.values.get(p)) for p in bad]}")
    return res.values


def grade_notebook(lab: Lab, path: Path, ref: dict[str, dict], limits: Limits,
                   forbidden: list[Path]) -> Grade:
    sid = student_id(path, lab.name)
    zero = {t.name: 0.0 for t in lab.tasks}
    try:
        nb = read_notebook(path)
        cells = _code_cells(nb)
    except Exception as err:  # noqa: BLE001 - any unreadable file is the submission's problem
        return Grade(sid, zero, [f"unreadable notebook: {type(err).__name__}: {str(err)[:120]}"])
    probes = sorted({p for t in lab.tasks for p in t.probes})
    res: RunResult = run_notebook_code(cells, probes, limits, forbidden)
    if res.tampering:
        return Grade(sid, zero, ["tampering: " + "; ".join(sorted(set(res.tampering))[:3])])
    if res.failure:
        return Grade(sid, zero, [res.failure])
    grade = Grade(sid, {}, [e for e in res.cell_errors[:3]])
    if any("Errno 27" in e or "File too large" in e for e in res.cell_errors):
        grade.notes.insert(0, f"output limit ({limits.output_mb} MB) exceeded")
    for t in lab.tasks:
        ok = [p for p in t.probes if "ok" in res.values.get(p, {})
              and _same(res.values[p]["ok"], ref[p]["ok"], t.rtol, t.atol)]
        grade.scores[t.name] = round(t.points * len(ok) / len(t.probes), 3)
        if len(ok) < len(t.probes):
            first = next(p for p in t.probes if p not in ok)
            why = res.values.get(first, {}).get("error", "wrong value")
            grade.notes.append(f"{t.name}: {len(ok)}/{len(t.probes)} tests passed ({first}: {why})")
    return grade


def _submissions(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        found += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def grade_submissions(lab_dir: str | Path, submissions: list[str | Path], out: str | Path,
                      limits: Limits | None = None, progress: bool = True) -> list[Grade]:
    """Grade ``submissions`` (files or folders of .ipynb) of ``lab_dir`` into the CSV ``out``."""
    lab = load_lab(lab_dir)
    limits = limits or Limits.for_lab(lab.limits)
    out = Path(out)
    if out.exists():
        raise InvalidParameterError(
            f"The 'out' parameter of grade must be a new file: {out} exists and is never "
            "overwritten. Choose another name (e.g. add the date).")
    paths = _submissions([Path(s) for s in submissions])
    if not paths:
        raise InvalidParameterError("The 'submissions' parameter of grade must name .ipynb "
                                    f"files or folders containing them. Got {submissions!r}.")
    ref = reference(lab, limits)
    tmp = Path(tempfile.gettempdir()).resolve()
    forbidden = [lab.directory] + sorted(d for d in {p.parent.resolve() for p in paths}
                                         if d not in (tmp, *tmp.parents))
    grades = []
    for i, path in enumerate(paths, 1):
        g = grade_notebook(lab, path, ref, limits, forbidden)
        grades.append(g)
        if progress:
            print(f"[{i}/{len(paths)}] {g.student}: {g.total:g}/{lab.max_points:g}"
                  + (f"  ({'; '.join(g.notes)[:120]})" if g.notes else ""), flush=True)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", *[t.name for t in lab.tasks], "total", "max", "notes"])
    for g in sorted(grades, key=lambda g: g.student):
        w.writerow([g.student, *[f"{g.scores[t.name]:g}" for t in lab.tasks], f"{g.total:g}",
                    f"{lab.max_points:g}", " | ".join(g.notes)])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "x", encoding="utf-8", newline="") as f:  # "x": never overwrite
        f.write(buf.getvalue())
    return grades


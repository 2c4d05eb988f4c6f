"""Grade a folder of submitted notebooks into a CSV gradebook.

Each submission runs in its own operating-system sandbox (:mod:`.sandbox`); the solution runs
the same way once to give the reference values, which stay in this process. A probe scores
when its value matches the reference (numbers within the task's ``rtol``/``atol``); a task
scores ``points`` times the share of its probes that match. A manual task is not scored: its
CSV cell reads ``review`` and its values go to ``<out>.review.md`` (:mod:`.review`). Reasons go
into the ``notes`` column; a cell the sandbox denied (a read-only or missing path, a process
limit, no network) is noted as ``sandbox: ...``.

``jobs`` submissions are graded at once, each in its own sandbox; the CSV does not depend on
``jobs``. The gradebook is never overwritten and cannot be reached from a sandbox
(:mod:`.gradebook`). Beside it: one feedback file per student (:mod:`.feedback`,
``<out>.feedback/``) and, on request, the Canvas and Moodle import files (:mod:`.lms`,
``<out stem>.canvas.csv``, ``<out stem>.moodle.csv``). Every output path is checked before
grading starts: none may exist.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from simlib._validate import InvalidParameterError

from . import bwrap, feedback, gradebook, lms, review
from .labfile import Lab, load_lab, read_notebook, tags
from .sandbox import Limits, RunResult, run_notebook_code

__all__ = ["Grade", "grade_notebook", "grade_submissions", "student_id"]

NOTE_CHARS = 300  # longest note, characters (notes are one line each)
UNSAFE_NOTE = "UNSAFE: graded with --unsafe-no-sandbox (no operating-system isolation)"
_DENIED = ("[Errno 1] ", "[Errno 11] ", "[Errno 13] ", "[Errno 30] ", "[Errno 101] ",
           "[Errno -2] ", "[Errno -3] ", "grading sandbox:")


@dataclass
class Grade:
    student: str
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)
    #: manual task -> {expression: {"ok": value} or {"error": text}} from this submission's run
    review: dict[str, dict] = field(default_factory=dict)
    #: task -> {"passed": n, "total": n, "raised": {exception type: count}} where points were lost
    lost: dict[str, dict] = field(default_factory=dict)
    public: list[str] = field(default_factory=list)  # public check lines saved in the notebook
    seconds: float = 0.0  # the grader's run of it, wall clock
    failure: str = ""  # why the run stopped early (the grader's words), "" if it did not
    cell_errors: list[str] = field(default_factory=list)  # "cell 3: NameError" (types only)

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def student_id(path: Path, lab_name: str) -> str:
    """``alice.ipynb`` → alice; ``alice/<lab>.ipynb`` → alice."""
    return gradebook.one_line(path.parent.name if path.stem == lab_name else path.stem, 100)


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


@dataclass(frozen=True)
class _Run:
    """How every notebook of one grading run is executed."""

    limits: Limits
    budget: str
    sandbox: bool
    hidden: tuple[Path, ...]
    cache: Path | None

    def __call__(self, cells: list[str], expressions: list[str],
                 notebook: tuple[str, str] | None = None) -> RunResult:
        return run_notebook_code(cells, expressions, self.limits, budget=self.budget,
                                 sandbox=self.sandbox, hidden=list(self.hidden), cache=self.cache,
                                 notebook=notebook)


def _expressions(lab: Lab) -> list[str]:
    return sorted({e for t in lab.tasks for e in t.expressions})


def reference(lab: Lab, run: _Run) -> dict[str, dict]:
    """The solution's probe values (computed in a sandbox, kept in the grader)."""
    probes = sorted({p for t in lab.tasks if not t.manual for p in t.probes})
    res = run(_code_cells(lab.notebook), probes)
    bad = [p for p in probes if "ok" not in res.values.get(p, {})]
    if res.failure or bad or res.cell_errors:
        raise InvalidParameterError(
            f"The solution of lab {lab.name!r} does not run cleanly: {res.failure or ''} "
            f"{res.cell_errors} {[(p, res.values.get(p)) for p in bad]}")
    return res.values


def _error_note(err: str, hidden: tuple[Path, ...]) -> str:
    denied = any(d in err for d in _DENIED) or any(str(h) in err for h in hidden)
    return ("sandbox: denied, " if denied else "") + err


def grade_notebook(lab: Lab, path: Path, ref: dict[str, dict], run: _Run,
                   sid: str | None = None) -> Grade:
    """Run one submission and score it against ``ref`` (see the module docstring)."""
    sid = sid or student_id(path, lab.name)
    zero = {t.name: 0.0 for t in lab.tasks if not t.manual}
    if path.is_symlink():
        return Grade(sid, zero, ["not graded: the submission is a symbolic link"])
    try:
        text = path.read_text(encoding="utf-8")
        cells = _code_cells(read_notebook(path))
    except Exception as err:  # noqa: BLE001 - any unreadable file is the submission's problem
        note = f"unreadable notebook: {type(err).__name__}: {str(err)[:120]}"
        return Grade(sid, zero, [note], failure=note)
    res = run(cells, _expressions(lab), (path.name, text))
    public = feedback.public_messages(res.output)
    if res.failure:
        return Grade(sid, zero, [res.failure], public=public, seconds=res.seconds,
                     failure=res.failure)
    grade = Grade(sid, {}, [_error_note(e, run.hidden) for e in res.cell_errors[:3]],
                  public=public, seconds=res.seconds,
                  cell_errors=[f"{e.split(':', 1)[0]}: {feedback.safe_type(e)}"
                               for e in res.cell_errors[:10]])
    if any("Errno 27" in e or "File too large" in e for e in res.cell_errors):
        grade.notes.insert(0, f"output limit ({run.limits.output_mb} MB) exceeded")
    for t in lab.tasks:
        if t.manual:
            grade.review[t.name] = {e: res.values[e] for e in t.expressions if e in res.values}
            continue
        ok = [p for p in t.probes if "ok" in res.values.get(p, {})
              and _same(res.values[p]["ok"], ref[p]["ok"], t.rtol, t.atol)]
        grade.scores[t.name] = round(t.points * len(ok) / len(t.probes), 3)
        if len(ok) < len(t.probes):
            raised: dict[str, int] = {}
            for p in t.probes:
                v = res.values.get(p)
                if v is None or "error" in v:
                    kind = feedback.safe_type(v["error"]) if v else "an error"
                    raised[kind] = raised.get(kind, 0) + 1
            grade.lost[t.name] = {"passed": len(ok), "total": len(t.probes), "raised": raised}
            first = next(p for p in t.probes if p not in ok)
            why = res.values.get(first, {}).get("error", "wrong value")
            grade.notes.append(f"{t.name}: {len(ok)}/{len(t.probes)} tests passed ({first}: {why})")
    return grade


def _submissions(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise InvalidParameterError(f"The 'submissions' parameter of grade must name existing "
                                    f"files or folders. Not found: {', '.join(missing)}.")
    found: list[Path] = []
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            for root, dirs, files in os.walk(p):  # never follows symlinked folders
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                found += [Path(root) / f for f in sorted(files) if f.endswith(".ipynb")]
        else:
            found.append(p)
    return found


def _ids(paths: list[Path], lab_name: str, pattern: str | None) -> tuple[dict[Path, str], list[Path]]:
    """Student id of every path (``pattern``: :func:`.lms.id_rule`), and the paths it did not
    match (they keep the default id). Two paths with one id stop the run, naming both."""
    rule = lms.id_rule(pattern)
    ids: dict[Path, str] = {}
    unmatched = []
    for p in paths:
        found = rule(p.parent.name if p.stem == lab_name else p.name) if pattern else None
        if pattern and found is None:
            unmatched.append(p)
        ids[p] = found or student_id(p, lab_name)
    by_id: dict[str, list[str]] = {}
    for p, sid in ids.items():
        by_id.setdefault(sid, []).append(str(p))
    dup = {k: v for k, v in by_id.items() if len(v) > 1}
    if dup:
        raise InvalidParameterError(
            "The 'submissions' parameter of grade must give each student one notebook; these "
            "map to the same student id (rename or remove one, nothing was graded): "
            + "; ".join(f"{k!r}: {', '.join(v)}" for k, v in sorted(dup.items())))
    return ids, unmatched


def _csv(lab: Lab, grades: list[Grade], unsafe: bool, late: dict[str, str] | None = None) -> str:
    manual = [t for t in lab.tasks if t.manual]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", *[t.name for t in lab.tasks], "total", "max",
                *(["pending_review"] if manual else []), *(["late"] if late else []), "notes"])
    for g in sorted(grades, key=lambda g: g.student):
        notes = ([UNSAFE_NOTE] if unsafe else []) + [gradebook.one_line(n, NOTE_CHARS) for n in g.notes]
        w.writerow([gradebook.cell(g.student),
                    *["review" if t.manual else f"{g.scores[t.name]:g}" for t in lab.tasks],
                    f"{g.total:g}", f"{lab.max_points:g}",
                    *([f"{lab.review_points:g}"] if manual else []),
                    *([late[g.student]] if late else []),
                    gradebook.cell(gradebook.one_line(" | ".join(notes), 4 * NOTE_CHARS))])
    return buf.getvalue()


def feedback_dir(out: Path) -> Path:
    """The folder of per-student feedback files beside the gradebook ``out``."""
    return out.with_name(out.stem + ".feedback")


def export_path(out: Path, fmt: str) -> Path:
    """The ``fmt`` (canvas, moodle) import file beside the gradebook ``out``."""
    return out.with_name(f"{out.stem}.{fmt}.csv")


def review_path(out: Path) -> Path:
    """The review companion of the gradebook ``out``: ``<out>.review.md``."""
    return out.with_name(out.name + ".review.md")


def grade_submissions(lab_dir: str | Path, submissions: list[str | Path], out: str | Path,
                      limits: Limits | None = None, progress: bool = True,
                      jobs: int | None = None, sandbox: bool = True, *,
                      id_pattern: str | None = None, deadline_s: float | None = None,
                      export: tuple[str, ...] = (), assignment: str | None = None,
                      feedback_files: bool = True) -> list[Grade]:
    """Grade ``submissions`` (files or folders of .ipynb) of ``lab_dir`` into the CSV ``out``.

    ``jobs``: submissions graded at once (default: the number of cores). ``sandbox=False``
    grades without the operating-system sandbox (``--unsafe-no-sandbox``): every row's notes
    then say so. ``id_pattern``: regular expression giving the student id from the file name
    (:func:`.lms.id_rule`). ``deadline_s``: seconds since the epoch; a file modified after it is
    flagged late (a ``late`` column). ``export``: course-site files to write too (``canvas``,
    ``moodle``), with the grade column named ``assignment`` (default: the lab's name).
    ``feedback_files``: write ``<out>.feedback/<student>.md``.
    """
    from simlib._validate import Options, check

    for fmt in export:
        check("export", fmt, Options(lms.FORMATS), owner="grade")
    lab = load_lab(lab_dir)
    limits = limits or Limits.for_lab(lab.limits)
    out = Path(out).absolute()
    _check_outputs_are_new(out, bool([t for t in lab.tasks if t.manual]), feedback_files, export)
    paths = _submissions([Path(s) for s in submissions])
    if not paths:
        raise InvalidParameterError("The 'submissions' parameter of grade must name .ipynb "
                                    f"files or folders containing them. Got {submissions!r}.")
    ids, unmatched = _ids(paths, lab.name, id_pattern)
    for p in unmatched:
        print(f"WARNING: {p} does not match --id-pattern {id_pattern!r}: graded as "
              f"{ids[p]!r} and left out of the course-site files", file=sys.stderr)
    if sandbox:
        bwrap.check_available()
    else:
        print(f"WARNING: {UNSAFE_NOTE}: a submission can read the lab and other submissions "
              "and start processes.", file=sys.stderr)
    grades = _grade_all(lab, paths, ids, unmatched, out, limits, sandbox, jobs or os.cpu_count() or 1, progress)
    late = {ids[p]: lms.late_flag(p.lstat().st_mtime, deadline_s)
            for p in paths} if deadline_s is not None else None
    _write_outputs(lab, grades, [g for g, p in zip(grades, paths, strict=True) if p not in unmatched],
                   out, limits, sandbox, late, feedback_files, export, assignment or lab.name)
    return grades


def _check_outputs_are_new(out: Path, manual: bool, feedback_files: bool, export: tuple[str, ...]) -> None:
    """Refuse to start when any file the run would write exists already (nothing is overwritten)."""
    gradebook.check_new(out)
    if manual:
        gradebook.check_new(review_path(out))
    if feedback_files:
        gradebook.check_new(feedback_dir(out))
    for fmt in export:
        gradebook.check_new(export_path(out, fmt))


def _grade_all(lab: Lab, paths: list[Path], ids: dict, unmatched: list[Path], out: Path, limits: Limits,
               sandbox: bool, jobs: int, progress: bool) -> list[Grade]:
    """Grade every submission, ``jobs`` at once, each in its own sandbox (the instructor's
    reference run first), printing one line per submission as it finishes."""
    from simlib.models.cache import cache_dir

    hidden = tuple(sorted({lab.directory.resolve(), out.parent.resolve(), Path.home().resolve(),
                           *(p.parent.resolve() for p in paths)}))
    run = _Run(limits, lab.budget, sandbox, hidden, cache_dir())
    ref = reference(lab, run)
    done, lock = [0], threading.Lock()

    def one(path: Path) -> Grade:
        g = grade_notebook(lab, path, ref, run, sid=ids[path])
        if path in unmatched:
            g.notes.insert(0, f"file name does not match --id-pattern: id taken from {path.name}")
        if progress:
            with lock:
                done[0] += 1
                print(f"[{done[0]}/{len(paths)}] {g.student}: {g.total:g}/{lab.max_points:g}"
                      + (f"  ({'; '.join(g.notes)[:120]})" if g.notes else ""), flush=True)
        return g

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, paths))


def _write_outputs(lab: Lab, grades: list[Grade], matched: list[Grade], out: Path, limits: Limits,
                   sandbox: bool, late: dict | None, feedback_files: bool, export: tuple[str, ...],
                   assignment: str) -> None:
    """The gradebook CSV, the manual-review file, the students' feedback files and the course-site
    import files (``matched``: the grades whose file name gave a student id)."""
    manual = [t for t in lab.tasks if t.manual]
    if manual:
        gradebook.write_new(review_path(out), review.render(lab.name, manual, grades))
    gradebook.write_new(out, _csv(lab, grades, unsafe=not sandbox, late=late))
    if feedback_files:
        folder = feedback_dir(out)
        folder.mkdir()  # checked new above: a folder that appeared meanwhile stops here
        for g in grades:
            gradebook.write_new(folder / f"{_file_safe(g.student)}.md",
                                feedback.render(lab, g, limits, (late or {}).get(g.student, "")))
    rows = sorted(matched, key=lambda g: g.student)
    for fmt in export:
        text = (lms.canvas_csv(assignment, [(g.student, g.total) for g in rows]) if fmt == "canvas" else
                lms.moodle_csv(assignment, [(g.student, g.total, feedback.summary(lab, g)) for g in rows]))
        gradebook.write_new(export_path(out, fmt), text)


def _file_safe(student: str) -> str:
    """A student id as a file name (other characters become '_'; never empty or hidden)."""
    name = re.sub(r"[^A-Za-z0-9_.@-]", "_", student).lstrip(".")
    return name or "_"

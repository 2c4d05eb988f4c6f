"""What every lab's tests do, in one place: run the handed-out notebook, grade submissions with the
lab's own limits, and grade the filled student notebook beside CPU hogs while reading the numbers
its graded run produced (rule 6 of CONTRIBUTING.md's lab rules).

A lab's own test file keeps only what is particular to it: its plausible wrong submission and the
lesson its numbers must show.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from simlib.exercises.grading import grade_submissions, load_lab
from simlib.exercises.grading import grader as grader_module
from simlib.exercises.grading.labfile import tags
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import cpu_hogs


def task_points(lab_dir: Path) -> dict[str, float]:
    """Each task's points, by task name."""
    return {t.name: t.points for t in load_lab(lab_dir).tasks}


def manual_tasks(lab_dir: Path) -> set[str]:
    """The tasks an instructor reads (free text): marked "review" in the gradebook, never scored."""
    return {t.name for t in load_lab(lab_dir).tasks if t.manual}


def handed_out(lab_dir: Path) -> nbformat.NotebookNode:
    """The student notebook as handed out (a blank submission)."""
    return nbformat.read(str(load_lab(lab_dir).student_path), as_version=4)


def student_outputs(lab_dir: Path, tmp_path: Path, timeout_s: int = 180) -> str:
    """Execute the handed-out notebook as a student first opens it; the text it printed."""
    from nbclient import NotebookClient

    nb = handed_out(lab_dir)
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def fill_student(lab_dir: Path) -> nbformat.NotebookNode:
    """The handed-out student notebook with every ``# YOUR CODE HERE`` filled with the solution:
    what a student who gets everything right hands in (the other cells exactly as handed out)."""
    lab = load_lab(lab_dir)
    student = handed_out(lab_dir)
    answers = [c for c in lab.notebook.cells if "solution" in tags(c)]
    todo = [c for c in student.cells if "solution" in tags(c)]
    assert len(answers) == len(todo), "student version out of date: run `simlib lab build`"
    marker = re.compile(r"\s*# (BEGIN |END )?SOLUTION\s*$")
    for cell, answer in zip(todo, answers, strict=True):
        assert "# YOUR CODE HERE" in cell.source
        cell.source = "\n".join(re.sub(r"\s*# SOLUTION\s*$", "", line)
                                for line in answer.source.splitlines() if not marker.fullmatch(line))
    return student


def grade(lab_dir: Path, tmp_path: Path, **notebooks: nbformat.NotebookNode) -> dict[str, dict[str, str]]:
    """Grade ``notebooks`` (student name -> notebook) with the lab's own limits; the gradebook's
    rows by student."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, str(subs / f"{name}.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(lab_dir, [subs], out, limits=Limits.for_lab(load_lab(lab_dir).limits), progress=False)
    return {r["student"]: r for r in csv.DictReader(out.open())}


def assert_solution_full_and_blank_zero(lab_dir: Path, rows: dict[str, dict[str, str]]) -> None:
    """Every scored task: full points for ``correct``, zero for ``blank``; every manual task is
    marked for review in every row."""
    manual = manual_tasks(lab_dir)
    for task, full in task_points(lab_dir).items():
        if task in manual:
            assert {r[task] for r in rows.values()} == {"review"}, task
            continue
        assert float(rows["correct"][task]) == full, (task, rows["correct"]["notes"])
        assert float(rows["blank"][task]) == 0, task


@contextlib.contextmanager
def graded_runs(monkeypatch, extra_probes: list[str]) -> Iterator[list]:
    """Record every child run of the grader (reference first, then each submission), with
    ``extra_probes`` evaluated in the same run: the numbers the graded run produced."""
    runs: list = []
    real = grader_module.run_notebook_code

    def spy(cells, probes, *args, **kwargs):
        res = real(cells, [*probes, *extra_probes], *args, **kwargs)
        runs.append(res)
        return res

    monkeypatch.setattr(grader_module, "run_notebook_code", spy)
    yield runs


def value(run, probe: str) -> Any:
    """A probe's value in one graded run (fails, naming the probe, where it raised)."""
    got = run.values.get(probe, {})
    assert "ok" in got, f"{probe}: {got}"
    return got["ok"]


@dataclass
class StudentRun:
    """The filled student notebook, graded: its gradebook row, the probes' values in its graded
    run, and how long that run took (s)."""

    row: dict[str, str]
    values: dict[str, Any]
    seconds: float
    reference_seconds: float


def grade_student(lab_dir: Path, tmp_path: Path, monkeypatch, shown: list[str], *, hogs: int = 2) -> StudentRun:
    """Grade the filled student notebook with the lab's own limits beside ``hogs`` busy-looping
    processes, reading ``shown`` in its graded run; asserts that the run did not fail and that
    every scored task got full points."""
    with cpu_hogs(hogs), graded_runs(monkeypatch, shown) as runs:
        row = grade(lab_dir, tmp_path, student=fill_student(lab_dir))["student"]
    assert len(runs) == 2 and not runs[1].failure, runs[1].failure
    manual = manual_tasks(lab_dir)
    for task, full in task_points(lab_dir).items():
        if task not in manual:
            assert float(row[task]) == full, (task, row["notes"])
    return StudentRun(row, {p: value(runs[1], p) for p in shown}, runs[1].seconds, runs[0].seconds)

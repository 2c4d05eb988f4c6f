"""The chapter's lab, "Capacity under an SLO": the student version runs, the committed copy is
up to date, and grading gives the solution full marks and a blank or wrong submission less.

The grader runs real measurements (SingleStream and Server on the CNN) in each submission's
sandbox, so these tests take tens of seconds; the hidden tests only use tolerances that hold
on any CPU (see labs/capacity/source.md).
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from simlib.exercises.grading import build_student, grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO
from tests.test_grade import replace

LAB = REPO / "labs" / "capacity"
LIMITS = Limits.for_lab(load_lab(LAB).limits)  # the lab's own front-matter limits

pytestmark = pytest.mark.slow


def solution_notebook():
    return _solution_notebook(LAB)


def test_committed_student_version_is_up_to_date(tmp_path):
    fresh = build_student(LAB, tmp_path / "s.ipynb")
    committed = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    assert [c.source for c in nbformat.read(str(fresh), as_version=4).cells] == \
        [c.source for c in committed.cells], "run `simlib lab build labs/capacity`"
    text = fresh.read_text()
    assert "HIDDEN_TESTS" not in text and "find_max_qps(Empirical(samples_s)" not in text


def test_grading_solution_blank_and_wrong(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = solution_notebook()
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # a student who forgets the ddof=1 in the CV and predicts from the mean only (no tail)
    wrong = replace(sol, "x.std(ddof=1)", "x.std()")
    wrong = replace(wrong, "latency_bound_s=bound_s, percentile=99", "latency_bound_s=bound_s, percentile=50")
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    header = next(csv.reader(out.open()))
    assert header[1:-3] == ["measure", "summarize", "predict", "verify", "in-situ", "explain"]
    assert float(rows["correct"]["total"]) == float(rows["correct"]["max"]) == 15, rows["correct"]["notes"]
    assert float(rows["blank"]["total"]) == 0
    wrong_row = rows["wrong"]
    assert float(wrong_row["measure"]) == 2 and float(wrong_row["verify"]) == 3
    assert float(wrong_row["summarize"]) < 3 and float(wrong_row["predict"]) < 4


def test_student_version_runs_with_every_task_not_done(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert out.count("not done yet") == 6, out

"""The system-benchmarks chapter's lab, "Roofline your model".

- the committed student version is up to date and runs with every task not done;
- grading gives the solution full marks, a blank submission zero, a plausible wrong one part;
- a student's run: the student notebook filled with the solution, graded with the lab's own
  settings while two CPU hogs run, scores full marks, and the closing text agrees with the graded
  run's numbers. (The lab rules' mechanical checks run for every lab in tests/test_lab_capacity.py.)

The counts are checked exactly; everything measured is checked for consistency with the
submission's own measurements in the grader's run, so the tests hold on any CPU.
"""

from __future__ import annotations

import csv
import os

import nbformat
import pytest

from simlib.exercises.grading import grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO, cpu_hogs
from tests.test_grade import replace
from tests.test_lab_capacity import _value, fill_student, graded_runs

LAB = REPO / "labs" / "roofline"
LIMITS = Limits.for_lab(load_lab(LAB).limits)
AUTO = ["counts", "predict", "profile", "worst"]

slow = pytest.mark.slow




@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert out.count("not done yet") == 4, out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = _solution_notebook(LAB)
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # a student who counts multiply-accumulates instead of FLOP for convolutions and leaves their
    # weights out of the bytes; the rest of the lab follows consistently from their own numbers
    wrong = replace(sol, "return 2.0 * n * ho * wo * cout * (cin // g) * k * k, 4.0 * (weights + n_in + n_out)",
                    "return 1.0 * n * ho * wo * cout * (cin // g) * k * k, 4.0 * (n_in + n_out)")
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in AUTO:
        assert float(rows["correct"][t]) == points[t], (t, rows["correct"]["notes"])
        assert float(rows["blank"][t]) == 0, t
    w = rows["wrong"]
    assert 0 < float(w["counts"]) < points["counts"], w
    assert float(w["predict"]) == points["predict"] and float(w["worst"]) == points["worst"], w
    assert {rows[s]["explain"] for s in rows} == {"review"}


HEAVY = "max(counts, key=lambda n: counts[n][0])"
HEAVY_RATIO = f"ratio[{HEAVY}]"
SHOWN = ["worst3", HEAVY_RATIO, HEAVY, "max(c[0] for c in counts.values())",
         "min(c[0] for c in counts.values() if c[0] > 0)", "len(prof.forward_samples_s)", "PEAK", "BW", "DISPATCH"]


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: the filled student notebook graded beside two CPU hogs gets full marks; the lesson
    (the roofline misses light layers far more than the heaviest one) is reported from the graded
    run's own numbers."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(LAB), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    with cpu_hogs(2), graded_runs(monkeypatch, SHOWN) as runs:
        grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    assert len(runs) == 2 and not runs[1].failure, runs[1].failure
    row = next(csv.DictReader(out.open()))
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in AUTO:
        assert float(row[t]) == points[t], (t, row["notes"])
    v = {p: _value(runs[1], p) for p in SHOWN}
    assert v["len(prof.forward_samples_s)"] == 30
    heavy = v[HEAVY]
    assert v["max(c[0] for c in counts.values())"] > 100 * v["min(c[0] for c in counts.values() if c[0] > 0)"]
    effect = heavy not in v["worst3"]
    with capsys.disabled():
        print(f"\nroofline lab beside two CPU hogs ({runs[1].seconds:.0f} s graded run, {os.cpu_count()} cores): "
              f"worst {v['worst3']}, heaviest layer {heavy} at {v[HEAVY_RATIO]:.2f}x its prediction; the lesson "
              f"{'showed' if effect else 'did not show (the closing text reports the heaviest layer ratio)'}")

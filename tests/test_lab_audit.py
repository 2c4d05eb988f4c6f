"""The lab "Audit a model and its data" (labs/audit): the solution scores full marks, the blank
student version zero, a plausible wrong answer part; a student's run beside two CPU hogs finds
the planted problems; the planted case itself is deterministic and its problems are real."""

from __future__ import annotations

import csv

import nbformat
import numpy as np
import pytest

from simlib.evaluation.planted import NOISE_RATE, audit_case
from simlib.exercises.grading import grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO, cpu_hogs
from tests.test_grade import replace
from tests.test_lab_capacity import _value, fill_student, graded_runs

LAB = REPO / "labs" / "audit"
LIMITS = Limits.for_lab(load_lab(LAB).limits)
AUTO = ["ece", "temperature", "label-noise", "shift", "slice"]


def test_case_is_deterministic_and_planted():
    a, b = audit_case(), audit_case()
    assert np.array_equal(a.y_pool, b.y_pool) and a._shifted == b._shifted
    assert a._flipped.sum() == round(NOISE_RATE * len(a.y_pool))
    assert a.noise_recall(np.flatnonzero(a._flipped)) == 1.0 and a.noise_precision([]) == 0.0
    assert a.shifted_batch_is(a._shifted) and not a.shifted_batch_is("x")
    accs = [float((a.model_logits(x).argmax(1) == y).mean()) for x, y in a.batches]
    assert int(np.argmin(accs)) == a._shifted  # the shift costs accuracy




@pytest.mark.slow
def test_grading_solution_blank_and_wrong(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = _solution_notebook(LAB)
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # fits the temperature on the test split and bins the test ECE in 15 bins
    wrong = replace(sol, "T = fit_temperature(case.model_logits(case.x_val), case.y_val)",
                    "T = fit_temperature(case.model_logits(case.x_test), case.y_test)")
    wrong = replace(wrong, "ece_test = ece(test_probs, case.y_test)", "ece_test = ece(test_probs, case.y_test, 15)")
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in AUTO:
        assert float(rows["correct"][t]) == points[t], (t, rows["correct"]["notes"])
        assert float(rows["blank"][t]) == 0, t
    w = rows["wrong"]
    assert 0 < float(w["ece"]) < points["ece"] and 0 < float(w["temperature"]) < points["temperature"]
    assert float(w["label-noise"]) == points["label-noise"] and float(w["shift"]) == points["shift"]
    assert {rows[s]["report"] for s in rows} == {"review"}


SHOWN = ["ece_test", "ece_after", "T", "direction", "case.noise_recall(flagged)", "case.noise_precision(flagged)",
         "case.shifted_batch_is(shifted_batch)", "acc_by_batch", "shifted_batch", "findings"]


@pytest.mark.slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch):
    """Rule 6: the filled student notebook graded with the lab's settings beside two CPU hogs
    finds every planted problem, and the closing text says what the run showed."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(LAB), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    with cpu_hogs(2), graded_runs(monkeypatch, SHOWN) as runs:
        grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    row = next(csv.DictReader(out.open()))
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in AUTO:
        assert float(row[t]) == points[t], (t, row["notes"])
    v = {p: _value(runs[1], p) for p in SHOWN}
    assert v["direction"] == "overconfident" and v["ece_after"] < v["ece_test"]
    assert v["case.noise_recall(flagged)"] >= 0.7 and v["case.shifted_batch_is(shifted_batch)"]
    assert min(v["acc_by_batch"]) == v["acc_by_batch"][v["shifted_batch"]]
    assert "the fix worked" in v["findings"] and "the same batch" in v["findings"]
    assert runs[1].seconds < load_lab(LAB).notebook.metadata["lab"]["run_time_s"]

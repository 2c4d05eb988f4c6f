"""The lab "Audit a model and its data" (labs/audit): the solution scores full marks, the blank
student version zero, a plausible wrong answer part; a student's run beside two CPU hogs finds
the planted problems; the planted case itself is deterministic and its problems are real."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.evaluation.planted import NOISE_RATE, audit_case
from simlib.exercises.grading import load_lab, solution_notebook
from tests.conftest import REPO
from tests.labkit import (
    assert_solution_full_and_blank_zero,
    grade,
    grade_student,
    handed_out,
    task_points,
)
from tests.test_grade import replace

LAB = REPO / "labs" / "audit"


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
    sol = solution_notebook(LAB)
    # fits the temperature on the test split and bins the test ECE in 15 bins
    wrong = replace(sol, "T = fit_temperature(case.model_logits(case.x_val), case.y_val)",
                    "T = fit_temperature(case.model_logits(case.x_test), case.y_test)")
    wrong = replace(wrong, "ece_test = ece(test_probs, case.y_test)", "ece_test = ece(test_probs, case.y_test, 15)")
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    points = task_points(LAB)
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
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = run.values
    assert v["direction"] == "overconfident" and v["ece_after"] < v["ece_test"]
    assert v["case.noise_recall(flagged)"] >= 0.7 and v["case.shifted_batch_is(shifted_batch)"]
    assert min(v["acc_by_batch"]) == v["acc_by_batch"][v["shifted_batch"]]
    assert "the fix worked" in v["findings"] and "the same batch" in v["findings"]
    assert run.seconds < load_lab(LAB).notebook.metadata["lab"]["run_time_s"]

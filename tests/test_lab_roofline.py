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

import os

import pytest

from simlib.exercises.grading import solution_notebook
from tests.conftest import REPO
from tests.labkit import (
    assert_solution_full_and_blank_zero,
    grade,
    grade_student,
    handed_out,
    student_outputs,
    task_points,
)
from tests.test_grade import replace

LAB = REPO / "labs" / "roofline"

slow = pytest.mark.slow


@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path)
    assert out.count("not done yet") == 4, out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who counts multiply-accumulates instead of FLOP for convolutions and leaves their
    # weights out of the bytes; the rest of the lab follows consistently from their own numbers
    wrong = replace(sol, "return 2.0 * n * ho * wo * cout * (cin // g) * k * k, 4.0 * (weights + n_in + n_out)",
                    "return 1.0 * n * ho * wo * cout * (cin // g) * k * k, 4.0 * (n_in + n_out)")
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    points = task_points(LAB)
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
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = run.values
    assert v["len(prof.forward_samples_s)"] == 30
    heavy = v[HEAVY]
    assert v["max(c[0] for c in counts.values())"] > 100 * v["min(c[0] for c in counts.values() if c[0] > 0)"]
    effect = heavy not in v["worst3"]
    with capsys.disabled():
        print(f"\nroofline lab beside two CPU hogs ({run.seconds:.0f} s graded run, {os.cpu_count()} cores): "
              f"worst {v['worst3']}, heaviest layer {heavy} at {v[HEAVY_RATIO]:.2f}x its prediction; the lesson "
              f"{'showed' if effect else 'did not show (the closing text reports the heaviest layer ratio)'}")

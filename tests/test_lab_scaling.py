"""The training chapter's lab, "Scaling efficiency": the committed student version, grading (the
solution full marks, a blank submission zero, a plausible wrong one part), and a student's run
beside two CPU hogs that shows the lab's lesson or says what it showed instead.

The lab runs two real data-parallel measurements (1 and 2 processes) in each graded run; its hidden
tests check fixed inputs against the closed forms and the student's answers against their own data,
so they hold on any CPU.
"""

from __future__ import annotations

import pytest

from simlib.exercises.grading import solution_notebook
from tests.conftest import REPO
from tests.labkit import (
    assert_solution_full_and_blank_zero,
    grade,
    grade_student,
    handed_out,
    student_outputs,
)
from tests.test_grade import replace

LAB = REPO / "labs" / "scaling"
slow = pytest.mark.slow


@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path, timeout_s=120)
    assert out.count("not done yet") == 6, out
    assert "Tasks 1 to 3 are not done yet" in out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who forgets the factor N in strong scaling and fits the network on mean, not median, times
    wrong = replace(sol, "t1 / (2 * float(np.mean(two.step_s(\"strong\"))))", "t1 / float(np.mean(two.step_s(\"strong\")))")
    wrong = replace(wrong, "workers=[1, n], batch=batch, network=network,", "workers=[1, n], batch=batch, network=CLUSTER,")
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    w = rows["wrong"]
    assert float(w["measure"]) == 2 and float(w["decompose"]) == 3 and float(w["calibrate"]) == 4
    assert float(w["efficiency"]) < 3 and float(w["predict"]) < 4
    assert 0 < float(w["total"]) < float(w["max"])


SHOWN = ["two.world_size", "strong_eff", "weak_eff", "validation_error", "eff_64", "min_batch",
         "slowest_network", "findings"]


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: the filled student notebook, graded beside two CPU hogs: full marks, and the lesson
    (two processes on this small model are far from linear, and a larger per-worker batch restores
    the efficiency of 64 workers in the model) in the graded run's numbers, with the closing text
    saying what the run showed."""
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = run.values
    with capsys.disabled():
        print(f"\nscaling lab beside two hogs ({run.seconds:.0f} s): "
              + ", ".join(f"{k}={v[k]}" for k in SHOWN if k != "findings") + "\n" + v["findings"])
    assert v["two.world_size"] == 2
    assert v["strong_eff"] < 1.0                    # two processes did not halve the step
    assert v["min_batch"] is not None and v["min_batch"] > 64  # 64 samples per worker are too few for 64 workers
    assert v["slowest_network"] is None or v["slowest_network"] in ("nvlink4", "infiniband-ndr", "ethernet-100g",
                                                                    "ethernet-10g")
    assert f"{v['strong_eff']:.0%} strong-scaling" in v["findings"]

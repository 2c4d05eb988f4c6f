"""The production chapter's lab, "A week in production": the student version is current and runs
with every task not done; grading gives the solution full marks, a blank submission zero and a
plausible wrong one part; a student's filled notebook graded beside two CPU hogs finds every
incident of the week (the week is simulated from a fixed seed, so the lesson does not depend on
the machine); the answer key behaves."""

from __future__ import annotations

import pytest

from simlib.exercises.grading import solution_notebook
from simlib.monitor.week import KINDS, check_report, lab_incidents
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

LAB = REPO / "labs" / "week"
slow = pytest.mark.slow


def test_answer_key_and_report_scoring():
    truth = lab_incidents(7)
    assert sorted(i.kind for i in truth) == sorted(KINDS)
    assert lab_incidents(7) == truth and lab_incidents(8) != truth
    perfect = [{"start_h": i.start_s / 3600 + 1, "kind": i.kind} for i in truth]
    s = check_report(perfect, 7)
    assert all(s[k] for k in KINDS) and s["false_count"] == 0 and s["mean_delay_h"] == pytest.approx(1.0)
    swapped = [dict(r, kind="thermal" if r["kind"] == "gc-storm" else r["kind"]) for r in perfect]
    s = check_report(swapped + [{"start_h": 1.0, "kind": "drift"}, {"bad": 1}], 7)
    assert s["thermal"] and not s["gc-storm"] and s["false_count"] == 3
    late = [{"start_h": i.start_s / 3600 + 13, "kind": i.kind} for i in truth]
    assert not any(check_report(late, 7)[k] for k in KINDS)
    assert check_report(None, 7)["false_count"] == 0 and not check_report(None, 7)["drift"]


def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path)
    assert out.count("not done yet") == 8, out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who trusts burn-rate alerts alone (no CUSUM, no drift monitor) and counts the
    # budget against the allowed share the wrong way round
    wrong = replace(sol, "quiet = [a for a in cusum_alarms_h if", "quiet = [a for a in [] if")
    wrong = replace(wrong, "hot = np.flatnonzero(psi_6h > 0.1)", "hot = np.flatnonzero(psi_6h > 99)")
    wrong = replace(wrong, 'slo_target=slo_target)["consumed_fraction"]', 'slo_target=1 - slo_target)["consumed_fraction"]')
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    points = task_points(LAB)
    w = rows["wrong"]
    assert float(w["hourly"]) == points["hourly"] and float(w["alerts"]) == points["alerts"]
    assert 0 < float(w["report"]) < points["report"] and float(w["budget"]) < points["budget"]


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch):
    """Rule 6: the filled student notebook graded with the lab's settings beside two CPU hogs
    scores full marks, and its report finds every incident of the week with no false alarm."""
    probe = "__import__('simlib.monitor.week', fromlist=['w']).check_report(incidents, SEED)"
    run = grade_student(LAB, tmp_path, monkeypatch, [probe, "findings"])
    assert float(run.row["total"]) == float(run.row["max"]), run.row["notes"]
    found = run.values[probe]
    found = dict(found["__dict__"])  # the grader encodes a dict as its items
    assert all(found[k] for k in KINDS) and found["false_count"] == 0, found
    assert "You reported 4 incident(s)" in run.values["findings"]

"""The power chapter's lab, "An energy budget under an SLO".

- the committed student version is up to date and runs with every task not done;
- grading gives the solution full marks, a blank submission zero, a plausible wrong one part;
- a student's run (the student notebook filled with the solution), graded with the lab's own
  settings while two CPU hogs run: full marks, and the lesson (the energy-optimal
  configuration is not the fastest one, and saves energy) in the graded run's numbers, with a
  closing text that says what the run showed.

The hidden tests check feasibility and optimality of each student's choice against the
simulator calibrated on that student's own measurements, re-measured in the grader's run, so
they hold on any CPU.
"""

from __future__ import annotations

import json
import re

import pytest

from simlib.exercises.grading import load_lab, solution_notebook
from tests.conftest import REPO
from tests.labkit import (
    assert_solution_full_and_blank_zero,
    grade,
    grade_student,
    handed_out,
    manual_tasks,
    student_outputs,
    task_points,
)
from tests.test_grade import replace

LAB = REPO / "labs" / "energy-budget"
TASKS = ["measure", "calibrate", "energy", "thermal", "choose", "explain"]
MANUAL = {"explain"}

slow = pytest.mark.slow


def test_hidden_tests_name_the_tasks_and_points():
    lab = load_lab(LAB)
    assert [t.name for t in lab.tasks] == TASKS
    assert manual_tasks(LAB) == MANUAL


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who forgets the idle power, and picks the fastest configuration as the cheapest
    wrong = replace(sol, "return (u * busy_w + (1 - u) * idle_w) / qps", "return u * busy_w / qps")
    wrong = replace(wrong, 'best = min(ok, key=lambda r: r["energy_per_inference_j"])',
                    'best = min(ok, key=lambda r: r["p_tail_s"])')
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    points = task_points(LAB)
    w = rows["wrong"]
    assert float(w["measure"]) == points["measure"] and float(w["thermal"]) == points["thermal"]
    assert float(w["energy"]) < points["energy"] and float(w["choose"]) < points["choose"]
    assert 0 < float(w["total"]) < float(rows["correct"]["total"])


@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path, timeout_s=300)
    assert out.count("not done yet") == 7, out


SHOWN = ["choice", "latency_choice", "saving_pct", "int8_chosen", "findings", "QPS", "BOUND_S",
         "problem.evaluate(*choice)['energy_per_inference_j']",
         "problem.evaluate(*latency_choice)['energy_per_inference_j']",
         "problem.evaluate(*choice)['freq_hz']", "problem.evaluate(*latency_choice)['freq_hz']",
         "latency_s[('fp32', 1)]", "latency_s[('int8', 1)]"]


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: the filled student notebook graded with the lab's settings beside two CPU hogs.
    Full marks; the lesson (the energy-optimal configuration runs slower than the fastest
    feasible one and saves energy) shows in the graded run's numbers; the closing text says
    what the run showed."""
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = run.values
    with capsys.disabled():
        print(f"\nenergy-budget lab, graded run beside two CPU hogs ({run.seconds:.0f} s):\n"
              + json.dumps({k: v[k] for k in SHOWN if k != "findings"}, indent=1) + "\n" + v["findings"])
    e_best = v["problem.evaluate(*choice)['energy_per_inference_j']"]
    e_fast = v["problem.evaluate(*latency_choice)['energy_per_inference_j']"]
    assert e_best <= e_fast and v["saving_pct"] == pytest.approx(100 * (1 - e_best / e_fast), abs=1e-6)
    # the lesson: the cheapest feasible configuration is not the fastest one (a slower clock or a batch)
    assert tuple(v["choice"]) != tuple(v["latency_choice"]) and v["saving_pct"] > 0
    assert v["problem.evaluate(*choice)['freq_hz']"] <= v["problem.evaluate(*latency_choice)['freq_hz']"]
    f = v["findings"]
    assert f"{v['saving_pct']:.0f}% less" in f
    assert ("INT8 was the cheaper" in f or "it was the cheaper precision" in f) == (v["int8_chosen"] == "yes")
    assert re.search(r"(\d+) of 40 configurations would throttle", f)

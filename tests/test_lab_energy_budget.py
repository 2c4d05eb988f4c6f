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

import csv
import json
import re

import nbformat
import pytest

from simlib.exercises.grading import grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO, cpu_hogs
from tests.test_grade import replace
from tests.test_lab_capacity import _value, fill_student, graded_runs

LAB = REPO / "labs" / "energy-budget"
LIMITS = Limits.for_lab(load_lab(LAB).limits)
TASKS = ["measure", "calibrate", "energy", "thermal", "choose", "explain"]
MANUAL = {"explain"}

slow = pytest.mark.slow




def test_hidden_tests_name_the_tasks_and_points():
    lab = load_lab(LAB)
    assert [t.name for t in lab.tasks] == TASKS
    assert {t.name for t in lab.tasks if getattr(t, "manual", False)} == MANUAL


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = _solution_notebook(LAB)
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # a student who forgets the idle power, and picks the fastest configuration as the cheapest
    wrong = replace(sol, "return (u * busy_w + (1 - u) * idle_w) / qps", "return u * busy_w / qps")
    wrong = replace(wrong, 'best = min(ok, key=lambda r: r["energy_per_inference_j"])',
                    'best = min(ok, key=lambda r: r["p_tail_s"])')
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in TASKS:
        if t in MANUAL:
            assert {rows[s][t] for s in rows} == {"review"}
            continue
        assert float(rows["correct"][t]) == points[t], (t, rows["correct"]["notes"])
        assert float(rows["blank"][t]) == 0, t
    w = rows["wrong"]
    assert float(w["measure"]) == points["measure"] and float(w["thermal"]) == points["thermal"]
    assert float(w["energy"]) < points["energy"] and float(w["choose"]) < points["choose"]
    assert 0 < float(w["total"]) < float(rows["correct"]["total"])


@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
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
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(LAB), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    with cpu_hogs(2), graded_runs(monkeypatch, SHOWN) as runs:
        grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    assert len(runs) == 2 and not runs[1].failure, runs[1].failure
    row = next(csv.DictReader(out.open()))
    v = {p: _value(runs[1], p) for p in SHOWN}
    with capsys.disabled():
        print(f"\nenergy-budget lab, graded run beside two CPU hogs ({runs[1].seconds:.0f} s):\n"
              + json.dumps({k: v[k] for k in SHOWN if k != "findings"}, indent=1) + "\n" + v["findings"])
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in TASKS:
        if t not in MANUAL:
            assert float(row[t]) == points[t], (t, row["notes"])
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

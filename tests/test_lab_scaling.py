"""The training chapter's lab, "Scaling efficiency": the committed student version, grading (the
solution full marks, a blank submission zero, a plausible wrong one part), and a student's run
beside two CPU hogs that shows the lab's lesson or says what it showed instead.

The lab runs two real data-parallel measurements (1 and 2 processes) in each graded run; its hidden
tests check fixed inputs against the closed forms and the student's answers against their own data,
so they hold on any CPU.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from simlib.exercises.grading import grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO, cpu_hogs
from tests.test_grade import replace
from tests.test_lab_capacity import _value, fill_student, graded_runs

LAB = REPO / "labs" / "scaling"
LIMITS = Limits.for_lab(load_lab(LAB).limits)
TASKS = ["measure", "decompose", "efficiency", "calibrate", "predict", "design", "explain"]
MANUAL = {"explain"}
slow = pytest.mark.slow




@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert out.count("not done yet") == 6, out
    assert "Tasks 1 to 3 are not done yet" in out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = _solution_notebook(LAB)
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # a student who forgets the factor N in strong scaling and fits the network on mean, not median, times
    wrong = replace(sol, "t1 / (2 * float(np.mean(two.step_s(\"strong\"))))", "t1 / float(np.mean(two.step_s(\"strong\")))")
    wrong = replace(wrong, "workers=[1, n], batch=batch, network=network,", "workers=[1, n], batch=batch, network=CLUSTER,")
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in TASKS:
        if t in MANUAL:
            continue
        assert float(rows["correct"][t]) == points[t], (t, rows["correct"]["notes"])
        assert float(rows["blank"][t]) == 0, t
    w = rows["wrong"]
    assert float(w["measure"]) == 2 and float(w["decompose"]) == 3 and float(w["calibrate"]) == 4
    assert float(w["efficiency"]) < 3 and float(w["predict"]) < 4
    assert 0 < float(w["total"]) < float(w["max"])
    assert {rows[s]["explain"] for s in rows} == {"review"}


SHOWN = ["two.world_size", "strong_eff", "weak_eff", "validation_error", "eff_64", "min_batch",
         "slowest_network", "findings"]


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: the filled student notebook, graded beside two CPU hogs: full marks, and the lesson
    (two processes on this small model are far from linear, and a larger per-worker batch restores
    the efficiency of 64 workers in the model) in the graded run's numbers, with the closing text
    saying what the run showed."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(LAB), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    with cpu_hogs(2), graded_runs(monkeypatch, SHOWN) as runs:
        grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    row = next(csv.DictReader(out.open()))
    v = {p: _value(runs[1], p) for p in SHOWN}
    with capsys.disabled():
        print(f"\nscaling lab beside two hogs ({runs[1].seconds:.0f} s): "
              + ", ".join(f"{k}={v[k]}" for k in SHOWN if k != "findings") + "\n" + v["findings"])
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in TASKS:
        if t not in MANUAL:
            assert float(row[t]) == points[t], (t, row["notes"])
    assert v["two.world_size"] == 2
    assert v["strong_eff"] < 1.0                    # two processes did not halve the step
    assert v["min_batch"] is not None and v["min_batch"] > 64  # 64 samples per worker are too few for 64 workers
    assert v["slowest_network"] is None or v["slowest_network"] in ("nvlink4", "infiniband-ndr", "ethernet-100g",
                                                                    "ethernet-10g")
    assert f"{v['strong_eff']:.0%} strong-scaling" in v["findings"]

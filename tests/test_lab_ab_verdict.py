"""The design chapter's lab, "Is B really faster than A?": grading and a student's busy run.

- the committed student version is up to date and runs with every task not done;
- grading gives the solution full marks, a blank submission zero, a plausible wrong one part;
- a student's run (the student notebook filled with the solution, graded with the lab's own
  settings beside two CPU hogs) shows the lab's effect in the graded run's numbers: B is faster
  on the benchmark's repeated inputs, its advantage does not hold on fresh ones, and the trick
  is found; the closing text says what the run showed.
"""

from __future__ import annotations

import json

import pytest

from simlib.exercises.grading import load_lab, solution_notebook
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

LAB = REPO / "labs" / "ab-verdict"
TASKS = ["protocol", "gather", "units", "verdict", "trick", "explain"]
SHOWN = ["verdict_repeated", "verdict_fresh", "b_table_share", "trick_config", "trick", "findings",
         "{k[0] + '/' + k[1]: float(np.median(v)) for k, v in samples.items()}"]

slow = pytest.mark.slow


def test_hidden_tests_name_every_task():
    assert [t.name for t in load_lab(LAB).tasks] == TASKS


@slow
def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path, timeout_s=120)
    assert "not done yet" in out and "Traceback" not in out


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who runs A then B (no interleaving), compares single queries with the normal
    # quantile instead of Welch's t on batch medians, and blames A
    wrong = replace(sol, '"interleave_block": 50', '"interleave_block": QUERIES')
    wrong = replace(wrong, "half = st.t.ppf(0.975, df) * np.sqrt(se2)", "half = 1.96 * np.sqrt(se2) / 2")
    wrong = replace(wrong, 'trick = "cache"', 'trick = "best-of-n"')
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert_solution_full_and_blank_zero(LAB, rows)
    points = task_points(LAB)
    w = rows["wrong"]
    assert float(w["units"]) == points["units"] and float(w["gather"]) == points["gather"]
    assert float(w["protocol"]) < points["protocol"] and float(w["verdict"]) < points["verdict"]
    assert float(w["trick"]) < points["trick"]
    assert 0 < float(w["total"]) < float(rows["correct"]["total"])


def _plain(v):
    """A probe value as the grader's child sent it ({"__dict__": [[key, value], ...]} for a dict)."""
    if isinstance(v, dict) and set(v) == {"__dict__"}:
        return {(tuple(k) if isinstance(k, list) else k): _plain(x) for k, x in v["__dict__"]}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _findings_agree(v: dict) -> bool:
    f = v["findings"]
    ok = True
    for stream, key in (("repeated", "verdict_repeated"), ("fresh", "verdict_fresh")):
        said = f.split(f"On {'the benchmark' + chr(39) + 's repeated' if stream == 'repeated' else 'fresh'} inputs: ")[1]
        ok &= said.startswith("no clear difference") == (v[key]["faster"] == "neither")
    return ok and f"is {v['trick_config']}." in f


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: graded beside two CPU hogs, the trick shows and is found from the student's data."""
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = {p: _plain(run.values[p]) for p in SHOWN}
    with capsys.disabled():
        print(f"\nab-verdict lab, graded run beside two CPU hogs ({run.seconds:.0f} s):\n"
              + json.dumps({k: v[k] for k in SHOWN if k != "findings"}) + "\n" + v["findings"])
    assert v["verdict_repeated"]["faster"] == "B" and v["verdict_repeated"]["matters"]   # the trick works...
    assert v["verdict_fresh"]["diff_ms"] > v["verdict_repeated"]["diff_ms"]              # ...only on its inputs
    assert v["b_table_share"]["repeated"] > 0.5 and v["b_table_share"]["fresh"] < 0.05
    assert v["trick_config"] == "B" and v["trick"] == "cache"
    assert _findings_agree(v), v["findings"]

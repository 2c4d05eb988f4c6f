"""The chapter's lab, "Capacity under an SLO", and the lab rules (CONTRIBUTING.md) for every lab.

- the committed student version is up to date and runs with every task not done;
- grading gives the solution full marks, a blank submission zero, a plausible wrong one part;
- every lab declares its run time, and every public check shows the student's value;
- a student's run: the student notebook filled with the solution, graded with the lab's own
  settings while two CPU hogs run, shows the lab's intended effect in the graded run's numbers
  (or the lab's text says that it did not).

The capacity lab's grader runs real measurements (SingleStream and Server on the CNN) in each
submission's sandbox, with run lengths the lab declares, so these tests take minutes; the
hidden tests only use tolerances that hold on any CPU (deterministic inputs, or consistency
checks on the student's own measurements).
"""

from __future__ import annotations

import ast
import json
import os
import re

import nbformat
import pytest

from simlib.exercises.grading import build_student, load_lab, solution_notebook
from simlib.exercises.grading.labfile import tags
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO
from tests.labkit import (
    assert_solution_full_and_blank_zero,
    fill_student,
    grade,
    grade_student,
    handed_out,
    student_outputs,
)
from tests.test_grade import replace

LAB = REPO / "labs" / "capacity"
LABS = sorted(p.parent for p in (REPO / "labs").glob("*/source.md"))
TASKS = ["measure", "summarize", "predict", "verify", "in-situ", "slowdown", "calibration", "explain"]

slow = pytest.mark.slow


#: per lab, a line of its solution that must not reach the handed-out notebook
SOLUTION_LINES = {"capacity": "return float(find_max_qps(", "tell-apart": "np.percentile(mb / ma",
                  "roofline": "2.0 * n * ho * wo", "ab-verdict": "half = st.t.ppf",
                  "scaling": "fit_alpha_beta(sizes, [", "energy-budget": "u * busy_w", "week": "check_report"}


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_committed_student_version_is_up_to_date(lab_dir, tmp_path):
    fresh = build_student(lab_dir, tmp_path / "s.ipynb")
    committed = nbformat.read(str(load_lab(lab_dir).student_path), as_version=4)
    assert [c.source for c in nbformat.read(str(fresh), as_version=4).cells] == \
        [c.source for c in committed.cells], f"run `simlib lab build labs/{lab_dir.name} --force`"
    text = fresh.read_text()
    assert "HIDDEN_TESTS" not in text and "SOLUTION" not in text
    if lab_dir.name in SOLUTION_LINES:
        assert SOLUTION_LINES[lab_dir.name] not in text


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_lab_declares_its_run_time_within_its_grading_limit(lab_dir):
    """Rule 1: a lab states in its front matter how long one run takes; the grader allows more."""
    lab = load_lab(lab_dir)
    declared = lab.notebook.metadata.get("lab", {})
    assert isinstance(declared.get("run_time"), str) and declared["run_time"], "front matter lab.run_time"
    run_time_s = declared.get("run_time_s")
    assert isinstance(run_time_s, int | float) and 0 < run_time_s <= 180, "a few minutes at most"
    timeout_s = Limits.for_lab(lab.limits).timeout_s
    assert timeout_s >= 2 * run_time_s, (timeout_s, run_time_s)


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_every_public_check_shows_the_students_value(lab_dir):
    """Rule 4: ``t.check`` needs ``got=``; ``t.between``/``t.near`` always print the value."""
    lab = load_lab(lab_dir)
    checks = [c for c in lab.notebook.cells if "check" in tags(c)]
    assert checks
    n = 0
    for cell in checks:
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "check":
                n += 1
                assert any(k.arg == "got" for k in node.keywords), ast.unparse(node)
    assert n >= 1


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_manual_tasks_show_values_the_notebook_defines(lab_dir):
    """Rule 3: free text goes to the instructor beside the run's numbers; the names exist."""
    cell = next(c for c in load_lab(lab_dir).notebook.cells if "hidden-tests" in tags(c))
    hidden = ast.literal_eval(cell.source.split("=", 1)[1])
    code = "\n".join(c.source for c in load_lab(lab_dir).notebook.cells if c.cell_type == "code")
    for name, spec in hidden.items():
        if spec.get("manual"):
            assert spec["show"], name
            for shown in spec["show"]:
                assert re.search(rf"^\s*{re.escape(shown)}\s*=", code, re.M), (name, shown)


@slow
def test_grading_solution_blank_and_wrong(tmp_path):
    sol = solution_notebook(LAB)
    # a student who forgets the ddof=1 in the CV, predicts from the median (no tail), and
    # reports the slowdown as a fraction instead of a percentage
    wrong = replace(sol, "x.std(ddof=1)", "x.std()")
    wrong = replace(wrong, "latency_bound_s=bound_s, percentile=99", "latency_bound_s=bound_s, percentile=50")
    wrong = replace(wrong, "slowdown_pct = 100 * c.relative_change", "slowdown_pct = c.relative_change")
    rows = grade(LAB, tmp_path, correct=sol, blank=handed_out(LAB), wrong=wrong)
    assert [t.name for t in load_lab(LAB).tasks] == TASKS
    assert_solution_full_and_blank_zero(LAB, rows)
    w = rows["wrong"]
    assert float(w["measure"]) == 2 and float(w["verify"]) == 3 and float(w["calibration"]) == 3
    assert float(w["summarize"]) < 3 and float(w["predict"]) < 4 and float(w["slowdown"]) < 2


@slow
def test_explanation_is_reviewed_not_scored(tmp_path):
    other = replace(solution_notebook(LAB), "explanation = (", "explanation = ('My own words. ' +")
    row = grade(LAB, tmp_path, **{"own-words": other})["own-words"]
    assert row["explain"] == "review"
    out = tmp_path / "grades.csv"
    review = out.with_suffix(".review.md") if out.with_suffix(".review.md").exists() \
        else out.parent / (out.name + ".review.md")
    text = review.read_text().replace("\\", "")  # the review escapes markdown punctuation
    assert "My own words." in text and "better_calibration" in text and "slowdown_pct" in text


def test_student_version_runs_with_every_task_not_done(tmp_path):
    out = student_outputs(LAB, tmp_path, timeout_s=120)
    assert out.count("not done yet") == 9, out


# The numbers of the capacity lab's graded run that carry its lesson.
SHOWN = ["prediction_error", "slowdown_pct", "slower_under_load", "better_calibration", "measured_p99_s",
         "BOUND_S", "isolated_p99_s", "in_situ_p99_s", "predicted_qps", "in_situ_qps", "findings",
         "server.metrics['queries']", "server.metrics['qps_scheduled']", "len(service_s)",
         "[w for w in server.warnings if w.startswith('INVALID')]"]


def _findings_agree(v: dict) -> bool:
    """The lab's closing text says what the numbers say (each sentence is chosen by them)."""
    f = v["findings"]
    e = v["prediction_error"]
    pred = ("optimistic" if e > 0.1 else "pessimistic" if e < -0.1 else "held")
    return (pred in f and "came closer" in f and f"the {v['better_calibration']} calibration" in f
            and (("a significant slowdown" in f) == (v["slower_under_load"] == "yes")))


@slow
def test_a_student_does_the_lab_on_a_busy_machine(tmp_path, monkeypatch, capsys):
    """Rule 6: the student notebook, filled in, graded with the lab's settings beside two CPU
    hogs: full marks. The lesson (interference slows the service, so the isolated calibration is
    optimistic and the in-situ one predicts the run better) shows in the graded run's numbers, or
    the lab's closing text says what the run showed instead."""
    run = grade_student(LAB, tmp_path, monkeypatch, SHOWN)
    v = run.values
    with capsys.disabled():
        print(_report(run, "beside two CPU hogs"))
    invalid = v["[w for w in server.warnings if w.startswith('INVALID')]"]
    assert v["len(service_s)"] >= 1000
    # the Server run holds SERVER_QUERIES, unless the machine fell so far behind that the load
    # generator stopped issuing (LoadGen's max_outstanding; the run says so)
    assert v["server.metrics['queries']"] >= 3000 or any("fell behind" in w for w in invalid), invalid
    assert v["server.metrics['qps_scheduled']"] == pytest.approx(v["predicted_qps"], rel=0.02)
    assert _findings_agree(v), v["findings"]  # the closing text says what this run showed
    effect = (v["slower_under_load"] == "yes" and v["better_calibration"] == "in-situ"
              and v["prediction_error"] > 0)
    # Two hogs on two cores usually show the lesson (every run in the lab's development did), but
    # not always (one run of the support matrix measured a +0.5% slowdown, not significant): then
    # the closing text, checked above sentence by sentence, says what this run showed instead.
    with capsys.disabled():
        print(f"the lesson {'showed' if effect else 'did not show; the closing text says so'} "
              f"({(os.cpu_count() or 1)} cores)")


def _report(run, where: str) -> str:
    v = run.values
    return (f"\ncapacity lab, graded run {where} ({run.seconds:.0f} s; the solution's reference run "
            f"{run.reference_seconds:.0f} s):\n" + json.dumps({k: v[k] for k in SHOWN if k != "findings"}, indent=1)
            + "\n" + v["findings"])


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_filled_student_version_is_the_solution(lab_dir):
    """The student notebook filled with the answers has the solution's code cells (the
    handed-out setup and check cells are the ones the solution was graded with)."""
    filled = [c.source for c in fill_student(lab_dir).cells if c.cell_type == "code"]
    sol = solution_notebook(lab_dir)
    strip = re.compile(r"\s*# (SOLUTION|BEGIN SOLUTION|END SOLUTION)\s*$")
    expected = ["\n".join(re.sub(strip, "", ln) for ln in c.source.splitlines() if not strip.fullmatch(ln))
                for c in sol.cells if c.cell_type == "code"]
    assert filled == expected


@slow
def test_a_student_does_the_percentiles_lab_on_a_busy_machine(tmp_path, monkeypatch):
    """The percentiles lab on fixed data: full marks beside two CPU hogs, and its lesson (the
    tail sits far above the median) in the graded run's numbers."""
    run = grade_student(REPO / "labs" / "percentiles", tmp_path, monkeypatch, ["tail_ratio(latencies_ms)", "p99_ms"])
    assert run.values["tail_ratio(latencies_ms)"] > 2


if __name__ == "__main__":  # the capacity lab's graded-run numbers on this machine
    import argparse
    import tempfile
    from pathlib import Path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hogs", type=int, default=0, help="CPU-bound processes to run beside it")
    hogs = ap.parse_args().hogs
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
        run = grade_student(LAB, Path(d), mp, SHOWN, hogs=hogs)
    print(_report(run, f"beside {hogs} CPU hogs (load averages before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"))

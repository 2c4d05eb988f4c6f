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
import contextlib
import csv
import json
import os
import re
from collections.abc import Iterator
from dataclasses import fields

import nbformat
import pytest

from simlib.exercises.grading import build_student, grade_submissions, load_lab
from simlib.exercises.grading import grader as grader_module
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.labfile import TaskSpec, tags
from simlib.exercises.grading.sandbox import Limits
from tests.conftest import REPO, cpu_hogs
from tests.test_grade import replace

LAB = REPO / "labs" / "capacity"
LABS = sorted(p.parent for p in (REPO / "labs").glob("*/source.md"))
LIMITS = Limits.for_lab(load_lab(LAB).limits)  # the lab's own front-matter limits
TASKS = ["measure", "summarize", "predict", "verify", "in-situ", "slowdown", "calibration", "explain"]
MANUAL = {"explain"}  # free text for the instructor: never scored automatically (after the sandbox merge)
HAS_MANUAL = "manual" in {f.name for f in fields(TaskSpec)}

slow = pytest.mark.slow


def solution_notebook():
    return _solution_notebook(LAB)


def fill_student(lab_dir) -> nbformat.NotebookNode:
    """The handed-out student notebook with every ``# YOUR CODE HERE`` filled with the solution:
    what a student who gets everything right hands in (the other cells exactly as handed out)."""
    lab = load_lab(lab_dir)
    student = nbformat.read(str(lab.student_path), as_version=4)
    answers = [c for c in lab.notebook.cells if "solution" in tags(c)]
    todo = [c for c in student.cells if "solution" in tags(c)]
    assert len(answers) == len(todo), "student version out of date: run `simlib lab build`"
    marker = re.compile(r"\s*# (BEGIN |END )?SOLUTION\s*$")
    for cell, answer in zip(todo, answers, strict=True):
        assert "# YOUR CODE HERE" in cell.source
        cell.source = "\n".join(re.sub(r"\s*# SOLUTION\s*$", "", line)
                                for line in answer.source.splitlines() if not marker.fullmatch(line))
    return student


@contextlib.contextmanager
def graded_runs(monkeypatch, extra_probes: list[str]) -> Iterator[list]:
    """Record every child run of the grader (reference first, then each submission), with
    ``extra_probes`` evaluated in the same run: the numbers the graded run produced."""
    runs: list = []
    real = grader_module.run_notebook_code

    def spy(cells, probes, *args, **kwargs):
        res = real(cells, [*probes, *extra_probes], *args, **kwargs)
        runs.append(res)
        return res

    monkeypatch.setattr(grader_module, "run_notebook_code", spy)
    yield runs


def _value(run, probe):
    got = run.values.get(probe, {})
    assert "ok" in got, f"{probe}: {got}"
    return got["ok"]


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
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = solution_notebook()
    nbformat.write(sol, str(subs / "correct.ipynb"))
    nbformat.write(nbformat.read(str(load_lab(LAB).student_path), as_version=4), str(subs / "blank.ipynb"))
    # a student who forgets the ddof=1 in the CV, predicts from the median (no tail), and
    # reports the slowdown as a fraction instead of a percentage
    wrong = replace(sol, "x.std(ddof=1)", "x.std()")
    wrong = replace(wrong, "latency_bound_s=bound_s, percentile=99", "latency_bound_s=bound_s, percentile=50")
    wrong = replace(wrong, "slowdown_pct = 100 * c.relative_change", "slowdown_pct = c.relative_change")
    nbformat.write(wrong, str(subs / "wrong.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    header = next(csv.reader(out.open()))
    assert [h for h in header if h in TASKS] == TASKS
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    auto = [t for t in TASKS if t not in MANUAL]
    for t in auto:
        assert float(rows["correct"][t]) == points[t], (t, rows["correct"]["notes"])
        assert float(rows["blank"][t]) == 0, t
    w = rows["wrong"]
    assert float(w["measure"]) == 2 and float(w["verify"]) == 3 and float(w["calibration"]) == 3
    assert float(w["summarize"]) < 3 and float(w["predict"]) < 4 and float(w["slowdown"]) < 2
    if HAS_MANUAL:  # after the sandbox stream's merge: free text is marked for review, not scored
        assert {rows[s]["explain"] for s in rows} == {"review"}


@pytest.mark.skipif(not HAS_MANUAL, reason="needs manual tasks in the grader (TaskSpec.manual, the sandbox "
                    "stream's change): until then the grader scores the explanation by equality")
@slow
def test_explanation_is_reviewed_not_scored(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    other = replace(solution_notebook(), "explanation = (", "explanation = ('My own words. ' +")
    nbformat.write(other, str(subs / "own-words.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    row = next(csv.DictReader(out.open()))
    assert row["explain"] == "review"
    review = out.with_suffix(".review.md") if out.with_suffix(".review.md").exists() \
        else out.parent / (out.name + ".review.md")
    text = review.read_text().replace("\\", "")  # the review escapes markdown punctuation
    assert "My own words." in text and "better_calibration" in text and "slowdown_pct" in text


def test_student_version_runs_with_every_task_not_done(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
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
    hogs. The lesson (interference slows the service, so the isolated calibration is optimistic
    and the in-situ one predicts the run better) shows in the graded run's numbers, or the lab's
    closing text says what the run showed instead."""
    with cpu_hogs(2), graded_runs(monkeypatch, SHOWN) as runs:
        row, v = _student_run(tmp_path, runs)
    with capsys.disabled():
        print(_report(runs, v, "beside two CPU hogs"))
    points = {t.name: t.points for t in load_lab(LAB).tasks}
    for t in TASKS:
        if t not in MANUAL:
            assert float(row[t]) == points[t], (t, row["notes"])
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


def _student_run(tmp_path, runs) -> tuple[dict, dict]:
    """Grade the filled student notebook; its gradebook row and its run's numbers."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(LAB), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    assert len(runs) == 2 and not runs[1].failure, runs[1].failure
    return next(csv.DictReader(out.open())), {p: _value(runs[1], p) for p in SHOWN}


def _report(runs, v: dict, where: str) -> str:
    return (f"\ncapacity lab, graded run {where} ({runs[1].seconds:.0f} s; the solution's reference run "
            f"{runs[0].seconds:.0f} s):\n" + json.dumps({k: v[k] for k in SHOWN if k != "findings"}, indent=1)
            + "\n" + v["findings"])


@pytest.mark.parametrize("lab_dir", LABS, ids=lambda p: p.name)
def test_filled_student_version_is_the_solution(lab_dir):
    """The student notebook filled with the answers has the solution's code cells (the
    handed-out setup and check cells are the ones the solution was graded with)."""
    filled = [c.source for c in fill_student(lab_dir).cells if c.cell_type == "code"]
    sol = _solution_notebook(lab_dir)
    strip = re.compile(r"\s*# (SOLUTION|BEGIN SOLUTION|END SOLUTION)\s*$")
    expected = ["\n".join(re.sub(strip, "", ln) for ln in c.source.splitlines() if not strip.fullmatch(ln))
                for c in sol.cells if c.cell_type == "code"]
    assert filled == expected


@slow
def test_a_student_does_the_percentiles_lab_on_a_busy_machine(tmp_path, monkeypatch):
    """The percentiles lab on fixed data: full marks beside two CPU hogs, and its lesson (the
    tail sits far above the median) in the graded run's numbers."""
    lab_dir = REPO / "labs" / "percentiles"
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(fill_student(lab_dir), str(subs / "student.ipynb"))
    out = tmp_path / "grades.csv"
    with cpu_hogs(2), graded_runs(monkeypatch, ["tail_ratio(latencies_ms)", "p99_ms"]) as runs:
        grade_submissions(lab_dir, [subs], out, progress=False)
    row = next(csv.DictReader(out.open()))
    assert float(row["total"]) == float(row["max"]), row["notes"]
    assert _value(runs[1], "tail_ratio(latencies_ms)") > 2


if __name__ == "__main__":  # the capacity lab's graded-run numbers on this machine
    import argparse
    import tempfile
    from pathlib import Path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hogs", type=int, default=0, help="CPU-bound processes to run beside it")
    hogs = ap.parse_args().hogs
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp, cpu_hogs(hogs), \
            graded_runs(mp, SHOWN) as runs:
        _, v = _student_run(Path(d), runs)
    print(_report(runs, v, f"beside {hogs} CPU hogs (load averages before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"))

"""Feedback files, course-site exports, student ids from a pattern and late flags (simlib grade).

One grading run of the example lab (percentiles) with four submissions; the feedback files must
explain every lost point without showing a hidden test's expression (its inputs) or expected
value, even when the submission's own code prints or raises with its inputs.
"""

from __future__ import annotations

import csv
import os
import time

import nbformat
import pytest

from simlib._validate import InvalidParameterError
from simlib.cli import main
from simlib.exercises.grading import grader, lms
from simlib.exercises.grading.bwrap import unavailable_reason
from tests.test_grade import LAB, LIMITS, replace, solution_notebook

pytestmark = pytest.mark.skipif(bool(unavailable_reason()),
                                reason=f"needs bubblewrap: {unavailable_reason()}")
# prints a check-shaped line and raises with its inputs: at the public checks (inputs 100, 200)
# and again while the hidden probes run (inputs 0, 1000): only the first may reach the feedback
LEAK = ("print(f'littles-law: ✘ HIDDEN {rate_qps} {latency_ms}')\n"
        "    raise ValueError(f'inputs {rate_qps!r} and {latency_ms!r}')")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    d = tmp_path_factory.mktemp("subs")
    sol = solution_notebook()
    samples = {
        "s100001_correct": sol,
        "s100002_partly": replace(sol, "rate_qps * latency_ms / 1000.0", "rate_qps * latency_ms"),
        # prints and raises with the hidden inputs: none of it may reach the feedback
        "s100003_leaky": replace(sol, "return rate_qps * latency_ms / 1000.0",
                                 LEAK),
        "oddname": sol,
    }
    for name, nb in samples.items():
        nbformat.write(nb, str(d / f"{name}.ipynb"))
    deadline = time.time() - 60
    for name in samples:  # all on time except the leaky one
        t = deadline - 3600 if name != "s100003_leaky" else deadline + 30
        os.utime(d / f"{name}.ipynb", (t, t))
    out = tmp_path_factory.mktemp("book") / "week5.csv"
    captured = {}
    real = grader.reference

    def spy(lab, run):
        captured.update(real(lab, run))
        return captured

    grader.reference = spy
    try:
        grades = grader.grade_submissions(LAB, [d], out, limits=LIMITS, progress=False,
                                          id_pattern=r"^s(\d{6})_", deadline_s=deadline,
                                          export=("canvas", "moodle"), assignment="Lab 5")
    finally:
        grader.reference = real
    return out, grades, captured


def test_feedback_explains_lost_points_without_hidden_inputs_or_values(graded):
    out, grades, ref = graded
    folder = grader.feedback_dir(out)
    files = {p.stem: p.read_text() for p in folder.glob("*.md")}
    assert set(files) == {"100001", "100002", "100003", "oddname"}
    assert "**Total: 8 of 8 points**" in files["100001"]
    # the public checks, as the grader's run printed them
    assert "p99: ✔" in files["100001"] and "littles-law: ✔" in files["100001"]
    assert "littles-law: ✘ HIDDEN 100 50" in files["100003"]  # printed at the public checks
    assert "| littles\\-law | 1 | 3 | 2 of 3 hidden checks failed: 2 gave a different value |" \
        in files["100002"]
    assert "3 of 3 hidden checks failed: 3 raised ValueError" in files["100003"]
    assert "jupyter nbconvert --to markdown --execute --stdout percentiles.ipynb" in files["100001"]
    assert "Submitted: late" in files["100003"] and "Submitted: on time" in files["100001"]
    probes = [p for t in grader.load_lab(LAB).tasks for p in t.probes]
    values = [f"{v['ok']:g}" for v in ref.values() if isinstance(v.get("ok"), float)]
    distinctive = [v for v in values if len(v) >= 4]
    assert len(distinctive) >= 2, values  # the check below can fail
    for text in files.values():
        assert not [p for p in probes if p in text and p != "p99_ms"]  # no hidden expression
        assert not [v for v in distinctive if v in text]  # no expected value
        # printed or raised while the hidden probes ran (inputs 0, 10 and 1000, 1.5)
        assert "HIDDEN 1000" not in text and "HIDDEN 0 " not in text and "inputs 1000" not in text


def test_gradebook_exports_ids_and_late_flags(graded):
    out, grades, _ = graded
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == {"100001", "100002", "100003", "oddname"}
    assert rows["100003"]["late"] == "late" and rows["100001"]["late"] == "on time"
    assert "does not match --id-pattern" in rows["oddname"]["notes"]  # reported, not dropped
    canvas = list(csv.reader(grader.export_path(out, "canvas").open()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 5"]
    assert {r[2]: r[5] for r in canvas[1:]} == {"100001": "8", "100002": "6", "100003": "5"}
    moodle = list(csv.DictReader(grader.export_path(out, "moodle").open()))
    assert [r["ID number"] for r in moodle] == ["100001", "100002", "100003"]
    assert moodle[1]["Lab 5"] == "6" and "littles-law" in moodle[1]["Lab 5 feedback"]
    assert "in_flight(" not in grader.export_path(out, "moodle").read_text()


def test_nothing_a_previous_run_saved_is_overwritten(graded, tmp_path):
    out, _, _ = graded
    before = {p: p.read_bytes() for p in out.parent.rglob("*") if p.is_file()}
    fresh = out.with_name("other.csv")
    grader.feedback_dir(fresh).mkdir()  # only the feedback folder exists: still refused
    with pytest.raises(InvalidParameterError, match="other.feedback"):
        grader.grade_submissions(LAB, [tmp_path], fresh, limits=LIMITS, progress=False)
    assert not fresh.exists()
    with pytest.raises(InvalidParameterError, match="week5.csv exists"):
        grader.grade_submissions(LAB, [tmp_path], out, limits=LIMITS, progress=False)
    grader.export_path(fresh, "canvas").write_text("kept")
    with pytest.raises(InvalidParameterError, match="other.canvas.csv"):
        grader.grade_submissions(LAB, [tmp_path], fresh, limits=LIMITS, progress=False,
                                 export=("canvas",), feedback_files=False)
    assert grader.export_path(fresh, "canvas").read_text() == "kept" and not fresh.exists()
    assert all(p.read_bytes() == data for p, data in before.items())


@pytest.mark.parametrize("pattern, match", [("([", "regular expression"),
                                            (r"\d+", "one group"), (r"(a)(b)", "2 groups")])
def test_bad_id_pattern_is_refused_naming_the_parameter(pattern, match):
    with pytest.raises(InvalidParameterError, match=f"'id_pattern'.*{match}"):
        lms.id_rule(pattern)


def test_bad_deadline_and_export_are_refused(tmp_path, capsys):
    nb = tmp_path / "a.ipynb"
    nbformat.write(solution_notebook(), str(nb))
    assert main(["grade", str(nb), "--lab", str(LAB), "--out", str(tmp_path / "g.csv"),
                 "--deadline", "next friday"]) == 2
    assert "'deadline'" in capsys.readouterr().err
    with pytest.raises(InvalidParameterError, match="'export'"):
        grader.grade_submissions(LAB, [nb], tmp_path / "h.csv", export=("blackboard",))

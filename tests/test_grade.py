"""The example lab: student build, and grading a folder of sample submissions into a CSV."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from simlib.cli import main
from simlib.exercises.grading import build_student, bwrap, grade_submissions, load_lab
from simlib.exercises.grading import solution_notebook as _solution_notebook
from simlib.exercises.grading.bwrap import unavailable_reason
from simlib.exercises.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "percentiles"
LIMITS = Limits(timeout_s=10, cpu_s=10, memory_mb=1024, output_mb=2)
needs_sandbox = pytest.mark.skipif(bool(unavailable_reason()),
                                   reason=f"needs bubblewrap: {unavailable_reason()}")


def solution_notebook():
    return _solution_notebook(LAB)


def replace(nb, old: str, new: str):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    hits = [c for c in nb.cells if old in c.source]
    assert hits, old
    for c in hits:
        c.source = c.source.replace(old, new)
    return nb


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("submissions")
    sol = solution_notebook()
    samples = {
        "correct": sol,
        # right percentile, Little's law forgets the ms -> s conversion
        "partly": replace(sol, "rate_qps * latency_ms / 1000.0", "rate_qps * latency_ms"),
        # tail_ratio raises; the other tasks still count
        "raising": replace(sol, "return stats.percentile(samples, 99) / stats.percentile(samples, 50)",
                           "raise RuntimeError('oops')"),
        "loop": replace(sol, "p99_ms = stats.percentile(latencies_ms, 99)  # SOLUTION",
                        "while True:\n    pass"),
        "tamper": replace(sol, "import numpy as np",
                          f"import numpy as np\nopen({str(LAB / 'source.md')!r}).read()"),
        "huge-output": replace(sol, "import numpy as np", "import numpy as np\nprint('x' * 10_000_000)"),
    }
    deleted = nbformat.from_dict(json.loads(json.dumps(sol)))
    deleted.cells = [c for c in deleted.cells if "def in_flight" not in c.source]
    samples["deleted-cells"] = deleted
    for name, nb in samples.items():
        nbformat.write(nb, str(d / f"{name}.ipynb"))
    (d / "broken.ipynb").write_text("{ not json")
    return d


def test_student_version_has_no_solutions_and_runs(tmp_path):
    from nbclient import NotebookClient

    path = build_student(LAB, tmp_path / "student.ipynb")
    text = path.read_text()
    assert "SOLUTION" not in text and "HIDDEN_TESTS" not in text and "/ 1000.0" not in text
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert out.count("not done yet") == 3


def test_committed_student_version_is_up_to_date(tmp_path):
    fresh = build_student(LAB, tmp_path / "s.ipynb")
    committed = nbformat.read(str(load_lab(LAB).student_path), as_version=4)
    assert [c.source for c in nbformat.read(str(fresh), as_version=4).cells] == \
        [c.source for c in committed.cells], "run `simlib lab build labs/percentiles`"


# Eight notebooks graded one after another: tens of seconds alone, about a minute beside two CPU
# hogs. The infinite loop is stopped by the CPU limit (10 CPU-seconds whatever the load); the
# wall-clock limit only has to tell a hang from a slow machine, so it is generous.
FOLDER_LIMITS = Limits(timeout_s=120, cpu_s=10, memory_mb=1024, output_mb=2)


@pytest.mark.slow
@needs_sandbox
def test_grade_folder(submissions, tmp_path):
    out = tmp_path / "grades.csv"
    grades = grade_submissions(LAB, [submissions], out, limits=FOLDER_LIMITS, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == {"correct", "partly", "raising", "loop", "tamper", "huge-output",
                         "deleted-cells", "broken"}
    assert list(next(csv.reader(out.open()))) == ["student", "p99", "tail-ratio", "littles-law",
                                                   "total", "max", "notes"]
    total = {k: float(r["total"]) for k, r in rows.items()}
    assert total["correct"] == 8 and rows["correct"]["notes"] == ""
    assert rows["partly"]["littles-law"] == "1"  # in_flight(0, 10) == 0 still matches
    assert total["partly"] == 6
    assert total["raising"] == 5 and "RuntimeError" in rows["raising"]["notes"]
    assert total["deleted-cells"] == 5 and "NameError" in rows["deleted-cells"]["notes"]
    assert total["loop"] == 0 and "time limit" in rows["loop"]["notes"]
    # the sandbox has no view of the lab: the read fails (the rest of that cell is lost)
    assert total["tamper"] < 8 and "sandbox: denied" in rows["tamper"]["notes"]
    assert total["huge-output"] < 8 and "output limit" in rows["huge-output"]["notes"]
    assert total["broken"] == 0 and "unreadable" in rows["broken"]["notes"]
    assert len(grades) == 8
    # re-running never loses the earlier gradebook
    before = out.read_text()
    assert main(["grade", str(submissions / "correct.ipynb"), "--lab", str(LAB), "--out", str(out),
                 "--timeout-s", "20"]) == 2
    assert out.read_text() == before


def _lab_copy(tmp_path: Path, front: str, hidden: str, extra_cell: str) -> Path:
    lab = tmp_path / "percentiles"
    shutil.copytree(LAB, lab)
    src = (lab / "source.md").read_text()
    src = src.replace("---\n", "---\n" + front, 1).replace("HIDDEN_TESTS = {", "HIDDEN_TESTS = {\n" + hidden, 1)
    (lab / "source.md").write_text(src + f"\n```{{code-cell}} ipython3\n{extra_cell}\n```\n")
    return lab


@needs_sandbox
def test_manual_task_goes_to_review_and_budget_reaches_the_child(tmp_path):
    lab = _lab_copy(
        tmp_path, "grading:\n  budget: quick\n",
        '    "explain": {"points": 2, "manual": True, "probes": ["note"],\n'
        "                \"show\": [\"p99_ms\", \"__import__('os').environ['SIMLIB_BUDGET']\"]},",
        "note = 'A *long* <b>answer</b>\\n~~~~\\n| end'")
    assert load_lab(lab).budget == "quick" and load_lab(lab).review_points == 2
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = _solution_notebook(lab)
    nbformat.write(sol, str(subs / "ann.ipynb"))
    nbformat.write(replace(sol, "note = ", "note = 'evil ~~~~~ ' + "), str(subs / "bob.ipynb"))
    out = tmp_path / "g.csv"
    grade_submissions(lab, [subs], out, limits=LIMITS, progress=False)
    header = next(csv.reader(out.open()))
    assert header == ["student", "explain", "p99", "tail-ratio", "littles-law", "total", "max",
                      "pending_review", "notes"]
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert rows["ann"]["explain"] == "review"
    assert (rows["ann"]["total"], rows["ann"]["max"], rows["ann"]["pending_review"]) == ("8", "8", "2")
    md = (tmp_path / "g.csv.review.md").read_text()
    assert md.index("## ann") < md.index("## bob")
    # free text verbatim inside a fence longer than any run of ~ in it (it cannot close it)
    assert "~~~~~text\nA *long* <b>answer</b>\n~~~~\n| end\n~~~~~\n" in md
    assert "~~~~~~text\nevil ~~~~~ A" in md and "quick" in md
    # an existing review file is refused before grading, like the CSV
    (tmp_path / "g2.csv.review.md").write_text("keep")
    with pytest.raises(ValueError, match="must be a new file"):
        grade_submissions(lab, [subs], tmp_path / "g2.csv", limits=LIMITS, progress=False)
    assert (tmp_path / "g2.csv.review.md").read_text() == "keep"


@pytest.mark.parametrize("front, hidden, match", [
    ("grading:\n  budget: fast\n", "", "field 'budget'"),
    ("", '    "x": {"points": 1, "probes": ["1"], "manual": "yes"},', "field 'manual'"),
    ("", '    "x": {"points": 1, "probes": ["1"], "show": ["1"]},', "field 'show'"),
])
def test_lab_front_matter_and_manual_tasks_are_validated(tmp_path, front, hidden, match):
    lab = _lab_copy(tmp_path, front, hidden, "pass")
    with pytest.raises(ValueError, match=match) as err:
        load_lab(lab)
    assert "source.md" in str(err.value)


def test_grading_refuses_without_bubblewrap(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    monkeypatch.setattr(bwrap.os, "access", lambda *a: False)
    bwrap._bwrap.cache_clear()
    bwrap.check_available.cache_clear()
    try:
        nbformat.write(solution_notebook(), str(tmp_path / "a.ipynb"))
        assert main(["grade", str(tmp_path / "a.ipynb"), "--lab", str(LAB),
                     "--out", str(tmp_path / "g.csv")]) == 2
    finally:
        bwrap._bwrap.cache_clear()
        bwrap.check_available.cache_clear()
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--unsafe-no-sandbox" in err
    assert not (tmp_path / "g.csv").exists()

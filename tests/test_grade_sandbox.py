"""Hostile submissions against the grading sandbox (bubblewrap), and what libraries do.

Each hostile notebook cheats only if its attack works: it runs the instructor's solution code
(embedded in the notebook) when it managed to read the lab, a classmate's notebook or the
grader's state. So a score of zero proves the attack was contained. Every test also checks that
the honest submissions graded in the same run keep their scores, that nothing outside the
sandboxes changed (the lab, the submissions, the gradebook's folder, processes), and that the
gradebook is the grader's own.

Library behaviour (issue 25): a solution that calls ``ctypes.util.find_library`` (which runs
``/sbin/ldconfig -p`` in a subprocess, as importing the CUDA build of torch does) or imports a
module that spawns ``ldconfig`` must keep full marks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from simlib.cli import main
from simlib.exercises.grading import grade_submissions, solution_notebook
from simlib.exercises.grading import sandbox as sandbox_mod
from simlib.exercises.grading.bwrap import unavailable_reason
from simlib.exercises.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "percentiles"
LIMITS = Limits(timeout_s=20, cpu_s=20, memory_mb=1024, output_mb=2, processes=24)
MARK = "98765"  # the argument of the sleeps hostile notebooks try to leave running


# about 35 sandboxed runs (a couple of minutes on a busy 2-core machine); `make test` runs them
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(unavailable_reason()),
                                 reason=f"needs bubblewrap: {unavailable_reason()}")]


def _solution_code() -> str:
    return "\n\n".join(c.source for c in solution_notebook(LAB).cells if c.cell_type == "code")


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def _cheat_if(attack: str) -> nbformat.NotebookNode:
    """A notebook that runs ``attack`` (which sets ``stolen``) and cheats if it got anything."""
    return _notebook("stolen = None", attack,
                     f"if stolen:\n    exec({_solution_code()!r}, globals())")


def _snapshot(*folders: Path) -> dict[str, str]:
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_symlink():
                out[str(p)] = "link:" + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[str(p)] = "dir"
    return out


def _leftover_processes() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if MARK in cmd:
            found.append(f"{pid}: {cmd}")
    return found


def _hostile(lab: Path, subs: Path, out: Path, outside: Path) -> dict[str, nbformat.NotebookNode]:
    src = str(lab / "source.md")
    return {
        # reading the lab: directly, through /proc, through a symlink it creates, by listing
        "read-lab": _cheat_if(f"stolen = open({src!r}).read()"),
        "proc-paths": _cheat_if(
            "import os\nfor p in ['/proc/1/cwd', '/proc/self/root', '/proc/1/root']:\n"
            f"    try:\n        stolen = open(p + {src!r}).read()\n    except OSError:\n        pass\n"
            "for pid in [d for d in os.listdir('/proc') if d.isdigit()]:\n"
            f"    try:\n        stolen = stolen or os.listdir(f'/proc/{{pid}}/root{lab}')\n"
            "    except OSError:\n        pass\n"
            f"stolen = stolen or open({src!r}).read()"),
        "symlink": _cheat_if(f"import os\nos.symlink({src!r}, 'link.md')\nstolen = open('link.md').read()"),
        "list-folders": _cheat_if(
            f"import os\nstolen = os.listdir({str(lab)!r}) + os.listdir({str(subs)!r})"),
        "classmate": _cheat_if(f"stolen = open({str(subs / 'honest.ipynb')!r}).read()"),
        "relative": _cheat_if("stolen = open('../../../../' + "
                              f"{src.lstrip('/')!r}).read()"),
        # the grader's state: frames and objects of this process (no references ever enter it)
        "grader-state": _cheat_if(
            "import gc, sys\nf = sys._getframe()\nframes = []\nwhile f:\n"
            "    frames.append(f)\n    f = f.f_back\n"
            "seen = [o for o in gc.get_objects() if isinstance(o, dict) and len(o) == 1 "
            "and 'ok' in o]\n"
            "stolen = [f.f_locals.get('ref') for f in frames if f.f_locals.get('ref')] + seen"),
        # processes: a shell reading the lab, a detached process meant to outlive the grader
        "shell": _cheat_if(f"import subprocess\nstolen = subprocess.run(['sh', '-c', 'cat {src}'], "
                           "capture_output=True, text=True, check=True).stdout"),
        "daemon": _cheat_if(
            "import os, subprocess\n"
            f"subprocess.Popen(['sleep', '{MARK}'], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n"
            f"    os.execvp('sh', ['sh', '-c', 'sleep {MARK}; echo FORGED > {out}'])\n"
            f"stolen = open({src!r}).read()"),
        "fork-bomb": _cheat_if("import os, time\nkids = 0\nwhile True:\n"
                               "    if os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)\n"
                               "    kids += 1\n"),
        # writing outside its folder: ../, the gradebook (created before the grader does)
        "write-out": _cheat_if(
            f"import os\nos.makedirs({str(out.parent)!r}, exist_ok=True)\n"
            f"open({str(out)!r}, 'w').write('student,total\\nmallory,999\\n')\n"
            f"os.symlink('/etc/passwd', {str(out) + '.review.md'!r})\n"
            f"try:\n    open({str(outside / 'planted')!r}, 'w').write('x')\n"
            "except OSError:\n    pass\n"
            "stolen = open('../../planted', 'w').write('x')"),
        # a forged reply on every descriptor, then exit: it only sets its own (wrong) answers
        "forged-reply": _notebook(
            "import json, os\nforged = json.dumps({'values': {p: {'ok': 1e9} for p in "
            "['p99_ms', 'in_flight(200, 50)']}, 'cell_errors': [], 'scores': {'p99': 8}, "
            "'tampering': []}).encode()\n"
            "for fd in range(3, 64):\n    try:\n        os.write(fd, forged)\n"
            "    except OSError:\n        pass\nos._exit(0)"),
        # filling memory-backed folders: each is size-limited, /dev and / are read-only
        "fill": _cheat_if(
            "import os\nfor d in ['.', '/tmp', '/dev/shm', '/dev']:\n    try:\n"
            "        for i in range(10_000):\n"
            "            open(f'{d}/f{i}', 'wb').write(b'x' * 2**20)\n"
            "    except OSError:\n        pass\n"
            f"stolen = open({src!r}).read()"),
        "network": _cheat_if("import socket\nstolen = socket.create_connection(('1.1.1.1', 80), 3)"),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    lab = base / "lab"
    shutil.copytree(LAB, lab)
    subs, book, outside = base / "subs", base / "gradebook", base / "outside"
    for d in (subs, book, outside):
        d.mkdir()
    out = book / "grades.csv"
    nbformat.write(solution_notebook(lab), str(subs / "honest.ipynb"))
    for name, nb in _hostile(lab, subs, out, outside).items():
        nbformat.write(nb, str(subs / f"{name}.ipynb"))
    before = _snapshot(lab, subs, outside)
    grades = grade_submissions(lab, [subs], out, limits=LIMITS, progress=False, jobs=2)
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    return {"rows": rows, "grades": grades, "before": before, "out": out, "lab": lab,
            "subs": subs, "outside": outside, "book": book}


ATTACKS = ["read-lab", "proc-paths", "symlink", "list-folders", "classmate", "relative",
           "grader-state", "shell", "daemon", "fork-bomb", "write-out", "forged-reply", "fill",
           "network"]


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_scores_zero(graded, name):
    row = graded["rows"][name]
    assert float(row["total"]) == 0, row


@pytest.mark.parametrize("name", ["read-lab", "proc-paths", "list-folders", "classmate",
                                  "relative", "write-out", "network", "shell", "daemon", "fill"])
def test_denials_are_noted_as_sandbox(graded, name):
    assert "sandbox: denied" in graded["rows"][name]["notes"], graded["rows"][name]["notes"]


def test_fork_bomb_hits_the_process_limit(graded):
    notes = graded["rows"]["fork-bomb"]["notes"]
    assert "process limit" in notes or "[Errno 11]" in notes, notes


def test_honest_submission_unchanged_and_gradebook_intact(graded):
    rows = graded["rows"]
    assert float(rows["honest"]["total"]) == float(rows["honest"]["max"]) == 8
    assert rows["honest"]["notes"] == ""
    assert set(rows) == {"honest", *ATTACKS}
    text = graded["out"].read_text()
    assert "mallory" not in text and "FORGED" not in text and "999" not in text
    assert sorted(p.name for p in graded["book"].iterdir()) == ["grades.csv", "grades.feedback"]
    feedback = [p.read_text() for p in (graded["book"] / "grades.feedback").iterdir()]
    assert len(feedback) == len(rows) and not [f for f in feedback if "FORGED" in f]


def test_nothing_outside_changed_and_no_process_left(graded):
    assert _snapshot(graded["lab"], graded["subs"], graded["outside"]) == graded["before"]
    assert _leftover_processes() == []


def test_references_never_enter_the_sandbox(tmp_path, monkeypatch):
    """What the child receives (cells and probe expressions) holds none of the expected values."""
    sent = []
    real = sandbox_mod.run_notebook_code

    def spy(cells, probes, limits, **kw):
        res = real(cells, probes, limits, **kw)
        sent.append((json.dumps([cells, probes, kw.get("notebook")]), res))
        return res

    monkeypatch.setattr("simlib.exercises.grading.grader.run_notebook_code", spy)
    sub = tmp_path / "s.ipynb"
    nbformat.write(_notebook("p99_ms = 1.0"), str(sub))
    grade_submissions(LAB, [sub], tmp_path / "g.csv", limits=LIMITS, progress=False)
    (ref_job, ref), (student_job, _) = sent
    expected = [json.dumps(v["ok"]) for v in ref.values.values()]
    assert expected and not any(e in student_job for e in expected if len(e) > 4)


def test_library_subprocess_keeps_full_marks(tmp_path):
    """ctypes.util.find_library runs ldconfig in a subprocess; a module may spawn it on import."""
    sol = solution_notebook(LAB)
    stand_in = ("import subprocess\n"
                "LDCONFIG = subprocess.run(['/sbin/ldconfig', '-p'], capture_output=True).returncode\n")
    sol.cells.insert(0, nbformat.v4.new_code_cell(
        "import ctypes.util, importlib, pathlib, sys\n"
        "libdl = ctypes.util.find_library('dl')\n"
        f"pathlib.Path('cudastandin.py').write_text({stand_in!r})\n"
        "sys.path.insert(0, '.')\nimport cudastandin\nassert cudastandin.LDCONFIG == 0"))
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(sol, str(subs / "cuda-user.ipynb"))
    nbformat.write(_cheat_if(f"stolen = open({str(LAB / 'source.md')!r}).read()"),
                   str(subs / "cheater.ipynb"))
    for sandbox in (True, False):
        out = tmp_path / f"g-{sandbox}.csv"
        grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False, sandbox=sandbox)
        rows = {r["student"]: r for r in csv.DictReader(out.open())}
        assert float(rows["cuda-user"]["total"]) == 8, rows["cuda-user"]["notes"]
        assert float(rows["cheater"]["total"]) == 0, rows["cheater"]
        assert ("UNSAFE" in rows["cuda-user"]["notes"]) == (not sandbox)


def test_jobs_give_the_same_csv(graded, tmp_path):
    subs = graded["subs"]
    picks = [subs / f"{n}.ipynb" for n in ("honest", "read-lab", "forged-reply")]
    texts = []
    for jobs in (1, 3):
        out = tmp_path / f"g{jobs}.csv"
        grade_submissions(graded["lab"], picks, out, limits=LIMITS, progress=False, jobs=jobs)
        texts.append(out.read_text())
    assert texts[0] == texts[1]


def test_gradebook_refusals(tmp_path, graded, capsys):
    sub = graded["subs"] / "honest.ipynb"
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere.csv")  # a dangling symlink is refused too
    assert main(["grade", str(sub), "--lab", str(LAB), "--out", str(link)]) == 2
    assert not (tmp_path / "nowhere.csv").exists()
    assert main(["grade", str(tmp_path / "missing.ipynb"), "--lab", str(LAB),
                 "--out", str(tmp_path / "a.csv")]) == 2
    assert "Not found" in capsys.readouterr().err
    twins = tmp_path / "twins"
    (twins / "a").mkdir(parents=True)
    shutil.copy(sub, twins / "alice.ipynb")
    shutil.copy(sub, twins / "a" / "alice.ipynb")
    assert main(["grade", str(twins), "--lab", str(LAB), "--out", str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert "'alice'" in err and str(twins / "a" / "alice.ipynb") in err
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "b.csv").exists()


def test_formula_injection_and_notes_are_escaped(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(_notebook("raise RuntimeError('line1\\nline2=cmd|x')"), str(subs / "=cmd.ipynb"))
    out = tmp_path / "g.csv"
    grade_submissions(LAB, [subs], out, limits=LIMITS, progress=False)
    row = next(csv.DictReader(out.open()))
    assert row["student"] == "'=cmd"
    assert "\n" not in row["notes"] and "line1 line2" in row["notes"]


def test_model_cache_is_copied_in_and_never_written_back(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cnn-abc-fp32.onnx").write_bytes(b"model")
    res = sandbox_mod.run_notebook_code(
        ["import os, pathlib\nfrom simlib.models.cache import cache_dir\n"
         "seen = sorted(os.listdir(cache_dir()))\n"
         "(cache_dir() / 'cnn-abc-fp32.onnx').write_bytes(b'poisoned')\n"
         "(cache_dir() / 'new.onnx').write_bytes(b'x')"],
        ["seen"], LIMITS, cache=cache)
    assert res.values["seen"] == {"ok": ["cnn-abc-fp32.onnx"]} and not res.cell_errors
    assert sorted(p.name for p in cache.iterdir()) == ["cnn-abc-fp32.onnx"]
    assert (cache / "cnn-abc-fp32.onnx").read_bytes() == b"model"


def test_cpu_limit_is_reported_through_bubblewrap():
    res = sandbox_mod.run_notebook_code(["while True:\n    pass"], ["1"],
                                        Limits(timeout_s=60, cpu_s=2, processes=24))
    assert res.failure == "CPU time limit (2 s) exceeded" and res.values == {}


def test_large_library_mappings_fit_but_allocations_are_limited():
    """Issue 25: the CUDA build of torch maps more than 3 GB of libraries before it does any work;
    a correct solution that imports it must not fail under a 1 GB memory limit. A read-only
    3 GB reservation (what a big library looks like to the kernel) fits; allocating 2 GB does not."""
    reserve = ("import mmap\n"
               "m = mmap.mmap(-1, 3 * 2**30, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)\n"
               "reserved = len(m) // 2**30")
    res = sandbox_mod.run_notebook_code([reserve], ["reserved"], LIMITS)
    assert res.values["reserved"] == {"ok": 3} and not res.cell_errors, (res.values, res.cell_errors)
    bomb = sandbox_mod.run_notebook_code(["x = bytearray(2 * 2**30)\nsize = len(x)"], ["size"], LIMITS)
    assert "size" not in bomb.values or "error" in bomb.values["size"]
    assert bomb.failure.startswith("memory limit") or any("MemoryError" in e for e in bomb.cell_errors)

"""Progress files: atomic, merged across processes, kept on corruption, readable after restart."""

from __future__ import annotations

import json
import multiprocessing as mp

import pytest

from simlib.exercises import summary
from simlib.exercises.progress import Progress


def _answer_many(directory: str, worker: int, n: int) -> None:
    p = Progress(reader="ada", directory=directory)
    for i in range(n):
        p.record("howto", f"w{worker}-q{i}", answer=i, score=1.0, correct=True)


def test_two_processes_lose_nothing(tmp_path):
    procs = [mp.get_context("fork").Process(target=_answer_many, args=(str(tmp_path), w, 25))
             for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    data = json.loads((tmp_path / "ada.json").read_text())
    assert len(data["chapters"]["howto"]) == 50
    assert not list(tmp_path.glob("*.tmp")), "no temporary files left behind"


def test_scores_and_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMLIB_PROGRESS_DIR", str(tmp_path))
    p = Progress(reader="bo")
    p.record("howto", "proxy-word", answer="truth", score=0.0, correct=False)
    e = p.record("howto", "proxy-word", answer="proxies", score=1.0, correct=True)
    assert (e["attempts"], e["first_score"], e["best_score"], e["solved"]) == (2, 0.0, 1.0, True)
    p.record("howto", "kernel-speedup", answer=False, score=1.0, correct=True)
    s = summary("howto", reader="bo")
    assert (s.answered, s.solved, s.total) == (2, 2, 9)
    assert s.first_try_score == pytest.approx(1 / 9)
    assert "2 of 9 answered" in s._repr_html_()
    p.reset("howto")
    assert summary("howto", reader="bo").answered == 0


def test_corrupt_file_is_kept_not_lost(tmp_path):
    (tmp_path / "cy.json").write_text("{ half written")
    p = Progress(reader="cy", directory=tmp_path)
    with pytest.warns(UserWarning, match="unreadable"):
        p.record("howto", "q", answer=1, score=1.0, correct=True)
    kept = list(tmp_path.glob("cy.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{ half written"
    assert p.get("howto", "q")["attempts"] == 1


def test_crash_during_write_keeps_old_file(tmp_path, monkeypatch):
    p = Progress(reader="di", directory=tmp_path)
    p.record("howto", "q", answer=1, score=1.0, correct=True)
    before = p.path.read_text()

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("pathlib.Path.write_text", boom)  # the temporary file's write fails
    with pytest.raises(OSError):
        p.record("howto", "q2", answer=2, score=1.0, correct=True)
    assert p.path.read_text() == before
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_undecodable_file_is_moved_aside(tmp_path):
    (tmp_path / "ada.json").write_bytes(b'{"chapters": {"\xff\xfe": 1}}')
    p = Progress(reader="ada", directory=tmp_path)
    with pytest.warns(UserWarning, match="kept it as"):
        assert p.get("howto", "q1") is None
    assert len(list(tmp_path.glob("ada.json.corrupt-*"))) == 1
    assert p.record("howto", "q1", answer=1, score=1.0, correct=True)["attempts"] == 1


@pytest.mark.parametrize("reader", ["../escape", "a/b", ".hidden", "..", "x" * 200, "a\nb"])
def test_reader_name_cannot_escape_the_folder(tmp_path, reader):
    with pytest.raises(ValueError, match="'reader' parameter"):
        Progress(reader=reader, directory=tmp_path)


@pytest.mark.parametrize("score", [-0.1, 1.5, float("nan"), float("inf"), "1", True])
def test_score_outside_unit_interval_is_refused(tmp_path, score):
    with pytest.raises(ValueError, match="'score' parameter"):
        Progress(reader="ada", directory=tmp_path).record("howto", "q", answer=1, score=score,
                                                          correct=False)
    assert not (tmp_path / "ada.json").exists()


def test_corrupt_file_that_cannot_be_moved_is_left_alone(tmp_path, monkeypatch):
    bad = tmp_path / "ada.json"
    bad.write_text("{ truncated")
    monkeypatch.setattr("simlib.exercises.progress.os.replace",
                        lambda *a: (_ for _ in ()).throw(PermissionError("read-only")))
    p = Progress(reader="ada", directory=tmp_path)
    with pytest.warns(UserWarning, match="could not be moved aside"):
        p.record("howto", "q1", answer=1, score=1.0, correct=True)
    assert bad.read_text() == "{ truncated"

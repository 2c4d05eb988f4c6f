"""Progress from the static book: the download button's file is a progress file, and
``simlib progress summarize`` turns a class's files into a participation table.

The browser test renders one self-check block (simlib/exercises/render_html.py) into a page
opened from file:// in headless Chromium, answers a question there, downloads the progress file
with the button, and reads it back with the same checks the summary uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simlib.cli import main
from simlib.exercises.participation import read_progress, summarize, table
from simlib.exercises.progress import FORMAT, Progress

CHROMIUM = Path("/usr/bin/chromium")


def _jupyterlab_file(directory: Path, reader: str) -> Path:
    p = Progress(reader=reader, directory=directory)
    p.record("howto", "proxy-dimension", answer=2, score=1.0, correct=True)
    p.record("howto", "honest-report", answer="x", score=0.0, correct=False)
    return p.path


def test_summarize_reports_bad_files_by_name_and_keeps_the_rest(tmp_path, capsys):
    good = _jupyterlab_file(tmp_path, "ada")
    bad = {
        "notjson.json": "{", "list.json": "[]",
        "wrongformat.json": json.dumps({"format": "other/1", "reader": "x", "chapters": {}}),
        "badreader.json": json.dumps({"format": FORMAT, "reader": "../etc", "chapters": {}}),
        "badscore.json": json.dumps({"format": FORMAT, "reader": "bob", "chapters": {"howto": {
            "q": {"attempts": 1, "first_score": 7, "best_score": 1}}}}),
        "badentry.json": json.dumps({"format": FORMAT, "reader": "cy", "chapters": {"howto": {
            "q": {"attempts": "one"}}}}),
        "binary.json": b"\xff\xfe\x00",
    }
    for name, text in bad.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    rows, problems = summarize([good, *(tmp_path / n for n in bad), tmp_path / "missing.json"])
    assert [r.reader for r in rows] == ["ada"]
    assert rows[0].chapters["howto"] == (2, 1)
    assert len(problems) == len(bad) + 1
    for name in [*bad, "missing.json"]:
        assert any(p.startswith(str(tmp_path / name) + ":") for p in problems), name
    t = table(rows)[0]
    assert t["reader"] == "ada" and t["howto"].startswith("2/") and t["solved"] == 1
    # the command: a table, the skipped files as warnings on stderr, exit status 0 (2 when no file
    # could be read), and a CSV never overwritten
    out = tmp_path / "class.csv"
    assert main(["progress", "summarize", str(tmp_path), "--csv", str(out)]) == 0
    io = capsys.readouterr()
    assert "ada" in io.out and "skipped" in io.err and "notjson.json" in io.err
    assert out.read_text().startswith("reader,file,howto,answered,solved")
    assert main(["progress", "summarize", str(good), "--csv", str(out)]) == 2
    assert "'csv' parameter of progress summarize must be a new file" in capsys.readouterr().err
    assert main(["progress", "summarize", str(tmp_path / "notjson.json")]) == 2
    assert "no readable progress file" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium")
def test_static_book_button_downloads_a_progress_file(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from simlib.exercises.bank import load_bank
    from simlib.exercises.render_html import quiz_html

    bank = load_bank("howto")
    q = next(q for q in bank.questions.values() if q.static_spec().get("type") == "truefalse"
             or q.static_spec().get("type") == "choice")
    page_file = tmp_path / "page.html"
    page_file.write_text(f"<html><body>{quiz_html(bank, [q])}</body></html>", encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(accept_downloads=True)
        context.route("http*://**", lambda r: r.abort())  # offline
        pg = context.new_page()
        pg.goto(page_file.as_uri())
        pg.wait_for_selector(".sq-export button")
        # one answer, recorded the way the quiz records it
        pg.evaluate("""(qid) => { const root = document.querySelector('.simlib-quiz');
            window.SimlibQuiz.record(root, {id: qid}, 1, true, 'answer'); }""", q.id)
        pg.click(".sq-export button")
        assert "Type a name" in pg.inner_text(".sq-export-msg")  # no name yet: nothing saved
        pg.fill(".sq-export input", "ada.lovelace")
        with pg.expect_download() as dl:
            pg.click(".sq-export button")
        saved = tmp_path / dl.value.suggested_filename
        dl.value.save_as(saved)
        browser.close()
    assert saved.name == "ada.lovelace.json"
    data = read_progress(saved)
    assert data["reader"] == "ada.lovelace" and data["chapters"]["howto"][q.id]["solved"] is True
    rows, problems = summarize([saved, _jupyterlab_file(tmp_path / "lab", "bob")])
    assert problems == [] and [r.reader for r in rows] == ["ada.lovelace", "bob"]

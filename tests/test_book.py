"""The book builds clean, and a notebook that raises makes the build fail, every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simlib.bookbuild import build
from tests.conftest import REPO, write_notebook

pytestmark = pytest.mark.book


def test_whole_book_builds_clean_in_quick_budget(built_book: Path):
    index = built_book / "index.html"
    assert index.exists()
    for page in ("book/intro.html", "book/your-machine.html", "book/errata.html"):
        assert (built_book / page).exists(), f"{page} missing from the built book"


def test_your_machine_page_shows_the_system_description(built_book: Path):
    html = (built_book / "book" / "your-machine.html").read_text()
    assert "logical cores" in html
    assert "simlib_version" in html  # the full JSON description is on the page
    assert "Empirical roofline of this machine [measured" in html  # measured GEMM and bandwidth


def test_chapter_and_labs_are_in_the_book(built_book: Path):
    chapter = (built_book / "chapters" / "01-inference-benchmarks.html").read_text()
    for label in ("MEASURED", "MODELED", "MLPerf LoadGen", "Offline-versus-Server gap"):
        assert label in chapter
    assert "simlib-quiz" in chapter or "quiz" in chapter  # the self-checks are rendered
    for lab in ("percentiles/student/percentiles", "capacity/student/capacity"):
        html = (built_book / "labs" / f"{lab}.html").read_text()
        assert "not done yet" in html  # the student version ran with its tasks unfilled


def test_errata_page_shows_the_computed_bert_value(built_book: Path):
    html = (built_book / "book" / "errata.html").read_text()
    assert "265.2" in html and "16.5" in html


def test_mini_book_builds(mini_book: Path):
    res = build(mini_book, echo=False)
    assert res.ok, res.log[-3000:]
    assert (res.html_dir / "page.html").exists()
    assert "42" in (res.html_dir / "page.html").read_text()


def test_failing_notebook_fails_the_build_and_stays_failed_on_rebuild(mini_book: Path):
    write_notebook(mini_book / "page.md", "raise RuntimeError('injected failure')")
    first = build(mini_book, echo=False)
    assert not first.ok
    assert first.returncode != 0
    # an incremental rebuild must not hide the cached failure
    second = build(mini_book, echo=False)
    assert not second.ok
    # and fixing the notebook makes the build pass again (no stale failure)
    write_notebook(mini_book / "page.md", "print('fixed')")
    third = build(mini_book, echo=False)
    assert third.ok, third.log[-3000:]


def test_cached_pass_then_failure_is_caught(mini_book: Path):
    assert build(mini_book, echo=False).ok
    write_notebook(mini_book / "page.md", "1 / 0")
    assert not build(mini_book, echo=False).ok


def test_make_book_fails_on_a_raising_notebook(mini_book: Path):
    """`make book` (the README command) exits non-zero when a notebook raises."""
    write_notebook(mini_book / "page.md", "raise ValueError('injected')")
    bin_dir = Path(sys.executable).parent
    proc = subprocess.run(
        ["make", "-C", str(REPO), "-o", ".venv/.installed", "book",
         f"BIN={bin_dir}", f"BOOK_SRC={mini_book}", f"BOOK_OUT={mini_book}"],
        capture_output=True, text=True, env={**os.environ, "SIMLIB_BUDGET": "quick"},
    )
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert "BOOK BUILD FAILED" in proc.stderr

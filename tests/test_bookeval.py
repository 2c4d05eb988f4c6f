"""Live numbers in the prose (simlib.prose + simlib.bookeval): the book shows the formatted value
of ``{eval}`live["name:spec"]```, from the notebook cache, and a name the page never computed
fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib.bookbuild import build
from tests.conftest import write_notebook

pytestmark = pytest.mark.book

PAGE_CODE = 'from simlib.prose import LiveNumbers\nlive = LiveNumbers()\nlive["p50_ms"] = 1.23456\nlive["claim"] = "2.0 times faster"'


def test_live_numbers_are_formatted_into_the_prose(mini_book: Path):
    page = mini_book / "page.md"
    write_notebook(page, PAGE_CODE)
    page.write_text(page.read_text() + '\nThe median was {eval}`live["p50_ms:.2f"]` ms, {eval}`live["claim"]`.\n')
    res = build(mini_book, echo=False)
    assert res.ok, res.log[-3000:]
    html = (res.html_dir / "page.html").read_text()
    assert "The median was" in html and "1.23" in html and "1.2346" not in html
    assert "2.0 times faster" in html and "live[" not in html


def test_a_name_the_page_never_computed_fails_the_build(mini_book: Path):
    page = mini_book / "page.md"
    write_notebook(page, PAGE_CODE)
    page.write_text(page.read_text() + '\nThe p99 was {eval}`live["p99_ms:.2f"]` ms.\n')
    res = build(mini_book, echo=False)
    assert not res.ok and "p99_ms" in res.log

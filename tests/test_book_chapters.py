"""Every built chapter page reads clean: no raw markup, every computed phrase on the page, its
self-checks rendered, no traceback or warning text a reader would have to decode.

Reads the shared book build (conftest.book_build, made beside two CPU hogs). The chapter-specific
checks of each chosen phrase against its numbers live in tests/test_book_<bank>.py and
tests/test_book_claims.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bookpage import build_hogs, execution_seconds, read_glue, rendered_text
from tests.test_chapters import CHAPTERS

pytestmark = pytest.mark.book


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_reads_clean(built_book, chapter):
    raw = (Path(built_book) / f"{chapter}.html").read_text(encoding="utf-8")
    text = rendered_text(raw)
    for markup in ("{glue", "{eval", 'live["', "live['", "Traceback (most recent call last)"):
        assert markup not in text, f"{chapter}: {markup!r} shows on the page"
    glued = read_glue(built_book, chapter)
    source = (Path(__file__).resolve().parents[1] / f"{chapter}.md").read_text(encoding="utf-8")
    used = set(re.findall(r'\{eval\}`live\["([A-Za-z0-9_]+)', source))
    assert used, f"{chapter}: the prose reads no live numbers"
    for name, value in glued.items():
        if name in used and isinstance(value, str) and len(value) > 12:
            assert value[:40] in text, f"{chapter}: glued phrase {name!r} is not on the page"
    quizzes = raw.count('class="simlib-quiz"')
    shown = len(re.findall(r"\bshow(?:_section)?\(CHAPTER", source))
    assert quizzes >= shown, f"{chapter}: {quizzes} self-check blocks rendered for {shown} show calls"


#: CHAPTER-STANDARD.md: a chapter executes in at most this long on a quiet 2-core CPU (s), by budget
TIME_LIMIT_S = {"quick": 60, "standard": 240}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes_within_its_time(built_book, chapter):
    """The standard's time limit for the budget the page ran in, twice as long where CPU hogs ran
    beside the build (the suite's own build has two on two cores). With ``SIMLIB_BUILT_BOOK`` this
    checks a ``make book`` build, or a standard-budget one (``SIMLIB_BUDGET=standard make book``)."""
    budget = read_glue(built_book, chapter)["budget"]
    if budget not in TIME_LIMIT_S:
        pytest.skip(f"no time limit for the {budget!r} budget")
    limit = TIME_LIMIT_S[budget] * (2 if build_hogs(built_book) else 1)
    seconds = execution_seconds(built_book)[chapter]
    assert seconds <= limit, f"{chapter}: executed in {seconds:.0f} s, over {limit} s ({budget} budget)"


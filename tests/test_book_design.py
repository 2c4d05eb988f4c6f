"""The built design chapter reads true: each chosen phrase agrees with the numbers glued beside it.

Like tests/test_book_claims.py for the inference chapter: the shared book build (two CPU hogs)
is read, and every computed sentence of chapters/03-benchmark-design is checked against the raw
values the page glued. The wording helpers are tested on every branch in tests/test_design_words.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bookpage import page_html, read_glue, rendered_text

pytestmark = pytest.mark.book

CHAPTER = "chapters/03-benchmark-design"











@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glue(built_book, CHAPTER)


@pytest.fixture(scope="module")
def page(built_book) -> str:
    return rendered_text(page_html(built_book, CHAPTER))


def check_speed_phrases(g: dict) -> None:
    for key in ("harness_claim", "our_claim", "dig_claim"):
        m = re.search(r"(\d+(?:\.\d+)?) times (faster|slower)", g[key])
        assert m or g[key].startswith("neither clearly faster nor slower"), (key, g[key])
        if m:
            assert float(m.group(1)) >= 1.0
    if "times faster" in g["our_claim"]:
        assert g["our_speedup"] > 1
    if "times slower" in g["our_claim"]:
        assert g["our_speedup"] < 1
    if "times slower" in g["harness_claim"]:
        assert g["b_p50_us"] > g["bare_p50_us"]


def check_verdicts(g: dict) -> None:
    for key in ("verdict", "v_rep", "v_fresh"):
        t = g[key]
        assert t.startswith(("no clear difference", "B is faster than A", "B is slower than A")), t
    rep_b = g["v_rep"].startswith("B is faster")
    fresh = ("B" if g["v_fresh"].startswith("B is faster") else "A" if g["v_fresh"].startswith("B is slower")
             else "neither")
    expected = ("was never there" if not rep_b else {"B": "held", "A": "turned into a loss"}.get(fresh, "vanished"))
    assert g["gain"] == expected
    assert g["hit_rep"] > g["hit_fresh"]
    assert abs(g["hit_rep"] - g["pred_rep"]) < 5 and abs(g["hit_fresh"] - g["pred_fresh"]) < 1


def check_rules_and_edges(g: dict) -> None:
    n = g["need"]
    assert g["need_rule"] == ("fewer than the source's 5 runs" if n < 5 else
                              "more than the source's 10 runs" if n > 10 else "within the source's 5-10 runs")
    assert g["need_1"] <= g["need"] <= g["need_5"] or not (0.01 <= g["run_cv"] / 100 <= 0.05)
    ttt = g["ph_ttt"]
    if ttt == ttt:  # not NaN: the phone throttled
        assert g["ph_30"] == ("would already see the clock drop" if ttt <= 30 else "would end before the clock first drops")
    assert g["off_fast"] in ("pays", "does not pay") and g["off_slow"] in ("pays", "does not pay")
    assert ("the cloud wins at a 1 ms round trip and the device at 40 ms" in g["ec_text"]) == (1 < g["be_rtt_ms"] < 40)
    assert g["avg_mw"] == pytest.approx(69.5)
    assert g["ck_ok"] + g["ck_risk"] + g["ck_none"] == g["ck_n"]
    assert g["ex_speedup"] == pytest.approx(3.43, abs=0.01) and g["ex_fps8"] == pytest.approx(28.57, abs=0.01)


def check_page_shows_the_phrases(g: dict, text: str) -> None:
    for key in ("verdict", "v_rep", "v_fresh", "gain", "need_rule", "ph_30", "ec_text", "harness_claim", "our_claim"):
        assert str(g[key]) in text, (key, g[key])
    assert "{eval}" not in text


def test_speed_phrases(glued):
    check_speed_phrases(glued)


def test_verdicts_and_the_trick(glued):
    check_verdicts(glued)


def test_rules_edges_and_recomputed_examples(glued):
    check_rules_and_edges(glued)


def test_the_page_shows_what_was_glued(glued, page):
    check_page_shows_the_phrases(glued, page)


if __name__ == "__main__":  # check a build made with `make book` (python -m tests.test_book_design _build/html)
    import sys

    html_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    g = read_glue(html_dir, CHAPTER)
    for fn in (check_speed_phrases, check_verdicts, check_rules_and_edges):
        fn(g)
    check_page_shows_the_phrases(g, rendered_text(page_html(html_dir, CHAPTER)))
    print("ok:", len(g), "glued values checked")

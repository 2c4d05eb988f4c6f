"""The built production chapter reads true: each chosen phrase agrees with the numbers glued
beside it, every glued phrase is on the page, and the page links its lab and shows its figures.
Uses the shared book build (two CPU hogs beside it), as tests/test_book_claims.py does."""

from __future__ import annotations

import re

import pytest

from tests.bookpage import page_html, read_glue, rendered_text

pytestmark = pytest.mark.book

CHAPTER = "chapters/07-benchmarks-in-production"





@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glue(built_book, CHAPTER)


@pytest.fixture(scope="module")
def page(built_book) -> tuple[str, str]:
    raw = page_html(built_book, CHAPTER)
    return raw, rendered_text(raw)




def test_replay_phrases_match_the_numbers(glued):
    claim = glued["tail_claim"]
    if claim.startswith("grew"):
        assert glued["replay_p99_ms"] > glued["steady_p99_ms"]
    elif claim.startswith("fell"):
        assert glued["replay_p99_ms"] < glued["steady_p99_ms"]
    v = glued["verdict_text"]
    if "passes at a steady rate and fails" in v:
        assert (glued["steady_verdict"], glued["replay_verdict"]) == ("VALID", "INVALID")
    elif "same verdict" in v:
        assert glued["steady_verdict"] == glued["replay_verdict"]
    err = glued["model_max_ms"] / glued["replay_max_ms"] - 1
    mv = glued["model_vs_meas"]
    assert ("within 15%" in mv) == (abs(err) <= 0.15)
    if "above" in mv:
        assert err > 0
    if "below" in mv:
        assert err < 0
    assert glued["tail_ratio"] == pytest.approx(glued["replay_p99_ms"] / glued["steady_p99_ms"], rel=1e-6)


def test_autoscaling_phrases_match_the_numbers(glued):
    worse = glued["as2_p99_ms"] >= 0.95 * glued["fixed_p99_ms"]
    assert (glued["as2_vs_fixed"] == "no better than a single worker") == worse
    assert glued["as0_p99_ms"] <= glued["as2_p99_ms"] * 1.0001


def test_canary_and_monitoring_phrases_match_the_numbers(glued):
    assert glued["sprt_verdict"] in ("regression", "no regression", "undecided")
    assert glued["sprt_h1_min"] < glued["fixed_min"]
    c = glued["canary_claim"]
    if "times faster" in c:
        assert glued["new_p99_ms"] < glued["old_p99_ms"]
    if "times slower" in c:
        assert glued["new_p99_ms"] > glued["old_p99_ms"]
    cus = glued["cusum_text"]
    m = re.match(r"alarmed on night (\d+)", cus)
    if m and "before the change" in cus:
        assert int(m.group(1)) < glued["planted_night"]
    elif m:
        assert int(m.group(1)) >= glued["planted_night"]
    assert (glued["burn_on_regression"] == "did not fire") == ("burn-rate" not in glued["caught_regression"])
    assert 0 <= glued["fa_pct"] <= 100


def test_silent_and_fallacy_phrases_match_the_numbers(glued):
    assert glued["acc_shift"] < glued["acc_clean"]
    w = glued["q_ece_word"]
    d = glued["q3_ece"] - glued["q16_ece"]
    assert w == ("grew" if d > 0.01 else "barely moved" if abs(d) <= 0.01 else "fell")
    assert glued["pt_power"] == pytest.approx(4.2 / 1.8)
    assert glued["downtime_min"] == pytest.approx(43.2)
    assert glued["amdahl_frac"] == pytest.approx(25.0)


def test_figures_lab_link_and_self_checks(page):
    raw, text = page
    assert raw.count("<img") >= 4  # replay, autoscaling, nightly history, week
    assert "labs/week/student/week.html" in raw
    assert "incident (delay to first alarm)" in text
    assert text.count("Self-check") >= 1 or "self-check" in text.lower()

"""The built chapter reads true: every computed sentence agrees with the numbers glued beside it.

The shared book build (conftest.book_build) runs while two CPU hogs run, so these checks see
the pages a reader on a busy machine sees. The wording helpers themselves are tested on both
branches with synthetic results in tests/test_claims.py; here the built page is checked
mechanically: each chosen phrase against the glued numbers it was chosen from, and every
glued value against the rendered HTML.
"""

from __future__ import annotations

import re

import pytest

from tests.bookpage import read_glue

pytestmark = pytest.mark.book

CHAPTER = "chapters/01-inference-benchmarks"


@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    """name -> value of every number and phrase the executed chapter glued into its prose
    (myst-nb writes them to ``<page>.glue.json`` beside the executed notebook)."""
    return read_glue(built_book, CHAPTER)


def _speed_word(claim: str) -> str:
    return "faster" if "times faster" in claim else "slower" if "times slower" in claim else "same"


def test_speed_claims_match_their_direction(glued):
    assert _speed_word(glued["pipe_claim"]) in {"faster", "slower", "same"}
    if _speed_word(glued["pipe_claim"]) == "faster":
        assert glued["pipe_bin_ms"] < glued["pipe_json_ms"]
    if _speed_word(glued["pipe_claim"]) == "slower":
        assert glued["pipe_bin_ms"] > glued["pipe_json_ms"]
    for key in ("int8_cnn_claim", "int8_dig_claim", "coloc_claim", "pipe_claim"):
        m = re.search(r"(\d+(?:\.\d+)?) times (faster|slower)", glued[key])
        if m:
            assert float(m.group(1)) >= 1.0, f"{key}: {glued[key]}"
    coloc = _speed_word(glued["coloc_claim"])
    if coloc != "same":
        assert (glued["coloc_meas"] > 1) == (coloc == "slower")


def test_trends_and_comparisons_match_the_numbers(glued):
    for key in ("p99_trend", "bt_p50_change"):
        m = re.search(r"(grew|fell) by a factor of (\d+(?:\.\d+)?)", glued[key])
        if m:
            assert float(m.group(2)) >= 1.0
    wait, model = glued["bd_wait_ms"], glued["bd_model_ms"]
    expected = "longer than" if wait > 1.05 * model else "shorter than" if wait < 0.95 * model else "about as long as"
    assert glued["bd_wait_vs_model"] == expected
    verdict = "within" if glued["xc_p90_diff"] <= max(glued["xc_p90_noise"], 5.0) + 1e-9 else "outside"
    assert glued["xc_verdict"] == verdict
    gap = glued["model_gap"]
    if gap == gap:  # not NaN
        assert ("below 1" in glued["gap_text"]) == (gap <= 1)
    if "times less than Offline" in glued["server_meas_text"]:
        assert float(re.search(r"(\d+(?:\.\d+)?) times less", glued["server_meas_text"]).group(1)) > 1.0
    if "went from" in glued["p99_trend"]:
        assert "no trend is established" in glued["p99_trend"]


def test_saturated_runs_are_never_described_as_latency_samples(glued):
    if glued["sat_note_50"].startswith(" (a saturated run"):
        assert "could not sustain" in glued["sat_text"] and "50%" in glued["sat_text"]
    if "Every offered rate was sustained" in glued["sat_text"]:
        assert "saturated" not in glued["sat_note_50"]


def test_early_stopping_and_run_lengths_are_stated(glued):
    assert glued["es_need_p90"] == 64 and glued["es_need_p99"] == 662
    assert glued["min_dur_s"] > 0 and glued["min_queries"] >= 1

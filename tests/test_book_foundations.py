"""The built opening chapter reads true: each computed phrase agrees with the numbers glued
beside it (as tests/test_book_claims.py does for the inference chapter). The wording helpers are
tested branch by branch with synthetic results in tests/test_basics_foundations.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bookpage import read_glue

pytestmark = pytest.mark.book

CHAPTER = "chapters/00-what-is-a-benchmark"
REPO = Path(__file__).resolve().parents[1]





@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glue(built_book, CHAPTER)




def _word(claim: str) -> str:
    return "faster" if "times faster" in claim else "slower" if "times slower" in claim else "same"


def test_speed_claims_match_the_numbers(glued):
    w = _word(glued["b1_claim"])
    if w != "same":
        assert (glued["b1_int8_ms"] < glued["b1_fp32_ms"]) == (w == "faster")
    w = _word(glued["tp_claim"])
    if w != "same":
        assert (glued["tp_int8_sps"] > glued["tp_fp32_sps"]) == (w == "faster")
    w = _word(glued["srv_claim"])
    if w != "same":
        assert (glued["srv_int8_ms"] < glued["srv_fp32_ms"]) == (w == "faster")
    assert ("faster" in glued["amdahl_yours"]) == (glued["b1_speedup"] >= 1)


def test_verdicts_and_chosen_sentences(glued):
    verdicts = {glued["v_b1"], glued["v_tp"], glued["v_srv"]}
    assert verdicts <= {"holds", "does not hold",
                        "can be neither confirmed nor ruled out (the interval straddles it)"}
    k = len(verdicts)
    if k == 1:
        assert glued["answers_text"].startswith("Here the three conditions gave the same verdict")
    else:
        assert f"{'two' if k == 2 else 'three'} different verdicts" in glued["answers_text"]
    # a claim of "2x" that holds needs a speedup of at least 2 in that condition
    if glued["v_b1"] == "holds":
        assert glued["b1_fp32_ms"] / glued["b1_int8_ms"] >= 2
    if glued["v_srv"] == "holds":
        assert glued["srv_fp32_ms"] / glued["srv_int8_ms"] >= 2
    assert glued["srv_valid"].startswith("All") or "INVALID" in glued["srv_valid"]


def test_kernel_and_model_numbers(glued):
    longer = glued["b1_fp32_ms"] > glued["pred_ms"]
    assert glued["kernel_dir"] == ("longer" if longer else "shorter")
    assert glued["kernel_why"].startswith("A real network" if longer else "Here the model beat the kernel")
    assert glued["cnn_gflops"] == pytest.approx(glued["cnn_mflop"] / glued["b1_fp32_ms"], rel=1e-9)


def test_source_numbers(glued):
    assert glued["sus_lo_tf"] == pytest.approx(93.6) and glued["sus_hi_tf"] == pytest.approx(156.0)
    assert glued["gap_hi"] == pytest.approx(10 / 3) and glued["err_lo_printed"] == 90
    assert glued["amdahl_src"] == pytest.approx(50 / (40 + 10 / 3))
    assert glued["trap_margin_n"] == 1825 and (glued["trap_ea"], glued["trap_eb"]) == (50, 60)
    assert glued["trap_inside"] == "inside" and glued["spec_levels"] == 11
    assert (glued["lh_fp32_mb"], glued["lh_int8_mb"]) == (pytest.approx(14.0, abs=0.05), pytest.approx(3.5, abs=0.05))
    assert glued["bm_max_beam"] == 4 and glued["bm_over_ms"] == pytest.approx(100)


def test_confidence_and_goodhart_sentences(glued):
    for key in ("dg_diff", "dg_small_diff"):
        lo, hi = (float(x) for x in re.findall(r"([+-]\d+\.\d) to ([+-]\d+\.\d)", glued[key])[0])
        verdict = glued["dg_verdict" if key == "dg_diff" else "dg_small_verdict"]
        if "no clear difference" not in verdict:  # a verdict of a difference comes with p < alpha
            assert re.search(r"p = ([\d.e-]+)", verdict)
        assert lo <= hi
    lo = glued["gh_gap_lo"]
    assert glued["gh_promise"].startswith("but the benchmark promised" if lo > 0 else "but this run could not")
    assert glued["rr_need"] >= 2 and 0 < glued["rr_cv_pct"]

"""The built system-benchmarks chapter reads true: every computed sentence agrees with the numbers
glued beside it, on the shared book build (made beside two CPU hogs). The wording helpers are
tested branch by branch with synthetic results in tests/test_system_bench.py."""

from __future__ import annotations

import re

import pytest

from tests.bookpage import page_html, read_glue, rendered_text

pytestmark = pytest.mark.book

CHAPTER = "chapters/02-system-benchmarks"


@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glue(built_book, CHAPTER)


@pytest.fixture(scope="module")
def page_text(built_book) -> str:
    return rendered_text(page_html(built_book, CHAPTER))




def test_peak_sentence_matches_the_numbers(glued):
    frac = glued["gemm_best_gflops"] / glued["peak_fp32_gflops"]
    text = glued["eta_text"]
    if text.startswith("above the computed peak"):
        assert frac > 1
    else:
        assert text.startswith(f"{frac:.0%}")
    assert glued["peak_assumed"] != "none" or glued["peak_detected"]  # says which parts are which


def test_micro_rule_sentences_match_the_numbers(glued):
    cliff = glued["cliff_text"]
    m = re.search(r"streamed (\d+(?:\.\d+)?) times faster", cliff)
    if m:
        assert glued["sweep_peak_gbs"] > glued["sweep_dram_gbs"]
        assert float(m.group(1)) == pytest.approx(glued["sweep_peak_gbs"] / glued["sweep_dram_gbs"], rel=0.06)
    elif "slower than the DRAM-sized" in cliff:
        assert glued["sweep_peak_gbs"] < glued["sweep_dram_gbs"]
    m = re.search(r"took (\d+(?:\.\d+)?) times the steady-state", glued["warm_text"])
    if m:
        assert float(m.group(1)) > 1
    cvs = [float(x) for x in re.findall(r"CV (\d+(?:\.\d+)?)%", glued["noise_text"])]
    assert len(cvs) == 2
    text = glued["noise_text"]
    if text.startswith("neither"):
        assert all(c <= 5.05 for c in cvs)
    elif "flagged both" in text:
        assert all(c > 4.95 for c in cvs)
    assert glued["view_sol"] > 1  # a view "moves" bytes faster than any memory: the check catches it


def test_macro_and_end_to_end_sentences_match(glued):
    assert glued["n_slower"] + glued["n_faster"] == glued["n_layers_all"]
    assert glued["n_layers_all"] == glued["cnn_layers"] + glued["enc_layers"]
    assert glued["cnn_ratio"] == pytest.approx(glued["cnn_meas_ms"] / glued["cnn_pred_ms"], rel=1e-6)
    assert 0 <= glued["cnn_within"] <= 100 and 0 <= glued["enc_within"] <= 100
    assert glued["cnn_roofonly_ms"] <= glued["cnn_pred_ms"]
    assert 1 <= glued["amdahl_3x"] <= glued["amdahl_ceiling"]
    rates = [float(x.replace(",", "")) for x in re.findall(r"([\d,]+) images/s", glued["headline_list"])]
    assert len(rates) == 4 and glued["headline_spread"] == pytest.approx(max(rates) / min(rates), rel=0.01)
    rel = glued["cpu_ridge"] / glued["a100_ridge32"]
    expected = "close to" if abs(rel - 1) <= 0.25 else ("at or below" if rel < 1 else "at or above")
    assert glued["cpu_ridge_vs"] == expected
    effect = glued["prof_effect"]
    if "times slower" in effect:
        assert glued["cnn_fwd_ms"] > glued["unprof_ms"]
    elif "times faster" in effect:
        assert glued["cnn_fwd_ms"] < glued["unprof_ms"]
    kinds = glued["slower_kinds"] + ", " + glued["faster_kinds"]
    assert kinds.count("cnn ") + kinds.count("encoder ") >= 2


def test_worked_numbers_and_links(glued, page_text):
    assert round(glued["a100_ridge16"]) == 153 and round(glued["bert1_util"], 1) == 32.7
    assert round(glued["bert32_85"]) == 265 and glued["err32_printed"] == 16.5
    assert round(glued["tpu_pod_ef"], 2) == 1.13
    assert "Lab: roofline your model" in page_text or "roofline your model" in page_text.lower()
    assert "Errata" in page_text or "errata" in page_text

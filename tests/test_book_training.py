"""The built training chapter reads true: each computed phrase against the numbers glued beside it.

Uses the shared book build (built beside two CPU hogs), so these checks see what a reader on a busy
machine sees; the wording helpers are tested on every branch in tests/test_training_claims.py.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.bookpage import read_glue

pytestmark = pytest.mark.book

CHAPTER = "chapters/04-training-benchmarks"


@pytest.fixture(scope="module")
def glued(built_book) -> dict:
    return read_glue(built_book, CHAPTER)


def test_source_worked_numbers(glued):
    assert glued["napkin_eff_pct"] == pytest.approx(75)
    assert glued["gpt3_pfd"] == pytest.approx(glued["gpt3_pfd_printed"], rel=0.01)
    assert glued["gpt3_mwh"] == pytest.approx(glued["gpt3_mwh_printed"], rel=0.01)
    assert glued["b7_train_gb"] == pytest.approx(112) and glued["b7_inf_gb"] == pytest.approx(14)
    assert glued["adam_bytes"] == 8 and glued["ckpt_100b_tb"] == pytest.approx(1.4)
    young = math.sqrt(2 * glued["ckpt_100b_s"] * glued["mtbf_h"] * 3600) / 60
    assert glued["young_min"] == pytest.approx(young)


def test_time_to_quality_phrase_matches_the_numbers(glued):
    assert glued["thr_ratio"] == pytest.approx(glued["large_thr"] / glued["small_thr"])
    assert glued["epochs_ratio"] == pytest.approx(glued["large_epochs"] / glued["small_epochs"])
    trap = glued["trap"]
    if "processed more samples per second" in trap:
        assert glued["large_thr"] > glued["small_thr"]
    if "processed fewer samples per second" in trap:
        assert glued["large_thr"] < glued["small_thr"]
    if "took longer" in trap:
        assert glued["large_epochs"] > glued["small_epochs"]


def test_scaling_numbers_and_words_agree(glued):
    t1, t2 = glued["t1_ms"], glued["t2_ms"]
    assert glued["speedup"] == pytest.approx(t1 / t2)
    assert glued["eff_strong_pct"] == pytest.approx(100 * t1 / (2 * t2), rel=1e-6)
    m = re.search(r"(\d+(?:\.\d+)?) times (faster|slower)", glued["faster_two"])
    if m:
        assert (m.group(2) == "faster") == (t2 < t1) and float(m.group(1)) >= 1
    shares = sum(glued[f"share_{k}_pct"] for k in ("data", "compute", "wait", "allreduce"))
    assert shares == pytest.approx(100)
    top = max(("the all-reduce", glued["share_allreduce_pct"]), ("waiting", glued["share_wait_pct"]),
              ("compute", glued["share_compute_pct"]), ("data", glued["share_data_pct"]), key=lambda kv: kv[1])[0]
    assert glued["dominant"] == top


def test_validation_sentence_matches_the_numbers(glued):
    if glued["dp_missing"]:
        return
    err = glued["pred_strong_ms"] / glued["t2_ms"] - 1
    assert glued["abs_err_strong_pct"] == pytest.approx(100 * abs(err), abs=0.01)
    assert glued["model_dir"] == ("falls short of it" if err < 0 else "exceeds it")
    parts = {"the all-reduce inside training steps", "waiting for the other worker", "compute per worker"}
    assert glued["gap_part"] in parts


def test_memory_and_utilization_words(glued):
    assert glued["mem_state_match"] == "exactly the"
    assert glued["mem_model_kb"] == pytest.approx(16 * glued["mem_params"] / 1e3)
    assert glued["mfu_rel"] == ("higher" if glued["mfu_large_pct"] > glued["mfu_small_pct"] else "lower")
    assert 0 < glued["mfu_gpt3_pct"] < 30


def test_goodput_sentence(glued):
    assert glued["best_goodput_pct"] >= glued["gp_worst_pct"]
    assert glued["gp_err_pct"] < 2  # the Monte Carlo runs agree with the closed form

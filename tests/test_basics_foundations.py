"""The opening chapter's framework numbers (Definition 1.1, Amdahl, Lighthouse 1.1), its errata,
and the one-change-three-conditions study."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simlib import errata
from simlib._validate import InvalidParameterError
from simlib.basics.framework import end_to_end_speedup, lighthouse_intro, peak_gap
from simlib.measure.conditions import ConditionsStudy, ratio_interval
from simlib.stats import Interval


def test_peak_gap_recomputes_definition_1_1():
    g = peak_gap()  # A100 BF16 312 TFLOP/s at 30-50% MFU (seed line 19)
    assert g.peak_flops_per_s == pytest.approx(312e12)
    assert g.sustained_low_flops_per_s == pytest.approx(93.6e12)
    assert g.sustained_high_flops_per_s == pytest.approx(156e12)
    assert (g.gap_low_ratio, g.gap_high_ratio) == pytest.approx((2.0, 10 / 3))


def test_peak_gap_rejects_inverted_range():
    with pytest.raises(InvalidParameterError, match="mfu_low"):
        peak_gap(mfu_low=0.6, mfu_high=0.5)
    with pytest.raises(InvalidParameterError, match="mfu_high"):
        peak_gap(mfu_high=1.5)


def test_end_to_end_speedup_is_amdahl():
    # a 3x faster 10 ms stage in a 50 ms request: 50 / (40 + 10/3) (seed line 38)
    assert end_to_end_speedup(0.010, 0.050, 3.0) == pytest.approx(50 / (40 + 10 / 3))
    assert end_to_end_speedup(0.050, 0.050, 3.0) == pytest.approx(3.0)  # the whole request
    with pytest.raises(InvalidParameterError, match="stage_s"):
        end_to_end_speedup(0.06, 0.05, 3.0)


def test_lighthouse_intro_matches_the_source_and_the_later_table():
    from simlib.lighthouse import lighthouse_table

    lh = lighthouse_intro()
    assert lh.fp32_bytes / 1e6 == pytest.approx(14.0, abs=0.05)  # "from 14 MB"
    assert lh.int8_bytes / 1e6 == pytest.approx(3.5, abs=0.05)  # "to 3.5 MB"
    assert lh.compression_ratio == pytest.approx(4.0, rel=1e-3)
    assert lh.speedup_ratio == pytest.approx(lighthouse_table().speedup_inference)  # 7.5x, the same claims


@pytest.mark.parametrize("eid,value", [("a100-sustained-low-end", 93.6), ("a100-peak-gap-high-end", 10 / 3)])
def test_foundations_errata(eid, value):
    e = errata.get(eid)
    assert e.correct == pytest.approx(value)
    assert e.is_slip and "seed line 19" in e.where
    assert "{" not in e.note_text


def test_amdahl_rounding_is_not_an_erratum():
    # "about 1.2x" is 1.154 rounded to one decimal: not a slip, so no entry
    assert round(end_to_end_speedup(0.010, 0.050, 3.0), 1) == 1.2
    assert not any("amdahl" in e.id or "end-to-end" in e.id for e in errata.ERRATA)


def test_ratio_interval_is_conservative():
    a, b = Interval(2.0, 1.8, 2.2, 0.95, "x"), Interval(1.0, 0.9, 1.1, 0.95, "x")
    est, lo, hi = ratio_interval(a, b)
    assert est == 2.0 and lo == pytest.approx(1.8 / 1.1) and hi == pytest.approx(2.2 / 0.9)


def _study(speedups):
    rows = []
    for cond, (est, lo, hi) in zip(("batch-1 latency", "throughput", "server p99"), speedups, strict=True):
        iv = Interval(1e-3, 1e-3, 1e-3, 0.95, "x")
        rows.append({"condition": cond, "metric": "m", "baseline": iv, "changed": iv, "speedup": est,
                     "speedup_low": lo, "speedup_high": hi, "claim": "c"})
    m = {"fp32": Interval(2e-3, 1.9e-3, 2.1e-3, 0.95, "x"), "int8": Interval(1e-3, 0.9e-3, 1.1e-3, 0.95, "x")}
    return ConditionsStudy("cnn", "fp32", "int8", 8, 100.0, 3, rows, m)


def test_claim_verdict_each_branch():
    s = _study([(2.5, 2.2, 2.8), (1.4, 1.3, 1.5), (1.9, 1.1, 3.0)])
    assert s.claim_verdict(2.0, "batch-1 latency") == "holds"
    assert s.claim_verdict(2.0, "throughput") == "fails"
    assert s.claim_verdict(2.0, "server p99") == "undecided"
    assert s.summary["modeled_server_p99_speedup_ratio"] == pytest.approx(2.0)


@pytest.mark.slow
def test_one_change_three_ways_runs_small():
    from simlib.measure.conditions import conditions_figure, one_change_three_ways

    s = one_change_three_ways("digits", n_reps=2, rep_duration_s=0.2)
    assert [r["condition"] for r in s.rows] == ["batch-1 latency", "throughput", "server p99"]
    for r in s.rows:
        assert r["speedup_low"] <= r["speedup"] <= r["speedup_high"]
    assert len(s.server_runs["fp32"]) == len(s.server_runs["int8"]) == 2
    assert s.qps <= 400
    assert "MEASURED" in conditions_figure(s).axes[0].get_title()


def test_bad_input_one_shape():
    from simlib.measure.conditions import one_change_three_ways

    with pytest.raises(InvalidParameterError, match="load_fraction"):
        one_change_three_ways(load_fraction=1.5)


def test_answers_text_each_branch():
    same = _study([(1.4, 1.3, 1.5), (1.5, 1.4, 1.6), (1.2, 1.1, 1.3)])  # all "fails" at 2x
    assert same.answers_text(2.0).startswith("Here the three conditions gave the same verdict")
    assert "1.40x, 1.50x, 1.20x" in same.answers_text(2.0)
    two = _study([(2.5, 2.2, 2.8), (1.4, 1.3, 1.5), (1.2, 1.1, 1.3)])
    assert "two different verdicts" in two.answers_text(2.0)
    three = _study([(2.5, 2.2, 2.8), (1.4, 1.3, 1.5), (1.9, 1.1, 3.0)])
    assert "three different verdicts" in three.answers_text(2.0)


def test_tail_model_text_each_branch():
    # the modeled tail speedup is 2.0 (fp32 2 ms / int8 1 ms in _study)
    inside = _study([(1.4, 1.3, 1.5), (1.5, 1.4, 1.6), (1.9, 1.5, 2.5)])
    assert "inside the measured one's interval" in inside.tail_model_text()
    less = _study([(1.4, 1.3, 1.5), (1.5, 1.4, 1.6), (1.1, 0.9, 1.3)])
    assert "improved less than the model" in less.tail_model_text()
    more = _study([(1.4, 1.3, 1.5), (1.5, 1.4, 1.6), (3.0, 2.5, 3.5)])
    assert "improved more than the model" in more.tail_model_text() and "fp32 calls" in more.tail_model_text()
    over = _study([(1.4, 1.3, 1.5), (1.5, 1.4, 1.6), (1.9, 1.5, 2.5)])
    over.model_utilization = {"fp32": 1.2, "int8": 0.8}
    assert "overloaded" in over.tail_model_text()


def _selection(test, fresh, mean_fresh):
    from simlib.basics.goodhart import SelectionStudy

    return SelectionStudy(5, 600, 150, 1047, 40, 0, tuple(test), tuple(fresh), tuple(mean_fresh), tuple(fresh),
                          (0.9,) * 5, (0.9,) * 5)


def test_selection_texts_each_branch():
    helped = _selection([0.93, 0.94, 0.95, 0.93], [0.90, 0.91, 0.92, 0.905], [0.88, 0.885, 0.89, 0.88])
    assert helped.transfer_text().startswith("Choosing still helped")
    hurt = _selection([0.93, 0.94, 0.95, 0.93], [0.86, 0.87, 0.865, 0.86], [0.90, 0.905, 0.91, 0.90])
    assert hurt.transfer_text().startswith("Choosing even hurt")
    noise = _selection([0.93, 0.94, 0.95, 0.93], [0.90, 0.86, 0.92, 0.88], [0.89, 0.89, 0.89, 0.89])
    assert noise.transfer_text().startswith("Whether choosing helped at all is within noise")
    g = helped.gain_not_transferred  # about +3 pp
    assert helped.against_bound_text(g.high + 0.01).startswith("less than that")
    assert helped.against_bound_text(g.low - 0.01).startswith("more than that")
    assert helped.against_bound_text(g.estimate).startswith("about as much as that")


def test_foundations_bank_meets_the_standard():
    from simlib.exercises.bank import load_bank

    bank = load_bank("foundations")
    qs = list(bank)
    types = {q.type for q in qs} if hasattr(qs[0], "type") else {type(q).__name__ for q in qs}
    assert len(qs) >= 18 and len(types) >= 5
    numeric_params = [q for q in qs if getattr(q, "params", None)]
    assert len(numeric_params) >= 4
    # the two the chapter fills with the reader's own measurements
    source = (Path(__file__).resolve().parents[1] / "chapters" / "00-what-is-a-benchmark.md").read_text()
    for qid in ("amdahl-yours", "runs-yours"):
        assert bank.get(qid).params and f'show(CHAPTER, "{qid}", params=' in source
    # every section the chapter shows exists in the bank
    for section in re.findall(r'show_section\(CHAPTER, "([a-z-]+)"\)', source):
        assert bank.section(section)

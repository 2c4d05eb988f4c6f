"""Roofline core: formulas vs hand-derived values, the chapter's BERT example, properties, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simlib._validate import InvalidParameterError
from simlib.roofline import analyze, attainable, bound, ceilings, ridge_point
from simlib.roofline.core import attainable_multi

pos = st.floats(min_value=1e-3, max_value=1e18, allow_nan=False, allow_infinity=False)


def test_hand_derived():
    assert attainable(10, 100.0, 2.0) == 20.0  # 10 FLOP/B x 2 B/s
    assert attainable(1000, 100.0, 2.0) == 100.0
    assert ridge_point(100.0, 2.0) == 50.0
    assert bound(49.9, 100.0, 2.0) == "memory" and bound(50, 100.0, 2.0) == "compute"
    np.testing.assert_allclose(attainable(np.array([1.0, 50.0, 500.0]), 100.0, 2.0), [2.0, 100.0, 100.0])


class TestChapterBertExample:
    """Source chapter, Napkin Math 1.3 (seed lines 168-188)."""

    def test_step1_ridge_153(self):
        # 312 TFLOP/s / 2.04 TB/s = 153 (chapter); the catalog's 2.039 TB/s gives 153.0 as well.
        assert round(ridge_point(312e12, 2.04e12)) == 153
        assert round(analyze("a100-sxm", "fp16", flops=1, bytes=1).ridge_flop_per_byte) == 153

    def test_step3_batch1_memory_bound_102_tflops(self):
        r = analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6)
        assert r.intensity_flop_per_byte == 50
        assert r.bound == "memory"
        assert round(r.attainable_flops / 1e12) == 102
        assert round(100 * r.utilization, 1) == 32.7
        assert math.isclose(attainable(50, 312e12, 2.04e12), 102e12)  # the chapter's own inputs

    def test_step4_batch32_compute_bound(self):
        r = analyze("a100-sxm", "fp16", flops=32 * 22e9, bytes=440e6)
        assert r.intensity_flop_per_byte == 1600 and r.bound == "compute"
        assert r.attainable_flops == 312e12 and r.utilization == 1.0

    def test_layer_by_layer_model_batch_dependence(self):
        # Weights-only traffic, FP32 weight bytes as in the chapter: ~50 FLOP/byte at batch 1,
        # 32x that at batch 32 (weights read once per batch).
        r1 = analyze("a100-sxm", "fp16", model="bert-base", batch=1, traffic="weights")
        r32 = analyze("a100-sxm", "fp16", model="bert-base", batch=32, traffic="weights")
        assert r32.intensity_flop_per_byte == pytest.approx(32 * r1.intensity_flop_per_byte)
        assert r1.bound == "memory" and r32.bound == "compute"
        fp32_bytes = analyze("a100-sxm", "fp32", model="bert-base", traffic="weights")
        assert fp32_bytes.intensity_flop_per_byte == pytest.approx(51.2, abs=0.1)  # 22.4 GFLOP / 438 MB


def test_result_has_cli_json_keys():
    r = analyze("t4", "int8", model="mobilenetv2", batch=4)
    d = r.to_dict()
    assert {"intensity_flop_per_byte", "ridge_flop_per_byte", "bound", "attainable_flops_per_s",
            "utilization", "time_s"} <= set(d["summary"]) and d["kind"] == "modeled"
    assert d["device"] == r.device and d["summary"]["time_s"] == r.time_s
    assert r.time_s == pytest.approx(max(r.flops / r.peak_flops, r.bytes / r.bandwidth_bytes_per_s))
    assert "[modeled]" in str(r)


def test_multi_ceiling():
    cs = ceilings("a100-sxm")
    assert {c.label for c in cs if c.kind == "compute"} == {"fp64", "fp32", "tf32", "fp16", "bf16", "int8"}
    assert {c.label for c in cs if c.kind == "memory"} == {"l1", "l2", "hbm"}
    # a cache level raises the slope: more attainable at the same low intensity
    assert attainable_multi(10, "a100-sxm", "fp16", "l2") > attainable_multi(10, "a100-sxm", "fp16")
    assert analyze("a100-sxm", "fp16", flops=1e9, bytes=1e7, memory="l2").ridge_flop_per_byte == pytest.approx(312 / 7.2)


@given(i=pos, peak=pos, bw=pos)
def test_attainable_never_exceeds_either_roof(i, peak, bw):
    a = attainable(i, peak, bw)
    assert a <= peak * (1 + 1e-12) and a <= i * bw * (1 + 1e-12)
    assert a == pytest.approx(min(peak, i * bw))


@given(i1=pos, i2=pos, peak=pos, bw=pos)
def test_attainable_monotonic_in_intensity(i1, i2, peak, bw):
    lo, hi = sorted((i1, i2))
    assert attainable(lo, peak, bw) <= attainable(hi, peak, bw)


@given(i=pos, peak=pos, bw=pos)
def test_bound_agrees_with_ridge(i, peak, bw):
    assert (bound(i, peak, bw) == "memory") == (i < peak / bw)


@pytest.mark.parametrize("kwargs, name", [
    ({"intensity": 0, "peak_flops_per_s": 1.0, "bandwidth_bytes_per_s": 1.0}, "intensity"),
    ({"intensity": -1, "peak_flops_per_s": 1.0, "bandwidth_bytes_per_s": 1.0}, "intensity"),
    ({"intensity": 1, "peak_flops_per_s": 0, "bandwidth_bytes_per_s": 1.0}, "peak_flops_per_s"),
    ({"intensity": 1, "peak_flops_per_s": 1.0, "bandwidth_bytes_per_s": -2}, "bandwidth_bytes_per_s"),
    ({"intensity": float("nan"), "peak_flops_per_s": 1.0, "bandwidth_bytes_per_s": 1.0}, "intensity"),
    ({"intensity": np.array([1.0, 0.0]), "peak_flops_per_s": 1.0, "bandwidth_bytes_per_s": 1.0}, "intensity"),
])
def test_bad_roofline_input(kwargs, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of attainable"):
        attainable(**kwargs)


def test_bad_ridge_and_analyze_input():
    with pytest.raises(InvalidParameterError, match="'bandwidth_bytes_per_s' parameter of ridge_point.*bytes/s"):
        ridge_point(1e12, 0)
    with pytest.raises(InvalidParameterError, match="'flops' parameter of analyze"):
        analyze("a100-sxm", "fp16", flops=0, bytes=1)
    with pytest.raises(InvalidParameterError, match="'bytes' parameter of analyze"):
        analyze("a100-sxm", "fp16", flops=1, bytes=-1)
    with pytest.raises(InvalidParameterError, match="'name' parameter of hardware.get"):
        analyze("nope", "fp16", flops=1, bytes=1)
    with pytest.raises(InvalidParameterError, match="'precision' parameter"):
        analyze("t4", "tf32", flops=1, bytes=1)
    with pytest.raises(InvalidParameterError, match="needs flops"):
        analyze("t4", "fp16", flops=1)
    with pytest.raises(InvalidParameterError, match="not both"):
        analyze("t4", "fp16", flops=1, bytes=1, model="bert-base")
    with pytest.raises(InvalidParameterError, match="'model' parameter"):
        analyze("t4", "fp16", model="gpt-5")
    with pytest.raises(InvalidParameterError, match="'batch' parameter"):
        analyze("t4", "fp16", model="bert-base", batch=0)

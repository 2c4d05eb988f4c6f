"""Modules written for the inference chapter: precision and batching studies, the latency
histogram, cold-start arithmetic, the lighthouse table, the widget/figure switch, and the
measured-vs-modeled hockey stick. Timing comparisons are loose on purpose (shared CPUs)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from tests.conftest import REPO


def test_cold_start_reproduces_the_chapter_and_validates():
    from simlib.coldstart import weight_bytes, weight_load_time_s

    assert weight_load_time_s(7e9, "fp16", 25e9) == pytest.approx(0.56)  # seed line 641
    assert weight_bytes(7e9, "int4") == pytest.approx(3.5e9)
    with pytest.raises(InvalidParameterError, match="precision"):
        weight_bytes(7e9, "fp12")
    with pytest.raises(InvalidParameterError, match="bandwidth_bytes_per_s"):
        weight_load_time_s(7e9, "fp16", 0)


def test_lighthouse_table_recomputes_the_chapters_ratios():
    from simlib.lighthouse import CHAPTER_CLAIMS, lighthouse_table

    t = lighthouse_table()
    # Table 14 (seed lines 684-688): 7.5x inference, ~3x end to end, ~4.2x power, ~1.8x energy
    assert t.speedup_inference == pytest.approx(7.5)
    assert t.speedup_end_to_end == pytest.approx(3.0)
    assert t.power_ratio == pytest.approx(500 / 120)
    assert t.energy_ratio == pytest.approx(1.8)
    assert t.row("edgetpu")["energy_j"] == pytest.approx(1e-3)
    # the EdgeTPU claim is above its roofline floor; the Cortex-M7 claim is not (an erratum)
    assert t.row("edgetpu")["plausible"] and not t.row("cortex-m7")["plausible"]
    # the chapter's Horowitz decomposition of INT8 MobileNetV2 (Table 18): ~621 uJ
    assert t.row("edgetpu")["horowitz_j"] == pytest.approx(621e-6, rel=0.01)
    changed = lighthouse_table(claims={**CHAPTER_CLAIMS, "edgetpu": {**CHAPTER_CLAIMS["edgetpu"], "power_w": 1.0}})
    assert changed.energy_ratio == pytest.approx(0.9)
    assert "MODELED" in repr(t)


def test_latency_histogram_labels_and_cis():
    from simlib.measure.plot import latency_histogram
    from simlib.measure.result import Result

    samples = list(np.random.default_rng(0).gamma(9, 1e-4, 50))  # too few for a p99 interval
    fig = latency_histogram(Result("few", "measured", samples, system={}))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "latency (ms)" and "MEASURED" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("too few samples" in s for s in labels) and any(s.startswith("median") for s in labels)


def test_demo_shows_the_widget_in_a_live_frontend_and_the_static_figure_elsewhere(monkeypatch, capsys):
    from simlib import frontend

    made = []
    monkeypatch.setenv("SIMLIB_EXERCISES", "static")
    fig = frontend.demo(lambda: made.append("widget"), lambda: "FIG")
    assert fig == "FIG" and made == []
    monkeypatch.setenv("SIMLIB_EXERCISES", "widget")
    drawn = []
    assert frontend.demo(lambda: made.append("widget") or "W", lambda: drawn.append("FIG")) is None
    assert made == ["widget"] and drawn == [], "a live front end shows one figure: the widget's"


def test_roofline_widget_static_figure():
    from simlib.roofline import widget

    fig = widget.static_figure()
    assert "modeled" in fig.axes[0].get_title()


@pytest.mark.slow
def test_precision_study_digits_accuracy_size_and_labels():
    from simlib.measure.precision import precision_study

    s = precision_study("digits", time_budget_s=0.3)
    f, i8 = s.row("fp32"), s.row("int8")
    assert f["accuracy"] > 0.93 and i8["accuracy"] > f["accuracy"] - 0.03
    assert i8["model_bytes"] < f["model_bytes"] / 2
    assert f["speedup_vs_fp32"] == 1.0 and i8["speedup_vs_fp32"] > 0
    # no meter on CI machines: energy is modeled, labeled, and INT8 is cheaper in the model
    if f["measured_j_per_inference"] is None:
        assert "modeled" in s.table()
        assert i8["modeled_j_per_inference"] < f["modeled_j_per_inference"]
    with pytest.raises(InvalidParameterError, match="precision"):
        precision_study("digits", precisions=("fp8",))


@pytest.mark.slow
def test_batch_cost_curve_and_batching_study_shapes():
    from simlib.measure.batching import batch_cost_curve, batching_study

    curve = batch_cost_curve("digits", batch_sizes=(1, 8))
    assert curve.fit.t1_s >= 0 and curve.fit.t0_s >= 0
    assert len(curve.throughput_sps) == 2 and "MEASURED" in curve.table()
    study = batching_study("cnn", qps=100.0, max_batch=4, timeouts_s=(0.0, 0.004),
                           curve=batch_cost_curve("cnn", batch_sizes=(1, 4)))
    a, b = study.rows
    for r in study.rows:
        assert r["measured_mean_batch"] >= 1 and r["modeled_mean_batch"] >= 1
        assert r["measured_p50_s"] > 0 and r["modeled_p50_s"] > 0 and r["insitu_p99_s"] > 0
    # at light load a longer timeout makes the model wait for company: p50 cannot fall
    assert b["modeled_p50_s"] >= a["modeled_p50_s"]
    assert b["modeled_mean_batch"] >= a["modeled_mean_batch"]
    assert "in situ" in study.table()
    with pytest.raises(InvalidParameterError, match="load"):
        batching_study("cnn", load=1.5, curve=curve)


@pytest.mark.slow
def test_comparison_hockey_stick_has_measured_points():
    from simlib.measure import compare

    c = compare("cnn", utilizations=(0.3, 0.6), duration_s=0.5)
    fig = c.hockey_stick()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("measured" in s for s in labels) and any("isolated" in s for s in labels)
    assert "MEASURED" in ax.get_title() and "MODELED" in ax.get_title()
    assert len(c.calibration["isolated_service_s"]) == c.calibration["isolated_samples"]


def test_lab_grading_limits_from_front_matter(tmp_path):
    from simlib.exercises.grading import load_lab
    from simlib.exercises.grading.labfile import LabError
    from simlib.exercises.grading.sandbox import Limits

    lab = load_lab(REPO / "labs" / "capacity")
    assert Limits.for_lab(lab.limits).output_mb == 32
    assert Limits.for_lab(lab.limits, output_mb=8, timeout_s=None).output_mb == 8
    assert Limits.for_lab({}) == Limits()
    src = (tmp_path / "bad")
    src.mkdir()
    text = (load_lab(REPO / "labs" / "percentiles").source.read_text()
            .replace("kernelspec:", "grading:\n  output_gb: 3\nkernelspec:", 1))
    (src / "source.md").write_text(text)
    with pytest.raises(LabError, match="grading.*output_gb"):
        load_lab(src)


def test_latency_histogram_shows_the_far_tail():
    from simlib.measure.plot import latency_histogram
    from simlib.measure.result import Result

    samples = list(np.random.default_rng(1).gamma(9, 1e-4, 2000)) + [0.5, 0.9]  # two huge stalls
    ax = latency_histogram(Result("stalls", "measured", samples, system={})).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("2 beyond" in s and "max 900 ms" in s for s in labels)
    bars = sum(p.get_height() for c in ax.containers for p in c)
    assert bars == len(samples)  # every sample is counted in some bar

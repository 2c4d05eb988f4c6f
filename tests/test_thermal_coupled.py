"""Coupled thermal + queueing, and the teaching demos."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib.thermal import simulate_server
from simlib.thermal.coupled import _busy_fraction
from simlib.thermal.demos import efficiency_gap, explore, power_sampling, sweep


def test_busy_fraction_from_intervals():
    b = _busy_fraction(np.array([0.0, 1.5]), np.array([0.5, 2.0]), np.array([0.0, 1.0, 2.0]), 1)
    assert b.tolist() == pytest.approx([0.5, 0.5])


def test_p99_grows_as_device_heats():
    # Edge TPU on a hot day (40 C): throttles within minutes at 60% load at f_max
    r = simulate_server("edgetpu", 60.0, "det:10ms", 300.0, ambient_c=40.0, window_s=60.0)
    s = r.summary
    assert r.kind == "modeled" and s["time_to_throttle_s"] is not None
    w = r.windows
    assert w[-1]["freq_hz"] < w[0]["freq_hz"]
    assert w[-1]["p99_ms"] > 2 * w[0]["p99_ms"]
    assert len(r.passes) == 2 and "MODELED" in repr(r)


def test_no_throttle_no_slowdown():
    r = simulate_server("cortex-m7", 20.0, "det:10ms", 60.0, window_s=30.0, iterate=False)
    assert r.summary["time_to_throttle_s"] is None
    assert r.queue.records.latency_s.min() == pytest.approx(0.010)


def test_demos():
    g = efficiency_gap()
    assert g["gap_x"] == pytest.approx(40 / 3)
    from simlib import energy

    mean_w = energy.average_power_w(active_w=2.0, idle_w=0.05, duty_cycle=0.01)
    assert energy.battery_life_h(mean_w, capacity_wh=3.7) == pytest.approx(3.7 / 0.0695)
    rows = power_sampling(rates_hz=(100.0, 10000.0), windows_s=(0.0, 0.01))
    err = {(r["rate_hz"], r["window_s"]): abs(r["error_pct"]) for r in rows}
    assert err[(100.0, 0.0)] > 20  # sampling at the pass rate aliases onto one phase
    assert err[(100.0, 0.01)] < 0.5 and err[(10000.0, 0.0)] < 1  # a full-pass window fixes it
    hot, cool = sweep("r_ja_scale", [1.5, 0.5], "edgetpu", duration_s=300.0)
    assert hot.summary["max_temp_c"] > cool.summary["max_temp_c"]
    r = explore("edgetpu", ambient_c=35.0, duty_fraction=0.5, duration_s=60.0)
    assert not math.isnan(r.summary["mean_power_w"])


def test_plots_and_widget_build():
    import matplotlib

    matplotlib.use("Agg")
    from simlib.thermal.demos import power_sampling
    from simlib.thermal.plot import plot_sampling, plot_server
    from simlib.thermal.widget import explore, static_figure

    fig = static_figure(duration_s=60.0)
    assert "MODELED" in fig._suptitle.get_text()
    assert plot_sampling(power_sampling(rates_hz=(10.0, 100.0), windows_s=(0.0,))).axes
    r = simulate_server("edgetpu", 40.0, "det:10ms", 20.0, window_s=10.0, iterate=False)
    assert "MODELED" in plot_server(r).axes[0].get_title()
    assert explore() is not None

"""simlib.powerbench: the source's power figures recomputed, boundaries, DVFS trade-off,
sampling error, the energy budget under an SLO (against the thermal simulator), errata."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib import errata
from simlib._validate import InvalidParameterError
from simlib.energy import average_power_w, battery_life_h, decompose, tops_per_watt
from simlib.powerbench import (
    DEVICE_POWER,
    MLPERF_POWER_RULES,
    EnergyBudgetProblem,
    SystemPower,
    boundary_energy,
    compare_boundaries,
    cpu_power_model_w,
    energy_per_inference_series,
    example_systems,
    frequency_tradeoff,
    power_span,
    sampling_error,
    steady_junction_c,
)
from simlib.powerbench.boundaries import pue_from_overhead_share
from simlib.protocol import conforms
from simlib.queueing.service import BatchCost


def test_table15_span_and_erratum():
    s = power_span().summary
    assert s["min_power_w"] == pytest.approx(150e-6) and s["max_power_w"] == pytest.approx(1e4)
    assert s["span_log10_ratio"] == pytest.approx(math.log10(1e4 / 150e-6))
    assert 7.8 < s["span_log10_ratio"] < 7.9
    e = errata.get("power-table-orders-of-magnitude")
    assert e.is_slip and e.correct == pytest.approx(s["span_log10_ratio"])
    assert len(DEVICE_POWER) == 8 and all(r["source"] for r in DEVICE_POWER)


def test_source_worked_numbers():
    # Napkin Math 1.8 tables (seed lines 733-752)
    assert 3.7 / 0.2 == pytest.approx(18.5)
    fp32 = decompose(300e6, 3_504_872 * 4, "fp32")
    int8 = decompose(300e6, 3_504_872, "int8")
    assert fp32.total_j / int8.total_j == pytest.approx(5.4, abs=0.05)
    # 13.3x datasheet gap (seed line 713)
    assert tops_per_watt(10e12, 0.5) / tops_per_watt(3e12, 2.0) == pytest.approx(13.33, abs=0.01)
    # Systems Perspective 1.5: 50 mW idle, 2 W active, 1% duty -> 69.5 mW
    assert average_power_w(active_w=2.0, idle_w=0.05, duty_cycle=0.01) == pytest.approx(0.0695)
    # 5% throughput for 50% power -> energy per inference +42.9%
    t = frequency_tradeoff(throughput_gain=0.05, power_gain=0.5)
    assert t["energy_per_inference_change_fraction"] == pytest.approx(1.5 / 1.05 - 1)
    assert battery_life_h(0.0695, capacity_wh=10.0) == pytest.approx(143.9, abs=0.1)


def test_boundaries_flip_and_closed_form():
    a, b = example_systems()
    c = compare_boundaries(a, b)
    assert c.flips and c.summary["flip_count"] == 2
    assert c.rows[0]["a_j"] == pytest.approx(350 / 3500) and c.rows[1]["b_j"] == pytest.approx(90 / 500)
    assert c.rows[2]["b_j"] == pytest.approx(90 / 500 * 2.0)
    e = boundary_energy(SystemPower("x", 100.0, 0.0, 0.0, 10.0, pue=1.0))
    assert e["chip_j"] == e["node_j"] == e["facility_j"] == pytest.approx(10.0)
    # idle power raises energy per inference at partial load
    assert boundary_energy(a, 0.3)["chip_j"] > boundary_energy(a, 1.0)["chip_j"]
    assert pue_from_overhead_share(0.2) == pytest.approx(1.25)
    assert conforms(c) == [] and conforms(power_span()) == []
    with pytest.raises(InvalidParameterError, match="load_fraction"):
        boundary_energy(a, 0.0)
    with pytest.raises(InvalidParameterError, match="pue"):
        SystemPower("bad", 1.0, 0.0, 0.0, 1.0, pue=0.5)


def test_sampling_aliases_at_the_pass_rate():
    rows = {r["rate_hz"]: r for r in sampling_error((100.0, 10_000.0, 99.0))}
    assert abs(rows[100.0]["error_pct"]) > 20  # every sample in the same phase
    assert abs(rows[10_000.0]["error_pct"]) < 1
    assert abs(rows[99.0]["error_pct"]) < abs(rows[100.0]["error_pct"])


def test_mlperf_rules_are_data():
    names = [r["rule"] for r in MLPERF_POWER_RULES]
    assert {"boundary", "meter", "ranging", "window", "same run"} <= set(names)


def test_cpu_power_model():
    assert cpu_power_model_w(2, per_core_w=4.0) == 8.0
    with pytest.raises(InvalidParameterError):
        cpu_power_model_w(-1)


def test_steady_junction_matches_thermal_simulator():
    from simlib.thermal import Workload, simulate_thermal

    r = simulate_thermal("edgetpu", Workload(kind="duty", duty_fraction=0.3, period_s=0.5), 3000.0,
                         dt_s=0.05, governor="none")
    p = float(r.power_w[-2000:].mean())
    assert steady_junction_c("edgetpu", p) == pytest.approx(float(r.temp_c[-2000:].mean()), abs=0.5)


def test_energy_per_inference_series_sums_to_total():
    from simlib.thermal import simulate_thermal

    r = simulate_thermal("smartphone-soc", "sustained", 120.0, dt_s=0.01)
    t, e = energy_per_inference_series(r, 10.0)
    assert t.size == 12 and np.all(np.isfinite(e))
    inf = r.throughput_per_s.reshape(12, -1).sum(axis=1) * r.dt_s
    assert float((e * inf).sum()) == pytest.approx(r.energy_j, rel=1e-9)  # the windows hold all the energy


@pytest.fixture(scope="module")
def problem():
    return EnergyBudgetProblem({"fp32": BatchCost(t0_s=2e-3, t1_s=1e-3), "int8": BatchCost(t0_s=1.5e-3, t1_s=0.5e-3)},
                               qps=250.0, latency_bound_s=0.03, n_requests=2000)


def test_budget_optimum_is_feasible_and_least_energy(problem):
    r = problem.solve()
    assert r.best is not None and r.best["feasible"]
    assert all(x["energy_per_inference_j"] >= r.best["energy_per_inference_j"] for x in r.feasible)
    assert r.fastest["p_tail_s"] <= r.best["p_tail_s"]
    assert conforms(r) == []
    # the fastest clock at batch 1 in fp32 throttles: the thermal limit binds
    assert not problem.evaluate("fp32", 1, 0)["feasible"]
    assert any("throttles" in x for x in problem.evaluate("fp32", 1, 0)["reasons"])
    c = problem.check_choice(r.best["precision"], r.best["batch"], r.best["opp"])
    assert c["feasible"] and c["optimal"] and c["energy_ratio_to_best"] == pytest.approx(1.0)
    worse = problem.check_choice(r.fastest["precision"], r.fastest["batch"], r.fastest["opp"])
    assert worse["feasible"] and not worse["optimal"] and worse["energy_ratio_to_best"] > 1


def test_budget_energy_closed_form(problem):
    row = problem.evaluate("int8", 4, 2)
    pm = problem.dev.power
    u = row["utilization"]
    p = u * row["busy_power_w"] + (1 - u) * pm.idle_w
    assert row["energy_per_inference_j"] == pytest.approx(p / problem.qps)
    assert row["junction_c"] == pytest.approx(25.0 + 14.0 * p, abs=1e-3)
    # mean busy time per inference from the batch model (mean batch formed)
    scale = pm.f_max_hz / row["freq_hz"]
    expect = (1.5e-3 / row["mean_batch"] + 0.5e-3) * scale
    assert u / problem.qps == pytest.approx(expect, rel=0.03)


def test_budget_bad_input():
    with pytest.raises(InvalidParameterError, match="qps"):
        EnergyBudgetProblem({"fp32": BatchCost(t0_s=1e-3, t1_s=1e-3)}, qps=-1, latency_bound_s=0.01)
    with pytest.raises(InvalidParameterError, match="service"):
        EnergyBudgetProblem({"fp32": 0.001}, qps=1, latency_bound_s=0.01)
    p = EnergyBudgetProblem({"fp32": BatchCost(t0_s=1e-3, t1_s=1e-3)}, qps=10, latency_bound_s=0.01)
    with pytest.raises(InvalidParameterError, match="precision"):
        p.evaluate("int4", 1, 0)
    with pytest.raises(InvalidParameterError, match="opp"):
        p.evaluate("fp32", 1, 99)

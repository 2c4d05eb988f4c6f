"""Validation of simlib.thermal: RC closed forms, energy balance, governors, duty cycle, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simlib import energy
from simlib._validate import InvalidParameterError
from simlib.thermal import (
    JSON_KEYS,
    OperatingPoint,
    PowerModel,
    RCNetwork,
    ThermalDevice,
    ThermalParams,
    Workload,
    get_device,
    make_governor,
    simulate_thermal,
)


def _device(P=1.5, R=10.0, C=2.0, idle=0.0, trip=300.0, **th) -> ThermalDevice:
    """A leak-free single-OPP device drawing exactly P watts when busy."""
    opp = OperatingPoint(1e9, 1.0)
    return ThermalDevice(name="test", thermal=ThermalParams(R, C, 25.0, trip, 2.0, **th),
                         power=PowerModel((opp,), c_eff_f=P / 1e9, idle_w=idle),
                         ops_per_cycle=1.0, ops_per_inference=1e6, peak_ops_per_s=1e9,
                         governor="none")


def test_rc_step_response_matches_closed_form():
    R, C, P = 10.0, 2.0, 1.5
    r = simulate_thermal(_device(P, R, C), "sustained", 400.0, governor="none")
    t = r.t_s + r.dt_s  # temperatures are at the end of each step
    exact = 25.0 + P * R * (1 - np.exp(-t / (R * C)))
    rise = exact - 25.0
    assert np.max(np.abs(r.temp_c - exact) / rise) < 0.005
    assert r.temp_c[-1] == pytest.approx(25.0 + P * R, rel=1e-6)  # steady state T_amb + P R


def test_two_node_steady_state_and_energy_conserved():
    th = ThermalParams(10.0, 0.5, 25.0, 300.0, 2.0, r_jc_k_per_w=3.0, c_case_j_per_k=5.0)
    net = RCNetwork(th, "jca", 0.1)
    P = np.full(20_000, 2.0)
    x, heat = net.run(np.array([25.0, 25.0]), P, 25.0)
    assert x[-1, 0] == pytest.approx(25.0 + 2.0 * 10.0, rel=1e-6)
    assert x[-1, 1] == pytest.approx(25.0 + 2.0 * 7.0, rel=1e-6)
    stored = net.capacities @ (x[-1] - 25.0)
    assert P.sum() * 0.1 == pytest.approx(stored + heat.sum(), rel=1e-9)


@pytest.mark.parametrize("dev", ["smartphone-soc", "edgetpu", "a100-sxm"])
def test_simulation_energy_balance(dev):
    r = simulate_thermal(dev, "burst", 120.0, dt_s=1e-2)
    assert r.energy_j == pytest.approx(r.stored_j + r.heat_out_j.sum(), rel=1e-9)


@pytest.mark.parametrize("gov", ["step_wise", "power_allocator"])
@pytest.mark.parametrize("dev", ["smartphone-soc", "edgetpu"])
def test_governor_holds_trip_and_sustained_below_burst(dev, gov):
    d = get_device(dev)
    r = simulate_thermal(d, "sustained", 1500.0 if dev == "smartphone-soc" else 600.0, governor=gov, dt_s=1e-2)
    s = r.summary
    # at or below trip + hysteresis (to within one step's rise after the sensor interrupt)
    assert s["max_temp_c"] <= d.thermal.trip_c + d.thermal.hysteresis_c + 0.05
    assert s["time_to_throttle_s"] is not None
    assert s["sustained_throughput_qps"] < s["peak_throughput_qps"]


def test_no_governor_overheats():
    r = simulate_thermal("edgetpu", "sustained", 600.0, governor="none", dt_s=1e-2)
    assert r.summary["max_temp_c"] > get_device("edgetpu").thermal.trip_c


def test_power_integral_is_inference_plus_idle_energy():
    r = simulate_thermal("smartphone-soc", "duty:0.3", 60.0)
    per_inf, unfinished = r.inference_energies_j()
    assert per_inf.size == r.n_inferences > 0
    assert np.all(per_inf > 0)
    total = per_inf.sum() + unfinished + r.idle_energy_j
    assert r.energy_j == pytest.approx(total, rel=1e-9)


def test_duty_cycle_example_exact():
    assert energy.average_power_w(active_w=2.0, idle_w=0.050, duty_cycle=0.01) == pytest.approx(0.0695, rel=1e-12)
    r = simulate_thermal(_device(P=2.0, idle=0.050), Workload(kind="duty", duty_fraction=0.01, period_s=1.0),
                 10.0, governor="none")
    assert r.summary["mean_power_w"] == pytest.approx(0.0695, rel=1e-12)


def test_frequency_scales_throughput():
    d = get_device("edgetpu")
    fast = simulate_thermal(d, "sustained", 2.0, governor="none").summary["peak_throughput_qps"]
    assert fast == pytest.approx(d.f_max_hz * d.ops_per_cycle / d.ops_per_inference, rel=1e-9)
    assert fast == pytest.approx(500.0, rel=1e-9)  # the chapter's ~2 ms MobileNetV2 on EdgeTPU


def test_workload_activity_shapes():
    a = Workload(kind="burst", burst_s=0.5, gap_s=1.5).activity(400, 0.01)
    assert a.mean() == pytest.approx(0.25)
    tr = Workload(kind="trace", trace=(1.0, 0.0), trace_dt_s=0.5).activity(100, 0.01)
    assert tr[:50].min() == 1.0 and tr[50:].max() == 0.0


@pytest.mark.parametrize("call", [
    lambda: ThermalParams(-1.0, 2.0),
    lambda: ThermalParams(10.0, -2.0),
    lambda: ThermalParams(10.0, 2.0, ambient_c=40.0, trip_c=30.0),
    lambda: ThermalParams(10.0, 2.0, r_jc_k_per_w=3.0),
    lambda: Workload.parse("duty:1.5"),
    lambda: Workload.parse("duty:-0.1"),
    lambda: Workload.parse("duty:abc"),
    lambda: Workload.parse("forever"),
    lambda: get_device("no-such-device"),
    lambda: make_governor("turbo"),
    lambda: simulate_thermal("edgetpu", "sustained", -5.0),
    lambda: simulate_thermal("edgetpu", "sustained", 5.0, ambient_c=120.0),
    lambda: energy.average_power_w(active_w=2.0, idle_w=0.05, duty_cycle=1.2),
])
def test_bad_input_clear_errors(call):
    with pytest.raises(InvalidParameterError, match="parameter"):
        call()


def test_cli_json_keys(capsys):
    from simlib.cli import main

    assert main(["thermal", "--device", "edgetpu", "--workload", "duty:0.5", "--duration-s", "30",
                 "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(JSON_KEYS) <= set(d["summary"]) and d["kind"] == "modeled"
    assert main(["thermal", "--device", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_cli_text_says_modeled(capsys):
    from simlib.cli import main

    assert main(["thermal", "--device", "cortex-m7", "--duration-s", "5", "--governor", "none"]) == 0
    assert "MODELED" in capsys.readouterr().out


def test_one_home_for_thermal_constants_and_operating_points():
    from simlib import hardware, thermal

    assert thermal.ThermalParams is hardware.ThermalParams and thermal.OperatingPoint is hardware.OperatingPoint
    dev = get_device("edgetpu")
    assert dev.thermal == hardware.get("edgetpu").thermal
    assert set(dev.power.opps) == set(hardware.get("edgetpu").dvfs)

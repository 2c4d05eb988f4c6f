"""Energy model: the chapter's Horowitz figures and MobileNetV2 table, efficiency metrics, errors."""

from __future__ import annotations

import pytest

from simlib import energy
from simlib._validate import InvalidParameterError

MOBILENETV2_PARAMS = 3_504_872  # torchvision; 14.0 MB in FP32 (source chapter, seed line 873)


def test_horowitz_figures_napkin_math_1_8():
    # Source chapter, Napkin Math 1.8, tables 16 and 17 (seed lines 733-745).
    assert energy.MULT_PJ["fp32"] == 3.7 and energy.MULT_PJ["fp16"] == 1.1 and energy.MULT_PJ["int8"] == 0.2
    assert energy.BYTE_PJ == {"register": 0.01, "l1": 0.5, "l2": 2.0, "dram": 160.0}
    assert round(energy.MULT_PJ["fp16"] / energy.MULT_PJ["fp32"], 1) == 0.3
    assert round(energy.MULT_PJ["int8"] / energy.MULT_PJ["fp32"], 2) == 0.05
    assert round(energy.MULT_PJ["fp32"] / energy.MULT_PJ["int8"]) == 18  # "~18x less energy"
    assert round(energy.BYTE_PJ["dram"] / energy.BYTE_PJ["register"]) == 16_000


def test_mobilenetv2_table_18():
    # Source chapter, Table 18 (seed lines 747-752): 2,243 vs 561 uJ load, 1,110 vs 60 uJ compute,
    # 3,353 vs 621 uJ total, savings 4x, 18.5x, 5.4x. (The table's "300 MFLOP" are MACs: errata.)
    fp32 = energy.decompose(300e6, MOBILENETV2_PARAMS * 4, "fp32", "dram")
    int8 = energy.decompose(300e6, MOBILENETV2_PARAMS * 1, "int8", "dram")
    assert round(fp32.memory_j * 1e6) == 2243 and round(int8.memory_j * 1e6) == 561
    assert round(fp32.compute_j * 1e6) == 1110 and round(int8.compute_j * 1e6) == 60
    assert round(fp32.total_j * 1e6) == 3353 and round(int8.total_j * 1e6) == 621
    assert fp32.memory_j / int8.memory_j == pytest.approx(4)
    assert round(fp32.compute_j / int8.compute_j, 1) == 18.5
    assert round(fp32.total_j / int8.total_j, 1) == 5.4  # checked: the printed 5.4x is right
    assert fp32.memory_fraction > 0.5  # "memory access dominates FP32 energy"
    assert fp32.pj_per_op == 3.7 and fp32.pj_per_byte == 160 and "[modeled]" in str(fp32)


def test_decompose_overrides_and_levels():
    e = energy.decompose(1e6, 1e6, pj_per_op=energy.MULT_PJ["fp32"] + energy.ADD_PJ["fp32"], memory="l1")
    assert e.compute_j == pytest.approx(4.6e-6) and e.memory_j == pytest.approx(0.5e-6)


def test_e_equals_p_t_lighthouse_1_2():
    # Source chapter, Lighthouse 1.2 table (seed lines 683-688): Cortex-M7 ~120 mW x ~15 ms = 1.8 mJ;
    # EdgeTPU ~500 mW x ~2 ms = 1 mJ; "~1.8x more efficient".
    m7, tpu = energy.energy_j(0.120, 0.015), energy.energy_j(0.5, 0.002)
    assert m7 == pytest.approx(1.8e-3) and tpu == pytest.approx(1.0e-3)
    assert round(m7 / tpu, 1) == 1.8
    assert energy.inferences_per_joule(tpu) == pytest.approx(1000)


def test_efficiency_metrics():
    assert energy.qps_per_watt(2000, 400) == 5.0
    assert energy.tops_per_watt(624e12, 400) == pytest.approx(1.56)
    assert energy.average_power_w(active_w=2.0, idle_w=0.1, duty_cycle=0.25) == pytest.approx(0.575)
    assert energy.battery_life_h(1.0, capacity_wh=15.4) == pytest.approx(15.4)
    assert energy.battery_life_h(0.5, capacity_mah=4000, voltage_v=3.85) == pytest.approx(30.8)
    assert energy.facility_energy_j(1000, 1.1) == pytest.approx(1100)
    # 1 J at PUE 1.5 and $0.10/kWh, plus $10,000 of hardware serving 100 QPS for 3 years
    c = energy.cost_per_inference_usd(1.0, 0.10, 1.5, hardware_usd=10_000, lifetime_s=3 * 365 * 86400,
                                      throughput_qps=100)
    assert c == pytest.approx(1.5 / 3.6e6 * 0.10 + 10_000 / (3 * 365 * 86400 * 100))


@pytest.mark.parametrize("call, name", [
    (lambda: energy.decompose(-1, 1), "flops"),
    (lambda: energy.decompose(1, 1, "fp8"), "precision"),
    (lambda: energy.decompose(1, 1, memory="l3"), "memory"),
    (lambda: energy.energy_j(-1, 1), "power_w"),
    (lambda: energy.average_power_w(active_w=1, idle_w=0.1, duty_cycle=1.5), "duty_cycle"),
    (lambda: energy.battery_life_h(0, capacity_wh=1), "average_power_w"),
    (lambda: energy.facility_energy_j(1, 0.9), "pue"),
    (lambda: energy.inferences_per_joule(0), "energy_per_inference_j"),
    (lambda: energy.cost_per_inference_usd(1, hardware_usd=5), "lifetime_s"),
])
def test_bad_input(call, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        call()


def test_battery_needs_one_capacity():
    with pytest.raises(InvalidParameterError, match="exactly one"):
        energy.battery_life_h(1.0)

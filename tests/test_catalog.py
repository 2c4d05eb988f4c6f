"""The device catalog: every value present, positive and sourced; lookups and errors."""

from __future__ import annotations

import math

import pytest

from simlib import hardware
from simlib._validate import InvalidParameterError

CATALOG = hardware.names(include_this_machine=False)
REQUIRED = ["a100-sxm", "h100-sxm", "h200", "v100", "t4", "edgetpu", "cortex-m7", "rpi4", "smartphone-soc"]


def test_required_devices_present():
    assert set(REQUIRED) <= set(CATALOG)
    assert "this-machine" in hardware.names()


def test_a100_values_from_the_issue():
    d = hardware.get("a100-sxm")
    assert d.peak_flops == {"fp64": 9.7e12, "fp32": 19.5e12, "tf32": 156e12, "fp16": 312e12,
                            "bf16": 312e12, "int8": 624e12}
    assert d.dram.bandwidth_bytes_per_s == 2.039e12
    assert d.tdp_w == 400
    # Source chapter, Napkin Math 1.3 step 1 (seed line 172): ridge 153 FLOP/byte.
    assert round(d.ridge_point("fp16")) == 153


def test_h100_matches_chapter_sol_figures():
    # Source chapter, seed line 234: H100 ~989 TFLOP/s FP16, ~1,979 FP8 dense.
    d = hardware.get("h100-sxm")
    assert round(d.peak_flops["fp16"] / 1e12) == 989
    assert round(d.peak_flops["fp8"] / 1e12) == 1979


@pytest.mark.parametrize("name", CATALOG)
def test_every_device_complete_and_sourced(name):
    d = hardware.get(name)
    assert d.name == name
    assert d.peak_flops and all(k == k.lower() and v > 0 for k, v in d.peak_flops.items())
    assert any(m.kind == "dram" for m in d.memory)
    assert any(m.kind == "cache" for m in d.memory), "at least one cache level"
    for m in d.memory:
        assert m.bandwidth_bytes_per_s > 0 and m.name
        assert m.capacity_bytes is None or m.capacity_bytes > 0
    assert d.tdp_w > 0 and 0 <= d.idle_w < d.tdp_w
    for p in d.dvfs:
        assert p.freq_hz > 0 and p.voltage_v > 0
    # every field has a source or a derivation note
    for key in ("peak_flops", "tdp_w", "idle_w", "thermal", "dvfs"):
        assert key in d.sources, f"{name}: no source for {key}"
    for m in d.memory:
        assert f"memory.{m.name}" in d.sources, f"{name}: no source for memory level {m.name}"
    assert all(len(v) > 10 for v in d.sources.values())


@pytest.mark.parametrize("name", ["smartphone-soc", "edgetpu", "cortex-m7", "a100-sxm", "h100-sxm"])
def test_thermal_constants_for_thermal_simulator(name):
    th = hardware.get(name).thermal
    assert th is not None
    assert th.r_ja_k_per_w > 0 and th.c_j_per_k > 0
    assert th.trip_c > th.ambient_c and th.hysteresis_c > 0
    if th.r_jc_k_per_w is not None:
        assert 0 < th.r_jc_k_per_w < th.r_ja_k_per_w and th.c_case_j_per_k > 0
        assert math.isclose(th.r_ca_k_per_w, th.r_ja_k_per_w - th.r_jc_k_per_w)


def test_passive_devices_heat_more_per_watt_than_datacenter_gpus():
    assert hardware.get("smartphone-soc").thermal.r_ja_k_per_w > 10 * hardware.get("a100-sxm").thermal.r_ja_k_per_w


def test_device_is_frozen():
    d = hardware.get("t4")
    with pytest.raises(AttributeError):
        d.tdp_w = 1


def test_unknown_device_lists_known_ones():
    with pytest.raises(InvalidParameterError) as e:
        hardware.get("a100")
    msg = str(e.value)
    assert "'name' parameter of hardware.get" in msg and "a100-sxm" in msg and "'a100'" in msg


def test_unknown_precision_and_memory_level():
    d = hardware.get("edgetpu")
    with pytest.raises(InvalidParameterError, match="precision.*int8.*'fp32'"):
        d.peak("fp32")
    with pytest.raises(InvalidParameterError, match="memory"):
        d.level("l3")


def test_this_machine_is_measured(monkeypatch):
    from simlib.measure import machine
    from simlib.measure import roofline as empirical

    fake = empirical.EmpiricalRoofline(
        gemm=(empirical.KernelMeasurement("gemm", "fp32", 64, 2.0 * 64**3, 3.0 * 64 * 64 * 4,
                                          (1e-5,) * 7, 1, 1, "FLOP/s"),),
        stream=empirical.KernelMeasurement("stream-triad", "fp32", 10, 20.0, 120.0, (1e-8,) * 7, 1, 1, "B/s"),
        llc_bytes=2**20, budget="quick")
    monkeypatch.setattr(empirical, "measure_roofline", lambda: fake)
    machine.this_machine.cache_clear()
    try:
        d = machine.get("this-machine")
        assert d.measured and d.name == "this-machine"
        assert d.peak_flops["fp32"] == pytest.approx(2 * 64**3 / 1e-5)
        assert d.dram.bandwidth_bytes_per_s == pytest.approx(1.2e10)
        assert "measured" in d.sources["peak_flops"]
    finally:
        machine.this_machine.cache_clear()


def test_hardware_measures_nothing():
    """hardware is the bottom layer: "this-machine" is resolved by measure.machine, which measures."""
    with pytest.raises(InvalidParameterError, match="simlib.measure.machine.get"):
        hardware.get("this-machine")


def test_every_interconnect_is_sourced_and_ordered_by_speed():
    """The cluster model's interconnects come from the catalog, each with a source that says
    which value is assumed; the faster the link, the lower its latency."""
    from simlib.hardware import interconnect, interconnects
    from simlib.training import INTERCONNECTS

    links = interconnects()
    assert links == INTERCONNECTS and {"nvlink4", "infiniband-ndr", "ethernet-100g", "ethernet-10g"} <= set(links)
    for name, link in links.items():
        assert link.source and "assumed" in link.source, name  # no datasheet gives a latency
        assert interconnect(name) is links[name]
    by_bw = sorted(links.values(), key=lambda n: n.bandwidth_bytes_per_s)
    assert [n.alpha_s for n in by_bw] == sorted((n.alpha_s for n in by_bw), reverse=True)
    with pytest.raises(ValueError, match="ethernet-10g"):
        interconnect("token-ring")

"""Device presets for the thermal simulator: catalog constants plus what the catalog lacks.

Thermal constants (R, C, ambient, trip, hysteresis), DVFS points, TDP and idle power come from
the hardware catalog (:func:`simlib.hardware.get`). This module adds, per device, the
parameters the catalog does not hold: effective switched capacitance, leakage, the governor
and its settings, and the default model run per inference. Each is cited or derived in a
comment; "assumed" marks a judgement call. All outputs built on them are MODELED.

>>> dev = get_device("edgetpu")
>>> dev.name, dev.governor, round(float(dev.power.active_power_w(0, 25.0)), 3)
('edgetpu', 'step_wise', 2.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from simlib._validate import Options, Range, check, invalid
from simlib.hardware.params import OperatingPoint, ThermalParams
from simlib.thermal.power import PowerModel

__all__ = ["PRESETS", "ThermalDevice", "get_device", "preset_names"]

MOBILENET_V2_OPS = 0.6e9  # Sandler et al. 2018: ~300 M multiply-adds at 224x224 => ~0.6 G ops


@dataclass(frozen=True)
class ThermalDevice:
    """Everything the simulator needs about one device (SI units; temperatures in C).

    ``ops_per_cycle``: ops the device completes per clock cycle on the preset model (peak per
    cycle times achieved utilisation). ``ops_per_inference``: the preset model's size.
    ``governor``/``governor_params``: the default thermal management. ``topology``: "ja" or "jca".
    """

    name: str
    thermal: ThermalParams
    power: PowerModel
    ops_per_cycle: float
    ops_per_inference: float
    peak_ops_per_s: float
    governor: str = "step_wise"
    governor_params: dict[str, Any] = field(default_factory=dict)
    topology: str = "ja"
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        own = "ThermalDevice"
        check("ops_per_cycle", self.ops_per_cycle, Range(0, None, closed="neither"), owner=own)
        check("ops_per_inference", self.ops_per_inference, Range(0, None, closed="neither", unit="ops"), owner=own)
        check("topology", self.topology, Options(("ja", "jca")), owner=own)

    @property
    def f_max_hz(self) -> float:
        return self.power.f_max_hz

    def with_(self, **changes: Any) -> ThermalDevice:
        """A copy with some fields replaced (thermal fields may be given by name too)."""
        th = {k: changes.pop(k) for k in list(changes) if k in ThermalParams.__dataclass_fields__}
        if th:
            changes["thermal"] = replace(self.thermal, **th)
        return replace(self, **changes)


def _c_eff(busy_w: float, leak_w: float, opp: OperatingPoint) -> float:
    """C_eff (F) such that the busy power at ``opp`` and 25 C is ``busy_w`` (leakage included)."""
    return (busy_w - leak_w) / (opp.voltage_v ** 2 * opp.freq_hz)


# Per-device additions. Keys: busy_w (busy power at f_max, 25 C), leak_w (its leakage part),
# leak_doubling_k, utilisation, ops_per_inference, governor (+ params), topology, and
# fallback_dvfs where the catalog has none.
PRESETS: dict[str, dict[str, Any]] = {
    "smartphone-soc": dict(
        # assumed: flagship SoCs burst to ~1.5x their sustained envelope (catalog tdp_w 6 W is the
        # peak sustained figure); 9 W busy at 3.46 GHz for a CPU+NPU inference burst.
        busy_w=9.0,
        # assumed: ~5% leakage at 25 C; CMOS subthreshold leakage roughly doubles every
        # 25-35 K (Kaxiras & Martonosi, Computer Architecture Techniques for Power-Efficiency, 2008)
        leak_w=0.4, leak_doubling_k=30.0,
        # derived: MobileNetV2 (0.6 G ops) in ~1 ms on an A16-class NPU (flagship results in
        # on-device suites such as MLPerf Mobile are ~1 ms) => 0.6 TOPS of the 17 TOPS peak
        utilisation=0.6e12 / 17.0e12, ops_per_inference=MOBILENET_V2_OPS, precision="int8",
        # Linux step_wise on a passive trip point, polled every 100 ms (typical
        # polling-delay-passive in arm64 device trees: 100-250 ms)
        governor="step_wise", poll_s=0.1, topology="jca",
    ),
    "edgetpu": dict(
        # catalog: 2 W at 4 TOPS (Coral datasheet, 2 TOPS/W); assumed 0.15 W of it leakage
        busy_w=2.0, leak_w=0.15, leak_doubling_k=30.0,
        # source chapter, Lighthouse 1.2 (seed line 681): ~2 ms per INT8 MobileNetV2 inference
        utilisation=MOBILENET_V2_OPS / 2e-3 / 4.0e12, ops_per_inference=MOBILENET_V2_OPS,
        precision="int8",
        # Coral apex driver throttles on temperature trip points (catalog sources); modeled as
        # step_wise over the catalog's four clock steps; poll assumed 100 ms
        governor="step_wise", poll_s=0.1, topology="ja",
    ),
    "cortex-m7": dict(
        # catalog tdp_w: ~120 mW during inference (source chapter Table 14); leakage assumed 5 mW
        busy_w=0.12, leak_w=0.005, leak_doubling_k=30.0,
        # assumed: a keyword-spotting DS-CNN (MLPerf Tiny class), ~5.4 M ops (~2.7 M MACs);
        # CMSIS-NN kernels reach about half of the SMLAD peak (assumed) => ~5.6 ms
        utilisation=0.5, ops_per_inference=5.4e6, precision="int8",
        # MCUs do not self-throttle (catalog sources): no governor
        governor="none", poll_s=0.1, topology="ja",
    ),
    "a100-sxm": dict(
        # assumed: dense FP16 inference at the 1410 MHz max boost would draw ~480 W, above the
        # 400 W board limit (catalog tdp_w), which is why A100s run power-capped below max boost
        busy_w=480.0, leak_w=40.0, leak_doubling_k=40.0,
        # assumed: ResNet-50 (~8.2 G ops: 4.1 G MACs, He et al. 2016) at ~30% of FP16 tensor peak
        utilisation=0.3, ops_per_inference=8.2e9, precision="fp16",
        # power-capping PI governor at the board power limit; control temperature = catalog trip
        governor="power_allocator", poll_s=0.1, topology="jca",
        # assumed: catalog has no DVFS table (NVIDIA publishes no V/f pairs). Clocks span the
        # A100's published 1410 MHz max boost down to ~800 MHz; voltages are illustrative.
        fallback_dvfs=[(1410e6, 1.00), (1290e6, 0.95), (1170e6, 0.90), (1050e6, 0.85),
                       (930e6, 0.80), (810e6, 0.75)],
    ),
}


def preset_names() -> list[str]:
    """Device ids with a thermal preset."""
    return list(PRESETS)


def get_device(name: str | ThermalDevice, **overrides: Any) -> ThermalDevice:
    """The thermal device ``name`` (catalog constants + preset), with optional field overrides.

    ``overrides`` may name any :class:`ThermalDevice` or :class:`ThermalParams` field, e.g.
    ``get_device("smartphone-soc", ambient_c=35.0, r_ja_k_per_w=10.0)``.
    """
    if isinstance(name, ThermalDevice):
        return name.with_(**overrides) if overrides else name
    check("device", name, Options(preset_names()), owner="thermal.get_device")
    from simlib import hardware

    hw = hardware.get(name)
    pre = PRESETS[name]
    sources = {f"catalog.{k}": v for k, v in (hw.sources or {}).items()}
    if hw.thermal is None:
        raise invalid("device", f"{name!r} has no thermal constants in the hardware catalog",
                      "a device with thermal constants", owner="thermal.get_device")
    thermal = hw.thermal
    if hw.dvfs:
        opps = hw.dvfs
    else:
        opps = tuple(OperatingPoint(f, v) for f, v in pre["fallback_dvfs"])
        sources["preset.dvfs"] = "assumed (catalog has no DVFS table): see simlib/thermal/presets.py"
    opps = tuple(sorted(opps, key=lambda o: -o.freq_hz))
    power = PowerModel(opps=opps, c_eff_f=_c_eff(pre["busy_w"], pre["leak_w"], opps[0]),
                       idle_w=float(hw.idle_w or 0.0), leak_ref_w=pre["leak_w"],
                       leak_doubling_k=pre["leak_doubling_k"], t_ref_c=25.0)
    peak = float(hw.peak_flops[pre["precision"]])
    gparams: dict[str, Any] = {"poll_s": pre["poll_s"], "trip_c": thermal.trip_c,
                               "hysteresis_c": thermal.hysteresis_c, "control_c": thermal.trip_c,
                               # IPA's sustainable power: what the cooling removes at the control
                               # temperature, (T_control - T_amb) / R_ja (derived)
                               "sustainable_power_w": (thermal.trip_c - thermal.ambient_c) / thermal.r_ja_k_per_w}
    if pre["governor"] == "power_allocator" and hw.tdp_w:
        gparams["power_limit_w"] = float(hw.tdp_w)
    sources["preset"] = "simlib/thermal/presets.py (values cited or derived in comments)"
    dev = ThermalDevice(name=name, thermal=thermal, power=power,
                        ops_per_cycle=peak / opps[0].freq_hz * pre["utilisation"],
                        ops_per_inference=pre["ops_per_inference"], peak_ops_per_s=peak,
                        governor=pre["governor"], governor_params=gparams,
                        topology=pre["topology"], sources=sources)
    return dev.with_(**overrides) if overrides else dev

"""Energy models: per-operation and per-byte energy, inference energy decomposition, efficiency
metrics (J/inference, inferences/J, QPS/W, TOPS/W), duty-cycled power, battery life, PUE, cost.

Units: joules, watts, seconds, picojoules only in the constant tables (``*_PJ``).

Per-operation energies are Horowitz's 45 nm figures (M. Horowitz, "Computing's energy problem
(and what we can do about it)", ISSCC 2014), the ones the source chapter uses in Napkin Math 1.8
(seed lines 731-745). Per-byte memory energies are the chapter's Table 17 (derived from the
same paper: a 64-bit DRAM access costs 1.3-2.6 nJ, i.e. ~160-320 pJ/byte).

The chapter's MobileNetV2 table (Table 18, seed lines 747-752): 3,504,872 parameters, ~300 M
multiply-accumulates charged at the multiplier energy.

>>> fp32 = decompose(300e6, 3_504_872 * 4, "fp32")
>>> int8 = decompose(300e6, 3_504_872 * 1, "int8")
>>> round(fp32.memory_j * 1e6), round(int8.memory_j * 1e6), round(fp32.compute_j * 1e6), round(int8.compute_j * 1e6)
(2243, 561, 1110, 60)
>>> round(fp32.total_j / int8.total_j, 1)
5.4
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simlib._validate import InvalidParameterError, Options, Range, check, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = [
    "ADD_PJ",
    "BYTE_PJ",
    "MULT_PJ",
    "EnergyBreakdown",
    "average_power_w",
    "battery_life_h",
    "cost_per_inference_usd",
    "decompose",
    "energy_j",
    "facility_energy_j",
    "inferences_per_joule",
    "qps_per_watt",
    "tops_per_watt",
]

#: Multiply energy per operation, pJ, 45 nm (Horowitz 2014). bf16 is not in the paper: it is
#: taken equal to fp16 (its 8-bit mantissa multiplier is, if anything, smaller).
MULT_PJ = {"fp32": 3.7, "fp16": 1.1, "bf16": 1.1, "int32": 3.1, "int8": 0.2}
#: Add energy per operation, pJ, 45 nm (Horowitz 2014).
ADD_PJ = {"fp32": 0.9, "fp16": 0.4, "bf16": 0.4, "int32": 0.1, "int8": 0.03}
#: Energy per byte moved from each memory level, pJ (source chapter Table 17, after Horowitz 2014).
BYTE_PJ = {"register": 0.01, "l1": 0.5, "l2": 2.0, "dram": 160.0}

_NONNEG = Range(0, None)
_POS = Range(0, None, closed="neither")


@dataclass(frozen=True, repr=False)
class EnergyBreakdown(ResultDisplay):
    """Modeled energy of one inference: compute plus memory traffic (J), and the figures used."""

    flops: float
    bytes: float
    precision: str
    memory: str
    pj_per_op: float
    pj_per_byte: float
    compute_j: float
    memory_j: float
    total_j: float

    kind = "modeled"
    warnings = ()  # a model of given inputs: nothing beyond the model itself to distrust

    @property
    def memory_fraction(self) -> float:
        return self.memory_j / self.total_j if self.total_j else 0.0

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(flops=self.flops, bytes=self.bytes, precision=self.precision, memory=self.memory,
                              pj_per_op=self.pj_per_op, pj_per_byte=self.pj_per_byte)

    @property
    def summary(self) -> dict[str, Any]:
        """Energy of one inference (J): compute, memory and total, and memory's share."""
        return {"energy_j": self.total_j, "compute_energy_j": self.compute_j, "memory_energy_j": self.memory_j,
                "memory_energy_fraction": self.memory_fraction, "work_flops": self.flops,
                "traffic_bytes": self.bytes}

    def headline(self) -> str:
        return str(self)

    def table(self) -> str:
        return f"EnergyBreakdown (MODELED)\n  {self}"

    def __str__(self) -> str:
        return (f"{self.total_j * 1e6:,.0f} uJ = {self.memory_j * 1e6:,.0f} uJ memory ({self.memory}, "
                f"{self.pj_per_byte:g} pJ/B) + {self.compute_j * 1e6:,.0f} uJ compute ({self.precision}, "
                f"{self.pj_per_op:g} pJ/op) [modeled]")


def decompose(flops: float, weight_bytes: float, precision: str = "fp32", memory: str = "dram", *,
              pj_per_op: float | None = None, pj_per_byte: float | None = None) -> EnergyBreakdown:
    """Energy of one inference: ``flops`` operations at the multiplier energy of ``precision`` plus
    ``weight_bytes`` read from ``memory``.

    Like the source chapter, each counted operation is charged one multiply (pass the number of
    multiply-accumulates, or override ``pj_per_op``, e.g. ``MULT_PJ[p] + ADD_PJ[p]`` per MAC).

    >>> e = decompose(1e9, 1e6, "fp16", "l2")
    >>> round(e.compute_j * 1e3, 3), round(e.memory_j * 1e6, 3)
    (1.1, 2.0)
    """
    check("flops", flops, Range(0, None, unit="operations"), owner="decompose")
    check("weight_bytes", weight_bytes, Range(0, None, unit="bytes"), owner="decompose")
    if pj_per_op is None:
        check("precision", precision, Options(MULT_PJ), owner="decompose")
        pj_per_op = MULT_PJ[precision]
    check("pj_per_op", pj_per_op, Range(0, None, unit="pJ"), owner="decompose")
    if pj_per_byte is None:
        check("memory", memory, Options(BYTE_PJ), owner="decompose")
        pj_per_byte = BYTE_PJ[memory]
    check("pj_per_byte", pj_per_byte, Range(0, None, unit="pJ"), owner="decompose")
    cj, mj = flops * pj_per_op * 1e-12, weight_bytes * pj_per_byte * 1e-12
    return EnergyBreakdown(float(flops), float(weight_bytes), precision, memory, float(pj_per_op),
                           float(pj_per_byte), cj, mj, cj + mj)


def energy_j(power_w: float, time_s: float) -> float:
    """E = P x t (J).

    Source chapter, Lighthouse 1.2 (seed line 688): a Cortex-M7 at ~120 mW for ~15 ms uses 1.8 mJ.

    >>> round(energy_j(0.120, 0.015) * 1e3, 2)
    1.8
    """
    check("power_w", power_w, Range(0, None, unit="W"), owner="energy_j")
    check("time_s", time_s, Range(0, None, unit="s"), owner="energy_j")
    return power_w * time_s


def inferences_per_joule(energy_per_inference_j: float) -> float:
    """1 / (J per inference)."""
    check("energy_per_inference_j", energy_per_inference_j, Range(0, None, closed="neither", unit="J"),
          owner="inferences_per_joule")
    return 1.0 / energy_per_inference_j


def qps_per_watt(throughput_qps: float, power_w: float) -> float:
    """Throughput per watt: (inferences/s) / W = inferences per joule.

    >>> qps_per_watt(1000, 250)
    4.0
    """
    check("throughput_qps", throughput_qps, Range(0, None, unit="queries/s"), owner="qps_per_watt")
    check("power_w", power_w, Range(0, None, closed="neither", unit="W"), owner="qps_per_watt")
    return throughput_qps / power_w


def tops_per_watt(ops_per_s: float, power_w: float) -> float:
    """Tera-operations per second per watt.

    >>> tops_per_watt(4e12, 2.0)  # the Edge TPU's datasheet figure
    2.0
    """
    check("ops_per_s", ops_per_s, Range(0, None, unit="OP/s"), owner="tops_per_watt")
    check("power_w", power_w, Range(0, None, closed="neither", unit="W"), owner="tops_per_watt")
    return ops_per_s / 1e12 / power_w


@validate_params({"active_w": Range(0, None, unit="W"), "idle_w": Range(0, None, unit="W"),
                  "duty_cycle": Range(0, 1)})
def average_power_w(*, active_w: float, idle_w: float, duty_cycle: float) -> float:
    """Time-average power of a device active a fraction ``duty_cycle`` of the time (W):
    ``duty_cycle * P_active + (1 - duty_cycle) * P_idle``. Keyword-only, so the two powers
    cannot be swapped.

    The source chapter's example: 50 mW idle, 2 W active, active 1% of the time.

    >>> round(average_power_w(active_w=2.0, idle_w=0.050, duty_cycle=0.01), 6)
    0.0695
    """
    return duty_cycle * active_w + (1 - duty_cycle) * idle_w


def battery_life_h(average_power_w: float, *, capacity_wh: float | None = None,
                   capacity_mah: float | None = None, voltage_v: float = 3.85) -> float:
    """Hours a battery lasts at a constant average power. Give ``capacity_wh`` or ``capacity_mah``
    (converted at ``voltage_v``, the nominal cell voltage; 3.85 V for a Li-ion phone cell).

    >>> round(battery_life_h(0.5, capacity_mah=4000), 1)
    30.8
    """
    check("average_power_w", average_power_w, Range(0, None, closed="neither", unit="W"),
          owner="battery_life_h")
    if (capacity_wh is None) == (capacity_mah is None):
        raise InvalidParameterError("battery_life_h needs exactly one of capacity_wh or capacity_mah.")
    if capacity_wh is None:
        check("capacity_mah", capacity_mah, _POS, owner="battery_life_h")
        check("voltage_v", voltage_v, _POS, owner="battery_life_h")
        capacity_wh = capacity_mah / 1000 * voltage_v
    check("capacity_wh", capacity_wh, _POS, owner="battery_life_h")
    return capacity_wh / average_power_w


def facility_energy_j(it_energy_j: float, pue: float = 1.1) -> float:
    """Facility energy including cooling and power delivery: IT energy x PUE (PUE >= 1).

    >>> facility_energy_j(100.0, 1.5)
    150.0
    """
    check("it_energy_j", it_energy_j, Range(0, None, unit="J"), owner="facility_energy_j")
    check("pue", pue, Range(1, None), owner="facility_energy_j")
    return it_energy_j * pue


def cost_per_inference_usd(energy_j: float, price_usd_per_kwh: float = 0.10, pue: float = 1.0, *,
                           hardware_usd: float = 0.0, lifetime_s: float | None = None,
                           throughput_qps: float | None = None) -> float:
    """Electricity cost of one inference (energy x PUE x price), plus, when ``hardware_usd``,
    ``lifetime_s`` and ``throughput_qps`` are given, the hardware cost amortized over every
    inference served in its lifetime. Default price: the chapter's ~$0.10/kWh (seed line 389).

    >>> cost_per_inference_usd(3.6e6)  # 1 kWh at $0.10
    0.1
    """
    check("price_usd_per_kwh", price_usd_per_kwh, Range(0, None, unit="USD/kWh"),
          owner="cost_per_inference_usd")
    check("hardware_usd", hardware_usd, _NONNEG, owner="cost_per_inference_usd")
    electricity = facility_energy_j(energy_j, pue) / 3.6e6 * price_usd_per_kwh
    if hardware_usd == 0:
        return electricity
    check("lifetime_s", lifetime_s, _POS, owner="cost_per_inference_usd")
    check("throughput_qps", throughput_qps, _POS, owner="cost_per_inference_usd")
    return electricity + hardware_usd / (lifetime_s * throughput_qps)

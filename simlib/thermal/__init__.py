"""Thermal and power simulator: RC network + DVFS + governors + workloads, coupled to queueing.

Why a device that benchmarks fast for five seconds is slow after five minutes. Every result is
MODELED (from the parameters in :mod:`simlib.thermal.presets` and the hardware catalog).

>>> from simlib import thermal
>>> r = thermal.simulate_thermal("cortex-m7", "duty:0.01", duration_s=2.0)
>>> round(r.summary["mean_power_w"] * 1e3, 2)   # mW: 0.99 * 5 mW idle + 0.01 * ~120 mW busy
6.16
"""

from simlib.hardware.params import (  # re-exported: one home, in hardware
    OperatingPoint,
    ThermalParams,
)
from simlib.thermal.coupled import CoupledResult, simulate_server
from simlib.thermal.governors import GOVERNORS, NoGovernor, PowerAllocator, StepWise, make_governor
from simlib.thermal.power import PowerModel
from simlib.thermal.presets import ThermalDevice, get_device, preset_names
from simlib.thermal.rc import RCNetwork
from simlib.thermal.simulate import JSON_KEYS, ThermalResult, simulate_thermal
from simlib.thermal.workloads import Workload

__all__ = [
    "GOVERNORS", "JSON_KEYS", "CoupledResult", "NoGovernor", "OperatingPoint", "PowerAllocator",
    "PowerModel", "RCNetwork", "StepWise", "ThermalDevice", "ThermalParams", "ThermalResult",
    "Workload", "get_device", "make_governor", "preset_names", "simulate_thermal",
    "simulate_server",
]

"""Hardware: what this machine has (:func:`detect`) and a catalog of devices (:func:`get`).

>>> from simlib import hardware
>>> "a100-sxm" in hardware.names()
True
"""

from simlib.hardware.catalog import (
    THIS_MACHINE,
    Device,
    MemoryLevel,
    get,
    measured_device,
    names,
)
from simlib.hardware.detect import detect
from simlib.hardware.params import OperatingPoint, ThermalParams

__all__ = [
    "THIS_MACHINE",
    "Device",
    "MemoryLevel",
    "OperatingPoint",
    "ThermalParams",
    "detect",
    "get",
    "measured_device",
    "names",
]

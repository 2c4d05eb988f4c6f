"""Hardware: what this machine has (:func:`detect`), a catalog of devices (:func:`get`) and of
interconnects (:func:`interconnect`).

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
from simlib.hardware.interconnect import Network, interconnect, interconnects
from simlib.hardware.params import OperatingPoint, ThermalParams

__all__ = [
    "THIS_MACHINE",
    "Device",
    "MemoryLevel",
    "Network",
    "OperatingPoint",
    "ThermalParams",
    "detect",
    "get",
    "interconnect",
    "interconnects",
    "measured_device",
    "names",
]

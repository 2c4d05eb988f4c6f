"""Hardware: what this machine has (:func:`detect`) and a catalog of devices (:func:`get`).

>>> from simlib import hardware
>>> "a100-sxm" in hardware.names()
True
"""

from simlib.hardware.catalog import (
    THIS_MACHINE,
    Device,
    DvfsPoint,
    MemoryLevel,
    Thermal,
    get,
    measured_device,
    names,
)
from simlib.hardware.detect import detect

list_devices = names

__all__ = [
    "THIS_MACHINE",
    "Device",
    "DvfsPoint",
    "MemoryLevel",
    "Thermal",
    "detect",
    "get",
    "list_devices",
    "measured_device",
    "names",
]

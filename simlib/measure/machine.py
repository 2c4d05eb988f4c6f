"""This computer as a roofline device: the catalog's devices plus ``"this-machine"``, measured.

Hardware is the bottom layer and measures nothing; this module (in the measure layer, beside the
empirical roofline, :mod:`simlib.measure.roofline`, which times the roofs with the harness's one
timing loop) hands the measured numbers to :func:`simlib.hardware.catalog.measured_device`. The
roofline model (:mod:`simlib.roofline`) takes any :class:`~simlib.hardware.catalog.Device`: pass
``get("this-machine")`` from here to it.

>>> get("a100-sxm").name
'a100-sxm'
"""

from __future__ import annotations

import functools

from simlib.hardware.catalog import THIS_MACHINE, Device, measured_device
from simlib.hardware.catalog import get as catalog_get

__all__ = ["get", "this_machine"]


def get(name: str | Device) -> Device:
    """The device called ``name``: a catalog entry, or this computer measured for ``"this-machine"``."""
    return this_machine() if name == THIS_MACHINE else catalog_get(name)


@functools.lru_cache(maxsize=1)
def this_machine() -> Device:
    """This computer as a :class:`Device`: a measured GEMM roof and streaming bandwidth.

    Measured once per process under the budget in force (a few seconds with ``quick``). The peak
    is the best median GEMM rate observed, not a datasheet peak; ``sources`` says so.
    """
    from simlib.measure.roofline import measure_roofline

    emp = measure_roofline()
    # Only measured levels are listed: the triad over arrays >> LLC measures main memory.
    return measured_device(
        emp.peak_flops, emp.bandwidth_bytes_per_s,
        sources={"peak_flops": f"measured: best median torch GEMM rate ({emp.describe()})",
                 "memory.dram": f"measured: streaming triad over arrays much larger than the "
                                f"{(emp.llc_bytes or 0) / 2**20:.0f} MiB last-level cache"})

"""Roofline model: attainable rate, ridge point, op and model intensity, plots, widget, and an
empirical roofline of this machine.

>>> from simlib import roofline
>>> roofline.analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6).bound
'memory'
"""

from simlib.roofline.core import (
    Ceiling,
    RooflineResult,
    analyze,
    attainable,
    attainable_multi,
    bound,
    ceilings,
    ridge_point,
)

__all__ = [
    "Ceiling",
    "RooflineResult",
    "analyze",
    "attainable",
    "attainable_multi",
    "bound",
    "ceilings",
    "ridge_point",
]

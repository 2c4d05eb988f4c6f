"""Roofline model: attainable rate, ridge point, op and model intensity, plots and a widget. (The
empirical roofline of this machine is measured by :mod:`simlib.measure.roofline`.)

>>> from simlib import roofline
>>> roofline.analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6).bound
'memory'
"""

# the package's public names are exactly core's (one list to maintain, in core.py)
from simlib.roofline.core import *  # noqa: F403
from simlib.roofline.core import __all__  # noqa: F401

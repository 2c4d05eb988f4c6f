"""simlib: simulators, models and measurement tools behind the interactive book on ML benchmarking.

Everything a chapter shows is computed here, so that it is tested:

- :mod:`simlib.hardware`  what this machine has (``detect()``) and a catalog of devices
- :mod:`simlib.sysdesc`   an MLPerf-style system description saved with every measured result
- :mod:`simlib.budget`    the one knob (``SIMLIB_BUDGET=quick|standard|full``) all runs honour
- :mod:`simlib.stats`     confidence intervals, percentiles (as MLPerf LoadGen computes them), CV

Later modules (roofline, energy, queueing, thermal, measure, models, exercises) build on these.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simlib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

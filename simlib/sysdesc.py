"""A system description in the spirit of MLPerf's: what ran, on what, under which settings.

Every measured result is saved with one (:func:`system_description`), so a number can be judged
and reproduced: hardware from :func:`simlib.hardware.detect`, the software stack with versions
and thread settings, the budget in force, and a UTC timestamp.

>>> d = system_description()
>>> sorted(d)
['budget', 'hardware', 'simlib_version', 'software', 'timestamp_utc']
>>> d["budget"] in ("quick", "standard", "full")
True
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from simlib import __version__, budget
from simlib.hardware import detect

__all__ = ["software_description", "system_description", "to_json"]

_PACKAGES = ("numpy", "scipy", "torch", "onnxruntime", "onnx", "simpy", "mlcommons-loadgen", "nvidia-ml-py")


def software_description() -> dict[str, Any]:
    """OS, kernel, Python and the versions of the packages that shape a measurement."""
    versions: dict[str, str | None] = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    return {
        "os": platform.system(),
        "os_release": platform.platform(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": versions,
    }


def system_description(hardware: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full description as a JSON-ready dict (pass ``hardware`` to reuse a detect() result)."""
    return {
        "timestamp_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "simlib_version": __version__,
        "budget": budget.current(),
        "hardware": detect() if hardware is None else hardware,
        "software": software_description(),
    }


def to_json(description: dict[str, Any], indent: int = 2) -> str:
    """Serialize a description (or any result carrying one) as JSON text."""
    return json.dumps(description, indent=indent, sort_keys=False, default=str)

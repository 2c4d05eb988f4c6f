"""Hardware: what this machine has (:func:`detect`) and, later, a catalog of devices."""

from simlib.hardware.detect import detect

__all__ = ["detect"]

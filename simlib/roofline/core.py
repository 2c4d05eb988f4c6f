"""The roofline model (Williams et al. 2009): attainable rate = min(peak, intensity x bandwidth).

Units: intensity in FLOP/byte, peak in FLOP/s, bandwidth in bytes/s. The ridge point
``peak / bandwidth`` separates memory-bound work (left of it) from compute-bound work.

The source chapter's worked example (Napkin Math 1.3, seed lines 168-188), BERT-base on an A100
with FP16 Tensor Cores, weights-only traffic:

>>> r = analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6)
>>> round(r.ridge_flop_per_byte), r.intensity_flop_per_byte, r.bound
(153, 50.0, 'memory')
>>> round(r.attainable_flops / 1e12), round(100 * r.utilization, 1)
(102, 32.7)
>>> analyze("a100-sxm", "fp16", flops=32 * 22e9, bytes=440e6).bound
'compute'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError, Range, check, invalid
from simlib.hardware.catalog import Device, get
from simlib.protocol import ResultDisplay, given_settings

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

_POS_FLOPS = Range(0, None, closed="neither", unit="FLOP/s")
_POS_BW = Range(0, None, closed="neither", unit="bytes/s")
_POS_I = Range(0, None, closed="neither", unit="FLOP/byte")


def _check_positive(name: str, value: Any, constraint: Range, owner: str) -> Any:
    """Scalars go through check(); arrays must be all finite and > 0."""
    if np.ndim(value) == 0:
        return check(name, value, constraint, owner=owner)
    arr = np.asarray(value, dtype=float)
    bad = ~(np.isfinite(arr) & (arr > 0))
    if bad.any():
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {constraint}. Got {arr[bad][0]!r} "
            f"(and {int(bad.sum()) - 1} more bad values) instead.")
    return arr


def attainable(intensity: float | np.ndarray, peak_flops_per_s: float,
               bandwidth_bytes_per_s: float) -> float | np.ndarray:
    """Attainable FLOP/s at an arithmetic intensity (FLOP/byte):
    ``min(peak_flops_per_s, intensity * bandwidth_bytes_per_s)``.

    Works element-wise on arrays.

    >>> attainable(50, 312e12, 2.04e12) / 1e12
    102.0
    >>> attainable(1600, 312e12, 2.04e12) / 1e12
    312.0
    """
    i = _check_positive("intensity", intensity, _POS_I, "attainable")
    _check_positive("peak_flops_per_s", peak_flops_per_s, _POS_FLOPS, "attainable")
    _check_positive("bandwidth_bytes_per_s", bandwidth_bytes_per_s, _POS_BW, "attainable")
    out = np.minimum(peak_flops_per_s, np.asarray(i, dtype=float) * bandwidth_bytes_per_s)
    return float(out) if np.ndim(out) == 0 else out


def ridge_point(peak_flops_per_s: float, bandwidth_bytes_per_s: float) -> float:
    """Intensity (FLOP/byte) where the two roofs meet: ``peak_flops_per_s / bandwidth_bytes_per_s``.

    >>> round(ridge_point(312e12, 2.04e12), 1)
    152.9
    """
    check("peak_flops_per_s", peak_flops_per_s, _POS_FLOPS, owner="ridge_point")
    check("bandwidth_bytes_per_s", bandwidth_bytes_per_s, _POS_BW, owner="ridge_point")
    return peak_flops_per_s / bandwidth_bytes_per_s


def bound(intensity: float, peak_flops_per_s: float, bandwidth_bytes_per_s: float) -> str:
    """"memory" left of the ridge point, "compute" at or right of it."""
    check("intensity", intensity, _POS_I, owner="bound")
    return "memory" if intensity < ridge_point(peak_flops_per_s, bandwidth_bytes_per_s) else "compute"


@dataclass(frozen=True, repr=False)
class RooflineResult(ResultDisplay):
    """Where a workload lands on a device's roofline (modeled, not measured).

    ``time_s`` is the roofline's lower bound on run time: ``max(flops/peak, bytes/bandwidth)``.
    """

    device: str
    precision: str
    memory_level: str
    flops: float
    bytes: float
    peak_flops: float
    bandwidth_bytes_per_s: float
    intensity_flop_per_byte: float
    ridge_flop_per_byte: float
    bound: str
    attainable_flops: float
    utilization: float
    time_s: float
    workload: str = ""
    batch: int = 1

    kind = "modeled"
    warnings = ()  # a model of given inputs: nothing beyond the model itself to distrust

    @property
    def settings(self) -> dict[str, Any]:
        """What was placed on which roof (the model computes nothing it was not given)."""
        return given_settings(device=self.device, precision=self.precision, memory_level=self.memory_level,
                              workload=self.workload, batch=self.batch, flops=self.flops, bytes=self.bytes)

    @property
    def summary(self) -> dict[str, Any]:
        """Flat SI numbers (:mod:`simlib.protocol`): work, traffic, roofs, intensity, bound, time."""
        return {"work_flops": self.flops, "traffic_bytes": self.bytes, "peak_flops_per_s": self.peak_flops,
                "bandwidth_bytes_per_s": self.bandwidth_bytes_per_s,
                "intensity_flop_per_byte": self.intensity_flop_per_byte,
                "ridge_flop_per_byte": self.ridge_flop_per_byte, "bound": self.bound,
                "attainable_flops_per_s": self.attainable_flops, "utilization": self.utilization,
                "time_s": self.time_s, "batch": self.batch}

    def _payload(self) -> dict[str, Any]:
        return asdict(self)

    def headline(self) -> str:
        what = self.workload or f"{self.flops:.3g} FLOP / {self.bytes:.3g} B"
        return (f"{what} on {self.device} ({self.precision}, {self.memory_level}): "
                f"{self.intensity_flop_per_byte:.3g} FLOP/byte vs ridge {self.ridge_flop_per_byte:.3g} "
                f"-> {self.bound} bound, {self.attainable_flops / 1e12:.4g} TFLOP/s attainable "
                f"({self.utilization:.1%} of peak) [modeled]")

    def __str__(self) -> str:
        return self.headline()

    def _title(self) -> str:
        return f"RooflineResult (MODELED: {self.workload or 'workload'} on {self.device}, {self.precision})"

    def _rows(self) -> list[tuple[str, str]]:
        return [("intensity", f"{self.intensity_flop_per_byte:.3g} FLOP/byte vs ridge {self.ridge_flop_per_byte:.3g}"),
                ("bound", f"{self.bound} ({self.memory_level})"),
                ("attainable", f"{self.attainable_flops / 1e12:.4g} TFLOP/s ({self.utilization:.1%} of peak)"),
                ("time floor", f"{self.time_s * 1e3:.4g} ms for {self.flops:.3g} FLOP and {self.bytes:.3g} bytes")]


def analyze(device: str | Device, precision: str, *, flops: float | None = None,
            bytes: float | None = None, model: str | None = None, batch: int = 1,
            memory: str | None = None, traffic: str = "weights+activations",
            seq_len: int | None = None) -> RooflineResult:
    """Place a workload on a device's roofline.

    Give either ``flops`` and ``bytes`` (totals for the whole workload) or ``model`` (a name from
    :func:`simlib.roofline.models.model_names`, counted layer by layer at ``batch``, weights read once
    per batch, weights stored in ``precision``). ``memory`` picks the memory level (default: main
    memory). ``traffic="weights"`` counts only weight bytes, as the source chapter does.
    """
    dev = get(device)
    peak = dev.peak(precision)
    level = dev.level(memory)
    check("batch", batch, Range(1, 1e6, integer=True), owner="analyze")
    workload = ""
    if model is not None:
        if flops is not None or bytes is not None:
            raise invalid("model", "was given together with flops/bytes", "either model=... or flops=... and "
                          "bytes=..., not both", owner="analyze")
        from simlib.roofline.models import cost

        c = cost(model, batch=batch, dtype=precision, traffic=traffic, seq_len=seq_len)
        flops, bytes, workload = c.flops, c.bytes, f"{model} (batch {batch})"
    elif flops is None or bytes is None:
        raise invalid("flops" if flops is None else "bytes", "is missing: analyze needs flops=... and bytes=...",
                      "both flops=... and bytes=..., or model=...", owner="analyze")
    elif batch != 1 or seq_len is not None:
        raise invalid("batch" if batch != 1 else "seq_len", "applies only to model=... (flops and bytes are "
                      "totals for the whole workload)", "leave it out with flops=... and bytes=...", owner="analyze")
    # finite, and bytes >= 1 so the intensity flops/bytes stays a float (no overflow to inf)
    check("flops", flops, Range(0, 1e30, closed="right", unit="FLOP"), owner="analyze")
    check("bytes", bytes, Range(1, 1e30, unit="bytes"), owner="analyze")
    bw = level.bandwidth_bytes_per_s
    intensity = flops / bytes
    rate = attainable(intensity, peak, bw)
    return RooflineResult(
        device=dev.name, precision=precision, memory_level=level.name, flops=float(flops),
        bytes=float(bytes), peak_flops=peak, bandwidth_bytes_per_s=bw,
        intensity_flop_per_byte=intensity, ridge_flop_per_byte=ridge_point(peak, bw),
        bound=bound(intensity, peak, bw), attainable_flops=rate, utilization=rate / peak,
        time_s=max(flops / peak, bytes / bw), workload=workload, batch=int(batch),
    )


@dataclass(frozen=True)
class Ceiling:
    """One roof of a multi-ceiling roofline: a compute roof (FLOP/s) or a bandwidth slope (B/s)."""

    kind: str  # "compute" or "memory"
    label: str
    value: float


def ceilings(device: str | Device, precisions: list[str] | None = None,
             memories: list[str] | None = None) -> list[Ceiling]:
    """Compute roofs for ``precisions`` and bandwidth slopes for ``memories`` (default: all).

    >>> [c.label for c in ceilings("t4")]
    ['fp32', 'fp16', 'int8', 'int4', 'l2', 'gddr6']
    """
    dev = get(device)
    precisions = list(dev.peak_flops) if precisions is None else precisions
    memories = [m.name for m in dev.memory] if memories is None else memories
    out = [Ceiling("compute", p, dev.peak(p)) for p in precisions]
    out += [Ceiling("memory", m, dev.level(m).bandwidth_bytes_per_s) for m in memories]
    return out


def attainable_multi(intensity: float | np.ndarray, device: str | Device, precision: str,
                     memory: str | None = None) -> float | np.ndarray:
    """Attainable rate under one compute roof and one memory level of a catalog device."""
    dev = get(device)
    return attainable(intensity, dev.peak(precision), dev.level(memory).bandwidth_bytes_per_s)

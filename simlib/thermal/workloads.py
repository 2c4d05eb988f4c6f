"""Workloads: when the device computes, as a busy fraction (activity) per time step.

Inference work is counted in clock cycles (``ops_per_inference / ops_per_cycle``), so the time
per inference is ``cycles / f``: a compute-bound model that slows in proportion to the clock
(memory-bound phases that do not scale with f are outside this model).

- ``sustained``: a continuous inference loop, activity 1.
- ``duty``: busy ``duty_fraction`` of every ``period_s``, idle the rest.
- ``burst``: busy ``burst_s``, idle ``gap_s``, repeated (default 30 s / 30 s; ``gap_s=inf``:
  one burst).
- ``trace``: a given activity per ``trace_dt_s`` (values in [0, 1]), held between samples.
- ``rate``: requests arriving at ``load_at_fmax`` utilisation of the fastest clock; the busy
  fraction at clock f is ``min(1, load_at_fmax * f_max / f)`` (the fluid limit of a queue):
  used by the coupled serving simulation.

>>> Workload.parse("duty:0.25", period_s=1.0).activity(8, 0.25).tolist()
[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simlib._validate import InvalidParameterError, Options, Range, check

__all__ = ["KINDS", "Workload"]

KINDS = ("sustained", "duty", "burst", "trace", "rate")


@dataclass(frozen=True)
class Workload:
    """What the device runs. ``ops_per_inference`` None means the device preset's model."""

    kind: str = "sustained"
    ops_per_inference: float | None = None
    duty_fraction: float = 1.0
    period_s: float = 1.0
    burst_s: float = 30.0
    gap_s: float = 30.0
    trace: tuple[float, ...] | None = None
    trace_dt_s: float = 1.0
    load_at_fmax: float = 0.5

    def __post_init__(self) -> None:
        own = "Workload"
        check("kind", self.kind, Options(KINDS), owner=own)
        if self.ops_per_inference is not None:
            check("ops_per_inference", self.ops_per_inference, Range(0, None, closed="neither", unit="ops"), owner=own)
        check("duty_fraction", self.duty_fraction, Range(0, 1), owner=own)
        check("period_s", self.period_s, Range(0, None, closed="neither", unit="s"), owner=own)
        check("burst_s", self.burst_s, Range(0, None, closed="neither", unit="s"), owner=own)
        check("gap_s", self.gap_s, Range(0, None, unit="s"), owner=own)
        check("trace_dt_s", self.trace_dt_s, Range(0, None, closed="neither", unit="s"), owner=own)
        check("load_at_fmax", self.load_at_fmax, Range(0, None, unit="(utilisation at f_max)"), owner=own)
        if self.kind == "trace":
            if self.trace is None or len(self.trace) == 0:
                raise InvalidParameterError(
                    "The 'trace' parameter of Workload must be a non-empty sequence of activities in [0, 1] "
                    "for kind='trace'. Got None instead.")
            arr = np.asarray(self.trace, dtype=float)
            if not np.all((arr >= 0) & (arr <= 1)):
                bad = arr[(arr < 0) | (arr > 1) | np.isnan(arr)][0]
                check("trace", float(bad), Range(0, 1), owner="Workload (each activity)")
            object.__setattr__(self, "trace", tuple(arr.tolist()))

    @classmethod
    def parse(cls, spec: str, **kw) -> Workload:
        """``"sustained"``, ``"burst"`` or ``"duty:FRACTION"`` (the CLI's syntax)."""
        if not isinstance(spec, str):
            check("workload", spec, Options(("sustained", "burst", "duty:FRACTION")), owner="Workload.parse")
        name, _, arg = spec.partition(":")
        if name == "duty":
            try:
                frac = float(arg)
            except ValueError:
                raise InvalidParameterError(
                    f"The 'workload' parameter must be 'duty:FRACTION' with FRACTION a number in [0, 1]. "
                    f"Got {spec!r} instead.") from None
            return cls(kind="duty", duty_fraction=frac, **kw)
        check("workload", name, Options(("sustained", "burst", "duty:FRACTION")), owner="Workload.parse")
        return cls(kind=name, **kw)

    @property
    def frequency_dependent(self) -> bool:
        """True when activity depends on the clock (kind 'rate')."""
        return self.kind == "rate"

    def activity(self, n_steps: int, dt_s: float) -> np.ndarray:
        """Busy fraction of each of ``n_steps`` steps of ``dt_s`` (exact for partial steps)."""
        t0 = np.arange(n_steps) * dt_s
        if self.kind == "sustained":
            return np.ones(n_steps)
        if self.kind == "rate":
            return np.full(n_steps, min(1.0, self.load_at_fmax))
        if self.kind == "trace":
            tr = np.asarray(self.trace)
            k = np.minimum((t0 / self.trace_dt_s + 1e-9).astype(np.int64), tr.size - 1)
            return tr[k]
        if self.kind == "duty":
            on, period = self.duty_fraction * self.period_s, self.period_s
        else:  # burst
            on, period = self.burst_s, self.burst_s + self.gap_s
        return _busy_overlap(t0, dt_s, on, period)


def _busy_overlap(t0: np.ndarray, dt: float, on: float, period: float) -> np.ndarray:
    """Fraction of [t0, t0+dt) inside the busy windows [k*period, k*period + on)."""
    if math.isinf(period):
        return np.clip((np.minimum(t0 + dt, on) - t0) / dt, 0.0, 1.0)

    def busy_before(t):  # busy time in [0, t)
        k = np.floor(t / period)
        return k * on + np.minimum(t - k * period, on)

    return np.clip((busy_before(t0 + dt) - busy_before(t0)) / dt, 0.0, 1.0)

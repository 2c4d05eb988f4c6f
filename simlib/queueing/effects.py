"""What stretches a service beyond its model: stop-the-world pauses and cold starts.

(The third effect, a ``slowdown`` callable of time, is a plain function passed to
:func:`simlib.queueing.simulate`; the thermal simulator supplies one.)

>>> p = Pauses(every_s=1.0, duration_s=0.1)
>>> round(float(p.finish_s(0.95, 0.1)), 9)  # 0.05 s of work, a 0.1 s pause at t = 1, then 0.05 s more
1.15
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib._validate import InvalidParameterError, Range, validate_fields

__all__ = ["ColdStart", "Pauses"]


@validate_fields({"every_s": Range(0, None, closed="neither", unit="s"), "duration_s": Range(0, None, closed="neither", unit="s"), "phase_s": [Range(0, None, unit="s"), None]})
@dataclass(frozen=True)
class Pauses:
    """Periodic stop-the-world pauses (a garbage collector): every ``every_s`` seconds nothing
    runs for ``duration_s``; the first pause starts at ``phase_s`` (default ``every_s``).
    Work in progress is frozen during a pause and resumes after it."""

    every_s: float
    duration_s: float
    phase_s: float | None = None

    def __post_init__(self) -> None:
        if self.duration_s >= self.every_s:
            raise InvalidParameterError(
                f"The 'duration_s' parameter of Pauses must be shorter than 'every_s' ({self.every_s} s). "
                f"Got {self.duration_s} instead.")

    @property
    def _phase(self) -> float:
        return self.every_s if self.phase_s is None else float(self.phase_s)

    def paused_before(self, t):
        """Total paused time in [0, t] (s)."""
        t = np.asarray(t, dtype=float)
        u = np.maximum(t - self._phase, 0.0)
        k = np.floor(u / self.every_s)
        return np.where(t < self._phase, 0.0, k * self.duration_s + np.minimum(u - k * self.every_s, self.duration_s))

    def finish_s(self, start_s, work_s):
        """When work of ``work_s`` seconds begun at ``start_s`` ends, pauses included."""
        T, d, ph = self.every_s, self.duration_s, self._phase
        target = np.asarray(start_s, dtype=float) - self.paused_before(start_s) + np.asarray(work_s, dtype=float)
        u = target - ph
        k = np.floor(np.maximum(u, 0.0) / (T - d))
        rem = u - k * (T - d)
        t = np.where(rem > 0, ph + k * T + d + rem, ph + k * T)
        return np.where(u <= 0, target, t)


@validate_fields({"keep_alive_s": Range(0, None, unit="s"), "load_time_s": Range(0, None, closed="neither", unit="s"), "initially_warm": bool})
@dataclass(frozen=True)
class ColdStart:
    """A worker idle for longer than ``keep_alive_s`` is unloaded; the next request it serves
    pays ``load_time_s`` extra. Workers start cold unless ``initially_warm``."""

    keep_alive_s: float
    load_time_s: float
    initially_warm: bool = False

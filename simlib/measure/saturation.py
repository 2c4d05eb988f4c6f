"""Did a Server run sustain the load it was offered? A saturated run is not a latency sample.

An open-loop (Server) run schedules ``n`` queries at Poisson times; the load generator then
waits for every issued query to finish. If the system keeps up, the last query completes soon
after the last one was scheduled, and the completed rate ``(n - 1) / t_last_done`` is close to
the scheduled rate ``(n - 1) / t_last_scheduled``. If it cannot keep up, a backlog builds and
drains after the schedule ends, and the completed rate falls short by the backlog's share.

How far short is "short"? The scheduled rate itself is estimated from ``n`` Poisson arrivals,
with a relative standard deviation of about ``1/sqrt(n)``; a shortfall larger than
``z/sqrt(n)`` (z = 2 by default) is more than the schedule's own spread and the run is judged
saturated. A backlog that grows without bound always shows here, because the run drains it
before it ends; a queue that the load generator stopped feeding (``max_outstanding``) is
reported separately by the load generator.

>>> s = sustained_load(np.linspace(0, 1, 200), np.linspace(0, 1, 200) + 0.01)
>>> s.saturated, round(s.shortfall, 3)
(False, 0.01)
>>> sustained_load(np.linspace(0, 1, 200), np.linspace(0, 5, 200)).saturated
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simlib._validate import Range, validate_params

__all__ = ["Saturation", "completion_times", "sustained_load"]


def completion_times(completed_s) -> np.ndarray:
    """Completion times (s) as a float array, NaN for a query that never completed (None).

    >>> completion_times([0.1, None]).tolist()
    [0.1, nan]
    """
    return np.array([np.nan if c is None else c for c in completed_s], dtype=float)


@dataclass(frozen=True)
class Saturation:
    """Scheduled and completed rates (queries/s), the relative ``shortfall`` of the completed
    rate, the ``allowed`` shortfall (``z/sqrt(n)``), whether the run was ``saturated``, and one
    readable line."""

    scheduled_qps: float
    completed_qps: float
    shortfall: float
    allowed: float
    saturated: bool
    detail: str


@validate_params({"z": Range(0, 10, closed="neither")})
def sustained_load(scheduled_s, completed_s, z: float = 2.0,
                   start_s: float | None = None) -> Saturation:
    """Judge a Server run from its queries' scheduled and completion times (seconds, same clock;
    rates count from ``start_s``, default the first scheduled time, as LoadGen counts from the
    start of the run). Queries that never completed (None or NaN) count as not sustained.
    """
    sched = np.asarray(scheduled_s, dtype=float)
    done = completion_times(completed_s)
    n = sched.size
    if n < 2 or done.size != n:
        raise ValueError(f"sustained_load: needs at least 2 queries with one completion time each "
                         f"(got {n} scheduled, {done.size} completion times)")
    origin = float(sched[0]) if start_s is None else float(start_s)
    span_sched = float(sched[-1] - origin)
    if np.isnan(done).any():
        finished = int(np.count_nonzero(~np.isnan(done)))
        return Saturation(float((n - 1) / span_sched), float("nan"), 1.0, z / math.sqrt(n), True,
                          f"{n - finished} of {n} queries never completed: the system did not "
                          "sustain the offered load")
    span_done = float(np.max(done) - origin)
    sched_qps, done_qps = (n - 1) / span_sched, (n - 1) / span_done
    shortfall = 1.0 - done_qps / sched_qps
    allowed = z / math.sqrt(n)
    saturated = shortfall > allowed
    verb = "fell short of" if saturated else "kept up with"
    detail = (f"completed {done_qps:.4g} queries/s {verb} the scheduled {sched_qps:.4g} "
              f"({shortfall:+.1%} short; the schedule's own spread allows {allowed:.1%})")
    return Saturation(float(sched_qps), float(done_qps), float(shortfall), float(allowed),
                      bool(saturated), detail)

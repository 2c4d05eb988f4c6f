"""Closed forms for speedup and scaling: Amdahl's law, strong and weak scaling efficiency, fan-out
tail probability, Little's law. Pure functions; times in seconds (any consistent unit works).

Source chapter, Napkin Math 1.7 (seed lines 603-606): inference is 10 of 18 ms; making it 5x
faster (10 -> 2 ms) gives 18 / 10 = 1.8x end to end, and no inference speedup can beat
1 / (8/18) = 2.25x.

>>> round(amdahl_speedup(10 / 18, 5), 2), round(amdahl_ceiling(10 / 18), 2)
(1.8, 2.25)
"""

from __future__ import annotations

import math

from simlib._validate import InvalidParameterError, Range, check, validate_params

__all__ = [
    "amdahl_ceiling",
    "amdahl_speedup",
    "fanout_tail_probability",
    "littles_law",
    "strong_scaling_efficiency",
    "weak_scaling_efficiency",
]

_FRACTION = Range(0, 1)
_POS = Range(0, None, closed="neither")


def amdahl_speedup(fraction: float, factor: float) -> float:
    """Overall speedup when a ``fraction`` of the time is made ``factor`` times faster:
    1 / ((1 - fraction) + fraction / factor).
    """
    check("fraction", fraction, _FRACTION, owner="amdahl_speedup")
    check("factor", factor, _POS, owner="amdahl_speedup")
    return 1.0 / ((1 - fraction) + fraction / factor)


def amdahl_ceiling(fraction: float) -> float:
    """The limit of :func:`amdahl_speedup` as ``factor`` grows: 1 / (1 - fraction) (inf if 1).

    >>> amdahl_ceiling(0.5)
    2.0
    """
    check("fraction", fraction, _FRACTION, owner="amdahl_ceiling")
    return math.inf if fraction == 1 else 1.0 / (1 - fraction)


def strong_scaling_efficiency(t1: float, tn: float, n: int) -> float:
    """Fixed problem size: T(1) / (n x T(n)), as a fraction.

    Source chapter, Napkin Math 1.6 (seed line 480): 24 h on 1 GPU, 4 h on 8 GPUs -> 75%.

    >>> strong_scaling_efficiency(24, 4, 8)
    0.75
    """
    check("t1", t1, _POS, owner="strong_scaling_efficiency")
    check("tn", tn, _POS, owner="strong_scaling_efficiency")
    check("n", n, Range(1, None, integer=True), owner="strong_scaling_efficiency")
    return t1 / (n * tn)


def weak_scaling_efficiency(t1: float, tn: float) -> float:
    """Problem size grows with the processor count: T(1) / T(n), as a fraction.

    >>> weak_scaling_efficiency(10.0, 12.5)
    0.8
    """
    check("t1", t1, _POS, owner="weak_scaling_efficiency")
    check("tn", tn, _POS, owner="weak_scaling_efficiency")
    return t1 / tn


def fanout_tail_probability(n: int, p_slow: float = 0.01) -> float:
    """Chance that a request fanned out to ``n`` independent backends waits on at least one slow
    reply, when each is slow with probability ``p_slow``: 1 - (1 - p_slow)^n.

    Source chapter, footnote 26 (seed line 569, after Dean and Barroso 2013): 100 shards with a
    1% tail each -> 63%.

    >>> round(fanout_tail_probability(100, 0.01), 3)
    0.634
    """
    check("n", n, Range(1, None, integer=True), owner="fanout_tail_probability")
    check("p_slow", p_slow, _FRACTION, owner="fanout_tail_probability")
    return 1.0 - (1.0 - p_slow) ** n


@validate_params({"items": [Range(0, None, unit="requests"), None],
                  "qps": [Range(0, None, unit="requests/s"), None],
                  "time_s": [Range(0, None, unit="s"), None]})
def littles_law(*, items: float | None = None, qps: float | None = None,
                time_s: float | None = None) -> float:
    """Little's law L = lambda x W: give two of ``items`` (mean number in the system), ``qps``
    (arrivals per second) and ``time_s`` (mean time in the system, s), get the third.

    The one home of Little's law: :mod:`simlib.queueing.analytic` re-exports it and
    :func:`simlib.exercises.answers.littles_law_in_flight` calls it.

    >>> littles_law(qps=200, time_s=0.05)  # 200 QPS at 50 ms -> 10 requests in flight
    10.0
    >>> littles_law(items=10, qps=200)
    0.05
    """
    given = sorted(k for k, v in (("items", items), ("qps", qps), ("time_s", time_s)) if v is not None)
    if len(given) != 2:
        raise InvalidParameterError(
            f"littles_law needs exactly two of items, qps, time_s; got {given or 'none'}.")
    if items is None:
        return qps * time_s
    if qps is None:
        check("time_s", time_s, _POS, owner="littles_law")
        return items / time_s
    check("qps", qps, _POS, owner="littles_law")
    return items / qps

"""Small formulas that compute the answers of parameterized self-check questions.

A bank refers to one as ``function: simlib.exercises.answers:NAME``; it is called with the
question's parameters as keyword arguments. Any importable simlib function works the same way;
these exist where simlib has no function of that exact shape.
"""

from __future__ import annotations

__all__ = ["littles_law_in_flight", "speedup_end_to_end", "tail_ratio"]


def littles_law_in_flight(rate_qps: float, latency_ms: float) -> float:
    """Mean requests in the system, L = lambda * W (Little's law).

    >>> littles_law_in_flight(rate_qps=200, latency_ms=50)
    10.0
    """
    return float(rate_qps) * float(latency_ms) / 1000.0


def speedup_end_to_end(total_ms: float, part_ms: float, part_speedup: float) -> float:
    """End-to-end speedup when only ``part_ms`` of ``total_ms`` gets ``part_speedup`` faster (Amdahl).

    >>> round(speedup_end_to_end(total_ms=80, part_ms=15, part_speedup=3), 3)
    1.143
    """
    new = total_ms - part_ms + part_ms / part_speedup
    return float(total_ms) / new


def tail_ratio(median_us: float, p99_us: float) -> float:
    """How many times the p99 exceeds the median (any time unit, the same for both).

    >>> tail_ratio(median_us=40, p99_us=100)
    2.5
    """
    return float(p99_us) / float(median_us)

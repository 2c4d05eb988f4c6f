"""Words chosen by results: the sentences a page writes about a live measurement.

A chapter runs on the reader's machine, so a sentence such as "INT8 made the model faster" is
only true if it was. Every qualitative claim about a live result is picked here, from the
numbers (and, for comparisons of measurements, from their confidence intervals), and glued
into the prose. Each function returns plain text meant to be read inside a sentence.

The rule for comparing two measurements: if their confidence intervals overlap, the page says
there is no clear difference (within run-to-run noise); otherwise it names the direction and
the size. Non-overlapping 95% intervals are a conservative test (a difference can be real and
still overlap); a page that says "faster" only when the intervals separate never overclaims.

>>> from simlib.stats import Interval
>>> fp32 = Interval(2.0e-3, 1.9e-3, 2.1e-3, 0.95, "order statistics")
>>> int8 = Interval(1.2e-3, 1.1e-3, 1.3e-3, 0.95, "order statistics")
>>> speed_change(fp32, int8)
'1.67 times faster'
>>> speed_change(fp32, Interval(2.05e-3, 1.95e-3, 2.2e-3, 0.95, "order statistics"))
'neither clearly faster nor slower (the two 95% intervals overlap: within run-to-run noise)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simlib._validate import Range, check, validate_params
from simlib.stats import Interval

__all__ = ["closer", "direction", "extreme_at", "relation_to", "speed_change", "time_scale",
           "trend"]

NO_CLEAR = "within run-to-run noise"
_POS = Range(0, None, closed="neither")
_FINITE = Range(None, None)


def _as_interval(x: Interval | float, name: str) -> Interval:
    if isinstance(x, Interval):
        check(f"{name}.estimate", x.estimate, _FINITE, owner="claims")
        return x
    check(name, x, _FINITE, owner="claims")
    return Interval(float(x), float(x), float(x), 1.0, "exact")


def _overlap(a: Interval, b: Interval) -> bool:
    return a.low <= b.high and b.low <= a.high


def direction(before: Interval | float, after: Interval | float) -> str:
    """``"higher"``, ``"lower"`` or ``"same"`` (the intervals overlap) for ``after`` vs ``before``.

    >>> direction(1.0, 2.0), direction(2.0, 1.0), direction(1.0, 1.0)
    ('higher', 'lower', 'same')
    """
    a, b = _as_interval(before, "before"), _as_interval(after, "after")
    if _overlap(a, b):
        return "same"
    return "higher" if b.estimate > a.estimate else "lower"


def speed_change(before_s: Interval | float, after_s: Interval | float) -> str:
    """How a change of latency (seconds, lower is better) reads: ``"1.67 times faster"``,
    ``"1.12 times slower"``, or no clear difference when the intervals overlap.

    Used in a sentence such as "INT8 made the CNN {speed_change}".
    """
    a, b = _as_interval(before_s, "before_s"), _as_interval(after_s, "after_s")
    check("before_s", a.estimate, _POS, owner="speed_change")
    check("after_s", b.estimate, _POS, owner="speed_change")
    d = direction(a, b)
    if d == "same":
        level = f"{a.confidence:.0%} " if a.confidence < 1 else ""
        return f"neither clearly faster nor slower (the two {level}intervals overlap: {NO_CLEAR})"
    if d == "lower":
        return f"{a.estimate / b.estimate:.2f} times faster"
    return f"{b.estimate / a.estimate:.2f} times slower"


@validate_params({"error_a": _FINITE, "error_b": _FINITE, "tolerance": Range(0, 1)})
def closer(error_a: float, error_b: float, *, tolerance: float = 0.05) -> str:
    """Compare two predictions' relative errors: is ``b`` ``"closer"``, ``"further off"`` or
    ``"about as close"`` (absolute errors within ``tolerance``, a fraction, of each other)?

    >>> closer(-0.40, -0.05), closer(0.05, -0.30), closer(0.10, -0.12)
    ('closer', 'further off', 'about as close')
    """
    ea, eb = abs(error_a), abs(error_b)
    if abs(ea - eb) <= tolerance:
        return "about as close"
    return "closer" if eb < ea else "further off"


def relation_to(values: Sequence[float], reference: Sequence[float], *,
                tolerance: float = 0.05) -> str:
    """Where ``values`` sit against ``reference`` point by point: ``"at or below"``,
    ``"at or above"``, ``"close to"`` (all within ``tolerance``, a fraction) or ``"on both
    sides of"``.

    >>> relation_to([1.0, 1.9], [1.0, 2.0]), relation_to([1.2, 2.5], [1.0, 2.0])
    ('at or below', 'at or above')
    >>> relation_to([0.5, 2.5], [1.0, 2.0])
    'on both sides of'
    """
    if len(values) != len(reference) or not values:
        raise ValueError(f"relation_to: values and reference need the same, non-zero length "
                         f"(got {len(values)} and {len(reference)})")
    for v, r in zip(values, reference, strict=True):
        check("values", v, _FINITE, owner="relation_to")
        check("reference", r, _POS, owner="relation_to")
    rel = [(v - r) / r for v, r in zip(values, reference, strict=True)]
    if all(abs(x) <= tolerance for x in rel):
        return "close to"
    if all(x <= tolerance for x in rel):
        return "at or below"
    if all(x >= -tolerance for x in rel):
        return "at or above"
    return "on both sides of"


def trend(first: Interval | float, last: Interval | float, *, noun: str = "it") -> str:
    """How a quantity moved from ``first`` to ``last``: ``"grew by a factor of 3.1"``,
    ``"fell by a factor of 2.0"`` or ``"stayed within run-to-run noise"`` (intervals overlap).

    >>> trend(10.0, 31.0), trend(10.0, 5.0), trend(10.0, 10.0)
    ('grew by a factor of 3.1', 'fell by a factor of 2.0', 'stayed within run-to-run noise')
    """
    a, b = _as_interval(first, "first"), _as_interval(last, "last")
    check("first", a.estimate, _POS, owner="trend")
    check("last", b.estimate, _POS, owner="trend")
    d = direction(a, b)
    if d == "same":
        return f"stayed {NO_CLEAR}"
    if d == "higher":
        return f"grew by a factor of {b.estimate / a.estimate:.1f}"
    return f"fell by a factor of {a.estimate / b.estimate:.1f}"


def extreme_at(labels: Sequence[str], values: Sequence[float], *, largest: bool = True) -> str:
    """The label of the largest (or smallest) value, e.g. where a model missed the most.

    >>> extreme_at(["30% load", "50% load", "85% load"], [0.4, 0.1, 0.2])
    '30% load'
    """
    if len(labels) != len(values) or not labels:
        raise ValueError(f"extreme_at: labels and values need the same, non-zero length "
                         f"(got {len(labels)} and {len(values)})")
    clean = [(v, lab) for lab, v in zip(labels, values, strict=True) if math.isfinite(v)]
    if not clean:
        raise ValueError("extreme_at: every value is NaN or infinite")
    return (max if largest else min)(clean)[1]


@validate_params({"seconds": Range(0, None)})
def time_scale(seconds: float) -> str:
    """The unit a duration is best read in: ``"microseconds"``, ``"milliseconds"``,
    ``"seconds"`` or ``"minutes"``.

    >>> time_scale(2e-5), time_scale(0.004), time_scale(3.0), time_scale(300)
    ('microseconds', 'milliseconds', 'seconds', 'minutes')
    """
    if seconds < 1e-3:
        return "microseconds"
    if seconds < 1.0:
        return "milliseconds"
    if seconds < 120.0:
        return "seconds"
    return "minutes"

"""Public checks inside a lab notebook: instant feedback that never raises.

A check cell of a lab reads::

    with task("littles-law") as t:
        t.done(in_flight)                                  # "not done yet" while a placeholder
        t.near(in_flight(100, 50), 5.0, "100 req/s for 50 ms: requests in flight", atol=1e-9)
        t.between(p99_sim_ms, 0.8 * bound_ms, 1.2 * bound_ms, "simulated p99 at your rate", unit="ms")
        t.check(isinstance(service_s, np.ndarray), "service_s is a numpy array", got=service_s)

Every message shows the student's value beside what was expected (a range, a value with its
tolerance, or a property), so a failed check says by how much. Every outcome is printed
(✔ / ✘ / not done yet / error); nothing propagates, so a student notebook with unfilled tasks
executes from top to bottom (in the book build too). Public checks give feedback only: the
grade comes from the hidden tests (:mod:`simlib.exercises.grading`).

>>> with task("demo") as t:
...     t.done(...)
demo: not done yet
>>> with task("demo") as t:
...     t.done(3)
...     t.check(1 + 1 == 2, "arithmetic works", got=1 + 1)
...     t.between(24.1, 20, 30, "simulated p99", unit="ms")
...     t.near(0.5, 0.25, "utilization", rtol=0.1)
demo: ✔ arithmetic works (yours: 2)
demo: ✔ simulated p99: yours 24.1 ms, expected 20 to 30 ms
demo: ✘ utilization: yours 0.5, expected 0.25 ± 0.025
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["NotDone", "describe", "task"]


class NotDone(Exception):
    """Raised by :meth:`Task.done` on a placeholder; ends the check quietly."""


def describe(value: Any, unit: str = "") -> str:
    """A short, readable rendering of a student's value for a check message.

    >>> describe(0.0123456, "s"), describe(np.zeros(3)), describe([1, 2]), describe("in-situ")
    ('0.01235 s', 'a numpy array of shape (3,)', 'a list of 2 values', "'in-situ'")
    """
    u = f" {unit}" if unit else ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return f"{float(value):.4g}{u}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value)} values"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a dict with keys " + ", ".join(map(str, list(value)[:6]))
    return f"a {type(value).__name__}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class Task:
    def __init__(self, name: str) -> None:
        self.name, self.failed = name, 0

    def done(self, *values: Any) -> None:
        """Stop with "not done yet" if any value is still a placeholder (``...`` or None)."""
        if any(v is ... or v is None for v in values):
            raise NotDone

    def _report(self, ok: bool, message: str) -> None:
        self.failed += not ok
        print(f"{self.name}: {'✔' if ok else '✘'} {message}")

    def check(self, condition: Any, what: str, *, got: Any, unit: str = "") -> None:
        """✔ or ✘ with ``what`` (the expectation, in words) and the student's value ``got``."""
        self._report(bool(condition), f"{what} (yours: {describe(got, unit)})")

    def between(self, value: Any, low: float, high: float, what: str, *, unit: str = "") -> None:
        """✔ if ``low <= value <= high``; the message shows the value and the range."""
        x = _number(value)
        self._report(x is not None and low <= x <= high,
                     f"{what}: yours {describe(value, unit)}, expected {low:.4g} to {high:.4g}"
                     + (f" {unit}" if unit else ""))

    def near(self, value: Any, expected: float, what: str, *, rtol: float = 0.0, atol: float = 0.0,
             unit: str = "") -> None:
        """✔ if ``|value - expected| <= atol + rtol * |expected|``; shows both and the tolerance."""
        x, tol = _number(value), atol + rtol * abs(expected)
        self._report(x is not None and abs(x - expected) <= tol,
                     f"{what}: yours {describe(value, unit)}, expected {expected:.4g} ± {tol:.2g}"
                     + (f" {unit}" if unit else ""))

    def __enter__(self) -> Task:
        return self

    def __exit__(self, kind: Any, err: BaseException | None, _tb: Any) -> bool:
        if kind is None:
            return False
        if issubclass(kind, NotDone):
            print(f"{self.name}: not done yet")
        elif issubclass(kind, Exception):
            print(f"{self.name}: ✘ your code raised {kind.__name__}: {err}")
        else:
            return False  # KeyboardInterrupt, SystemExit: let them through
        return True


def task(name: str) -> Task:
    """A block of public checks for task ``name`` (see the module docstring)."""
    return Task(name)

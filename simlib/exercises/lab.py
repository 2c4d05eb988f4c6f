"""Public checks inside a lab notebook: instant feedback that never raises.

A check cell of a lab reads::

    with task("littles-law") as t:
        t.done(in_flight)                          # "not done yet" while it is a placeholder
        t.check(in_flight(100, 50) == 5.0, "100 req/s for 50 ms gives 5 in flight")

Every outcome is printed (✔ / ✘ / not done yet / error); nothing propagates, so a student
notebook with unfilled tasks executes from top to bottom (in the book build too). Public checks
give feedback only: the grade comes from the hidden tests (:mod:`simlib.exercises.grading`).

>>> with task("demo") as t:
...     t.done(...)
demo: not done yet
>>> with task("demo") as t:
...     t.done(3)
...     t.check(1 + 1 == 2, "arithmetic works")
demo: ✔ arithmetic works
"""

from __future__ import annotations

from typing import Any

__all__ = ["NotDone", "task"]


class NotDone(Exception):
    """Raised by :meth:`Task.done` on a placeholder; ends the check quietly."""


class Task:
    def __init__(self, name: str) -> None:
        self.name, self.failed = name, 0

    def done(self, *values: Any) -> None:
        """Stop with "not done yet" if any value is still a placeholder (``...`` or None)."""
        if any(v is ... or v is None for v in values):
            raise NotDone

    def check(self, condition: Any, what: str) -> None:
        """Print ✔ or ✘ with ``what`` (the expectation, in words)."""
        ok = bool(condition)
        self.failed += not ok
        print(f"{self.name}: {'✔' if ok else '✘'} {what}")

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

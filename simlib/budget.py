"""The one knob every measurement and simulation honours: ``SIMLIB_BUDGET``.

- ``quick``: seconds per call; what the tests, CI and the default book build use.
- ``standard`` (default): a reader's run on their own machine; tighter intervals.
- ``full``: long, precise runs for a report.

A module asks for a size with :func:`pick`, e.g. ``n = pick(quick=2_000, standard=20_000,
full=200_000)``; the reader changes every run at once with one environment variable, or in
a notebook with :func:`use`.

>>> with use("quick"):
...     pick(quick=10, standard=100, full=1000)
10
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TypeVar

from simlib._validate import Options, check

__all__ = ["BUDGETS", "ENV_VAR", "current", "pick", "use"]

ENV_VAR = "SIMLIB_BUDGET"
BUDGETS = ("quick", "standard", "full")
DEFAULT = "standard"

T = TypeVar("T")
_override: list[str] = []


def current() -> str:
    """The budget in force: the innermost :func:`use`, else ``$SIMLIB_BUDGET``, else "standard"."""
    if _override:
        return _override[-1]
    value = os.environ.get(ENV_VAR, DEFAULT).strip().lower() or DEFAULT
    return check(f"{ENV_VAR} (environment variable)", value, Options(BUDGETS))


def pick(*, quick: T, standard: T, full: T) -> T:
    """The value for the budget in force."""
    return {"quick": quick, "standard": standard, "full": full}[current()]


@contextlib.contextmanager
def use(budget: str) -> Iterator[str]:
    """Run a block under another budget (without touching the environment)."""
    check("budget", budget, Options(BUDGETS), owner="budget.use")
    _override.append(budget)
    try:
        yield budget
    finally:
        _override.pop()

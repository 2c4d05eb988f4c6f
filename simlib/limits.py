"""Work bounds: a run's size is estimated from its parameters and refused above a limit.

Every simulation and measurement estimates, before it starts, how much it will do (simulated
requests, thermal steps, wall-clock seconds of measurement) and how much memory that takes. Above
the limit of the budget in force (``SIMLIB_BUDGET``) it stops at once with an
:class:`~simlib._validate.InvalidParameterError` that says how large the run would be and how to
ask for it anyway: ``--allow-large`` on the command line, :func:`allow_large` in Python.

=======================  ========  ==========  ===========  ===================================
quantity                 quick     standard    full         memory per unit (estimate)
=======================  ========  ==========  ===========  ===================================
``requests`` (fast)      2e6       2e7         2e8          200 B (arrivals, service, records)
``simpy_requests``       1e5       5e5         5e6          600 B (SimPy engine: events, lists)
``steps`` (thermal)      5e6       5e7         5e8          120 B (per-step series)
``periods`` (thermal)    1e5       1e6         1e7          (governor periods: a Python loop)
``windows`` (reports)    1e4       1e4         1e5          (rows printed)
``wall_s`` (measuring)   120       1200        7200         (seconds of real time)
=======================  ========  ==========  ===========  ===================================

A run whose memory estimate exceeds this machine's physical memory is refused even with
:func:`allow_large`: it could only fail.

>>> check_work("requests", 1_000, owner="simulate", parameter="n_requests")
>>> with budget.use("quick"):
...     check_work("simpy_requests", 10**6, owner="simulate", parameter="n_requests")
Traceback (most recent call last):
...
simlib._validate.InvalidParameterError: The 'n_requests' parameter of simulate would take 1e+06 simulated requests (SimPy engine) (about 572 MiB of memory), above the limit of 1e+05 under SIMLIB_BUDGET=quick. Allowed: at most 1e+05 simulated requests (SimPy engine), or ask for the large run with --allow-large (Python: with simlib.limits.allow_large()) or SIMLIB_BUDGET=full.
>>> with budget.use("quick"), allow_large():
...     check_work("simpy_requests", 10**6, owner="simulate", parameter="n_requests")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from simlib import budget
from simlib._validate import invalid

__all__ = ["BYTES_PER_UNIT", "LIMITS", "allow_large", "check_work", "limit", "show_progress"]

LIMITS: dict[str, dict[str, float]] = {
    "requests": dict(quick=2e6, standard=2e7, full=2e8),
    "simpy_requests": dict(quick=1e5, standard=5e5, full=5e6),
    "steps": dict(quick=5e6, standard=5e7, full=5e8),
    "periods": dict(quick=1e5, standard=1e6, full=1e7),
    "windows": dict(quick=1e4, standard=1e4, full=1e5),
    "wall_s": dict(quick=120.0, standard=1200.0, full=7200.0),
}
BYTES_PER_UNIT = {"requests": 200, "simpy_requests": 600, "steps": 120, "periods": 0, "windows": 0,
                  "wall_s": 0}
_UNITS = {"requests": "simulated requests", "simpy_requests": "simulated requests (SimPy engine)",
          "steps": "time steps", "periods": "governor periods (one loop pass each)",
          "windows": "report windows", "wall_s": "seconds of measurement"}
# above these, a progress bar is worth showing (on a terminal)
PROGRESS_FROM = {"requests": 5e6, "simpy_requests": 5e4, "steps": 2e6, "periods": 3e4, "wall_s": 5.0}

_allowed: list[bool] = []


@contextlib.contextmanager
def allow_large() -> Iterator[None]:
    """Lift the budget's work limits inside the block (what ``--allow-large`` does)."""
    _allowed.append(True)
    try:
        yield
    finally:
        _allowed.pop()


def limit(quantity: str) -> float:
    """The limit on ``quantity`` under the budget in force."""
    return budget.pick(**LIMITS[quantity])


def _physical_memory_bytes() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: no ceiling from this check
        return float("inf")


def _size(nbytes: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"


def check_work(quantity: str, amount: float, *, owner: str, parameter: str) -> None:
    """Refuse a run of ``amount`` units of ``quantity`` above the budget's limit.

    ``parameter`` names the input that made the run this large (it leads the message).
    """
    lim = limit(quantity)
    need = float(amount) * BYTES_PER_UNIT[quantity]
    mem = f" (about {_size(need)} of memory)" if need else ""
    what = f"would take {float(amount):.3g} {_UNITS[quantity]}{mem}"
    if need > _physical_memory_bytes():
        raise invalid(parameter, f"{what}, more than this machine's {_size(_physical_memory_bytes())} of "
                      "memory (even --allow-large cannot run it)",
                      f"at most {lim:.3g} {_UNITS[quantity]} under SIMLIB_BUDGET={budget.current()}", owner=owner)
    if amount <= lim or _allowed:
        return
    raise invalid(parameter, f"{what}, above the limit of {lim:.3g} under SIMLIB_BUDGET={budget.current()}",
                  f"at most {lim:.3g} {_UNITS[quantity]}, or ask for the large run with --allow-large "
                  "(Python: with simlib.limits.allow_large()) or SIMLIB_BUDGET=full", owner=owner)


def show_progress(quantity: str, amount: float) -> bool | None:
    """tqdm's ``disable`` for a run this large: a bar on a terminal for long runs only."""
    return None if amount >= PROGRESS_FROM[quantity] else True

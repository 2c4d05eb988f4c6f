"""Parse the command line's short forms: durations ("10ms"), service SPECs ("exp:10ms") and
arrival SPECs ("poisson", "bursty:3", "trace:FILE").

A SPEC is ``KIND:MEAN[,key=value...]``:

=============================  =====================================================
``det:5ms``                    deterministic, 5 ms every time
``exp:10ms``                   exponential with mean 10 ms
``lognormal:10ms,cv=0.5``      lognormal with mean 10 ms and coefficient of variation 0.5
``gamma:10ms,cv=2``            gamma with mean 10 ms and CV 2
``batch:t0=2ms,t1=1ms``        batch cost t(b) = t0 + b*t1 (optional ``cv=``)
``empirical:FILE``             resample the service times (seconds) in a CSV/text file
=============================  =====================================================

An arrival SPEC is ``poisson``, ``deterministic``, ``bursty:FACTOR`` (on/off bursts at FACTOR
times the mean rate, FACTOR in [1, 1000], default 4) or ``trace:FILE`` (replay the timestamps,
seconds, in a CSV/text file; it needs no rate). :func:`arrival_factory` gives a function from
an offered rate (queries/s) to the process, as a search over rates needs; :func:`parse_arrivals`
gives the process at one rate.

>>> parse_duration("10ms"), parse_duration("250us"), parse_duration("1.5s")
(0.01, 0.00025, 1.5)
>>> parse_service("lognormal:10ms,cv=0.5")
LogNormal(mean_s=0.01, cv=0.5)
>>> parse_arrivals("bursty:3", 50.0).burst_factor
3.0
>>> arrival_factory("deterministic")(20.0).generate(None, n=3)
array([0.  , 0.05, 0.1 ])
>>> parse_service("exp:ten")
Traceback (most recent call last):
...
simlib._validate.InvalidParameterError: The 'service' parameter must be a SPEC like 'exp:10ms', 'det:5ms', 'lognormal:10ms,cv=0.5', 'gamma:10ms,cv=2', 'batch:t0=2ms,t1=1ms' or 'empirical:FILE'. Got 'exp:ten' instead (bad duration 'ten': give a number and a unit, e.g. 10ms, 250us, 0.5s).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from simlib._validate import InvalidParameterError, invalid

if TYPE_CHECKING:
    from simlib.queueing.arrivals import ArrivalProcess

__all__ = ["ARRIVALS_HELP", "arrival_factory", "parse_arrivals", "parse_duration", "parse_service"]

ARRIVALS_HELP = "poisson, deterministic, bursty:FACTOR (FACTOR in [1, 1000]) or trace:FILE"

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}
_DUR = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(ns|us|µs|ms|s|min)\s*$")
_SPEC_HELP = ("a SPEC like 'exp:10ms', 'det:5ms', 'lognormal:10ms,cv=0.5', 'gamma:10ms,cv=2', "
              "'batch:t0=2ms,t1=1ms' or 'empirical:FILE'")


class _SpecError(Exception):
    pass


def parse_duration(text: str, name: str = "duration") -> float:
    """Seconds from a number with a unit (ns, us, ms, s, min). A unit is required."""
    m = _DUR.match(str(text))
    if not m:
        raise InvalidParameterError(
            f"The {name!r} parameter must be a number with a unit (ns, us, ms, s, min), "
            f"e.g. 10ms. Got {text!r} instead.")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _dur(text: str) -> float:
    m = _DUR.match(text)
    if not m:
        raise _SpecError(f"bad duration {text!r}: give a number and a unit, e.g. 10ms, 250us, 0.5s")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _kv(parts: list[str], allowed: set[str]) -> dict[str, str]:
    out = {}
    for p in parts:
        if "=" not in p:
            raise _SpecError(f"expected key=value, got {p!r}")
        k, v = (s.strip() for s in p.split("=", 1))
        if k not in allowed:
            raise _SpecError(f"unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
        out[k] = v
    return out


def _num(text: str, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _SpecError(f"{key}={text!r} is not a number") from None


def parse_service(spec: str):
    """A service-time model from a SPEC string (see the module docstring)."""
    from simlib.queueing import service as sv

    if not isinstance(spec, str):
        raise InvalidParameterError(f"The 'service' parameter must be {_SPEC_HELP} or a service model. Got {spec!r} instead.")
    try:
        kind, _, rest = spec.strip().partition(":")
        kind = kind.strip().lower()
        parts = [p.strip() for p in rest.split(",")] if rest.strip() else []
        if kind in ("det", "deterministic", "exp", "exponential", "lognormal", "gamma"):
            if not parts:
                raise _SpecError("missing the mean, e.g. exp:10ms")
            mean = _dur(parts[0])
            if kind in ("det", "deterministic", "exp", "exponential"):
                if parts[1:]:
                    raise _SpecError(f"{kind} takes only a mean")
                return sv.DeterministicService(mean) if kind.startswith("det") else sv.Exponential(mean)
            kv = _kv(parts[1:], {"cv"})
            if "cv" not in kv:
                raise _SpecError(f"{kind} needs cv=, e.g. {kind}:10ms,cv=0.5")
            cls = sv.LogNormal if kind == "lognormal" else sv.Gamma
            return cls(mean, _num(kv["cv"], "cv"))
        if kind == "batch":
            kv = _kv(parts, {"t0", "t1", "cv"})
            if "t0" not in kv or "t1" not in kv:
                raise _SpecError("batch needs t0= and t1=, e.g. batch:t0=2ms,t1=1ms")
            return sv.BatchCost(_dur(kv["t0"]), _dur(kv["t1"]), cv=_num(kv.get("cv", "0"), "cv"))
        if kind == "empirical":
            if not rest.strip():
                raise _SpecError("empirical needs a file, e.g. empirical:times.csv")
            return sv.Empirical.from_csv(rest.strip())
        raise _SpecError(f"unknown kind {kind!r}")
    except _SpecError as err:
        raise InvalidParameterError(
            f"The 'service' parameter must be {_SPEC_HELP}. Got {spec!r} instead ({err}).") from None


def _arrival_kind(spec: str) -> tuple[str, str]:
    """(kind, argument) of an arrival SPEC, refusing an unknown kind (parameter ``arrival``)."""
    if not isinstance(spec, str):
        raise invalid("arrival", f"got {spec!r}", ARRIVALS_HELP)
    kind, _, arg = spec.partition(":")
    kind, arg = kind.strip().lower(), arg.strip()
    if kind == "trace" and not arg:
        raise invalid("arrival", "trace: needs a file name", ARRIVALS_HELP)
    if kind in ("bursty", "trace") or (kind in ("poisson", "deterministic") and not arg):
        return kind, arg
    raise invalid("arrival", f"got {spec!r}", ARRIVALS_HELP)


def arrival_factory(spec: str) -> Callable[[float], ArrivalProcess]:
    """A function from the offered rate ``qps`` (queries/s) to the arrival process of ``spec``.

    ``trace:FILE`` is refused: a recorded trace has its own rate, so it cannot be scaled to one.
    """
    from simlib.queueing.arrivals import Bursty, DeterministicArrivals, Poisson

    kind, arg = _arrival_kind(spec)
    if kind == "trace":
        raise invalid("arrival", "trace:FILE has its own rate and cannot be offered at another one",
                      "poisson, deterministic or bursty:FACTOR")
    if kind == "bursty":
        try:
            factor = float(arg) if arg else 4.0
        except ValueError:
            raise invalid("arrival", f"bursty:FACTOR needs a number, got {spec!r}", ARRIVALS_HELP) from None
        Bursty(1.0, factor)  # refuse a bad factor now, naming burst_factor, not at the first rate
        return lambda qps: Bursty(qps, factor)
    return Poisson if kind == "poisson" else DeterministicArrivals


def parse_arrivals(spec: str, qps: float | None = None) -> ArrivalProcess:
    """The arrival process of ``spec`` at ``qps`` queries/s (``trace:FILE`` takes no rate)."""
    kind, arg = _arrival_kind(spec)
    if kind == "trace":
        from simlib.queueing.arrivals import Trace

        return Trace.from_csv(arg)
    if qps is None:
        raise invalid("qps", f"is required with the arrival SPEC {spec!r}",
                      "an offered rate in queries/s, e.g. 80")
    return arrival_factory(spec)(qps)

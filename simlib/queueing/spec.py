"""Parse the command line's short forms: durations ("10ms") and service SPECs ("exp:10ms").

A SPEC is ``KIND:MEAN[,key=value...]``:

=============================  =====================================================
``det:5ms``                    deterministic, 5 ms every time
``exp:10ms``                   exponential with mean 10 ms
``lognormal:10ms,cv=0.5``      lognormal with mean 10 ms and coefficient of variation 0.5
``gamma:10ms,cv=2``            gamma with mean 10 ms and CV 2
``batch:t0=2ms,t1=1ms``        batch cost t(b) = t0 + b*t1 (optional ``cv=``)
``empirical:FILE``             resample the service times (seconds) in a CSV/text file
=============================  =====================================================

>>> parse_duration("10ms"), parse_duration("250us"), parse_duration("1.5s")
(0.01, 0.00025, 1.5)
>>> parse_service("lognormal:10ms,cv=0.5")
LogNormal(mean_s=0.01, cv=0.5)
>>> parse_service("exp:ten")
Traceback (most recent call last):
...
simlib._validate.InvalidParameterError: The 'service' parameter must be a SPEC like 'exp:10ms', 'det:5ms', 'lognormal:10ms,cv=0.5', 'gamma:10ms,cv=2', 'batch:t0=2ms,t1=1ms' or 'empirical:FILE'. Got 'exp:ten' instead (bad duration 'ten': give a number and a unit, e.g. 10ms, 250us, 0.5s).
"""

from __future__ import annotations

import re

from simlib._validate import InvalidParameterError

__all__ = ["parse_duration", "parse_service"]

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
                return sv.Deterministic(mean) if kind.startswith("det") else sv.Exponential(mean)
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

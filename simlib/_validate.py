"""Declarative parameter validation: constraints are data, errors have one shape.

Modelled on scikit-learn's ``_param_validation``: a public entry point declares what each
parameter may be, and a bad value is rejected when the call starts, with a message that names
the parameter, its owner, what is allowed (with units) and what was received::

    The 'rate_qps' parameter of simulate must be a number in (0, inf) requests/s. Got -1 instead.

Use :func:`check` inside constructors (e.g. ``__post_init__`` of a frozen dataclass) and
:func:`validate_params` as a decorator on functions.

>>> @validate_params({"p": Range(0, 100, closed="neither")})
... def pct(p):
...     return p
>>> pct(50)
50
>>> pct(120)
Traceback (most recent call last):
...
simlib._validate.InvalidParameterError: The 'p' parameter of pct must be a number in (0, 100). Got 120 instead.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["InvalidParameterError", "Range", "Options", "check", "invalid", "show", "validate_params"]

_PARAM_IN_MESSAGE = re.compile(r"The '([^']+)' parameter")


class InvalidParameterError(ValueError, TypeError):
    """A parameter got a value it does not allow (both a ValueError and a TypeError).

    Besides the sentence, it carries the pieces the command line prints on one line:
    ``parameter`` (the name), ``problem`` (what is wrong) and ``allowed`` (what would be
    accepted). Raised by :func:`check` and :func:`invalid`; an error raised with only a
    sentence gets ``parameter`` from a leading "The 'name' parameter" and ``allowed`` None.
    """

    def __init__(self, message: str, *, parameter: str | None = None, problem: str | None = None,
                 allowed: str | None = None) -> None:
        super().__init__(message)
        if parameter is None:
            m = _PARAM_IN_MESSAGE.search(message)
            parameter = m.group(1) if m else None
        self.parameter = parameter
        self.problem = problem
        self.allowed = allowed


def show(value: Any, width: int = 60) -> str:
    """A one-line repr of ``value``, cut to ``width`` characters."""
    text = " ".join(repr(value).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def invalid(name: str, problem: str, allowed: str, *, owner: str = "") -> InvalidParameterError:
    """The error for a rule that is not a single constraint (a cross-parameter rule, a size).

    >>> str(invalid("window_s", "is longer than the run (duration_s = 5 s)", "a number in (0, 5] s",
    ...             owner="simulate_server"))
    "The 'window_s' parameter of simulate_server is longer than the run (duration_s = 5 s). Allowed: a number in (0, 5] s."
    """
    of = f" of {owner}" if owner else ""
    return InvalidParameterError(f"The {name!r} parameter{of} {problem}. Allowed: {allowed}.",
                                 parameter=name, problem=problem, allowed=allowed)


@dataclass(frozen=True)
class Range:
    """Finite real numbers between ``left`` and ``right`` (None means unbounded on that side).

    ``closed`` is one of "both", "left", "right", "neither". ``integer=True`` also requires an
    integral value. ``unit`` is appended to the message ("s", "requests/s", ...). NaN and
    +-inf are never accepted: an unbounded side is open at infinity, as the message says.
    """

    left: float | None = None
    right: float | None = None
    closed: str = "both"
    integer: bool = False
    unit: str = ""

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        try:
            v = float(value)
        except OverflowError:  # an int too large for a float
            return False
        if not math.isfinite(v):
            return False
        if self.integer and not v.is_integer():
            return False
        lo_ok = self.left is None or (v >= self.left if self.closed in ("both", "left") else v > self.left)
        hi_ok = self.right is None or (v <= self.right if self.closed in ("both", "right") else v < self.right)
        return lo_ok and hi_ok

    def __str__(self) -> str:
        lb = "[" if self.closed in ("both", "left") and self.left is not None else "("
        rb = "]" if self.closed in ("both", "right") and self.right is not None else ")"
        lo = "-inf" if self.left is None else f"{self.left:g}"
        hi = "inf" if self.right is None else f"{self.right:g}"
        kind = "an integer" if self.integer else "a number"
        return f"{kind} in {lb}{lo}, {hi}{rb}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (usually strings)."""

    values: tuple

    def __init__(self, values: Iterable) -> None:
        object.__setattr__(self, "values", tuple(values))

    def accepts(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:
            return False

    def __str__(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in self.values) + "}"


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return f"an instance of {constraint.__name__}"
    if callable(constraint) and not hasattr(constraint, "accepts"):
        return getattr(constraint, "__doc__", None) or constraint.__name__
    return str(constraint)


def _accepts(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    if hasattr(constraint, "accepts"):
        return constraint.accepts(value)
    return bool(constraint(value))


def check(name: str, value: Any, *constraints: Any, owner: str = "") -> Any:
    """Raise :class:`InvalidParameterError` unless ``value`` meets one of ``constraints``.

    Returns ``value`` so it can be used inline: ``self.rate = check("rate", rate, Range(0))``.
    """
    if any(_accepts(c, value) for c in constraints):
        return value
    allowed = " or ".join(_describe(c) for c in constraints)
    of = f" of {owner}" if owner else ""
    raise InvalidParameterError(
        f"The {name!r} parameter{of} must be {allowed}. Got {show(value, 200)} instead.",
        parameter=name, problem=f"got {show(value)}", allowed=allowed)


def validate_params(constraints: dict[str, Any | list]) -> Callable:
    """Decorator: check the named arguments of a function against ``constraints`` on each call.

    A value in ``constraints`` is one constraint or a list of alternatives. Parameters that are
    not named are not checked.
    """

    def decorator(func: Callable) -> Callable:
        sig = inspect.signature(func)
        unknown = set(constraints) - set(sig.parameters)
        if unknown:
            raise TypeError(f"validate_params on {func.__name__}: no parameters {sorted(unknown)}")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, cons in constraints.items():
                alts = cons if isinstance(cons, list) else [cons]
                check(name, bound.arguments[name], *alts, owner=func.__name__)
            return func(*args, **kwargs)

        wrapper.parameter_constraints = dict(constraints)  # walked by tests/test_validation.py
        return wrapper

    return decorator

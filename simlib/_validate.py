"""Declarative parameter validation: constraints are data, errors have one shape.

Modelled on scikit-learn's ``_param_validation``: a public entry point declares what each
parameter may be, and a bad value is rejected when the call starts, with a message that names
the parameter, its owner, what is allowed (with units) and what was received::

    The 'rate_qps' parameter of simulate must be a number in (0, inf) requests/s. Got -1 instead.

Declare constraints next to each public entry point: :func:`validate_params` on a function,
:func:`validate_fields` on a dataclass (checked when an instance is made, before its own
``__post_init__``). Both record what they declare in a registry (:func:`declarations`), and
every constraint type can produce a value it accepts and one it rejects (:func:`valid_example`,
:func:`violating_example`), so ``tests/test_validation.py`` walks every declared constraint of
the package and checks that a violating value raises the one error shape. :func:`check` stays
for what cannot be declared (a bound that depends on another argument); :func:`invalid` for
cross-parameter rules.

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

import dataclasses
import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["CALLABLE", "Declaration", "InvalidParameterError", "Range", "Options", "Satisfies", "check", "declarations",
           "invalid", "show", "valid_example", "validate_fields", "validate_params", "violating_example"]

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

    def examples(self) -> tuple[Any, Any]:
        """(a value this range accepts, one it rejects)."""
        lo, hi = self.left, self.right
        inside = [1, 0, 0.5, 2]
        if lo is not None and hi is not None:
            mid = (lo + hi) / 2
            inside = [mid, math.floor(mid), math.ceil(mid), lo, hi, *inside]
        if lo is not None:
            inside += [lo, math.ceil(lo), math.floor(lo) + 1, abs(lo) * 2 + 1]
        if hi is not None:
            inside += [hi, math.floor(hi), math.ceil(hi) - 1, -abs(hi) * 2 - 1]
        ok = next((float(v) if not self.integer else int(v) for v in inside if self.accepts(v)), None)
        outside = [lo, lo - 1] if lo is not None else []
        outside += [hi, hi + 1] if hi is not None else []
        bad = next((v for v in [*outside, math.nan] if v is not None and not self.accepts(v)), None)
        return ok, bad

    def __str__(self) -> str:
        lb = "[" if self.closed in ("both", "left") and self.left is not None else "("
        rb = "]" if self.closed in ("both", "right") and self.right is not None else ")"
        def bound(v: float | None, infinite: str) -> str:  # integer bounds in full: 2147483647, not 2.14748e+09
            if v is None:
                return infinite
            return str(int(v)) if self.integer and float(v).is_integer() else f"{v:g}"

        lo, hi = bound(self.left, "-inf"), bound(self.right, "inf")
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

    def examples(self) -> tuple[Any, Any]:
        """(the first allowed value, a string that is not allowed)."""
        bad = "-".join(str(v) for v in self.values) + "-not-an-option"
        return (self.values[0] if self.values else None), bad

    def __str__(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in self.values) + "}"


@dataclass(frozen=True)
class Satisfies:
    """Values for which ``predicate(value)`` is true, described in words for the message, with one
    value it accepts and one it rejects (so the rule can be tested like any other constraint).

    >>> even = Satisfies(lambda v: v % 2 == 0, "an even integer", valid=2, invalid=3)
    >>> even.accepts(4), str(even)
    (True, 'an even integer')
    """

    predicate: Callable[[Any], bool]
    description: str
    valid: Any
    invalid: Any

    def accepts(self, value: Any) -> bool:
        try:
            return bool(self.predicate(value))
        except (TypeError, ValueError):
            return False

    def examples(self) -> tuple[Any, Any]:
        return self.valid, self.invalid

    def __str__(self) -> str:
        return self.description


#: A callable (a function of time, a workload to time, ...); its valid example is a constant function.
CALLABLE = Satisfies(callable, "a callable", valid=lambda *args: 1.0, invalid=1.0)


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


@dataclass(frozen=True)
class Declaration:
    """One declared set of constraints: ``target`` (the public function or class, called to make
    an error), ``owner`` (the name errors give), ``constraints`` {parameter: constraint or list}."""

    target: Any
    owner: str
    constraints: dict

    @property
    def module(self) -> str:
        return getattr(self.target, "__module__", "?")


_REGISTRY: list[Declaration] = []


def declarations() -> list[Declaration]:
    """Every constraint declared so far with :func:`validate_params` or :func:`validate_fields`
    (in the modules imported so far)."""
    return list(_REGISTRY)


_TYPE_EXAMPLES = {bool: (True, None), int: (1, "1"), float: (1.0, "1.0"), str: ("x", 1), list: ([], None),
                  tuple: ((), None), dict: ({}, None)}


def _alternatives(constraint: Any) -> list:
    return constraint if isinstance(constraint, list) else [constraint]


def _examples(constraint: Any) -> tuple[Any, Any]:
    if constraint is None:
        return None, object()
    if isinstance(constraint, type):
        ok, bad = _TYPE_EXAMPLES.get(constraint, (None, None))
        if ok is None:
            try:
                ok = constraint()
            except TypeError:
                ok = None
        return ok, object() if bad is None else bad
    if hasattr(constraint, "examples"):
        return constraint.examples()
    raise TypeError(f"{constraint!r} is not a constraint with examples: use Range, Options, a type, "
                    "None or Satisfies(predicate, description, valid=..., invalid=...)")


def valid_example(constraint: Any) -> Any:
    """A value that ``constraint`` (one constraint or a list of alternatives) accepts."""
    for c in _alternatives(constraint):
        ok, _ = _examples(c)
        if _accepts(c, ok):
            return ok
    raise ValueError(f"no valid example for {constraint!r}")


def violating_example(constraint: Any) -> Any:
    """A value that ``constraint`` (one constraint or a list of alternatives) rejects."""
    alts = _alternatives(constraint)
    for c in alts:
        _, bad = _examples(c)
        if not any(_accepts(a, bad) for a in alts):
            return bad
    for bad in (object(), math.nan, "not-a-valid-value"):
        if not any(_accepts(a, bad) for a in alts):
            return bad
    raise ValueError(f"{constraint!r} accepts everything it was tried with: it constrains nothing")


def _check_all(constraints: dict, values: Callable[[str], Any], owner: str) -> None:
    for name, cons in constraints.items():
        check(name, values(name), *_alternatives(cons), owner=owner)


def validate_params(constraints: dict[str, Any | list], *, owner: str | None = None) -> Callable:
    """Decorator: check the named arguments of a function against ``constraints`` on each call.

    A value in ``constraints`` is one constraint or a list of alternatives. Parameters that are
    not named are not checked. ``owner`` (default: the function's name) is the name errors give.
    """

    def decorator(func: Callable) -> Callable:
        sig = inspect.signature(func)
        unknown = set(constraints) - set(sig.parameters)
        if unknown:
            raise TypeError(f"validate_params on {func.__name__}: no parameters {sorted(unknown)}")
        name = owner or func.__name__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            _check_all(constraints, bound.arguments.__getitem__, name)
            return func(*args, **kwargs)

        wrapper.parameter_constraints = dict(constraints)  # walked by tests/test_validation.py
        _REGISTRY.append(Declaration(wrapper, name, dict(constraints)))
        return wrapper

    return decorator


def validate_fields(constraints: dict[str, Any | list], *, owner: str | None = None) -> Callable:
    """Class decorator for a dataclass (put it above ``@dataclass``): check the named fields when
    an instance is made, before the class's own ``__post_init__`` runs.

    >>> @validate_fields({"rate_qps": Range(0, None, closed="neither", unit="requests/s")})
    ... @dataclass(frozen=True)
    ... class Load:
    ...     rate_qps: float
    >>> Load(-1)
    Traceback (most recent call last):
    ...
    simlib._validate.InvalidParameterError: The 'rate_qps' parameter of Load must be a number in (0, inf) requests/s. Got -1 instead.
    """

    def decorator(cls: type) -> type:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"validate_fields on {cls.__name__}: put it above @dataclass")
        unknown = set(constraints) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"validate_fields on {cls.__name__}: no fields {sorted(unknown)}")
        name = owner or cls.__name__
        own_post_init = getattr(cls, "__post_init__", None)

        def __post_init__(self: Any, *init_vars: Any) -> None:
            _check_all(constraints, lambda field: getattr(self, field), name)
            if own_post_init is not None:
                own_post_init(self, *init_vars)

        if own_post_init is not None:  # the dataclass __init__ already calls __post_init__
            cls.__post_init__ = __post_init__
        else:  # it does not: check after __init__ has set the fields
            init = cls.__init__

            @functools.wraps(init)
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                init(self, *args, **kwargs)
                __post_init__(self)

            cls.__init__ = __init__
        cls.parameter_constraints = {**getattr(cls, "parameter_constraints", {}), **constraints}
        _REGISTRY.append(Declaration(cls, name, dict(constraints)))
        return cls

    return decorator

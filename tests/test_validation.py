"""Every declared constraint in simlib rejects a violating value with the one error shape.

Imports every simlib module (declarations are recorded at import), then for each parameter of
each :func:`~simlib._validate.validate_params` function and each
:func:`~simlib._validate.validate_fields` class: calls the real public callable with a violating
value for that parameter and valid values (defaults, or the constraint's own valid example) for
the others, and asserts an :class:`~simlib._validate.InvalidParameterError` naming that
parameter and its owner. Validation runs before any work, so no call here simulates anything.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sys

import pytest

import simlib
from simlib._validate import (
    InvalidParameterError,
    Options,
    Range,
    Satisfies,
    declarations,
    valid_example,
    validate_fields,
    validate_params,
    violating_example,
)

# modules that need what a plain install may lack (a Sphinx build; a browser test driver)
OPTIONAL = {"simlib.bookmath"}


def _import_all() -> list[str]:
    failed = []
    for info in pkgutil.walk_packages(simlib.__path__, "simlib."):
        if info.name.endswith("__main__"):  # runs the command line when imported
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as e:
            if info.name not in OPTIONAL and (e.name or "").startswith("simlib"):
                failed.append(f"{info.name}: {e}")
    return failed


IMPORT_FAILURES = _import_all()
DECLARED = [(d, name) for d in declarations() for name in d.constraints
            if not d.module.startswith(("tests", "simlib._validate"))]


def test_every_module_imports():
    assert not IMPORT_FAILURES


def test_constraints_are_declared_across_the_package():
    modules = {d.module for d, _ in DECLARED}
    assert len(DECLARED) >= 100 and len(modules) >= 15, (len(DECLARED), sorted(modules))


def _resolve(target):
    """The object reached from its module by its qualified name: the callable users call."""
    obj = sys.modules[target.__module__]
    for part in target.__qualname__.split("."):
        obj = getattr(obj, part)
    return obj


def _call_args(target, bad_name, constraints):
    """(args, kwargs): ``bad_name`` violating, other constrained ones valid, the rest default or None."""
    if inspect.isclass(target):
        params = [(f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                   inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  for f in dataclasses.fields(target) if f.init]
    else:
        params = [(p.name, p.default is inspect.Parameter.empty, p.kind)
                  for p in inspect.signature(target).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    args, kwargs = [], {}
    for name, required, kind in params:
        if name == bad_name:
            value = violating_example(constraints[name])
        elif name in constraints and required:
            value = valid_example(constraints[name])
        elif required:
            value = None  # unconstrained and required: never reached, validation comes first
        else:
            continue
        if kind == inspect.Parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[name] = value
    return args, kwargs


@pytest.mark.parametrize("decl, name", DECLARED,
                         ids=[f"{d.module}.{d.owner}:{n}" for d, n in DECLARED])
def test_a_violating_value_raises_the_one_error_shape(decl, name):
    assert _resolve(decl.target) is decl.target, "declared on something users cannot reach by its name"
    args, kwargs = _call_args(decl.target, name, decl.constraints)
    with pytest.raises(InvalidParameterError) as info:
        decl.target(*args, **kwargs)
    err = info.value
    assert err.parameter == name, f"raised for {err.parameter!r}, not {name!r}: {err}"
    assert f"The {name!r} parameter of {decl.owner} " in str(err) and err.allowed, str(err)


@pytest.mark.parametrize("constraint", [
    Range(0, None, closed="neither", unit="s"), Range(1, 100, integer=True), Range(None, 0),
    Range(0, 1, closed="neither"), Range(), Options(("a", "b")), Satisfies(callable, "a callable", len, 3),
    str, bool, None, [Range(1, None, integer=True), None], [Options(("auto",)), Range(0, None, integer=True)],
])
def test_every_constraint_type_has_examples(constraint):
    from simlib._validate import _accepts, _alternatives

    ok, bad = valid_example(constraint), violating_example(constraint)
    assert any(_accepts(c, ok) for c in _alternatives(constraint))
    assert not any(_accepts(c, bad) for c in _alternatives(constraint))


def test_a_constraint_that_allows_everything_is_refused():
    with pytest.raises(ValueError, match="constrains nothing"):
        violating_example(Satisfies(lambda v: True, "anything", 1, 2))


def test_fields_are_checked_before_the_class_own_post_init():
    seen = []

    @validate_fields({"n": Range(1, None, integer=True)})
    @dataclasses.dataclass(frozen=True)
    class Box:
        n: int
        label: str = "box"

        def __post_init__(self):
            seen.append(self.n)

    assert Box(2).n == 2 and seen == [2]
    with pytest.raises(InvalidParameterError, match="'n' parameter of Box"):
        Box(0)
    assert seen == [2]
    assert any(d.target is Box for d in declarations())


def test_validate_params_records_its_declaration():
    @validate_params({"x": Range(0, 1)}, owner="probe")
    def probe(x):
        return x

    assert any(d.target is probe and d.owner == "probe" for d in declarations())
    with pytest.raises(InvalidParameterError, match="'x' parameter of probe"):
        probe(2)

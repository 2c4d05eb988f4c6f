"""One error shape for bad input: the parameter, its owner, what is allowed, what was given."""

from __future__ import annotations

import pytest

from simlib._validate import InvalidParameterError, Options, Range, check, validate_params


def test_interval_message_names_parameter_owner_range_and_value():
    with pytest.raises(InvalidParameterError) as exc:
        check("rate_qps", -1, Range(0, None, closed="neither", unit="requests/s"), owner="simulate")
    assert str(exc.value) == (
        "The 'rate_qps' parameter of simulate must be a number in (0, inf) requests/s. Got -1 instead."
    )
    assert isinstance(exc.value, ValueError) and isinstance(exc.value, TypeError)


@pytest.mark.parametrize("value", [float("nan"), "3", True, None, 0])
def test_interval_rejects_non_numbers_nan_bools_and_bounds(value):
    assert not Range(0, 10, closed="neither").accepts(value)


def test_integer_interval_and_options():
    assert Range(1, None, integer=True).accepts(4)
    assert not Range(1, None, integer=True).accepts(4.5)
    assert Options(["a", "b"]).accepts("a")
    assert not Options(["a", "b"]).accepts(["unhashable"])
    with pytest.raises(InvalidParameterError, match=r"one of \{'a', 'b'\}. Got 'c'"):
        check("mode", "c", Options(["a", "b"]))


def test_alternatives_and_decorator():
    @validate_params({"n": [None, Range(1, None, integer=True)]})
    def f(n=None):
        return n

    assert f() is None and f(3) == 3
    with pytest.raises(InvalidParameterError, match="'n' parameter of f must be None or an integer"):
        f(0)
    assert "n" in f.parameter_constraints


def test_decorator_rejects_unknown_parameter_names():
    with pytest.raises(TypeError, match="no parameters"):
        @validate_params({"missing": Range(0)})
        def g(x):
            return x


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), 10**400])
def test_interval_refuses_infinity_even_on_an_unbounded_side(value):
    assert not Range(0, None, closed="neither").accepts(value)
    assert not Range(None, None).accepts(value)


def test_errors_carry_the_pieces_of_the_cli_line():
    from simlib._validate import invalid

    with pytest.raises(InvalidParameterError) as exc:
        check("rate_qps", float("nan"), Range(0, 10, unit="requests/s"), owner="Poisson")
    e = exc.value
    assert (e.parameter, e.problem, e.allowed) == ("rate_qps", "got nan", "a number in [0, 10] requests/s")
    e = invalid("window_s", "is longer than the run", "a number in (0, 5] s", owner="simulate_server")
    assert str(e) == ("The 'window_s' parameter of simulate_server is longer than the run. "
                      "Allowed: a number in (0, 5] s.")
    assert e.parameter == "window_s" and e.allowed == "a number in (0, 5] s"
    assert InvalidParameterError("The 'x' parameter of f is odd.").parameter == "x"


def test_long_values_are_shown_on_one_short_line():
    with pytest.raises(InvalidParameterError) as exc:
        check("service", "a\nb" * 100, Options(["exp"]))
    assert "\n" not in exc.value.problem and len(exc.value.problem) < 80

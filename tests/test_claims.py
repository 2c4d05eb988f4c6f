"""Every wording that simlib.claims can choose, and its refusals of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import claims
from simlib._validate import InvalidParameterError
from simlib.stats import Interval, median_ci


def ci(est, half):
    return Interval(est, est - half, est + half, 0.95, "test")


@pytest.mark.parametrize("before,after,expected", [
    (ci(2.0, 0.1), ci(1.0, 0.1), "2.00 times faster"),
    (ci(1.0, 0.1), ci(1.25, 0.1), "1.25 times slower"),
    (ci(1.0, 0.1), ci(1.1, 0.1), "neither clearly faster nor slower"),
])
def test_speed_change_each_branch(before, after, expected):
    assert claims.speed_change(before, after).startswith(expected)


def test_speed_change_from_real_samples_uses_their_intervals():
    rng = np.random.default_rng(0)
    a = rng.normal(1e-3, 1e-4, 400)
    b_same = rng.normal(1e-3, 1e-4, 400)
    b_fast = rng.normal(0.5e-3, 0.5e-4, 400)
    assert "run-to-run noise" in claims.speed_change(median_ci(a), median_ci(b_same))
    assert "faster" in claims.speed_change(median_ci(a), median_ci(b_fast))


def test_a_noisy_run_cannot_claim_a_difference_a_quiet_one_can():
    # the same two estimates: wide intervals say "no clear difference", narrow ones name it
    assert "noise" in claims.speed_change(ci(1.0, 0.3), ci(0.8, 0.3))
    assert claims.speed_change(ci(1.0, 0.01), ci(0.8, 0.01)) == "1.25 times faster"


@pytest.mark.parametrize("a,b,expected", [(0.4, 0.1, "closer"), (-0.1, 0.5, "further off"),
                                           (0.2, -0.22, "about as close")])
def test_closer(a, b, expected):
    assert claims.closer(a, b) == expected


@pytest.mark.parametrize("values,expected", [([1.0, 2.0], "close to"), ([0.5, 1.5], "at or below"),
                                              ([1.5, 2.5], "at or above"), ([0.5, 2.5], "on both sides of")])
def test_relation_to(values, expected):
    assert claims.relation_to(values, [1.0, 2.0]) == expected


def test_trend_and_direction():
    assert claims.trend(ci(10, 1), ci(40, 5)) == "grew by a factor of 4.0"
    assert claims.trend(ci(10, 1), ci(4, 1)) == "fell by a factor of 2.5"
    assert claims.trend(ci(10, 3), ci(12, 3)) == "stayed within run-to-run noise"
    assert claims.direction(ci(1, 0.1), ci(2, 0.1)) == "higher"


def test_extreme_at_and_time_scale():
    assert claims.extreme_at(["a", "b", "c"], [1.0, float("nan"), 3.0]) == "c"
    assert claims.extreme_at(["a", "b"], [1.0, 3.0], largest=False) == "a"
    assert claims.time_scale(3.006) == "seconds"  # the cold start that read "milliseconds"
    assert claims.time_scale(0.0031) == "milliseconds"


def test_bad_input_names_the_parameter():
    with pytest.raises(InvalidParameterError, match="before_s"):
        claims.speed_change(0.0, 1.0)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        claims.closer(0.1, 0.2, tolerance=-1)
    with pytest.raises(InvalidParameterError, match="seconds"):
        claims.time_scale(float("nan"))
    with pytest.raises(ValueError, match="same, non-zero length"):
        claims.relation_to([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        claims.extreme_at(["a"], [float("nan")])

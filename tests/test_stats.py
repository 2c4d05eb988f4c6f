"""Statistics: intervals, noise rule, sizing, significance (simlib.stats) and closed forms
(simlib.scaling), against hand-derived values and the chapter's worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib import scaling, stats
from simlib._validate import InvalidParameterError


def test_mean_and_median_intervals_t_and_bootstrap():
    x = [9.0, 10.0, 11.0, 10.0, 10.0, 9.5, 10.5]
    ci = stats.mean_ci(x)
    h = 2.446911851 * np.std(x, ddof=1) / math.sqrt(7)  # t(0.975, 6)
    assert ci.estimate == 10.0 and ci.high - ci.estimate == pytest.approx(h)
    b = stats.bootstrap_ci(x, np.mean, seed=1)
    assert b.low < 10.0 < b.high and b.method == "bootstrap"
    m = stats.median_ci(np.arange(1, 101, dtype=float))
    assert m.low < 50 < m.high


def test_percentile_loadgen_rule_and_ci():
    x = np.arange(1, 1001, dtype=float)
    assert stats.percentile(x, 99) == 991.0  # sorted[floor(1000 * 0.99)]
    ci = stats.percentile_ci(x, 99)
    assert ci.low <= 991 <= ci.high


def test_cv_and_noise_rule():
    assert stats.cv([1.0, 1.0, 1.0]) == 0.0
    assert stats.cv([9.0, 11.0]) == pytest.approx(math.sqrt(2) / 10)
    assert not stats.is_noisy([100, 102, 98, 100]) and stats.is_noisy([100, 120, 80, 100])
    assert stats.NOISY_CV == 0.05


def test_napkin_math_1_1_confidence_trap():
    # Source chapter, Napkin Math 1.1 (seed lines 119-126): sigma ~7 errors of 1,000 at 95%;
    # 95% CI ~[36, 64] errors; the 94% model's 60 errors fall inside it.
    assert round(math.sqrt(1000 * 0.05 * 0.95)) == 7
    ci = stats.proportion_ci(50, 1000, method="normal")
    assert (round(ci.low * 1000), round(ci.high * 1000)) == (36, 64) and ci.contains(0.060)
    # "About 1,825 samples" for +-1 pp at 95% accuracy.
    assert stats.sample_size_proportion(0.95, 0.01) == 1825
    # Detecting a 1-point regression needs "a larger two-proportion power calculation".
    assert stats.sample_size_two_proportions(0.95, 0.94) > 1825 * 4


def test_wilson_interval_hand_derived():
    # p = 0.5, n = 100, z = 1.96: center 0.5, half-width 1.96/(1+0.038416) * sqrt(0.0025 + 0.000096)
    ci = stats.wilson_ci(50, 100)
    h = 1.959963985 / (1 + 1.959963985**2 / 100) * math.sqrt(0.0025 + 1.959963985**2 / 40000)
    assert ci.low == pytest.approx(0.5 - h) and ci.high == pytest.approx(0.5 + h)
    edge = stats.wilson_ci(100, 100)
    assert edge.high == 1.0 and 0.95 < edge.low < 1.0  # Wald would give the useless [1, 1]


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 10_000), frac=st.floats(0, 1))
def test_wilson_inside_unit_interval_and_contains_estimate(n, frac):
    k = round(frac * n)
    ci = stats.wilson_ci(k, n)
    assert 0 <= ci.low <= k / n <= ci.high <= 1


def test_sample_size_two_means_regression():
    # Normal approximation: 2 (1.96 + 0.8416)^2 = 15.7 -> 16 runs; the t correction gives 17.
    assert stats.sample_size_two_means(1.0, 1.0) == 17
    assert stats.sample_size_two_means(0.5, 1.0) > 4 * 15


def test_compare_runs_detects_shift_and_not_noise():
    rng = np.random.default_rng(42)
    a = rng.normal(100, 2, 40)
    shifted = stats.compare_runs(a, rng.normal(110, 2, 40))
    assert shifted.significant and shifted.practical and shifted.cohens_d > 3
    assert shifted.diff.contains(10) and shifted.relative_change == pytest.approx(0.1, abs=0.02)
    same = stats.compare_runs(a, rng.normal(100, 2, 40))
    assert not same.significant and "no detectable" in same.verdict
    tiny = stats.compare_runs(rng.normal(100, 0.1, 200), rng.normal(100.5, 0.1, 200))
    assert tiny.significant and not tiny.practical and "too small" in tiny.verdict


def test_amdahl_napkin_math_1_7():
    # Source chapter, Napkin Math 1.7 (seed line 605): 18 ms total, 10 ms inference -> 2 ms gives
    # 1.8x; ceiling 1/f with f = 8/18 = 44.4% -> 2.25x.
    assert scaling.amdahl_speedup(10 / 18, 5) == pytest.approx(1.8)
    assert scaling.amdahl_ceiling(10 / 18) == pytest.approx(2.25)
    assert scaling.amdahl_ceiling(1.0) == math.inf
    assert scaling.amdahl_speedup(0.5, 1) == 1.0


def test_scaling_efficiency_napkin_math_1_6():
    # Source chapter, Napkin Math 1.6 (seed line 480): 24 / (8 x 4) = 75%.
    assert scaling.strong_scaling_efficiency(24, 4, 8) == 0.75
    assert scaling.strong_scaling_efficiency(24, 3, 8) == 1.0
    assert scaling.weak_scaling_efficiency(10, 10) == 1.0


def test_fanout_footnote_26():
    # Source chapter, footnote 26 (seed line 569): 100 shards, 1% tail each -> 63%.
    assert round(100 * scaling.fanout_tail_probability(100, 0.01)) == 63
    assert scaling.fanout_tail_probability(1, 0.01) == pytest.approx(0.01)


def test_littles_law():
    assert scaling.littles_law(qps=100, time_s=0.2) == pytest.approx(20)
    assert scaling.littles_law(items=20, time_s=0.2) == pytest.approx(100)
    assert scaling.littles_law(items=20, qps=100) == pytest.approx(0.2)


@pytest.mark.parametrize("call, needle", [
    (lambda: stats.percentile([1, 2, 3], 0), "'p' parameter of percentile"),
    (lambda: stats.percentile([1, 2, 3], 100), "'p' parameter of percentile"),
    (lambda: stats.percentile_ci([1.0] * 10, 99), "too small"),
    (lambda: stats.mean_ci([1.0]), "at least 2"),
    (lambda: stats.cv([0.0, 0.0]), "mean 0"),
    (lambda: stats.wilson_ci(5, 3), "'successes'"),
    (lambda: stats.proportion_ci(1, 0), "'n'"),
    (lambda: stats.sample_size_proportion(0.95, 0), "'margin'"),
    (lambda: stats.sample_size_two_proportions(0.9, 0.9), "must differ"),
    (lambda: stats.sample_size_two_means(0, 1), "'delta'"),
    (lambda: stats.compare_runs([1.0], [1.0, 2.0]), "at least 2"),
    (lambda: scaling.amdahl_speedup(1.2, 2), "'fraction'"),
    (lambda: scaling.strong_scaling_efficiency(1, 1, 0), "'n'"),
    (lambda: scaling.fanout_tail_probability(10, -0.1), "'p_slow'"),
    (lambda: scaling.littles_law(qps=1), "exactly two"),
])
def test_bad_input(call, needle):
    with pytest.raises(InvalidParameterError, match=needle):
        call()


def test_compare_runs_p_value_is_welchs_and_quiet_on_constant_runs():
    import warnings

    import scipy.stats as sst

    rng = np.random.default_rng(4)
    a, b = rng.normal(10, 1, 12), rng.normal(10.8, 2, 7)
    assert stats.compare_runs(a, b).p_value == pytest.approx(sst.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one side's runs all equal: no RuntimeWarning reaches the reader
        c = stats.compare_runs([0.010, 0.011, 0.0105], [0.0101] * 50)
    assert 0 <= c.p_value <= 1

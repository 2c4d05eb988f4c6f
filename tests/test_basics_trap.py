"""simlib.basics.trap: the statistical confidence trap (Napkin Math 1.1), two real classifiers, runs to
separate two timed configurations. Closed forms against SciPy and seeded simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from simlib._validate import InvalidParameterError
from simlib.basics.trap import (
    compare_predictions,
    confidence_trap,
    digits_comparison,
    mcnemar_sample_size,
    runs_to_separate,
    two_proportion_power,
    two_proportion_z_test,
)
from simlib.protocol import conforms
from simlib.stats import sample_size_two_means, sample_size_two_proportions

# ------------------------------------------------------------------ the napkin (source numbers)


def test_confidence_trap_recomputes_the_source():
    t = confidence_trap()  # 1,000 samples, 95% vs 94%
    assert (t.errors_a_count, t.errors_b_count) == (50, 60)  # "50 errors ... 60 errors"
    assert t.sigma_errors_count == pytest.approx(math.sqrt(1000 * 0.05 * 0.95))
    assert t.sigma_rounded_count == 7  # "approximately 7 errors"
    # "50 errors +- 1.96 x 7 errors ~ [36, 64]": the source's rounded sigma gives its interval
    assert [round(v) for v in t.errors_ci_rounded_sigma_count] == [36, 64]
    lo, hi = t.errors_ci_count  # the exact sigma gives a slightly narrower one
    assert 36 < lo < 37 and 63 < hi < 64
    assert t.b_inside_a_interval  # "Both 50 errors and 60 errors fall inside the same interval"
    assert t.n_for_margin == 1825  # "About 1,825 samples"
    assert t.n_per_model_independent == sample_size_two_proportions(0.95, 0.94)
    assert t.n_per_model_independent > t.n_for_margin  # "requires a larger ... power calculation"
    assert t.power_independent < 0.5 and t.p_value_independent > 0.05  # cannot reliably detect at 1,000
    assert t.p_value_paired_best == pytest.approx(2 * 0.5**10)  # paired on the same items: it can
    assert conforms(t) == []


def test_confidence_trap_detects_at_its_own_sample_size():
    n = confidence_trap().n_per_model_independent
    far = confidence_trap(n_test=n)
    assert far.power_independent == pytest.approx(0.8, abs=0.002)


def test_confidence_trap_rejects_equal_accuracies():
    with pytest.raises(InvalidParameterError, match="accuracy_b"):
        confidence_trap(accuracy_a=0.9, accuracy_b=0.9)


@pytest.mark.parametrize("table", [(950, 1000, 940, 1000), (90, 100, 80, 120), (5, 40, 12, 30), (10, 10, 9, 10)])
def test_z_test_is_pearson_chi_square(table):
    sa, na, sb, nb = table
    chi = st.chi2_contingency([[sa, na - sa], [sb, nb - sb]], correction=False).pvalue
    assert two_proportion_z_test(sa, na, sb, nb) == pytest.approx(chi, rel=1e-9)


@pytest.mark.parametrize("p1,p2", [(0.95, 0.94), (0.8, 0.7), (0.5, 0.55)])
def test_power_inverts_the_sample_size(p1, p2):
    n = sample_size_two_proportions(p1, p2)
    assert two_proportion_power(p1, p2, n) >= 0.8 > two_proportion_power(p1, p2, n - 1)


def test_mcnemar_sample_size_by_simulation():
    d, psi = 0.05, 0.15
    n = mcnemar_sample_size(d, psi)
    rng = np.random.default_rng(1)
    # each item: B right only w.p. (psi + d)/2, A right only w.p. (psi - d)/2, concordant otherwise
    counts = rng.multinomial(n, [(psi + d) / 2, (psi - d) / 2, 1 - psi], size=1500)
    p = np.array([st.binomtest(int(b), int(b + a), 0.5).pvalue for b, a, _ in counts])
    power = float(np.mean(p < 0.05))
    # 1,500 trials: sd of the estimate 0.010; exact test is a little conservative against the normal form
    assert 0.74 <= power <= 0.86
    assert mcnemar_sample_size(0.01, 0.02) < sample_size_two_proportions(0.95, 0.94)


def test_mcnemar_sample_size_rejects_impossible_discordance():
    with pytest.raises(InvalidParameterError, match="discordant_fraction"):
        mcnemar_sample_size(0.05, 0.02)
    with pytest.raises(InvalidParameterError, match="difference"):
        mcnemar_sample_size(0.0, 0.02)


# ------------------------------------------------------------------ compare_predictions


def _pair(n=400, a_err=40, b_err=25, overlap=20, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    a, b = y.copy(), y.copy()
    a[:a_err] = (a[:a_err] + 1) % 10
    b[a_err - overlap:a_err - overlap + b_err] = (b[a_err - overlap:a_err - overlap + b_err] + 1) % 10
    return y, a, b


def test_paired_comparison_counts_and_test():
    y, a, b = _pair()
    c = compare_predictions(y, a, b, labels=("small", "large"))
    assert (c.correct_a, c.correct_b) == (360, 375)
    assert (c.a_only_count, c.b_only_count) == (5, 20)  # a wrong on 0-39, b wrong on 20-44
    assert c.p_value == pytest.approx(st.binomtest(5, 25, 0.5).pvalue)
    assert c.difference == pytest.approx((375 - 360) / 400)
    assert c.difference_ci.low < c.difference < c.difference_ci.high
    assert c.accuracy_a_ci.contains(0.9) and c.accuracy_b_ci.contains(375 / 400)
    assert c.significant and c.verdict.startswith("large is more accurate")
    assert c.n_needed == mcnemar_sample_size(c.difference, 25 / 400)
    assert conforms(c) == []
    assert c.to_dict()["summary"]["difference_ci_fraction"] == [c.difference_ci.low, c.difference_ci.high]


def test_paired_test_ignores_items_both_models_get_right():
    y, a, b = _pair()
    more = np.arange(200) % 10
    c1 = compare_predictions(y, a, b)
    c2 = compare_predictions(np.r_[y, more], np.r_[a, more], np.r_[b, more])
    assert c1.p_value == c2.p_value  # McNemar uses only the discordant items
    assert c2.difference_ci.high - c2.difference_ci.low < c1.difference_ci.high - c1.difference_ci.low


def test_bootstrap_interval_covers_like_a_normal_interval():
    y, a, b = _pair(n=2000, a_err=200, b_err=150, overlap=100)
    c = compare_predictions(y, a, b, seed=3)
    d = (b == y).astype(float) - (a == y).astype(float)
    half = 1.96 * d.std(ddof=1) / math.sqrt(d.size)
    assert c.difference_ci.low == pytest.approx(d.mean() - half, abs=0.004)  # 2,000 resamples: ~0.002 MC error
    assert c.difference_ci.high == pytest.approx(d.mean() + half, abs=0.004)


def test_no_difference_gives_no_clear_difference():
    y, a, _ = _pair()
    c = compare_predictions(y, a, a.copy())
    assert not c.significant and c.p_value == 1.0 and c.n_needed is None
    assert c.verdict.startswith("no clear difference")
    assert (c.difference_ci.low, c.difference_ci.high) == (0.0, 0.0)


def test_independent_design_uses_the_z_test():
    y, a, _ = _pair(n=500, a_err=50)
    y2, _, b = _pair(n=300, a_err=10, b_err=20, overlap=5, seed=1)
    c = compare_predictions(y, a, b, y_true_b=y2, design="independent")
    assert c.test.startswith("two-proportion z-test")
    assert c.p_value == pytest.approx(two_proportion_z_test(450, 500, 280, 300))
    assert c.a_only_count is None and c.n_b == 300
    assert c.n_needed == sample_size_two_proportions(450 / 500, 280 / 300)
    assert conforms(c) == []


def test_bad_predictions_name_the_parameter():
    y, a, b = _pair()
    with pytest.raises(InvalidParameterError, match="'pred_a'"):
        compare_predictions(y, a[:-1], b)
    with pytest.raises(InvalidParameterError, match="'y_true_b'"):
        compare_predictions(y, a, b, y_true_b=y)
    with pytest.raises(InvalidParameterError, match="'design'"):
        compare_predictions(y, a, b, design="matched")


def test_digits_comparison_is_real_paired_and_deterministic():
    c = digits_comparison()  # the defaults a chapter calls: widths 16 and 64
    assert c.kind == "measured" and c.design == "paired" and c.n_a == c.n_b == 450
    assert c.correct_a - c.correct_b == c.a_only_count - c.b_only_count  # counts agree with each other
    assert 0.85 < c.accuracy_a_ci.estimate < 1.0 and 0.85 < c.accuracy_b_ci.estimate < 1.0  # real classifiers learn
    assert c.settings["effective"]["n_test"] == 450
    assert conforms(c) == []
    again = digits_comparison(use_cache=False)  # trained here: same seeds, same predictions as the cached models
    assert (again.correct_a, again.correct_b, again.p_value) == (c.correct_a, c.correct_b, c.p_value)


def test_digits_comparison_two_seeds_on_a_small_split():
    c = digits_comparison(32, 32, seed_b=1, epochs=10, n_test=120)
    assert c.n_a == 120 and "seed=1" in c.label_b
    with pytest.raises(InvalidParameterError, match="n_test"):
        digits_comparison(n_test=451)


# ------------------------------------------------------------------ runs to separate


def test_runs_to_separate_closed_form_and_simulation():
    r = runs_to_separate(0.02, 0.03, n_experiments=2000, seed=0)
    assert r.n_runs == sample_size_two_means(0.02, 0.03)
    assert r.simulated_power.contains(0.8)  # the decision made n_runs times separates ~80% of the time
    assert r.simulated_power_half.high < r.simulated_power.low  # half the runs: clearly weaker
    assert r.warnings == ()
    assert conforms(r) == []


def test_runs_scale_with_the_square_of_cv_over_difference():
    a = runs_to_separate(0.02, 0.02, n_experiments=200).n_runs
    b = runs_to_separate(0.02, 0.04, n_experiments=200).n_runs
    assert 3.5 * a <= b <= 4.5 * a


def test_runs_to_separate_from_measured_samples():
    s = np.random.default_rng(0).normal(1e-3, 3e-5, 60)
    r = runs_to_separate(0.02, samples_s=s, n_experiments=200)
    assert r.run_cv == pytest.approx(s.std(ddof=1) / s.mean())
    assert r.cv_source.startswith("measured")
    with pytest.raises(InvalidParameterError, match="run_cv"):
        runs_to_separate(0.02, 0.03, samples_s=s)
    with pytest.raises(InvalidParameterError, match="run_cv"):
        runs_to_separate(0.02)


def test_small_sizes_warn_when_the_simulation_disagrees():
    r = runs_to_separate(0.02, 0.01, n_experiments=2000, seed=0)  # 6 runs: the t-sizing rounds up a lot
    assert r.n_runs == 6 and r.simulated_power.low > 0.8  # 2,000 experiments: +-1.5% around ~87%
    assert len(r.warnings) == 1 and "conservative" in r.warnings[0] and "6 runs gave power" in r.warnings[0]

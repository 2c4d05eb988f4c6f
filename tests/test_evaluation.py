"""simlib.evaluation: metrics with intervals, calibration, the compression frontier, data shift.

Closed forms and the source's figures are checked exactly; statistics against scikit-learn's own
functions; real-data effects on scikit-learn's bundled digits with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from simlib.evaluation import (
    Variant,
    class_balance,
    classification_report,
    confusion_from_rates,
    dominates,
    ece_band,
    expected_calibration_error,
    fit_temperature,
    fraud_example,
    frontier,
    imbalanced_digits,
    label_distance,
    lighthouse_1_3,
    pareto_front,
    reliability_bins,
    shift_digits,
    shift_report,
    temperature_scaling_report,
    top_k_accuracy,
)
from simlib.evaluation.frontier import compare_variants
from simlib.evaluation.metrics import ink_slices, stratified_bootstrap
from simlib.protocol import conforms
from simlib.stats import Interval, wilson_ci


def _digits_three_way(seed=0):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x, y = d.data / 16.0, d.target
    x_tr, x_r, y_tr, y_r = train_test_split(x, y, test_size=0.5, random_state=seed, stratify=y)
    x_val, x_te, y_val, y_te = train_test_split(x_r, y_r, test_size=0.5, random_state=seed, stratify=y_r)
    return x_tr, y_tr, x_val, y_val, x_te, y_te


# --- 1. blind spots of one number -------------------------------------------------------------------

def test_fraud_example_recomputed_exactly():
    f = fraud_example()
    c = f.counts(10_000)
    assert c == {"tp": 10, "fn": 90, "fp": 10, "tn": 9890}
    assert sum(c.values()) == 10_000
    assert (c["tp"] + c["tn"]) / 10_000 == pytest.approx(0.99)  # the stated accuracy back
    assert c["tp"] / (c["tp"] + c["fn"]) == pytest.approx(0.10)  # the stated recall back
    assert f.precision == pytest.approx(0.5)
    assert f.f1 == pytest.approx(2 * 0.5 * 0.1 / 0.6)
    assert f.specificity == pytest.approx(9890 / 9900)
    assert f.baseline_accuracy == pytest.approx(0.99)  # labeling everything legitimate scores the same


def test_confusion_from_rates_refuses_impossible_combination():
    with pytest.raises(InvalidParameterError, match="accuracy"):
        confusion_from_rates(0.999, 0.10, 0.01)  # 0.9% missed frauds alone exceed 0.1% errors
    with pytest.raises(InvalidParameterError, match="prevalence"):
        confusion_from_rates(0.9, 0.5, 0.0)


def _synthetic(n=600, classes=4, seed=1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    s = rng.normal(0, 1, (n, classes)) + 1.5 * np.eye(classes)[y]
    return y, s


def test_report_matches_sklearn():
    from scipy.special import softmax
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        precision_recall_fscore_support,
        roc_auc_score,
    )

    y, s = _synthetic()
    r = classification_report(y, s, k=(2, 3), n_resamples=200)
    p = s.argmax(axis=1)
    assert r.accuracy.estimate == pytest.approx(accuracy_score(y, p))
    assert r.accuracy == wilson_ci(int((y == p).sum()), len(y))
    assert np.array_equal(np.array(r.confusion), confusion_matrix(y, p))
    prec, rec, f1, sup = precision_recall_fscore_support(y, p, zero_division=0)
    for c, row in enumerate(r.per_class):
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == pytest.approx(
            (prec[c], rec[c], f1[c], sup[c]))
        assert row["f1_ci"][0] <= row["f1"] <= row["f1_ci"][1]
    assert r.macro["f1"][0] == pytest.approx(f1.mean())
    assert r.roc_auc[0] == pytest.approx(roc_auc_score(y, softmax(s, axis=1), multi_class="ovr"))
    assert r.roc_auc[1] <= r.roc_auc[0] <= r.roc_auc[2]
    assert sorted(r.top_k) == [2, 3]
    assert r.accuracy.estimate < r.top_k[2].estimate < r.top_k[3].estimate <= 1.0
    assert conforms(r) == []


def test_top_k_accuracy_against_sklearn_and_k1_is_accuracy():
    from sklearn.metrics import top_k_accuracy_score

    y, s = _synthetic(classes=6)
    for k in (1, 2, 5):
        assert top_k_accuracy(y, s, k).estimate == pytest.approx(top_k_accuracy_score(y, s, k=k))
    assert top_k_accuracy(y, s, 6).estimate == 1.0
    assert top_k_accuracy(y, s, 1).estimate == pytest.approx((s.argmax(1) == y).mean())
    with pytest.raises(InvalidParameterError, match="'k'"):
        top_k_accuracy(y, s, 7)


def test_stratified_bootstrap_keeps_class_counts():
    y = np.array([0] * 95 + [1] * 5)
    lo, hi = stratified_bootstrap(y, lambda idx: (y[idx] == 1).sum(), n_resamples=100, seed=0)
    assert lo == hi == 5  # every resample keeps the 5 rare examples' count
    # an unstratified resample would lose them sometimes: the stratified interval of the mean is a point
    lo, hi = stratified_bootstrap(y, lambda idx: y[idx].mean(), n_resamples=100, seed=0)
    assert lo == hi == pytest.approx(0.05)


def test_bootstrap_interval_narrows_with_more_data():
    y1, s1 = _synthetic(n=200, seed=2)
    y2, s2 = _synthetic(n=2000, seed=2)
    w1 = np.subtract(*classification_report(y1, s1, n_resamples=200).macro["f1"][2:0:-1])
    w2 = np.subtract(*classification_report(y2, s2, n_resamples=200).macro["f1"][2:0:-1])
    assert w2 < w1 / 2  # about 1/sqrt(10) of the width


def test_high_accuracy_hides_low_recall_on_real_digits():
    from sklearn.linear_model import LogisticRegression

    x_tr, y_tr, x_te, y_te = imbalanced_digits(digit=8, positive_fraction=0.02, seed=0)
    assert 0.015 < y_te.mean() < 0.025
    model = LogisticRegression(max_iter=2000).fit(x_tr, y_tr)
    r = classification_report(y_te, model.predict_proba(x_te), slices=ink_slices(x_te), n_resamples=200,
                              class_names=["other", "eight"])
    s = r.summary
    assert s["accuracy_fraction"] > 0.95
    assert s["recall_ci_fraction"][1] < r.accuracy.low  # the rare class's recall is clearly lower
    assert r.hidden_classes() == ["eight"]
    assert s["accuracy_ci_fraction"][0] <= s["baseline_accuracy_fraction"]  # not clearly above "always other"
    assert any("most frequent class" in w for w in r._all_warnings())
    assert any("'eight'" in w for w in r._all_warnings())
    assert s["roc_auc_fraction"] > 0.9  # the ranking is good: the threshold is what fails the rare class
    assert {row["slice"] for row in r.per_slice} == {"faint", "medium", "bold"}
    assert conforms(r) == []


def test_perfect_predictions_and_bad_input():
    y = np.array([0, 1, 2] * 20)
    r = classification_report(y, y_pred=y, n_resamples=50)
    assert r.accuracy.estimate == 1.0 and r.macro["f1"] == (1.0, 1.0, 1.0)
    assert r.hidden_classes() == [] and r.roc_auc is None
    with pytest.raises(InvalidParameterError, match="scores"):
        classification_report(y)
    with pytest.raises(InvalidParameterError, match="y_pred"):
        classification_report(y, y_pred=y[:-1])
    with pytest.raises(InvalidParameterError, match="class_names"):
        classification_report(y, y_pred=y, class_names=["a"])
    with pytest.raises(InvalidParameterError, match="y_true"):
        classification_report(np.array([0.5, 1.0]), y_pred=np.array([0, 1]))


def test_ink_slices_equal_thirds():
    rng = np.random.default_rng(0)
    sl = ink_slices(rng.random((300, 64)))
    assert sorted(np.unique(sl, return_counts=True)[1].tolist()) == [100, 100, 100]


# --- 2. calibration ------------------------------------------------------------------------------------

def test_ece_closed_forms():
    conf = np.full(100, 0.8)
    assert expected_calibration_error(conf, np.r_[np.ones(80), np.zeros(20)]) == pytest.approx(0.0)
    assert expected_calibration_error(np.ones(10), np.r_[np.ones(7), np.zeros(3)]) == pytest.approx(0.3)
    # two bins: 0.9 (3/4 right) and 0.6 (1/2 right): 4/6 * 0.15 + 2/6 * 0.1
    assert expected_calibration_error([.9] * 4 + [.6] * 2, [1, 1, 1, 0, 1, 0], n_bins=10) == pytest.approx(2 / 15)


def test_reliability_bins_match_sklearn_calibration_curve():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(3)
    p = rng.random(2000)
    y = (rng.random(2000) < p**1.5).astype(int)
    for strategy in ("uniform", "quantile"):
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy=strategy)
        b = reliability_bins(p, y, n_bins=10, binning=strategy)
        assert b["accuracy"] == pytest.approx(prob_true)
        assert b["confidence"] == pytest.approx(prob_pred)
        assert b["count"].sum() == 2000


def test_ece_bands_edges():
    assert [ece_band(v) for v in (0.0, 0.0499, 0.05, 0.10, 0.1001)] == [
        "well calibrated", "well calibrated", "moderately calibrated", "moderately calibrated", "poorly calibrated"]


def test_fit_temperature_recovers_known_overconfidence():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, (6000, 5))
    from scipy.special import softmax

    p = softmax(z, axis=1)
    y = (p.cumsum(axis=1) > rng.random((6000, 1))).argmax(axis=1)  # labels drawn from softmax(z)
    assert fit_temperature(3 * z, y) == pytest.approx(3.0, rel=0.1)  # logits 3x too sharp: T ~ 3
    assert fit_temperature(z, y) == pytest.approx(1.0, rel=0.1)


def test_temperature_scaling_on_digits_overconfident_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    x_tr, y_tr, x_val, y_val, x_te, y_te = _digits_three_way()
    # nearly unregularized and fit on 300 examples: the weights grow and the model is overconfident
    m = LogisticRegression(C=1e4, max_iter=500).fit(x_tr[:300], y_tr[:300])
    r = temperature_scaling_report(m.decision_function(x_val), y_val, m.decision_function(x_te), y_te)
    assert r.temperature > 2  # softens
    assert ece_band(r.ece_before) != "well calibrated" and ece_band(r.ece_after) == "well calibrated"
    assert r.ece_after < r.ece_before - 0.03
    assert r.nll_after < r.nll_before
    assert r.accuracy == pytest.approx((m.predict(x_te) == y_te).mean())  # T leaves the top class
    assert r.summary["verdict"] == ece_band(r.ece_after)
    assert not r.warnings
    assert conforms(r) == []


def test_temperature_at_search_bound_warns_on_naive_bayes():
    from sklearn.naive_bayes import GaussianNB

    x_tr, y_tr, x_val, y_val, x_te, y_te = _digits_three_way()
    m = GaussianNB().fit(x_tr, y_tr)  # log-likelihood gaps of thousands of nats: no one T fits
    r = temperature_scaling_report(m.predict_joint_log_proba(x_val), y_val, m.predict_joint_log_proba(x_te), y_te)
    assert ece_band(r.ece_before) == "poorly calibrated"
    assert any("end of the search range" in w for w in r.warnings)


def test_plots_label_kind():
    import matplotlib

    matplotlib.use("Agg")
    from simlib.evaluation.plot import plot_frontier, plot_reliability

    rng = np.random.default_rng(0)
    b = reliability_bins(rng.random(200), rng.integers(0, 2, 200), n_bins=5)
    fig = plot_reliability(b, kind="modeled", after=b)
    assert fig.axes[0].get_title().startswith("MODELED") and "5 uniform bins" in fig.axes[0].get_title()
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    fig2 = plot_frontier(frontier(_variants()))
    assert fig2.axes[0].get_title().startswith("MEASURED")
    with pytest.raises(InvalidParameterError, match="'kind'"):
        plot_reliability(b, kind="guessed")


# --- 3. the compression frontier -----------------------------------------------------------------------

def test_lighthouse_1_3_recomputed():
    t = lighthouse_1_3()
    assert t["top1_drop_pp"] == pytest.approx(0.9)
    assert t["top5_drop_pp"] == pytest.approx(0.6)
    assert t["edge_case_drop_pp"] == pytest.approx(6.8)
    assert t["top1_acceptable"] is True  # 0.9 pp < the 1 pp threshold
    assert t["ece_ratio"] == pytest.approx(0.089 / 0.031)
    assert (t["ece_band_fp32"], t["ece_band_int8"]) == ("well calibrated", "moderately calibrated")
    assert (t["fp32_bytes_per_param"], t["int8_bytes_per_param"], t["size_ratio"]) == pytest.approx((4, 1, 4))


def _iv(p, hw=0.01):
    return Interval(p, p - hw, p + hw, 0.95, "wilson")


def _variants():
    return [Variant("fp32", _iv(0.95), 4e6, 2e-3), Variant("int8", _iv(0.948), 1e6, 1e-3),
            Variant("pruned-90", _iv(0.80), 0.5e6, 0.9e-3), Variant("fp16", _iv(0.90), 2e6, 1.5e-3)]


def test_dominance_with_intervals():
    fp32, int8, pruned, fp16 = _variants()
    assert dominates(int8, fp32) == "yes"  # smaller, faster, accuracy within noise
    assert dominates(fp32, int8) == "no"
    assert dominates(int8, fp16) == "yes"  # smaller, faster and clearly more accurate
    assert dominates(pruned, int8) == "no" and dominates(int8, pruned) == "no"  # a trade-off
    twin = Variant("twin", _iv(0.955), 1e6, 1e-3)
    assert dominates(twin, int8) == dominates(int8, twin) == "unclear"
    assert "no clear difference" in compare_variants(twin, int8)
    clear = Variant("better", _iv(0.99, 0.005), 1e6, 1e-3)
    assert dominates(clear, int8) == "yes"  # same size and cost, clearly more accurate
    assert pareto_front(_variants()) == ["int8", "pruned-90"]
    r = frontier(_variants() + [twin])
    assert r.dominated_by["fp32"] == ("int8", "twin") and r.dominated_by["pruned-90"] == ()
    assert any("No clear difference" in w for w in r.warnings)
    assert conforms(r) == []


def test_dominance_properties_on_random_points():
    rng = np.random.default_rng(0)
    vs = [Variant(f"v{i}", _iv(float(rng.uniform(0.5, 0.9)), float(rng.uniform(0, 0.05))),
                  float(rng.integers(1, 5)) * 1e6, float(rng.integers(1, 5)) * 1e-3) for i in range(30)]
    for a in vs:
        assert dominates(a, a) == "unclear"
        for b in vs:
            assert not (dominates(a, b) == "yes" and dominates(b, a) == "yes")
    front = pareto_front(vs)
    assert front
    for name in front:  # nothing on the front is clearly dominated
        v = next(x for x in vs if x.name == name)
        assert all(dominates(o, v) != "yes" for o in vs)
    with pytest.raises(InvalidParameterError, match="variants"):
        frontier([vs[0], vs[0]])
    with pytest.raises(InvalidParameterError, match="accuracy"):
        Variant("bad", 0.9, 1e6, 1e-3)


# --- 4. data benchmarking ------------------------------------------------------------------------------

def test_class_balance_and_label_distance_closed_forms():
    b = class_balance([0, 0, 0, 1, 2, 2], n_classes=4)
    assert b["counts"] == [3, 1, 2, 0] and b["missing"] == [3] and math.isinf(b["imbalance_ratio"])
    assert label_distance([0, 1, 2], [2, 1, 0]) == {"total_variation": 0.0, "jensen_shannon": 0.0}
    d = label_distance([0, 0], [1, 1])
    assert d["total_variation"] == pytest.approx(1.0) and d["jensen_shannon"] == pytest.approx(1.0)


def test_shift_digits_geometry():
    rng = np.random.default_rng(0)
    x = rng.random((5, 64))
    assert np.array_equal(shift_digits(x), x)
    back = shift_digits(shift_digits(x, dx=1), dx=-1).reshape(5, 8, 8)
    assert np.array_equal(back[:, :, :7], x.reshape(5, 8, 8)[:, :, :7]) and not back[:, :, 7].any()
    assert shift_digits(x, ink_scale=2.0).max() == 1.0
    with pytest.raises(InvalidParameterError, match="'dx'"):
        shift_digits(x, dx=9)


def test_shift_report_on_digits_controlled_shift():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = d.data / 16.0
    x_a, x_b, y_a, y_b = train_test_split(x, d.target, test_size=0.5, random_state=0, stratify=d.target)
    same = shift_report(x_a[:400], x_b[:400], y_a[:400], y_b[:400])
    assert not same.shifted and same.ks_shifted_features == []
    assert same.summary["label_tv_fraction"] < 0.1
    moved = shift_report(x_a[:400], shift_digits(x_b[:400], dx=1))
    assert moved.shifted and len(moved.ks_shifted_features) > 10
    assert moved.classifier_accuracy > 0.9 and moved.classifier_pvalue < 1e-10
    # a label shift alone: only eights and nines in B
    keep = np.isin(y_b, [8, 9])
    ls = shift_report(x_a[:300], x_b[keep], y_a[:300], y_b[keep])
    assert ls.labels["total_variation"] == pytest.approx(0.8, abs=0.03) and ls.shifted
    assert conforms(same) == [] and conforms(moved) == []
    with pytest.raises(InvalidParameterError, match="x_b"):
        shift_report(x_a, x_b[:, :10])


def test_psi_closed_form_and_properties():
    from simlib.evaluation.datashift import psi

    a = np.repeat(np.arange(4.0), 25)  # four equal bins at the quartiles
    b = np.repeat(np.arange(4.0), [40, 20, 20, 20])
    expected = (0.4 - 0.25) * np.log(0.4 / 0.25) + 3 * (0.2 - 0.25) * np.log(0.2 / 0.25)
    assert psi(a, b, n_bins=4) == pytest.approx(expected)
    assert psi(a, a, n_bins=4) == 0.0
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 4000)
    values = [psi(x, rng.normal(mu, 1, 4000)) for mu in (0.0, 0.25, 0.5, 1.0)]
    assert values == sorted(values) and values[0] < 0.02 and values[-1] > 0.25  # grows with the shift


def test_mmd_permutation_pvalue_is_calibrated_under_no_shift():
    from simlib.evaluation.datashift import mmd_test

    rng = np.random.default_rng(1)
    p = [mmd_test(rng.normal(0, 1, (40, 2)), rng.normal(0, 1, (40, 2)), n_permutations=99, seed=i)["pvalue"]
         for i in range(40)]
    assert 0 < min(p) and max(p) <= 1
    rejected = sum(v < 0.05 for v in p)
    assert rejected <= 6  # P(Binomial(40, 0.05) > 6) < 0.5%
    r = mmd_test(rng.normal(0, 1, (40, 2)), rng.normal(1, 1, (40, 2)), n_permutations=99)
    assert r["pvalue"] == pytest.approx(0.01) and r["mmd2"] > 0  # the smallest p-value 99 permutations allow


def test_detection_power_grows_with_shift_and_sample_size():
    from sklearn.datasets import load_digits

    from simlib.evaluation.datashift import detection_power, translate_fraction

    x = load_digits().data / 16.0
    rng = np.random.default_rng(0)
    assert np.array_equal(translate_fraction(x[:10], 0.0, rng), x[:10])
    assert np.array_equal(translate_fraction(x[:10], 1.0, rng), shift_digits(x[:10], dx=1))
    small = detection_power(x, [0.0, 0.25, 1.0], n_per_split=60, trials=20, test="mmd", seed=0)
    large = detection_power(x, [0.0, 0.25, 1.0], n_per_split=240, trials=20, test="mmd", seed=0)
    assert small.detected[0] <= 4 and large.detected[0] <= 4  # false alarms near alpha = 5%
    assert small.detected[2] == large.detected[2] == 20  # every image moved: always found
    assert large.detected[1] > small.detected[1]  # a partial shift needs more data
    assert conforms(large) == []
    ks = detection_power(x, [0.0, 1.0], n_per_split=60, trials=10, test="ks")
    assert ks.detected == (0, 10)
    # PSI's rule of thumb is not a test: with 60 examples and 64 pixels some pixel always "shifts"
    assert detection_power(x, [0.0], n_per_split=60, trials=10, test="psi").detected == (10,)
    with pytest.raises(InvalidParameterError, match="n_per_split"):
        detection_power(x[:50], [0.1], n_per_split=30)
    with pytest.raises(InvalidParameterError, match="test"):
        detection_power(x, [0.1], test="chi2")


# --- a Lighthouse-1.3-style audit on our own data ----------------------------------------------------

def test_fake_quantize_grid_and_error_bound():
    from simlib.evaluation.audit import fake_quantize

    rng = np.random.default_rng(0)
    w = rng.normal(0, 1, 1000)
    for bits in (8, 4, 2):
        q = fake_quantize(w, bits)
        scale = np.abs(w).max() / (2 ** (bits - 1) - 1)
        assert np.max(np.abs(q - w)) <= scale / 2 + 1e-12
        assert len(np.unique(q)) <= 2 ** bits - 1
    assert np.array_equal(fake_quantize(np.zeros(3)), np.zeros(3))


def _linear(w, b):
    return lambda x: x @ w.T + b


def test_audit_quantized_logistic_regression_on_digits():
    from sklearn.linear_model import LogisticRegression

    from simlib.evaluation.audit import audit_variants, fake_quantize
    from simlib.models.digits import digits_data

    x_tr, y_tr, x_te, y_te = digits_data()
    m = LogisticRegression(max_iter=1000).fit(x_tr, y_tr)
    w, b = m.coef_, m.intercept_
    fns, sizes = {}, {}
    for bits in (32, 8, 2):
        wq = w if bits == 32 else fake_quantize(w, bits)
        fns[f"{bits}-bit"] = _linear(wq, b)
        sizes[f"{bits}-bit"] = w.size * bits / 8 + b.size * 4
    r = audit_variants(fns, x_te, y_te, shift_digits(x_te, dx=1), y_te, sizes)
    assert r.top1[0].estimate == pytest.approx(m.score(x_te, y_te))
    assert r.change(1) == "no clear change" and r.change(1, "edge") == "no clear change"  # 8-bit: within noise
    assert r.change(2).startswith("down") and r.change(2, "edge").startswith("down")  # 2-bit: clearly worse
    assert r.edge[0].high < r.top1[0].low  # a one-pixel move is an edge case the aggregate hides
    assert ece_band(r.ece[2]) == "poorly calibrated" and r.ece[2] > r.ece[0]
    assert all(t5.estimate >= t1.estimate for t1, t5 in zip(r.top1, r.top5, strict=True))
    f = frontier(r.variants())
    assert f.front == ("8-bit", "2-bit") and f.dominated_by["32-bit"] == ("8-bit",)
    assert conforms(r) == [] and conforms(f) == []
    with pytest.raises(InvalidParameterError, match="size_bytes"):
        audit_variants(fns, x_te, y_te, x_te, y_te, {"32-bit": 1.0})

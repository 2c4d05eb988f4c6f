"""The statistical confidence trap (source chapter, Napkin Math 1.1, seed lines 119-127), measured.

Three questions, each with a closed form and a check:

1. *The napkin.* :func:`confidence_trap` recomputes the source's example (1,000 test samples,
   95% against 94% accuracy): expected errors, the binomial standard deviation, the 95% interval
   on the error count, the 1,825 samples for a +-1 pp interval and the samples per model that a
   two-proportion test needs to separate the two models.
2. *Two real classifiers.* :func:`compare_predictions` compares two classifiers' predictions:
   Wilson interval per model, the difference with a bootstrap interval and a p-value. On ONE test
   split the predictions are paired (the same items): the test is McNemar's exact test on the
   items where the models disagree, and the bootstrap resamples items. On two independent
   splits the test is the pooled two-proportion z-test and the bootstrap resamples each split.
   :func:`digits_comparison` trains two digits classifiers (:mod:`simlib.models.digits`) that
   differ only in width and compares them on the shared held-out split.
3. *Latency.* :func:`runs_to_separate`: timed runs per configuration needed to separate two
   configurations whose typical run time differs by a fraction, given the run-to-run CV
   (two-sample t-test sizing, :func:`simlib.stats.sample_size_two_means`), checked by a
   seeded simulation of the decision itself.

Libraries: SciPy's ``binomtest`` (exact McNemar), ``norm`` and ``bootstrap``; statsmodels is not
a dependency, so the two-proportion z-test and Connor's paired sample size are written out here
(each a two-line textbook formula, tested against SciPy's chi-square test and a simulation).

>>> t = confidence_trap()
>>> t.errors_a_count, round(t.sigma_errors_count, 2), [round(v) for v in t.errors_ci_count]
(50.0, 6.89, [36, 64])
>>> t.n_for_margin, t.n_per_model_independent
(1825, 8158)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

from simlib._validate import Options, Range, invalid, validate_params
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import (
    Interval,
    cv,
    sample_size_proportion,
    sample_size_two_means,
    sample_size_two_proportions,
    wilson_ci,
)

__all__ = ["AccuracyComparison", "ConfidenceTrap", "RunsToSeparate", "compare_predictions", "confidence_trap",
           "digits_comparison", "mcnemar_sample_size", "runs_to_separate", "two_proportion_power",
           "two_proportion_z_test"]

_PROB = Range(0, 1, closed="neither")
_CONF = Range(0, 1, closed="neither")
_POWER = Range(0, 1, closed="neither")


def _z(confidence: float) -> float:
    return float(_st.norm.ppf(0.5 + confidence / 2))


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def two_proportion_z_test(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (independent samples).

    z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)), p the pooled proportion; the same as
    Pearson's chi-square test on the 2x2 table without continuity correction.

    >>> round(two_proportion_z_test(950, 1000, 940, 1000), 3)
    0.327
    """
    pa, pb = successes_a / n_a, successes_b / n_b
    pool = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pool * (1 - pool) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 1.0
    return float(2 * _st.norm.sf(abs(pb - pa) / se))


@validate_params({"p1": _PROB, "p2": _PROB, "n_per_model": Range(1, None, integer=True), "alpha": _CONF})
def two_proportion_power(p1: float, p2: float, n_per_model: int, alpha: float = 0.05) -> float:
    """Power of the two-sided pooled z-test to separate accuracies ``p1`` and ``p2`` with
    ``n_per_model`` independent test samples each (normal approximation; the inverse of
    :func:`simlib.stats.sample_size_two_proportions`).

    >>> round(two_proportion_power(0.95, 0.94, 1000), 3), round(two_proportion_power(0.95, 0.94, 8158), 2)
    (0.164, 0.8)
    """
    za = float(_st.norm.ppf(1 - alpha / 2))
    pbar = (p1 + p2) / 2
    num = abs(p1 - p2) * math.sqrt(n_per_model) - za * math.sqrt(2 * pbar * (1 - pbar))
    return float(_st.norm.cdf(num / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))))


@validate_params({"difference": Range(-1, 1, closed="neither"), "discordant_fraction": Range(0, 1, closed="right"),
                  "alpha": _CONF, "power": _POWER})
def mcnemar_sample_size(difference: float, discordant_fraction: float, alpha: float = 0.05,
                        power: float = 0.8) -> int:
    """Test items needed to separate two classifiers evaluated on the SAME items (McNemar),
    Connor (1987): n = (z_a sqrt(psi) + z_b sqrt(psi - d^2))^2 / d^2, with ``difference`` d the
    accuracy difference and ``discordant_fraction`` psi the fraction of items on which the two
    models disagree (one right, one wrong); |d| <= psi always.

    A 1 pp difference with 2% of items discordant needs far fewer items than two independent
    test sets (8,158 per model):

    >>> mcnemar_sample_size(0.01, 0.02)
    1568
    """
    d, psi = abs(difference), discordant_fraction
    if d == 0:
        raise invalid("difference", "is 0: no sample size separates equal accuracies", "a nonzero number in (-1, 1)",
                      owner="mcnemar_sample_size")
    if d > psi:
        raise invalid("discordant_fraction", f"is {psi:g}, below |difference| = {d:g} (impossible: the models "
                      "differ only where they disagree)", f"a number in [{d:g}, 1]", owner="mcnemar_sample_size")
    za, zb = float(_st.norm.ppf(1 - alpha / 2)), float(_st.norm.ppf(power))
    return math.ceil((za * math.sqrt(psi) + zb * math.sqrt(psi - d * d)) ** 2 / d**2 - 1e-9)


# ---------------------------------------------------------------- 1. the napkin


@dataclass(frozen=True, repr=False)
class ConfidenceTrap(ResultDisplay):
    """Napkin Math 1.1 recomputed from its inputs (MODELED: binomial arithmetic, no data).

    Counts are errors on the test set. ``errors_ci_count`` uses the exact sigma;
    ``errors_ci_rounded_sigma_count`` the source's rounded sigma (7). ``p_value_independent`` is
    the two-proportion z-test at the expected counts; ``power_independent`` its power at
    ``n_test``; ``p_value_paired_best`` McNemar's exact p when the two models disagree on only
    the items that make up the difference (the most favourable paired case).
    """

    n_test: int
    accuracy_a: float
    accuracy_b: float
    confidence: float
    margin: float
    alpha: float
    power: float
    errors_a_count: float
    errors_b_count: float
    sigma_errors_count: float
    sigma_rounded_count: float
    errors_ci_count: tuple[float, float]
    errors_ci_rounded_sigma_count: tuple[float, float]
    b_inside_a_interval: bool
    n_for_margin: int
    n_per_model_independent: int
    power_independent: float
    p_value_independent: float
    p_value_paired_best: float

    kind = "modeled"
    warnings = ()

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(n_test=self.n_test, accuracy_a=self.accuracy_a, accuracy_b=self.accuracy_b,
                              confidence=self.confidence, margin=self.margin, alpha=self.alpha, power=self.power)

    @property
    def summary(self) -> dict[str, Any]:
        return {"n": self.n_test, "errors_a_count": self.errors_a_count, "errors_b_count": self.errors_b_count,
                "sigma_errors_count": self.sigma_errors_count, "errors_ci_count": list(self.errors_ci_count),
                "errors_ci_rounded_sigma_count": list(self.errors_ci_rounded_sigma_count),
                "n_for_margin_count": self.n_for_margin, "n_per_model_independent_count": self.n_per_model_independent,
                "power_independent_fraction": self.power_independent,
                "p_value_independent_fraction": self.p_value_independent,
                "p_value_paired_best_fraction": self.p_value_paired_best}

    def _rows(self) -> list[tuple[str, str]]:
        lo, hi = self.errors_ci_count
        return [
            ("expected errors", f"{self.errors_a_count:g} (A, {_pct(self.accuracy_a)}) vs {self.errors_b_count:g} "
                                f"(B, {_pct(self.accuracy_b)}) of {self.n_test}"),
            ("sigma of A's errors", f"{self.sigma_errors_count:.2f} (the source rounds to {self.sigma_rounded_count:g})"),
            (f"{self.confidence:.0%} interval, A's errors", f"[{lo:.1f}, {hi:.1f}]; B's count is "
                                                            + ("inside" if self.b_inside_a_interval else "outside")),
            (f"samples for +-{self.margin * 100:g} pp", f"{self.n_for_margin}"),
            ("samples per model to separate", f"{self.n_per_model_independent} (independent test sets, power "
                                              f"{self.power:.0%}, alpha {self.alpha:g})"),
            (f"power at {self.n_test} per model", f"{self.power_independent:.0%}"),
            ("p-value, independent", f"{self.p_value_independent:.3f} (two-proportion z-test)"),
            ("p-value, paired, best case", f"{self.p_value_paired_best:.4f} (McNemar, disagreeing only on the "
                                           f"{abs(self.errors_b_count - self.errors_a_count):g} items)"),
        ]


@validate_params({"n_test": Range(1, None, integer=True), "accuracy_a": _PROB, "accuracy_b": _PROB,
                  "confidence": _CONF, "margin": Range(0, 1, closed="neither", unit="(fraction, 0.01 = 1 pp)"),
                  "alpha": _CONF, "power": _POWER})
def confidence_trap(n_test: int = 1000, accuracy_a: float = 0.95, accuracy_b: float = 0.94,
                    confidence: float = 0.95, margin: float = 0.01, alpha: float = 0.05,
                    power: float = 0.8) -> ConfidenceTrap:
    """Napkin Math 1.1 as a function of its inputs (defaults: the source's numbers).

    Source: 50 vs 60 errors; sigma ~ 7; 50 +- 1.96 x 7 ~ [36, 64]; about 1,825 samples for a
    +-1 pp interval at 95%; separating the two models "requires a larger two-proportion power
    calculation" (8,158 per model at 80% power).
    """
    if accuracy_a == accuracy_b:
        raise invalid("accuracy_b", "equals accuracy_a: there is no difference to detect",
                      "a number in (0, 1) other than accuracy_a", owner="confidence_trap")
    ea, eb = round(n_test * (1 - accuracy_a), 9), round(n_test * (1 - accuracy_b), 9)  # 50.00000000000004 -> 50
    pa = 1 - accuracy_a
    sigma = math.sqrt(n_test * pa * (1 - pa))
    z = _z(confidence)
    sr = float(round(sigma))
    diff_items = round(abs(eb - ea))
    p_paired = float(_st.binomtest(0, diff_items, 0.5).pvalue) if diff_items else 1.0
    return ConfidenceTrap(
        n_test, accuracy_a, accuracy_b, confidence, margin, alpha, power, ea, eb, sigma, sr,
        (ea - z * sigma, ea + z * sigma), (ea - z * sr, ea + z * sr), ea - z * sigma <= eb <= ea + z * sigma,
        sample_size_proportion(accuracy_a, margin, confidence),
        sample_size_two_proportions(accuracy_a, accuracy_b, alpha, power),
        two_proportion_power(accuracy_a, accuracy_b, n_test, alpha),
        two_proportion_z_test(round(n_test - ea), n_test, round(n_test - eb), n_test), p_paired)


# ---------------------------------------------------------------- 2. two real classifiers


@dataclass(frozen=True, repr=False)
class AccuracyComparison(ResultDisplay):
    """Two classifiers' accuracies and their difference (B - A), with intervals and a test.

    ``kind`` is "measured" when the predictions come from real models on real data (the default),
    "modeled" for simulated ones. ``design`` "paired": one test split, McNemar's exact test and a
    bootstrap over items; "independent": two test splits, the pooled z-test and a two-sample
    bootstrap. ``n_needed`` is the test size at which a difference of this size would be
    detected with ``power`` (Connor's McNemar size when paired, with the observed discordance;
    :func:`simlib.stats.sample_size_two_proportions` per model when independent); None when
    the observed difference is 0.
    """

    label_a: str
    label_b: str
    design: str
    n_a: int
    n_b: int
    correct_a: int
    correct_b: int
    a_only_count: int | None  #: items A got right and B wrong (paired only)
    b_only_count: int | None  #: items B got right and A wrong (paired only)
    accuracy_a_ci: Interval
    accuracy_b_ci: Interval
    difference_ci: Interval
    p_value: float
    test: str
    alpha: float
    power: float
    n_needed: int | None
    kind: str = "measured"
    extra_settings: tuple[tuple[str, Any], ...] = ()

    warnings = ()

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(label_a=self.label_a, label_b=self.label_b, design=self.design, alpha=self.alpha,
                              power=self.power, **dict(self.extra_settings))

    @property
    def difference(self) -> float:
        return self.difference_ci.estimate

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        """Words chosen by the test: which model is more accurate, or no clear difference."""
        if not self.significant:
            return (f"no clear difference (p = {self.p_value:.2g} at alpha {self.alpha:g}; the "
                    f"{self.difference_ci.confidence:.0%} interval of the difference includes 0)"
                    if self.difference_ci.contains(0.0) else
                    f"no clear difference (p = {self.p_value:.2g} at alpha {self.alpha:g})")
        better = self.label_b if self.difference > 0 else self.label_a
        return f"{better} is more accurate (p = {self.p_value:.2g})"

    @property
    def summary(self) -> dict[str, Any]:
        d = self.difference_ci
        return {"n": self.n_a, "accuracy_a_fraction": self.accuracy_a_ci.estimate,
                "accuracy_a_ci_fraction": [self.accuracy_a_ci.low, self.accuracy_a_ci.high],
                "accuracy_b_fraction": self.accuracy_b_ci.estimate,
                "accuracy_b_ci_fraction": [self.accuracy_b_ci.low, self.accuracy_b_ci.high],
                "difference_fraction": d.estimate, "difference_ci_fraction": [d.low, d.high],
                "p_value_fraction": self.p_value, "a_only_count": self.a_only_count, "b_only_count": self.b_only_count,
                "n_needed_count": self.n_needed, "ci_method": d.method, "verdict": self.verdict}

    def _rows(self) -> list[tuple[str, str]]:
        a, b, d = self.accuracy_a_ci, self.accuracy_b_ci, self.difference_ci
        rows = [("difference (B - A)", f"{d.estimate * 100:+.2f} pp [{d.low * 100:+.2f}, {d.high * 100:+.2f}] "
                                       f"({d.confidence:.0%} {d.method})"),
                ("verdict", self.verdict),
                (f"A: {self.label_a}", f"{_pct(a.estimate)} [{_pct(a.low)}, {_pct(a.high)}] ({self.correct_a}/{self.n_a}, "
                                       f"{a.method})"),
                (f"B: {self.label_b}", f"{_pct(b.estimate)} [{_pct(b.low)}, {_pct(b.high)}] ({self.correct_b}/{self.n_b}, "
                                       f"{b.method})"),
                ("test", f"{self.test}: p = {self.p_value:.3g}")]
        if self.design == "paired":
            rows.append(("disagreements", f"A right, B wrong: {self.a_only_count}; B right, A wrong: {self.b_only_count}"))
        need = "no difference observed" if self.n_needed is None else (
            f"{self.n_needed} test items" + (" per model" if self.design == "independent" else " (shared)"))
        rows.append((f"to separate at power {self.power:.0%}", need))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"design": self.design, "test": self.test}


def _labels(y, name: str) -> np.ndarray:
    a = np.asarray(y).ravel()
    if a.size == 0:
        raise invalid(name, "is empty", "a 1-D sequence of at least one label", owner="compare_predictions")
    return a


def _paired_bootstrap(d: np.ndarray, confidence: float, n_resamples: int, seed: int) -> Interval:
    est = float(d.mean())
    if np.all(d == d[0]):  # every resample gives the same mean
        return Interval(est, est, est, confidence, "paired bootstrap")
    res = _st.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                        rng=np.random.default_rng(seed), method="percentile")
    return Interval(est, float(res.confidence_interval.low), float(res.confidence_interval.high), confidence,
                    "paired bootstrap")


def _independent_bootstrap(ca: np.ndarray, cb: np.ndarray, confidence: float, n_resamples: int,
                           seed: int) -> Interval:
    est = float(cb.mean() - ca.mean())
    rng = np.random.default_rng(seed)
    ma = rng.choice(ca, size=(n_resamples, ca.size)).mean(axis=1)  # resample each split on its own
    mb = rng.choice(cb, size=(n_resamples, cb.size)).mean(axis=1)
    lo, hi = np.quantile(mb - ma, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Interval(est, float(lo), float(hi), confidence, "two-sample bootstrap")


@validate_params({"design": Options(("paired", "independent")), "confidence": _CONF, "alpha": _CONF,
                  "power": _POWER, "n_resamples": Range(100, None, integer=True), "kind": Options(("measured", "modeled"))})
def compare_predictions(y_true: Sequence[int] | np.ndarray, pred_a: Sequence[int] | np.ndarray,
                        pred_b: Sequence[int] | np.ndarray, *, y_true_b: Sequence[int] | np.ndarray | None = None,
                        design: str = "paired", labels: tuple[str, str] = ("A", "B"), confidence: float = 0.95,
                        alpha: float = 0.05, power: float = 0.8, n_resamples: int = 2000, seed: int = 0,
                        kind: str = "measured") -> AccuracyComparison:
    """Compare two classifiers' predictions: accuracy of each (Wilson), the difference B - A
    (bootstrap interval), a p-value, and the test size that would separate a difference this large.

    ``design="paired"`` (one test split, ``pred_a`` and ``pred_b`` on the same items ``y_true``):
    McNemar's exact test (binomial on the discordant items). ``design="independent"`` (each model
    on its own split: ``pred_b`` is judged against ``y_true_b``): the pooled two-proportion z-test.
    Accuracies are fractions in [0, 1]; differences are fractions (0.01 = 1 pp).

    >>> y = np.array([0, 1] * 50)
    >>> a = y.copy(); a[:10] = 1 - a[:10]          # A wrong on items 0-9
    >>> b = y.copy(); b[:2] = 1 - b[:2]            # B wrong on items 0-1 only
    >>> c = compare_predictions(y, a, b)
    >>> c.correct_a, c.correct_b, c.a_only_count, c.b_only_count, round(c.p_value, 4)
    (90, 98, 0, 8, 0.0078)
    """
    y, pa, pb = _labels(y_true, "y_true"), _labels(pred_a, "pred_a"), _labels(pred_b, "pred_b")
    yb = y if y_true_b is None else _labels(y_true_b, "y_true_b")
    if design == "paired" and y_true_b is not None:
        raise invalid("y_true_b", "is given with design='paired' (one test split has one set of labels)",
                      "None, or design='independent'", owner="compare_predictions")
    if pa.shape != y.shape:
        raise invalid("pred_a", f"has {pa.size} predictions for {y.size} labels", f"{y.size} predictions",
                      owner="compare_predictions")
    if pb.shape != yb.shape:
        raise invalid("pred_b", f"has {pb.size} predictions for {yb.size} labels", f"{yb.size} predictions",
                      owner="compare_predictions")
    ca, cb = (pa == y).astype(float), (pb == yb).astype(float)
    na, nb, sa, sb = ca.size, cb.size, int(ca.sum()), int(cb.sum())
    wa, wb = wilson_ci(sa, na, confidence), wilson_ci(sb, nb, confidence)
    if design == "paired":
        a_only, b_only = int(np.sum((ca == 1) & (cb == 0))), int(np.sum((ca == 0) & (cb == 1)))
        disc = a_only + b_only
        p = float(_st.binomtest(a_only, disc, 0.5).pvalue) if disc else 1.0
        diff = _paired_bootstrap(cb - ca, confidence, n_resamples, seed)
        test = "McNemar exact (binomial on discordant items)"
        need = (mcnemar_sample_size(diff.estimate, disc / na, alpha, power) if diff.estimate != 0 else None)
    else:
        a_only = b_only = None
        p = two_proportion_z_test(sa, na, sb, nb)
        diff = _independent_bootstrap(ca, cb, confidence, n_resamples, seed)
        test = "two-proportion z-test (pooled)"
        pa_, pb_ = min(max(sa / na, 1e-6), 1 - 1e-6), min(max(sb / nb, 1e-6), 1 - 1e-6)
        need = sample_size_two_proportions(pa_, pb_, alpha, power) if pa_ != pb_ else None
    return AccuracyComparison(labels[0], labels[1], design, na, nb, sa, sb, a_only, b_only, wa, wb, diff, p, test,
                              alpha, power, need, kind, (("confidence", confidence), ("n_resamples", n_resamples),
                                                         ("seed", seed)))


@validate_params({"hidden_a": Range(4, 4096, integer=True), "hidden_b": Range(4, 4096, integer=True),
                  "epochs": Range(1, 10_000, integer=True), "n_test": [Range(10, None, integer=True), None],
                  "seed_a": Range(0, None, integer=True), "seed_b": Range(0, None, integer=True)})
def digits_comparison(hidden_a: int = 16, hidden_b: int = 64, *, seed_a: int = 0, seed_b: int = 0,
                      epochs: int = 30, n_test: int | None = None, subsample_seed: int = 0, alpha: float = 0.05,
                      power: float = 0.8, use_cache: bool = True) -> AccuracyComparison:
    """Train two digits classifiers and compare them on the SAME held-out split (MEASURED, paired).

    The models (:func:`simlib.models.digits.digits_classifier`) differ in width (``hidden_a``,
    ``hidden_b``) and/or initialization seed (``seed_a``, ``seed_b``); both train on split 0 of
    :func:`simlib.models.digits.digits_data` (1,347 images) and are tested on its 450 held-out
    images, or on ``n_test`` of them drawn with ``subsample_seed`` (a smaller benchmark, to see the
    trap). A seed changes the model's initialization and batch order, not the split.
    """
    import torch

    from simlib.models.digits import _build, _train, digits_data

    x_tr, y_tr, x_te, y_te = digits_data(0)
    if n_test is not None:
        if n_test > y_te.size:
            raise invalid("n_test", f"is {n_test}, more than the {y_te.size} held-out digits",
                          f"an integer in [10, {y_te.size}] or None", owner="digits_comparison")
        idx = np.sort(np.random.default_rng(subsample_seed).choice(y_te.size, n_test, replace=False))
        x_te, y_te = x_te[idx], y_te[idx]
    preds = []
    for hidden, seed in ((hidden_a, seed_a), (hidden_b, seed_b)):
        if seed == 0 and use_cache:  # the library's cached model (trained on split 0 with seed 0)
            from simlib.models.digits import digits_classifier
            model = digits_classifier(hidden=hidden, epochs=epochs, seed=0)
        else:  # same split, other initialization: train here (a few seconds)
            torch.manual_seed(seed)
            model = _build(hidden)
            opt = torch.optim.Adam(model.parameters(), lr=3e-3)
            with torch_threads(1):
                _train(model, opt, torch.from_numpy(x_tr), torch.from_numpy(y_tr),
                       torch.Generator().manual_seed(seed), epochs)
            model.eval()
        with torch.no_grad():
            preds.append(model(torch.from_numpy(x_te)).argmax(1).numpy())
    labels = (f"MLP hidden={hidden_a} seed={seed_a}", f"MLP hidden={hidden_b} seed={seed_b}")
    c = compare_predictions(y_te, preds[0], preds[1], labels=labels, alpha=alpha, power=power)
    extra = dict(c.extra_settings) | {"epochs": epochs, "n_test": int(y_te.size), "subsample_seed": subsample_seed,
                                      "dataset": "sklearn load_digits, split 0 (25% held out, stratified)"}
    return AccuracyComparison(**{**c.__dict__, "extra_settings": tuple(extra.items())})


# ---------------------------------------------------------------- 3. latency: runs to separate


@dataclass(frozen=True, repr=False)
class RunsToSeparate(ResultDisplay):
    """Timed runs per configuration to separate two configurations (MODELED, with a simulation check).

    ``n_runs`` comes from the closed form (two-sample t-test sizing with the run-to-run CV as the
    standard deviation, in units of the typical run time). ``simulated_power`` is the fraction of
    ``n_experiments`` seeded simulated experiments (normal run-to-run noise) in which Welch's test
    separated the configurations at ``n_runs`` runs each, with its Wilson interval;
    ``simulated_power_half`` the same at half as many runs.
    """

    relative_difference: float
    run_cv: float
    alpha: float
    power: float
    n_runs: int
    simulated_power: Interval
    simulated_power_half: Interval
    n_experiments: int
    seed: int
    cv_source: str

    kind = "modeled"

    @property
    def warnings(self) -> tuple[str, ...]:
        if self.simulated_power.contains(self.power):
            return ()
        s = self.simulated_power
        if s.low > self.power:
            return (f"the closed form is conservative at this size: {self.n_runs} runs gave power {s.estimate:.0%} "
                    f"[{s.low:.0%}, {s.high:.0%}] in simulation, above the target {self.power:.0%}; fewer runs may do",)
        return (f"the closed form is optimistic at this size: {self.n_runs} runs gave power only {s.estimate:.0%} "
                f"[{s.low:.0%}, {s.high:.0%}] in simulation, below the target {self.power:.0%}; take more runs",)

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(relative_difference=self.relative_difference, run_cv=self.run_cv, alpha=self.alpha,
                              power=self.power, n_experiments=self.n_experiments, seed=self.seed,
                              cv_source=self.cv_source)

    @property
    def summary(self) -> dict[str, Any]:
        s, h = self.simulated_power, self.simulated_power_half
        return {"n_runs_count": self.n_runs, "cv": self.run_cv, "relative_difference_fraction": self.relative_difference,
                "simulated_power_fraction": s.estimate, "simulated_power_ci_fraction": [s.low, s.high],
                "simulated_power_half_fraction": h.estimate, "ci_method": s.method}

    def _rows(self) -> list[tuple[str, str]]:
        s, h = self.simulated_power, self.simulated_power_half
        return [("runs per configuration", f"{self.n_runs} (to separate a {self.relative_difference:.1%} difference at "
                                           f"CV {self.run_cv:.2%}, alpha {self.alpha:g}, power {self.power:.0%})"),
                ("simulated power", f"{s.estimate:.1%} [{s.low:.1%}, {s.high:.1%}] at {self.n_runs} runs "
                                    f"({self.n_experiments} experiments, seed {self.seed})"),
                ("with half the runs", f"{h.estimate:.1%} at {max(2, self.n_runs // 2)} runs"),
                ("CV from", self.cv_source)]


def _simulated_power(n: int, rel: float, c: float, alpha: float, n_exp: int, rng: np.random.Generator) -> Interval:
    a = rng.normal(1.0, c, size=(n_exp, n))
    b = rng.normal(1.0 + rel, c, size=(n_exp, n))
    p = _st.ttest_ind(b, a, axis=1, equal_var=False).pvalue
    hits = int(np.sum(p < alpha))
    return wilson_ci(hits, n_exp)


@validate_params({"relative_difference": Range(0, 1, closed="neither", unit="(fraction, 0.02 = 2%)"),
                  "run_cv": [Range(0, None, closed="neither"), None], "alpha": _CONF, "power": _POWER,
                  "n_experiments": Range(100, 100_000, integer=True)})
def runs_to_separate(relative_difference: float = 0.02, run_cv: float | None = None, *,
                     samples_s: Sequence[float] | np.ndarray | None = None, alpha: float = 0.05,
                     power: float = 0.8, n_experiments: int = 2000, seed: int = 0) -> RunsToSeparate:
    """How many timed runs per configuration separate two configurations whose typical run time
    differs by ``relative_difference`` (0.02 = 2%), given the run-to-run coefficient of variation.

    Give the CV (``run_cv``) or the measured run times (``samples_s``, seconds; the CV is taken
    from them with :func:`simlib.stats.cv`). Closed form: n = runs of
    :func:`simlib.stats.sample_size_two_means` with delta = ``relative_difference`` and sd =
    CV (both in units of the typical run time). With symmetric run-to-run noise the median and
    the mean move together, so this is also the size for a difference of medians judged by
    Welch's test; the seeded simulation checks it.

    >>> r = runs_to_separate(0.02, 0.03, n_experiments=1000)
    >>> r.n_runs, r.simulated_power.contains(0.8)
    (37, True)
    """
    if (run_cv is None) == (samples_s is None):
        raise invalid("run_cv", "and samples_s are both given or both missing", "exactly one of run_cv or samples_s",
                      owner="runs_to_separate")
    if samples_s is not None:
        c, source = cv(samples_s), f"measured: CV of {np.asarray(samples_s).size} runs"
    else:
        c, source = float(run_cv), "given"
    n = sample_size_two_means(relative_difference, c, alpha, power)
    rng = np.random.default_rng(seed)
    sim = _simulated_power(n, relative_difference, c, alpha, n_experiments, rng)
    half = _simulated_power(max(2, n // 2), relative_difference, c, alpha, n_experiments, rng)
    return RunsToSeparate(relative_difference, c, alpha, power, n, sim, half, n_experiments, seed, source)

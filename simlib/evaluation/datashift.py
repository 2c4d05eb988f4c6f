"""Benchmarking the data: coverage of the classes and distribution shift between two splits.

- :func:`class_balance`: each class's share, the smallest share and the imbalance ratio;
- :func:`label_distance`: total-variation and Jensen-Shannon distance between two label
  distributions (``scipy.spatial.distance.jensenshannon``, base 2, so in [0, 1]);
- :func:`shift_report`: per-feature two-sample Kolmogorov-Smirnov tests (``scipy.stats.ks_2samp``, asymptotic p-values)
  with a Bonferroni correction over the features, and a classifier two-sample test: a logistic
  regression (scikit-learn) tries to tell the two splits apart under stratified cross-validation;
  its accuracy is tested against what chance gives with a one-sided exact binomial test
  (``scipy.stats.binomtest``) against the majority share. A shift is reported when either test
  rejects at ``alpha``;
- :func:`shift_digits`: a controlled covariate shift of the 8x8 digits images (translate by whole
  pixels, scale the ink), for demonstrations whose true shift is known.

>>> bal = class_balance([0, 0, 0, 1])
>>> bal["min_share"], bal["imbalance_ratio"]
(0.25, 3.0)
>>> round(label_distance([0, 0, 1, 1], [0, 0, 0, 1])["total_variation"], 2)
0.25
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import Options, Range, invalid, validate_params
from simlib.evaluation.metrics import _labels
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["DetectionPower", "ShiftReport", "class_balance", "detection_power", "label_distance", "mmd_test", "psi",
           "shift_digits", "shift_report", "translate_fraction"]


def class_balance(y: Any, n_classes: int | None = None) -> dict[str, Any]:
    """``shares`` (fraction per class), ``min_share``, ``max_share``, ``imbalance_ratio`` (largest
    count over smallest; inf when a class is absent) and ``missing`` (classes with no example)."""
    a = _labels(y, "y")
    k = max(int(a.max()) + 1, n_classes or 0)
    counts = np.bincount(a, minlength=k)
    shares = counts / counts.sum()
    return {"counts": counts.tolist(), "shares": shares.tolist(), "min_share": float(shares.min()),
            "max_share": float(shares.max()),
            "imbalance_ratio": float(counts.max() / counts.min()) if counts.min() > 0 else float("inf"),
            "missing": [int(c) for c in np.flatnonzero(counts == 0)]}


def label_distance(y_a: Any, y_b: Any) -> dict[str, float]:
    """Distances between the label distributions of two splits: ``total_variation`` (half the L1
    distance of the shares, in [0, 1]) and ``jensen_shannon`` (SciPy, base 2, in [0, 1])."""
    from scipy.spatial.distance import jensenshannon

    a, b = _labels(y_a, "y_a"), _labels(y_b, "y_b")
    k = max(int(a.max()), int(b.max())) + 1
    pa, pb = np.bincount(a, minlength=k) / len(a), np.bincount(b, minlength=k) / len(b)
    return {"total_variation": float(0.5 * np.abs(pa - pb).sum()), "jensen_shannon": float(jensenshannon(pa, pb, 2))}


@validate_params({"dx": Range(-7, 7, integer=True), "dy": Range(-7, 7, integer=True),
                  "ink_scale": Range(0, 10, closed="right")})
def shift_digits(x: Any, dx: int = 0, dy: int = 0, ink_scale: float = 1.0) -> np.ndarray:
    """The 8x8 digit images ``x`` (shape (n, 64), pixels in [0, 1]) translated by ``dx`` columns
    right and ``dy`` rows down (pixels shifted out are lost, new ones are 0) and their ink
    multiplied by ``ink_scale`` (clipped to [0, 1]).

    >>> img = np.zeros((1, 64)); img[0, 0] = 1.0
    >>> int(np.flatnonzero(shift_digits(img, dx=2, dy=1))[0])
    10
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.shape[1] != 64:
        raise invalid("x", f"got shape {a.shape}", "shape (n, 64): flattened 8x8 images", owner="shift_digits")
    img = a.reshape(-1, 8, 8)
    out = np.zeros_like(img)
    ys, yd = (slice(0, 8 - dy), slice(dy, 8)) if dy >= 0 else (slice(-dy, 8), slice(0, 8 + dy))
    xs, xd = (slice(0, 8 - dx), slice(dx, 8)) if dx >= 0 else (slice(-dx, 8), slice(0, 8 + dx))
    out[:, yd, xd] = img[:, ys, xs]
    return np.clip(out * ink_scale, 0.0, 1.0).reshape(len(a), 64)


@dataclass(frozen=True, repr=False)
class ShiftReport(ResultDisplay):
    """Is split B drawn from the same distribution as split A? Per-feature KS tests (Bonferroni)
    and a classifier two-sample test, each decided at ``alpha``; label distances if labels were given."""

    kind: str
    settings: dict
    warnings: tuple
    n_a: int
    n_b: int
    alpha: float
    ks_statistics: tuple
    ks_pvalues: tuple
    classifier_accuracy: float
    chance_accuracy: float
    classifier_pvalue: float
    labels: dict | None

    @property
    def ks_shifted_features(self) -> list[int]:
        """Features whose KS p-value is below alpha / (number of features tested)."""
        m = max(1, sum(1 for p in self.ks_pvalues if p is not None))
        return [i for i, p in enumerate(self.ks_pvalues) if p is not None and p < self.alpha / m]

    @property
    def shifted(self) -> bool:
        return bool(self.ks_shifted_features) or self.classifier_pvalue < self.alpha

    @property
    def summary(self) -> dict[str, Any]:
        s = {"n": self.n_a + self.n_b, "a_count": self.n_a, "b_count": self.n_b,
             "ks_shifted_count": len(self.ks_shifted_features),
             "ks_max_statistic_fraction": max(self.ks_statistics) if self.ks_statistics else None,
             "classifier_accuracy_fraction": self.classifier_accuracy,
             "chance_accuracy_fraction": self.chance_accuracy, "classifier_pvalue_fraction": self.classifier_pvalue,
             "verdict": "shift detected" if self.shifted else "no shift detected"}
        if self.labels:
            s["label_tv_fraction"] = self.labels["total_variation"]
            s["label_js_fraction"] = self.labels["jensen_shannon"]
        return s

    def _rows(self) -> list[tuple[str, str]]:
        m = sum(1 for p in self.ks_pvalues if p is not None)
        rows = [("verdict", f"{'shift detected' if self.shifted else 'no shift detected'} at alpha={self.alpha}"),
                ("KS per feature", f"{len(self.ks_shifted_features)} of {m} features differ (Bonferroni, p < "
                                   f"{self.alpha / max(m, 1):.2g})"),
                ("classifier two-sample", f"accuracy {self.classifier_accuracy:.1%} vs chance "
                                          f"{self.chance_accuracy:.1%}, p = {self.classifier_pvalue:.3g}"),
                ("splits", f"A {self.n_a}, B {self.n_b} examples")]
        if self.labels:
            rows.append(("label distance", f"TV {self.labels['total_variation']:.3f}, "
                                           f"JS {self.labels['jensen_shannon']:.3f}"))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"ks_statistics": list(self.ks_statistics), "ks_pvalues": list(self.ks_pvalues),
                "ks_shifted_features": self.ks_shifted_features}


@validate_params({"alpha": Range(0, 1, closed="neither"), "folds": Range(2, 20, integer=True),
                  "seed": Range(0, None, integer=True)})
def shift_report(x_a: Any, x_b: Any, y_a: Any = None, y_b: Any = None, alpha: float = 0.05, folds: int = 5,
                 seed: int = 0) -> ShiftReport:
    """Test whether ``x_b`` (shape (n_b, features)) comes from the distribution of ``x_a``.

    Features constant in both splits are skipped by KS (p-value None). The classifier test's
    p-value is P(Binomial(n, chance) >= correct): the cross-validated predictions are not quite
    independent, a known small liberal bias of this test (Lopez-Paz and Oquab 2017).

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(0, 1, (300, 4)), rng.normal(0, 1, (300, 4))
    >>> shift_report(a, b).shifted, shift_report(a, b + 0.5).shifted
    (False, True)
    """
    from scipy.stats import binomtest, ks_2samp
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    a, b = np.asarray(x_a, dtype=float), np.asarray(x_b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or len(a) < folds or len(b) < folds:
        raise invalid("x_b", f"got shapes {a.shape} and {b.shape}",
                      f"two 2-D arrays with the same number of features, each with at least {folds} rows",
                      owner="shift_report")
    stats, pvals = [], []
    for j in range(a.shape[1]):
        if np.ptp(a[:, j]) == 0 and np.ptp(b[:, j]) == 0 and a[0, j] == b[0, j]:
            stats.append(0.0)
            pvals.append(None)
            continue
        r = ks_2samp(a[:, j], b[:, j], method="asymp")  # pixel values tie: the exact method fails
        stats.append(float(r.statistic))
        pvals.append(float(r.pvalue))
    x = np.vstack([a, b])
    z = np.r_[np.zeros(len(a), int), np.ones(len(b), int)]
    pred = cross_val_predict(LogisticRegression(max_iter=2000), x, z,
                             cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
    correct = int((pred == z).sum())
    chance = max(len(a), len(b)) / len(x)
    p = float(binomtest(correct, len(x), chance, alternative="greater").pvalue)
    labels = label_distance(y_a, y_b) if y_a is not None and y_b is not None else None
    warns = []
    if min(len(a), len(b)) < 50:
        warns.append(f"A split of {min(len(a), len(b))} examples: these tests detect only large shifts; "
                     "'no shift detected' is weak evidence of no shift.")
    st = {"alpha": alpha, "folds": folds, "seed": seed}
    eff = dict(st, ks_correction="Bonferroni", classifier="LogisticRegression, stratified k-fold")
    return ShiftReport(kind="measured", settings={"requested": st, "effective": eff}, warnings=tuple(warns),
                       n_a=len(a), n_b=len(b), alpha=alpha, ks_statistics=tuple(stats), ks_pvalues=tuple(pvals),
                       classifier_accuracy=correct / len(x), chance_accuracy=chance, classifier_pvalue=p,
                       labels=labels)


@validate_params({"n_bins": Range(2, 100, integer=True)})
def psi(reference: Any, current: Any, n_bins: int = 10) -> float:
    """Population stability index of a 1-D quantity (a feature, a model's confidence) between a
    ``reference`` and a ``current`` sample: bins at the reference's quantiles (ties merged, so
    fewer bins when values repeat), shares floored at 1e-4 so an empty bin stays finite, then
    PSI = sum (q - p) ln(q / p). A common rule of thumb, not a test: < 0.1 stable, 0.1 to 0.25
    moderate, > 0.25 a large shift. Dimensionless, >= 0, 0 for identical shares.

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(0, 1, 5000)
    >>> round(psi(a, a), 6), psi(a, rng.normal(0, 1, 5000)) < 0.02, psi(a, rng.normal(1, 1, 5000)) > 0.25
    (0.0, True, True)
    """
    a, b = np.asarray(reference, dtype=float).ravel(), np.asarray(current, dtype=float).ravel()
    if a.size < n_bins or b.size == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise invalid("reference", f"got {a.size} and {b.size} values", f"finite samples, the reference with at least "
                      f"{n_bins} values", owner="psi")
    inner = np.unique(np.quantile(a, np.linspace(0, 1, n_bins + 1)[1:-1]))
    p = np.bincount(np.searchsorted(inner, a, side="right"), minlength=len(inner) + 1) / a.size
    q = np.bincount(np.searchsorted(inner, b, side="right"), minlength=len(inner) + 1) / b.size
    p, q = np.maximum(p, 1e-4), np.maximum(q, 1e-4)
    return float(np.sum((q - p) * np.log(q / p)))


@validate_params({"n_permutations": Range(19, 100_000, integer=True), "seed": Range(0, None, integer=True)})
def mmd_test(x_a: Any, x_b: Any, n_permutations: int = 200, seed: int = 0) -> dict[str, float]:
    """Kernel two-sample test (Gretton et al. 2012): the biased MMD^2 estimate with a Gaussian
    kernel whose bandwidth is the median pairwise distance of the pooled sample (the median
    heuristic), and its permutation p-value (1 + #{permuted >= observed}) / (1 + n_permutations).
    Returns ``mmd2``, ``pvalue`` and ``bandwidth``. Written here with NumPy/SciPy (``cdist``)
    because no installed library provides it; O((n_a + n_b)^2) memory.

    >>> rng = np.random.default_rng(0)
    >>> mmd_test(rng.normal(0, 1, (100, 3)), rng.normal(0, 1, (100, 3)))["pvalue"] > 0.05
    True
    >>> mmd_test(rng.normal(0, 1, (100, 3)), rng.normal(0.7, 1, (100, 3)))["pvalue"] < 0.01
    True
    """
    from scipy.spatial.distance import cdist

    a, b = np.asarray(x_a, dtype=float), np.asarray(x_b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or len(a) < 2 or len(b) < 2:
        raise invalid("x_b", f"got shapes {a.shape} and {b.shape}",
                      "two 2-D arrays with the same number of features, at least 2 rows each", owner="mmd_test")
    x = np.vstack([a, b])
    d2 = cdist(x, x, "sqeuclidean")
    bw = float(np.sqrt(np.median(d2[np.triu_indices(len(x), 1)]))) or 1.0
    k = np.exp(-d2 / (2 * bw**2))
    w = np.r_[np.full(len(a), 1 / len(a)), np.full(len(b), -1 / len(b))]
    obs = float(w @ k @ w)
    rng = np.random.default_rng(seed)
    perm = np.array([(wp := rng.permutation(w)) @ k @ wp for _ in range(n_permutations)])
    return {"mmd2": obs, "pvalue": float((1 + np.sum(perm >= obs)) / (1 + n_permutations)), "bandwidth": bw}


def translate_fraction(x: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Digits ``x`` with a random ``fraction`` of the images moved one pixel right
    (:func:`shift_digits`): a controlled shift whose size is ``fraction`` (0: none, 1: all)."""
    out = np.array(x, dtype=float)
    pick = rng.random(len(out)) < fraction
    out[pick] = shift_digits(out[pick], dx=1)
    return out


@dataclass(frozen=True, repr=False)
class DetectionPower(ResultDisplay):
    """How often a shift test detects a controlled shift, per shift size: the fraction of
    ``trials`` that rejected at ``alpha``, with its Wilson interval. At size 0 the rate is the
    test's false-alarm rate (it should be about ``alpha`` or below)."""

    kind: str
    settings: dict
    warnings: tuple
    test: str
    n_per_split: int
    trials: int
    alpha: float
    sizes: tuple
    detected: tuple  # counts, one per size

    def power(self) -> list[tuple[float, float, float]]:
        """(estimate, low, high) per size: Wilson 95% intervals of the detection rate."""
        from simlib.stats import wilson_ci

        return [(c.estimate, c.low, c.high) for c in (wilson_ci(d, self.trials) for d in self.detected)]

    @property
    def summary(self) -> dict[str, Any]:
        pw = self.power()
        s = {"n": self.n_per_split, "trials": self.trials, "alpha_fraction": self.alpha,
             "power_at_largest_fraction": pw[-1][0], "power_at_largest_ci_fraction": [pw[-1][1], pw[-1][2]]}
        if self.sizes[0] == 0:
            s["false_alarm_fraction"], s["false_alarm_ci_fraction"] = pw[0][0], [pw[0][1], pw[0][2]]
        return s

    def _rows(self) -> list[tuple[str, str]]:
        return [(f"shift size {sz:g}", f"detected in {d}/{self.trials} ({p[0]:.0%} [{p[1]:.0%}, {p[2]:.0%}] Wilson)")
                for sz, d, p in zip(self.sizes, self.detected, self.power(), strict=True)] + [
            ("test", f"{self.test} at alpha={self.alpha}, {self.n_per_split} examples per split")]

    def _payload(self) -> dict[str, Any]:
        return {"sizes": list(self.sizes), "detected": list(self.detected), "power": [list(p) for p in self.power()]}


@validate_params({"n_per_split": Range(10, None, integer=True), "trials": Range(1, 10_000, integer=True),
                  "test": Options(("ks", "mmd", "psi")), "alpha": Range(0, 1, closed="neither"),
                  "seed": Range(0, None, integer=True)})
def detection_power(x: Any, sizes: Any, n_per_split: int = 100, trials: int = 20, test: str = "ks",
                    alpha: float = 0.05, seed: int = 0, shift: Any = translate_fraction) -> DetectionPower:
    """Estimate a shift test's detection power on real data: each trial draws two disjoint random
    splits of ``n_per_split`` rows of ``x``, applies ``shift(split_b, size, rng)`` to the second,
    and tests. ``test``: "ks" (per-feature KS, Bonferroni), "mmd" (:func:`mmd_test`, 100
    permutations) or "psi" (any feature's :func:`psi` above 0.25, a rule of thumb, so its
    "false alarms" are not held at ``alpha``). Sizes are in the units of ``shift`` (for the default,
    the fraction of images moved one pixel).

    >>> from sklearn.datasets import load_digits
    >>> r = detection_power(load_digits().data / 16, [0.0, 1.0], n_per_split=80, trials=5)
    >>> r.detected
    (0, 5)
    """
    from scipy.stats import ks_2samp

    data = np.asarray(x, dtype=float)
    sz = tuple(float(s) for s in np.atleast_1d(sizes))
    if data.ndim != 2 or len(data) < 2 * n_per_split:
        raise invalid("n_per_split", f"got {n_per_split} with {len(data)} rows", f"at most {len(data) // 2} "
                      "(two disjoint splits)", owner="detection_power")
    if not sz or any(not np.isfinite(s) or s < 0 for s in sz):
        raise invalid("sizes", f"got {sizes!r}", "one or more finite shift sizes >= 0", owner="detection_power")
    rng = np.random.default_rng(seed)
    found = []
    for s in sz:
        hits = 0
        for _ in range(trials):
            idx = rng.permutation(len(data))
            a, b = data[idx[:n_per_split]], shift(data[idx[n_per_split:2 * n_per_split]], s, rng)
            if test == "mmd":
                hit = mmd_test(a, b, n_permutations=100, seed=int(rng.integers(2**31)))["pvalue"] < alpha
            elif test == "psi":
                hit = any(psi(a[:, j], b[:, j]) > 0.25 for j in range(a.shape[1]) if np.ptp(a[:, j]) > 0)
            else:
                ps = [ks_2samp(a[:, j], b[:, j], method="asymp").pvalue for j in range(a.shape[1])
                      if np.ptp(np.r_[a[:, j], b[:, j]]) > 0]
                hit = bool(ps) and min(ps) < alpha / len(ps)
            hits += bool(hit)
        found.append(hits)
    warns = [] if trials >= 50 else [f"{trials} trials per size: each power is known to about +-"
                                     f"{50 / np.sqrt(trials):.0f} percentage points; use more trials to quote it."]
    st = {"n_per_split": n_per_split, "trials": trials, "test": test, "alpha": alpha, "seed": seed,
          "shift": getattr(shift, "__name__", "custom")}
    return DetectionPower(kind="modeled", settings=given_settings(**st), warnings=tuple(warns),
                          test=test, n_per_split=n_per_split, trials=trials, alpha=alpha, sizes=sz,
                          detected=tuple(found))

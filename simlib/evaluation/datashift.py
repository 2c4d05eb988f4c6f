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

from simlib._validate import Range, invalid, validate_params
from simlib.protocol import ResultDisplay

__all__ = ["ShiftReport", "class_balance", "label_distance", "shift_digits", "shift_report"]


def _label_array(y: Any, name: str) -> np.ndarray:
    a = np.asarray(y)
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer) or a.min() < 0:
        raise invalid(name, f"got shape {a.shape}, dtype {a.dtype}", "a non-empty 1-D array of class indices >= 0",
                      owner="datashift")
    return a


def class_balance(y: Any, n_classes: int | None = None) -> dict[str, Any]:
    """``shares`` (fraction per class), ``min_share``, ``max_share``, ``imbalance_ratio`` (largest
    count over smallest; inf when a class is absent) and ``missing`` (classes with no example)."""
    a = _label_array(y, "y")
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

    a, b = _label_array(y_a, "y_a"), _label_array(y_b, "y_b")
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

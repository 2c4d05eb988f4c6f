"""Label quality: noise injected at known rates, found again by confident learning; agreement
between annotators (Cohen's kappa) measured on simulated annotators and modeled in closed form.

- :func:`inject_label_noise`: flip a fraction of labels, at random to another class ("random") or
  all of one class to one other class ("systematic", the source's snowy wolves labeled dogs);
- :func:`find_label_issues`: confident learning (Northcutt et al. 2021), the confident-joint rule:
  class j's threshold t_j is the mean predicted probability of j over the examples labeled j; an
  example labeled i is flagged when some other class j has p_j >= t_j. The predicted probabilities
  must be out-of-sample (:func:`cross_val_probs`). cleanlab implements this and more; it is not
  installed here, so the rule is written out (about ten lines);
- :func:`label_noise_detection`: precision and recall of the detector against the planted noise,
  per noise rate, on scikit-learn's bundled digits;
- :func:`expected_kappa` (closed form) and :func:`simulate_annotators` + scikit-learn's
  ``cohen_kappa_score`` (measured); :func:`kappa_band` (Landis and Koch 1977).

>>> round(expected_kappa(0.9, 10), 3)
0.79
>>> kappa_band(0.5), kappa_band(0.85)
('moderate', 'almost perfect')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import Options, Range, Satisfies, invalid, validate_params
from simlib.evaluation.metrics import _labels
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, wilson_ci

__all__ = ["KAPPA_BANDS", "LabelNoiseDetection", "cross_val_probs", "expected_kappa", "find_label_issues",
           "inject_label_noise", "kappa_band", "label_noise_detection", "simulate_annotators"]

#: Landis and Koch (1977): (upper bound, name); at or above 0.81 "almost perfect".
KAPPA_BANDS = ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"))
_RATES = Satisfies(lambda v: len(v) > 0 and all(0 <= float(r) < 1 for r in v),
                   "a non-empty list of noise rates, each a fraction in [0, 1)", valid=[0.1], invalid=[1.5])


def kappa_band(kappa: float) -> str:
    """Landis and Koch's name for a kappa: poor (< 0), slight, fair, moderate, substantial,
    almost perfect (> 0.8)."""
    for bound, name in KAPPA_BANDS:
        if kappa <= bound:
            return name
    return "almost perfect"


@validate_params({"rate": Range(0, 1, closed="left"), "kind": Options(("random", "systematic")),
                  "seed": Range(0, None, integer=True)})
def inject_label_noise(y: Any, rate: float, kind: str = "random", seed: int = 0, source: int = 1,
                       target: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """(noisy labels, mask of flipped examples). "random": a ``rate`` share of all examples gets a
    different class drawn uniformly; "systematic": a ``rate`` share of class ``source`` becomes
    ``target``.

    >>> y = np.repeat(np.arange(10), 100)
    >>> yn, flipped = inject_label_noise(y, 0.1)
    >>> int(flipped.sum()), bool(np.all(yn[flipped] != y[flipped])), bool(np.all(yn[~flipped] == y[~flipped]))
    (100, True, True)
    """
    a = _labels(y, "y")
    k = int(a.max()) + 1
    rng = np.random.default_rng(seed)
    out, mask = a.copy(), np.zeros(len(a), bool)
    pool = np.arange(len(a)) if kind == "random" else np.flatnonzero(a == source)
    pick = rng.choice(pool, size=int(round(rate * len(pool))), replace=False)
    if kind == "random":
        out[pick] = (a[pick] + rng.integers(1, k, len(pick))) % k
    else:
        out[pick] = target
    mask[pick] = True
    return out, mask


@validate_params({"folds": Range(2, 20, integer=True), "seed": Range(0, None, integer=True)})
def cross_val_probs(x: Any, y: Any, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-sample class probabilities of a shrinkage linear discriminant (scikit-learn's
    ``LinearDiscriminantAnalysis``, fast enough to refit per fold in milliseconds) under stratified
    k-fold cross-validation: each example scored by a model that did not train on it."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    # one BLAS thread: these matrices are small, and with torch loaded in the same process
    # two OpenMP runtimes otherwise oversubscribe the cores (measured: 7x slower)
    with threadpool_limits(1):
        return cross_val_predict(LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"), np.asarray(x, float),
                                 _labels(y, "y"), cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                                 method="predict_proba")


def find_label_issues(y: Any, probs: Any) -> np.ndarray:
    """Boolean mask of likely label errors by the confident-joint rule (module docstring).

    >>> probs = np.array([[.9, .1], [.8, .2], [.2, .8], [.1, .9], [.95, .05]])
    >>> find_label_issues(np.array([0, 0, 1, 1, 1]), probs).tolist()
    [False, False, False, False, True]
    """
    a = _labels(y, "y")
    p = np.asarray(probs, float)
    if p.ndim != 2 or len(p) != len(a) or p.shape[1] <= a.max():
        raise invalid("probs", f"got shape {p.shape} for {len(a)} labels", "shape (n, classes)",
                      owner="find_label_issues")
    t = np.array([p[a == j, j].mean() if np.any(a == j) else 1.0 for j in range(p.shape[1])])
    above = p >= t[None, :]
    above[np.arange(len(a)), a] = False
    return above.any(axis=1)


@dataclass(frozen=True, repr=False)
class LabelNoiseDetection(ResultDisplay):
    """Per planted noise rate: how many labels were flipped, how many the detector flagged, and its
    precision and recall against the planted flips (Wilson 95% intervals)."""

    kind: str
    settings: dict
    warnings: tuple
    rates: tuple
    n: int
    planted: tuple
    flagged: tuple
    hits: tuple

    def precision(self, i: int) -> Interval:
        return wilson_ci(self.hits[i], max(self.flagged[i], 1))

    def recall(self, i: int) -> Interval:
        return wilson_ci(self.hits[i], max(self.planted[i], 1))

    @property
    def summary(self) -> dict[str, Any]:
        last = len(self.rates) - 1
        return {"n": self.n, "rate_count": len(self.rates),
                "precision_at_largest_fraction": self.precision(last).estimate,
                "recall_at_largest_fraction": self.recall(last).estimate,
                "flagged_at_smallest_count": self.flagged[0]}

    def _rows(self) -> list[tuple[str, str]]:
        rows = []
        for i, r in enumerate(self.rates):
            p, c = self.precision(i), self.recall(i)
            rows.append((f"noise {r:.0%}", f"{self.planted[i]} flipped, {self.flagged[i]} flagged; precision "
                                           f"{p.estimate:.1%} [{p.low:.1%}, {p.high:.1%}], recall {c.estimate:.1%} "
                                           f"[{c.low:.1%}, {c.high:.1%}]"))
        rows.append(("data", f"{self.n} digits, {self.settings['effective']['kind']} noise, confident joint on "
                             "5-fold out-of-sample LDA probabilities"))
        return rows


@validate_params({"rates": _RATES, "kind": Options(("random", "systematic")), "seed": Range(0, None, integer=True)})
def label_noise_detection(rates: Sequence[float] = (0.0, 0.02, 0.05, 0.1, 0.2), kind: str = "random",
                          seed: int = 0) -> LabelNoiseDetection:
    """Plant noise at each rate in scikit-learn's digits (1,797 images), run
    :func:`find_label_issues` on out-of-sample probabilities, and score it against the plant."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = d.data / 16.0, d.target.astype(np.int64)
    planted, flagged, hits = [], [], []
    for i, r in enumerate(rates):
        yn, mask = inject_label_noise(y, float(r), kind, seed=seed + i)
        found = find_label_issues(yn, cross_val_probs(x, yn, seed=seed))
        planted.append(int(mask.sum()))
        flagged.append(int(found.sum()))
        hits.append(int((found & mask).sum()))
    st = {"rates": [float(r) for r in rates], "kind": kind, "seed": seed}
    return LabelNoiseDetection(kind="measured", settings=given_settings(**st),
                               warnings=(), rates=tuple(float(r) for r in rates), n=len(y), planted=tuple(planted),
                               flagged=tuple(flagged), hits=tuple(hits))


@validate_params({"accuracy": Range(0, 1), "n_classes": Range(2, None, integer=True)})
def expected_kappa(accuracy: float, n_classes: int) -> float:
    """Cohen's kappa expected for two independent annotators, each right with probability
    ``accuracy`` and otherwise choosing uniformly among the other classes, on balanced classes:
    p_o = a^2 + (1 - a)^2 / (k - 1), p_e = 1 / k, kappa = (p_o - p_e) / (1 - p_e)."""
    a, k = accuracy, n_classes
    po = a * a + (1 - a) ** 2 / (k - 1)
    pe = 1 / k
    return (po - pe) / (1 - pe)


@validate_params({"accuracy": Range(0, 1), "seed": Range(0, None, integer=True)})
def simulate_annotators(y: Any, accuracy: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two annotators' labels for true labels ``y``: each independently right with probability
    ``accuracy``, otherwise a uniformly drawn other class."""
    a = _labels(y, "y")
    k = int(a.max()) + 1
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(2):
        wrong = rng.random(len(a)) >= accuracy
        lab = a.copy()
        lab[wrong] = (a[wrong] + rng.integers(1, k, int(wrong.sum()))) % k
        out.append(lab)
    return out[0], out[1]

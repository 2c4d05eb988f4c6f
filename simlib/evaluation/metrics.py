"""What one accuracy number hides: top-k, per-class and per-slice accuracy, the confusion matrix,
precision, recall, F1 and ROC AUC, each with a 95% interval.

Intervals, and which method each uses (the report says it beside every number):

- a proportion of independent test examples (accuracy, top-k accuracy, a class's recall, a class's
  precision, a slice's accuracy) gets a **Wilson score interval** (:func:`simlib.stats.wilson_ci`);
- a statistic that is not one proportion (F1, the macro averages, ROC AUC) gets a **stratified
  percentile bootstrap**: each resample draws, within every true class, as many examples as that
  class has, with replacement, so a rare class keeps its count in every resample. SciPy's
  ``scipy.stats.bootstrap`` resamples without strata, so the resampling is written here
  (:func:`stratified_bootstrap`); the statistics themselves are scikit-learn's.

The source chapter's fraud example ("99 percent accuracy might have 10 percent recall") is
recomputed exactly by :func:`fraud_example`; :func:`imbalanced_digits` makes the same effect happen
on real data (one digit against the rest, the digit subsampled to a small share).

>>> f = fraud_example()
>>> round(f.precision, 3), round(f.specificity, 4), round(f.baseline_accuracy, 2)
(0.5, 0.999, 0.99)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Options, Range, Satisfies, invalid, validate_fields, validate_params
from simlib.protocol import ResultDisplay
from simlib.stats import Interval, wilson_ci

__all__ = ["ClassificationReport", "ImbalanceArithmetic", "classification_report", "confusion_from_rates",
           "fraud_example", "imbalanced_digits", "ink_slices", "stratified_bootstrap", "top_k_accuracy"]

_FRACTION = Range(0, 1)
_CONF = Range(0, 1, closed="neither")
#: A result computed here from labels and scores is measured (a real model) or modeled (built from rates).
KIND = Options(("measured", "modeled"))
_ARRAY = Satisfies(lambda v: np.ndim(v) >= 1 and len(v) > 0, "a non-empty array-like", valid=[0, 1], invalid=[])


def _labels(y: Any, name: str) -> np.ndarray:
    a = np.asarray(y)
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer) or a.min() < 0:
        raise invalid(name, f"got shape {a.shape}, dtype {a.dtype}", "a non-empty 1-D array of class indices >= 0",
                      owner="evaluation")
    return a.astype(np.int64)


def _scores(scores: Any, n: int, n_classes: int) -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    if s.ndim == 1 and n_classes <= 2:  # a binary classifier's score for class 1
        s = np.column_stack([1.0 - s, s]) if np.all((s >= 0) & (s <= 1)) else np.column_stack([-s, s])
    if s.ndim != 2 or s.shape[0] != n or s.shape[1] < n_classes or not np.all(np.isfinite(s)):
        raise invalid("scores", f"got shape {s.shape}", f"finite scores of shape ({n}, >= {n_classes}), one column "
                      "per class (or a 1-D positive-class score for a binary task)", owner="evaluation")
    return s


@validate_params({"k": Range(1, None, integer=True), "confidence": _CONF})
def top_k_accuracy(y_true: Any, scores: Any, k: int = 5, confidence: float = 0.95) -> Interval:
    """Fraction of examples whose true class is among the ``k`` highest scores, with its Wilson
    interval (scikit-learn's ``top_k_accuracy_score`` counts the hits).

    >>> y = np.array([0, 1, 2, 2])
    >>> s = np.array([[.6, .3, .1], [.5, .4, .1], [.2, .3, .5], [.5, .3, .2]])
    >>> top_k_accuracy(y, s, k=1).estimate, top_k_accuracy(y, s, k=2).estimate
    (0.5, 0.75)
    """
    from sklearn.metrics import top_k_accuracy_score

    y = _labels(y_true, "y_true")
    s = _scores(scores, len(y), int(y.max()) + 1)
    if k > s.shape[1]:
        raise invalid("k", f"got {k} with {s.shape[1]} classes", f"an integer in [1, {s.shape[1]}]",
                      owner="top_k_accuracy")
    hits = len(y) if k == s.shape[1] else int(round(top_k_accuracy_score(y, s, k=k, labels=np.arange(s.shape[1]),
                                                                             normalize=False)))
    return wilson_ci(hits, len(y), confidence)


def stratified_bootstrap(y_true: np.ndarray, statistic: Callable[[np.ndarray], Any], *, n_resamples: int,
                         seed: int, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval ``(low, high)`` of ``statistic(idx)`` over resamples of example indices
    drawn with replacement within each true class (class counts fixed). ``statistic`` may return a
    number or an array (one interval per element); a resample where it is NaN is left out."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y_true == c) for c in np.unique(y_true)]
    vals = []
    for _ in range(n_resamples):
        idx = np.concatenate([g[rng.integers(0, len(g), len(g))] for g in groups])
        vals.append(np.asarray(statistic(idx), dtype=float))
    v = np.array(vals)
    a = (1 - confidence) / 2
    return np.nanquantile(v, a, axis=0), np.nanquantile(v, 1 - a, axis=0)


def _prf(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 from a confusion matrix (rows true, columns predicted);
    0 where undefined, as scikit-learn's ``zero_division=0``."""
    tp = np.diag(cm).astype(float)
    pred, true = cm.sum(axis=0).astype(float), cm.sum(axis=1).astype(float)
    p = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    r = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=(p + r) > 0)
    return p, r, f


def _pair(iv: Interval) -> list[float]:
    return [float(iv.low), float(iv.high)]


@dataclass(frozen=True, repr=False)
class ClassificationReport(ResultDisplay):
    """Accuracy and what it hides, each number with its 95% interval (see the module docstring for
    the methods). Fractions are in [0, 1]. ``per_class`` and ``per_slice`` hold one row per class or
    slice; ``confusion`` is the confusion matrix (rows: true class, columns: predicted class)."""

    kind: str
    settings: dict
    warnings: tuple
    n: int
    class_names: tuple
    accuracy: Interval
    top_k: dict  # k -> Interval
    confusion: tuple  # rows of counts
    per_class: tuple  # dicts: name, support, precision, precision_ci, recall, recall_ci, f1, f1_ci
    macro: dict  # precision / recall / f1 -> (estimate, low, high)
    roc_auc: tuple | None  # (estimate, low, high); None without scores or with one class
    per_slice: tuple  # dicts: slice, n, accuracy, accuracy_ci
    baseline_accuracy: float  # always predicting the most frequent true class

    @property
    def summary(self) -> dict[str, Any]:
        s: dict[str, Any] = {"n": self.n, "accuracy_fraction": self.accuracy.estimate,
                             "accuracy_ci_fraction": _pair(self.accuracy),
                             "baseline_accuracy_fraction": self.baseline_accuracy, "ci_method": self.accuracy.method}
        for k, iv in sorted(self.top_k.items()):
            s[f"top{k}_accuracy_fraction"] = iv.estimate
            s[f"top{k}_accuracy_ci_fraction"] = _pair(iv)
        for m, (est, lo, hi) in self.macro.items():
            s[f"macro_{m}_fraction"] = est
            s[f"macro_{m}_ci_fraction"] = [lo, hi]
        worst = min(self.per_class, key=lambda r: r["recall"])
        s["min_class_recall_fraction"] = worst["recall"]
        s["min_class_recall_ci_fraction"] = list(worst["recall_ci"])
        if len(self.class_names) == 2:
            pos = self.per_class[1]
            s["recall_fraction"], s["recall_ci_fraction"] = pos["recall"], list(pos["recall_ci"])
            s["precision_fraction"], s["precision_ci_fraction"] = pos["precision"], list(pos["precision_ci"])
        if self.roc_auc is not None:
            s["roc_auc_fraction"], s["roc_auc_ci_fraction"] = self.roc_auc[0], [self.roc_auc[1], self.roc_auc[2]]
        if self.per_slice:
            w = min(self.per_slice, key=lambda r: r["accuracy"])
            s["worst_slice_accuracy_fraction"], s["worst_slice_accuracy_ci_fraction"] = w["accuracy"], list(
                w["accuracy_ci"])
        return s

    def hidden_classes(self) -> list[str]:
        """Classes whose recall interval lies wholly below the accuracy interval: what the
        aggregate hides."""
        return [r["name"] for r in self.per_class if r["recall_ci"][1] < self.accuracy.low]

    def hidden_slices(self) -> list[str]:
        """Slices whose accuracy interval lies wholly below the overall accuracy interval."""
        return [r["slice"] for r in self.per_slice if r["accuracy_ci"][1] < self.accuracy.low]

    def _all_warnings(self) -> list[str]:
        w = list(self.warnings)
        if self.accuracy.low <= self.baseline_accuracy:
            w.append(f"Accuracy {self.accuracy.estimate:.1%} is not clearly above {self.baseline_accuracy:.1%}, the "
                     "accuracy of always predicting the most frequent class: read recall and precision per class.")
        for name in self.hidden_classes():
            r = next(x for x in self.per_class if x["name"] == name)
            w.append(f"Class {name!r}: recall {r['recall']:.1%} (95% interval up to {r['recall_ci'][1]:.1%}) is "
                     f"clearly below the accuracy {self.accuracy.estimate:.1%}: the aggregate hides this class.")
        for name in self.hidden_slices():
            r = next(x for x in self.per_slice if x["slice"] == name)
            w.append(f"Slice {name!r}: accuracy {r['accuracy']:.1%} is clearly below the overall "
                     f"{self.accuracy.estimate:.1%} (intervals separate): evaluate it on its own.")
        return w

    def _rows(self) -> list[tuple[str, str]]:
        def iv(est, lo, hi):
            return f"{est:.1%} [{lo:.1%}, {hi:.1%}]"

        rows = [("accuracy (Wilson)", iv(self.accuracy.estimate, self.accuracy.low, self.accuracy.high)),
                ("most-frequent-class baseline", f"{self.baseline_accuracy:.1%}")]
        rows += [(f"top-{k} accuracy (Wilson)", iv(v.estimate, v.low, v.high)) for k, v in sorted(self.top_k.items())]
        rows += [(f"macro {m} (stratified bootstrap)", iv(*v)) for m, v in self.macro.items()]
        if self.roc_auc is not None:
            rows.append(("ROC AUC (stratified bootstrap)", f"{self.roc_auc[0]:.3f} "
                                                           f"[{self.roc_auc[1]:.3f}, {self.roc_auc[2]:.3f}]"))
        for r in self.per_class:
            rows.append((f"class {r['name']} (n={r['support']})",
                         f"recall {iv(r['recall'], *r['recall_ci'])}, precision {iv(r['precision'], *r['precision_ci'])}"
                         f", F1 {iv(r['f1'], *r['f1_ci'])}"))
        for r in self.per_slice:
            rows.append((f"slice {r['slice']} (n={r['n']})", f"accuracy {iv(r['accuracy'], *r['accuracy_ci'])}"))
        rows.append(("examples", f"{self.n} ({self.kind})"))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"class_names": list(self.class_names), "confusion": [list(r) for r in self.confusion],
                "per_class": [dict(r) for r in self.per_class], "per_slice": [dict(r) for r in self.per_slice]}


@validate_params({"confidence": _CONF, "n_resamples": [Range(20, 100_000, integer=True), None],
                  "seed": Range(0, None, integer=True), "kind": KIND})
def classification_report(y_true: Any, scores: Any = None, *, y_pred: Any = None, slices: Any = None,
                          class_names: Sequence[str] | None = None, k: Sequence[int] = (5,),
                          confidence: float = 0.95, n_resamples: int | None = None, seed: int = 0,
                          kind: str = "measured") -> ClassificationReport:
    """Every number :class:`ClassificationReport` holds, from true labels and the model's scores.

    ``scores``: shape (n, classes), one column per class (probabilities or logits), or a 1-D
    positive-class score for a binary task; ``y_pred`` (default: the top score) may be given
    instead of or besides it. ``slices``: one slice label per example (e.g. :func:`ink_slices`);
    ``k``: the top-k accuracies to report (those below the class count). ``n_resamples``: the
    bootstrap's resamples (default by budget: 200, 1,000, 2,000). ``kind``: "measured" for a real
    model on a real test set, "modeled" for labels built from stated rates.

    >>> y = np.array([0] * 90 + [1] * 10)
    >>> p = np.array([0] * 90 + [1] * 2 + [0] * 8)
    >>> r = classification_report(y, y_pred=p, n_resamples=200)
    >>> r.summary["accuracy_fraction"], r.summary["recall_fraction"], r.hidden_classes()
    (0.92, 0.2, ['1'])
    """
    from sklearn.metrics import confusion_matrix, roc_auc_score

    y = _labels(y_true, "y_true")
    n = len(y)
    if scores is None and y_pred is None:
        raise invalid("scores", "got neither scores nor y_pred", "the model's scores or its predictions (y_pred)",
                      owner="classification_report")
    n_classes = int(y.max()) + 1
    s = None
    if scores is not None:
        s = _scores(scores, n, max(n_classes, 2))
        n_classes = s.shape[1]
    p = _labels(y_pred, "y_pred") if y_pred is not None else np.argmax(s, axis=1)
    if len(p) != n:
        raise invalid("y_pred", f"got {len(p)} predictions for {n} labels", "one prediction per label",
                      owner="classification_report")
    n_classes = max(n_classes, int(p.max()) + 1, 2)
    names = tuple(class_names) if class_names is not None else tuple(str(c) for c in range(n_classes))
    if len(names) != n_classes:
        raise invalid("class_names", f"got {len(names)} names for {n_classes} classes", f"{n_classes} names",
                      owner="classification_report")
    B = n_resamples if n_resamples is not None else budget.pick(quick=200, standard=1000, full=2000)
    labels = np.arange(n_classes)
    cm = confusion_matrix(y, p, labels=labels)
    prec, rec, f1 = _prf(cm)

    def boot_cm(idx: np.ndarray) -> np.ndarray:
        c = np.bincount(y[idx] * n_classes + p[idx], minlength=n_classes**2).reshape(n_classes, n_classes)
        pr, rc, ff = _prf(c)
        present = c.sum(axis=1) > 0
        return np.concatenate([ff, [pr[present].mean(), rc[present].mean(), ff[present].mean()]])

    lo, hi = stratified_bootstrap(y, boot_cm, n_resamples=B, seed=seed, confidence=confidence)
    present = cm.sum(axis=1) > 0
    macro = {"precision": (float(prec[present].mean()), float(lo[-3]), float(hi[-3])),
             "recall": (float(rec[present].mean()), float(lo[-2]), float(hi[-2])),
             "f1": (float(f1[present].mean()), float(lo[-1]), float(hi[-1]))}
    per_class = []
    for c in range(n_classes):
        support, predicted = int(cm[c].sum()), int(cm[:, c].sum())
        rci = wilson_ci(int(cm[c, c]), support, confidence) if support else None
        pci = wilson_ci(int(cm[c, c]), predicted, confidence) if predicted else None
        per_class.append({"name": names[c], "support": support, "recall": float(rec[c]),
                          "recall_ci": (rci.low, rci.high) if rci else (0.0, 1.0), "precision": float(prec[c]),
                          "precision_ci": (pci.low, pci.high) if pci else (0.0, 1.0), "f1": float(f1[c]),
                          "f1_ci": (float(lo[c]), float(hi[c]))})
    auc = None
    if s is not None and len(np.unique(y)) >= 2:
        if n_classes == 2:
            def auc_of(idx):
                return roc_auc_score(y[idx], s[idx, 1])
        else:
            sp = s - s.max(axis=1, keepdims=True)
            prob = np.exp(sp) / np.exp(sp).sum(axis=1, keepdims=True) if not np.allclose(s.sum(axis=1), 1) else s
            present_labels = np.unique(y)
            if len(present_labels) == n_classes:
                def auc_of(idx):
                    return roc_auc_score(y[idx], prob[idx], multi_class="ovr", average="macro", labels=labels)
            else:
                auc_of = None
        if auc_of is not None:
            alo, ahi = stratified_bootstrap(y, auc_of, n_resamples=B, seed=seed + 1, confidence=confidence)
            auc = (float(auc_of(np.arange(n))), float(alo), float(ahi))
    top_k = {}
    if s is not None:
        for kk in sorted(set(int(v) for v in k)):
            if 1 < kk < n_classes:
                top_k[kk] = top_k_accuracy(y, s, kk, confidence)
    per_slice = []
    if slices is not None:
        sl = np.asarray(slices)
        if sl.shape != (n,):
            raise invalid("slices", f"got shape {sl.shape}", f"one slice label per example, shape ({n},)",
                          owner="classification_report")
        for name in sorted(set(sl.tolist()), key=str):
            m = sl == name
            ci = wilson_ci(int((y[m] == p[m]).sum()), int(m.sum()), confidence)
            per_slice.append({"slice": str(name), "n": int(m.sum()), "accuracy": ci.estimate,
                              "accuracy_ci": (ci.low, ci.high)})
    warns = []
    if B < 1000:
        warns.append(f"Bootstrap intervals use {B} resamples (quick budget): their ends move by about a "
                     "percentage point between seeds; use the standard budget for numbers you quote.")
    req = {"n_resamples": n_resamples, "confidence": confidence, "seed": seed, "k": list(k)}
    eff = {"n_resamples": B, "confidence": confidence, "seed": seed, "k": sorted(top_k),
           "interval_methods": "Wilson for proportions; stratified percentile bootstrap for F1, macro, AUC"}
    return ClassificationReport(
        kind=kind, settings={"requested": req, "effective": eff}, warnings=tuple(warns), n=n, class_names=names,
        accuracy=wilson_ci(int((y == p).sum()), n, confidence), top_k=top_k,
        confusion=tuple(tuple(int(v) for v in row) for row in cm), per_class=tuple(per_class), macro=macro,
        roc_auc=auc, per_slice=tuple(per_slice), baseline_accuracy=float(np.bincount(y).max() / n))


@validate_fields({"accuracy": _FRACTION, "recall": _FRACTION, "prevalence": Range(0, 1, closed="neither")})
@dataclass(frozen=True)
class ImbalanceArithmetic:
    """A binary confusion matrix fixed by accuracy, recall and prevalence, as fractions of all
    examples: TP = recall x prevalence, FN = prevalence - TP, FP = (1 - accuracy) - FN, TN the rest."""

    accuracy: float
    recall: float
    prevalence: float

    def __post_init__(self) -> None:
        fn = self.prevalence * (1 - self.recall)
        if fn > 1 - self.accuracy + 1e-12:
            raise invalid("accuracy", f"got {self.accuracy} with recall {self.recall} and prevalence {self.prevalence}: "
                          f"the missed positives alone are {fn:.4g} of all examples",
                          f"at most {1 - fn:.6g} (1 - prevalence x (1 - recall))", owner="ImbalanceArithmetic")

    @property
    def tp(self) -> float:
        return self.recall * self.prevalence

    @property
    def fn(self) -> float:
        return self.prevalence - self.tp

    @property
    def fp(self) -> float:
        return max(0.0, (1 - self.accuracy) - self.fn)

    @property
    def tn(self) -> float:
        return 1 - self.prevalence - self.fp

    @property
    def precision(self) -> float:
        """TP / (TP + FP); NaN when nothing is predicted positive."""
        d = self.tp + self.fp
        return self.tp / d if d > 0 else float("nan")

    @property
    def specificity(self) -> float:
        return self.tn / (1 - self.prevalence)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    @property
    def baseline_accuracy(self) -> float:
        """Accuracy of labeling everything negative (recall 0)."""
        return 1 - self.prevalence

    def counts(self, n: int) -> dict[str, int]:
        """The four cells for ``n`` examples (rounded; they sum to ``n`` when the fractions are exact)."""
        return {k: int(round(getattr(self, k) * n)) for k in ("tp", "fn", "fp", "tn")}


@validate_params({"accuracy": _FRACTION, "recall": _FRACTION, "prevalence": Range(0, 1, closed="neither")})
def confusion_from_rates(accuracy: float, recall: float, prevalence: float) -> ImbalanceArithmetic:
    """The binary confusion matrix that accuracy, recall and prevalence fix (see
    :class:`ImbalanceArithmetic`); refuses a combination no classifier can have."""
    return ImbalanceArithmetic(accuracy, recall, prevalence)


def fraud_example() -> ImbalanceArithmetic:
    """The source's fraud model: 99% accuracy, 10% recall, at the 1% fraud share the source gives
    for its fraud dataset (Coverage metrics). Per 10,000 transactions: 10 frauds caught, 90 missed,
    10 false alarms; precision 50%, and the everything-legitimate rule also scores 99%.

    >>> fraud_example().counts(10_000)
    {'tp': 10, 'fn': 90, 'fp': 10, 'tn': 9890}
    """
    return confusion_from_rates(0.99, 0.10, 0.01)


@validate_params({"digit": Range(0, 9, integer=True), "positive_fraction": Range(0, 0.5, closed="right"),
                  "test_size": Range(0, 1, closed="neither"), "seed": Range(0, None, integer=True)})
def imbalanced_digits(digit: int = 8, positive_fraction: float = 0.02, test_size: float = 0.5,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits as a rare-class task: ``digit`` (label 1) against the rest
    (label 0), the digit's images subsampled so that they are ``positive_fraction`` of the set,
    split stratified into (x_train, y_train, x_test, y_test); pixels in [0, 1], shape (n, 64).

    >>> x_tr, y_tr, x_te, y_te = imbalanced_digits()
    >>> len(y_tr) + len(y_te), int(y_tr.sum() + y_te.sum())
    (1656, 33)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x, t = d.data / 16.0, d.target
    rng = np.random.default_rng(seed)
    neg = np.flatnonzero(t != digit)
    pos = np.flatnonzero(t == digit)
    n_pos = max(2, int(round(positive_fraction * len(neg) / (1 - positive_fraction))))
    pos = rng.choice(pos, size=min(n_pos, len(pos)), replace=False)
    idx = np.concatenate([neg, pos])
    y = (t[idx] == digit).astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x[idx], y, test_size=test_size, random_state=seed, stratify=y)
    return x_tr, y_tr, x_te, y_te


@validate_params({"x": _ARRAY, "n_slices": Range(2, 10, integer=True)})
def ink_slices(x: Any, n_slices: int = 3) -> np.ndarray:
    """A slice label per image by how much ink it has (sum of pixel values, split at quantiles):
    "faint", ..., "bold" for three slices, "ink-1".."ink-n" otherwise.

    >>> ink_slices(np.array([[0.1], [0.5], [0.9]])).tolist()
    ['faint', 'medium', 'bold']
    """
    ink = np.asarray(x, dtype=float).reshape(len(x), -1).sum(axis=1)
    edges = np.quantile(ink, np.linspace(0, 1, n_slices + 1)[1:-1])
    which = np.searchsorted(edges, ink, side="right")
    names = ["faint", "medium", "bold"] if n_slices == 3 else [f"ink-{i + 1}" for i in range(n_slices)]
    return np.array(names, dtype=object)[which]

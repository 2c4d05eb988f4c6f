"""A model and a dataset with planted problems, for the lab "Audit a model and its data".

:func:`audit_case` splits scikit-learn's bundled digits (1,797 images, stratified, seeded) into

- a training pool of :data:`POOL` images whose labels carry planted random noise (a share
  :data:`NOISE_RATE` flipped to another class): the data the model was trained on;
- a validation and a test split of :data:`SPLIT` images each, labels correct;
- :data:`N_BATCHES` production batches with labels; one of them (chosen by the seed) holds images
  moved one pixel right, a covariate shift;

and trains the model: a linear discriminant (scikit-learn) on the noisy pool, whose logits are its
log-posteriors times :data:`OVERCONFIDENCE` (a miscalibrated model: right as often as before,
far surer of itself). Everything is deterministic: the same numbers on any machine.

The ground truth stays in the case for grading (:meth:`AuditCase.noise_recall`,
:meth:`AuditCase.noise_precision`, :meth:`AuditCase.shifted_batch_is`).

>>> case = audit_case()
>>> len(case.y_pool), len(case.y_val), len(case.batches), case.model_logits(case.x_test).shape
(700, 250, 4, (250, 10))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import Range, validate_params
from simlib.evaluation.datashift import shift_digits
from simlib.evaluation.labels import inject_label_noise

__all__ = ["N_BATCHES", "NOISE_RATE", "OVERCONFIDENCE", "POOL", "SPLIT", "AuditCase", "audit_case"]

POOL, SPLIT, N_BATCHES = 700, 250, 4
NOISE_RATE = 0.08
OVERCONFIDENCE = 4.0


@dataclass(frozen=True)
class AuditCase:
    """The lab's data and model; ``model_logits(x)`` returns (n, 10) logits for images ``x``
    (shape (n, 64), pixels in [0, 1]). ``batches``: list of (x, y) production batches."""

    x_pool: np.ndarray
    y_pool: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    batches: list
    _model: Any = field(repr=False)
    _flipped: np.ndarray = field(repr=False)
    _shifted: int = field(repr=False)

    def model_logits(self, x: Any) -> np.ndarray:
        return OVERCONFIDENCE * self._model.predict_log_proba(np.asarray(x, float))

    def noise_recall(self, flagged: Any) -> float:
        """Share of the planted flips among the pool indices ``flagged`` (grading)."""
        f = np.zeros(len(self.y_pool), bool)
        f[np.asarray(flagged, dtype=int)] = True
        return float((f & self._flipped).sum() / self._flipped.sum())

    def noise_precision(self, flagged: Any) -> float:
        """Share of ``flagged`` pool indices that were planted flips (0 when nothing is flagged)."""
        idx = np.unique(np.asarray(flagged, dtype=int))
        return float(self._flipped[idx].mean()) if idx.size else 0.0

    def shifted_batch_is(self, i: Any) -> bool:
        """Whether batch ``i`` is the shifted one (grading)."""
        try:
            return int(i) == self._shifted
        except (TypeError, ValueError):
            return False


@validate_params({"seed": Range(0, None, integer=True)})
def audit_case(seed: int = 0) -> AuditCase:
    """Build the case (deterministic for a given ``seed``)."""
    from sklearn.datasets import load_digits
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    d = load_digits()
    x, y = d.data / 16.0, d.target.astype(np.int64)
    x_pool, x_rest, y_pool_true, y_rest = train_test_split(x, y, train_size=POOL, random_state=seed, stratify=y)
    x_val, x_rest, y_val, y_rest = train_test_split(x_rest, y_rest, train_size=SPLIT, random_state=seed,
                                                    stratify=y_rest)
    x_test, x_prod, y_test, y_prod = train_test_split(x_rest, y_rest, train_size=SPLIT, random_state=seed,
                                                      stratify=y_rest)
    y_pool, flipped = inject_label_noise(y_pool_true, NOISE_RATE, seed=seed)
    shifted = int(np.random.default_rng(seed).integers(1, N_BATCHES))
    batches = []
    for i, idx in enumerate(np.array_split(np.arange(len(y_prod)), N_BATCHES)):
        xb = x_prod[idx]
        batches.append((shift_digits(xb, dx=1) if i == shifted else xb.copy(), y_prod[idx].copy()))
    with threadpool_limits(1):
        model = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(x_pool, y_pool)
    return AuditCase(x_pool, y_pool, x_val, y_val, x_test, y_test, batches, model, flipped, shifted)

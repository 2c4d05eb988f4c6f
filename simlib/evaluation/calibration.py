"""Calibration: does a model's confidence match how often it is right?

Confidence is the top-class probability; correctness is whether the top class is the true one.
**Expected calibration error** (ECE) bins the examples by confidence and averages the gap
|accuracy - mean confidence| over the bins, weighted by the share of examples in each:

    ECE = sum_b (n_b / n) |acc_b - conf_b|

Binning, stated with every number: ``"uniform"`` is ``n_bins`` equal-width bins over [0, 1] (Guo et
al. 2017 use 15), a confidence on an edge going to the upper bin except 1.0, which goes to the last;
``"quantile"`` is ``n_bins`` bins holding about equal counts. scikit-learn's ``calibration_curve``
gives the same per-bin points for a binary positive-class probability but not the top-label ECE of
a multi-class model, so the binning is written here (and tested against ``calibration_curve``).

**Temperature scaling** divides the logits by one T > 0 fitted on a validation split by minimizing
the negative log-likelihood (``scipy.optimize.minimize_scalar`` on log T); T > 1 softens an
overconfident model. It leaves the top class, so accuracy, unchanged.

The source chapter's bands: ECE < 0.05 well calibrated, 0.05 to 0.10 moderately, > 0.10 poorly
(:func:`ece_band`).

>>> conf = np.array([0.9, 0.9, 0.9, 0.9, 0.6, 0.6])
>>> correct = np.array([1, 1, 1, 0, 1, 0])
>>> round(expected_calibration_error(conf, correct, n_bins=10), 4)
0.1333
>>> ece_band(0.031), ece_band(0.089), ece_band(0.12)
('well calibrated', 'moderately calibrated', 'poorly calibrated')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import Options, Range, invalid, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["ECE_BANDS", "T_RANGE", "CalibrationReport", "apply_temperature", "ece_band", "expected_calibration_error",
           "fit_temperature", "reliability_bins", "temperature_scaling_report", "top_label"]

#: The source chapter's ECE bands: (upper bound, name); above the last bound: "poorly calibrated".
T_RANGE = (0.01, 1000.0)  #: the temperatures fit_temperature searches (dimensionless)
ECE_BANDS = ((0.05, "well calibrated"), (0.10, "moderately calibrated"))
_BINNING = Options(("uniform", "quantile"))
_BINS = Range(1, 1000, integer=True)


@validate_params({"ece": Range(0, 1)})
def ece_band(ece: float) -> str:
    """The source's band for an ECE: "well calibrated" (< 0.05), "moderately calibrated" (0.05 to
    0.10), "poorly calibrated" (> 0.10)."""
    for bound, name in ECE_BANDS:
        if ece < bound or (name == "moderately calibrated" and ece <= bound):
            return name
    return "poorly calibrated"


def _softmax(logits: np.ndarray) -> np.ndarray:
    from scipy.special import softmax

    return softmax(logits, axis=1)


def top_label(probs: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, correct): the top-class probability and whether the top class is ``y_true``."""
    p = np.asarray(probs, dtype=float)
    y = np.asarray(y_true)
    if p.ndim != 2 or len(p) != len(y) or len(y) == 0:
        raise invalid("probs", f"got shape {p.shape} for {len(y)} labels", "shape (n, classes), one row per label",
                      owner="calibration")
    return p.max(axis=1), (p.argmax(axis=1) == y).astype(float)


def _check_pair(confidence: Any, correct: Any) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(confidence, dtype=float).ravel()
    k = np.asarray(correct, dtype=float).ravel()
    if c.size == 0 or c.shape != k.shape:
        raise invalid("confidence", f"got {c.size} confidences and {k.size} outcomes",
                      "as many confidences as outcomes, at least one", owner="calibration")
    if not np.all((c >= 0) & (c <= 1)):
        raise invalid("confidence", f"got values from {c.min():.4g} to {c.max():.4g}", "probabilities in [0, 1]",
                      owner="calibration")
    if not np.all((k == 0) | (k == 1)):
        raise invalid("correct", "got values other than 0 and 1", "0/1 or booleans", owner="calibration")
    return c, k


def _bin_index(c: np.ndarray, n_bins: int, binning: str) -> tuple[np.ndarray, np.ndarray]:
    if binning == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.quantile(c, np.linspace(0.0, 1.0, n_bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
    idx = np.clip(np.searchsorted(edges, c, side="right") - 1, 0, n_bins - 1)
    return idx, edges


@validate_params({"n_bins": _BINS, "binning": _BINNING})
def reliability_bins(confidence: Any, correct: Any, n_bins: int = 15, binning: str = "uniform") -> dict[str, Any]:
    """Reliability-diagram data: per non-empty bin its ``lower``/``upper`` edge, ``count``,
    ``confidence`` (mean) and ``accuracy`` (fraction correct), plus ``edges`` and ``ece``."""
    c, k = _check_pair(confidence, correct)
    idx, edges = _bin_index(c, n_bins, binning)
    count = np.bincount(idx, minlength=n_bins)
    keep = count > 0
    conf = np.bincount(idx, weights=c, minlength=n_bins)[keep] / count[keep]
    acc = np.bincount(idx, weights=k, minlength=n_bins)[keep] / count[keep]
    ece = float(np.sum(count[keep] / len(c) * np.abs(acc - conf)))
    return {"lower": edges[:-1][keep], "upper": edges[1:][keep], "count": count[keep], "confidence": conf,
            "accuracy": acc, "edges": edges, "ece": ece, "n_bins": n_bins, "binning": binning}


@validate_params({"n_bins": _BINS, "binning": _BINNING})
def expected_calibration_error(confidence: Any, correct: Any, n_bins: int = 15, binning: str = "uniform") -> float:
    """ECE (a fraction in [0, 1]) of top-label ``confidence`` against 0/1 ``correct``."""
    return reliability_bins(confidence, correct, n_bins, binning)["ece"]


def _nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    from scipy.special import log_softmax

    return float(-np.mean(log_softmax(logits / t, axis=1)[np.arange(len(y)), y]))


def fit_temperature(logits: Any, y_true: Any) -> float:
    """The temperature T (dimensionless, > 0) minimizing the mean negative log-likelihood of
    ``softmax(logits / T)`` on these (validation) examples; searched over T in :data:`T_RANGE`."""
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, dtype=float)
    y = np.asarray(y_true)
    if z.ndim != 2 or len(z) != len(y) or len(y) == 0 or not np.all(np.isfinite(z)):
        raise invalid("logits", f"got shape {z.shape} for {len(y)} labels", "finite logits of shape (n, classes)",
                      owner="fit_temperature")
    res = minimize_scalar(lambda lt: _nll(z, y, float(np.exp(lt))), bounds=(np.log(T_RANGE[0]), np.log(T_RANGE[1])),
                          method="bounded", options={"xatol": 1e-6})
    return float(np.exp(res.x))


def apply_temperature(logits: Any, temperature: float) -> np.ndarray:
    """softmax(logits / temperature): probabilities, shape (n, classes)."""
    return _softmax(np.asarray(logits, dtype=float) / temperature)


@dataclass(frozen=True, repr=False)
class CalibrationReport(ResultDisplay):
    """ECE before and after temperature scaling on a held-out split (fitted on a separate
    validation split), with the binning stated and the source's band for each."""

    kind: str
    settings: dict
    warnings: tuple
    n: int
    n_validation: int
    temperature: float
    accuracy: float
    ece_before: float
    ece_after: float
    nll_before: float
    nll_after: float
    bins_before: dict
    bins_after: dict

    @property
    def summary(self) -> dict[str, Any]:
        return {"n": self.n, "validation_count": self.n_validation, "temperature_ratio": self.temperature,
                "accuracy_fraction": self.accuracy, "ece_before_fraction": self.ece_before,
                "ece_after_fraction": self.ece_after, "nll_before_ratio": self.nll_before,
                "nll_after_ratio": self.nll_after, "verdict": ece_band(min(self.ece_after, 1.0))}

    def _rows(self) -> list[tuple[str, str]]:
        b = self.bins_before
        return [("ECE before -> after", f"{self.ece_before:.3f} ({ece_band(self.ece_before)}) -> "
                                        f"{self.ece_after:.3f} ({ece_band(self.ece_after)})"),
                ("temperature T", f"{self.temperature:.3f} (fitted on {self.n_validation} validation examples)"),
                ("NLL before -> after", f"{self.nll_before:.4f} -> {self.nll_after:.4f} nats"),
                ("accuracy (unchanged by T)", f"{self.accuracy:.1%} of {self.n} held-out examples"),
                ("binning", f"{b['n_bins']} {b['binning']} bins"),
                ("bands (source)", "well < 0.05 <= moderately <= 0.10 < poorly")]

    def _payload(self) -> dict[str, Any]:
        def lists(d):
            return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}

        return {"bins_before": lists(self.bins_before), "bins_after": lists(self.bins_after)}


@validate_params({"n_bins": _BINS, "binning": _BINNING, "kind": Options(("measured", "modeled"))})
def temperature_scaling_report(val_logits: Any, val_y: Any, test_logits: Any, test_y: Any, n_bins: int = 15,
                               binning: str = "uniform", kind: str = "measured") -> CalibrationReport:
    """Fit T on the validation split, report ECE and NLL on the held-out split before and after.

    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 2000)
    >>> z = 3.0 * np.eye(3)[y] + rng.normal(0, 1.5, (2000, 3))   # a plausible model ...
    >>> r = temperature_scaling_report(3 * z[:1000], y[:1000], 3 * z[1000:], y[1000:])  # made overconfident
    >>> r.temperature > 2, r.ece_after < r.ece_before
    (True, True)
    """
    zv, zt = np.asarray(val_logits, dtype=float), np.asarray(test_logits, dtype=float)
    yt = np.asarray(test_y)
    t = fit_temperature(zv, val_y)
    if zt.ndim != 2 or len(zt) != len(yt):
        raise invalid("test_logits", f"got shape {zt.shape} for {len(yt)} labels", "shape (n, classes)",
                      owner="temperature_scaling_report")
    before = reliability_bins(*top_label(_softmax(zt), yt), n_bins, binning)
    after = reliability_bins(*top_label(apply_temperature(zt, t), yt), n_bins, binning)
    warns = []
    if len(yt) < 10 * n_bins:
        warns.append(f"{len(yt)} held-out examples over {n_bins} bins: ECE is biased upward with few examples per "
                     "bin; use fewer bins or more examples.")
    if not T_RANGE[0] * 1.01 < t < T_RANGE[1] / 1.01:
        warns.append(f"The fitted temperature {t:.4g} is at the end of the search range {list(T_RANGE)}: one "
                     "temperature cannot calibrate these scores; try a richer recalibration (e.g. isotonic).")
    s = {"n_bins": n_bins, "binning": binning, "t_search": list(T_RANGE), "fit": "NLL on validation"}
    return CalibrationReport(kind=kind, settings=given_settings(**s),
                             warnings=tuple(warns), n=len(yt), n_validation=len(zv), temperature=t,
                             accuracy=float((zt.argmax(axis=1) == yt).mean()), ece_before=before["ece"],
                             ece_after=after["ece"], nll_before=_nll(zt, yt, 1.0), nll_after=_nll(zt, yt, t),
                             bins_before=before, bins_after=after)

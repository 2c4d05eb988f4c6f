"""Regression detection on a benchmark history: CUSUM alarms and offline change points.

A nightly benchmark gives one number a night; a real 3% regression hides in run-to-run noise of
a few percent. :func:`cusum` (Page's cumulative sum) accumulates standardized deviations from a
reference period, so a small persistent shift adds up while noise cancels; it alarms when the
sum passes ``h`` (in standard deviations; ``k`` is the slack per step, half the shift it is tuned
for). The reference's centre and spread are the median and the MAD (scaled to a standard
deviation), so one outlier night does not set them. :func:`binary_segmentation` finds where the
mean shifted, after the fact, with a BIC-like penalty. :func:`false_alarm_probability` runs a
detector on shuffled copies of a noise-only history (the order of nights carries no signal
there) and counts how often it alarms: the false-alarm rate *for this machine's noise*.

>>> rng = np.random.default_rng(0)
>>> x = np.r_[rng.normal(10, 0.3, 30), rng.normal(10.6, 0.3, 20)]   # a 6% regression at night 30
>>> c = cusum(x, reference_n=15)
>>> 30 <= c.first_alarm <= 36
True
>>> cps = binary_segmentation(x)
>>> len(cps), abs(cps[0] - 30) <= 2
(1, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simlib._validate import Options, Range, invalid, validate_params

__all__ = ["Cusum", "binary_segmentation", "cusum", "false_alarm_probability", "robust_center_scale"]


def _series(x, owner, min_n=4) -> np.ndarray:
    a = np.asarray(x, dtype=float).ravel()
    if a.size < min_n or not np.all(np.isfinite(a)):
        raise invalid("x", f"got {a.size} values" + ("" if np.all(np.isfinite(a)) else " with NaN or inf"),
                      f"at least {min_n} finite values", owner=owner)
    return a


def robust_center_scale(x) -> tuple[float, float]:
    """(median, 1.4826 * MAD): a centre and a standard deviation that one outlier does not move.
    A zero MAD falls back to the standard deviation, then to 1e-12."""
    a = np.asarray(x, dtype=float)
    med = float(np.median(a))
    s = 1.4826 * float(np.median(np.abs(a - med)))
    return med, s if s > 0 else (float(np.std(a)) or 1e-12)


@dataclass(frozen=True)
class Cusum:
    """Upper and lower CUSUM statistics per point, the alarm indices (the statistic restarts at
    0 after each), ``first_alarm`` (None if none), and the reference ``center``/``scale``."""

    upper: np.ndarray
    lower: np.ndarray
    alarms: tuple[int, ...]
    center: float
    scale: float
    h: float

    @property
    def first_alarm(self) -> int | None:
        return self.alarms[0] if self.alarms else None


@validate_params({"reference_n": Range(3, None, integer=True), "k": Range(0, None, unit="sd"),
                  "h": Range(0, None, closed="neither", unit="sd"), "direction": Options(("up", "down", "both"))})
def cusum(x, reference_n: int = 10, k: float = 0.5, h: float = 5.0, direction: str = "up") -> Cusum:
    """Two-sided (or one-sided: ``"up"`` catches a slowdown in a latency history) tabular CUSUM on
    ``x`` standardized by the median and MAD of its first ``reference_n`` values."""
    a = _series(x, "cusum")
    if reference_n >= a.size:
        raise invalid("reference_n", f"is {reference_n} for {a.size} values", "fewer than the values",
                      owner="cusum")
    c, s = robust_center_scale(a[:reference_n])
    z = (a - c) / s
    up, lo = np.zeros(a.size), np.zeros(a.size)
    su = sl = 0.0
    alarms = []
    for i, v in enumerate(z):
        su, sl = max(0.0, su + v - k), max(0.0, sl - v - k)
        up[i], lo[i] = su, sl
        hit = (direction in ("up", "both") and su > h) or (direction in ("down", "both") and sl > h)
        if hit and i >= reference_n:
            alarms.append(i)
            su = sl = 0.0
    return Cusum(up, lo, tuple(alarms), c, s, h)


@validate_params({"min_size": Range(2, None, integer=True), "penalty": [Range(0, None), None]})
def binary_segmentation(x, penalty: float | None = None, min_size: int = 3) -> list[int]:
    """Indices where the mean of ``x`` changes (each the first index of a new segment), found by
    recursive binary segmentation on the squared-error cost; a split is kept when it lowers the
    cost by more than ``penalty`` (default 2 log(n) sigma^2, sigma from the MAD of successive
    differences / sqrt 2, the Schwarz criterion for one mean shift)."""
    a = _series(x, "binary_segmentation")
    if penalty is None:
        d = np.diff(a)
        sig = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2) or float(np.std(a)) or 1e-12
        penalty = 2 * math.log(a.size) * sig**2 * 2  # two parameters per split: the location and the new mean
    found: list[int] = []

    def split(lo: int, hi: int) -> None:
        seg = a[lo:hi]
        n = seg.size
        if n < 2 * min_size:
            return
        cs, cs2 = np.cumsum(seg), np.cumsum(seg**2)
        total = cs2[-1] - cs[-1] ** 2 / n
        i = np.arange(min_size, n - min_size + 1)
        left = cs2[i - 1] - cs[i - 1] ** 2 / i
        right = (cs2[-1] - cs2[i - 1]) - (cs[-1] - cs[i - 1]) ** 2 / (n - i)
        gain = total - (left + right)
        j = int(np.argmax(gain))
        if gain[j] > penalty:
            cut = lo + int(i[j])
            found.append(cut)
            split(lo, cut)
            split(cut, hi)

    split(0, a.size)
    return sorted(found)


@validate_params({"length": Range(4, None, integer=True), "n_series": Range(1, 100_000, integer=True),
                  "seed": Range(0, None, integer=True)})
def false_alarm_probability(noise, length: int, n_series: int = 200, seed: int = 0, **cusum_kw) -> float:
    """The fraction of ``n_series`` histories of ``length`` nights, resampled with replacement from
    ``noise`` (results with no regression in them), on which :func:`cusum` alarms at least once."""
    a = _series(noise, "false_alarm_probability", min_n=3)
    rng = np.random.default_rng(seed)
    hits = sum(cusum(rng.choice(a, length), **cusum_kw).first_alarm is not None for _ in range(n_series))
    return hits / n_series

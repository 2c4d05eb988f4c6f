"""Statistics for benchmark samples: percentiles as MLPerf LoadGen computes them, and their
uncertainty.

Conventions: samples are 1-D sequences of floats in SI units (seconds for latency); percentiles
are given in percent, in (0, 100). Every interval is returned as an :class:`Interval` with its
confidence level, so a reader can see how sure a number is.

Percentile rule. LoadGen sorts the n latencies and reports ``sorted[floor(n * p / 100)]``
(clamped to the last element); simlib uses the same rule everywhere so that a measured p99 and
a simulated p99 are computed identically.

>>> percentile([5, 1, 4, 2, 3], 50)
3.0
>>> percentile(range(1, 101), 99)
100.0
>>> round(cv([10.0, 10.0, 10.0]), 3)
0.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as _st

from simlib._validate import Interval as _Range
from simlib._validate import InvalidParameterError, check

__all__ = [
    "NOISY_CV",
    "Interval",
    "Summary",
    "bootstrap_ci",
    "cv",
    "mean_ci",
    "median_ci",
    "percentile",
    "percentile_ci",
    "summarize",
]

#: A run whose coefficient of variation exceeds this is flagged noisy (the book's 5% rule).
NOISY_CV = 0.05

_PCT = _Range(0, 100, closed="neither", unit="(percent)")
_CONF = _Range(0, 1, closed="neither")


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``[low, high]`` for ``estimate`` at level ``confidence``."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}] ({self.confidence:.0%} {self.method})"


def _as_samples(samples: Sequence[float] | np.ndarray, name: str = "samples", min_n: int = 1) -> np.ndarray:
    x = np.asarray(samples, dtype=float).ravel()
    if x.size < min_n:
        raise InvalidParameterError(
            f"The {name!r} parameter needs at least {min_n} value(s); got {x.size}."
        )
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError(f"The {name!r} parameter contains NaN or infinite values.")
    return x


def percentile(samples: Sequence[float] | np.ndarray, p: float) -> float:
    """The p-th percentile by LoadGen's rule ``sorted[floor(n*p/100)]`` (same unit as samples)."""
    check("p", p, _PCT, owner="percentile")
    x = np.sort(_as_samples(samples))
    return float(x[min(x.size - 1, math.floor(x.size * p / 100.0))])


def percentile_ci(samples: Sequence[float] | np.ndarray, p: float, confidence: float = 0.95) -> Interval:
    """Distribution-free confidence interval for the p-th percentile from order statistics.

    The number of samples below the true percentile is Binomial(n, p/100); the interval is the
    pair of order statistics that brackets it with probability >= ``confidence``. Needs enough
    samples: for p99 at 95% at least 368 (otherwise there is no upper order statistic and an
    error says how many are needed).
    """
    check("p", p, _PCT, owner="percentile_ci")
    check("confidence", confidence, _CONF, owner="percentile_ci")
    x = np.sort(_as_samples(samples))
    n, q = x.size, p / 100.0
    alpha = 1 - confidence
    # B = number of samples below the true percentile ~ Binomial(n, q). The j-th order statistic
    # (1-based) is below it iff B >= j; the k-th is above it iff B <= k - 1.
    j = int(_st.binom.ppf(alpha / 2, n, q))  # F(j - 1) < alpha/2
    k_idx = int(_st.binom.ppf(1 - alpha / 2, n, q))  # F(k_idx) >= 1 - alpha/2 (0-based index)
    if j < 1 or k_idx > n - 1:
        need = _min_n_for_percentile_ci(q, confidence)
        raise InvalidParameterError(
            f"The 'samples' parameter of percentile_ci is too small for a {confidence:.0%} interval "
            f"on p{p:g}: got {n} samples, need at least {need}."
        )
    return Interval(percentile(x, p), float(x[j - 1]), float(x[k_idx]), confidence, "order-statistic")


def _min_n_for_percentile_ci(q: float, confidence: float) -> int:
    # The upper bound exists once P(all n samples fall below the percentile) <= alpha/2.
    alpha = 1 - confidence
    return max(math.ceil(math.log(alpha / 2) / math.log(max(q, 1 - q))), 2)


def mean_ci(samples: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Student-t confidence interval for the mean (needs at least 2 samples)."""
    check("confidence", confidence, _CONF, owner="mean_ci")
    x = _as_samples(samples, min_n=2)
    m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    h = float(_st.t.ppf(0.5 + confidence / 2, x.size - 1)) * se
    return Interval(m, m - h, m + h, confidence, "t")


def median_ci(samples: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Distribution-free confidence interval for the median (order statistics)."""
    return percentile_ci(samples, 50, confidence)


def bootstrap_ci(
    samples: Sequence[float] | np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.median,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Percentile-bootstrap interval for any statistic (scipy.stats.bootstrap, BCa where it can)."""
    check("confidence", confidence, _CONF, owner="bootstrap_ci")
    check("n_resamples", n_resamples, _Range(100, None, integer=True), owner="bootstrap_ci")
    x = _as_samples(samples, min_n=2)
    res = _st.bootstrap(
        (x,), lambda a, axis: np.apply_along_axis(statistic, axis, a), confidence_level=confidence,
        n_resamples=n_resamples, rng=np.random.default_rng(seed), method="percentile",
    )
    ci = res.confidence_interval
    return Interval(float(statistic(x)), float(ci.low), float(ci.high), confidence, "bootstrap")


def cv(samples: Sequence[float] | np.ndarray) -> float:
    """Coefficient of variation: sample standard deviation / mean (dimensionless)."""
    x = _as_samples(samples, min_n=2)
    m = float(x.mean())
    if m == 0:
        raise InvalidParameterError("cv is undefined for samples with mean 0.")
    return float(x.std(ddof=1) / abs(m))


@dataclass(frozen=True)
class Summary:
    """The headline statistics of a set of samples (same unit as the samples)."""

    n: int
    mean: float
    median: float
    p90: float
    p99: float
    min: float
    max: float
    cv: float
    mean_ci: Interval
    median_ci: Interval | None
    p99_ci: Interval | None
    warnings: list[str] = field(default_factory=list)

    @property
    def noisy(self) -> bool:
        return self.cv > NOISY_CV


def summarize(samples: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Summary:
    """Median, mean, p90, p99, CV and intervals; a warning when a statistic cannot be trusted.

    >>> s = summarize(np.random.default_rng(0).normal(10, 0.1, 500))
    >>> round(s.median, 1), s.noisy, s.p99_ci is not None
    (10.0, False, True)
    """
    x = _as_samples(samples, min_n=2)
    warns: list[str] = []
    c = cv(x)
    if c > NOISY_CV:
        warns.append(
            f"noisy run: CV {c:.1%} exceeds {NOISY_CV:.0%}; close other programs, pin threads, "
            "or take more samples before trusting small differences"
        )

    def _maybe(p: float) -> Interval | None:
        try:
            return percentile_ci(x, p, confidence)
        except InvalidParameterError as err:
            warns.append(f"no interval for p{p:g}: {err}")
            return None

    return Summary(
        n=int(x.size), mean=float(x.mean()), median=percentile(x, 50), p90=percentile(x, 90),
        p99=percentile(x, 99), min=float(x.min()), max=float(x.max()), cv=c,
        mean_ci=mean_ci(x, confidence), median_ci=_maybe(50), p99_ci=_maybe(99), warnings=warns,
    )

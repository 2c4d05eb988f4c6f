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

from simlib._validate import InvalidParameterError, Options, check, validate_params
from simlib._validate import Range as _Range

__all__ = [
    "NOISY_CV",
    "NOISY_RUN",
    "Comparison",
    "Interval",
    "Summary",
    "bootstrap_ci",
    "compare_runs",
    "cv",
    "is_noisy",
    "mean_ci",
    "min_samples_for_percentile_ci",
    "median_ci",
    "percentile",
    "percentile_ci",
    "proportion_ci",
    "sample_size_proportion",
    "sample_size_two_means",
    "sample_size_two_proportions",
    "summarize",
    "wilson_ci",
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
    ess: float | None = None  #: effective sample size behind the interval (None: not computed)
    warning: str | None = None  #: why the interval may not hold (e.g. a run too short for it)

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


@validate_params({"p": _PCT})
def percentile(samples: Sequence[float] | np.ndarray, p: float) -> float:
    """The p-th percentile by LoadGen's rule ``sorted[floor(n*p/100)]`` (same unit as samples)."""
    x = np.sort(_as_samples(samples))
    return float(x[min(x.size - 1, math.floor(x.size * p / 100.0))])


@validate_params({"p": _PCT, "confidence": _CONF})
def percentile_ci(samples: Sequence[float] | np.ndarray, p: float, confidence: float = 0.95) -> Interval:
    """Distribution-free confidence interval for the p-th percentile from order statistics.

    The number of samples below the true percentile is Binomial(n, p/100); the interval is the
    pair of order statistics that brackets it with probability >= ``confidence``. Needs enough
    samples: for p99 at 95% at least 368 (otherwise there is no upper order statistic and an
    error says how many are needed).
    """
    x = np.sort(_as_samples(samples))
    n, q = x.size, p / 100.0
    alpha = 1 - confidence
    # B = number of samples below the true percentile ~ Binomial(n, q). The j-th order statistic
    # (1-based) is below it iff B >= j; the k-th is above it iff B <= k - 1.
    j = int(_st.binom.ppf(alpha / 2, n, q))  # F(j - 1) < alpha/2
    k_idx = int(_st.binom.ppf(1 - alpha / 2, n, q))  # F(k_idx) >= 1 - alpha/2 (0-based index)
    if j < 1 or k_idx > n - 1:
        need = min_samples_for_percentile_ci(p, confidence)
        raise InvalidParameterError(
            f"The 'samples' parameter of percentile_ci is too small for a {confidence:.0%} interval "
            f"on p{p:g}: got {n} samples, need at least {need}."
        )
    return Interval(percentile(x, p), float(x[j - 1]), float(x[k_idx]), confidence, "order-statistic")


@validate_params({"p": _PCT, "confidence": _CONF})
def min_samples_for_percentile_ci(p: float, confidence: float = 0.95) -> int:
    """Fewest samples for which :func:`percentile_ci` has both bounds (distribution-free).

    The upper bound exists once the chance that all n samples fall below the true percentile,
    (p/100)^n, is at most (1 - confidence)/2 (and symmetrically for the lower bound).

    >>> min_samples_for_percentile_ci(99), min_samples_for_percentile_ci(50)
    (368, 6)
    """
    q, alpha = p / 100.0, 1 - confidence
    return max(math.ceil(math.log(alpha / 2) / math.log(max(q, 1 - q))), 2)


@validate_params({"confidence": _CONF})
def mean_ci(samples: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Student-t confidence interval for the mean (needs at least 2 samples)."""
    x = _as_samples(samples, min_n=2)
    m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    h = float(_st.t.ppf(0.5 + confidence / 2, x.size - 1)) * se
    return Interval(m, m - h, m + h, confidence, "t")


def median_ci(samples: Sequence[float] | np.ndarray, confidence: float = 0.95) -> Interval:
    """Distribution-free confidence interval for the median (order statistics)."""
    return percentile_ci(samples, 50, confidence)


@validate_params({"confidence": _CONF, "n_resamples": _Range(100, None, integer=True)})
def bootstrap_ci(
    samples: Sequence[float] | np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.median,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Percentile-bootstrap interval for any statistic (scipy.stats.bootstrap, BCa where it can)."""
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
    #: how the intervals were computed ("independent samples" or "batch means (K batches of m)")
    ci_method: str = "independent samples"
    #: effective sample size for the mean: independent samples that would be as precise as these n
    ess: float | None = None

    @property
    def noisy(self) -> bool:
        return self.cv > NOISY_CV


#: How the warning about a noisy measurement starts (results of a model leave it out).
NOISY_RUN = "noisy run"


def summarize(samples: Sequence[float] | np.ndarray, confidence: float = 0.95,
              independent: bool | None = None) -> Summary:
    """Median, mean, p90, p99, CV and intervals; a warning when a statistic cannot be trusted.

    ``samples`` are in time order (arrival order for latencies). Their intervals come from
    :mod:`simlib.batch_means`: independent samples get the classical intervals, correlated ones
    (queues, batching, slow stretches) batch means; ``ci_method`` and ``ess`` say which and how
    much information the run holds. ``independent=True`` skips the check (independent replications).

    >>> s = summarize(np.random.default_rng(0).normal(10, 0.1, 500))
    >>> round(s.median, 1), s.noisy, s.p99_ci is not None, s.ci_method
    (10.0, False, True, 'independent samples')
    """
    from simlib import batch_means  # batch_means builds on this module's intervals

    x = _as_samples(samples, min_n=2)
    warns: list[str] = []
    c = cv(x)
    if c > NOISY_CV:
        warns.append(
            f"{NOISY_RUN}: CV {c:.1%} exceeds {NOISY_CV:.0%}; close other programs, pin threads, "
            "or take more samples before trusting small differences"
        )

    doubts: list[tuple[str, str]] = []  # (statistic, why its interval may not hold)

    def _note(ci: Interval, label: str) -> Interval:
        if ci.warning:
            doubts.append((label, ci.warning))
        return ci

    def _maybe(p: float) -> Interval | None:
        try:
            return _note(batch_means.percentile_ci(x, p, confidence, independent=independent), f"p{p:g}")
        except InvalidParameterError as err:
            warns.append(f"no interval for p{p:g}: {err}")
            return None

    m_ci = _note(batch_means.mean_ci(x, confidence, independent=independent), "the mean")
    median_ci, p99_ci = _maybe(50), _maybe(99)
    if doubts:  # one warning, not one per statistic
        others = [label for label, _ in doubts[1:]]
        warns.append(f"interval for {doubts[0][0]}: {doubts[0][1]}"
                     + (f" (the intervals for {', '.join(others)} have the same problem)" if others else ""))
    return Summary(
        n=int(x.size), mean=float(x.mean()), median=percentile(x, 50), p90=percentile(x, 90),
        p99=percentile(x, 99), min=float(x.min()), max=float(x.max()), cv=c,
        mean_ci=m_ci, median_ci=median_ci, p99_ci=p99_ci, warnings=warns,
        ci_method=m_ci.method.split(":")[0], ess=m_ci.ess,
    )


@validate_params({"threshold": _Range(0, None, closed="neither")})
def is_noisy(samples: Sequence[float] | np.ndarray, threshold: float = NOISY_CV) -> bool:
    """The book's noise rule: a run whose CV exceeds ``threshold`` (default 5%) is too noisy to
    trust small differences.

    >>> is_noisy([100, 101, 99, 100]), is_noisy([100, 130, 70, 100])
    (False, True)
    """
    return cv(samples) > threshold


def _z(confidence: float) -> float:
    return float(_st.norm.ppf(0.5 + confidence / 2))


@validate_params({"n": _Range(1, None, integer=True), "confidence": _CONF, "method": Options(("wilson", "normal"))})
def proportion_ci(successes: int, n: int, confidence: float = 0.95, method: str = "wilson") -> Interval:
    """Confidence interval for a proportion (accuracy = correct / n).

    ``method="wilson"`` (default) stays inside [0, 1] and keeps its coverage near 0 or 1;
    ``"normal"`` is the Wald interval p +- z sqrt(p(1-p)/n) the source chapter uses.

    Source chapter, Napkin Math 1.1 (seed lines 119-126): 50 errors in 1,000 give about
    50 +- 1.96 x 7 errors, i.e. [36, 64].

    >>> ci = proportion_ci(50, 1000, method="normal")
    >>> round(ci.low * 1000), round(ci.high * 1000)
    (36, 64)
    """
    check("successes", successes, _Range(0, n, integer=True), owner="proportion_ci")
    p, z = successes / n, _z(confidence)
    if method == "normal":
        h = z * math.sqrt(p * (1 - p) / n)
        return Interval(p, max(0.0, p - h), min(1.0, p + h), confidence, "normal (Wald)")
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    h = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if successes == 0 else min(p, max(0.0, center - h))  # exact at the ends despite rounding
    high = 1.0 if successes == n else max(p, min(1.0, center + h))
    return Interval(p, low, high, confidence, "Wilson")


def wilson_ci(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion (see :func:`proportion_ci`).

    >>> ci = wilson_ci(950, 1000)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.9346, 0.9619)
    """
    return proportion_ci(successes, n, confidence, "wilson")


@validate_params({"p": _Range(0, 1, closed="neither"), "margin": _Range(0, 1, closed="neither", unit="(fraction, 0.01 = 1 pp)"), "confidence": _CONF})
def sample_size_proportion(p: float, margin: float, confidence: float = 0.95) -> int:
    """Samples needed to estimate a proportion near ``p`` within +-``margin`` (normal approximation:
    n = z^2 p (1 - p) / margin^2, rounded up).

    Source chapter, Napkin Math 1.1 (seed line 126): 95% accuracy at +-1 pp needs about 1,825.

    >>> sample_size_proportion(0.95, 0.01)
    1825
    """
    return math.ceil(_z(confidence) ** 2 * p * (1 - p) / margin**2 - 1e-9)


@validate_params({"p1": _Range(0, 1, closed="neither"), "p2": _Range(0, 1, closed="neither"), "alpha": _CONF,
                  "power": _CONF})
def sample_size_two_proportions(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Samples per model to detect accuracy ``p1`` vs ``p2`` (two-sided test at ``alpha`` with
    ``power``), each model evaluated on its own independent test set (pooled-variance formula).

    >>> sample_size_two_proportions(0.95, 0.94)
    8158
    """
    if p1 == p2:
        raise InvalidParameterError("sample_size_two_proportions: p1 and p2 must differ (got equal values).")
    za, zb = float(_st.norm.ppf(1 - alpha / 2)), float(_st.norm.ppf(power))
    pbar = (p1 + p2) / 2
    num = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil((num / (p1 - p2)) ** 2)


@validate_params({"delta": _Range(0, None, closed="neither"), "sd": _Range(0, None, closed="neither"), "alpha": _CONF, "power": _CONF})
def sample_size_two_means(delta: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Runs per configuration to detect a change ``delta`` in a mean (e.g. a latency regression,
    same unit as ``sd``, the run-to-run standard deviation): two-sample t-test, iterated from the
    normal approximation n = 2 (z_a + z_b)^2 sd^2 / delta^2.

    >>> sample_size_two_means(delta=1.0, sd=1.0)
    17
    """
    n = max(2, math.ceil(2 * (float(_st.norm.ppf(1 - alpha / 2)) + float(_st.norm.ppf(power))) ** 2
                         * (sd / delta) ** 2))
    for _ in range(100):  # replace z by t with 2n - 2 degrees of freedom until stable
        df = 2 * n - 2
        need = math.ceil(2 * (float(_st.t.ppf(1 - alpha / 2, df)) + float(_st.t.ppf(power, df))) ** 2
                         * (sd / delta) ** 2)
        if need <= n:
            return n
        n = need
    return n


@dataclass(frozen=True)
class Comparison:
    """Do two sets of runs differ? ``diff`` is mean(b) - mean(a), with a Welch interval.

    ``significant``: the Welch t-test rejects equal means at 1 - confidence. ``practical``: the
    relative change exceeds ``min_relative_change`` (default the 5% noise rule). Cohen's d uses
    the pooled standard deviation; |d| ~0.2 small, 0.5 medium, 0.8 large.
    """

    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    diff: Interval
    relative_change: float
    p_value: float
    mannwhitney_p: float
    cohens_d: float
    significant: bool
    practical: bool

    @property
    def verdict(self) -> str:
        if not self.significant:
            return "no detectable difference (within run-to-run noise)"
        size = "practically relevant" if self.practical else "too small to matter"
        return f"statistically significant change of {self.relative_change:+.1%}, {size}"


@validate_params({"confidence": _CONF, "min_relative_change": _Range(0, None)})
def compare_runs(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
                 confidence: float = 0.95, min_relative_change: float = NOISY_CV) -> Comparison:
    """Welch t-test, Mann-Whitney U and Cohen's d for two independent sets of runs.

    >>> rng = np.random.default_rng(0)
    >>> c = compare_runs(rng.normal(10, 0.2, 30), rng.normal(11, 0.2, 30))
    >>> c.significant, c.practical, c.cohens_d > 2
    (True, True, True)
    """
    x, y = _as_samples(a, "a", min_n=2), _as_samples(b, "b", min_n=2)
    ma, mb = float(x.mean()), float(y.mean())
    va, vb = float(x.var(ddof=1)), float(y.var(ddof=1))
    se2 = va / x.size + vb / y.size
    d = mb - ma
    if se2 == 0:
        p = 1.0 if d == 0 else 0.0
        h = 0.0
    else:
        df = se2**2 / ((va / x.size) ** 2 / (x.size - 1) + (vb / y.size) ** 2 / (y.size - 1))
        # Welch's t from the moments above (scipy's ttest_ind gives the same p, but warns of
        # "catastrophic cancellation" when one side's runs are all equal, e.g. a coarse timer)
        p = float(2 * _st.t.sf(abs(d) / math.sqrt(se2), df))
        h = float(_st.t.ppf(0.5 + confidence / 2, df)) * math.sqrt(se2)
    pooled = math.sqrt(((x.size - 1) * va + (y.size - 1) * vb) / (x.size + y.size - 2))
    cohens_d = d / pooled if pooled else (0.0 if d == 0 else math.copysign(math.inf, d))
    try:
        mw = float(_st.mannwhitneyu(x, y, alternative="two-sided").pvalue)
    except ValueError:  # all values identical
        mw = 1.0
    rel = d / abs(ma) if ma else math.inf
    return Comparison(int(x.size), int(y.size), ma, mb, Interval(d, d - h, d + h, confidence, "Welch t"),
                      rel, p, mw, cohens_d, p < 1 - confidence, abs(rel) > min_relative_change)

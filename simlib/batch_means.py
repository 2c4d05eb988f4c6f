"""Confidence intervals for correlated output: batch means, with the batch size chosen from the data.

Latencies from a queue are correlated: a request that arrives during a busy period waits, and so
do its neighbours, so n latencies carry far less information than n independent draws. An
interval that treats them as independent (:func:`simlib.stats.mean_ci`,
:func:`simlib.stats.percentile_ci`) is too narrow. The method of batch means cuts the sequence
(in arrival order) into ``K`` consecutive batches long enough to be nearly independent; the
spread of the batch statistics, not of the individual latencies, measures the uncertainty.

How the batch size is chosen (Law and Carson 1979, simplified):

1. the correlation length: the smallest ``m`` in 1, 2, 4, ... for which the lag-1
   autocorrelation of the means of consecutive batches of ``m`` values is small
   (<= max(0.1, 2/sqrt(k)) with k = n // m batches: the larger of a fixed bound and the noise
   of the estimate);
2. ``m == 1``: the samples look independent and the classical interval is used (Student t,
   order statistics), named "independent samples";
3. otherwise ``K = 20`` batches of ``n // K`` values (Schmeiser 1982: 10 to 30 batches), t with
   ``K - 1`` degrees of freedom; fewer (down to 10) when 20 batches would be shorter than
   :data:`SAFETY` correlation lengths. A batch still shorter than that is flagged: the run is
   too short for an honest interval, and the warning says how long to run.

Percentiles use the same batches on the indicator sequence ``1{x <= q}`` at the sample
percentile ``q`` (the fraction below q is a mean, so batch means gives its standard error), then
invert it through the sorted sample, as Woodruff's interval does for independent samples.
Unlike batch *quantiles* (Seila 1982), this stays usable when a batch holds only a few tail
values. The effective sample size is ``n * (variance if independent) / (batch-means variance)``:
how many independent samples would give the same precision.

Why hand-written: no maintained Python library offers steady-state batch-means intervals with a
data-chosen batch size (statsmodels has the autocorrelation function only; ``arch`` offers block
bootstraps, ~1000x the work per interval; ArviZ's ESS/MCSE target MCMC chains and pull in xarray).
The whole method is the ~100 lines below, and ``benchmarks/bench_coverage.py`` measures its
coverage against exact M/M/1, M/D/1 and M/M/c results.

>>> import numpy as np
>>> from simlib.queueing import simulate
>>> x = simulate(80.0, "exp:10ms", n_requests=100_000, seed=1).latency_s
>>> ci = mean_ci(x)
>>> ci.method.startswith("batch means"), ci.ess < x.size / 10   # ~90,000 latencies, a few hundred independent
(True, True)
>>> mean_ci(np.random.default_rng(0).normal(size=1000)).method
'independent samples: t'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats as _st

from simlib import stats
from simlib._validate import InvalidParameterError, validate_params
from simlib._validate import Range as _Range

__all__ = ["BatchPlan", "N_BATCHES", "SAFETY", "lag1_autocorr", "mean_ci", "percentile_ci", "plan_batches"]

#: Number of batches of the final interval (t with N_BATCHES - 1 degrees of freedom) ...
N_BATCHES = 20
#: ... or fewer, down to this, when a run is short for its correlation length.
MIN_BATCHES = 10
#: A batch must span at least this many correlation lengths for an honest interval.
SAFETY = 8
#: Lag-1 autocorrelation of batch means below which batches count as uncorrelated.
LAG1_MAX = 0.1
#: ... or this many standard errors (1/sqrt(k) for k batches) of the estimate, if larger.
NOISE_Z = 2.0
#: Fewest batches on which a lag-1 autocorrelation is estimated.
MIN_SEARCH_BATCHES = 40
#: Fewest expected values beyond the percentile in each batch (the indicator batch means need them).
MIN_TAIL_PER_BATCH = 5

_CONF = _Range(0, 1, closed="neither")
_PCT = _Range(0, 100, closed="neither", unit="(percent)")


def lag1_autocorr(x: Sequence[float] | np.ndarray) -> float:
    """Lag-1 sample autocorrelation (dimensionless, 0 for a constant or a too-short series).

    >>> round(lag1_autocorr([1.0, 2.0, 1.0, 2.0, 1.0, 2.0]), 2)
    -0.83
    """
    a = np.asarray(x, dtype=float)
    if a.size < 3:
        return 0.0
    d = a - a.mean()
    den = float(np.einsum("i,i->", d, d))  # einsum: no BLAS thread start-up on short vectors
    return float(np.einsum("i,i->", d[:-1], d[1:])) / den if den > 0 else 0.0


@dataclass(frozen=True)
class BatchPlan:
    """How a sequence is batched: ``correlation_length`` (values; 1 = independent, None = not known:
    longer than the search could see, or batching forced), ``batch_size`` and ``n_batches`` of the interval, and a ``warning`` when
    the run is too short for an honest interval."""

    n: int
    correlation_length: int | None
    batch_size: int
    n_batches: int
    warning: str | None = None

    @property
    def independent(self) -> bool:
        return self.correlation_length == 1

    @property
    def method(self) -> str:
        if self.independent:
            return "independent samples"
        return f"batch means ({self.n_batches} batches of {self.batch_size})"


@validate_params({"n_batches": _Range(2, None, integer=True)})
def plan_batches(x: Sequence[float] | np.ndarray, n_batches: int = N_BATCHES, what: str = "values") -> BatchPlan:
    """Choose the batch size from the data (module docstring): independent, or ``n_batches`` batches."""
    a = np.asarray(x, dtype=float)
    n = a.size
    if n < MIN_SEARCH_BATCHES:
        return BatchPlan(n, 1, 1, n, f"only {n} {what}: too few to check whether they are correlated (that needs "
                                     f"{MIN_SEARCH_BATCHES}); the interval treats them as independent")
    m, corr = 1, None
    while n // m >= MIN_SEARCH_BATCHES:
        k = n // m
        means = a[n - k * m:].reshape(k, m).mean(axis=1)
        if lag1_autocorr(means) <= max(LAG1_MAX, NOISE_Z / math.sqrt(k)):
            corr = m
            break
        m *= 2
    if corr == 1:
        return BatchPlan(n, 1, 1, n)
    # fewer, longer batches when the run is short for its correlation (down to MIN_BATCHES)
    k = n_batches if corr is None else min(n_batches, max(MIN_BATCHES, n // (SAFETY * corr)))
    size = n // k
    warning = None
    if corr is None or size < SAFETY * corr:
        need = k * SAFETY * (corr if corr is not None else 2 * m)
        seen = (f"{what} stay correlated over ~{corr} consecutive values" if corr is not None else
                f"{what} stay correlated over more than {m // 2} consecutive values (the longest span "
                "this run can test)")
        warning = (f"run too short for an honest interval: {seen}, so {k} batches of {size} are not "
                   f"independent and the interval is too narrow; run at least {need} requests (or replicate "
                   "with different seeds)")
    return BatchPlan(n, corr, max(size, 1), k, warning)


def _batch_se(a: np.ndarray, plan: BatchPlan) -> tuple[float, float]:
    """(standard error of the mean of ``a`` by batch means, batch-means variance of one batch mean)."""
    k, m = plan.n_batches, plan.batch_size
    means = a[a.size - k * m:].reshape(k, m).mean(axis=1)
    var_b = float(means.var(ddof=1))
    return math.sqrt(var_b / k), var_b


def _ess(n: int, var_one: float, se: float) -> float:
    """Effective sample size: independent samples with the same standard error (at most n)."""
    if se <= 0:
        return float(n)
    return float(min(n, var_one / se**2))


@validate_params({"confidence": _CONF})
def mean_ci(samples: Sequence[float] | np.ndarray, confidence: float = 0.95, *,
            independent: bool | None = None, n_batches: int = N_BATCHES) -> stats.Interval:
    """Interval for the mean of a sequence in time order (same unit as the samples).

    ``independent=True`` (independent replications, a closed loop with no carry-over) uses Student
    t on the samples; None decides from the data (:func:`plan_batches`); False forces batch means.
    The result's ``method`` says which was used, ``ess`` the effective sample size.
    """
    x = stats._as_samples(samples, min_n=2)
    plan = None if independent else plan_batches(x, n_batches, "latencies")
    if independent or (plan.independent and independent is None):
        ci = stats.mean_ci(x, confidence)
        return replace(ci, method="independent samples: t", ess=float(x.size), warning=plan and plan.warning)
    if plan.independent:  # forced batch means on independent-looking data
        plan = BatchPlan(plan.n, None, max(x.size // n_batches, 1), n_batches)
    se, _ = _batch_se(x, plan)
    h = float(_st.t.ppf(0.5 + confidence / 2, plan.n_batches - 1)) * se
    m = float(x.mean())
    return stats.Interval(m, m - h, m + h, confidence, plan.method, ess=_ess(x.size, float(x.var(ddof=1)), se),
                          warning=plan.warning)


@validate_params({"p": _PCT, "confidence": _CONF})
def percentile_ci(samples: Sequence[float] | np.ndarray, p: float, confidence: float = 0.95, *,
                  independent: bool | None = None, n_batches: int = N_BATCHES) -> stats.Interval:
    """Interval for the p-th percentile (LoadGen's rule) of a sequence in time order.

    Independent samples: the distribution-free order-statistic interval. Correlated: batch means of
    the indicator ``1{x <= q}`` give the standard error ``se`` of the fraction below the sample
    percentile q; the bounds are the sample percentiles at p -+ t * se (module docstring). Raises
    :class:`~simlib._validate.InvalidParameterError` when there are too few values for any interval.
    """
    x = stats._as_samples(samples, min_n=2)
    q = stats.percentile(x, p)
    frac = p / 100.0
    below = (x <= q).astype(float)
    plan = None if independent else plan_batches(below, n_batches, f"exceedances of p{p:g}")
    if independent or (plan.independent and independent is None):
        ci = stats.percentile_ci(x, p, confidence)
        return replace(ci, method="independent samples: order statistics", ess=float(x.size),
                       warning=plan and plan.warning)
    if plan.independent:
        plan = BatchPlan(plan.n, None, max(x.size // n_batches, 1), n_batches)
    tail = min(frac, 1 - frac) * plan.batch_size
    if tail < MIN_TAIL_PER_BATCH:
        need = math.ceil(MIN_TAIL_PER_BATCH * plan.n_batches / min(frac, 1 - frac))
        raise InvalidParameterError(
            f"The 'samples' parameter of percentile_ci is too short for a batch-means interval on p{p:g}: "
            f"{x.size} correlated values give {plan.n_batches} batches of {plan.batch_size}, with only {tail:.2g} "
            f"expected beyond p{p:g} in each; need at least {need} values.")
    se, _ = _batch_se(below, plan)
    h = float(_st.t.ppf(0.5 + confidence / 2, plan.n_batches - 1)) * se
    lo = stats.percentile(x, 100 * (frac - h)) if frac - h > 0 else float(x.min())
    hi = stats.percentile(x, 100 * (frac + h)) if frac + h < 1 else float(x.max())
    warning = plan.warning
    if frac + h >= 1 or frac - h <= 0:
        warning = warning or (f"the interval on p{p:g} reaches the extreme of the sample: run longer for a "
                              "bounded interval")
    return stats.Interval(q, lo, hi, confidence, plan.method, ess=_ess(x.size, frac * (1 - frac), se),
                          warning=warning)

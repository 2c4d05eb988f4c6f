"""MLPerf LoadGen's early-stopping rule: a conservative percentile from a run of any length.

MLPerf Inference (since v1.1) lets a run stop before its nominal query count and still report
a tail percentile, provided the reported value is *conservative*: with 99% confidence, the true
p-th percentile of the latency distribution is at or below it. LoadGen (``loadgen/results.cc``,
``early_stopping.cc``) does this with a binomial argument on the number of "overlatency" queries:

- the event "a query is slower than the true p-th percentile" has probability ``1 - p``;
- if the true percentile were *below* the run's t-th slowest latency, at least ``t`` of ``n``
  queries would be overlatency; ``P(Binomial(n, 1 - p) <= t - 1)`` bounds how likely it is to
  see fewer; LoadGen looks for the largest ``t`` with ``P(Binomial(n, 1 - p) <= t) < 1 - c``
  (c = 0.99, tolerance 0) and reports the ``t``-th slowest latency (discarding ``t - 1``);
- with ``t = 1`` this needs ``n`` queries such that even the slowest one is a safe estimate:
  64 queries for a p90 (SingleStream) and 662 for a p99 (MultiStream), LoadGen's minimums;
- Server: with ``t`` queries over the latency bound, the run passes when ``n`` is at least the
  smallest ``h + t`` for which ``P(Binomial(h + t, 1 - p) <= t) < 1 - c``.

The queries are treated as independent; for a queue's correlated latencies the estimate is less
conservative than its 99% suggests (the same caveat applies to LoadGen).

>>> min_queries_for_early_stopping(90), min_queries_for_early_stopping(99)
(64, 662)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

from simlib._validate import Range, validate_params

__all__ = ["EarlyStopping", "early_stopping_estimate", "min_queries_for_early_stopping",
           "server_early_stopping"]

#: LoadGen's confidence for the early-stopping rule
CONFIDENCE = 0.99
_PCT = Range(0, 100, closed="neither", unit="%")
_CONF = Range(0, 1, closed="neither")


@dataclass(frozen=True)
class EarlyStopping:
    """The outcome of the early-stopping rule for one run.

    ``estimate_s`` is the conservative percentile (None when the run is too short, or for a
    Server run); ``discarded`` the number of slowest queries set aside; ``min_queries`` the
    fewest queries the rule needs; ``passed`` whether the run satisfies it; ``detail`` one
    readable line.
    """

    percentile: float
    queries: int
    estimate_s: float | None
    discarded: int
    min_queries: int
    passed: bool
    detail: str


def _largest_passing_t(n: int, percentile: float, confidence: float) -> int:
    """The largest t with P(Binomial(n, 1 - p) <= t) < 1 - confidence (0 when none)."""
    cdf = binom.cdf(np.arange(n + 1), n, 1.0 - percentile / 100.0)
    return int(np.count_nonzero(cdf < 1.0 - confidence)) - 1  # cdf rises with t, so a prefix passes


@validate_params({"percentile": _PCT, "confidence": _CONF, "overlatency": Range(0, 10**7, integer=True)})
def min_queries_for_early_stopping(percentile: float, confidence: float = CONFIDENCE,
                                   overlatency: int = 1) -> int:
    """Fewest queries for which ``overlatency`` slow queries still pass the rule.

    >>> min_queries_for_early_stopping(99, overlatency=10)
    2010
    """
    q = 1.0 - percentile / 100.0
    lo, hi = overlatency + 1, overlatency + 2
    while binom.cdf(overlatency, hi, q) >= 1.0 - confidence:  # grow, then bisect
        lo, hi = hi, 2 * hi
    while lo < hi:
        mid = (lo + hi) // 2
        if binom.cdf(overlatency, mid, q) < 1.0 - confidence:
            hi = mid
        else:
            lo = mid + 1
    return lo


@validate_params({"percentile": _PCT, "confidence": _CONF})
def early_stopping_estimate(latencies_s, percentile: float,
                            confidence: float = CONFIDENCE) -> EarlyStopping:
    """LoadGen's early-stopping estimate of the ``percentile`` (SingleStream p90, MultiStream p99).

    >>> r = early_stopping_estimate(np.arange(1, 1001) / 1000, 90)
    >>> r.passed, r.discarded, round(r.estimate_s, 3)
    (True, 77, 0.923)
    """
    lat = np.sort(np.asarray(latencies_s, dtype=float))
    n = lat.size
    need = min_queries_for_early_stopping(percentile, confidence)
    t = _largest_passing_t(n, percentile, confidence) if n else 0
    if t < 1:
        return EarlyStopping(percentile, n, None, 0, need, False,
                             f"early stopping: {n} queries, needs at least {need} for a "
                             f"p{percentile:g} estimate at {confidence:.0%} confidence")
    est = float(lat[n - t])
    return EarlyStopping(percentile, n, est, t - 1, need, True,
                         f"early-stopping p{percentile:g} estimate {est * 1e3:.3g} ms "
                         f"({t - 1} slowest of {n} queries set aside, {confidence:.0%} confidence)")


@validate_params({"latency_bound_s": Range(0, None, closed="neither", unit="s")})
def server_early_stopping(latencies_s, latency_bound_s: float, percentile: float = 99.0,
                          confidence: float = CONFIDENCE) -> EarlyStopping:
    """LoadGen's Server rule: enough queries that the overlatency count is consistent with the
    ``percentile`` meeting ``latency_bound_s`` (the number of further queries needed if not).

    >>> r = server_early_stopping(np.r_[np.full(990, 0.01), np.full(10, 0.5)], 0.1)
    >>> r.passed, r.min_queries
    (False, 2010)
    """
    lat = np.asarray(latencies_s, dtype=float)
    over = int(np.count_nonzero(lat > latency_bound_s))
    need = min_queries_for_early_stopping(percentile, confidence, overlatency=over)
    n = lat.size
    if n >= need:
        detail = (f"early stopping: {over} of {n} queries over the bound is consistent with "
                  f"p{percentile:g} <= {latency_bound_s * 1e3:g} ms at {confidence:.0%} confidence")
    else:
        detail = (f"early stopping: {over} of {n} queries over the bound; {need - n} more queries "
                  f"would be needed, all under the bound, to pass at {confidence:.0%} confidence")
    return EarlyStopping(percentile, n, None, over, need, n >= need, detail)

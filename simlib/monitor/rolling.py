"""Rolling percentiles over a stream of request records, each with its confidence interval.

A dashboard's "p99 over the last hour" is an estimate from the requests of that hour; with few
requests it is the slowest handful, and its interval says so. :func:`rolling_percentile` steps a
window along the stream and returns, per window, the percentile (LoadGen's rule), its
distribution-free interval (``confidence``, order statistics, :func:`simlib.stats.percentile_ci`; None where the
window holds fewer requests than that interval needs) and the count. Requests at a low rate are
served far apart, so treating them as independent is what the order-statistic interval assumes;
for a stream from a busy queue use :func:`simlib.batch_means.percentile_ci` on the window instead.

>>> rng = np.random.default_rng(0)
>>> t = np.sort(rng.uniform(0, 100, 20_000)); lat = rng.exponential(0.01, t.size)
>>> r = rolling_percentile(t, lat, window_s=20, step_s=20)
>>> len(r.t_s), bool(np.all(r.low_s <= r.value_s)), bool(np.all(r.value_s <= r.high_s))
(5, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib import stats
from simlib._validate import Range, invalid, validate_params

__all__ = ["Rolling", "records", "rolling_percentile", "tail_interval"]


def records(t_s, values, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Validated (times, values): same length, finite, times sorted."""
    t = np.asarray(t_s, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if t.size == 0 or t.shape != v.shape or not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
        raise invalid("t_s", f"got {t.size} times and {v.size} values", "sorted, finite times (s), one per value",
                      owner=owner)
    return t, v


@dataclass(frozen=True)
class Rolling:
    """Per window: end time ``t_s``, percentile ``value_s``, interval ``low_s``/``high_s`` (NaN when
    the window is too small for one), request count ``n``. ``p`` and ``window_s`` as asked."""

    t_s: np.ndarray
    value_s: np.ndarray
    low_s: np.ndarray
    high_s: np.ndarray
    n: np.ndarray
    p: float
    window_s: float

    def above(self, threshold_s: float) -> np.ndarray:
        """Windows whose whole interval lies above ``threshold_s``: the percentile exceeds it beyond noise."""
        return np.nan_to_num(self.low_s, nan=-np.inf) > threshold_s


@validate_params({"window_s": Range(0, None, closed="neither", unit="s"), "p": Range(0, 100, closed="neither"),
                  "step_s": [Range(0, None, closed="neither", unit="s"), None],
                  "confidence": Range(0, 1, closed="neither")})
def rolling_percentile(t_s, latency_s, window_s: float, p: float = 99.0, step_s: float | None = None,
                       confidence: float = 0.95) -> Rolling:
    """The ``p``-th percentile of the latencies in each window (t - window_s, t], t stepping by
    ``step_s`` (default ``window_s / 4``) from the first full window; see the module docstring."""
    t, x = records(t_s, latency_s, "rolling_percentile")
    step = window_s / 4 if step_s is None else step_s
    ends = np.arange(t[0] + window_s, t[-1] + step * 0.5, step)
    need = stats.min_samples_for_percentile_ci(p, confidence)
    out = np.full((4, ends.size), np.nan)
    for i, e in enumerate(ends):
        lo, hi = np.searchsorted(t, e - window_s, side="right"), np.searchsorted(t, e, side="right")
        w = x[lo:hi]
        out[3, i] = w.size
        if w.size:
            out[0, i] = stats.percentile(w, p)
        if w.size >= need:
            ci = stats.percentile_ci(w, p, confidence)
            out[1, i], out[2, i] = ci.low, ci.high
    return Rolling(ends, out[0], out[1], out[2], out[3].astype(int), float(p), float(window_s))


@validate_params({"p": Range(0, 100, closed="neither")})
def tail_interval(latency_s, p: float = 99.0):
    """The most honest 95% interval available for the ``p``-th percentile of latencies in time
    order: batch means when they are correlated and long enough
    (:func:`simlib.batch_means.percentile_ci`), else order statistics (which treat them as
    independent, and say so in ``method``), else the bare percentile as a float (too few values
    for any interval). What :mod:`simlib.claims` compares.

    >>> x = np.random.default_rng(0).exponential(0.01, 2000)
    >>> tail_interval(x).method
    'independent samples: order statistics'
    >>> isinstance(tail_interval(x[:100]), float)
    True
    """
    from dataclasses import replace

    from simlib import batch_means
    from simlib._validate import InvalidParameterError

    x = np.asarray(latency_s, dtype=float).ravel()
    try:
        return batch_means.percentile_ci(x, p)
    except InvalidParameterError:
        pass
    if x.size >= stats.min_samples_for_percentile_ci(p):
        ci = stats.percentile_ci(x, p)
        return replace(ci, method="order statistics, treating correlated latencies as independent (too narrow)")
    return stats.percentile(x, p)

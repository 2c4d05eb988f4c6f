"""Calibrate once, predict every load: a service model with slow stretches in time.

On a shared machine the service time is not an independent draw per request. Another process
takes a core for some tens of milliseconds and every request served meanwhile is slower. A
queueing model that resamples the observed service times independently spreads those slow
requests evenly over the run and under-predicts the queues that slow stretches build. At a low
load this hardly matters (few requests fall in each stretch); near capacity it dominates.

:func:`fit_two_state` fits, from a single low-load calibration run, a two-state model:

- the machine alternates between a *fast* and a *slow* state, each lasting an exponentially
  distributed time (a two-state Markov process in continuous time);
- in the fast state a request takes a service time drawn from the fast requests of the
  calibration run; in the slow state the same draw is multiplied by ``slow_factor`` (the ratio
  of the slow requests' mean to the fast ones').

The fit: the requests' log service times are split into two groups with a two-component
Gaussian mixture (scikit-learn); the share of slow requests estimates the time share of the
slow state (Poisson arrivals see time averages); and the switching rate ``gamma`` is the
maximum-likelihood value for consecutive requests' states, whose transition probabilities over
a gap of ``dt`` seconds are ``P(slow -> slow) = pi + (1 - pi) exp(-gamma dt)`` and
``P(fast -> slow) = pi (1 - exp(-gamma dt))``. Then the mean slow stretch lasts
``1 / (gamma (1 - pi))`` and the mean fast one ``1 / (gamma pi)``.

:meth:`TwoStateFit.predict` runs the serving simulator on any arrival trace with the fast
service times and a random path of the two states as its ``slowdown`` (averaged over a few
paths), so a run at one load predicts the p99 at the others.

>>> rng = np.random.default_rng(0)
>>> start = np.cumsum(rng.exponential(0.01, 4000))
>>> slow = (np.floor(start / 0.2) % 5 == 0)            # slow for 0.2 s out of every 1 s
>>> service = rng.lognormal(np.log(0.002), 0.2, 4000) * np.where(slow, 4.0, 1.0)
>>> fit = fit_two_state(start, service)
>>> fit.modulated, 0.1 < fit.slow_fraction < 0.3, fit.slow_factor > 2
(True, True, True)
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass

import numpy as np

from simlib._validate import Range, validate_params

__all__ = ["TwoStateFit", "fit_two_state", "replay"]

#: below this share of slow requests, or this ratio of means, the run shows no slow stretches
MIN_SLOW_SHARE = 0.01
MIN_SLOW_FACTOR = 1.3


@dataclass(frozen=True, eq=False)
class TwoStateFit:
    """A fitted two-state service model (see the module docstring); times in seconds.

    ``modulated`` is False when the calibration run showed no distinct slow state (then the
    model is plain independent resampling of ``fast_service_s``, and ``reason`` says why).
    """

    fast_service_s: np.ndarray
    slow_factor: float
    slow_fraction: float
    mean_slow_s: float
    mean_fast_s: float
    n: int
    modulated: bool
    reason: str = ""

    def describe(self) -> str:
        if not self.modulated:
            return f"no slow state found ({self.reason}): plain resampling"
        return (f"slow {self.slow_fraction:.0%} of the time, {self.slow_factor:.1f}x slower; stretches "
                f"{self.mean_slow_s * 1e3:.0f} ms slow / {self.mean_fast_s * 1e3:.0f} ms fast (n={self.n})")

    def slowdown_path(self, horizon_s: float, seed: int):
        """A random path of the states over ``[0, horizon_s]`` as a ``slowdown(t)`` function
        (the factor is 1 in the fast state and ``slow_factor`` in the slow one)."""
        if not self.modulated:
            return None
        rng = np.random.default_rng(seed)
        slow = bool(rng.random() < self.slow_fraction)
        first_slow = slow
        edges, t = [0.0], 0.0
        while t <= horizon_s:
            t += rng.exponential(self.mean_slow_s if slow else self.mean_fast_s)
            edges.append(t)
            slow = not slow
        edges_arr = np.asarray(edges)
        factor = self.slow_factor

        def slowdown(t: float) -> float:
            k = int(np.searchsorted(edges_arr, t, side="right")) - 1
            return factor if (k % 2 == 0) == first_slow else 1.0

        return slowdown

    @validate_params({"paths": Range(1, 1000, integer=True)}, owner="TwoStateFit.predict")
    def predict(self, arrivals_s, percentile: float = 99.0, *, paths: int = 5, seed: int = 0) -> float:
        """Modeled ``percentile`` latency (s) on the arrival times ``arrivals_s``, averaged over
        ``paths`` random paths of the slow state (each with its own service draws)."""
        arr = np.asarray(arrivals_s, dtype=float)
        horizon = float(arr.max() - arr.min()) + 10 * float(self.fast_service_s.mean()) * self.slow_factor
        return float(np.mean([
            replay(arr - arr.min(), self.fast_service_s, seed + k,
                   slowdown=self.slowdown_path(horizon, seed + 1000 + k)).percentile(percentile)
            for k in range(paths)]))


def replay(arrivals_s, service_s, seed: int, slowdown=None):
    """The serving simulator (one FIFO server) on these arrival times (s), drawing service times
    from ``service_s`` (s), with an optional ``slowdown(t)``; MODELED. An unstable-queue warning
    is not raised: the SimResult keeps it."""
    from simlib.queueing import Empirical, Trace, simulate

    arr = np.asarray(arrivals_s, dtype=float)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        return simulate(Trace(arr), Empirical(service_s), n_requests=arr.size, warmup_fraction=0.0,
                        seed=seed, slowdown=slowdown)


def _split(service_s: np.ndarray, seed: int) -> np.ndarray:
    """True for the requests of the slower component of a 2-component mixture on log times."""
    from sklearn.mixture import GaussianMixture

    x = np.log(service_s).reshape(-1, 1)
    gm = GaussianMixture(2, random_state=seed, n_init=2).fit(x)
    slow_comp = int(np.argmax(gm.means_.ravel()))
    return gm.predict(x) == slow_comp


def _switching_rate(states: np.ndarray, gaps_s: np.ndarray, pi: float) -> float:
    """Maximum-likelihood switching rate gamma (1/s) of a two-state Markov process with
    stationary slow share ``pi``, from consecutive states separated by ``gaps_s``."""
    from scipy.optimize import minimize_scalar

    prev, nxt = states[:-1], states[1:]
    gaps = np.maximum(gaps_s, 1e-9)

    def nll(log_gamma: float) -> float:
        e = np.exp(-np.exp(log_gamma) * gaps)
        p_slow = np.where(prev, pi + (1 - pi) * e, pi * (1 - e))
        p = np.where(nxt, p_slow, 1 - p_slow)
        return -float(np.sum(np.log(np.clip(p, 1e-300, 1.0))))

    span = float(np.median(gaps))
    res = minimize_scalar(nll, bounds=(math.log(1e-3 / span), math.log(1e3 / span)), method="bounded")
    return float(np.exp(res.x))


def fit_two_state(start_s, service_s, *, seed: int = 0) -> TwoStateFit:
    """Fit the two-state model to one run's service start times and service times (seconds)."""
    start = np.asarray(start_s, dtype=float)
    svc = np.asarray(service_s, dtype=float)
    if start.shape != svc.shape or start.ndim != 1:
        raise ValueError(f"fit_two_state: start_s and service_s must be 1-D and the same length "
                         f"(got {start.shape} and {svc.shape})")
    ok = np.isfinite(start) & np.isfinite(svc) & (svc > 0)
    start, svc = start[ok], svc[ok]
    order = np.argsort(start)
    start, svc = start[order], svc[order]
    n = int(svc.size)
    if n < 50:
        raise ValueError(f"fit_two_state: needs at least 50 requests with a positive service time (got {n})")

    def plain(reason: str) -> TwoStateFit:
        return TwoStateFit(svc, 1.0, 0.0, 0.0, float(start[-1] - start[0]), n, False, reason)

    slow = _split(svc, seed)
    share = float(slow.mean())
    if share < MIN_SLOW_SHARE or share > 1 - MIN_SLOW_SHARE:
        return plain(f"{share:.1%} of requests in the slower group")
    factor = float(svc[slow].mean() / svc[~slow].mean())
    if factor < MIN_SLOW_FACTOR:
        return plain(f"the slower group is only {factor:.2f}x slower")
    gamma = _switching_rate(slow, np.diff(start), share)
    return TwoStateFit(svc[~slow], factor, share, 1.0 / (gamma * (1 - share)), 1.0 / (gamma * share), n, True)

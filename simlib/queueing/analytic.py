"""Closed-form queueing results: the simulator's test oracles, and what the book derives.

Rates in requests/s (``lam``: arrivals, ``mu``: service rate of one server), times in seconds.
"Wait" is time in the queue; "time in system" (sojourn, latency) is wait plus service.

>>> mm1_mean_time_in_system(lam=50, mu=100)   # rho = 0.5: twice the service time
0.02
>>> round(mg1_mean_wait(lam=50, mean_s=0.01, cv=0.0), 4)  # M/D/1 waits half as long as M/M/1
0.005
>>> round(erlang_c(servers=4, lam=300, mu=100), 4)
0.5094
>>> littles_law(qps=100, time_s=0.02)  # L = lambda * W (simlib.scaling's, re-exported)
2.0
"""

from __future__ import annotations

import math

from simlib._validate import InvalidParameterError, Range, invalid, validate_params
from simlib.scaling import littles_law

__all__ = [
    "erlang_c", "fanout_percentile", "littles_law", "md1_mean_wait", "mg1_mean_time_in_system",
    "mg1_mean_wait", "mm1_mean_time_in_system", "mm1_mean_wait", "mm1_time_in_system_percentile",
    "mmc_mean_time_in_system", "mmc_mean_wait", "mmc_wait_exceeds", "utilization",
]

_RATE = Range(1e-9, 1e9, unit="requests/s")  # finite: 1/rate and rate*t stay floats
_PCT = Range(0, 100, closed="neither", unit="(percent)")
_SERVERS = Range(1, 1e6, integer=True)  # erlang_c loops once per server
_MM1 = {"lam": _RATE, "mu": _RATE}
_MMC = {"servers": _SERVERS, "lam": _RATE, "mu": _RATE}


def _stable(lam: float, mu: float, servers: int, owner: str) -> float:
    """rho = lam / (servers mu); refuses rho >= 1 (a cross-parameter rule, so not a constraint)."""
    rho = lam / (servers * mu)
    if rho >= 1:
        raise invalid("lam", f"makes the queue unstable (rho = lam / (servers * mu) = {rho:.4g} >= 1): "
                      "no steady state exists", f"lam < {servers * mu:g} requests/s", owner=owner)
    return rho


@validate_params(_MMC)
def utilization(lam: float, mu: float, servers: int = 1) -> float:
    """rho = lam / (servers * mu): the fraction of time each server is busy (must be < 1)."""
    return _stable(lam, mu, servers, "utilization")


@validate_params(_MM1)
def mm1_mean_wait(lam: float, mu: float) -> float:
    """M/M/1 mean wait in queue: rho / (mu - lam)."""
    rho = _stable(lam, mu, 1, "mm1_mean_wait")
    return rho / (mu - lam)


@validate_params(_MM1)
def mm1_mean_time_in_system(lam: float, mu: float) -> float:
    """M/M/1 mean time in system: 1 / (mu - lam)."""
    _stable(lam, mu, 1, "mm1_mean_time_in_system")
    return 1.0 / (mu - lam)


@validate_params({**_MM1, "p": _PCT})
def mm1_time_in_system_percentile(lam: float, mu: float, p: float) -> float:
    """M/M/1 time in system is exponential with rate mu - lam: p-th percentile -ln(1 - p/100)/(mu - lam).

    >>> round(mm1_time_in_system_percentile(50, 100, 99), 5)   # 4.6x the mean
    0.0921
    """
    _stable(lam, mu, 1, "mm1_time_in_system_percentile")
    return -math.log(1 - p / 100.0) / (mu - lam)


@validate_params({"lam": _RATE, "mean_s": Range(1e-12, 1e6, unit="s"), "cv": Range(0, 100)})
def mg1_mean_wait(lam: float, mean_s: float, cv: float) -> float:
    """Pollaczek-Khinchine: M/G/1 mean wait = rho / (1 - rho) * (1 + cv^2) / 2 * mean_s.

    cv = 0 is M/D/1, cv = 1 is M/M/1: variability alone multiplies the wait.
    """
    rho = _stable(lam, 1.0 / mean_s, 1, "mg1_mean_wait")
    return rho / (1 - rho) * (1 + cv**2) / 2 * mean_s


def mg1_mean_time_in_system(lam: float, mean_s: float, cv: float) -> float:
    """M/G/1 mean time in system: Pollaczek-Khinchine wait plus the mean service time."""
    return mg1_mean_wait(lam, mean_s, cv) + mean_s


def md1_mean_wait(lam: float, service_s: float) -> float:
    """M/D/1 mean wait: rho / (2 mu (1 - rho)), Pollaczek-Khinchine with cv = 0."""
    return mg1_mean_wait(lam, service_s, 0.0)


@validate_params(_MMC)
def erlang_c(servers: int, lam: float, mu: float) -> float:
    """Erlang C: probability that an arriving request must wait in an M/M/c queue.

    Computed through the Erlang B recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``
    with ``a = lam / mu``, then ``C = B(c) / (1 - rho (1 - B(c)))``: every intermediate value
    stays in [0, 1], so it neither overflows nor loses precision at thousands of servers (the
    textbook ``a^c / c!`` overflows a float near c = 170).

    >>> round(erlang_c(servers=2000, lam=1500, mu=1), 12)   # 2000 servers at rho = 0.75: no wait
    0.0
    >>> round(erlang_c(servers=2000, lam=1990, mu=1), 3)  # at rho = 0.995 most requests wait
    0.748
    """
    rho = _stable(lam, mu, servers, "erlang_c")
    a = lam / mu
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


@validate_params(_MMC)
def mmc_mean_wait(servers: int, lam: float, mu: float) -> float:
    """M/M/c mean wait in queue: C(c, a) / (c mu - lam)."""
    return erlang_c(servers, lam, mu) / (servers * mu - lam)


@validate_params(_MMC)
def mmc_mean_time_in_system(servers: int, lam: float, mu: float) -> float:
    """M/M/c mean time in system: mean wait plus 1/mu."""
    return mmc_mean_wait(servers, lam, mu) + 1.0 / mu


@validate_params({**_MMC, "t_s": Range(0, 1e12, unit="s")})
def mmc_wait_exceeds(servers: int, lam: float, mu: float, t_s: float) -> float:
    """M/M/c probability that the wait exceeds t_s: C(c, a) * exp(-(c mu - lam) t)."""
    return erlang_c(servers, lam, mu) * math.exp(-(servers * mu - lam) * t_s)


@validate_params({"p": _PCT, "k": Range(1, 1e6, integer=True), "lam": [_RATE, None], "mu": [_RATE, None]})
def fanout_percentile(p: float, k: int, quantile=None, *, lam: float | None = None,
                      mu: float | None = None) -> float:
    """The p-th percentile of the maximum of k independent latencies.

    P(max <= x) = F(x)^k, so the p-th percentile of the max is F^-1((p/100)^(1/k)). Give
    ``quantile`` (a function of a probability in (0, 1) returning seconds), or ``lam`` and
    ``mu`` for M/M/1 servers. Independence holds for service times; queues that share
    arrivals are positively correlated, which makes this an upper bound.

    >>> round(fanout_percentile(99, 100, lam=50, mu=100), 4)  # p99 of the slowest of 100
    0.1841
    """
    q = (p / 100.0) ** (1.0 / k)
    if quantile is None:
        if lam is None or mu is None:
            raise InvalidParameterError("fanout_percentile needs 'quantile' or both 'lam' and 'mu'.")
        _stable(lam, mu, 1, "fanout_percentile")
        return -math.log1p(-q) / (mu - lam)
    return float(quantile(q))

"""Closed-form queueing results: the simulator's test oracles, and what the book derives.

Rates in requests/s (``qps``: arrivals, ``service_qps``: service rate of one server), times in seconds.
"Wait" is time in the queue; "time in system" (sojourn, latency) is wait plus service.

>>> mm1_mean_time_in_system(qps=50, service_qps=100)   # rho = 0.5: twice the service time
0.02
>>> round(mg1_mean_wait(qps=50, mean_s=0.01, cv=0.0), 4)  # M/D/1 waits half as long as M/M/1
0.005
>>> round(erlang_c(servers=4, qps=300, service_qps=100), 4)
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
_MM1 = {"qps": _RATE, "service_qps": _RATE}
_MMC = {"servers": _SERVERS, "qps": _RATE, "service_qps": _RATE}


def _stable(qps: float, service_qps: float, servers: int, owner: str) -> float:
    """rho = qps / (servers service_qps); refuses rho >= 1 (a cross-parameter rule, so not a constraint)."""
    rho = qps / (servers * service_qps)
    if rho >= 1:
        raise invalid("qps", f"makes the queue unstable (rho = qps / (servers * service_qps) = {rho:.4g} >= 1): "
                      "no steady state exists", f"qps < {servers * service_qps:g} requests/s", owner=owner)
    return rho


@validate_params(_MMC)
def utilization(qps: float, service_qps: float, servers: int = 1) -> float:
    """rho = qps / (servers * service_qps): the fraction of time each server is busy (must be < 1)."""
    return _stable(qps, service_qps, servers, "utilization")


@validate_params(_MM1)
def mm1_mean_wait(qps: float, service_qps: float) -> float:
    """M/M/1 mean wait in queue: rho / (service_qps - qps)."""
    rho = _stable(qps, service_qps, 1, "mm1_mean_wait")
    return rho / (service_qps - qps)


@validate_params(_MM1)
def mm1_mean_time_in_system(qps: float, service_qps: float) -> float:
    """M/M/1 mean time in system: 1 / (service_qps - qps)."""
    _stable(qps, service_qps, 1, "mm1_mean_time_in_system")
    return 1.0 / (service_qps - qps)


@validate_params({**_MM1, "p": _PCT})
def mm1_time_in_system_percentile(qps: float, service_qps: float, p: float) -> float:
    """M/M/1 time in system is exponential with rate service_qps - qps: p-th percentile -ln(1 - p/100)/(service_qps - qps).

    >>> round(mm1_time_in_system_percentile(50, 100, 99), 5)   # 4.6x the mean
    0.0921
    """
    _stable(qps, service_qps, 1, "mm1_time_in_system_percentile")
    return -math.log(1 - p / 100.0) / (service_qps - qps)


@validate_params({"qps": _RATE, "mean_s": Range(1e-12, 1e6, unit="s"), "cv": Range(0, 100)})
def mg1_mean_wait(qps: float, mean_s: float, cv: float) -> float:
    """Pollaczek-Khinchine: M/G/1 mean wait = rho / (1 - rho) * (1 + cv^2) / 2 * mean_s.

    cv = 0 is M/D/1, cv = 1 is M/M/1: variability alone multiplies the wait.
    """
    rho = _stable(qps, 1.0 / mean_s, 1, "mg1_mean_wait")
    return rho / (1 - rho) * (1 + cv**2) / 2 * mean_s


def mg1_mean_time_in_system(qps: float, mean_s: float, cv: float) -> float:
    """M/G/1 mean time in system: Pollaczek-Khinchine wait plus the mean service time."""
    return mg1_mean_wait(qps, mean_s, cv) + mean_s


def md1_mean_wait(qps: float, service_s: float) -> float:
    """M/D/1 mean wait: rho / (2 service_qps (1 - rho)), Pollaczek-Khinchine with cv = 0."""
    return mg1_mean_wait(qps, service_s, 0.0)


@validate_params(_MMC)
def erlang_c(servers: int, qps: float, service_qps: float) -> float:
    """Erlang C: probability that an arriving request must wait in an M/M/c queue.

    Computed through the Erlang B recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``
    with ``a = qps / service_qps``, then ``C = B(c) / (1 - rho (1 - B(c)))``: every intermediate value
    stays in [0, 1], so it neither overflows nor loses precision at thousands of servers (the
    textbook ``a^c / c!`` overflows a float near c = 170).

    >>> round(erlang_c(servers=2000, qps=1500, service_qps=1), 12)   # 2000 servers at rho = 0.75: no wait
    0.0
    >>> round(erlang_c(servers=2000, qps=1990, service_qps=1), 3)  # at rho = 0.995 most requests wait
    0.748
    """
    rho = _stable(qps, service_qps, servers, "erlang_c")
    a = qps / service_qps
    b = 1.0
    for k in range(1, int(servers) + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


@validate_params(_MMC)
def mmc_mean_wait(servers: int, qps: float, service_qps: float) -> float:
    """M/M/c mean wait in queue: C(c, a) / (c service_qps - qps)."""
    return erlang_c(servers, qps, service_qps) / (servers * service_qps - qps)


@validate_params(_MMC)
def mmc_mean_time_in_system(servers: int, qps: float, service_qps: float) -> float:
    """M/M/c mean time in system: mean wait plus 1/service_qps."""
    return mmc_mean_wait(servers, qps, service_qps) + 1.0 / service_qps


@validate_params({**_MMC, "t_s": Range(0, 1e12, unit="s")})
def mmc_wait_exceeds(servers: int, qps: float, service_qps: float, t_s: float) -> float:
    """M/M/c probability that the wait exceeds t_s: C(c, a) * exp(-(c service_qps - qps) t)."""
    return erlang_c(servers, qps, service_qps) * math.exp(-(servers * service_qps - qps) * t_s)


@validate_params({"p": _PCT, "k": Range(1, 1e6, integer=True), "qps": [_RATE, None], "service_qps": [_RATE, None]})
def fanout_percentile(p: float, k: int, quantile=None, *, qps: float | None = None,
                      service_qps: float | None = None) -> float:
    """The p-th percentile of the maximum of k independent latencies.

    P(max <= x) = F(x)^k, so the p-th percentile of the max is F^-1((p/100)^(1/k)). Give
    ``quantile`` (a function of a probability in (0, 1) returning seconds), or ``qps`` and
    ``service_qps`` for M/M/1 servers. Independence holds for service times; queues that share
    arrivals are positively correlated, which makes this an upper bound.

    >>> round(fanout_percentile(99, 100, qps=50, service_qps=100), 4)  # p99 of the slowest of 100
    0.1841
    """
    q = (p / 100.0) ** (1.0 / k)
    if quantile is None:
        if qps is None or service_qps is None:
            raise InvalidParameterError("fanout_percentile needs 'quantile' or both 'qps' and 'service_qps'.")
        _stable(qps, service_qps, 1, "fanout_percentile")
        return -math.log1p(-q) / (service_qps - qps)
    return float(quantile(q))

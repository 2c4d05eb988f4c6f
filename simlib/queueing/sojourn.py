"""Exact time-in-system (latency) distributions of M/M/c and M/D/1: the truth for percentile tests.

Rates in requests/s, times in seconds, percentiles in percent. :mod:`simlib.queueing.analytic`
gives means (and the M/M/1 percentile); this module adds the percentiles of the two queues whose
latency distribution is known in closed form but has no closed-form inverse, solved by bisection
(scipy's brentq) on the exact tail probability.

- M/M/c (FIFO): the wait is 0 with probability 1 - C (Erlang C) and otherwise exponential with
  rate c service_qps - qps; latency = wait + an independent Exp(service_qps) service.
- M/D/1: Erlang's (1909) waiting-time distribution
  ``P(W <= t) = (1 - rho) sum_{k=0}^{floor(t/D)} (qps (k D - t))^k / k! * exp(-qps (k D - t))``;
  latency = wait + D. The alternating sum loses digits for waits of many tens of service times
  (exp(qps t) terms cancel), so the function refuses loads whose p-th percentile is that far out.

>>> round(mmc_time_in_system_percentile(1, 80, 100, 99), 5)  # M/M/1: ln(100)/(service_qps - qps)
0.23026
>>> round(md1_time_in_system_percentile(80, 0.01, 99) * 1e3, 2)   # ms; M/M/1 at the same load: 230.26
113.56
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

from simlib._validate import InvalidParameterError, Range, validate_params
from simlib.queueing.analytic import erlang_c, utilization

__all__ = ["md1_wait_cdf", "md1_time_in_system_percentile", "mmc_time_in_system_percentile",
           "mmc_time_in_system_tail"]

_PCT = Range(0, 100, closed="neither", unit="(percent)")


def mmc_time_in_system_tail(servers: int, qps: float, service_qps: float, t_s: float) -> float:
    """P(latency > t_s) in an M/M/c FIFO queue."""
    c = erlang_c(servers, qps, service_qps)
    theta = servers * service_qps - qps
    both = ((1 + service_qps * t_s) * math.exp(-service_qps * t_s) if math.isclose(theta, service_qps)
            else (theta * math.exp(-service_qps * t_s) - service_qps * math.exp(-theta * t_s)) / (theta - service_qps))
    return (1 - c) * math.exp(-service_qps * t_s) + c * both


@validate_params({"p": _PCT})
def mmc_time_in_system_percentile(servers: int, qps: float, service_qps: float, p: float) -> float:
    """The p-th percentile (s) of the M/M/c latency (wait + service)."""
    utilization(qps, service_qps, servers)
    target = 1 - p / 100.0
    hi = 1.0 / service_qps
    while mmc_time_in_system_tail(servers, qps, service_qps, hi) > target:
        hi *= 2
    return float(brentq(lambda t: mmc_time_in_system_tail(servers, qps, service_qps, t) - target, 0.0, hi, xtol=1e-12,
                        rtol=1e-12))


def md1_wait_cdf(qps: float, service_s: float, t_s: float) -> float:
    """P(wait <= t_s) in an M/D/1 queue (Erlang's formula; absolute error < 1e-10 while qps * t_s <= 12,
    checked against 50-digit arithmetic)."""
    rho = utilization(qps, 1.0 / service_s)
    if t_s < 0:
        return 0.0
    terms = []
    for k in range(int(math.floor(t_s / service_s)) + 1):
        u = qps * (k * service_s - t_s)  # <= 0
        if u == 0:  # t is a multiple of D: 0^k / k! is 1 for k = 0, else 0
            terms.append(1.0 if k == 0 else 0.0)
        else:
            terms.append((-1) ** k * math.exp(k * math.log(-u) - math.lgamma(k + 1) - u))
    return (1 - rho) * math.fsum(terms)


@validate_params({"p": _PCT, "service_s": Range(0, None, closed="neither", unit="s")})
def md1_time_in_system_percentile(qps: float, service_s: float, p: float) -> float:
    """The p-th percentile (s) of the M/D/1 latency (wait + the deterministic service time)."""
    rho = utilization(qps, 1.0 / service_s)
    target = p / 100.0
    if target <= 1 - rho:
        return service_s
    hi = service_s
    while md1_wait_cdf(qps, service_s, hi) < target:
        hi *= 2
        if qps * hi > 32:
            raise InvalidParameterError(
                f"md1_time_in_system_percentile: the p{p:g} wait at rho = {rho:.3g} lies beyond {hi / service_s:.0f} "
                "service times, where Erlang's alternating sum loses its digits; use a lower load or percentile.")
    w = brentq(lambda t: md1_wait_cdf(qps, service_s, t) - target, 0.0, hi, xtol=1e-13, rtol=1e-12)
    return float(w + service_s)

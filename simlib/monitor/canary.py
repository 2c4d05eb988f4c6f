"""Canary releases: how long until a p99 regression is detected, with a fixed horizon or sequentially.

A canary sends a ``canary_fraction`` of live traffic to the new version. Whether its p99 is worse
is a question about one number: the share of its requests slower than the current version's
p99. For the current version that share is 1% by definition; a new version that is ``regression``
(5%) slower on every request exceeds it more often, q1 = P(X (1 + r) > p99) for X drawn from
the current version's measured latencies. Each canary request is then a coin flip, and the
comparison is a one-sided test of a proportion:

- **fixed horizon**: collect n requests, then test; n = ((z_(1-alpha) sqrt(q0 (1-q0)) +
  z_power sqrt(q1 (1-q1))) / (q1 - q0))^2 (the normal approximation);
- **sequential** (Wald's SPRT): add each request's log-likelihood ratio as it completes, stop
  when it crosses ln((1-beta)/alpha) (regression) or ln(beta/(1-alpha)) (no regression); the
  expected number of requests under each hypothesis follows from Wald's approximations.

Time to a decision is the number of requests over the canary's rate, ``canary_fraction * qps``.
The current version's p99 is treated as known (a long history measured it); the plan says so.

>>> x = np.random.default_rng(0).lognormal(np.log(0.01), 0.25, 20_000)
>>> plan = canary_plan(x, regression=0.05, qps=1000, canary_fraction=0.05)
>>> 0.01 < plan.q1 < 0.03, plan.n_fixed > plan.sprt_n_h1
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib import stats
from simlib._validate import Range, invalid, validate_params
from simlib.protocol import ResultDisplay

__all__ = ["CanaryPlan", "canary_plan", "sprt"]


def _z(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


@dataclass(frozen=True, eq=False, repr=False)
class CanaryPlan(ResultDisplay):
    """The requests and the time a canary needs to detect a p99 regression (MODELED from measured
    latencies of the current version)."""

    q0: float
    q1: float
    n_fixed: int
    sprt_n_h1: float
    sprt_n_h0: float
    canary_qps: float
    settings: dict[str, Any]
    warnings: list[str]
    kind: str = "modeled"

    @property
    def summary(self) -> dict[str, Any]:
        return {"n": self.n_fixed, "exceed_h0_fraction": self.q0, "exceed_h1_fraction": self.q1,
                "fixed_horizon_s": self.n_fixed / self.canary_qps, "sprt_h1_s": self.sprt_n_h1 / self.canary_qps,
                "sprt_h0_s": self.sprt_n_h0 / self.canary_qps, "qps": self.canary_qps}

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        return [("requests above the old p99", f"{self.q0:.2%} (old) vs {self.q1:.2%} (regressed)"),
                ("fixed horizon", f"{self.n_fixed} canary requests = {s['fixed_horizon_s']:.1f} s"),
                ("sequential (SPRT), expected", f"{self.sprt_n_h1:.0f} requests if regressed ({s['sprt_h1_s']:.1f} s), "
                                                f"{self.sprt_n_h0:.0f} if not ({s['sprt_h0_s']:.1f} s)"),
                ("canary traffic", f"{self.canary_qps:.3g} queries/s")]


def _llr_terms(q0: float, q1: float) -> tuple[float, float]:
    return math.log(q1 / q0), math.log((1 - q1) / (1 - q0))


@validate_params({"regression": Range(0, 10, closed="neither"), "p": Range(50, 100, closed="neither"),
                  "alpha": Range(0, 0.5, closed="neither"), "power": Range(0.5, 1, closed="neither"),
                  "qps": Range(0, None, closed="neither", unit="queries/s"),
                  "canary_fraction": Range(0, 1, closed="right")})
def canary_plan(baseline_s, regression: float = 0.05, p: float = 99.0, alpha: float = 0.05, power: float = 0.8,
                qps: float = 1000.0, canary_fraction: float = 0.05) -> CanaryPlan:
    """Plan a canary against the current version's latencies ``baseline_s`` (s): see the module docstring."""
    x = np.asarray(baseline_s, dtype=float).ravel()
    need = math.ceil(10 / (1 - p / 100))
    if x.size < need or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise invalid("baseline_s", f"got {x.size} values", f"at least {need} finite latencies > 0 s (10 beyond the p{p:g})",
                      owner="canary_plan")
    q0 = 1 - p / 100
    thr = stats.percentile(x, p)
    q1 = float(np.mean(x * (1 + regression) > thr))
    warns = []
    if x.size * q0 < 50:
        warns.append(f"Only {x.size * q0:.0f} baseline requests lie beyond the p{p:g}: the regressed share q1 is a rough "
                     f"estimate; measure at least {math.ceil(50 / q0)} baseline requests.")
    if q1 <= q0 * 1.0001:
        q1 = q0 * 1.0001
        warns.append("A regression this small moves no measured request past the p99: no canary of any length "
                     "detects it; measure the baseline with more requests or test a larger regression.")
    n = ((_z(1 - alpha) * math.sqrt(q0 * (1 - q0)) + _z(power) * math.sqrt(q1 * (1 - q1))) / (q1 - q0)) ** 2
    beta = 1 - power
    a, b = math.log((1 - beta) / alpha), math.log(beta / (1 - alpha))
    up, down = _llr_terms(q0, q1)
    drift1 = q1 * up + (1 - q1) * down  # expected LLR per request if regressed (> 0)
    drift0 = q0 * up + (1 - q0) * down  # if not (< 0)
    n1 = ((1 - beta) * a + beta * b) / drift1
    n0 = (alpha * a + (1 - alpha) * b) / drift0
    req = dict(regression=regression, p=p, alpha=alpha, power=power, qps=qps, canary_fraction=canary_fraction)
    warns.append("The current version's p99 is taken as known; a p99 estimated from a short history adds its own "
                 "uncertainty to the canary's.")
    return CanaryPlan(q0, q1, math.ceil(n), n1, n0, qps * canary_fraction,
                      {"requested": req, "effective": {**req, "baseline_p99_s": thr, "baseline_n": int(x.size)}}, warns)


@validate_params({"alpha": Range(0, 0.5, closed="neither"), "power": Range(0.5, 1, closed="neither")})
def sprt(exceed, q0: float, q1: float, alpha: float = 0.05, power: float = 0.8) -> tuple[str, int]:
    """Run Wald's SPRT over a 0/1 sequence (1: a request slower than the old p99); return
    (``"regression"``, ``"no regression"`` or ``"undecided"``, requests used)."""
    e = np.asarray(exceed, dtype=float).ravel()
    if not 0 < q0 < q1 < 1:
        raise invalid("q1", f"q0={q0}, q1={q1}", "0 < q0 < q1 < 1", owner="sprt")
    beta = 1 - power
    a, b = math.log((1 - beta) / alpha), math.log(beta / (1 - alpha))
    up, down = _llr_terms(q0, q1)
    s = np.cumsum(np.where(e > 0, up, down))
    hit = np.flatnonzero((s >= a) | (s <= b))
    if hit.size == 0:
        return "undecided", int(e.size)
    i = int(hit[0])
    return ("regression" if s[i] >= a else "no regression"), i + 1

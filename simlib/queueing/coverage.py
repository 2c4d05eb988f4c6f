"""Coverage of confidence intervals, measured against exact queueing results (MODELED runs).

A 95% interval should contain the true value in 95% of independent runs. :func:`coverage` runs
``reps`` seeded simulations of one :class:`Case` (the vectorized fast path: FIFO, no batching),
computes each run's 95% intervals for the mean and the p99 latency two ways, and counts how often
each contains the exact value:

- ``before``: the samples treated as independent (:func:`simlib.stats.mean_ci`, Student t;
  :func:`simlib.stats.percentile_ci`, order statistics): what simlib reported before batch means;
- ``after``: :mod:`simlib.batch_means` (batch size chosen from each run's data).

The truth comes from closed forms: :mod:`simlib.queueing.analytic` (means, M/M/1 percentile) and
:mod:`simlib.queueing.sojourn` (exact M/M/c and M/D/1 percentiles). Used by
``benchmarks/bench_coverage.py`` and ``tests/test_stats_coverage.py``.

>>> r = coverage(CASES["M/M/1 rho=0.5"], reps=5, n_requests=20_000)
>>> r["reps"], 0 <= r["after"]["mean"]["covered"] <= 5
(5, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib import batch_means, stats
from simlib._validate import Range, validate_params
from simlib.queueing import analytic, sojourn
from simlib.queueing.runner import simulate

__all__ = ["CASES", "Case", "coverage"]


@dataclass(frozen=True)
class Case:
    """One queue with known answers: Poisson arrivals at ``qps``, ``service`` SPEC, ``servers``;
    exact mean and p99 latency (s) and where each comes from; ``n_requests`` per run (long enough
    for batch means at this load, by its own too-short rule)."""

    name: str
    qps: float
    service: str
    servers: int
    mean_s: float
    p99_s: float
    truth: str
    n_requests: int


def _cases() -> dict[str, Case]:
    mu = 100.0  # 10 ms mean service
    out = {}
    for rho, n in ((0.5, 50_000), (0.8, 100_000), (0.9, 2_000_000)):
        lam = rho * mu
        out[f"M/M/1 rho={rho:g}"] = Case(f"M/M/1 rho={rho:g}", lam, "exp:10ms", 1,
                                         analytic.mm1_mean_time_in_system(lam, mu),
                                         analytic.mm1_time_in_system_percentile(lam, mu, 99),
                                         "exact: M/M/1 latency is Exp(mu - lam)", n)
    out["M/D/1 rho=0.8"] = Case("M/D/1 rho=0.8", 80.0, "det:10ms", 1,
                                analytic.mg1_mean_time_in_system(80.0, 0.01, 0.0),
                                sojourn.md1_time_in_system_percentile(80.0, 0.01, 99),
                                "exact: Pollaczek-Khinchine mean, Erlang's M/D/1 wait distribution", 100_000)
    out["M/M/4 rho=0.8"] = Case("M/M/4 rho=0.8", 320.0, "exp:10ms", 4,
                                analytic.mmc_mean_time_in_system(4, 320.0, mu),
                                sojourn.mmc_time_in_system_percentile(4, 320.0, mu, 99),
                                "exact: Erlang C wait + Exp(mu) service", 100_000)
    return out


#: The benchmark's cases, by name.
CASES = _cases()


def _tally(intervals: list, truth: float) -> dict:
    ok = [ci for ci in intervals if ci is not None]
    hits = sum(ci.contains(truth) for ci in ok)
    widths = np.array([ci.high - ci.low for ci in ok]) if ok else np.array([np.nan])
    wil = stats.wilson_ci(hits, len(ok)) if ok else None
    return {"covered": int(hits), "n": len(ok), "missing": len(intervals) - len(ok),
            "coverage": hits / len(ok) if ok else float("nan"),
            "coverage_ci": [wil.low, wil.high] if wil else None,
            "mean_width_s": float(widths.mean()),
            "warned": sum(bool(getattr(ci, "warning", None)) for ci in ok)}


def _safe(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except stats.InvalidParameterError:
        return None


@validate_params({"reps": Range(1, None, integer=True), "n_requests": [None, Range(1000, None, integer=True)]})
def coverage(case: Case, reps: int = 200, n_requests: int | None = None, seed0: int = 0) -> dict:
    """Run ``reps`` seeded simulations (seeds seed0, seed0 + 1, ...); coverage of 95% intervals for
    the mean and the p99, ``before`` (independent-sample intervals) and ``after`` (batch means).
    Widths in seconds; ``coverage_ci`` is the Wilson 95% interval of the coverage itself."""
    n = n_requests or case.n_requests
    ints = {k: {"mean": [], "p99": []} for k in ("before", "after")}
    for i in range(reps):
        x = simulate(case.qps, case.service, servers=case.servers, n_requests=n, seed=seed0 + i,
                     engine="fast").latency_s
        ints["before"]["mean"].append(stats.mean_ci(x))
        ints["before"]["p99"].append(_safe(stats.percentile_ci, x, 99))
        ints["after"]["mean"].append(batch_means.mean_ci(x))
        ints["after"]["p99"].append(_safe(batch_means.percentile_ci, x, 99))
    truth = {"mean": case.mean_s, "p99": case.p99_s}
    return {"case": case.name, "reps": reps, "n_requests": n, "truth_s": truth, "truth": case.truth,
            **{k: {s: _tally(v[s], truth[s]) for s in v} for k, v in ints.items()}}

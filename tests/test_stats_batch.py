"""Intervals for correlated samples (simlib.batch_means), the exact percentiles they are checked
against (simlib.queueing.sojourn), and how results report them (method, effective sample size)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import batch_means as bm
from simlib import stats
from simlib._validate import InvalidParameterError
from simlib.measure.loadgen import _tail_interval
from simlib.measure.result import Result
from simlib.queueing import analytic, simulate, sojourn
from simlib.queueing.fast import gg1, ggc


def ar1(phi: float, n: int, seed: int = 0) -> np.ndarray:
    """AR(1) with unit innovations: integrated autocorrelation (1 + phi) / (1 - phi)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def test_independent_samples_keep_the_classical_intervals():
    x = np.random.default_rng(1).exponential(1.0, 2000)
    m, p = bm.mean_ci(x), bm.percentile_ci(x, 99)
    assert m.method == "independent samples: t" and m.ess == x.size
    assert (m.low, m.high) == (stats.mean_ci(x).low, stats.mean_ci(x).high)
    assert p.method == "independent samples: order statistics"
    assert (p.low, p.high) == (stats.percentile_ci(x, 99).low, stats.percentile_ci(x, 99).high)
    # forcing batch means on independent data gives a similar width (no free lunch, no penalty)
    forced = bm.mean_ci(x, independent=False)
    assert forced.method.startswith("batch means") and 0.6 < forced.half_width / m.half_width < 1.6


def test_correlated_samples_get_batch_means_and_the_right_effective_size():
    phi, n = 0.9, 100_000
    x = ar1(phi, n)
    ci = bm.mean_ci(x)
    assert ci.method.startswith("batch means") and ci.warning is None
    # ESS = n (1 - phi) / (1 + phi) = 5,263; 20 batches estimate a variance to about +-32% (2 sd)
    assert ci.ess == pytest.approx(n * (1 - phi) / (1 + phi), rel=0.45)
    assert bm.mean_ci(x, independent=True).half_width < ci.half_width / 3  # the old interval
    p = bm.percentile_ci(x, 99)
    assert p.method.startswith("batch means") and p.low < p.estimate < p.high and p.ess < n / 3


def test_a_run_too_short_for_its_correlation_says_so():
    x = ar1(0.999, 3000)
    ci = bm.mean_ci(x)
    assert ci.warning and "run too short" in ci.warning and "run at least" in ci.warning
    s = stats.summarize(x)
    assert any("run too short" in w for w in s.warnings)


def test_percentile_interval_needs_enough_tail_values():
    with pytest.raises(InvalidParameterError, match="need at least 368"):
        bm.percentile_ci(np.random.default_rng(0).normal(size=100), 99)
    with pytest.raises(InvalidParameterError, match="batch-means interval on p99.9"):
        bm.percentile_ci(ar1(0.95, 5000), 99.9)
    with pytest.raises(InvalidParameterError, match="'p' parameter of percentile_ci"):
        bm.percentile_ci([1.0, 2.0], 100)
    with pytest.raises(InvalidParameterError, match="'n_batches'"):
        bm.plan_batches([1.0, 2.0], n_batches=1)


def test_lag1_autocorr():
    assert bm.lag1_autocorr([3.0, 3.0, 3.0, 3.0]) == 0.0
    assert bm.lag1_autocorr(ar1(0.8, 50_000)) == pytest.approx(0.8, abs=0.02)


def test_simresult_names_method_and_effective_sample_size():
    r = simulate(80.0, "exp:10ms", n_requests=100_000, seed=2)
    s = r.summary
    assert s["ci_method"].startswith("batch means")
    assert 0 < s["mean_ess"] < r.completed / 20 and 0 < s["p99_ess"] < r.completed / 5
    exact = analytic.mm1_time_in_system_percentile(80, 100, 99)
    assert s["p99_ci_s"][0] <= exact <= s["p99_ci_s"][1]
    assert "effective sample size" in repr(r) and "ci_method" in r.to_dict()["summary"]
    # a closed loop with one client has no queue: its latencies are independent
    from simlib.measure import Settings, run_scenario
    from simlib.queueing import SimulatedSUT

    ss = run_scenario(SimulatedSUT("exp:10ms"), Settings("singlestream", min_query_count=2000, min_duration_s=1e-3),
                      progress=False)
    assert ss.kind == "modeled" and ss.summary["ci_method"] == "independent samples"


def test_measured_result_reports_method_and_effective_size():
    queued = Result(name="q", kind="measured", samples_s=ar1(0.95, 20_000) + 50, system={})
    assert queued.stats.ci_method.startswith("batch means") and queued.stats.ess < 5000
    assert "effective" in queued.headline() and queued.to_dict()["summary"]["ci_method"]
    alone = Result(name="a", kind="measured", samples_s=np.random.default_rng(0).normal(5, 0.1, 500), system={})
    assert alone.summary["ci_method"] == "independent samples" and alone.summary["ess"] == 500
    warns: list[str] = []
    out = _tail_interval(list(ar1(0.99, 2000) + 50), 99.0, warns)
    assert warns and (out["ci_method"] is None or "run too short" in warns[0])
    out = _tail_interval(list(ar1(0.5, 20_000) + 50), 99.0, warns := [])
    assert out["ci_method"].startswith("batch means") and 0 < out["tail_latency_ess"] < 20_000


def test_exact_percentiles_against_closed_forms_and_long_runs():
    assert sojourn.mmc_time_in_system_percentile(1, 80, 100, 99) == pytest.approx(
        analytic.mm1_time_in_system_percentile(80, 100, 99), rel=1e-9)
    # M/D/1 wait CDF: P(W = 0) = 1 - rho, and Erlang's sum against 50-digit arithmetic (mpmath)
    assert sojourn.md1_wait_cdf(80, 0.01, 0.0) == pytest.approx(0.2)
    assert sojourn.md1_wait_cdf(80, 0.01, 0.11) == pytest.approx(0.9924233288917047, abs=1e-10)
    rng = np.random.default_rng(5)
    n = 2_000_000
    a = np.cumsum(rng.exponential(1 / 80, n))
    lat = (gg1(a, np.full(n, 0.01))["finish_s"] - a)[n // 10:]
    # a 1.8e6-request run pins p99 to ~1% (batch means); the exact value is inside its interval
    ci = bm.percentile_ci(lat, 99)
    assert ci.contains(sojourn.md1_time_in_system_percentile(80, 0.01, 99))
    m4 = ggc(a[: n // 4] * 80 / 320, rng.exponential(0.01, n // 4), 4)
    ci4 = bm.percentile_ci((m4["finish_s"] - m4["arrival_s"])[n // 40:], 99)
    assert ci4.contains(sojourn.mmc_time_in_system_percentile(4, 320, 100, 99))
    with pytest.raises(InvalidParameterError, match="loses its digits"):
        sojourn.md1_time_in_system_percentile(98, 0.01, 99.9)


def test_cli_simulate_prints_method_and_effective_sample_size(capsys):
    import json

    from simlib.cli import main

    assert main(["simulate", "--qps", "80", "--service", "exp:10ms", "--requests", "100000", "--latency-bound-ms", "300", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["summary"]
    assert d["ci_method"].startswith("batch means") and 0 < d["ess"] < d["n"] / 20
    exact = analytic.mm1_time_in_system_percentile(80, 100, 99)
    assert d["p99_ci_s"][0] <= exact <= d["p99_ci_s"][1]
    assert main(["simulate", "--qps", "80", "--service", "exp:10ms", "--requests", "100000", "--latency-bound-ms", "300"]) == 0
    text = capsys.readouterr().out
    assert "batch means" in text and "effective" in text
    # a run far too short for its load says so
    assert main(["simulate", "--qps", "90", "--service", "exp:10ms", "--requests", "3000", "--latency-bound-ms", "2000"]) == 0
    assert "run too short for an honest interval" in capsys.readouterr().out

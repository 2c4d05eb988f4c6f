"""The simulator against closed forms (simlib.queueing.analytic).

Tolerances come from the sample: each check runs R independent replications (seeds 0..R-1)
and asks that the exact value lie inside the 99% Student-t interval over the replication means
(or percentiles). Replications are independent even when requests within a run are strongly
correlated (rho = 0.9), so the interval is honest; a fixed seed makes the test deterministic.
"""

import math

import numpy as np
import pytest
from scipy import stats as st

from simlib import stats
from simlib.measure import Settings, run_scenario
from simlib.queueing import (
    BatchCost,
    DeterministicArrivals,
    DeterministicService,
    Exponential,
    LogNormal,
    SimulatedSUT,
    UnstableQueueWarning,
    analytic,
    fanout,
    simulate,
)


def rep_ci(values, confidence=0.99):
    x = np.asarray(values)
    h = st.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return x.mean() - h, x.mean() + h


def replicate(fn, reps):
    return [fn(seed) for seed in range(reps)]


@pytest.mark.parametrize("rho, n", [(0.5, 50_000), (0.9, 200_000)])
def test_mm1_mean_and_p99(rho, n):
    lam, mu = 100 * rho, 100.0
    runs = replicate(lambda s: simulate(lam, Exponential(0.01), n_requests=n, seed=s), 16)
    assert all(r.settings["effective"]["engine"] == "fast" for r in runs)
    lo, hi = rep_ci([r.mean_s for r in runs])
    assert lo <= analytic.mm1_mean_time_in_system(lam, mu) <= hi
    lo, hi = rep_ci([r.percentile(99) for r in runs])
    assert lo <= analytic.mm1_time_in_system_percentile(lam, mu, 99) <= hi


def test_mm1_simpy_engine_alone():
    # the SimPy engine itself (not only through the equality test below), fewer requests
    runs = replicate(lambda s: simulate(50.0, "exp:10ms", n_requests=4000, seed=s, engine="simpy"), 10)
    lo, hi = rep_ci([r.mean_s for r in runs])
    assert lo <= analytic.mm1_mean_time_in_system(50, 100) <= hi


@pytest.mark.parametrize("service", [DeterministicService(0.01), LogNormal(0.01, cv=0.5), LogNormal(0.01, cv=1.5)],
                         ids=["M/D/1", "M/G/1 lognormal cv0.5", "M/G/1 lognormal cv1.5"])
def test_pollaczek_khinchine_mean_wait(service):
    lam = 70.0
    runs = replicate(lambda s: simulate(lam, service, n_requests=100_000, seed=s), 16)
    waits = [float(np.mean((r.records.wait_s)[r.warmup_discarded:])) for r in runs]
    lo, hi = rep_ci(waits)
    assert lo <= analytic.mg1_mean_wait(lam, service.mean_s, service.cv) <= hi


def test_mm4_mean_wait_erlang_c():
    lam, mu, c = 300.0, 100.0, 4
    runs = replicate(lambda s: simulate(lam, Exponential(1 / mu), servers=c, n_requests=40_000, seed=s), 12)
    waits = [float(np.mean(r.records.wait_s[r.warmup_discarded:])) for r in runs]
    lo, hi = rep_ci(waits)
    assert lo <= analytic.mmc_mean_wait(c, lam, mu) <= hi
    # probability of waiting longer than 10 ms, pooled (binomial-ish, generous 5-sigma)
    w = np.concatenate([r.records.wait_s[r.warmup_discarded:] for r in runs])
    exact = analytic.mmc_wait_exceeds(c, lam, mu, 0.01)
    assert abs(np.mean(w > 0.01) - exact) < 0.02


def test_fanout_p99_matches_formula():
    # arrivals 1 s apart, service ~10 ms: no queueing, so the k latencies are independent
    svc, k = LogNormal(0.01, cv=0.5), 10
    r = fanout(DeterministicArrivals(1.0), svc, k, n_requests=20_000, seed=0)
    exact = analytic.fanout_percentile(99, k, lambda q: st.lognorm(svc.sigma, scale=math.exp(svc.mu)).ppf(q))
    assert stats.percentile_ci(r.latency_s, 99).contains(exact)
    assert r.percentile(99) > 1.3 * stats.percentile(LogNormal(0.01, 0.5).sample(np.random.default_rng(0), 20000), 99)


def test_fanout_mm1_formula_is_an_upper_bound_at_moderate_load():
    r = fanout(30.0, "exp:10ms", 8, n_requests=100_000, seed=1)
    bound = analytic.fanout_percentile(99, 8, qps=30, service_qps=100)
    assert 0.85 * bound <= r.percentile(99) <= 1.02 * bound


def test_simpy_and_fast_path_agree():
    for servers, rate in [(1, 80.0), (4, 350.0)]:
        a = simulate(rate, "lognormal:10ms,cv=1", servers=servers, n_requests=5000, seed=7)
        b = simulate(rate, "lognormal:10ms,cv=1", servers=servers, n_requests=5000, seed=7, engine="simpy")
        assert (a.settings["effective"]["engine"], b.settings["effective"]["engine"]) == ("fast", "simpy")
        np.testing.assert_allclose(a.records.start_s, b.records.start_s, atol=1e-9)
        np.testing.assert_allclose(a.records.finish_s, b.records.finish_s, atol=1e-9)
        np.testing.assert_array_equal(a.records.worker, b.records.worker)


def test_batching_raises_throughput():
    svc = BatchCost(t0_s=0.005, t1_s=0.001)
    # Offline through the load generator: 2000 samples at t = 0 (a low expected rate fixes the count)
    offline = Settings("offline", min_query_count=2000, min_duration_s=0.1, offline_expected_qps=1.0)
    one = run_scenario(SimulatedSUT(svc), offline, progress=False).metrics["throughput_sps"]
    eight = run_scenario(SimulatedSUT(svc, max_batch=8), offline, progress=False).metrics["throughput_sps"]
    assert one == pytest.approx(1 / 0.006, rel=1e-6)
    assert eight == pytest.approx(8 / 0.013, rel=1e-6)
    # open loop past unbatched capacity (167/s): batching keeps up
    r = simulate(300.0, svc, max_batch=8, batch_timeout_s=0.002, n_requests=3000, seed=0)
    assert r.throughput_qps == pytest.approx(300, rel=0.1) and r.percentile(99) < 0.1


def test_batch_timeout_raises_latency_at_light_load():
    svc = BatchCost(t0_s=0.005, t1_s=0.001)
    means = [simulate(10.0, svc, max_batch=8, batch_timeout_s=t, n_requests=2000, seed=0).mean_s
             for t in (0.0, 0.002, 0.005, 0.01, 0.02)]
    assert all(b > a for a, b in zip(means, means[1:], strict=False))


def test_unstable_server_warns_and_ends():
    with pytest.warns(UnstableQueueWarning, match="unstable queue"):
        r = simulate(150.0, "exp:10ms", n_requests=3000, seed=0)
    assert r.completed == 2700
    assert any("unstable" in w and "below 100" in w for w in r.warnings)
    # the load generator's Server run past capacity ends too, INVALID, and says why
    sv = run_scenario(SimulatedSUT("exp:10ms"), Settings("server", qps=150.0, min_duration_s=5.0),
                      progress=False)
    failed = {c["name"] for c in sv.metrics["constraints"] if not c["ok"]}
    assert sv.metrics["verdict"] == "INVALID" and "Sustained the offered load" in failed
    with pytest.warns(UnstableQueueWarning):
        simulate(100.0, "det:10ms", max_batch=1, n_requests=500, engine="simpy")  # rho exactly 1


def test_littles_law_on_simulated_queue():
    r = simulate(80.0, "gamma:10ms,cv=0.7", n_requests=50_000, seed=2)
    t, in_sys, _ = r.queue_length()
    dt = np.diff(t)
    L = float(np.sum(in_sys[:-1] * dt) / (t[-1] - t[0]))
    W = float(np.mean(r.records.latency_s))
    lam = len(r.records) / (t[-1] - t[0])
    assert L == pytest.approx(analytic.littles_law(qps=lam, time_s=W), rel=0.01)

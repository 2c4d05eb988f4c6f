"""simlib.queueing: API contracts, arrivals, service models, effects, scenarios, bad input."""

import json
import math

import numpy as np
import pytest

from simlib import stats
from simlib._validate import InvalidParameterError
from simlib.cli import main
from simlib.queueing import (
    BatchCost,
    Bursty,
    ColdStart,
    DeterministicArrivals,
    DeterministicService,
    Diurnal,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Pauses,
    Poisson,
    SimResult,
    Trace,
    find_max_qps,
    parse_service,
    simulate,
)

SUMMARY_KEYS = {"n", "throughput_qps", "utilization", "mean_s", "p50_s", "p90_s", "p95_s", "p99_s", "p999_s"}


def test_result_contract():
    r = simulate(50.0, "exp:10ms", n_requests=1000, seed=0)
    assert isinstance(r, SimResult) and r.completed == 900 and r.latency_s.shape == (900,)
    for k in ("arrival_s", "start_s", "finish_s", "batch_size", "worker"):
        assert getattr(r.records, k).shape == (1000,)
    assert SUMMARY_KEYS <= set(r.summary) and r.to_dict()["summary"] == json.loads(json.dumps(r.summary))
    assert r.percentile(99) == stats.percentile(r.latency_s, 99)
    assert set(r.settings) == {"requested", "effective"} and r.settings["requested"]["n_requests"] == 1000
    assert "MODELED" in repr(r) and "MODELED" in r._repr_html_()
    json.dumps(r.to_dict())
    assert 0.4 < r.utilization < 0.6 and 40 < r.throughput_qps < 60


def test_reproducible_from_seed_and_budget_default(monkeypatch):
    a, b = (simulate(Bursty(40, 3), "gamma:10ms,cv=2", n_requests=500, seed=5) for _ in range(2))
    np.testing.assert_array_equal(a.records.finish_s, b.records.finish_s)
    assert not np.array_equal(a.records.finish_s, simulate(Bursty(40, 3), "gamma:10ms,cv=2", n_requests=500, seed=6).records.finish_s)
    monkeypatch.setenv("SIMLIB_BUDGET", "quick")
    r = simulate(10.0, "det:1ms")
    assert len(r.records) == 2000 and r.settings["effective"]["budget"] == "quick"


def test_arrival_processes_mean_rate():
    rng = np.random.default_rng(0)
    for a in (Poisson(200), DeterministicArrivals(200), Bursty(200, 5), Diurnal(200, 0.8, period_s=5)):
        t = a.generate(rng, n=20_000)
        assert np.all(np.diff(t) >= 0) and (t.size - 1) / t[-1] == pytest.approx(200, rel=0.08)
        t2 = a.generate(rng, until_s=200.0)  # bursty counts vary more: ~5% sd here
        assert t2.max() < 200 and t2.size == pytest.approx(40_000, rel=0.12)


def test_burstiness_raises_tail_latency():
    p = [simulate(Bursty(60, f), "exp:10ms", n_requests=20_000, seed=1).percentile(99) for f in (1, 4)]
    assert p[1] > 2 * p[0]


def test_trace_replay_and_csv(tmp_path):
    f = tmp_path / "trace.csv"
    f.write_text("timestamp_s\n100.0\n100.1\n100.3\n100.6\n")
    tr = Trace.from_csv(f, time_scale=2.0)
    np.testing.assert_allclose(tr.generate(None, n=10), [0, 0.2, 0.6, 1.2])
    r = simulate(tr, "det:1ms", n_requests=10, warmup_fraction=0)
    assert r.completed == 4 and any("only 4 arrivals" in w for w in r.warnings)
    np.testing.assert_allclose(r.latency_s, 0.001)


@pytest.mark.parametrize("bad, match", [([], "empty"), ([0.0, 2.0, 1.0], "sorted"), ([0, np.nan], "NaN")])
def test_trace_bad(bad, match):
    with pytest.raises(InvalidParameterError, match=match):
        Trace(bad)


def test_service_models_moments():
    rng = np.random.default_rng(0)
    for m in (Exponential(0.01), LogNormal(0.01, 0.5), Gamma(0.01, 2.0), DeterministicService(0.01),
              Empirical(rng.exponential(0.01, 5000))):
        x = m.sample(rng, 200_000)
        assert x.mean() == pytest.approx(m.mean_s, rel=0.03)
        assert x.std() / x.mean() == pytest.approx(m.cv, abs=0.05)


def test_batch_cost_fit_and_spec():
    b = np.array([1, 2, 4, 8, 16] * 20)
    t = (0.002 + 0.0005 * b) * np.random.default_rng(0).lognormal(0, 0.05, b.size)
    m = BatchCost.fit(b, t)
    assert m.t0_s == pytest.approx(0.002, rel=0.1) and m.t1_s == pytest.approx(0.0005, rel=0.05)
    assert 0.03 < m.cv < 0.08
    assert parse_service("batch:t0=2ms,t1=500us") == BatchCost(0.002, 0.0005)
    assert parse_service("det:5ms") == DeterministicService(0.005)
    assert parse_service("gamma:1s,cv=2") == Gamma(1.0, 2.0)


@pytest.mark.parametrize("spec", ["exp", "exp:", "exp:10", "exp:-1ms", "lognormal:10ms", "lognormal:10ms,cv=x",
                                  "weibull:10ms", "det:5ms,cv=1", "batch:t0=1ms", "lognormal:10ms,sigma=1", ""])
def test_bad_spec(spec):
    with pytest.raises(InvalidParameterError, match="service|mean_s|time_s"):
        parse_service(spec)


@pytest.mark.parametrize("kwargs, name", [
    (dict(arrivals=0.0), "arrivals"), (dict(arrivals=-5.0), "arrivals"), (dict(service="exp:0ms"), "mean_s"),
    (dict(servers=0), "servers"), (dict(servers=1.5), "servers"), (dict(max_batch=0), "max_batch"),
    (dict(batch_timeout_s=-1.0), "batch_timeout_s"), (dict(n_requests=0), "n_requests"),
    (dict(duration_s=0.0), "duration_s"), (dict(warmup_fraction=1.0), "warmup_fraction"),
    (dict(seed=-1), "seed"), (dict(deadline_s=0.0), "deadline_s"), (dict(slowdown=2.0), "slowdown"),
    (dict(n_requests=10, duration_s=1.0), "duration_s"), (dict(engine="gpu"), "engine"),
])
def test_simulate_bad_input_names_the_argument(kwargs, name):
    args = dict(arrivals=10.0, service="exp:10ms", n_requests=100)
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=name):
        simulate(args.pop("arrivals"), args.pop("service"), **args)


@pytest.mark.parametrize("make, name", [
    (lambda: Poisson(0), "qps"), (lambda: Bursty(10, 0.5), "burst_factor"), (lambda: Exponential(-1), "mean_s"),
    (lambda: LogNormal(0.01, 0), "cv"), (lambda: Empirical([]), "samples_s"), (lambda: Pauses(1, 2), "duration_s"),
    (lambda: ColdStart(1, 0), "load_time_s"), (lambda: BatchCost(0, 0), "t0_s"), (lambda: Diurnal(10, 2), "amplitude"),
])
def test_constructor_bad_input(make, name):
    with pytest.raises(InvalidParameterError, match=name):
        make()


def test_slowdown_pauses_cold_start_deadline():
    base = simulate(DeterministicArrivals(10), "det:10ms", n_requests=200, warmup_fraction=0)
    slow = simulate(DeterministicArrivals(10), "det:10ms", n_requests=200, warmup_fraction=0, slowdown=lambda t: 2.0)
    np.testing.assert_allclose(slow.latency_s, 2 * base.latency_s)
    thermal = simulate(DeterministicArrivals(10), "det:10ms", n_requests=200, warmup_fraction=0,
                       slowdown=lambda t: 1.0 + (t > 10))
    assert thermal.latency_s[:100].max() == pytest.approx(0.01) and thermal.latency_s[-50:].min() == pytest.approx(0.02)
    with pytest.raises(InvalidParameterError, match="slowdown"):
        simulate(10.0, "det:1ms", n_requests=10, slowdown=lambda t: 0.5)
    gc = simulate(DeterministicArrivals(10), "det:10ms", n_requests=200, pauses=Pauses(every_s=1.0, duration_s=0.05, phase_s=0.105))
    assert gc.latency_s.max() == pytest.approx(0.06) and gc.percentile(50) == pytest.approx(0.01)
    cold = simulate(DeterministicArrivals(1), "det:10ms", n_requests=100, warmup_fraction=0,
                    cold_start=ColdStart(keep_alive_s=0.3, load_time_s=0.5))
    assert cold.records.cold.all() and cold.latency_s.min() == pytest.approx(0.51)
    warm = simulate(DeterministicArrivals(1), "det:10ms", n_requests=100, warmup_fraction=0,
                    cold_start=ColdStart(keep_alive_s=2.0, load_time_s=0.5))
    assert warm.records.cold.sum() == 1
    with pytest.warns(UserWarning, match="unstable"):  # overload: the deadline sheds it
        dl = simulate(150.0, "exp:10ms", n_requests=2000, deadline_s=0.05, seed=0)
    assert dl.dropped > 0 and dl.latency_s.max() < 0.05 + 0.2 and any("dropped" in w for w in dl.warnings)


def test_find_max_qps_md1():
    m = find_max_qps("det:10ms", latency_bound_s=0.05, n_requests=4000, seed=0)
    # 200,000-request searches give 55.5-55.9 /s; 4,000 requests scatter about +-6% around it
    assert 50 < m.qps < 62 and m.result.percentile(99) <= 0.05
    assert find_max_qps("det:100ms", latency_bound_s=0.05, n_requests=500).qps == 0.0


def test_cli_json(capsys):
    assert main(["simulate", "--scenario", "server", "--qps", "50", "--service", "lognormal:10ms,cv=0.5",
                 "--requests", "2000", "--seed", "1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)  # the load generator's RunResult, on the model
    assert {"n", "p50_s", "p99_s", "throughput_qps", "verdict"} <= set(d["summary"])
    assert d["summary"]["n"] == 2000 and d["kind"] == "modeled"
    assert main(["simulate", "--scenario", "offline", "--service", "batch:t0=2ms,t1=1ms", "--max-batch", "8",
                 "--requests", "800", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["throughput_samples_per_s"] == pytest.approx(800)
    rc = main(["simulate", "--qps", "50", "--arrival", "bursty:3", "--requests", "500"])
    out = capsys.readouterr().out
    assert "[modeled]" in out and rc == (1 if "INVALID" in out else 0)


@pytest.mark.parametrize("argv, name", [
    (["--qps", "-3"], "--qps"), (["--qps", "5", "--service", "exp:5"], "service"),
    (["--qps", "5", "--arrival", "weird"], "--arrival"), (["--qps", "5", "--servers", "0"], "servers"),
    (["--arrival", "trace:/nonexistent.csv"], "path"), (["--qps", "5", "--requests", "0"], "--requests"),
])
def test_cli_errors(argv, name, capsys):
    assert main(["simulate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("simlib simulate: ") and "; allowed: " in err and name in err
    assert err.count("\n") == 1  # one line


def test_percentile_rule_is_loadgen():
    r = simulate(DeterministicArrivals(1), "det:1ms", n_requests=10, warmup_fraction=0)
    lat = np.sort(r.latency_s)
    assert r.percentile(90) == lat[math.floor(10 * 0.9)]

"""One load generator for measured and modeled runs: the simulator as a SUT on a simulated clock.

The same Settings, run rules, checks and report serve a BackendSUT (wall clock) and a
SimulatedSUT (SimPy clock); these tests check the scenarios against exact or closed-form answers.
"""

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from simlib.measure import Settings, run_scenario
from simlib.queueing import SimulatedSUT, analytic


def run(sut, *args, **kw):
    return run_scenario(sut, Settings(*args, **kw), progress=False)


def test_singlestream_is_a_closed_loop_with_loadgen_run_rules():
    r = run(SimulatedSUT("det:5ms"), "singlestream", min_duration_s=1.0, min_query_count=50)
    m = r.metrics
    assert r.kind == "modeled" and m["verdict"] == "VALID"
    # one query at a time, each 5 ms: the run ends at the first completion after 1 s, 200 queries
    assert m["queries"] == 200 and m["duration_s"] == pytest.approx(1.0)
    assert m["tail_latency_s"] == pytest.approx(0.005)
    q = r.extra["queries"]
    assert np.allclose(np.array(q["issued_s"][1:]), np.array(q["completed_s"][:-1]))  # next issued at completion
    assert r.system["modeled"] is True and r.system["servers"] == 1


def test_the_count_rule_outlasts_the_duration_rule():
    r = run(SimulatedSUT("det:5ms"), "singlestream", min_duration_s=0.1, min_query_count=300)
    assert r.metrics["queries"] == 300 and r.metrics["duration_s"] == pytest.approx(1.5)


def test_multistream_query_waits_for_its_slowest_sample():
    r = run(SimulatedSUT("det:2ms", servers=2), "multistream", min_duration_s=0.5, min_query_count=10)
    # 8 samples on 2 workers of 2 ms each: 4 rounds, 8 ms per query
    assert r.metrics["tail_latency_s"] == pytest.approx(0.008) and r.metrics["samples"] == 8 * r.metrics["queries"]


def test_offline_throughput_is_the_servers_capacity():
    r = run(SimulatedSUT("det:1ms", servers=4), "offline", min_duration_s=1.0, min_query_count=10)
    assert r.metrics["verdict"] == "VALID" and r.metrics["throughput_sps"] == pytest.approx(4000, rel=1e-6)
    assert r.metrics["duration_s"] >= 1.0  # the probe sized the run; its own time is not counted


def test_server_matches_the_mm1_tail_and_offers_its_rate():
    r = run(SimulatedSUT("exp:10ms", seed=1), "server", qps=50.0, min_duration_s=300.0,
            min_query_count=100)
    m = r.metrics
    exact = analytic.mm1_time_in_system_percentile(50, 100, 99)
    assert m["qps_scheduled"] == pytest.approx(50.0, rel=0.01) and m["queries"] == 15000
    lo, hi = m["tail_latency_ci_s"]
    assert lo <= exact <= hi and m["verdict"] == "VALID"  # bound 100 ms: p99 ~ 92 ms


def test_latency_bound_gives_the_verdict():
    fast = run(SimulatedSUT("exp:10ms"), "server", qps=30.0, min_duration_s=60.0,
               latency_bound_s=0.2)
    slow = run(SimulatedSUT("exp:10ms"), "server", qps=30.0, min_duration_s=60.0,
               latency_bound_s=0.02)
    assert fast.metrics["verdict"] == "VALID" and slow.metrics["verdict"] == "INVALID"
    assert any(w.startswith("INVALID: Latency bound (p99)") for w in slow.warnings)


def test_batching_effects_reach_the_report():
    r = run(SimulatedSUT("det:8ms", max_batch=8, batch_timeout_s=0.002), "server", qps=400.0,
            min_duration_s=10.0)
    sizes = np.array(r.extra["service"]["batch_size"])
    assert sizes.max() <= 8 and sizes.mean() > 1.5 and r.extra["sut"]["max_batch"] == 8


def test_same_settings_same_rules_for_both_clocks():
    from simlib.measure import BackendSUT

    class Sleep:
        def infer(self, x):
            import time
            time.sleep(0.001)

    s = Settings("singlestream", min_duration_s=0.05, min_query_count=20)
    real = run_scenario(BackendSUT(Sleep(), np.zeros((8, 1))), s, progress=False, system={})
    model = run_scenario(SimulatedSUT("det:1ms"), s, progress=False)
    assert real.kind == "measured" and model.kind == "modeled"
    assert real.settings["effective"] == model.settings["effective"]
    assert [c["name"] for c in real.metrics["constraints"]] == [c["name"] for c in model.metrics["constraints"]]


def test_bad_input_names_the_parameter():
    with pytest.raises(InvalidParameterError, match="'servers' parameter of SimulatedSUT"):
        SimulatedSUT("exp:10ms", servers=0)
    with pytest.raises(InvalidParameterError, match="'settings' parameter of run_scenario"):
        run_scenario(SimulatedSUT("exp:10ms"), {"scenario": "server"})
    with pytest.raises(InvalidParameterError, match="'min_duration_s' parameter of run_scenario"):
        run(SimulatedSUT("exp:1ms"), "server", qps=1e6, min_duration_s=1e4)  # 1e10 requests

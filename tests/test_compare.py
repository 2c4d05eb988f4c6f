"""Measured vs modeled: the in-situ service-time derivation, the comparison and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simlib.cli import main
from simlib.measure import compare, effective_service_times


def test_effective_service_times_inverse_lindley():
    # FIFO single server: feeding s back through the Lindley recursion reproduces departures
    rng = np.random.default_rng(0)
    a = np.cumsum(rng.exponential(1.0, 200))
    s_true = rng.exponential(0.7, 200)
    d = np.empty_like(a)
    prev = -np.inf
    for k in range(a.size):
        prev = d[k] = max(prev, a[k]) + s_true[k]
    np.testing.assert_allclose(effective_service_times(a, d), s_true, rtol=1e-9)


def test_compare_quick_cnn():
    c = compare("cnn", utilizations=(0.3, 0.6), duration_s=0.4, threads=1, progress=False)
    assert [r["utilization"] for r in c.rows] == [0.3, 0.6]
    for r in c.rows:
        assert r["measured_p99_ms"] >= r["measured_p50_ms"] > 0
        assert r["modeled_p99_ms"] >= r["modeled_p50_ms"] > 0
        assert r["modeled_insitu_p99_ms"] > 0
        # same arrivals in both: throughput agrees closely (both complete every query),
        # unless the real server could not keep up (a busy machine): then the run says so
        if not r["saturated"]:
            assert r["modeled_qps"] == pytest.approx(r["measured_qps"], rel=0.3)
        else:
            assert r["verdict"] == "INVALID"
    assert c.calibration["capacity_qps"] > 0 and 1 in c.calibration["batch_cost_s"]
    per_load = [f for f in c.findings if "p99 error" in f]
    assert len(per_load) == 2 and "measured vs modeled" in repr(c) and repr(c) == c.table()
    assert len(set(c.findings)) == len(c.findings)  # an explanation is said once, with its loads
    assert "p99 bound 100 ms" in repr(c) and "p99 bound of 100 ms" in c._repr_html_()
    d = c.to_dict()
    assert d["kind"] == "comparison" and d["system"] and d["summary"]["loads"] == 2
    assert d["settings"]["effective"]["duration_s"] == 0.4 and d["summary"]["latency_bound_s"] == 0.1


def test_cli_compare_json(capsys):
    assert main(["compare", "--model", "cnn", "--utilization", "0.4", "--duration-s", "0.3",
                 "--threads", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # one row per load with every calibration's p99 prediction and its error
    assert {"utilization", "measured_p99_ms", "modeled_p99_ms", "p99_rel_error", "modeled_insitu_p99_ms",
            "p99_rel_error_insitu", "modeled_twostate_p99_ms", "p99_rel_error_twostate",
            "saturated", "verdict"} <= set(rows[0])
    assert {"measured_p99_ci_ms", "ci_method", "measured_p99_ess", "measured_requests"} <= set(rows[0])
    # a short run: either an interval with its method and effective sample size, or none and why
    r = rows[0]
    assert (r["ci_method"] is None) == (r["measured_p99_ci_ms"] is None)
    if r["ci_method"]:
        assert r["measured_p99_ci_ms"][0] <= r["measured_p99_ms"] <= r["measured_p99_ci_ms"][1]
        assert 0 < r["measured_p99_ess"] <= r["measured_requests"]


def test_cli_errors(capsys):
    assert main(["compare", "--model", "cnn", "--utilization", "1.5"]) == 2
    assert "utilizations" in capsys.readouterr().err
    assert main(["measure", "--model", "alexnet"]) == 2
    assert main(["measure", "--backend", "edgetpu", "--model", "digits"]) == 3


def test_cli_measure_json_invalid_load(capsys):
    rc = main(["measure", "--model", "cnn", "--scenario", "server", "--qps", "20000", "--duration-s", "0.3",
               "--latency-bound-ms", "5", "--threads", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["metrics"]["verdict"] == "INVALID"


def test_comparison_html_is_a_table_with_every_calibration():
    from simlib.measure.compare import Comparison

    row = {"utilization": 0.3, "qps": 30.0, "measured_qps": 29.5, "measured_p99_ms": 25.0,
           "measured_p50_ms": 5.0, "modeled_p50_ms": 4.0, "modeled_p99_ms": 20.0, "p99_rel_error": -0.2,
           "modeled_insitu_p99_ms": 24.0, "p99_rel_error_insitu": -0.04, "modeled_twostate_p99_ms": None,
           "p99_rel_error_twostate": None, "saturated": True, "verdict": "INVALID", "queries": 120}
    out = Comparison([row], {}, ["a <finding>"], {}, {}, warnings=["w"])._repr_html_()
    assert "<table>" in out and "two-state" in out and "(saturated)" in out
    assert "&lt;finding&gt;" in out and "n/a" in out
    assert "only 120 queries" in out  # too few for a p99 interval: flagged where it is shown


def test_findings_say_each_explanation_once():
    from simlib.measure.compare import _findings

    def row(u, e_iso, e_in, lag):
        return {"utilization": u, "insitu_service_mean_ms": 2.0, "insitu_compute_mean_ms": 1.5,
                "insitu_service_p99_ms": 4.0, "p99_rel_error": e_iso, "p99_rel_error_insitu": e_in,
                "insitu_service_lag1_autocorr": lag}

    lines = _findings([row(0.3, -0.6, -0.05, 0.0), row(0.5, -0.7, -0.1, 0.0), row(0.85, -0.9, -0.5, 0.5)],
                      1e-3, 2e-3)
    assert sum("p99 error" in f for f in lines) == 3  # one line of numbers per load
    inputs = [f for f in lines if "not from queueing theory" in f]
    assert inputs == [inputs[0]] and inputs[0].startswith("at 30%, 50%:")
    assert any(f.startswith("at 85%:") and "correlated in time" in f for f in lines)

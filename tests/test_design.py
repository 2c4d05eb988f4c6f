"""simlib.design: the source's worked numbers, verdict branches, gaming tricks, checklist."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simlib import designmath as cf
from simlib._validate import InvalidParameterError
from simlib.design.benchmark import (
    COMPONENTS,
    BenchmarkSpec,
    claim_fields,
    topk_accuracy,
    topk_meaningful,
    unverifiable_claims,
)
from simlib.design.checklist import deployment_checklist
from simlib.design.evolution import saturation
from simlib.design.gaming import System, best_of, input_stream
from simlib.design.verdict import comparable, units_of, verdict
from simlib.energy import average_power_w, battery_life_h


def test_example_1_1_recomputed():
    t = cf.precision_tradeoff(fp32_latency_s=0.120, int8_latency_s=0.035, fp32_accuracy=0.718,
                              int8_accuracy=0.709, fp32_bytes=14e6, int8_bytes=3.5e6)
    assert t["speedup_ratio"] == pytest.approx(3.4, abs=0.05)        # "3.4x speedup"
    assert t["size_ratio"] == pytest.approx(4.0)                      # "4x size reduction"
    assert t["accuracy_cost_points"] == pytest.approx(0.9)            # "0.9 percentage points"
    assert t["int8_fps"] == pytest.approx(28.6, abs=0.05)             # "about 28.6 FPS"
    assert t["fp32_fps"] == pytest.approx(8.3, abs=0.05)              # "about 8.3 FPS"


def test_mobilenet_resnet_accuracy_per_parameter():
    r = cf.accuracy_per_parameter_ratio(0.72, 3.5e6, 0.76, 25.6e6)
    assert r["fewer_params_ratio"] == pytest.approx(7.3, abs=0.05)
    assert r["accuracy_per_param_ratio"] == pytest.approx(6.9, abs=0.05)


def test_duty_cycle_and_battery():
    p = average_power_w(active_w=2.0, idle_w=0.050, duty_cycle=0.01)
    assert p == pytest.approx(0.0695)                                 # "~69.5 mW, not 2 W"
    assert battery_life_h(p, capacity_wh=10.0) / battery_life_h(2.0, capacity_wh=10.0) == pytest.approx(2.0 / 0.0695)


def test_runs_needed_closed_form_and_monotone():
    from scipy import stats

    for cv, m in ((0.02, 0.02), (0.05, 0.02), (0.01, 0.05)):
        n = cf.runs_needed(cv, m)
        assert stats.t.ppf(0.975, n - 1) * cv / np.sqrt(n) <= m
        if n > 2:
            assert stats.t.ppf(0.975, n - 2) * cv / np.sqrt(n - 1) > m
    assert 5 <= cf.runs_needed(0.02, 0.02) <= 10                      # the source's "5-10 runs"
    assert cf.runs_needed(0.10, 0.02) > cf.runs_needed(0.05, 0.02)


def test_offload_break_even():
    r = cf.offload(cpu_s=0.010, accel_s=0.002, transfer_bytes=600_000, link_bytes_per_s=1e9, fixed_overhead_s=0.0005)
    assert r["pays"]
    at = cf.offload(cpu_s=0.010, accel_s=0.002, transfer_bytes=r["break_even_bytes"], link_bytes_per_s=1e9,
                    fixed_overhead_s=0.0005)
    assert at["offload_s"] == pytest.approx(0.010)
    assert not cf.offload(cpu_s=0.001, accel_s=0.002, transfer_bytes=0, link_bytes_per_s=1e9)["pays"]
    assert cf.offload(cpu_s=0.001, accel_s=0.002, transfer_bytes=0, link_bytes_per_s=1e9)["break_even_bytes"] == 0


def test_edge_or_cloud_both_branches():
    slow_net = cf.edge_or_cloud(device_s=0.030, cloud_s=0.004, rtt_s=0.040, payload_bytes=50_000,
                                uplink_bytes_per_s=2.5e6)
    assert slow_net["choice"] == "device"
    fast_net = cf.edge_or_cloud(device_s=0.030, cloud_s=0.004, rtt_s=0.002, payload_bytes=50_000,
                                uplink_bytes_per_s=2.5e6)
    assert fast_net["choice"] == "cloud"
    be = slow_net["break_even_rtt_s"]
    tie = cf.edge_or_cloud(device_s=0.030, cloud_s=0.004, rtt_s=be, payload_bytes=50_000, uplink_bytes_per_s=2.5e6)
    assert tie["cloud_total_s"] == pytest.approx(0.030) and tie["choice"] == "device"


def test_cost_per_inference_hourly():
    c = cf.cost_per_inference_hourly(throughput_qps=100.0, price_usd_per_h=3.6, energy_j=3.6e6, price_usd_per_kwh=0.2)
    assert c["rent_usd"] == pytest.approx(1e-5)
    assert c["energy_usd"] == pytest.approx(0.2)


@pytest.mark.parametrize("call", [
    lambda: cf.runs_needed(-0.1), lambda: cf.runs_needed(0.1, 0.0),
    lambda: cf.offload(cpu_s=0, accel_s=1, transfer_bytes=0, link_bytes_per_s=1),
    lambda: cf.edge_or_cloud(device_s=1, cloud_s=1, rtt_s=-1, payload_bytes=0, uplink_bytes_per_s=1),
    lambda: cf.cost_per_inference_hourly(throughput_qps=0, price_usd_per_h=1, energy_j=1),
    lambda: BenchmarkSpec(model="resnet"), lambda: BenchmarkSpec(duration_s=-1),
    lambda: verdict(np.ones(10), np.ones(10), n_batches=1),
])
def test_bad_input_gets_the_one_error(call):
    with pytest.raises(InvalidParameterError):
        call()


def test_topk():
    s = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    assert topk_accuracy(s, np.array([1, 1, 0]), 1) == pytest.approx(1 / 3)
    assert topk_accuracy(s, np.array([1, 1, 0]), 2) == pytest.approx(2 / 3)
    assert topk_accuracy(s, np.array([1, 1, 0]), 3) == 1.0
    assert topk_meaningful(5, 1000) and not topk_meaningful(5, 10) and topk_meaningful(1, 2)


def _file(tmp_path, comps=None, metrics=None):
    d = {"components": BenchmarkSpec().components() if comps is None else comps, "metrics": metrics or {}}
    d["components"].setdefault("system", {"hardware": {"cpu": {"model": "X", "logical_cores": 2}}})
    p = tmp_path / "r.json"
    p.write_text(json.dumps(d))
    return p, d


def test_unverifiable_claims_each_component(tmp_path):
    p, d = _file(tmp_path)
    assert unverifiable_claims(p) == []
    for c in COMPONENTS:
        dd = json.loads(json.dumps(d))
        del dd["components"][c]
        assert [r["component"] for r in unverifiable_claims(dd)] == [c]


def test_claim_fields(tmp_path):
    p, d = _file(tmp_path, metrics={"top1_fraction": 0.9, "p99_s": 1e-3})
    rows = {r["field"]: r for r in claim_fields(p)}
    assert rows["batch size"]["value"] == 1 and rows["accuracy"]["present"]
    assert not rows["power or energy"]["present"]


def test_verdict_branches():
    rng = np.random.default_rng(3)
    a = rng.lognormal(np.log(1e-3), 0.05, 2000)
    faster = verdict(a, a * 0.8)
    assert faster.faster == "B" and faster.practical and "faster" in faster.text
    slower = verdict(a, a * 1.02)
    assert slower.faster == "A" and not slower.practical and "too small to matter" in slower.text
    same = verdict(a, rng.lognormal(np.log(1e-3), 0.05, 2000))
    assert same.faster == "neither" and same.text.startswith("no clear difference")
    assert any("includes zero" in s for s in same.reasoning)


def test_verdict_uses_runs_and_lists_differences(tmp_path):
    base = BenchmarkSpec().components()
    a = {"components": {**base, "system": {"hardware": {"cpu": {"model": "X"}}}},
         "runs_s": [[1.0, 1.1], [1.2, 1.0], [1.0, 1.0], [1.1, 1.1], [1.05, 1.0]]}
    b = {"components": {**base, "system": {"hardware": {"cpu": {"model": "Y"}}}},
         "runs_s": [[2.0, 2.1], [2.2, 2.0], [2.0, 2.0], [2.1, 2.1], [2.05, 2.0]]}
    units, how = units_of(a)
    assert how == "medians of 5 repeated runs" and units.size == 5
    v = verdict(a, b)
    assert v.faster == "A" and comparable(a, b) == ["cpu differs: A 'X', B 'Y'"]
    assert any("Not a like-for-like" in s for s in v.reasoning)
    assert json.loads(json.dumps(v.to_dict()))["faster"] == "A"


def test_verdict_few_units_warns():
    v = verdict(np.array([1.0, 1.1, 1.2]), np.array([1.0, 1.2, 1.1]))
    assert v.warnings and v.faster == "neither"


def test_memo_system_and_fresh_inputs():
    lib = np.random.default_rng(0).random((8, 4, 4)).astype(np.float32)
    calls = []
    s = System(lambda x: calls.append(1) or x.sum(), memo=True)
    rep = input_stream(lib, 200, seed=1, library_size=8)
    for i in range(len(rep)):
        s.infer(rep[i:i + 1])
    assert len(calls) <= 8 and s.hits >= 192
    fresh = input_stream(lib, 200, fresh=True, seed=1, library_size=8)
    assert len({r.tobytes() for r in fresh}) == 200
    s2 = System(lambda x: x.sum(), memo=True)
    for i in range(len(fresh)):
        s2.infer(fresh[i:i + 1])
    assert s2.hits == 0
    assert np.abs(fresh - rep).max() <= 0.005 * (lib.max() - lib.min()) + 1e-6


def test_best_of():
    r = best_of(np.array([3.0, 1.0, 2.0]))
    assert r["best_s"] == 1.0 and r["median_s"] == 2.0 and r["inflation_fraction"] == pytest.approx(0.5)


def test_checklist_statuses(tmp_path):
    p, d = _file(tmp_path, metrics={"p99_ci_s": [1e-3, 2e-3], "n": 5000, "n_eval": 450, "cv": 0.1,
                                    "energy_kind": "modeled", "top1_fraction": 0.978})
    rep = deployment_checklist(p)
    assert rep.status("intervals on the quoted numbers") == "met"
    assert rep.status("traffic pattern") == "missing"
    assert rep.status("benchmark saturation") == "failed"
    assert rep.status("hardware lottery") == "missing"
    assert rep.groups["hardware lottery"] == "system design" and rep.summary["verdict"] == "NOT READY"
    rep2 = deployment_checklist(p, fresh_input_checked=True, platforms=3)
    assert rep2.status("benchmark engineering") == "met" and rep2.status("hardware lottery") == "met"
    html = rep._repr_html_()  # the predeployment checklist's display: one table, statuses colored
    assert "<table>" in html and "color:#b35900;font-weight:bold'>missing</td>" in html
    assert "system design: hardware lottery" in rep.table()


def test_imagenet_saturation():
    s = saturation()
    assert s["passed_human_year"] == 2015 and s["largest_gain_year"] == 2012
    assert s["total_reduction_ratio"] == pytest.approx(28.2 / 2.25)
    assert 0 < s["last_gain_share_fraction"] < 0.1


def test_spec_components_complete():
    comps = BenchmarkSpec().components()
    assert set(COMPONENTS) - {"system"} <= set(comps)


def test_erratum_mlperf_inference_target():
    from simlib import errata

    e = errata.get("mlperf-inference-accuracy-target")
    assert e.is_slip and e.correct == pytest.approx(75.69, abs=0.01) and "{" not in e.note_text


def test_expected_table_share_matches_a_memo_system():
    lib = np.random.default_rng(0).random((64, 3)).astype(np.float32)
    shares = []
    for seed in range(40):
        s = System(lambda x: x.sum(), memo=True)
        for _ in range(10):  # warm-up on the first input, as time_interleaved does
            s.infer(input_stream(lib, 300, seed=seed)[:1])
        x = input_stream(lib, 300, seed=seed)
        for i in range(len(x)):
            s.infer(x[i:i + 1])
        shares.append(s.hits / 300)
    assert np.mean(shares) == pytest.approx(cf.expected_table_share(64, 300, warmup=10), abs=0.005)
    assert cf.expected_table_share(64, 300, warmup=10, fresh=True) == pytest.approx(10 / 300)


def test_metrics_row_labels_energy_and_handles_missing_accuracy():
    from simlib.design.benchmark import BenchmarkResult

    m = {"n": 10, "p50_s": 1e-3, "p99_s": 2e-3, "throughput_qps": 900.0, "top1_fraction": None,
         "top5_fraction": None, "energy_per_inference_j": 1e-5, "energy_kind": "modeled", "accuracy_per_pflop": None,
         "cost_per_inference_usd": 1e-9}
    row = BenchmarkResult(spec_components=BenchmarkSpec().components(), system={}, metrics=m).metrics_row()
    assert row["top-1 (%)"].startswith("n/a") and "energy/inference (µJ, modeled)" in row
    assert row["inferences/J"] == "100,000" and row["cost per 10⁶ inferences ($)"] == "0.0010"

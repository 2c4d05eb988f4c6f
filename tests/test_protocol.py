"""Every result type follows the one result protocol (simlib/protocol.py).

One small instance of each result type is built (tiny runs or constructed directly: no heavy
measurement) and checked with :func:`simlib.protocol.conforms`. A scan of simlib's source finds
every class that looks like a result; one that is neither checked here nor exempted (with the
reason) fails the test, so a new result type cannot skip the protocol.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

import simlib
from simlib.protocol import ResultDisplay, ResultLike, conforms, summary_key_problem
from simlib.stats import Interval

SIMLIB = Path(simlib.__file__).parent
_SYSTEM = {"hardware": {"cpu": {"model": "test"}}}


def _result():
    from simlib.measure.result import Result

    rng = np.random.default_rng(0)
    return Result(name="t", kind="measured", samples_s=rng.normal(0.01, 1e-4, 200), system=_SYSTEM,
                  metrics={"throughput_qps": 99.0, "label": "x"})


def _run_result():
    from simlib.measure.loadgen import RunResult

    lat = np.random.default_rng(1).exponential(0.01, 300) + 0.002
    return RunResult(name="server", kind="measured", samples_s=lat, system=_SYSTEM,
                     settings={"requested": {"qps": 50.0}, "effective": {"qps": 50.0}},
                     metrics={"scenario": "server", "verdict": "INVALID", "qps": 50.0, "latency_bound_s": 0.02,
                              "qps_completed": 49.0, "qps_scheduled": 50.0, "p50_s": 0.009, "tail_percentile": 99,
                              "tail_latency_s": 0.05, "queries": 300})


def _sim_result():
    from simlib.queueing import simulate

    return simulate(50.0, "exp:10ms", n_requests=400, seed=0)


def _max_qps():
    from simlib.queueing import find_max_qps

    return find_max_qps("det:10ms", latency_bound_s=0.05, n_requests=400, seed=0)


def _comparison():
    from simlib.measure.compare import Comparison

    row = {"utilization": 0.3, "qps": 30.0, "measured_qps": 29.5, "measured_p99_ms": 25.0,
           "measured_p50_ms": 5.0, "modeled_p50_ms": 4.0, "modeled_p99_ms": 20.0, "p99_rel_error": -0.2,
           "modeled_insitu_p99_ms": 24.0, "p99_rel_error_insitu": -0.04, "modeled_twostate_p99_ms": None,
           "p99_rel_error_twostate": None, "saturated": False, "verdict": "VALID", "queries": 120,
           "measured_requests": 120}
    return Comparison([row], {"capacity_qps": 100.0, "isolated_service_mean_s": 0.01}, ["a finding"],
                      {"requested": {"latency_bound_s": 0.1}, "effective": {"latency_bound_s": 0.1, "model": "cnn"}},
                      _SYSTEM)


def _kernel(kernel="gemm", unit="FLOP/s"):
    from simlib.measure.roofline import KernelMeasurement

    return KernelMeasurement(kernel, "fp32", 64, 2 * 64**3, 3 * 64 * 64 * 4, tuple(np.random.default_rng(2).normal(1e-4, 2e-6, 12)),
                             2, 1, unit)


def _empirical():
    from simlib.measure.roofline import EmpiricalRoofline

    return EmpiricalRoofline((_kernel(),), _kernel("stream-triad", "B/s"), 2**20, "quick", ("a warning",))


def _roofline():
    from simlib.roofline import analyze

    return analyze("t4", "int8", model="mobilenetv2", batch=4)


def _thermal():
    from simlib.thermal import simulate_thermal

    return simulate_thermal("edgetpu", "sustained", 2.0, dt_s=1e-2, governor="none")


def _coupled():
    from simlib.thermal import simulate_server

    return simulate_server("cortex-m7", 20.0, "det:10ms", 10.0, window_s=5.0, iterate=False, dt_s=1e-2)


def _precision():
    from simlib.measure.precision import PrecisionStudy

    row = {"precision": "fp32", "median_s": 0.01, "p99_s": 0.012, "cv": 0.05, "n": 200, "model_bytes": 1e6,
           "accuracy": 0.9, "params": 1000, "flops_per_sample": 1e6, "measured_j_per_inference": None,
           "modeled_j_per_inference": 1e-6, "timing": _result(), "speedup_vs_fp32": 1.0}
    return PrecisionStudy("digits", "onnxruntime", [row])


def _batch_curve():
    from simlib.measure.batching import BatchCurve
    from simlib.queueing import BatchCost

    return BatchCurve("cnn", "onnxruntime", [1, 8], [3e-3, 10e-3], BatchCost(2e-3, 1e-3))


def _batching():
    from simlib.measure.batching import BatchingStudy

    row = {"batch_timeout_s": 0.002, "verdict": "VALID", "measured_p50_s": 0.004, "measured_p99_s": 0.01,
           "modeled_p50_s": 0.003, "modeled_p99_s": 0.008, "insitu_p50_s": 0.004, "insitu_p99_s": 0.0095,
           "measured_mean_batch": 2.0, "modeled_mean_batch": 2.1}
    return BatchingStudy("cnn", 100.0, 8, _batch_curve(), [row])


def _colocation():
    from simlib.measure.colocation import Colocation

    return Colocation("cnn", "encoder", 1, 2, Interval(0.01, 0.009, 0.011, 0.95, "t"),
                      Interval(0.015, 0.014, 0.016, 0.95, "t"), 40)


def _energy():
    from simlib.energy import decompose

    return decompose(1e9, 1e6, "fp16", "l2")


def _lighthouse():
    from simlib.lighthouse import lighthouse_table

    return lighthouse_table()


def _confidence_trap():
    from simlib.basics.trap import confidence_trap

    return confidence_trap()


def _accuracy_comparison():
    from simlib.basics.trap import compare_predictions

    y = np.array([0, 1] * 50)
    b = y.copy()
    b[:7] = 1 - b[:7]
    return compare_predictions(y, y.copy(), b)


def _runs_to_separate():
    from simlib.basics.trap import runs_to_separate

    return runs_to_separate(0.02, 0.03, n_experiments=200)


def _selection_study():
    from simlib.basics.goodhart import selection_study

    return selection_study(n_variants=3, n_repeats=2, n_select=100)


def _beam_search():
    from simlib.basics.goodhart import beam_search_budget

    return beam_search_budget()


def _classification_report():
    from simlib.evaluation import classification_report

    y = np.array([0] * 90 + [1] * 10)
    return classification_report(y, np.r_[np.full(90, 0.1), np.full(2, 0.9), np.full(8, 0.3)], n_resamples=50)


def _calibration_report():
    from simlib.evaluation import temperature_scaling_report

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    z = 9.0 * np.eye(3)[y] + rng.normal(0, 4.5, (400, 3))
    return temperature_scaling_report(z[:200], y[:200], z[200:], y[200:], n_bins=10)


def _frontier_result():
    from simlib.evaluation import Variant, frontier
    from simlib.stats import Interval

    return frontier([Variant("fp32", Interval(0.95, 0.94, 0.96, 0.95, "wilson"), 4e6, 2e-3),
                     Variant("int8", Interval(0.948, 0.938, 0.958, 0.95, "wilson"), 1e6, 1e-3)])


def _shift_report():
    from simlib.evaluation import shift_report

    rng = np.random.default_rng(0)
    return shift_report(rng.normal(0, 1, (60, 3)), rng.normal(0.5, 1, (60, 3)), [0] * 60, [1] * 60)


def _detection_power():
    from simlib.evaluation import detection_power

    return detection_power(np.random.default_rng(0).random((100, 4)), [0.0, 1.0], n_per_split=20, trials=3,
                           shift=lambda x, s, rng: x + s)


def _variant_audit():
    from simlib.evaluation import audit_variants

    x, y = np.eye(3), np.arange(3)
    return audit_variants({"a": lambda v: v, "b": lambda v: 2 * v}, x, y, x, y, {"a": 12.0, "b": 3.0})


def _peak_gap():
    from simlib.basics.framework import peak_gap

    return peak_gap()


def _lighthouse_intro():
    from simlib.basics.framework import lighthouse_intro

    return lighthouse_intro()


def _conditions_study():
    from simlib.measure.conditions import one_change_three_ways

    return one_change_three_ways("digits", n_reps=2, rep_duration_s=0.2)
def _benchmark_result():
    from simlib.design.benchmark import BenchmarkResult, BenchmarkSpec

    m = {"n": 100, "p50_s": 1e-3, "p99_s": 2e-3, "p99_ci_s": [1.5e-3, 2.5e-3], "throughput_qps": 900.0,
         "top1_fraction": 0.9, "top5_fraction": None, "energy_per_inference_j": 1e-5, "energy_kind": "modeled",
         "accuracy_per_pflop": 1e12, "cost_per_inference_usd": 1e-9, "price_usd_per_h": 0.1,
         "price_usd_per_kwh": 0.1}
    return BenchmarkResult(spec_components=BenchmarkSpec().components(), system=_SYSTEM, metrics=m)


def _verdict():
    from simlib.design.verdict import verdict

    rng = np.random.default_rng(2)
    return verdict(rng.normal(1e-3, 1e-5, 400), rng.normal(0.9e-3, 1e-5, 400))
# --- system benchmarks chapter ---
def _theoretical_peak():
    from simlib.hardware.peak import cpu_peak

    return cpu_peak(cores=2, frequency_hz=2.5e9, flags={"avx2", "fma"})


def _bandwidth_sweep():
    from simlib.measure.microbench import BandwidthSweep

    return BandwidthSweep((_kernel("stream-triad", "B/s"),), (("L2", 1 << 20),))


def _cold_warm():
    from simlib.measure.microbench import ColdWarm

    return ColdWarm("cnn", (0.02, 0.011), tuple(np.random.default_rng(3).normal(0.01, 1e-4, 12)))


def _noise_demo():
    from simlib.measure.microbench import NoiseDemo

    rng = np.random.default_rng(4)
    return NoiseDemo("gemm", tuple(rng.normal(1e-3, 1e-5, 12)), tuple(rng.normal(2e-3, 5e-4, 12)), 2)


def _operator_study():
    from simlib.measure.microbench import OperatorRow, OperatorStudy

    row = OperatorRow("gemm", "64x64x64", 2 * 64**3, 3 * 64 * 64 * 4, 1e-5, (0.9e-5, 1.1e-5), 0.02, 5e10, 2e-6)
    return OperatorStudy((row,), 2e-6, 5e10, 1e10)


def _layer_profile():
    from simlib.measure.layerprof import LayerProfile, LayerRow

    rows = (LayerRow("0", "conv 3x3", 1e6, 1e5, 1, 1e-4, 1.2e-4, (1.2e-4, 1.1e-4)),)
    return LayerProfile("net", rows, (2e-4, 2.1e-4), 1e10, 1e9, 1e-6, "profiler")
def _compression_study():
    from simlib.measure.compression import compression_study

    return compression_study((0.5,), static_int8=False, time_budget_s=0.02)


def _label_noise_detection():
    from simlib.evaluation.labels import label_noise_detection

    return label_noise_detection((0.05,))


def _generation_timing():
    from simlib.evaluation.lm import generation_timing, train_char_lm

    return generation_timing(train_char_lm(hidden=8, steps=2, use_cache=False), prompt_tokens=8, n_tokens=3,
                             repeats=8)
def _data_parallel_run():
    from simlib.measure.distributed import PARTS, DataParallelRun

    parts = {"strong": {k: np.full((2, 4), 1e-4) for k in PARTS}}
    return DataParallelRun(2, 2, "gloo", 64, 128, 4, 104_488, parts, {"strong": np.full(4, 3e-4)},
                           {4096: np.full(3, 1e-4)}, 1.0)


def _cluster_run():
    from simlib.training import ComputeModel, Network, simulate_data_parallel

    return simulate_data_parallel(ComputeModel(1e-4, 1e-5), grad_bytes=1e5, n_workers=4, batch=8,
                                  network=Network("x", 1e-5, 1e9), steps=5)


def _scaling_curve():
    from simlib.training import ComputeModel, Network, scaling_curve

    return scaling_curve(ComputeModel(1e-4, 1e-5), grad_bytes=1e5, workers=[1, 2, 4], batch=8,
                         network=Network("x", 1e-5, 1e9), steps=5)


def _memory_breakdown():
    from simlib.training.memory import training_memory

    return training_memory(7e9, "adam", "mixed")


def _goodput_sweep():
    from simlib.training.faults import simulate_goodput

    return simulate_goodput([600, 1200], checkpoint_s=60, restart_s=60, mtbf_s=3600, work_s=36_000,
                            replications=3)


def _time_to_quality():
    from simlib.measure.training import TimeToQuality

    t = np.array([0.2, 0.3, np.inf])
    return TimeToQuality(32, 0.1, 64, "sgd", 0.95, 50, [0, 1, 2], t, np.array([5, 7, 50]),
                         np.array([0.96, 0.95, 0.9]), np.array([4e4, 4e4, 4e4]),
                         [(np.array([0.1]), np.array([0.9]))] * 3)


def _checkpoint_timing():
    from simlib.measure.training import CheckpointTiming

    return CheckpointTiming(np.array([0.004, 0.005]), 320_000, "/tmp")


#: "module path:Class" -> a factory of one small instance.
def _energy_window():
    from simlib.measure.energy_window import EnergyMonitor

    mon = EnergyMonitor("none", modeled_power_w=3.0)
    mon.begin_window("w")
    return mon.end_window("w", n_inferences=2)


def _power_span():
    from simlib.powerbench import power_span

    return power_span()


def _boundary_comparison():
    from simlib.powerbench import compare_boundaries, example_systems

    return compare_boundaries(*example_systems())


def _budget_result():
    from simlib.powerbench import EnergyBudgetProblem
    from simlib.queueing.service import BatchCost

    return EnergyBudgetProblem({"fp32": BatchCost(t0_s=2e-3, t1_s=1e-3)}, qps=100.0, latency_bound_s=0.05,
                               batch_sizes=(1,), n_requests=500).solve()


CHECKED = {
    "measure/result.py:Result": _result,
    "measure/loadgen.py:RunResult": _run_result,
    "queueing/results.py:SimResult": _sim_result,
    "queueing/runner.py:MaxQpsResult": _max_qps,
    "measure/compare.py:Comparison": _comparison,
    "roofline/core.py:RooflineResult": _roofline,
    "measure/roofline.py:KernelMeasurement": _kernel,
    "measure/roofline.py:EmpiricalRoofline": _empirical,
    "thermal/simulate.py:ThermalResult": _thermal,
    "thermal/coupled.py:CoupledResult": _coupled,
    "measure/precision.py:PrecisionStudy": _precision,
    "measure/batching.py:BatchCurve": _batch_curve,
    "measure/batching.py:BatchingStudy": _batching,
    "measure/colocation.py:Colocation": _colocation,
    "energy.py:EnergyBreakdown": _energy,
    "lighthouse.py:LighthouseTable": _lighthouse,
    "basics/trap.py:ConfidenceTrap": _confidence_trap,
    "basics/trap.py:AccuracyComparison": _accuracy_comparison,
    "basics/trap.py:RunsToSeparate": _runs_to_separate,
    "basics/goodhart.py:SelectionStudy": _selection_study,
    "basics/goodhart.py:BeamSearchBudget": _beam_search,
    "basics/framework.py:PeakGap": _peak_gap,
    "basics/framework.py:LighthouseIntro": _lighthouse_intro,
    "measure/conditions.py:ConditionsStudy": _conditions_study,
    "evaluation/metrics.py:ClassificationReport": _classification_report,
    "evaluation/calibration.py:CalibrationReport": _calibration_report,
    "evaluation/frontier.py:FrontierResult": _frontier_result,
    "evaluation/datashift.py:ShiftReport": _shift_report,
    "evaluation/datashift.py:DetectionPower": _detection_power,
    "evaluation/audit.py:VariantAudit": _variant_audit,
    "design/benchmark.py:BenchmarkResult": _benchmark_result,
    "design/verdict.py:Verdict": _verdict,
    "monitor/autoscale.py:AutoscaleResult": lambda: __import__("simlib.monitor", fromlist=["x"]).autoscaled_replay(
        np.arange(0, 1, 0.01), np.full(100, 0.005)),
    "monitor/canary.py:CanaryPlan": lambda: __import__("simlib.monitor", fromlist=["x"]).canary_plan(
        np.random.default_rng(0).lognormal(-4.6, 0.3, 6000)),
    "monitor/checklist.py:ChecklistReport": lambda: __import__("simlib.monitor", fromlist=["x"]).checklist(
        {"kind": "measured", "summary": {"p99_s": 0.01}, "warnings": []}),
    "monitor/detect.py:DetectionScore": lambda: __import__("simlib.monitor.detect", fromlist=["x"]).score(
        {"x": np.array([1.0])}, ()),
    "measure/energy_window.py:EnergyWindow": _energy_window,
    "powerbench/core.py:PowerSpan": _power_span,
    "powerbench/boundaries.py:BoundaryComparison": _boundary_comparison,
    "powerbench/budget.py:BudgetResult": _budget_result,
    "hardware/peak.py:TheoreticalPeak": _theoretical_peak,
    "measure/microbench.py:BandwidthSweep": _bandwidth_sweep,
    "measure/microbench.py:ColdWarm": _cold_warm,
    "measure/microbench.py:NoiseDemo": _noise_demo,
    "measure/microbench.py:OperatorStudy": _operator_study,
    "measure/layerprof.py:LayerProfile": _layer_profile,
    "measure/compression.py:CompressionStudy": _compression_study,
    "evaluation/labels.py:LabelNoiseDetection": _label_noise_detection,
    "evaluation/lm.py:GenerationTiming": _generation_timing,
    "measure/distributed.py:DataParallelRun": _data_parallel_run,
    "training/cluster.py:ClusterRun": _cluster_run,
    "training/cluster.py:ScalingCurve": _scaling_curve,
    "training/memory.py:MemoryBreakdown": _memory_breakdown,
    "training/faults.py:GoodputSweep": _goodput_sweep,
    "measure/training.py:TimeToQuality": _time_to_quality,
    "measure/training.py:CheckpointTiming": _checkpoint_timing,
}

#: Classes that look like results but are not, and why.
EXEMPT = {
    "protocol.py:ResultLike": "the protocol itself",
    "protocol.py:ResultDisplay": "the protocol's mixin",
    "table.py:Table": "the display table of cells already computed (HTML or text), not a measurement or model output",
    "exercises/progress.py:ChapterSummary": "a reader's self-check progress, not a measurement or model output",
    "exercises/__init__.py:LiveSummary": "the live display of a ChapterSummary (progress), not a measurement or model output",
    "exercises/progress.py:Progress": "the reader's progress store; summary(chapter) is a query",
    "bookbuild.py:BuildResult": "the outcome of a book build (a process), not a benchmark result",
    "exercises/grading/sandbox.py:RunResult": "what a graded notebook's sandboxed child returned",
    "exercises/questions.py:Result": "the verdict on one self-check answer (score and message)",
    "measure/dp_model.py:Calibration": "the fitted inputs of the cluster model and its check; the measured runs "
                                        "(DataParallelRun) and the model's runs (ClusterRun) are the results",
}

_LOOKS_LIKE = {"summary", "to_dict", "table", "headline", "_repr_html_"}


def _result_like_classes() -> set[str]:
    """Every class in simlib's source that defines a result member, derives from ResultDisplay or
    Result, or is named ...Result."""
    found = set()
    for path in SIMLIB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            members = {b.name for b in node.body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))}
            bases = {ast.unparse(b) for b in node.bases}
            if members & _LOOKS_LIKE or bases & {"ResultDisplay", "Result"} or node.name.endswith("Result"):
                found.add(f"{path.relative_to(SIMLIB).as_posix()}:{node.name}")
    return found


def test_every_result_type_is_checked():
    unchecked = _result_like_classes() - set(CHECKED) - set(EXEMPT)
    assert not unchecked, (f"{sorted(unchecked)} look like results: make them follow simlib.protocol and add one "
                           "instance to CHECKED in tests/test_protocol.py (or to EXEMPT, saying why it is not a result)")
    assert not (set(CHECKED) | set(EXEMPT)) - _result_like_classes(), "a listed class no longer exists"


@pytest.fixture(scope="module", params=sorted(CHECKED))
def result(request):
    return CHECKED[request.param]()


def test_conforms(result):
    assert isinstance(result, ResultLike)
    assert conforms(result) == []


def test_to_dict_is_strict_json_with_the_summary(result):
    d = result.to_dict()
    back = json.loads(json.dumps(d, allow_nan=False))
    assert back == d and back["kind"] == result.kind and back["result_type"] == type(result).__name__
    assert set(back["summary"]) == set(result.summary)
    assert set(back["settings"]) >= {"requested", "effective"}


def test_text_forms(result):
    table, head, page = result.table(), result.headline(), result._repr_html_()
    assert isinstance(table, str) and table.strip()
    assert "\n" not in head and head.strip()
    assert page.lstrip().startswith("<") and "</" in page
    for w in result.warnings:  # every warning the result carries is shown
        assert w in table


def test_conforms_names_what_is_wrong():
    class Bad(ResultDisplay):
        kind = "guessed"
        settings = {"effective": {}}
        warnings = "none"

        def summary(self):
            return {}

        def _rows(self):
            return [("verdict", "INVALID")]

    problems = " | ".join(conforms(Bad()))
    for part in ("kind 'guessed'", "settings is not", "warnings is not", "summary is a method"):
        assert part in problems
    assert conforms(object()) and "has no kind" in conforms(object())[0]


@pytest.mark.parametrize("key, value, ok", [
    ("p99_s", 0.1, True), ("p99_ci_s", [0.09, 0.11], True), ("throughput_qps", 5.0, True),
    ("energy_j", None, True), ("n", 3, True), ("max_temp_c", 80.0, True), ("utilization", 0.5, True),
    ("p99_ms", 100.0, False), ("latency", 0.1, False), ("p99_ci_s", 0.1, False), ("p99_s", {"x": 1}, False),
])
def test_summary_key_rules(key, value, ok):
    assert (summary_key_problem(key, value) is None) == ok


def test_verdict_needs_its_bound():
    class NoBound(ResultDisplay):
        kind, warnings = "measured", []
        settings = {"requested": {}, "effective": {}}

        @property
        def summary(self):
            return {"n": 1}

        def _rows(self):
            return [("verdict", "VALID")]

    assert any("bound" in p for p in conforms(NoBound()))


def test_old_saved_result_still_loads():
    from simlib.measure.result import Result

    old = {"name": "old", "kind": "measured", "seed": None, "metrics": {}, "summary_s": {"median": 0.01},
           "warnings": [], "settings": {"requested": {}, "effective": {}}, "samples_s": [0.01, 0.011, 0.012],
           "extra": {}, "system": {}}
    r = Result.from_dict(old)
    assert r.summary["n"] == 3 and conforms(r) == []

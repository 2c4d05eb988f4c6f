"""Real measurements: the timing harness, backends, energy meters, the MLPerf-style load
generator (and a cross-check against MLPerf LoadGen), the end-to-end pipeline, and
measured-versus-modeled comparison. Every function returns a result carrying its provenance.

Chapter-level calls:

- :func:`time_callable` / :func:`time_inference`: per-call latency with warm-up, CIs, overhead;
- :func:`measure`: one MLPerf scenario against a real backend (cold start, verdict, energy);
- :func:`open_backend`, :class:`BackendSUT`, :class:`Settings`, :func:`run_scenario`;
- :func:`crosscheck`: simlib's generator vs MLPerf LoadGen on one SUT;
- :func:`run_pipeline`: stage-by-stage request timing and Amdahl's bound (:mod:`simlib.scaling`);
- :func:`compare`: measured vs modeled p50/p99/QPS at several loads, two calibrations;
- :func:`auto_meter`, :class:`NVMLMeter`, :class:`RAPLMeter`, :class:`NullMeter`.

>>> sorted(BACKENDS)
['edgetpu', 'onnxruntime', 'torch']
"""

from simlib.measure.api import measure, time_inference
from simlib.measure.backends import (
    BACKENDS,
    Backend,
    BackendUnavailable,
    default_threads,
    open_backend,
)
from simlib.measure.compare import Comparison, compare, effective_service_times
from simlib.measure.loadgen import RunResult, Settings, run_scenario
from simlib.measure.meters import (
    EnergyReading,
    MeterUnavailable,
    NullMeter,
    NVMLMeter,
    RAPLMeter,
    auto_meter,
)
from simlib.measure.mlperf_crosscheck import crosscheck, run_mlperf
from simlib.measure.pipeline import run_pipeline
from simlib.measure.result import Result, format_time
from simlib.measure.sut import BackendSUT
from simlib.measure.timer import harness_overhead, time_callable

__all__ = [
    "BACKENDS", "Backend", "BackendSUT", "BackendUnavailable", "Comparison", "EnergyReading",
    "MeterUnavailable", "NVMLMeter", "NullMeter", "RAPLMeter", "Result", "RunResult", "Settings",
    "auto_meter", "compare", "crosscheck", "default_threads",
    "effective_service_times", "format_time", "harness_overhead", "measure", "open_backend",
    "run_mlperf", "run_pipeline", "run_scenario", "time_callable", "time_inference",
]

"""Run the same system under test under the real MLPerf LoadGen (``mlcommons-loadgen``).

:func:`run_mlperf` drives a :class:`~simlib.measure.sut.BackendSUT` with ``mlperf_loadgen``
(SingleStream, MultiStream, Server or Offline, PerformanceOnly), reads LoadGen's own
``mlperf_log_detail.txt`` for its results (percentiles, QPS, VALID/INVALID) and returns them with
the summary text. :func:`crosscheck` runs simlib's generator and LoadGen back to back on one
SUT and reports both side by side with relative differences: they should agree within run-to-run
noise, which the function also estimates by repeating simlib's run.

>>> r = crosscheck("digits", "singlestream")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from simlib.measure.backends import BackendUnavailable
from simlib.measure.loadgen import Settings, run_scenario
from simlib.measure.sut import BackendSUT
from simlib.scenarios import Scenario

__all__ = ["crosscheck", "run_mlperf"]


def _lg():
    try:
        import mlperf_loadgen as lg
    except ImportError as err:
        raise BackendUnavailable("MLPerf LoadGen is not installed: pip install mlcommons-loadgen") from err
    return lg


def _to_lg_settings(lg, settings: Settings) -> Any:
    eff = settings.effective()
    ts = lg.TestSettings()
    ts.scenario = {Scenario.SINGLE_STREAM: lg.TestScenario.SingleStream,
                   Scenario.MULTI_STREAM: lg.TestScenario.MultiStream,
                   Scenario.SERVER: lg.TestScenario.Server,
                   Scenario.OFFLINE: lg.TestScenario.Offline}[settings.scenario]
    ts.mode = lg.TestMode.PerformanceOnly
    ts.min_duration_ms = int(eff["min_duration_s"] * 1000)
    ts.max_duration_ms = int(eff["max_duration_s"] * 1000)
    ts.min_query_count = int(eff["min_query_count"])
    ts.schedule_rng_seed = settings.schedule_seed
    ts.sample_index_rng_seed = settings.sample_index_seed
    if settings.scenario is Scenario.SERVER:
        ts.server_target_qps = float(settings.qps)
        ts.server_target_latency_ns = int(settings.latency_bound_s * 1e9)
    if settings.scenario is Scenario.MULTI_STREAM:
        ts.multi_stream_samples_per_query = settings.samples_per_query
    if settings.scenario is Scenario.OFFLINE and eff.get("offline_expected_qps"):
        ts.offline_expected_qps = float(eff["offline_expected_qps"])
    return ts


def _parse_detail(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        if line.startswith(":::MLLOG"):
            try:
                rec = json.loads(line[len(":::MLLOG"):])
            except json.JSONDecodeError:
                continue
            out[rec.get("key")] = rec.get("value")
    return out


def run_mlperf(sut: BackendSUT, settings: Settings) -> dict[str, Any]:
    """Run ``sut`` under MLPerf LoadGen; LoadGen's results (SI units) plus its summary text."""
    lg = _lg()
    ts = _to_lg_settings(lg, settings)
    n_lib = len(sut.samples)

    def issue(query_samples) -> None:
        sut.issue([(qs.id, qs.index) for qs in query_samples])

    def on_complete(ids: list[int], t: float) -> None:
        lg.QuerySamplesComplete([lg.QuerySampleResponse(i, 0, 0) for i in ids])

    with tempfile.TemporaryDirectory(prefix="simlib-mlperf-") as tmp:
        log = lg.LogSettings()
        log.log_output.outdir = tmp
        log.log_output.copy_summary_to_stdout = False
        log.enable_trace = False
        sut.start(on_complete)
        lsut = lg.ConstructSUT(issue, sut.flush)
        lqsl = lg.ConstructQSL(n_lib, n_lib, lambda s: None, lambda s: None)
        t0 = time.perf_counter()
        try:
            lg.StartTestWithLogSettings(lsut, lqsl, ts, log)
        finally:
            wall = time.perf_counter() - t0
            lg.DestroyQSL(lqsl)
            lg.DestroySUT(lsut)
            sut.stop()
        detail = _parse_detail(Path(tmp) / "mlperf_log_detail.txt")
        summary = (Path(tmp) / "mlperf_log_summary.txt").read_text()

    def ns(key: str) -> float | None:
        v = detail.get(key)
        return None if v is None else float(v) / 1e9

    res = {"tool": "mlperf_loadgen", "scenario": settings.scenario.value, "wall_s": wall,
           "p50_s": ns("result_50.00_percentile_latency_ns"),
           "p90_s": ns("result_90.00_percentile_latency_ns"),
           "p99_s": ns("result_99.00_percentile_latency_ns"),
           "mean_s": ns("result_mean_latency_ns"),
           "valid": detail.get("result_validity"),
           "qps_scheduled": detail.get("result_scheduled_samples_per_sec"),
           "qps_completed": detail.get("result_completed_samples_per_sec"),
           "throughput_sps": detail.get("result_samples_per_second"),
           "summary_text": summary}
    return res


def crosscheck(model: str = "digits", scenario: str = "singlestream", *, backend: str = "onnxruntime",
               qps: float | None = None, min_duration_s: float | None = None,
               repeats: int = 2, threads: int | None = None, max_batch: int | None = None) -> dict[str, Any]:
    """simlib's generator and MLPerf LoadGen on the same SUT, side by side.

    Runs simlib's generator ``repeats`` times (the spread between them is the run-to-run noise)
    and LoadGen once, in alternation. Returns rows of p50/p90/p99 and QPS with relative
    differences, and both summaries.
    """
    from simlib.measure.backends import open_backend

    sc = Scenario.parse(scenario)
    b = open_backend(backend, model, threads=threads)
    lib = b.spec.sample_inputs(64)
    mb = max_batch or (8 if sc is Scenario.OFFLINE else 1)
    settings = Settings(sc, qps=qps, min_duration_s=min_duration_s)
    ours, theirs = [], None
    for k in range(max(1, repeats)):
        r = run_scenario(BackendSUT(b, lib, max_batch=mb), settings, progress=False)
        ours.append(r)
        if k == 0:
            if sc is Scenario.OFFLINE:
                settings = Settings(sc, min_duration_s=min_duration_s,
                                    offline_expected_qps=r.settings["effective"]["offline_expected_qps"])
            theirs = run_mlperf(BackendSUT(b, lib, max_batch=mb), settings)
    b.close()
    keys = ["p50_s", "p90_s", "p99_s", "qps_scheduled", "qps_completed", "throughput_sps"]
    rows = []
    for k in keys:
        vals = [r.metrics.get(k) for r in ours]
        if vals[0] is None or theirs.get(k) is None:
            continue
        o = sum(vals) / len(vals)
        noise = (max(vals) - min(vals)) / o if o else None
        rows.append({"metric": k, "simlib": o, "mlperf_loadgen": float(theirs[k]),
                     "rel_diff": (o - float(theirs[k])) / float(theirs[k]) if theirs[k] else None,
                     "simlib_run_to_run": noise})
    return {"scenario": sc.value, "model": model, "backend": backend, "rows": rows,
            "simlib_verdict": ours[0].metrics["verdict"], "mlperf_valid": theirs.get("valid"),
            "simlib_summary": ours[0].summary_text(), "mlperf_summary": theirs["summary_text"],
            "simlib_results": ours}

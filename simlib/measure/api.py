"""One-call measurements for chapters: :func:`measure` (a scenario) and :func:`time_inference`.

>>> r = measure("digits", "onnxruntime", scenario="singlestream", duration_s=0.2)  # doctest: +SKIP
>>> r.metrics["verdict"]  # doctest: +SKIP
'VALID'
"""

from __future__ import annotations

from typing import Any

from simlib import budget, limits
from simlib._validate import Options, Range, invalid, validate_params
from simlib.measure.backends import BACKENDS, open_backend
from simlib.measure.loadgen import RunResult, Settings, run_scenario
from simlib.measure.meters import NullMeter, auto_meter, energy_fields
from simlib.measure.result import Result
from simlib.measure.sut import BackendSUT
from simlib.measure.timer import time_callable
from simlib.models.registry import MODELS, model_info
from simlib.scenarios import Scenario

__all__ = ["measure", "time_inference"]

_OWN = "measure"


def _meter(meter: str):
    if meter == "none":
        return NullMeter("meter='none' was requested")
    if meter == "auto":
        return auto_meter()
    return _explicit(meter)


def _explicit(name: str):
    from simlib.measure.meters import NVMLMeter, RAPLMeter

    return NVMLMeter() if name == "nvml" else RAPLMeter()  # raises MeterUnavailable with the fix


@validate_params({
    "model": Options(MODELS), "backend": Options(BACKENDS),
    "qps": [None, Range(0, 1e7, closed="right", unit="queries/s")],
    "duration_s": [None, Range(0, 3600, closed="right", unit="s")],
    "latency_bound_s": Range(0, 3600, closed="right", unit="s"),
    "max_batch": [None, Range(1, 4096, integer=True)], "batch_timeout_s": Range(0, 10, unit="s"),
    "meter": Options(("auto", "none", "nvml", "rapl"))})
def measure(model: str = "cnn", backend: str = "onnxruntime", *, scenario: str = "singlestream",
            precision: str = "fp32", qps: float | None = None, duration_s: float | None = None,
            min_query_count: int | None = None, latency_bound_s: float = 0.1, device: str = "cpu",
            threads: int | None = None, max_batch: int | None = None, batch_timeout_s: float = 0.0,
            meter: str = "auto", seed: int = 0, progress: bool | None = None) -> RunResult:
    """Load ``model`` on ``backend``, measure its cold start, run one MLPerf scenario, meter energy.

    The result carries the verdict, latencies from the scheduled arrival, QPS, cold start
    (``load_s``, ``first_inference_s``), the model's facts (parameters, FLOPs, bytes), energy
    (measured, or None with a modeled estimate labeled "modeled"), thread settings and the
    system description.
    """
    sc = Scenario.parse(scenario)
    dur = duration_s if duration_s is not None else budget.pick(quick=1.0, standard=10.0, full=60.0)
    limits.check_work("wall_s", dur, owner=_OWN, parameter="duration_s")
    if sc is Scenario.SERVER:
        if qps is None:  # cross-parameter: the Server scenario needs an arrival rate
            raise invalid("qps", "is None, but the Server scenario needs an arrival rate",
                          "a number in (0, 1e+07] queries/s", owner=_OWN)
        limits.check_work("requests", qps * dur, owner=_OWN, parameter="qps")  # the arrival schedule
    elif qps is not None:
        raise invalid("qps", f"applies only to the Server scenario, not to {sc.value}",
                      "None unless scenario='server'", owner=_OWN)
    m = _meter(meter)
    b = open_backend(backend, model, precision=precision, device=device, threads=threads)
    try:
        b.warmup(budget.pick(quick=10, standard=50, full=200))
        lib = b.spec.sample_inputs(64, seed=seed)
        mb = max_batch or (8 if sc is Scenario.OFFLINE else 1)
        settings = Settings(sc, min_duration_s=duration_s, min_query_count=min_query_count,
                            qps=qps if sc is Scenario.SERVER else None,
                            latency_bound_s=latency_bound_s, schedule_seed=seed,
                            sample_index_seed=seed + 1)
        sut = BackendSUT(b, lib, max_batch=mb, batch_timeout_s=batch_timeout_s,
                         name=f"{model}/{backend}/{precision}/{device}")
        m.begin()
        r = run_scenario(sut, settings, progress=progress,
                         name=f"{sc.value} {model} {backend} {precision} {device}")
        reading = m.end()
        info = model_info(b.spec, getattr(b, "model_path", None))
        macs = info["flops_per_sample"] / 2  # simlib.energy charges one multiply per MAC
        energy = energy_fields(reading, r.metrics["samples"], flops=macs,
                               weight_bytes=info["weight_bytes_fp32"] / (4 if precision == "int8" else 1),
                               precision=precision)
        desc = b.describe()
    finally:
        b.close()
    r.metrics.update(load_s=desc["load_s"], first_inference_s=desc["first_inference_s"],
                     measured_j_per_inference=energy["measured_j_per_inference"],
                     modeled_j_per_inference=(energy.get("modeled") or {}).get("energy_j"))
    if energy["measured_energy_j"] is None:
        r.warnings.extend(energy["notes"])
    r.settings["effective"].update(
        backend=backend, model=model, precision=precision, device=device,
        intra_op_threads=desc["intra_op_threads"], inter_op_threads=1, max_batch=mb,
        threads_policy="model gets cores-1 intra-op threads; the load generator keeps one core")
    r.settings["requested"].update(backend=backend, model=model, precision=precision, device=device,
                                   threads=threads, meter=meter, qps=qps, duration_s=duration_s)
    r.extra.update(backend=desc, model_info=info, energy=energy)
    return r


@validate_params({"batch_size": Range(1, 4096, integer=True)})
def time_inference(model: str = "cnn", backend: str = "onnxruntime", *, batch_size: int = 1,
                   precision: str = "fp32", device: str = "cpu", threads: int | None = None,
                   **timer_kw: Any) -> Result:
    """Steady-state per-call latency of one batch (the harness: warm-up, repeats, CIs, overhead)."""
    b = open_backend(backend, model, precision=precision, device=device, threads=threads)
    try:
        x = b.spec.sample_inputs(batch_size)
        sync = "cuda" if device == "cuda" else "none"
        r = time_callable(lambda: b.infer(x), name=f"{model} {backend} {precision} b={batch_size}",
                          sync=sync, **timer_kw)
        desc = b.describe()
    finally:
        b.close()
    r.metrics.update(batch_size=batch_size, load_s=desc["load_s"],
                     first_inference_s=desc["first_inference_s"])
    r.extra["backend"] = desc
    return r

"""Small formulas that compute the answers of parameterized self-check questions.

A bank refers to one as ``function: simlib.exercises.answers:NAME``; it is called with the
question's parameters as keyword arguments. Any importable simlib function works the same way;
these exist where simlib has no function of that exact shape.
"""

from __future__ import annotations

__all__ = ["batch_intensity", "energy_per_inference_mj", "interval_width_factor", "littles_law_in_flight",
           "load_time_ms",
           "mm1_mean_latency_ms", "offline_over_server", "p99_over_median", "speedup_end_to_end",
           "tail_ratio", "tops_floor_ms"]


def littles_law_in_flight(qps: float, latency_ms: float) -> float:
    """Mean requests in the system, L = lambda * W, via :func:`simlib.scaling.littles_law`.

    >>> littles_law_in_flight(qps=200, latency_ms=50)
    10.0
    """
    from simlib.scaling import littles_law

    return littles_law(qps=float(qps), time_s=float(latency_ms) / 1e3)


def speedup_end_to_end(total_ms: float, part_ms: float, part_speedup: float) -> float:
    """End-to-end speedup when only ``part_ms`` of ``total_ms`` gets ``part_speedup`` faster (Amdahl).

    >>> round(speedup_end_to_end(total_ms=80, part_ms=15, part_speedup=3), 3)
    1.143
    """
    from simlib.scaling import amdahl_speedup

    return amdahl_speedup(float(part_ms) / float(total_ms), float(part_speedup))


def _tail_ratio_s(median_s: float, p99_s: float) -> float:
    """How many times the p99 exceeds the median, both in seconds (what the two forms below call)."""
    return float(p99_s) / float(median_s)


def tail_ratio(median_us: float, p99_us: float) -> float:
    """How many times the p99 exceeds the median, both given in microseconds.

    >>> tail_ratio(median_us=40, p99_us=100)
    2.5
    """
    return _tail_ratio_s(median_s=float(median_us) * 1e-6, p99_s=float(p99_us) * 1e-6)


def p99_over_median(median_ms: float, p99_ms: float) -> float:
    """The tail ratio of a measurement given in milliseconds.

    >>> p99_over_median(median_ms=1.2, p99_ms=3.0)
    2.5
    """
    return _tail_ratio_s(median_s=float(median_ms) * 1e-3, p99_s=float(p99_ms) * 1e-3)


def mm1_mean_latency_ms(qps: float, service_ms: float) -> float:
    """Mean time in system of an M/M/1 queue (ms), via :mod:`simlib.queueing.analytic`.

    >>> mm1_mean_latency_ms(qps=50, service_ms=10)
    20.0
    """
    from simlib.queueing.analytic import mm1_mean_time_in_system

    return mm1_mean_time_in_system(float(qps), 1000.0 / float(service_ms)) * 1e3


def offline_over_server(offline_sps: float, server_qps: float) -> float:
    """How many times the Offline throughput exceeds the Server rate that meets the bound.

    >>> offline_over_server(offline_sps=900, server_qps=600)
    1.5
    """
    return float(offline_sps) / float(server_qps)


def batch_intensity(batch: int, gflop_per_sample: float, weight_mb: float) -> float:
    """Arithmetic intensity (FLOP/byte) of a batch when only the weights are read, once per batch.

    >>> batch_intensity(batch=32, gflop_per_sample=22, weight_mb=440)
    1600.0
    """
    return float(batch) * float(gflop_per_sample) * 1e9 / (float(weight_mb) * 1e6)


def load_time_ms(params_billion: float, bytes_per_param: float, bandwidth_gb_s: float) -> float:
    """Lower bound on weight-loading time (ms), via :func:`simlib.coldstart.weight_load_time_s`.

    >>> load_time_ms(params_billion=7, bytes_per_param=2, bandwidth_gb_s=25)
    560.0
    """
    from simlib.coldstart import BYTES_PER_PARAM, weight_load_time_s

    precision = {v: k for k, v in BYTES_PER_PARAM.items()}[float(bytes_per_param)]
    return weight_load_time_s(float(params_billion) * 1e9, precision, float(bandwidth_gb_s) * 1e9) * 1e3


def energy_per_inference_mj(power_mw: float, latency_ms: float) -> float:
    """E = P x t in millijoules, via :func:`simlib.energy.energy_j`.

    >>> energy_per_inference_mj(power_mw=500, latency_ms=2)
    1.0
    """
    from simlib.energy import energy_j

    return energy_j(float(power_mw) / 1e3, float(latency_ms) / 1e3) * 1e3


def tops_floor_ms(gop_per_inference: float, tops: float) -> float:
    """The compute floor of one inference (ms): operations / peak operations per second
    (the roofline's compute roof; memory can only make it longer).

    >>> tops_floor_ms(gop_per_inference=0.6, tops=4)
    0.15
    """
    return float(gop_per_inference) * 1e9 / (float(tops) * 1e12) * 1e3


def interval_width_factor(n: int, ess: float) -> float:
    """How many times wider an honest interval is than one that treats ``n`` correlated samples as
    independent, when they are worth ``ess`` independent ones: sqrt(n / ess) (widths scale as
    1/sqrt(sample size)).

    >>> interval_width_factor(n=20000, ess=200)
    10.0
    """
    return (float(n) / float(ess)) ** 0.5


# --- system chapter ---
def cpu_peak_gflops(cores: int, ghz: float, vector_bits: int, fma_units: int) -> float:
    """Theoretical FP32 peak (GFLOP/s): cores x clock x FMA units x (vector bits / 32) lanes x 2.

    >>> cpu_peak_gflops(cores=8, ghz=3.0, vector_bits=256, fma_units=2)
    768.0
    """
    return float(cores) * float(ghz) * float(fma_units) * float(vector_bits) / 32 * 2


def ridge_flop_per_byte(peak_tflops: float, bandwidth_tbs: float) -> float:
    """Ridge point (FLOP/byte): peak compute over memory bandwidth, via :func:`simlib.roofline.ridge_point`.

    >>> round(ridge_flop_per_byte(peak_tflops=312, bandwidth_tbs=2.039), 1)
    153.0
    """
    from simlib.roofline import ridge_point

    return ridge_point(float(peak_tflops) * 1e12, float(bandwidth_tbs) * 1e12)


def memory_bound_intensity(achieved_tflops: float, bandwidth_tbs: float, peak_tflops: float | None = None) -> float:
    """The arithmetic intensity (FLOP/byte) at which a memory-bound workload runs at ``achieved_tflops``
    on memory of ``bandwidth_tbs``: achieved / bandwidth. ``peak_tflops`` is accepted and ignored:
    on the memory roof the compute peak does not enter.

    >>> memory_bound_intensity(achieved_tflops=30, bandwidth_tbs=2.0)
    15.0
    """
    return float(achieved_tflops) / float(bandwidth_tbs)


def bandwidth_ratio(cache_gbs: float, dram_gbs: float) -> float:
    """How many times faster the in-cache bandwidth is than DRAM's.

    >>> bandwidth_ratio(cache_gbs=90, dram_gbs=20)
    4.5
    """
    return float(cache_gbs) / float(dram_gbs)


def add_effective_bandwidth_gbs(numel_m: float, time_us: float) -> float:
    """Effective bandwidth (GB/s) of an fp32 element-wise add of ``numel_m`` million elements in
    ``time_us`` microseconds: two inputs read and one output written, 12 bytes per element.

    >>> add_effective_bandwidth_gbs(numel_m=1.0, time_us=600)
    20.0
    """
    return float(numel_m) * 1e6 * 12 / (float(time_us) * 1e-6) / 1e9


def overhead_ratio(gap_us: float, kernel_us: float) -> float:
    """The profiler's overhead ratio T_gap / (T_kernel + T_gap), as a fraction.

    >>> overhead_ratio(gap_us=6, kernel_us=4)
    0.6
    """
    return float(gap_us) / (float(kernel_us) + float(gap_us))


def measured_over_predicted(predicted_ms: float, measured_ms: float) -> float:
    """How many times the measured time exceeds the roofline's prediction.

    >>> measured_over_predicted(predicted_ms=2.0, measured_ms=5.0)
    2.5
    """
    return float(measured_ms) / float(predicted_ms)


def pod_peak_pflops(chips: int, chip_tflops: float) -> float:
    """Peak of a pod (PFLOP/s): chips x per-chip peak, via :func:`simlib.hardware.peak.pod_peak_flops`.

    >>> pod_peak_pflops(chips=4096, chip_tflops=275)
    1126.4
    """
    from simlib.hardware.peak import pod_peak_flops

    return pod_peak_flops(int(chips), float(chip_tflops) * 1e12) / 1e15


def utilization_pct(achieved_tflops: float, peak_tflops: float) -> float:
    """Hardware efficiency eta_hw = sustained / peak, in percent.

    >>> utilization_pct(achieved_tflops=10, peak_tflops=989)
    1.0111223458038423
    """
    return float(achieved_tflops) / float(peak_tflops) * 100


def amdahl_share_speedup(model_share_pct: float, model_speedup: float) -> float:
    """End-to-end speedup when a part taking ``model_share_pct`` percent of the time gets
    ``model_speedup`` times faster (Amdahl, :func:`simlib.scaling.amdahl_speedup`).

    >>> round(amdahl_share_speedup(model_share_pct=50, model_speedup=3), 3)
    1.5
    """
    from simlib.scaling import amdahl_speedup

    return amdahl_speedup(float(model_share_pct) / 100, float(model_speedup))

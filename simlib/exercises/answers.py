"""Small formulas that compute the answers of parameterized self-check questions.

A bank refers to one as ``function: simlib.exercises.answers:NAME``; it is called with the
question's parameters as keyword arguments. Any importable simlib function works the same way;
these exist where simlib has no function of that exact shape.
"""

from __future__ import annotations

__all__ = ["batch_intensity", "energy_per_inference_mj", "interval_width_factor", "littles_law_in_flight",
           "load_time_ms",
           "mm1_mean_latency_ms", "offline_over_server", "p99_over_median", "speedup_end_to_end",
           "tail_ratio", "tops_floor_ms",
           # training chapter
           "olympic_five", "ring_allreduce_ms", "run_energy_mwh", "strong_scaling_pct", "training_state_gb", "ttq_ratio",
           "young_interval_min"]


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


# --- training chapter ---
def strong_scaling_pct(t1_ms: float, tn_ms: float, n: int) -> float:
    """Strong-scaling efficiency in percent, T(1) / (n T(n)), via :func:`simlib.scaling.strong_scaling_efficiency`.

    >>> strong_scaling_pct(t1_ms=24, tn_ms=4, n=8)
    75.0
    """
    from simlib.scaling import strong_scaling_efficiency

    return 100.0 * strong_scaling_efficiency(float(t1_ms), float(tn_ms), int(n))


def ttq_ratio(throughput_ratio: float, epochs_ratio: float) -> float:
    """How many times longer time to quality gets when throughput grows by ``throughput_ratio``
    and the epochs to the target by ``epochs_ratio``: epochs_ratio / throughput_ratio.

    >>> round(ttq_ratio(throughput_ratio=2.3, epochs_ratio=2.5), 3)
    1.087
    """
    return float(epochs_ratio) / float(throughput_ratio)


def ring_allreduce_ms(size_mb: float, n: int, alpha_us: float, bandwidth_gb_s: float) -> float:
    """Ring all-reduce time (ms) of ``size_mb`` MB over ``n`` workers, via
    :func:`simlib.training.allreduce.ring_allreduce_s`.

    >>> round(ring_allreduce_ms(size_mb=100, n=8, alpha_us=5, bandwidth_gb_s=50), 2)
    3.57
    """
    from simlib.training.allreduce import ring_allreduce_s

    return 1e3 * ring_allreduce_s(float(size_mb) * 1e6, int(n), alpha_s=float(alpha_us) * 1e-6,
                                  bandwidth_bytes_per_s=float(bandwidth_gb_s) * 1e9)


def training_state_gb(params_billion: float, bytes_per_param: float) -> float:
    """Training state (GB) of a model: parameters x bytes per parameter.

    >>> training_state_gb(params_billion=7, bytes_per_param=16)
    112.0
    """
    return float(params_billion) * float(bytes_per_param)


def young_interval_min(checkpoint_s: float, mtbf_h: float) -> float:
    """Young's optimal checkpoint interval (minutes), via :func:`simlib.training.faults.young_interval_s`.

    >>> round(young_interval_min(checkpoint_s=60, mtbf_h=3), 1)
    19.0
    """
    from simlib.training.faults import young_interval_s

    return young_interval_s(float(checkpoint_s), float(mtbf_h) * 3600) / 60


def run_energy_mwh(gpus: int, days: float, power_w: float, pue: float) -> float:
    """Facility energy of a training run (MWh), via :func:`simlib.training.napkin.training_energy_j`.

    >>> round(run_energy_mwh(gpus=1000, days=10, power_w=400, pue=1.2), 1)
    115.2
    """
    from simlib.training.napkin import training_energy_j

    return training_energy_j(gpus=int(gpus), hours=float(days) * 24, power_w=float(power_w), pue=float(pue)) / 3.6e9


def olympic_five(slow: float) -> float:
    """MLPerf's score of five runs (41, 38, ``slow``, 44 and 39 minutes): drop the extremes, average
    the rest, via :func:`simlib.training.napkin.mlperf_olympic_mean`.

    >>> round(olympic_five(slow=70), 2)
    41.33
    """
    from simlib.training.napkin import mlperf_olympic_mean

    return mlperf_olympic_mean([41, 38, float(slow), 44, 39])

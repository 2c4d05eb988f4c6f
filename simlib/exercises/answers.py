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


# --- foundations chapter ---


def end_to_end_speedup_ms(stage_ms: float, total_ms: float, factor: float) -> float:
    """End-to-end speedup when a ``stage_ms`` stage of a ``total_ms`` request gets ``factor`` times
    faster (Amdahl), via :func:`simlib.basics.framework.end_to_end_speedup`.

    >>> round(end_to_end_speedup_ms(stage_ms=10, total_ms=50, factor=3), 3)
    1.154
    """
    from simlib.basics.framework import end_to_end_speedup

    return end_to_end_speedup(float(stage_ms) / 1e3, float(total_ms) / 1e3, float(factor))


def sustained_tflops(peak_tflops: float, mfu_pct: float) -> float:
    """Sustained rate (TFLOP/s) at a model-FLOP utilization of ``mfu_pct`` percent.

    >>> round(sustained_tflops(peak_tflops=312, mfu_pct=30), 1)
    93.6
    """
    return float(peak_tflops) * float(mfu_pct) / 100.0


def error_count_sd(n_test: int, accuracy_pct: float) -> float:
    """Standard deviation of a classifier's error count on ``n_test`` items (binomial).

    >>> round(error_count_sd(n_test=1000, accuracy_pct=95), 2)
    6.89
    """
    p = 1 - float(accuracy_pct) / 100.0
    return (int(n_test) * p * (1 - p)) ** 0.5


def items_for_margin(accuracy_pct: float, margin_pct: float) -> int:
    """Test items for a 95% interval of +-``margin_pct`` points on an accuracy near
    ``accuracy_pct`` (:func:`simlib.stats.sample_size_proportion`).

    >>> items_for_margin(accuracy_pct=95, margin_pct=1)
    1825
    """
    from simlib.stats import sample_size_proportion

    return sample_size_proportion(float(accuracy_pct) / 100.0, float(margin_pct) / 100.0)


def runs_to_separate_pct(cv_pct: float, difference_pct: float) -> int:
    """Runs per configuration that separate a ``difference_pct`` percent difference at a
    run-to-run CV of ``cv_pct`` percent (alpha 0.05, power 80%,
    :func:`simlib.stats.sample_size_two_means`).

    >>> runs_to_separate_pct(cv_pct=3, difference_pct=2)
    37
    """
    from simlib.stats import sample_size_two_means

    return sample_size_two_means(float(difference_pct) / 100.0, float(cv_pct) / 100.0)


def selection_optimism_pp(accuracy_pct: float, n_test: int, n_variants: int) -> float:
    """Expected overstatement (percentage points) of the best of ``n_variants`` equal variants
    scored on one ``n_test``-item test set (:func:`simlib.basics.goodhart.expected_selection_gain`).

    >>> round(selection_optimism_pp(accuracy_pct=90, n_test=200, n_variants=30), 2)
    4.08
    """
    from simlib.basics.goodhart import expected_selection_gain

    return expected_selection_gain(float(accuracy_pct) / 100.0, int(n_test), int(n_variants)) * 100.0


# --- design chapter ---

def int8_fps_gain(fp32_ms: float, int8_ms: float) -> float:
    """Frames per second gained at batch 1 by moving from FP32 to INT8 (one frame per latency),
    via :func:`simlib.designmath.precision_tradeoff`.

    >>> round(int8_fps_gain(fp32_ms=120, int8_ms=35), 1)
    20.2
    """
    from simlib.designmath import precision_tradeoff

    t = precision_tradeoff(fp32_latency_s=float(fp32_ms) / 1e3, int8_latency_s=float(int8_ms) / 1e3,
                           fp32_accuracy=0.5, int8_accuracy=0.5, fp32_bytes=1.0, int8_bytes=1.0)
    return t["int8_fps"] - t["fp32_fps"]


def duty_cycled_power_mw(active_w: float, idle_mw: float, duty_percent: float) -> float:
    """Average power (mW) of a device active ``duty_percent`` % of the time
    (:func:`simlib.energy.average_power_w`).

    >>> duty_cycled_power_mw(active_w=2, idle_mw=50, duty_percent=1)
    69.5
    """
    from simlib.energy import average_power_w

    return round(average_power_w(active_w=float(active_w), idle_w=float(idle_mw) / 1e3,
                                 duty_cycle=float(duty_percent) / 100) * 1e3, 9)


def runs_for_margin(cv_percent: float, margin_percent: float) -> int:
    """Runs needed for a +-``margin_percent`` % 95% interval on the mean at a run-to-run CV of
    ``cv_percent`` % (:func:`simlib.designmath.runs_needed`).

    >>> runs_for_margin(cv_percent=2, margin_percent=2)
    7
    """
    from simlib.designmath import runs_needed

    return runs_needed(float(cv_percent) / 100, float(margin_percent) / 100)


def cost_per_million_usd(throughput_qps: float, price_usd_per_h: float) -> float:
    """Rental cost (USD) of a million inferences on a machine rented at ``price_usd_per_h`` and
    kept busy at ``throughput_qps`` (electricity left out).

    >>> cost_per_million_usd(throughput_qps=1000, price_usd_per_h=3.6)
    1.0
    """
    from simlib.designmath import cost_per_inference_hourly

    c = cost_per_inference_hourly(throughput_qps=float(throughput_qps), price_usd_per_h=float(price_usd_per_h),
                                  energy_j=0.0)
    return round(c["rent_usd"] * 1e6, 12)


def break_even_rtt_ms(device_ms: float, cloud_ms: float, payload_kb: float, uplink_mb_per_s: float) -> float:
    """Round-trip time (ms) at which cloud inference (RTT + upload + compute) takes as long as
    on-device inference (:func:`simlib.designmath.edge_or_cloud`).

    >>> break_even_rtt_ms(device_ms=30, cloud_ms=4, payload_kb=50, uplink_mb_per_s=2.5)
    6.0
    """
    from simlib.designmath import edge_or_cloud

    r = edge_or_cloud(device_s=float(device_ms) / 1e3, cloud_s=float(cloud_ms) / 1e3, rtt_s=0.0,
                      payload_bytes=float(payload_kb) * 1e3, uplink_bytes_per_s=float(uplink_mb_per_s) * 1e6)
    return round(r["break_even_rtt_s"] * 1e3, 9)


# --- production chapter ---
__all__ += ["burn_rate", "canary_minutes", "downtime_minutes", "flash_peak_wait_ms", "queries_per_joule_ratio",
            "tail_growth"]


def tail_growth(steady_p99_ms: float, replay_p99_ms: float) -> float:
    """How many times the p99 under a trace replay exceeds the p99 at a steady rate.

    >>> tail_growth(steady_p99_ms=2.0, replay_p99_ms=50.0)
    25.0
    """
    return float(replay_p99_ms) / float(steady_p99_ms)


def canary_minutes(n_requests: int, qps: float, fraction_pct: float) -> float:
    """Minutes a canary needs to collect ``n_requests`` when it gets ``fraction_pct``% of ``qps``.

    >>> canary_minutes(n_requests=6000, qps=1000, fraction_pct=5)
    2.0
    """
    return float(n_requests) / (float(qps) * float(fraction_pct) / 100) / 60


def burn_rate(bad_pct: float, target_pct: float) -> float:
    """The error-budget burn rate: the bad share over the share the SLO allows.

    >>> round(burn_rate(bad_pct=3.6, target_pct=99.5), 6)
    7.2
    """
    from simlib.monitor.slo import error_budget

    total = 1_000_000
    return error_budget(round(float(bad_pct) / 100 * total), total, float(target_pct) / 100)["burn_rate"]


def queries_per_joule_ratio(qps_a: float, power_a_w: float, qps_b: float, power_b_w: float) -> float:
    """How many times more queries per joule system B delivers than system A.

    >>> round(queries_per_joule_ratio(qps_a=1200, power_a_w=4.2, qps_b=1000, power_b_w=1.8), 3)
    1.944
    """
    from simlib.monitor.fallacies import power_tradeoff

    return power_tradeoff(qps_a, power_a_w, qps_b, power_b_w)["queries_per_charge_ratio"]


def downtime_minutes(availability_pct: float, days: float) -> float:
    """Minutes of downtime an availability target allows over ``days``.

    >>> round(downtime_minutes(availability_pct=99.9, days=30), 1)
    43.2
    """
    from simlib.monitor.fallacies import downtime_minutes as _dm

    return _dm(float(availability_pct) / 100, float(days))


def flash_peak_wait_ms(peak_qps: float, capacity_qps: float, flash_s: float) -> float:
    """The wait (ms) of the last request of a flash crowd, by the fluid model.

    >>> flash_peak_wait_ms(peak_qps=1500, capacity_qps=1000, flash_s=0.4)
    200.0
    """
    from simlib.monitor.traces import flash_backlog

    return flash_backlog(float(peak_qps), float(capacity_qps), float(flash_s), 0.0)["peak_wait_s"] * 1e3


# --- power chapter ---


def power_energy_mj(power_w: float, time_ms: float) -> float:
    """Energy of one inference (mJ) at ``power_w`` W for ``time_ms`` ms: W x ms = mJ.

    >>> power_energy_mj(power_w=5, time_ms=1.5)
    7.5
    """
    from simlib.energy import energy_j

    return energy_j(float(power_w), float(time_ms) / 1e3) * 1e3


def power_facility_mj(node_mj: float, pue: float) -> float:
    """Facility energy per inference (mJ): node energy x PUE (:func:`simlib.energy.facility_energy_j`).

    >>> power_facility_mj(node_mj=2.0, pue=1.5)
    3.0
    """
    from simlib.energy import facility_energy_j

    return facility_energy_j(float(node_mj), float(pue))


def power_achieved_pct(achieved_hz: float, requested_hz: float) -> float:
    """The share of a requested sampling rate a sampler achieved (%).

    >>> power_achieved_pct(achieved_hz=400, requested_hz=1000)
    40.0
    """
    return 100.0 * float(achieved_hz) / float(requested_hz)


def power_energy_change_pct(throughput_gain_pct: float, power_gain_pct: float) -> float:
    """Change of energy per inference (%) when a clock step buys ``throughput_gain_pct`` % more
    throughput for ``power_gain_pct`` % more power (:func:`simlib.powerbench.frequency_tradeoff`).

    >>> round(power_energy_change_pct(throughput_gain_pct=5, power_gain_pct=50), 1)
    42.9
    """
    from simlib.powerbench import frequency_tradeoff

    t = frequency_tradeoff(throughput_gain=float(throughput_gain_pct) / 100, power_gain=float(power_gain_pct) / 100)
    return 100.0 * t["energy_per_inference_change_fraction"]


def power_int8_energy_ratio(fp32_ms: float, int8_ms: float) -> float:
    """FP32 energy / INT8 energy per inference at one (assumed) power: the time ratio.

    >>> power_int8_energy_ratio(fp32_ms=2.0, int8_ms=1.6)
    1.25
    """
    return float(fp32_ms) / float(int8_ms)


def power_duty_avg_mw(active_w: float, idle_mw: float, duty_pct: float) -> float:
    """Average power (mW) of a device active ``duty_pct`` % of the time
    (:func:`simlib.energy.average_power_w`).

    >>> round(power_duty_avg_mw(active_w=2, idle_mw=50, duty_pct=1), 1)
    69.5
    """
    from simlib.energy import average_power_w

    return average_power_w(active_w=float(active_w), idle_w=float(idle_mw) / 1e3,
                           duty_cycle=float(duty_pct) / 100) * 1e3


def power_span_orders(low_uw: float, high_kw: float) -> float:
    """Orders of magnitude between ``low_uw`` microwatts and ``high_kw`` kilowatts: log10(high / low).

    >>> round(power_span_orders(low_uw=150, high_kw=10), 2)
    7.82
    """
    import math

    return math.log10(float(high_kw) * 1e3 / (float(low_uw) * 1e-6))


def power_battery_hours(capacity_wh: float, avg_mw: float) -> float:
    """Hours a battery of ``capacity_wh`` Wh lasts at ``avg_mw`` mW (:func:`simlib.energy.battery_life_h`).

    >>> round(power_battery_hours(capacity_wh=15.4, avg_mw=69.5), 1)
    221.6
    """
    from simlib.energy import battery_life_h

    return battery_life_h(float(avg_mw) / 1e3, capacity_wh=float(capacity_wh))


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


# --- evaluation chapter ---
def recall_percent(caught: float, positives: float) -> float:
    """Recall in percent: positives found over positives present.

    >>> recall_percent(caught=3, positives=12)
    25.0
    """
    return 100.0 * float(caught) / float(positives)


def single_bin_accuracy_percent(ece: float, confidence: float) -> float:
    """Accuracy (%) of an overconfident model whose predictions all sit in one confidence bin,
    given its ECE: confidence - ECE.

    >>> round(single_bin_accuracy_percent(ece=0.08, confidence=0.95), 6)
    87.0
    """
    return 100.0 * (float(confidence) - float(ece))


def latency_ratio(fp32_us: float, int8_us: float) -> float:
    """How many times faster INT8 ran (> 1) or slower (< 1): fp32 / int8.

    >>> latency_ratio(fp32_us=20.0, int8_us=50.0)
    0.4
    """
    return float(fp32_us) / float(int8_us)


def response_time_ms(tokens: float, tps: float, ttft_ms: float) -> float:
    """Milliseconds for a response: TTFT + tokens / rate (the rate in tokens/s).

    >>> response_time_ms(tokens=750, tps=25, ttft_ms=0)
    30000.0
    """
    from simlib.evaluation.lm import response_time_s

    return response_time_s(float(tokens), float(tps), float(ttft_ms) * 1e-3) * 1e3


def precision_from_rates_percent(accuracy_pct: float, recall_pct: float, prevalence_pct: float) -> float:
    """Precision (%) that accuracy, recall and prevalence (all in %) force on a binary classifier.

    >>> round(precision_from_rates_percent(accuracy_pct=99, recall_pct=10, prevalence_pct=1), 6)
    50.0
    """
    from simlib.evaluation import confusion_from_rates

    return 100.0 * confusion_from_rates(accuracy_pct / 100, recall_pct / 100, prevalence_pct / 100).precision
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

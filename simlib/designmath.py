"""Closed forms of the chapter on designing and reading a benchmark (all MODELED arithmetic);
the measuring parts are in :mod:`simlib.design`.

Each function recomputes a worked number of the source chapter (seed lines 298-437, 789-848)
or answers a design question the chapter asks, in SI units:

- :func:`precision_tradeoff`: Example 1.1, FP32 versus INT8 (speedup, size, accuracy cost, FPS);
- :func:`accuracy_per_parameter_ratio`: MobileNetV2 versus ResNet-50, accuracy per parameter;
- :func:`runs_needed`: how many repeated runs a relative precision needs at a measured CV;
- :func:`offload`: whether moving work to an accelerator pays once the transfer is counted;
- :func:`edge_or_cloud`: on-device versus cloud inference with a network round trip;
- :func:`cost_per_inference_hourly`: cost per inference from a price per hour and per kWh.

>>> t = precision_tradeoff(fp32_latency_s=0.120, int8_latency_s=0.035, fp32_accuracy=0.718,
...                        int8_accuracy=0.709, fp32_bytes=14e6, int8_bytes=3.5e6)
>>> round(t["speedup_ratio"], 2), t["size_ratio"], round(t["int8_fps"], 1), round(t["fp32_fps"], 1)
(3.43, 4.0, 28.6, 8.3)
"""

from __future__ import annotations

import math
from typing import Any

from scipy import stats as _st

from simlib._validate import Range, validate_params

__all__ = ["MLPERF_RESNET50_FP32_TOP1", "accuracy_per_parameter_ratio", "expected_table_share", "implied_power_w",
           "mlperf_accuracy_target", "cost_per_inference_hourly", "edge_or_cloud", "offload",
           "precision_tradeoff", "runs_needed"]

_POS_S = Range(0, None, closed="neither", unit="s")
_NONNEG_S = Range(0, None, unit="s")
_FRAC = Range(0, 1)
_POS = Range(0, None, closed="neither")


@validate_params({"fp32_latency_s": _POS_S, "int8_latency_s": _POS_S, "fp32_accuracy": _FRAC,
                  "int8_accuracy": _FRAC, "fp32_bytes": Range(0, None, closed="neither", unit="bytes"),
                  "int8_bytes": Range(0, None, closed="neither", unit="bytes")})
def precision_tradeoff(*, fp32_latency_s: float, int8_latency_s: float, fp32_accuracy: float,
                       int8_accuracy: float, fp32_bytes: float, int8_bytes: float) -> dict[str, Any]:
    """What INT8 buys and costs against FP32: speedup (x), size reduction (x), accuracy cost in
    percentage points, and frames per second at batch 1 (one frame per latency).

    Example 1.1 of the source (120 ms / 35 ms, 71.8% / 70.9%, 14 MB / 3.5 MB): see the module doctest.
    """
    return {"speedup_ratio": fp32_latency_s / int8_latency_s, "size_ratio": fp32_bytes / int8_bytes,
            "accuracy_cost_points": 100 * (fp32_accuracy - int8_accuracy),
            "fp32_fps": 1 / fp32_latency_s, "int8_fps": 1 / int8_latency_s}


@validate_params({"acc_a": _FRAC, "params_a": _POS, "acc_b": _FRAC, "params_b": _POS})
def accuracy_per_parameter_ratio(acc_a: float, params_a: float, acc_b: float, params_b: float) -> dict[str, float]:
    """How many times fewer parameters model A has than B, and how many times more accuracy it
    delivers per parameter. The source's MobileNetV2 (72%, 3.5 M) versus ResNet-50 (76%, 25.6 M):

    >>> r = accuracy_per_parameter_ratio(0.72, 3.5e6, 0.76, 25.6e6)
    >>> round(r["fewer_params_ratio"], 1), round(r["accuracy_per_param_ratio"], 1)
    (7.3, 6.9)
    """
    return {"fewer_params_ratio": params_b / params_a,
            "accuracy_per_param_ratio": (acc_a / params_a) / (acc_b / params_b)}


@validate_params({"cv": Range(0, None, closed="neither"),
                  "rel_half_width": Range(0, 1, closed="neither"),
                  "confidence": Range(0.5, 1, closed="neither")})
def runs_needed(cv: float, rel_half_width: float = 0.02, confidence: float = 0.95) -> int:
    """Smallest number of independent runs n (at least 2) whose t-interval for the mean has a
    half-width of at most ``rel_half_width`` of the mean, when one run's coefficient of
    variation (run-to-run spread / mean) is ``cv``: t(n-1) * cv / sqrt(n) <= rel_half_width.

    >>> runs_needed(0.02, 0.02)   # 2% run-to-run spread, +-2% wanted: the source's 5-10 runs
    7
    >>> runs_needed(0.10, 0.02)   # a noisy machine needs many more
    99
    """
    n = 2
    while _st.t.ppf(0.5 + confidence / 2, n - 1) * cv / math.sqrt(n) > rel_half_width:
        n += 1
        if n > 10_000_000:  # pragma: no cover - unreachable for the declared ranges
            break
    return n


@validate_params({"cpu_s": _POS_S, "accel_s": _POS_S, "transfer_bytes": Range(0, None, unit="bytes"),
                  "link_bytes_per_s": Range(0, None, closed="neither", unit="bytes/s"),
                  "fixed_overhead_s": _NONNEG_S})
def offload(*, cpu_s: float, accel_s: float, transfer_bytes: float, link_bytes_per_s: float,
            fixed_overhead_s: float = 0.0) -> dict[str, Any]:
    """Does running one inference on an accelerator beat the CPU once moving its data is counted?

    Offloaded time = fixed overhead (dispatch, driver) + transfer_bytes / link + accel_s. Returns
    both times, ``pays`` (offloaded strictly faster), the end-to-end speedup and the largest
    transfer for which offloading still pays (bytes; 0 when even no data cannot pay).

    >>> r = offload(cpu_s=0.010, accel_s=0.002, transfer_bytes=600_000, link_bytes_per_s=1e9,
    ...             fixed_overhead_s=0.0005)
    >>> r["pays"], round(r["offload_s"] * 1e3, 2), round(r["break_even_bytes"] / 1e6, 1)
    (True, 3.1, 7.5)
    """
    t_off = fixed_overhead_s + transfer_bytes / link_bytes_per_s + accel_s
    slack = cpu_s - accel_s - fixed_overhead_s
    return {"cpu_s": cpu_s, "offload_s": t_off, "pays": t_off < cpu_s, "speedup_ratio": cpu_s / t_off,
            "transfer_s": transfer_bytes / link_bytes_per_s,
            "transfer_share_fraction": (transfer_bytes / link_bytes_per_s) / t_off,
            "break_even_bytes": max(0.0, slack * link_bytes_per_s)}


@validate_params({"device_s": _POS_S, "cloud_s": _POS_S, "rtt_s": _NONNEG_S,
                  "payload_bytes": Range(0, None, unit="bytes"),
                  "uplink_bytes_per_s": Range(0, None, closed="neither", unit="bytes/s")})
def edge_or_cloud(*, device_s: float, cloud_s: float, rtt_s: float, payload_bytes: float,
                  uplink_bytes_per_s: float) -> dict[str, Any]:
    """On-device inference versus sending the input to a faster cloud model.

    Cloud time = round trip + payload / uplink + cloud compute. ``choice`` is "device" or
    "cloud" (a tie goes to the device: no network, no privacy exposure, works offline);
    ``break_even_rtt_s`` is the round trip at which the two are equal (0 when the device wins
    even over a free network).

    >>> r = edge_or_cloud(device_s=0.030, cloud_s=0.004, rtt_s=0.040, payload_bytes=50_000,
    ...                   uplink_bytes_per_s=2.5e6)
    >>> r["choice"], round(r["cloud_total_s"] * 1e3), round(r["break_even_rtt_s"] * 1e3)
    ('device', 64, 6)
    """
    up = payload_bytes / uplink_bytes_per_s
    total = rtt_s + up + cloud_s
    return {"device_s": device_s, "cloud_total_s": total, "uplink_s": up,
            "choice": "cloud" if total < device_s else "device",
            "break_even_rtt_s": max(0.0, device_s - cloud_s - up)}


@validate_params({"throughput_qps": Range(0, None, closed="neither", unit="inferences/s"),
                  "price_usd_per_h": Range(0, None, unit="USD/h"),
                  "energy_j": Range(0, None, unit="J"),
                  "price_usd_per_kwh": Range(0, None, unit="USD/kWh"),
                  "pue": Range(1, None)})
def cost_per_inference_hourly(*, throughput_qps: float, price_usd_per_h: float, energy_j: float,
                              price_usd_per_kwh: float = 0.10, pue: float = 1.0) -> dict[str, float]:
    """Cost of one inference (USD) on a machine rented at ``price_usd_per_h`` and kept busy at
    ``throughput_qps``, plus its electricity (:func:`simlib.energy.cost_per_inference_usd`,
    with the hour's price amortized as hardware over the 3600 s).

    >>> c = cost_per_inference_hourly(throughput_qps=1000, price_usd_per_h=3.6, energy_j=0.5)
    >>> round(c["rent_usd"] * 1e6, 3), round(c["energy_usd"] * 1e9, 2)
    (1.0, 13.89)
    """
    from simlib.energy import cost_per_inference_usd  # models layer: imported where used

    energy_usd = cost_per_inference_usd(energy_j, price_usd_per_kwh, pue)
    rent = price_usd_per_h / (3600 * throughput_qps)
    return {"rent_usd": rent, "energy_usd": energy_usd, "total_usd": rent + energy_usd}


@validate_params({"energy_j": Range(0, None, unit="J"), "time_s": _POS_S})
def implied_power_w(energy_j: float, time_s: float) -> float:
    """Average power (W) implied by an energy per inference and the time it takes. The source's
    anomaly detector, 516 uJ in 10.4 ms:

    >>> round(implied_power_w(516e-6, 10.4e-3) * 1e3, 1)
    49.6
    """
    return energy_j / time_s


#: Top-1 accuracy of MLPerf Inference's FP32 ResNet-50 v1.5 reference on the ImageNet validation
#: set (the inference rules' reference value; the closed division must reach 99% of it).
MLPERF_RESNET50_FP32_TOP1 = 0.76456


@validate_params({"reference_accuracy": _FRAC, "share": Range(0, 1, closed="right")})
def mlperf_accuracy_target(reference_accuracy: float = MLPERF_RESNET50_FP32_TOP1, share: float = 0.99) -> float:
    """The accuracy a closed-division submission must reach: ``share`` of the FP32 reference.

    >>> round(100 * mlperf_accuracy_target(), 2)   # ResNet-50 in MLPerf Inference
    75.69
    """
    return share * reference_accuracy


@validate_params({"library_size": Range(1, None, integer=True), "n": Range(1, None, integer=True),
                  "warmup": Range(0, None, integer=True)})
def expected_table_share(library_size: int, n: int, *, warmup: int = 0, fresh: bool = False) -> float:
    """Share of ``n`` timed queries a system that remembers answers serves from its table, counted
    as hits (warm-up included) over ``n``, when each query draws one of ``library_size`` inputs at
    random (``fresh``: every input is new). Every distinct input misses once, at its first sight;
    ``warmup`` untimed calls repeat the first input. Expected distinct inputs among n draws:
    L (1 - (1 - 1/L)^n).

    >>> round(expected_table_share(64, 300, warmup=10), 3)
    0.822
    >>> round(expected_table_share(64, 300, warmup=10, fresh=True), 3)
    0.033
    """
    distinct = n if fresh else library_size * (1 - (1 - 1 / library_size) ** n)
    return (n + warmup - distinct) / n

"""The training chapter's napkin math: training FLOPs, petaFLOP-days, utilization, energy, cost,
and MLPerf Training's way of scoring several runs.

Source chapter, footnote 20 and the energy section (seed lines 457 and 501): GPT-3, 175B
parameters and 300B tokens, "an estimated 3,640 petaFLOP-days on 10,000 V100 GPUs" and
"1,287 MWh" (Patterson et al. 2021: 14.8 days, 330 W per GPU on average, PUE 1.10).

>>> round(petaflop_days(training_flops(175e9, 300e9)))
3646
>>> round(training_energy_j(gpus=10_000, hours=14.8 * 24, power_w=330, pue=1.10) / 3.6e9)  # MWh
1289
>>> round(model_flops_utilization(training_flops(175e9, 300e9), gpus=10_000, hours=14.8 * 24,
...                               peak_flops_per_s=125e12), 3)
0.197
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simlib._validate import InvalidParameterError, Range, validate_params

__all__ = ["GPT3", "gpu_hours_cost_usd", "mlperf_olympic_mean", "model_flops_utilization", "petaflop_days",
           "training_energy_j", "training_flops"]

_POS = Range(0, None, closed="neither")

#: GPT-3's published training figures (Brown et al. 2020; Patterson et al. 2021, table 4).
GPT3 = {"params": 175e9, "tokens": 300e9, "gpus": 10_000, "days": 14.8, "power_w": 330.0, "pue": 1.10,
        "peak_flops_per_s": 125e12, "reported_pf_days": 3640.0, "reported_mwh": 1287.0}


@validate_params({"params": _POS, "tokens": _POS, "flops_per_param_token": _POS})
def training_flops(params: float, tokens: float, flops_per_param_token: float = 6.0) -> float:
    """FLOPs to train a dense model: 6 per parameter per token (2 forward, 4 backward; Kaplan 2020)."""
    return flops_per_param_token * params * tokens


@validate_params({"flops": Range(0, None)})
def petaflop_days(flops: float) -> float:
    """``flops`` in petaFLOP/s-days (1e15 FLOP/s for 86,400 s)."""
    return flops / (1e15 * 86_400)


@validate_params({"flops": Range(0, None), "gpus": Range(1, None, integer=True), "hours": _POS,
                  "peak_flops_per_s": _POS})
def model_flops_utilization(flops: float, *, gpus: int, hours: float, peak_flops_per_s: float) -> float:
    """Model FLOPs utilization: useful FLOPs / (devices x time x peak), a fraction."""
    return flops / (gpus * hours * 3600 * peak_flops_per_s)


@validate_params({"gpus": Range(1, None, integer=True), "hours": Range(0, None), "power_w": Range(0, None, unit="W"),
                  "pue": Range(1, 3)})
def training_energy_j(*, gpus: int, hours: float, power_w: float, pue: float = 1.1) -> float:
    """Facility energy of a training run (J): devices x hours x average power x PUE."""
    return gpus * hours * 3600 * power_w * pue


@validate_params({"gpus": Range(1, None, integer=True), "hours": Range(0, None),
                  "usd_per_gpu_hour": Range(0, None, unit="USD/GPU-hour")})
def gpu_hours_cost_usd(*, gpus: int, hours: float, usd_per_gpu_hour: float) -> float:
    """Rental cost of a run (USD): GPU-hours x price per GPU-hour.

    >>> gpu_hours_cost_usd(gpus=8, hours=4, usd_per_gpu_hour=2.5)
    80.0
    """
    return gpus * hours * usd_per_gpu_hour


def mlperf_olympic_mean(times_s: Sequence[float]) -> float:
    """MLPerf Training's score of several runs: drop the fastest and the slowest, average the rest.

    Runs that missed the target count as infinitely slow, so one miss is dropped as the slowest
    and two make the score infinite.

    >>> mlperf_olympic_mean([10.0, 12.0, 11.0, 30.0, 9.0])
    11.0
    """
    t = np.sort(np.asarray(times_s, dtype=float))
    if t.size < 3:
        raise InvalidParameterError(f"The 'times_s' parameter of mlperf_olympic_mean needs at least 3 runs "
                                    f"(it drops two). Got {t.size}.")
    return float(np.mean(t[1:-1]))

"""The span of ML power (the source's Table 15 as data), the frequency/power trade-off, power
sampling error, energy per inference over a thermal run, MLPerf Power's measurement rules,
and the assumed CPU power model used where no meter exists. All MODELED.

>>> t = frequency_tradeoff(throughput_gain=0.05, power_gain=0.50)   # the source's example
>>> round(t["energy_per_inference_change_fraction"], 3), round(t["perf_per_watt_ratio"], 3)
(0.429, 0.7)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import Range, check, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["DEVICE_POWER", "MLPERF_POWER_RULES", "PowerSpan", "cpu_power_model_w", "dvfs_points",
           "energy_per_inference_series", "frequency_tradeoff", "power_span", "sampling_error"]

_SRC = "source chapter Table 15 (seed lines 717-726)"
#: Table 15: ML devices from microwatts to kilowatts, (category, device, low W, high W, source).
DEVICE_POWER: tuple[dict[str, Any], ...] = (
    {"category": "Tiny", "device": "Neural Decision Processor (NDP)", "low_w": 150e-6, "high_w": 150e-6, "source": _SRC},
    {"category": "Tiny", "device": "M7 microcontroller", "low_w": 25e-3, "high_w": 25e-3, "source": _SRC},
    {"category": "Mobile", "device": "Raspberry Pi 4", "low_w": 3.5, "high_w": 3.5, "source": _SRC},
    {"category": "Mobile", "device": "Smartphone", "low_w": 4.0, "high_w": 4.0, "source": _SRC},
    {"category": "Edge", "device": "Smart camera", "low_w": 10.0, "high_w": 15.0, "source": _SRC},
    {"category": "Edge", "device": "Edge server", "low_w": 65.0, "high_w": 95.0, "source": _SRC},
    {"category": "Cloud", "device": "ML server node", "low_w": 300.0, "high_w": 500.0, "source": _SRC},
    {"category": "Cloud", "device": "ML server rack", "low_w": 4e3, "high_w": 10e3, "source": _SRC},
)

#: MLPerf Power's measurement rules, as data (MLCommons inference_policies,
#: power_measurement.adoc; Tschand et al. 2024). Each: what is fixed, and the pitfall it closes.
MLPERF_POWER_RULES: tuple[dict[str, str], ...] = (
    {"rule": "boundary", "what": "wall AC power of the whole system under test, including the host "
     "processor that runs LoadGen", "closes": "quoting chip power as if it were system power"},
    {"rule": "meter", "what": "a power analyzer supported by SPEC PTDaemon, logged by the MLPerf power "
     "workflow (a director machine, NTP-synchronized with the SUT)", "closes": "unvalidated meters and clocks"},
    {"rule": "ranging", "what": "a ranging run first sets the analyzer's current and voltage ranges; the "
     "testing run then measures with them", "closes": "readings clipped or imprecise at the wrong range"},
    {"rule": "window", "what": "power is averaged only over LoadGen's performance phase (start and stop "
     "timestamps in its log)", "closes": "idle, warm-up or load time diluting or inflating the average"},
    {"rule": "same run", "what": "performance and power come from one run", "closes":
     "the best throughput of one run paired with the lowest power of another"},
    {"rule": "power management", "what": "shipping power management only; no benchmark-aware settings",
     "closes": "a DVFS setting tuned to the benchmark rather than to users"},
)


@dataclass(frozen=True, repr=False)
class PowerSpan(ResultDisplay):
    """Table 15 as data, and how many orders of magnitude it spans (MODELED: source figures)."""

    rows: tuple[dict[str, Any], ...]
    kind = "modeled"
    warnings = ()

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(devices=[r["device"] for r in self.rows])

    @property
    def min_w(self) -> float:
        return min(r["low_w"] for r in self.rows)

    @property
    def max_w(self) -> float:
        return max(r["high_w"] for r in self.rows)

    @property
    def summary(self) -> dict[str, Any]:
        """Lowest and highest power (W), their ratio and its log10 (orders of magnitude)."""
        return {"min_power_w": self.min_w, "max_power_w": self.max_w, "span_ratio": self.max_w / self.min_w,
                "span_log10_ratio": math.log10(self.max_w / self.min_w), "n": len(self.rows)}

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        return [("span", f"{s['min_power_w'] * 1e6:g} uW to {s['max_power_w'] / 1e3:g} kW = "
                         f"{s['span_log10_ratio']:.1f} orders of magnitude"),
                ("devices", ", ".join(r["device"] for r in self.rows))]


def power_span(rows: tuple[dict[str, Any], ...] = DEVICE_POWER) -> PowerSpan:
    """Table 15 (or your own rows with ``low_w``/``high_w``) and its span.

    >>> s = power_span().summary
    >>> round(s["span_ratio"] / 1e6, 1)   # 10 kW / 150 uW = 66.7 million
    66.7
    """
    for r in rows:
        check("low_w", r["low_w"], Range(0, None, closed="neither", unit="W"), owner="power_span")
        check("high_w", r["high_w"], Range(r["low_w"], None, unit="W"), owner="power_span")
    return PowerSpan(tuple(rows))


@validate_params({"throughput_gain": Range(-1, None, closed="neither"), "power_gain": Range(-1, None, closed="neither")})
def frequency_tradeoff(*, throughput_gain: float, power_gain: float) -> dict[str, float]:
    """What a clock change that buys ``throughput_gain`` (fraction) for ``power_gain`` (fraction)
    does to efficiency: performance per watt ratio and energy per inference change.

    Energy per inference = power / throughput, so it changes by (1 + p) / (1 + t) - 1.
    """
    ratio = (1 + throughput_gain) / (1 + power_gain)
    return {"perf_per_watt_ratio": ratio, "energy_per_inference_change_fraction": 1 / ratio - 1}


def sampling_error(rates_hz=(7.0, 50.0, 99.0, 100.0, 101.0, 1000.0, 10000.0), *, window_s: float = 0.0,
                   **trace: Any) -> list[dict[str, float]]:
    """Error of the mean power estimated from samples at each rate (instantaneous samples by
    default) of the square-wave forward-pass trace of :func:`simlib.thermal.demos.power_sampling`
    (keyword arguments ``pass_s``, ``compute_fraction``, ``compute_w``, ``memory_w``,
    ``duration_s``, ``phase_s`` are passed on). MODELED trace.

    >>> rows = sampling_error((100.0, 10000.0))
    >>> [round(r["error_pct"], 1) for r in rows]   # 100 Hz = the 10 ms pass rate: every sample in one phase
    [26.3, 0.4]
    """
    from simlib.thermal.demos import power_sampling

    return power_sampling(tuple(rates_hz), (window_s,), **trace)


def energy_per_inference_series(result: Any, window_s: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """(window start times s, energy per inference J) of a :class:`simlib.thermal.ThermalResult`:
    the energy drawn in each window over the inferences completed in it (NaN where none)."""
    check("window_s", window_s, Range(result.dt_s, result.duration_s, unit="s"), owner="energy_per_inference_series")
    k = max(1, int(round(window_s / result.dt_s)))
    n = result.t_s.size // k
    e = (result.power_w[: n * k] * result.dt_s).reshape(n, k).sum(axis=1)
    inf = (result.throughput_per_s[: n * k] * result.dt_s).reshape(n, k).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.arange(n) * k * result.dt_s, np.where(inf > 0, e / np.where(inf > 0, inf, 1), np.nan)


#: Assumed power of one busy server core (W): e.g. a 64-core 225 W EPYC is 3.5 W per core at
#: full load before its uncore share; 5 W per core counts a share of the uncore (assumed).
CPU_CORE_ACTIVE_W = 5.0


@validate_params({"busy_cores": Range(0, 1024), "per_core_w": Range(0, None, closed="neither", unit="W")})
def cpu_power_model_w(busy_cores: float = 1.0, *, per_core_w: float = CPU_CORE_ACTIVE_W) -> float:
    """ASSUMED package power share of ``busy_cores`` busy cores (W): the stand-in for a meter
    where none exists. Multiply by a measured duration for a modeled energy.

    >>> cpu_power_model_w(2)
    10.0
    """
    return busy_cores * per_core_w


def dvfs_points(device: Any = "smartphone-soc", temp_c: float = 25.0) -> list[dict[str, float]]:
    """Each DVFS operating point of a thermal preset busy 100% at junction ``temp_c``: clock (Hz),
    voltage (V), busy power (W), inferences/s of the preset model, energy per inference (J),
    and both relative to the fastest point. MODELED (``C V^2 f`` plus leakage).

    >>> pts = dvfs_points("smartphone-soc")
    >>> pts[0]["throughput_ratio"], round(pts[1]["energy_ratio"], 2)   # one step down: less energy per inference
    (1.0, 0.78)
    """
    from simlib.thermal.presets import get_device

    dev = get_device(device)
    pm = dev.power
    rows = []
    for i, o in enumerate(pm.opps):
        p = float(pm.active_power_w(i, temp_c))
        thr = float(o.freq_hz) * dev.ops_per_cycle / dev.ops_per_inference
        rows.append({"opp": i, "freq_hz": float(o.freq_hz), "voltage_v": float(o.voltage_v), "busy_power_w": p,
                     "throughput_qps": thr, "energy_per_inference_j": p / thr})
    for r in rows:
        r["throughput_ratio"] = r["throughput_qps"] / rows[0]["throughput_qps"]
        r["power_ratio"] = r["busy_power_w"] / rows[0]["busy_power_w"]
        r["energy_ratio"] = r["energy_per_inference_j"] / rows[0]["energy_per_inference_j"]
    return rows

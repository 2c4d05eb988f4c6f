"""Teaching demos (all MODELED): what-if sweeps, the datasheet efficiency gap, power-sampling
aliasing within a forward pass. (Battery life of a duty-cycled device is
:func:`simlib.energy.battery_life_h` of :func:`simlib.energy.average_power_w`.)

>>> g = efficiency_gap()
>>> round(g["datasheet_tops_per_w"], 1), round(g["sustained_tops_per_w"], 2), round(g["gap_x"], 1)
(20.0, 1.5, 13.3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib._validate import Options, Range, check
from simlib.thermal.presets import ThermalDevice, get_device
from simlib.thermal.simulate import ThermalResult, simulate_thermal
from simlib.thermal.workloads import Workload

__all__ = ["SWEEPABLE", "efficiency_gap", "explore", "power_sampling", "sweep"]

SWEEPABLE = ("ambient_c", "r_ja_scale", "duty_fraction", "workload")


def explore(device: str | ThermalDevice = "smartphone-soc", *, ambient_c: float | None = None,
            r_ja_scale: float = 1.0, duty_fraction: float = 1.0, workload: str = "sustained",
            governor: str | None = None, duration_s: float = 600.0, dt_s: float = 1e-2) -> ThermalResult:
    """One what-if run: ambient (C), cooling (R_ja times ``r_ja_scale``: <1 is better cooling),
    duty cycle and workload kind. A 10 ms step keeps it interactive (the RC update is exact)."""
    check("r_ja_scale", r_ja_scale, Range(0, None, closed="neither"), owner="explore")
    dev = get_device(device)
    th = dev.thermal
    changes: dict[str, Any] = {"r_ja_k_per_w": th.r_ja_k_per_w * r_ja_scale}
    if th.r_jc_k_per_w is not None:  # scale both resistances so the split is kept
        changes["r_jc_k_per_w"] = th.r_jc_k_per_w * r_ja_scale
    dev = dev.with_(**changes)
    wl = Workload(kind="duty", duty_fraction=duty_fraction) if workload == "duty" or (
        workload == "sustained" and duty_fraction < 1.0) else Workload.parse(workload)
    return simulate_thermal(dev, wl, duration_s, dt_s=dt_s, governor=governor, ambient_c=ambient_c)


def sweep(parameter: str, values, device: str | ThermalDevice = "smartphone-soc",
          **kw: Any) -> list[ThermalResult]:
    """:func:`explore` over ``values`` of one parameter (one of :data:`SWEEPABLE`)."""
    check("parameter", parameter, Options(SWEEPABLE), owner="sweep")
    return [explore(device, **{**kw, parameter: v}) for v in values]


def efficiency_gap(datasheet_tops: float = 10.0, datasheet_w: float = 0.5,
                   sustained_tops: float = 3.0, sustained_w: float = 2.0,
                   device: str | ThermalDevice | None = None, duration_s: float = 600.0) -> dict[str, Any]:
    """The source chapter's "10 TOPS at 0.5 W" datasheet vs "3 TOPS at 2 W" sustained gap.

    The quoted ratio (20 vs 1.5 TOPS/W = 13.3x) mixes two boundaries: a peak numerator with a
    near-idle denominator. With ``device`` given, the same comparison is also MODELED at one
    boundary: burst vs sustained TOPS/W of that device running continuously.
    """
    for n, v in (("datasheet_tops", datasheet_tops), ("datasheet_w", datasheet_w),
                 ("sustained_tops", sustained_tops), ("sustained_w", sustained_w)):
        check(n, v, Range(0, None, closed="neither"), owner="efficiency_gap")
    d, s = datasheet_tops / datasheet_w, sustained_tops / sustained_w
    out: dict[str, Any] = {"datasheet_tops_per_w": d, "sustained_tops_per_w": s, "gap_x": d / s,
                           "throughput_loss_x": datasheet_tops / sustained_tops,
                           "power_understatement_x": sustained_w / datasheet_w}
    if device is not None:
        r = simulate_thermal(device, "sustained", duration_s, dt_s=1e-2)
        sm = r.summary
        burst = r.t_s < r.burst_window_s
        tail = r.t_s >= r.duration_s - r.sustained_window_s
        pb, ps = float(r.power_w[burst].mean()), float(r.power_w[tail].mean())
        out["modeled"] = {"device": r.device.name, "burst_tops": sm["peak_ops_per_s"] / 1e12,
                          "burst_w": pb, "sustained_tops": sm["sustained_ops_per_s"] / 1e12,
                          "sustained_w": ps,
                          "burst_tops_per_w": sm["peak_ops_per_s"] / 1e12 / pb,
                          "sustained_tops_per_w": sm["sustained_ops_per_s"] / 1e12 / ps}
    return out


def power_sampling(rates_hz=(10.0, 90.0, 100.0, 1000.0, 10000.0),
                   windows_s=(0.0, 0.001, 0.010, 0.100), *, pass_s: float = 0.010,
                   compute_fraction: float = 0.6, compute_w: float = 250.0,
                   memory_w: float = 120.0, duration_s: float = 2.0,
                   phase_s: float = 0.0031) -> list[dict[str, float]]:
    """Estimate the mean power of a trace that alternates within each forward pass.

    Each pass of ``pass_s`` s spends ``compute_fraction`` in compute-heavy layers at
    ``compute_w`` W and the rest in memory-bound layers (attention) at ``memory_w`` W. A meter
    samples at ``rates_hz``; each sample is the average over the preceding window (0 =
    instantaneous). Returns one row per (rate, window): the estimate, its error vs the true
    mean, and the peak the samples suggest. Sampling at the pass rate aliases: every sample
    lands in the same phase. MODELED trace.
    """
    own = "power_sampling"
    check("compute_fraction", compute_fraction, Range(0, 1), owner=own)
    check("pass_s", pass_s, Range(0, None, closed="neither", unit="s"), owner=own)
    true_mean = compute_fraction * compute_w + (1 - compute_fraction) * memory_w
    on = compute_fraction * pass_s

    def energy(t):  # integral of the power trace from 0 to t (J), exact for the square wave
        k = np.floor(t / pass_s)
        r = t - k * pass_s
        return k * (on * compute_w + (pass_s - on) * memory_w) + np.minimum(r, on) * compute_w \
            + np.maximum(r - on, 0.0) * memory_w

    def inst(t):
        frac = np.mod(t / pass_s, 1.0)
        frac = np.where(frac > 1.0 - 1e-9, 0.0, frac)  # float noise at exact pass boundaries
        return np.where(frac * pass_s < on, compute_w, memory_w)

    rows = []
    for rate in rates_hz:
        check("rates_hz", rate, Range(0, None, closed="neither", unit="Hz"), owner=own)
        t = phase_s + np.arange(1, int(round(duration_s * rate)) + 1) / rate
        for w in windows_s:
            check("windows_s", w, Range(0, None, unit="s"), owner=own)
            x = inst(t) if w == 0 else (energy(t) - energy(np.maximum(t - w, 0.0))) / np.minimum(w, t)
            est = float(x.mean())
            rows.append({"rate_hz": float(rate), "window_s": float(w), "n_samples": int(t.size),
                         "estimate_w": est, "true_mean_w": true_mean,
                         "error_pct": 100.0 * (est - true_mean) / true_mean,
                         "peak_seen_w": float(x.max()), "true_peak_w": max(compute_w, memory_w)})
    return rows

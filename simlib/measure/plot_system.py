"""Figures of the system-benchmarks chapter: peak versus achieved, the working-set sweep, single
operators on the measured roofline, and per-layer prediction versus profiler measurement.

Every figure draws every measured point (axes autoscale to include them; log axes where the
values span decades), labels its axes with units, and says MEASURED or MODELED in its title.

>>> from simlib.measure.microbench import BandwidthSweep
>>> from simlib.measure.roofline import KernelMeasurement
>>> km = KernelMeasurement("stream-triad", "fp32", 1000, 2000.0, 12000.0, (1e-6,) * 7, 1, 1, "B/s")
>>> fig = sweep_figure(BandwidthSweep((km,), (("L1d", 49152),)))
>>> fig.axes[0].get_xlabel()
'working set (KiB, three arrays)'
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["layer_scatter", "operators_figure", "peak_figure", "sweep_figure"]

FONT = 13
_COLORS = {"fp32": "#1f77b4", "bf16": "#d62728", "fp16": "#2ca02c", "fp64": "#9467bd"}


def _fig(figsize=(8.5, 5.2)):
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=FONT + 1)
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=FONT - 3, loc="best", framealpha=0.85)


def peak_figure(emp, peak) -> Figure:
    """Measured GEMM rates (median, 95% interval) against matrix size per precision, beside the
    theoretical peak of each precision (dashed; modeled from detected and assumed factors)."""
    fig, ax = _fig()
    for dt in sorted({m.dtype for m in emp.gemm}):
        ms = sorted((m for m in emp.gemm if m.dtype == dt), key=lambda m: m.size)
        c = _COLORS.get(dt, "0.3")
        med = np.array([m.median_rate for m in ms]) / 1e9
        lo = med - np.array([m.rate_ci.low for m in ms]) / 1e9
        hi = np.array([m.rate_ci.high for m in ms]) / 1e9 - med
        ax.errorbar([m.size for m in ms], med, yerr=[lo, hi], fmt="o-", ms=8, color=c, capsize=4,
                    label=f"{dt} GEMM, measured")
        if dt in peak.peak_flops:
            ax.axhline(peak.peak_flops[dt] / 1e9, color=c, ls="--", lw=2,
                       label=f"{dt} theoretical peak {peak.peak_flops[dt] / 1e9:,.0f} GFLOP/s (modeled)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    _style(ax, "GEMM rate [MEASURED] vs theoretical peak [MODELED]", "matrix size n (n x n x n)",
           "GFLOP/s")
    return fig


def sweep_figure(sweep) -> Figure:
    """Triad bandwidth (median, 95% interval) against working-set size, with the cache sizes."""
    fig, ax = _fig()
    ws = np.array([m.bytes for m in sweep.points]) / 1024
    med = np.array([m.median_rate for m in sweep.points]) / 1e9
    lo = med - np.array([m.rate_ci.low for m in sweep.points]) / 1e9
    hi = np.array([m.rate_ci.high for m in sweep.points]) / 1e9 - med
    ax.errorbar(ws, med, yerr=[lo, hi], fmt="o-", ms=8, capsize=4, color="#1f77b4",
                label="triad, 1 thread, measured")
    for i, (name, size) in enumerate(sweep.caches):
        ax.axvline(size / 1024, color="0.5", ls=":", lw=1.5)
        ax.annotate(f"{name} {size / 1024:,.0f} KiB", (size / 1024, 0.97 - 0.07 * i), xycoords=("data", "axes fraction"),
                    fontsize=FONT - 3, ha="right", rotation=0, color="0.3")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _style(ax, "Bandwidth vs working set [MEASURED]", "working set (KiB, three arrays)", "GB/s")
    return fig


def operators_figure(study) -> Figure:
    """Single operators on this machine's measured fp32 roofline: achieved FLOP/s at their intensity."""
    from simlib.roofline.core import attainable

    fig, ax = _fig()
    peak, bw = study.peak_flops_per_s, study.bandwidth_bytes_per_s
    xs = [r.intensity for r in study.rows]
    x = np.logspace(np.log10(min(xs) / 5), np.log10(max(max(xs), peak / bw) * 5), 200)
    ax.plot(x, attainable(x, peak, bw) / 1e9, color="0.2", lw=2.5,
            label=f"measured roof: {peak / 1e9:.3g} GFLOP/s, {bw / 1e9:.3g} GB/s")
    for r, c in zip(study.rows, ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"], strict=False):
        lo, hi = r.flops / r.time_ci_s[1] / 1e9, r.flops / r.time_ci_s[0] / 1e9
        y = r.achieved_flops_per_s / 1e9
        ax.errorbar([r.intensity], [y], yerr=[[y - lo], [hi - y]], fmt="o", ms=10, color=c, mec="k",
                    capsize=4, label=f"{r.name}: {r.sol:.0%} of roof")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _style(ax, "Operators on this machine's roofline [MEASURED]", "arithmetic intensity (FLOP/byte)",
           "achieved GFLOP/s")
    return fig


def layer_scatter(*profiles) -> Figure:
    """Every layer: roofline prediction [modeled] against profiler time [measured], log-log, with
    the line of perfect prediction and a factor-of-two band."""
    fig, ax = _fig((8.5, 8.0))
    markers = ["o", "s", "^", "D"]
    allv = []
    for k, lp in enumerate(profiles):
        kinds = sorted({r.kind for r in lp.rows})
        cmap = {kd: f"C{i % 10}" for i, kd in enumerate(kinds)}
        for kd in kinds:
            rs = [r for r in lp.rows if r.kind == kd and r.predicted_s > 0 and r.measured_s > 0]
            if not rs:
                continue
            p = np.array([r.predicted_s for r in rs]) * 1e6
            m = np.array([r.measured_s for r in rs]) * 1e6
            allv += list(p) + list(m)
            ax.plot(p, m, markers[k % 4], ms=7, color=cmap[kd], mec="k", mew=0.5, alpha=0.85,
                    label=f"{lp.model}: {kd} ({len(rs)})")
    lo, hi = min(allv) / 2, max(allv) * 2
    line = np.array([lo, hi])
    ax.plot(line, line, "k-", lw=1.5, label="measured = predicted")
    ax.fill_between(line, line / 2, line * 2, color="0.85", alpha=0.6, label="within 2x")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    _style(ax, "Per layer: roofline [MODELED] vs torch.profiler [MEASURED]", "predicted time (us)",
           "measured time (us)")
    ax.legend(fontsize=FONT - 4, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, framealpha=0.85)
    return fig

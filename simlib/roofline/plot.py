"""Roofline plots: log-log, labeled, one line per ceiling, points for ops, models and kernels.

Fonts are large enough for a projector. Each function draws on ``ax`` (or a new figure) and
returns the Axes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from simlib.hardware.catalog import Device, get
from simlib.roofline.core import RooflineResult

__all__ = ["plot_empirical", "plot_roofline"]

FONT = 14
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def _axes(ax):
    if ax is None:
        from matplotlib.figure import Figure  # not pyplot: shown once, never leaked

        ax = Figure(figsize=(9, 6), layout="constrained").add_subplot()
    return ax


def _style(ax, title: str) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Arithmetic intensity (FLOP/byte)", fontsize=FONT)
    ax.set_ylabel("Attainable performance (FLOP/s)", fontsize=FONT)
    ax.set_title(title, fontsize=FONT + 2)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=FONT - 4, loc="best", framealpha=0.85)


def plot_roofline(device: str | Device, precisions: list[str] | None = None,
                  memories: list[str] | None = None,
                  points: Iterable[RooflineResult | tuple[str, float, float]] = (),
                  ax=None, x_range: tuple[float, float] | None = None):
    """Multi-ceiling roofline of a catalog device, with optional points.

    ``points`` are :class:`RooflineResult` (plotted at their attainable rate) or
    ``(label, intensity, flops_per_s)`` tuples. Compute roofs are horizontal lines, one per
    precision; bandwidth roofs are slopes, one per memory level (main memory solid, caches
    dashed). Modeled, from datasheet values: the title says so.
    """
    dev = get(device)
    ax = _axes(ax)
    precisions = list(dev.peak_flops) if precisions is None else precisions
    memories = [m.name for m in dev.memory] if memories is None else memories
    peaks = {p: dev.peak(p) for p in precisions}
    bws = {m: dev.level(m).bandwidth_bytes_per_s for m in memories}
    ridges = [pk / bw for pk in peaks.values() for bw in bws.values()]
    pts = [(p.workload or f"{p.precision} at {p.intensity_flop_per_byte:.3g} FLOP/byte ({p.bound} bound)",
            p.intensity_flop_per_byte, p.attainable_flops)
           if isinstance(p, RooflineResult) else p for p in points]
    lo = min(ridges + [x for _, x, _ in pts]) / 20 if x_range is None else x_range[0]
    hi = max(ridges + [x for _, x, _ in pts]) * 20 if x_range is None else x_range[1]
    x = np.logspace(np.log10(lo), np.log10(hi), 200)
    top = max(peaks.values())
    main = dev.dram.name
    for m, bw in bws.items():
        ax.plot(x, np.minimum(x * bw, top), ls="-" if m == main else "--", color="0.35",
                lw=2 if m == main else 1.2, label=f"{m}: {bw / 1e9:,.4g} GB/s")
    for i, (p, pk) in enumerate(peaks.items()):
        c = _COLORS[i % len(_COLORS)]
        ax.plot(x, np.minimum(pk, x * bws.get(main, max(bws.values()))), color=c, lw=2.5,
                label=f"{p}: {pk / 1e12:,.4g} TFLOP/s (ridge {pk / bws.get(main, max(bws.values())):,.3g})")
    for label, xi, yi in pts:
        ax.plot([xi], [yi], "o", ms=10, mec="k", label=label)
    _style(ax, f"Roofline: {dev.full_name} [modeled]")
    return ax


def plot_empirical(emp, ax=None):
    """Measured kernels against the measured roof of this machine, with speed-of-light labels."""
    from simlib.roofline.core import attainable

    ax = _axes(ax)
    bw = emp.bandwidth_bytes_per_s
    intens = [m.intensity for m in emp.gemm] or [1.0]
    x = np.logspace(np.log10(min(intens + [emp.stream.intensity]) / 10), np.log10(max(intens) * 10), 200)
    for i, (dt, pk) in enumerate(emp.peak_flops.items()):
        ax.plot(x, attainable(x, pk, bw), color=_COLORS[i % len(_COLORS)], lw=2.5,
                label=f"measured roof {dt}: {pk / 1e9:.3g} GFLOP/s, {bw / 1e9:.3g} GB/s")
    for m in emp.gemm:
        c = _COLORS[list(emp.peak_flops).index(m.dtype) % len(_COLORS)]
        ci = m.rate_ci
        ax.errorbar([m.intensity], [m.median_rate], yerr=[[m.median_rate - ci.low], [ci.high - m.median_rate]],
                    fmt="o", ms=8, color=c, mec="k")
        ax.annotate(f"{m.dtype} n={m.size}: {emp.speed_of_light(m):.0%} SOL", (m.intensity, m.median_rate),
                    textcoords="offset points", xytext=(6, -14), fontsize=FONT - 4)
    s = emp.stream
    ax.plot([s.intensity], [s.intensity * s.median_rate], "s", ms=9, color="0.3", mec="k",
            label=f"stream triad ({s.intensity:.3g} FLOP/byte)")
    _style(ax, f"Empirical roofline of this machine [measured, budget {emp.budget}]")
    return ax

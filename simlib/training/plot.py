"""Figures of the training chapter: every measured point drawn, MEASURED or MODELED in each title.

Functions take plain arrays and results, so the measure layer's results can be passed in without
this module importing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from simlib.queueing.plot import FONT, _style, plot_every_point

__all__ = ["allreduce_fit", "goodput_curve", "scaling_efficiency", "step_breakdown", "ttq_curves"]

_COLORS = {"data": "#888888", "compute": "#1f77b4", "wait": "#ff7f0e", "allreduce": "#d62728"}


def ttq_curves(runs: Mapping[str, object], target: float) -> Figure:
    """Held-out accuracy against wall time, every seed of every configuration (MEASURED).

    ``runs`` maps a label to a result with ``curves`` [(time_s, accuracy), ...] and ``samples_s``.
    """
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    for (label, r), color in zip(runs.items(), ("#1f77b4", "#d62728", "#2ca02c", "#9467bd"), strict=False):
        for i, (t, acc) in enumerate(r.curves):
            ax.plot(t, acc * 100, "-o", ms=3, lw=1, color=color, alpha=0.7, label=label if i == 0 else None)
        done = np.isfinite(r.samples_s)
        ax.plot(r.samples_s[done], np.full(done.sum(), target * 100), "v", ms=11, color=color,
                markeredgecolor="black")
    ax.axhline(target * 100, ls="--", color="black", lw=1)
    ax.text(ax.get_xlim()[1], target * 100, f" target {target:.0%}", va="bottom", ha="right", fontsize=FONT - 2)
    ax.set_ylim(max(0, ax.get_ylim()[0]), 100)
    ax.set_xlabel("wall time since the start of training (s)")
    ax.set_ylabel("held-out accuracy (%)")
    ax.legend(fontsize=FONT - 2, loc="lower right")
    _style(ax, "MEASURED: time to quality, every seed (triangles: first evaluation at the target)")
    return fig


def step_breakdown(bars: Mapping[str, Mapping[str, float]]) -> Figure:
    """Stacked bars of the mean step time by part (ms); a label says MEASURED or MODELED."""
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    labels = list(bars)
    bottom = np.zeros(len(labels))
    for part, color in _COLORS.items():
        v = np.array([bars[lab].get(part, 0.0) * 1e3 for lab in labels])
        ax.bar(labels, v, bottom=bottom, color=color, label=part, edgecolor="black", lw=0.5)
        bottom += v
    ax.set_ylabel("mean time per step (ms)")
    ax.legend(fontsize=FONT - 2, ncols=4, loc="upper left")
    ax.set_ylim(0, bottom.max() * 1.25)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    _style(ax, "Step time by part: MEASURED (this machine) and MODELED bars")
    return fig


def allreduce_fit(sizes_bytes: Sequence[float], samples_s: Sequence[Sequence[float]], network) -> Figure:
    """Every measured 2-process all-reduce time against message size, and the fitted model line."""
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xscale("log")
    xs = np.geomspace(min(sizes_bytes) * 0.8, max(sizes_bytes) * 1.25, 50)
    ax.plot(xs, (2 * network.alpha_s + xs / network.bandwidth_bytes_per_s) * 1e3, "-", color="black",
            label=f"MODELED: 2 x {network.alpha_s * 1e6:.0f} us + size / {network.bandwidth_bytes_per_s / 1e9:.2g} GB/s")
    x = np.concatenate([np.full(len(t), s) for s, t in zip(sizes_bytes, samples_s, strict=True)])
    y = np.concatenate([np.asarray(t) * 1e3 for t in samples_s])
    plot_every_point(ax, x, y, "o", color="#d62728", alpha=0.6, label="MEASURED: one all-reduce")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("all-reduce time, 2 processes (ms)")
    ax.legend(fontsize=FONT - 2, loc="upper left")
    _style(ax, "All-reduce: MEASURED (gloo, this machine) and MODELED (alpha-beta fit)")
    return fig


def scaling_efficiency(curves: Mapping[str, object], measured: Mapping[str, tuple[int, float]] | None = None, *,
                       title: str = "Data-parallel scaling efficiency: MODELED, calibrated here") -> Figure:
    """Scaling efficiency against worker count per network (MODELED lines), measured points marked."""
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xscale("log", base=2)
    for label, c in curves.items():
        ax.plot(c.workers, c.efficiency() * 100, "-o", ms=4, label=f"MODELED: {label}")
    for label, (n, eff) in (measured or {}).items():
        plot_every_point(ax, [n], [eff * 100], "D", ms=10, color="black", label=f"MEASURED: {label}")
    ax.axhline(100, color="gray", lw=1, ls=":")
    ax.set_xlabel("workers")
    ax.set_ylabel("scaling efficiency (%)")
    ax.set_ylim(-2, 125)
    ax.legend(fontsize=FONT - 4, loc="upper right", ncols=2)
    _style(ax, title)
    return fig


def goodput_curve(sweep, young_s: float) -> Figure:
    """Goodput against checkpoint interval: every simulated run, the closed form, Young's interval."""
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xscale("log")
    minutes = sweep.intervals_s / 60
    ax.plot(minutes, sweep.closed_form * 100, "-", color="black", label="MODELED: closed form")
    for i, m in enumerate(minutes):
        ax.plot(np.full(sweep.simulated.shape[1], m), sweep.simulated[i] * 100, ".", color="#1f77b4", alpha=0.5,
                label="MODELED: one simulated run" if i == 0 else None)
    ax.axvline(young_s / 60, color="#d62728", ls="--", label=f"Young: every {young_s / 60:.0f} min")
    ax.set_xlabel("checkpoint interval (minutes, log scale)")
    ax.set_ylabel("goodput (% of wall time doing new work)")
    ax.legend(fontsize=FONT - 2, loc="lower center")
    _style(ax, "Checkpoints and failures: MODELED goodput")
    return fig

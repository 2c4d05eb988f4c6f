"""Figures of the power chapter (matplotlib, fonts for a projector). Each title says MEASURED
or MODELED (or, for the device table, the source's figures).

>>> from simlib.powerbench import power_span
>>> fig = span_figure(power_span())
>>> fig.axes[0].get_xscale()
'log'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["boundary_figure", "dvfs_figure", "span_figure", "sustained_figure", "windows_figure"]

_FS = 13
_CAT = {"Tiny": "C2", "Mobile": "C0", "Edge": "C1", "Cloud": "C3"}


def span_figure(span: Any) -> Figure:
    """Table 15 on a log power axis: one bar per device from its low to its high figure."""
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    rows = list(span.rows)
    for i, r in enumerate(rows):
        lo, hi = r["low_w"], r["high_w"]
        c = _CAT.get(r["category"], "C7")
        ax.plot([lo, hi], [i, i], "-", color=c, lw=8, solid_capstyle="butt")
        ax.plot([lo, hi], [i, i], "o", color=c, ms=8)
        label = f"{lo:.3g} W" if lo == hi else f"{lo:.3g}-{hi:.3g} W"
        ax.annotate(label, (hi, i), xytext=(8, -4), textcoords="offset points", fontsize=_FS - 2)
    ax.set_yticks(range(len(rows)), [f"{r['device']} ({r['category']})" for r in rows], fontsize=_FS - 2)
    ax.set_xscale("log")
    ax.set_xlim(span.min_w / 5, span.max_w * 50)
    ax.set_xlabel("power (W, log scale)", fontsize=_FS)
    s = span.summary
    ax.set_title(f"ML device power, source figures (not measured here): {s['span_log10_ratio']:.1f} orders "
                 "of magnitude", fontsize=_FS)
    ax.grid(alpha=0.3, axis="x")
    return fig


def boundary_figure(comparisons: Sequence[Any], labels: Sequence[str]) -> Figure:
    """Energy per inference of two systems at chip, node and facility (MODELED), one panel per
    comparison (e.g. full load and partial load)."""
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(comparisons), sharey=True))
    for ax, c, lab in zip(axes, comparisons, labels, strict=True):
        x = np.arange(len(c.rows))
        a = [r["a_j"] * 1e3 for r in c.rows]
        b = [r["b_j"] * 1e3 for r in c.rows]
        ax.bar(x - 0.2, a, 0.4, label=c.a.name, color="C0")
        ax.bar(x + 0.2, b, 0.4, label=c.b.name, color="C1")
        for xi, (va, vb) in enumerate(zip(a, b, strict=True)):
            ax.annotate(f"{va:.0f}", (xi - 0.2, va), ha="center", va="bottom", fontsize=_FS - 3)
            ax.annotate(f"{vb:.0f}", (xi + 0.2, vb), ha="center", va="bottom", fontsize=_FS - 3)
        ax.set_xticks(x, [r["boundary"] for r in c.rows], fontsize=_FS)
        ax.set_title(lab, fontsize=_FS)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("energy per inference (mJ)", fontsize=_FS)
    axes[0].legend(fontsize=_FS - 3, loc="upper left")
    fig.suptitle("MODELED: one workload, three measurement boundaries", fontsize=_FS + 1)
    return fig


def dvfs_figure(result: Any) -> Figure:
    """p99 and energy per inference against the clock for one precision and batch size
    (MODELED), with the latency bound and the two optima marked."""
    rows = sorted(result.rows, key=lambda r: r["freq_hz"])
    f = np.array([r["freq_hz"] for r in rows]) / 1e9
    p99 = np.array([r["p_tail_s"] for r in rows]) * 1e3
    e = np.array([r["energy_per_inference_j"] for r in rows]) * 1e3
    bound = result.problem.latency_bound_s * 1e3
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    a1.plot(f, p99, "o-", color="C3")
    a1.axhline(bound, color="k", ls="--", label=f"bound {bound:.3g} ms")
    a1.set_yscale("log")
    a1.set_ylabel(f"p{result.problem.percentile:g} latency (ms, log)", fontsize=_FS)
    a2.plot(f, e, "o-", color="C0")
    a2.set_ylabel("energy per inference (mJ)", fontsize=_FS)
    for r, mk, lab in ((result.best, "*", "energy-optimal"), (result.fastest, "s", "latency-optimal")):
        if r is not None:
            a1.plot(r["freq_hz"] / 1e9, r["p_tail_s"] * 1e3, mk, ms=16, mfc="none", mec="k", label=lab)
            a2.plot(r["freq_hz"] / 1e9, r["energy_per_inference_j"] * 1e3, mk, ms=16, mfc="none", mec="k", label=lab)
    bad = [r for r in rows if not r["feasible"]]
    if bad:
        a2.plot([r["freq_hz"] / 1e9 for r in bad], [r["energy_per_inference_j"] * 1e3 for r in bad], "x",
                color="C3", ms=12, label="infeasible (bound or throttling)")
    for ax in (a1, a2):
        ax.set_xlabel("clock (GHz)", fontsize=_FS)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=_FS - 3)
    fig.suptitle(f"MODELED DVFS operating points ({result.problem.dev.name}, {result.problem.qps:.4g} requests/s)",
                 fontsize=_FS + 1)
    return fig


def sustained_figure(result: Any, t_s: np.ndarray, energy_j: np.ndarray) -> Figure:
    """Throughput and energy per inference over a MODELED sustained run."""
    fig = Figure(figsize=(11, 6), layout="constrained")
    a1, a2 = fig.subplots(2, 1, sharex=True)
    ts, thr = result.throughput_series(max(1.0, result.dt_s))
    a1.plot(ts, thr, color="C0")
    a1.set_ylabel("inferences/s", fontsize=_FS)
    a2.step(t_s, energy_j * 1e3, where="post", color="C1")
    a2.set_ylabel("energy per inference (mJ)", fontsize=_FS)
    a2.set_xlabel("time (s)", fontsize=_FS)
    ttt = result.summary["time_to_throttle_s"]
    for ax in (a1, a2):
        if ttt is not None:
            ax.axvline(ttt, color="k", ls=":", label=f"throttles at {ttt:.0f} s")
            ax.legend(fontsize=_FS - 3)
        ax.grid(alpha=0.3)
    fig.suptitle(f"MODELED sustained run: {result.device.name}, {result.duration_s:g} s", fontsize=_FS + 1)
    return fig


def windows_figure(windows: Sequence[Any], label: str) -> Figure:
    """Energy per inference of each window (every window drawn): measured by a meter, or the
    model applied to each measured duration; the title says which."""
    from simlib.queueing.plot import plot_every_point

    fig = Figure(figsize=(10, 4.5), layout="constrained")
    ax = fig.subplots()
    y = [np.nan if w.summary["energy_per_inference_j"] is None else w.summary["energy_per_inference_j"] * 1e3
         for w in windows]  # a window with neither a meter nor a model has no energy to draw
    plot_every_point(ax, np.arange(1, len(y) + 1), y, "o", color="C0", ms=7)
    ax.set_xlabel("window", fontsize=_FS)
    ax.set_ylabel("energy per inference (mJ)", fontsize=_FS)
    measured = all(w.energy_j is not None for w in windows)
    what = (f"MEASURED by {windows[0].meter} at the {windows[0].boundary} boundary" if measured else
            "MODELED energy (no meter here): the assumed power times each MEASURED window")
    ax.set_title(f"{label}: {what}", fontsize=_FS - 1)
    ax.grid(alpha=0.3)
    return fig


"""Figures of the evaluation chapter's data sections: detection power against shift size (one
curve per test and sample size) and the label-noise detector's precision and recall against the
planted noise rate. Every point is drawn with its Wilson 95% interval; titles say MEASURED or
MODELED (a detection-power curve is a simulation on real data: MODELED)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["plot_compression", "plot_detection_power", "plot_label_noise"]


def plot_detection_power(results: Sequence[Any], xlabel: str = "shift size (fraction of images moved 1 px)"):
    """One line per :class:`~simlib.evaluation.datashift.DetectionPower`, labeled by test and n."""
    from matplotlib.figure import Figure  # not pyplot: a returned figure is shown once

    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for r in results:
        pw = r.power()
        est = [p[0] * 100 for p in pw]
        err = [[(p[0] - p[1]) * 100 for p in pw], [(p[2] - p[0]) * 100 for p in pw]]
        ax.errorbar(r.sizes, est, yerr=err, marker="o", capsize=3, label=f"{r.test.upper()}, n={r.n_per_split}")
    ax.axhline(5, color="k", lw=0.8, ls=":", label="alpha = 5%")
    ax.set_ylim(-3, 103)
    ax.set_xlabel(xlabel, fontsize=12)
    ax.set_ylabel("detected (% of trials), 95% interval", fontsize=12)
    ax.set_title("MODELED on real digits: shift detection power", fontsize=13)
    ax.legend(fontsize=10, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def plot_label_noise(result: Any):
    """Precision and recall of the label-issue detector per planted noise rate
    (:class:`~simlib.evaluation.labels.LabelNoiseDetection`); rates with nothing planted (or
    nothing flagged) have no recall (precision) and are left out of that line."""
    from matplotlib.figure import Figure  # not pyplot: a returned figure is shown once

    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for name, fn, marker, denom in (("precision", result.precision, "o", result.flagged),
                                    ("recall", result.recall, "s", result.planted)):
        xs, est, lo, hi = [], [], [], []
        for i, r in enumerate(result.rates):
            if denom[i] == 0:
                continue
            iv = fn(i)
            xs.append(r * 100)
            est.append(iv.estimate * 100)
            lo.append((iv.estimate - iv.low) * 100)
            hi.append((iv.high - iv.estimate) * 100)
        ax.errorbar(xs, est, yerr=[lo, hi], marker=marker, capsize=3, label=name)
    ax.set_ylim(-3, 103)
    ax.set_xlabel("planted label noise (% of labels)", fontsize=12)
    ax.set_ylabel("detector score (%), 95% interval", fontsize=12)
    ax.set_title("MEASURED: finding planted label errors (digits)", fontsize=13)
    ax.legend(fontsize=10, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


_MARKERS = "osD^vPX*<>"


def plot_compression(study: Any):
    """Two panels for a :class:`~simlib.measure.compression.CompressionStudy`: top-1 accuracy (95%
    interval) against serialized size and against MEASURED median latency; Pareto-front variants
    (decided on all three axes) filled, dominated ones hollow; every variant drawn, each with its own
    colour and marker, named in the legend (close points stay readable)."""
    from matplotlib.figure import Figure

    front = study.frontier()
    fig = Figure(figsize=(7, 9), layout="constrained")  # stacked: readable at the page column's width
    axes = fig.subplots(2, 1)
    a = study.audit
    xs = {"size": [s / 1e3 for s in a.size_bytes], "latency": [iv.estimate * 1e6 for iv in study.latency]}
    for ax, key, label in ((axes[0], "size", "serialized size (kB)"),
                           (axes[1], "latency", "median latency, batch 1 (µs), MEASURED")):
        for i, name in enumerate(study.names):
            on = name in front.front
            acc = a.top1[i]
            ax.errorbar(xs[key][i], acc.estimate * 100,
                        yerr=[[(acc.estimate - acc.low) * 100], [(acc.high - acc.estimate) * 100]],
                        fmt=_MARKERS[i % len(_MARKERS)], ms=8, mfc=f"C{i}" if on else "white", mec=f"C{i}",
                        ecolor=f"C{i}", capsize=3, label=f"{name}{'' if on else ' (dominated)'}")
        ax.set_xlabel(label, fontsize=12)
        ax.margins(0.1)
        ax.grid(alpha=0.3)
    for ax in axes:
        ax.set_ylabel("top-1 accuracy (%), 95% CI", fontsize=12)
    axes[1].legend(fontsize=10, loc="lower right")
    fig.suptitle("MEASURED: compressed digits networks\n(filled: Pareto front on accuracy, size and latency)",
                 fontsize=13)
    return fig

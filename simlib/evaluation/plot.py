"""Figures: the reliability diagram and the efficiency-quality frontier (matplotlib ``Figure``s,
labeled axes, MEASURED or MODELED in the title)."""

from __future__ import annotations

from typing import Any

from simlib._validate import Options, validate_params

__all__ = ["plot_frontier", "plot_reliability"]

_KIND = Options(("measured", "modeled"))


@validate_params({"kind": _KIND})
def plot_reliability(bins: dict[str, Any], kind: str = "measured", label: str = "model",
                     after: dict[str, Any] | None = None):
    """Reliability diagram from :func:`~simlib.evaluation.calibration.reliability_bins`: accuracy
    per confidence bin against the diagonal of perfect calibration, ECE and binning in the legend
    and title; ``after`` (the same after temperature scaling) is drawn beside it."""
    from matplotlib.figure import Figure  # not pyplot: a returned figure is shown once

    fig = Figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for b, name, marker in ((bins, label, "o"), (after, f"{label}, temperature-scaled", "s")):
        if b is None:
            continue
        ax.plot(b["confidence"], b["accuracy"], marker=marker, lw=1.5, label=f"{name} (ECE {b['ece']:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean confidence in bin (fraction)", fontsize=12)
    ax.set_ylabel("accuracy in bin (fraction)", fontsize=12)
    ax.set_title(f"{kind.upper()}: reliability diagram ({bins['n_bins']} {bins['binning']} bins)", fontsize=13)
    ax.legend(loc="lower right", fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def plot_frontier(result: Any):
    """Accuracy (with its interval) against size for a :class:`~simlib.evaluation.frontier.FrontierResult`;
    front points filled, dominated points hollow, every point drawn and named."""
    from matplotlib.figure import Figure  # not pyplot: a returned figure is shown once

    fig = Figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    for v in result.variants:
        on = v.name in result.front
        mb = v.size_bytes / 1e6
        ax.errorbar(mb, v.accuracy.estimate * 100, yerr=[[(v.accuracy.estimate - v.accuracy.low) * 100],
                                                        [(v.accuracy.high - v.accuracy.estimate) * 100]],
                    fmt="o", mfc="C0" if on else "white", mec="C0", ecolor="C0", capsize=3)
        ax.annotate(v.name, (mb, v.accuracy.estimate * 100), textcoords="offset points", xytext=(5, 5), fontsize=10)
    ax.set_xlabel("model size (MB)", fontsize=12)
    ax.set_ylabel("accuracy (%), 95% interval", fontsize=12)
    ax.set_title(f"{result.kind.upper()}: accuracy vs size (filled: Pareto front)", fontsize=13)
    ax.margins(0.15)
    ax.grid(alpha=0.3)
    return fig

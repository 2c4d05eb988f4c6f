"""Figures of the chapter on designing and reading a benchmark (matplotlib ``Figure``s, units on
the axes, MEASURED or MODELED in the title, every measured point drawn).

>>> fig = imagenet_figure()
>>> fig.axes[0].get_ylabel()
'top-5 error (%)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from simlib.queueing.plot import plot_every_point

__all__ = ["edge_cloud_figure", "imagenet_figure", "points_figure"]

FONT = 13
_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def points_figure(groups: Mapping[str, Sequence[float]], *, title: str, ylabel: str = "latency (ms)",
                  scale: float = 1e3) -> Figure:
    """One column of points per group (every value drawn, jittered sideways), with the group's
    median as a bar. ``groups``: label -> values in seconds (shown times ``scale``)."""
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    for i, vals in enumerate(groups.values()):
        v = np.asarray(vals, dtype=float) * scale
        color = _COLORS[i % len(_COLORS)]
        ax.hlines(np.median(v), i - 0.3, i + 0.3, color=color, lw=3)
        plot_every_point(ax, i + rng.uniform(-0.15, 0.15, v.size), v, "o", color=color, alpha=0.7, ms=5)
    ax.set_xticks(range(len(groups)), list(groups), fontsize=FONT - 2)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.set_title(title, fontsize=FONT)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(axis="y", alpha=0.3)
    return fig


def imagenet_figure() -> Figure:
    """ILSVRC winning top-5 error by year against the human estimate (PUBLISHED data)."""
    from simlib.design.evolution import HUMAN_TOP5_ERROR_PERCENT, ILSVRC_TOP5_ERROR

    years = [y for y, _, _ in ILSVRC_TOP5_ERROR]
    err = [e for _, _, e in ILSVRC_TOP5_ERROR]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(years, err, "o-", color="tab:blue", ms=7, label="challenge winner")
    for y, name, e in ILSVRC_TOP5_ERROR:
        ax.annotate(name.split(" (")[-1].rstrip(")"), (y, e), textcoords="offset points", xytext=(4, 6),
                    fontsize=FONT - 4)
    ax.axhline(HUMAN_TOP5_ERROR_PERCENT, color="tab:red", ls="--", label="human estimate (5.1%)")
    ax.set_xlabel("year", fontsize=FONT)
    ax.set_ylabel("top-5 error (%)", fontsize=FONT)
    ax.set_ylim(0, max(err) * 1.15)
    ax.set_xlim(min(years) - 0.5, max(years) + 0.9)  # room for the last label
    ax.set_title("PUBLISHED: ImageNet challenge, winning top-5 error", fontsize=FONT)
    ax.legend(fontsize=FONT - 3)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(alpha=0.3)
    return fig


def edge_cloud_figure(*, device_s: float, cloud_s: float, payload_bytes: float, uplink_bytes_per_s: float,
                      max_rtt_s: float = 0.2) -> Figure:
    """Cloud latency (round trip + upload + compute) against the round-trip time, with the
    on-device latency as a flat line (MODELED; the device time may be a measurement)."""
    from simlib.designmath import edge_or_cloud

    rtt = np.linspace(0.0, max_rtt_s, 101)
    cloud = [edge_or_cloud(device_s=device_s, cloud_s=cloud_s, rtt_s=r, payload_bytes=payload_bytes,
                           uplink_bytes_per_s=uplink_bytes_per_s)["cloud_total_s"] for r in rtt]
    be = edge_or_cloud(device_s=device_s, cloud_s=cloud_s, rtt_s=0.0, payload_bytes=payload_bytes,
                       uplink_bytes_per_s=uplink_bytes_per_s)["break_even_rtt_s"]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(rtt * 1e3, np.asarray(cloud) * 1e3, color="tab:blue", lw=2.5, label="cloud: RTT + upload + compute")
    ax.axhline(device_s * 1e3, color="tab:green", lw=2.5, label="on device")
    if be > 0:
        ax.axvline(be * 1e3, color="gray", ls=":", label=f"break-even RTT {be * 1e3:.3g} ms")
    ax.set_xlabel("network round-trip time (ms)", fontsize=FONT)
    ax.set_ylabel("latency per inference (ms)", fontsize=FONT)
    ax.set_ylim(bottom=0)
    ax.set_title("MODELED: on-device versus cloud inference", fontsize=FONT)
    ax.legend(fontsize=FONT - 3)
    ax.tick_params(labelsize=FONT - 2)
    ax.grid(alpha=0.3)
    return fig

"""Figures of the production chapter: trace replay, autoscaling, a nightly history, a week of monitors.

Titles say MEASURED or MODELED; measured points go through
:func:`simlib.queueing.plot.plot_every_point`, so none falls outside the axes.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from simlib.monitor.traces import rate_series
from simlib.monitor.week import DAY_S
from simlib.queueing.plot import FONT, _style, plot_every_point

__all__ = ["autoscale_figure", "nightly_figure", "replay_figure", "week_figure"]

_COLORS = {"regression": "tab:orange", "thermal": "tab:red", "gc-storm": "tab:purple", "drift": "tab:green"}


def replay_figure(measured, modeled, *, steady_p99_s: float | None = None, bin_s: float = 0.1, flash=None):
    """Top: offered rate of the replayed trace. Bottom: each request's latency against its arrival,
    MEASURED (every point) and MODELED (the simulator on the same arrivals). ``measured`` and
    ``modeled`` are (arrival s, latency s) pairs."""
    t = np.asarray(modeled[0], dtype=float)
    fig = Figure(figsize=(9, 6.5))
    (a1, a2) = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    edges, rate = rate_series(t, bin_s)
    a1.step(edges, rate, where="post", color="black")
    a1.set_ylabel("offered\n(queries/s)")
    _style(a1, "MEASURED and MODELED: a trace replay, offered load and latency per request")
    a2.plot(t, np.asarray(modeled[1]) * 1e3, ".", ms=3, color="tab:blue", alpha=0.5,
            label="MODELED: simulator, same arrivals")
    plot_every_point(a2, np.asarray(measured[0]), np.asarray(measured[1]) * 1e3, ".", ms=3, color="tab:red", alpha=0.6,
                     clip_factor=np.inf, label="MEASURED: real model, load generator")
    if steady_p99_s is not None:
        a2.axhline(steady_p99_s * 1e3, color="gray", ls="--", label="MEASURED p99 at a steady rate")
    if flash is not None:
        for ax in (a1, a2):
            ax.axvspan(*flash, color="gold", alpha=0.25, lw=0)
    a2.set_xlabel("arrival time in the replay (s)")
    a2.set_ylabel("latency (ms)")
    a2.legend(fontsize=FONT - 3, loc="upper left")
    _style(a2)
    fig.tight_layout()
    return fig


def autoscale_figure(results: dict[str, object], *, flash=None):
    """Latency per request (top) and workers ready (bottom) for autoscaled replays keyed by a
    label (e.g. the start-up delay). MODELED."""
    fig = Figure(figsize=(9, 6.5))
    (a1, a2) = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    colors = colormaps["viridis"](np.linspace(0, 0.85, len(results)))
    # the longest delay first, so that the shorter ones stay visible on top of it
    for (label, r), c in reversed(list(zip(results.items(), colors, strict=True))):
        a1.plot(r.arrival_s, r.samples_s * 1e3, ".", ms=2.5, color=c, label=label)
        a2.step(r.pool_t_s, r.pool_ready_count, where="post", color=c, label=label)
    if flash is not None:
        for ax in (a1, a2):
            ax.axvspan(*flash, color="gold", alpha=0.25, lw=0)
    a1.set_yscale("log")
    a1.set_ylabel("latency (ms, log)")
    a1.legend(fontsize=FONT - 3, loc="upper left", markerscale=4)
    _style(a1, "MODELED: autoscaling with a start-up delay")
    a2.set_ylabel("workers\nready")
    a2.set_xlabel("arrival time in the replay (s)")
    _style(a2)
    fig.tight_layout()
    return fig


def nightly_figure(values_s, planted_at: int | None, alarms, *, label: str = "median latency"):
    """A nightly benchmark history (MEASURED values, a regression planted from ``planted_at``) and
    the nights on which CUSUM alarmed."""
    v = np.asarray(values_s, dtype=float) * 1e3
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    nights = np.arange(1, v.size + 1)
    ax.plot(nights, v, "-", color="gray", lw=1)
    plot_every_point(ax, nights, v, "o", color="tab:blue", label=f"MEASURED nightly {label}")
    if planted_at is not None:
        ax.axvspan(planted_at + 0.5, v.size + 0.5, color="tab:orange", alpha=0.15, lw=0, label="regression planted")
    for i, a in enumerate(alarms):
        ax.axvline(a + 1, color="tab:red", ls="--", label="CUSUM alarm" if i == 0 else None)
    ax.set_xlabel("night")
    ax.set_ylabel(f"{label} (ms)")
    ax.legend(fontsize=FONT - 3, loc="upper left")
    _style(ax, "A nightly benchmark history: MEASURED noise, planted regression")
    fig.tight_layout()
    return fig


def week_figure(week, alarms: dict[str, np.ndarray], *, bound_s: float = 0.05):
    """Four panels over the simulated week (MODELED): hourly p99 latency, share of requests over the
    SLO bound, mean confidence, and hourly accuracy; incidents shaded, alarms marked."""
    fig = Figure(figsize=(10, 10))
    axes = fig.subplots(4, 1, sharex=True)
    t, p99 = week.hourly(week.latency_s, lambda x: np.quantile(x, 0.99))
    _, bad = week.hourly(week.latency_s > bound_s, np.mean)
    _, conf = week.hourly(week.confidence, np.mean)
    _, acc = week.hourly(week.correct, np.mean)
    days = t / DAY_S
    series = [(p99 * 1e3, "hourly p99\n(ms)"), (bad * 100, f"% over\n{bound_s * 1e3:.0f} ms"),
              (conf, "mean\nconfidence"), (acc * 100, "accuracy\n(%, true)")]
    for ax, (y, lab) in zip(axes, series, strict=True):
        ax.plot(days, y, color="black", lw=1.2)
        ax.set_ylabel(lab, fontsize=FONT - 2)
        for inc in week.incidents:
            ax.axvspan(inc.start_s / DAY_S, inc.end_s / DAY_S, color=_COLORS[inc.kind], alpha=0.18, lw=0)
        _style(ax)
    for inc in week.incidents:  # names at the foot of the confidence panel, clear of the alarm marks
        axes[2].annotate(inc.kind, (inc.start_s / DAY_S, 0.04), xycoords=("data", "axes fraction"), va="bottom",
                         fontsize=FONT - 3, color=_COLORS[inc.kind])
    marks = {"burn-rate": (1, "v"), "rolling p99": (0, "^"), "CUSUM": (0, "s"), "confidence PSI": (2, "D"),
             "delayed accuracy": (3, "o")}
    for name, times in alarms.items():
        row, m = marks.get(name, (0, "x"))
        ax = axes[row]
        lo, hi = ax.get_ylim()
        ax.plot(np.asarray(times) / DAY_S, np.full(len(times), hi - 0.06 * (hi - lo)), m, color="tab:red", ms=7,
                label=f"{name} alarm", clip_on=False)
        ax.legend(fontsize=FONT - 4, loc="center left")
    axes[-1].set_xlabel("day of the week")
    axes[0].set_title("MODELED: a week in production, incidents shaded, alarms marked", fontsize=FONT)
    fig.tight_layout()
    return fig

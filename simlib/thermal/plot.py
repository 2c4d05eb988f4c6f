"""Plots of MODELED thermal runs (matplotlib; large fonts for a projector).

>>> from simlib.thermal import simulate_thermal
>>> fig = plot_run(simulate_thermal("edgetpu", "sustained", 30.0, dt_s=0.01))
>>> [ax.get_ylabel() for ax in fig.axes]
['junction temp (C)', 'clock (MHz)', 'power (W)', 'throughput (inf/s)']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_run", "plot_runs", "plot_sampling", "plot_server"]

_FS = 13


def _decimate(r, max_points: int = 4000):
    k = max(1, r.t_s.size // max_points)
    return slice(None, None, k)


def plot_runs(results: Sequence, labels: Sequence[str] | None = None, title: str | None = None):
    """Temperature, clock, power and throughput over time for one or more runs (MODELED)."""
    fig = Figure(figsize=(10, 10), layout="constrained")
    axes = fig.subplots(4, 1, sharex=True)
    labels = labels or [f"{r.device.name} ({r.workload.kind})" for r in results]
    for r, lab in zip(results, labels, strict=True):
        sl = _decimate(r)
        t = r.t_s[sl]
        axes[0].plot(t, r.temp_c[sl], label=lab)
        axes[1].plot(t, r.freq_hz[sl] / 1e6, label=lab)
        tw, pw = _window(r.t_s, r.power_w, r.dt_s)
        axes[2].plot(tw, pw, label=lab)
        ts, th = r.throughput_series(max(1.0, r.dt_s))
        axes[3].plot(ts, th, label=lab)
    trip = results[0].device.thermal.trip_c
    axes[0].axhline(trip, color="k", ls="--", lw=1, label=f"trip {trip:g} C")
    for ax, yl in zip(axes, ["junction temp (C)", "clock (MHz)", "power (W)", "throughput (inf/s)"],
                      strict=True):
        ax.set_ylabel(yl, fontsize=_FS)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=_FS - 2)
    axes[0].legend(fontsize=_FS - 3, loc="best")
    axes[-1].set_xlabel("time (s)", fontsize=_FS)
    fig.suptitle(title or "MODELED thermal throttling (RC network + DVFS + governor)", fontsize=_FS + 1)
    return fig


def plot_run(result, title: str | None = None):
    """:func:`plot_runs` for one run."""
    return plot_runs([result], title=title)


def _window(t, x, dt, window_s: float = 1.0):
    k = max(1, int(round(window_s / dt)))
    n = x.size // k
    if n == 0:
        return t[:1], x[:1]
    return t[: n * k : k], x[: n * k].reshape(n, k).mean(axis=1)


def plot_sampling(rows: Sequence[dict]):
    """Error of each power estimate vs sampling rate, one line per averaging window (MODELED)."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.subplots()
    for w in sorted({r["window_s"] for r in rows}):
        sel = [r for r in rows if r["window_s"] == w]
        ax.plot([r["rate_hz"] for r in sel], [r["error_pct"] for r in sel], "o-",
                label="instantaneous" if w == 0 else f"{w * 1e3:g} ms window")
    ax.axhline(0, color="k", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("sampling rate (Hz)", fontsize=_FS)
    ax.set_ylabel("error of mean power (%)", fontsize=_FS)
    ax.set_title("MODELED power trace: sampling aliasing within a forward pass", fontsize=_FS)
    ax.legend(fontsize=_FS - 2)
    ax.grid(alpha=0.3)
    return fig


def plot_server(coupled):
    """p99 and clock per window of a coupled Server run (MODELED)."""
    w = coupled.windows
    mid = np.array([(x["t0_s"] + x["t1_s"]) / 2 for x in w])
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    ax.plot(mid, [x["p99_ms"] for x in w], "o-", color="C3", label="p99 latency")
    ax.set_yscale("log")
    ax.set_xlabel("time (s)", fontsize=_FS)
    ax.set_ylabel("p99 latency (ms)", fontsize=_FS, color="C3")
    ax2 = ax.twinx()
    ax2.step(mid, [x["freq_hz"] / 1e9 for x in w], where="mid", color="C0", label="clock")
    ax2.set_ylabel("mean clock (GHz)", fontsize=_FS, color="C0")
    ax.set_title(f"MODELED Server scenario on {coupled.thermal.device.name}: "
                 f"{coupled.qps:g} QPS as the device heats", fontsize=_FS)
    ax.grid(alpha=0.3)
    return fig

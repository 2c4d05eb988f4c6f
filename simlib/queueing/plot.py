"""Plots of MODELED results (matplotlib; labeled axes with units; sized for a projector).

- :func:`latency_cdf`: the distribution of latency, with p50/p99 marked.
- :func:`hockey_stick`: a latency percentile against offered load, with an SLO line.
- :func:`timeline`: latency and queue length over simulated time.

Each takes an optional ``ax`` and returns the matplotlib Figure.

>>> from simlib.queueing import simulate
>>> fig = latency_cdf(simulate(50.0, "exp:10ms", n_requests=500, seed=0))
>>> fig.axes[0].get_xlabel()
'latency (ms)'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from simlib import budget
from simlib.queueing.results import SimResult

__all__ = ["hockey_stick", "hockey_stick_data", "latency_cdf", "timeline"]

FONT = 13


def _ax(ax, figsize=(7.5, 4.8)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax, title=None):
    ax.grid(True, alpha=0.3)
    ax.tick_params(labelsize=FONT - 1)
    ax.xaxis.label.set_size(FONT)
    ax.yaxis.label.set_size(FONT)
    if title:
        ax.set_title(title, fontsize=FONT)


def latency_cdf(results: SimResult | Sequence[SimResult], labels: Sequence[str] | None = None, *,
                slo_s: float | None = None, log_x: bool = False, ax=None) -> Figure:
    """Empirical CDF of latency (ms) for one or more results; p50 and p99 marked on each."""
    rs = [results] if isinstance(results, SimResult) else list(results)
    labels = list(labels) if labels is not None else [None] * len(rs)
    fig, ax = _ax(ax)
    for r, lab in zip(rs, labels, strict=True):
        x = np.sort(r.latency_s) * 1e3
        y = np.arange(1, x.size + 1) / x.size
        (line,) = ax.step(x, y, where="post", lw=2, label=lab or f"{r.settings['effective']['service']}")
        for p in (50, 99):
            v = r.percentile(p) * 1e3
            ax.plot([v], [p / 100], "o", color=line.get_color())
            # the p99 sits at the right end of the curve: its label goes to the left, inside the axes
            ax.annotate(f"p{p} {v:.3g} ms" if v < 1000 else f"p{p} {v:,.0f} ms", (v, p / 100), textcoords="offset points",
                        xytext=(6, -14) if p == 50 else (-8, -14), ha="left" if p == 50 else "right",
                        fontsize=FONT - 2, color=line.get_color())
    if slo_s is not None:
        ax.axvline(slo_s * 1e3, color="crimson", ls="--", lw=1.5, label=f"SLO {slo_s * 1e3:g} ms")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("fraction of requests")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=FONT - 2, loc="lower right")
    _style(ax, "Latency CDF (modeled)")
    return fig


def hockey_stick_data(service, rates_qps: Sequence[float], percentile: float = 99.0, *,
                      arrivals_factory=None, **simulate_kwargs) -> tuple[np.ndarray, np.ndarray]:
    """(rates, percentile latency in s) for each rate, same seed throughout (common random numbers)."""
    import warnings

    from simlib.queueing.arrivals import Poisson
    from simlib.queueing.runner import UnstableQueueWarning, simulate

    make = arrivals_factory or Poisson
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableQueueWarning)
        for rate in rates_qps:
            out.append(simulate(make(float(rate)), service, **simulate_kwargs).percentile(percentile))
    return np.asarray(rates_qps, dtype=float), np.asarray(out)


def plot_every_point(ax, x: Sequence[float], y: Sequence[float], fmt: str = "D", *,
                     clip_factor: float = 4.0, **plot_kwargs) -> list:
    """Plot measured points so that none is hidden: the y axis grows to include each point,
    except points beyond ``clip_factor`` times everything else already drawn (which would
    flatten the rest of the figure); those are drawn at the top edge with an arrow and their
    value. Returns the artists drawn. NaN points are skipped (there is nothing to show).
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    others = [float(np.nanmax(line.get_ydata())) for line in ax.get_lines()
              if np.size(line.get_ydata()) and np.isfinite(np.nanmax(line.get_ydata()))]
    ref = max(others, default=0.0)
    inside = ys <= clip_factor * ref if ref > 0 else np.ones_like(ys, dtype=bool)
    top = max([ref, *ys[inside]]) * 1.1 if (ref > 0 or inside.any()) else 1.0
    artists = [ax.plot(xs[inside], ys[inside], fmt, **plot_kwargs)[0]] if inside.any() else []
    label = plot_kwargs.pop("label", None)
    for xv, yv in zip(xs[~inside], ys[~inside], strict=True):
        artists.append(ax.annotate(f"{yv:.4g}", xy=(xv, top), xytext=(xv, top * 0.82), ha="center",
                                   fontsize=FONT - 3, arrowprops={"arrowstyle": "->", "lw": 1.5,
                                                                  "color": plot_kwargs.get("color", "black")}))
    if (~inside).any():
        artists.append(ax.plot(xs[~inside], np.full((~inside).sum(), top), fmt, clip_on=False,
                               **{**plot_kwargs, "label": None if inside.any() else label})[0])
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, 0.0), max(hi, top))
    xlo, xhi = ax.get_xlim()
    if xs.size:
        ax.set_xlim(min(xlo, xs.min() * 0.95), max(xhi, xs.max() * 1.05))
    return artists


def hockey_stick(service, rates_qps: Sequence[float] | None = None, percentile: float = 99.0, *,
                 slo_s: float | None = None, exact=None, mark_qps: float | None = None, ax=None,
                 arrivals_factory=None, **simulate_kwargs) -> Figure:
    """The percentile latency against arrival rate: flat, then bending sharply up near capacity.

    ``rates_qps`` defaults to 12 rates from 10% to 95% of capacity. ``exact`` is an optional
    function of the rate giving the closed-form value (drawn dashed). Simulations run with
    ``n_requests`` from ``simulate_kwargs`` or a budget-sized default.
    """
    from simlib.queueing.runner import _resolve

    _, svc = _resolve(1.0, service)
    servers = int(simulate_kwargs.get("servers", 1))
    mb = int(simulate_kwargs.get("max_batch", 1))
    cap = servers * mb / svc.mean_batch_s(mb)
    if rates_qps is None:
        rates_qps = np.linspace(0.1, 0.95, 12) * cap
    simulate_kwargs.setdefault("n_requests", budget.pick(quick=2_000, standard=10_000, full=50_000))
    rates, lat = hockey_stick_data(svc, rates_qps, percentile, arrivals_factory=arrivals_factory, **simulate_kwargs)
    fig, ax = _ax(ax)
    ax.plot(rates, lat * 1e3, "o-", lw=2, label=f"p{percentile:g}, simulated")
    if exact is not None:
        xs = np.linspace(rates.min(), rates.max(), 200)
        ax.plot(xs, [exact(x) * 1e3 for x in xs], "k--", lw=1.5, label="closed form")
    if slo_s is not None:
        ax.axhline(slo_s * 1e3, color="crimson", ls="--", lw=1.5, label=f"SLO {slo_s * 1e3:g} ms")
    if mark_qps is not None:
        ax.axvline(mark_qps, color="gray", ls=":", lw=1.5, label=f"current {mark_qps:.0f} req/s")
    ax.axvline(cap, color="black", lw=1, alpha=0.5)
    ax.annotate("capacity", (cap, 0), textcoords="offset points", xytext=(-60, 8), fontsize=FONT - 2)
    ax.set_xlabel("arrival rate (requests/s)")
    ax.set_ylabel(f"p{percentile:g} latency (ms)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=FONT - 2, loc="upper left")
    _style(ax, f"p{percentile:g} latency vs load (modeled)")
    return fig


def timeline(result: SimResult, *, ax=None) -> Figure:
    """Latency of each request (at its arrival time) and the number in system, over time (s)."""
    if ax is None:
        fig = Figure(figsize=(9, 5.5), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
    else:
        fig, ax1 = ax.figure, ax
        ax2 = ax.twinx()
    r = result.records
    ok = ~r.dropped
    ax1.plot(r.arrival_s[ok], r.latency_s[ok] * 1e3, ".", ms=3, alpha=0.5)
    if result.warmup_discarded:
        t_w = r.arrival_s[result.warmup_discarded]
        ax1.axvspan(r.arrival_s[0], t_w, color="gray", alpha=0.15, label="warm-up (discarded)")
        ax1.legend(fontsize=FONT - 2, loc="upper left")
    ax1.set_ylabel("latency (ms)")
    t, in_sys, _ = result.queue_length()
    ax2.step(t, in_sys, where="post", color="tab:orange", lw=1.2)
    ax2.set_ylabel("requests in system")
    ax2.set_xlabel("simulated time (s)")
    _style(ax1, "Latency and queue length over time (modeled)")
    _style(ax2)
    return fig

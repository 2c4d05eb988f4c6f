"""An interactive explorer of the serving model, and the same figure as a static image.

:func:`explorer` returns an ipywidgets box: sliders for the arrival rate, the service time's
CV, the number of workers, the max batch size and batch timeout, and burstiness; every change
re-simulates and redraws the latency CDF and the p99-versus-load curve (about 0.1-0.3 s in
the quick budget). :func:`static_figure` draws that figure at the explorer's defaults, for the
static book.

The service model is one batch cost model for every setting:
t(b) = 6 ms + b * 4 ms (10 ms for one request), with lognormal noise of the chosen CV.

>>> fig = static_figure()
>>> len(fig.axes)
2
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from simlib import budget
from simlib.queueing import plot
from simlib.queueing.arrivals import Bursty, Poisson
from simlib.queueing.service import BatchCost

__all__ = ["DEFAULTS", "explorer", "figure", "static_figure"]

#: The explorer's starting point (and the static figure's settings).
DEFAULTS = dict(rate_qps=70.0, cv=1.0, servers=1, max_batch=1, batch_timeout_ms=0.0, burst_factor=1.0)
SLO_S = 0.1
_T0_S, _T1_S = 0.006, 0.004


def _model(cv: float) -> BatchCost:
    return BatchCost(_T0_S, _T1_S, cv=cv)


def _arrivals(rate: float, burst: float):
    return Poisson(rate) if burst <= 1.0 else Bursty(rate, burst)


def figure(rate_qps: float, cv: float, servers: int, max_batch: int, batch_timeout_ms: float,
           burst_factor: float, seed: int = 0) -> Figure:
    """The explorer's figure for one setting: latency CDF (left), p99 against load (right)."""
    import warnings

    from simlib.queueing.runner import UnstableQueueWarning, simulate

    svc = _model(cv)
    n = budget.pick(quick=2_000, standard=8_000, full=40_000)
    n_curve = budget.pick(quick=600, standard=3_000, full=15_000)
    kw = dict(servers=int(servers), max_batch=int(max_batch), batch_timeout_s=batch_timeout_ms / 1e3, seed=seed)
    # fixed margins, not constrained layout: the layout solver alone took ~0.2 s per redraw
    fig = Figure(figsize=(13, 4.8))
    ax1, ax2 = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.055, right=0.985, bottom=0.13, top=0.91, wspace=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableQueueWarning)
        r = simulate(_arrivals(rate_qps, burst_factor), svc, n_requests=n, **kw)
    plot.latency_cdf(r, [f"{rate_qps:.0f} req/s, utilization {r.utilization:.0%}"], slo_s=SLO_S, ax=ax1)
    cap = servers * max_batch / svc.mean_batch_s(max_batch)
    rates = np.linspace(0.1, 0.95, 8) * cap
    plot.hockey_stick(svc, rates, 99.0, slo_s=SLO_S, mark_qps=rate_qps, ax=ax2, n_requests=n_curve,
                      arrivals_factory=lambda q: _arrivals(q, burst_factor), **kw)
    if r.warnings:
        ax1.text(0.02, 0.97, "unstable: rate >= capacity" if any("unstable" in w for w in r.warnings)
                 else r.warnings[0][:60], transform=ax1.transAxes, va="top", color="crimson", fontsize=12)
    return fig


def static_figure() -> Figure:
    """The explorer's figure at :data:`DEFAULTS` (for the static book)."""
    return figure(**DEFAULTS)


def explorer():
    """The interactive explorer (an ipywidgets VBox)."""
    import ipywidgets as w
    from IPython.display import display

    style = {"description_width": "150px"}
    layout = w.Layout(width="420px")
    controls = dict(
        rate_qps=w.FloatSlider(value=DEFAULTS["rate_qps"], min=5, max=400, step=5, description="arrival rate (req/s)",
                               style=style, layout=layout),
        cv=w.FloatSlider(value=DEFAULTS["cv"], min=0.0, max=3.0, step=0.1, description="service CV",
                         style=style, layout=layout),
        servers=w.IntSlider(value=DEFAULTS["servers"], min=1, max=8, description="workers", style=style, layout=layout),
        max_batch=w.IntSlider(value=DEFAULTS["max_batch"], min=1, max=32, description="max batch", style=style,
                              layout=layout),
        batch_timeout_ms=w.FloatSlider(value=DEFAULTS["batch_timeout_ms"], min=0, max=50, step=1,
                                       description="batch timeout (ms)", style=style, layout=layout),
        burst_factor=w.FloatSlider(value=DEFAULTS["burst_factor"], min=1, max=10, step=0.5,
                                   description="burst factor", style=style, layout=layout),
    )
    out = w.Output()

    def update(**kw):
        fig = figure(**kw)
        with out:
            out.clear_output(wait=True)
            display(fig)

    ui = w.interactive_output(update, controls)
    note = w.HTML("<small>MODELED: service t(b) = 6 ms + 4 ms &times; b, lognormal noise of the chosen CV; "
                  f"SLO line at {SLO_S * 1e3:g} ms.</small>")
    return w.VBox([w.HBox([w.VBox(list(controls.values())[:3]), w.VBox(list(controls.values())[3:])]), note, out, ui])

"""An interactive explorer of the serving model, and the same figure as a static image.

:func:`explore` returns an ipywidgets box: sliders for the arrival rate, the service time's
CV, the number of workers, the max batch size and batch timeout, and burstiness, each explained
by a one-line caption (:data:`CAPTIONS`); releasing a slider re-simulates and redraws the
latency CDF and the p99-versus-load curve. The rate slider spans 0 to 1.5 times the capacity
of the current workers and batch size, in steps of 1 req/s. :func:`static_figure` draws that
figure at the defaults, for the static book.

Speed: one redraw simulates the budget's requests plus an 8-point load curve and renders a PNG
at 80 dpi; benchmarks/bench_queueing.py times it per budget, and the JupyterLab browser test
(tests/test_jupyterlab.py) measures slider-to-figure time in a real JupyterLab.

The service model is one batch cost model for every setting:
t(b) = 6 ms + b * 4 ms (10 ms for one request), with lognormal noise of the chosen CV.

>>> fig = static_figure()
>>> len(fig.axes)
2
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from simlib import budget
from simlib.queueing import plot
from simlib.queueing.arrivals import Bursty, Poisson
from simlib.queueing.service import BatchCost

__all__ = ["CAPTIONS", "DEFAULTS", "explore", "figure", "static_figure"]

#: The explorer's starting point (and the static figure's settings).
DEFAULTS = dict(rate_qps=70.0, cv=1.0, servers=1, max_batch=1, batch_timeout_ms=0.0, burst_factor=1.0)
SLO_S = 0.1
#: One line per control, shown under the sliders (and as each slider's tooltip).
CAPTIONS = dict(
    rate_qps="arrival rate: requests per second offered to the server (Poisson unless bursty)",
    cv="service CV: how variable one request's service time is (std / mean; 0 = always 10 ms)",
    servers="workers: identical servers taking requests from one shared queue",
    max_batch="max batch: most requests a worker serves together (t = 6 ms + 4 ms per request)",
    batch_timeout_ms="batch timeout: how long a worker waits for a batch to fill before serving it",
    burst_factor="burst factor: requests come in bursts at this many times the average rate, with "
                 "silences between (1 = steady Poisson arrivals)",
)
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
    fig = Figure(figsize=(12, 4.4), dpi=80)
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


def _capacity_qps(servers: int, max_batch: int) -> float:
    return servers * max_batch / _model(1.0).mean_batch_s(max_batch)


def explore():
    """The interactive explorer (an ipywidgets VBox): controls, their captions, the live figure."""
    import ipywidgets as w

    style = {"description_width": "150px"}
    layout = w.Layout(width="430px")

    def slider(cls, name, description, **kw):
        return cls(value=DEFAULTS[name], description=description, style=style, layout=layout,
                   continuous_update=False, tooltip=CAPTIONS[name], **kw)

    cap = _capacity_qps(DEFAULTS["servers"], DEFAULTS["max_batch"])
    controls = dict(
        rate_qps=slider(w.FloatSlider, "rate_qps", "arrival rate (req/s)", min=1, max=round(1.5 * cap), step=1),
        cv=slider(w.FloatSlider, "cv", "service CV", min=0.0, max=3.0, step=0.1),
        servers=slider(w.IntSlider, "servers", "workers", min=1, max=8),
        max_batch=slider(w.IntSlider, "max_batch", "max batch", min=1, max=32),
        batch_timeout_ms=slider(w.FloatSlider, "batch_timeout_ms", "batch timeout (ms)", min=0, max=50, step=1),
        burst_factor=slider(w.FloatSlider, "burst_factor", "burst factor", min=1, max=10, step=0.5),
    )

    def rescale_rate(_change=None) -> None:
        # keep the rate slider's travel on the interesting part: 0 to 1.5x the capacity
        top = round(1.5 * _capacity_qps(controls["servers"].value, controls["max_batch"].value))
        rate = controls["rate_qps"]
        rate.max = max(top, 2)
        rate.value = min(rate.value, rate.max)

    controls["servers"].observe(rescale_rate, names="value")
    controls["max_batch"].observe(rescale_rate, names="value")
    # the figure travels as PNG bytes into an Image widget: one <img> whose picture is swapped in
    # place (no output cleared and redrawn, no dependence on the notebook's matplotlib backend)
    out = w.Image(format="png", layout={"width": "100%", "max_width": "960px"})

    def update(**kw):
        buf = io.BytesIO()
        figure(**kw).savefig(buf, format="png")
        out.value = buf.getvalue()

    ui = w.interactive_output(update, controls)
    captions = w.HTML("<div style='font-size:0.85em;line-height:1.35;color:#333'>"
                      + "".join(f"<div>{c}</div>" for c in CAPTIONS.values())
                      + f"<div><i>MODELED: service t(b) = 6 ms + 4 ms &times; b, lognormal noise of the chosen "
                      f"CV; SLO line at {SLO_S * 1e3:g} ms.</i></div></div>")
    values = list(controls.values())
    return w.VBox([w.HBox([w.VBox(values[:3]), w.VBox(values[3:])]), captions, out, ui])

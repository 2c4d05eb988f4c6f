"""Plots and the widget of simlib.queueing (drawn, not looked at: labels and structure)."""

import pytest

from simlib.queueing import analytic, plot, simulate, widget


def test_plots_have_labeled_axes():
    r = simulate(60.0, "exp:10ms", n_requests=1000, seed=0)
    ax = plot.latency_cdf([r, r], ["a", "b"], slo_s=0.05).axes[0]
    assert ax.get_xlabel() == "latency (ms)" and ax.get_ylabel()
    fig = plot.hockey_stick("exp:10ms", [20, 50, 80], slo_s=0.1, n_requests=1000,
                            exact=lambda lam: analytic.mm1_time_in_system_percentile(lam, 100, 99))
    assert fig.axes[0].get_xlabel() == "arrival rate (requests/s)" and "ms" in fig.axes[0].get_ylabel()
    fig = plot.timeline(r)
    assert [a.get_ylabel() for a in fig.axes] == ["latency (ms)", "requests in system"]


def test_static_figure_and_explorer(monkeypatch):
    monkeypatch.setenv("SIMLIB_BUDGET", "quick")
    assert len(widget.static_figure().axes) == 2
    fig = widget.figure(rate_qps=300, cv=1.5, servers=2, max_batch=16, batch_timeout_ms=10, burst_factor=4)
    assert len(fig.axes) == 2
    ipywidgets = pytest.importorskip("ipywidgets")
    box = widget.explorer()
    assert isinstance(box, ipywidgets.VBox)

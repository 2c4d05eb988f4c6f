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
    box = widget.explore()
    assert isinstance(box, ipywidgets.VBox)


def test_every_measured_point_is_visible():
    """Points above the curve extend the axis; a far outlier is drawn at the top edge with an
    arrow and its value, never outside the axes."""
    from matplotlib.figure import Figure

    from simlib.queueing.plot import plot_every_point

    ax = Figure().add_subplot()
    ax.plot([1, 2, 3], [1, 2, 10])
    ax.set_ylim(0, 11)
    plot_every_point(ax, [1.5, 2.5], [20.0, 30.0], "D", label="measured")
    assert ax.get_ylim()[1] >= 30.0
    plot_every_point(ax, [2.0], [5000.0], "X", label="saturated")
    top = ax.get_ylim()[1]
    assert top < 5000.0
    assert any(t.get_text() == "5000" for t in ax.texts)
    for line in ax.get_lines():
        assert max(line.get_ydata()) <= top


def test_comparison_figure_marks_saturated_runs():
    import numpy as np

    from simlib.measure.compare import Comparison

    rows = [{"utilization": u, "qps": q, "measured_qps": mq, "measured_p99_ms": p,
             "modeled_insitu_p99_ms": p * 0.9, "saturated": sat}
            for u, q, mq, p, sat in ((0.3, 30, 30, 25.0, False), (0.9, 90, 60, 900.0, True))]
    cal = {"isolated_service_s": np.random.default_rng(0).exponential(0.01, 200), "capacity_qps": 100.0}
    c = Comparison(rows, cal, [], {"model": "m", "backend": "b"}, {})
    ax = c.hockey_stick().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("SATURATED" in s for s in labels)
    assert ax.get_ylim()[1] >= 25.0

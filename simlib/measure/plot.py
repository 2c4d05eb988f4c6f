"""Plots of MEASURED results (matplotlib; labeled axes with units; sized for a projector).

:func:`latency_histogram` draws the latency distribution of a :class:`~simlib.measure.Result`
with its median, p90 and p99 marked, each with its 95% confidence interval shaded where the
sample is large enough for one. The title says it is a measurement and on which CPU.

>>> from simlib.measure.result import Result
>>> import numpy as np
>>> r = Result("demo", "measured", list(np.random.default_rng(0).gamma(9, 1e-4, 600)), system={})
>>> fig = latency_histogram(r)
>>> fig.axes[0].get_xlabel()
'latency (ms)'
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from simlib._validate import InvalidParameterError
from simlib.batch_means import percentile_ci
from simlib.stats import percentile

__all__ = ["latency_histogram"]

FONT = 13
_MARKS = ((50, "median", "tab:green"), (90, "p90", "tab:orange"), (99, "p99", "tab:red"))


def latency_histogram(result, *, bins: int = 60, ax=None, title: str | None = None) -> Figure:
    """Histogram of ``result.samples_s`` in ms with p50/p90/p99 lines and their 95% CIs."""
    x = np.asarray(result.samples_s, dtype=float) * 1e3
    if ax is None:
        fig = Figure(figsize=(7.5, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    hi = percentile(x, 99.9) * 1.15 if x.size > 100 else x.max()
    _, edges, _ = ax.hist(x[x <= hi], bins=bins, color="tab:blue", alpha=0.75)
    beyond = x[x > hi]
    if beyond.size:  # every sample is shown: the far tail as one hatched bar at the edge, labeled
        width = edges[1] - edges[0]
        ax.bar(hi + width, beyond.size, width=width, color="none", edgecolor="black", hatch="//",
               align="edge", label=f"{beyond.size} beyond {hi:.3g} ms (max {beyond.max():.3g} ms)")
    methods = []
    for p, label, color in _MARKS:
        v = percentile(x, p)
        try:
            ci = percentile_ci(x, p)  # samples in time order: batch means if they are correlated
            ax.axvspan(ci.low, ci.high, color=color, alpha=0.15)
            text = f"{label} {v:.3g} ms [{ci.low:.3g}, {ci.high:.3g}]" + (" (run too short)" if ci.warning else "")
            methods.append(ci.method.split(":")[0].split(" (")[0])  # "batch means" or "independent samples"
        except InvalidParameterError:
            text = f"{label} {v:.3g} ms (too few samples for a CI)"
        ax.axvline(v, color=color, lw=2, label=text)
    cpu = (getattr(result, "system", None) or {}).get("hardware", {}).get("cpu", {}).get("model")
    ax.set_title(title or f"MEASURED: {result.name}" + (f"\non {cpu}" if cpu else ""), fontsize=FONT)
    ax.set_xlabel("latency (ms)", fontsize=FONT)
    ax.set_ylabel("queries", fontsize=FONT)
    how = f" ({methods[0]})" if methods and len(set(methods)) == 1 else ""
    ax.legend(fontsize=FONT - 3, title=f"n = {x.size}, shaded: 95% CI{how}", title_fontsize=FONT - 3)
    ax.grid(True, alpha=0.3)
    return fig

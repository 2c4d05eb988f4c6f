"""An ipywidgets roofline explorer: device, precision, workload (model or op), batch size.

The logic lives in :meth:`RooflineExplorer.update`, which returns the analysis and redraws one
figure; the widgets only call it, so tests (and scripts) call ``update`` directly.

>>> ex = RooflineExplorer(draw=False)
>>> r = ex.update("a100-sxm", "fp16", "bert-base", batch=1)
>>> r.bound, r.batch
('memory', 1)
"""

from __future__ import annotations

import dataclasses

from simlib.hardware.catalog import get, names
from simlib.roofline import ops
from simlib.roofline.core import RooflineResult, analyze
from simlib.roofline.models import model_names

__all__ = ["CAPTIONS", "DEFAULTS", "OPS", "RooflineExplorer", "explore", "op_count", "static_figure"]

#: Single operators the explorer offers, as (label -> function of batch and dtype).
OPS = {
    "gemm 4096x4096x4096": lambda b, dt: ops.gemm(4096, 4096, 4096, dt, batch=b),
    "linear 768->3072 (128 tokens)": lambda b, dt: ops.linear(128 * b, 768, 3072, dt),
    "conv2d 3x3 256->256 @56x56": lambda b, dt: ops.conv2d(b, 256, 56, 56, 256, 3, dtype=dt),
    "depthwise conv 3x3 @112x112x96": lambda b, dt: ops.depthwise_conv2d(b, 96, 112, 112, dtype=dt),
    "elementwise add (1M elements)": lambda b, dt: ops.elementwise(1_000_000 * b, dt),
    "softmax 12x512x512": lambda b, dt: ops.softmax(12 * 512 * b, 512, dt),
    "layernorm 512x768": lambda b, dt: ops.layernorm(512 * b, 768, dt),
    "attention S=512 d=768": lambda b, dt: ops.attention(512, 768, 12, dt, batch=b),
}


def op_count(workload: str, batch: int, dtype: str) -> ops.OpCount:
    """FLOP/bytes of an explorer operator at a batch size (storage dtype: the precision's)."""
    return OPS[workload](batch, dtype)


class RooflineExplorer:
    """Holds one figure; :meth:`update` analyzes a choice and redraws in well under a second."""

    def __init__(self, draw: bool = True) -> None:
        self.draw = draw
        self.fig = self.ax = None
        self.result: RooflineResult | None = None

    def update(self, device: str, precision: str, workload: str, batch: int = 1) -> RooflineResult:
        dev = get(device)
        if precision not in dev.peak_flops:  # switching device: fall back to its first precision
            precision = next(iter(dev.peak_flops))
        storage = precision if precision in ops.DTYPE_BYTES else "fp32"
        if workload in model_names():
            r = analyze(dev, precision, model=workload, batch=batch)
        else:
            c = op_count(workload, batch, storage)
            r = analyze(dev, precision, flops=max(c.flops, 1.0), bytes=c.bytes)
            r = dataclasses.replace(r, workload=f"{workload} (batch {batch})", batch=batch)
        self.result = r
        if self.draw:
            self._redraw(dev, r)
        return r

    def _redraw(self, dev, r: RooflineResult) -> None:
        from matplotlib.figure import Figure

        from simlib.roofline.plot import plot_roofline

        if self.fig is None:  # a bare Figure: shown explicitly, never twice by pyplot
            self.fig = Figure(figsize=(9, 6), constrained_layout=True)
            self.ax = self.fig.add_subplot()
        self.ax.clear()
        plot_roofline(dev, precisions=[r.precision], points=[r], ax=self.ax)
        self.ax.text(0.02, 0.97, str(r).replace(" [modeled]", "").replace(": ", ":\n", 1),
                     transform=self.ax.transAxes, va="top", fontsize=11,
                     bbox={"facecolor": "white", "alpha": 0.8})

    def widget(self):
        """The interactive controls plus the figure (needs ipywidgets and a Jupyter front end)."""
        import ipywidgets as w
        from IPython.display import display

        dev = w.Dropdown(options=names(include_this_machine=False), value="a100-sxm", description="device",
                         tooltip=CAPTIONS["device"])
        prec = w.Dropdown(options=list(get("a100-sxm").peak_flops), value="fp16", description="precision",
                          tooltip=CAPTIONS["precision"])
        work = w.Dropdown(options=model_names() + list(OPS), value="bert-base", description="workload",
                          tooltip=CAPTIONS["workload"])
        batch = w.IntSlider(value=1, min=1, max=256, description="batch", continuous_update=False,
                            tooltip=CAPTIONS["batch"])
        out = w.Output()
        label = w.HTML()

        def refresh(*_):
            if prec.value not in get(dev.value).peak_flops or list(prec.options) != list(get(dev.value).peak_flops):
                prec.options = list(get(dev.value).peak_flops)
            with out:
                out.clear_output(wait=True)
                r = self.update(dev.value, prec.value, work.value, batch.value)
                display(self.fig)
            label.value = (f"<b>{r.bound}-bound</b>: {r.attainable_flops / 1e12:.4g} TFLOP/s attainable "
                           f"({r.utilization:.1%} of peak), intensity {r.intensity_flop_per_byte:.3g} "
                           f"vs ridge {r.ridge_flop_per_byte:.3g} FLOP/byte [modeled]")

        for c in (dev, prec, work, batch):
            c.observe(refresh, names="value")
        refresh()
        captions = w.HTML("<div style='font-size:0.85em;line-height:1.35;color:#333'>"
                          + "".join(f"<div>{c}</div>" for c in CAPTIONS.values()) + "</div>")
        return w.VBox([w.HBox([dev, prec]), w.HBox([work, batch]), captions, label, out])


def explore():
    """Show the roofline explorer in a notebook."""
    return RooflineExplorer().widget()


#: One line per control, shown under the controls (and as each one's tooltip).
CAPTIONS = {
    "device": "device: the accelerator whose peak compute and memory bandwidth draw the roofs",
    "precision": "precision: the number format, which sets the compute roof (and bytes per value)",
    "workload": "workload: a whole model or one operator, giving its FLOPs and bytes moved",
    "batch": "batch: inputs processed together; a larger batch reuses the weights, raising intensity",
}

#: The explorer's starting point (and the static figure's settings).
DEFAULTS = {"device": "a100-sxm", "precision": "fp16", "workload": "bert-base", "batch": 1}


def static_figure():
    """The explorer's figure at :data:`DEFAULTS`, for the static book beside the widget."""
    ex = RooflineExplorer()
    ex.update(**DEFAULTS)
    return ex.fig

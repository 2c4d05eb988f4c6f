"""A model predicted layer by layer with the roofline, and measured layer by layer with torch.profiler.

:func:`count_layers` runs one forward pass with hooks and counts each leaf layer's FLOP and bytes
(:mod:`simlib.roofline.ops`: a convolution, a dense layer, BatchNorm, an activation, LayerNorm, an
embedding), plus the *functional* work that a module's own ``forward`` does between its children
(a residual add, global pooling, the attention core of a Transformer block), which no leaf layer
owns. :func:`profile_layers` then times the same layers with the PyTorch profiler: a hook opens a
``record_function`` range named after each module, so the profiler's own timeline holds one range
per layer per forward pass (a module's residue is its range minus its children's). The roofline
predicts each layer as ``max(FLOP / peak, bytes / bandwidth) + calls x dispatch``: the iron law's
compute, data and latency terms. The result (:class:`LayerProfile`) puts prediction and
measurement side by side; the profile is also saved as a Chrome trace (open it in Perfetto,
https://ui.perfetto.dev, or chrome://tracing).

On a GPU, ``timer="cuda_events"`` brackets each layer with CUDA events instead (kernels run
asynchronously: a host-side range would time the launch, not the kernel).

>>> import torch
>>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU())
>>> [(r.name, r.flops) for r in count_layers(net, torch.zeros(1, 3, 8, 8))]
[('0', 27648.0), ('1', 512.0)]
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Options, Range, validate_params
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.roofline import ops
from simlib.roofline.ops import OpCount
from simlib.table import Table

__all__ = ["LayerCount", "LayerProfile", "LayerRow", "count_layers", "profile_layers"]

_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


@dataclass(frozen=True)
class LayerCount:
    """One layer's counted work: FLOP, bytes (weights read once, inputs read, outputs written) and
    the number of framework calls it makes (each pays the dispatch cost)."""

    name: str
    kind: str
    flops: float
    bytes: float
    calls: int = 1
    residue: bool = False  # the module's own functional code, outside its children

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes if self.bytes else math.inf


def _numel(t: Any) -> int:
    return int(t.numel()) if hasattr(t, "numel") else 0


def _first(inputs: Any) -> Any:
    return inputs[0] if isinstance(inputs, tuple) and inputs else inputs


def _count_leaf(mod: Any, inputs: Any, output: Any) -> tuple[str, OpCount, int] | None:
    """(kind, count, calls) of a leaf module, or None when simlib has no rule for it."""
    from torch import nn

    x = _first(inputs)
    n_out = _numel(output)
    if isinstance(mod, nn.Conv2d):
        n, cin, h, w = x.shape
        k, s, p, g = mod.kernel_size[0], mod.stride[0], mod.padding[0], mod.groups
        kind = "conv depthwise" if g == cin and g > 1 else f"conv {k}x{k}"
        return kind, ops.conv2d(n, cin, h, w, mod.out_channels, k, s, p, g, "fp32", mod.bias is not None), 1
    if isinstance(mod, nn.Linear):
        tokens = _numel(x) // mod.in_features
        return "linear", ops.linear(tokens, mod.in_features, mod.out_features, "fp32", mod.bias is not None), 1
    if isinstance(mod, nn.BatchNorm2d):  # eval mode: a per-channel scale and shift
        c = mod.num_features
        return "batchnorm", OpCount("batchnorm", 2.0 * n_out, 4 * c * 4.0, 2 * n_out * 4.0), 1
    if isinstance(mod, nn.LayerNorm):
        cols = int(np.prod(mod.normalized_shape))
        return "layernorm", ops.layernorm(_numel(x) // cols, cols, "fp32"), 1
    if isinstance(mod, nn.Embedding):
        return "embedding", ops.embedding(_numel(x), mod.embedding_dim, mod.num_embeddings, "fp32"), 1
    if isinstance(mod, nn.GELU):
        return "activation", ops.elementwise(n_out, "fp32", n_inputs=1, flops_per_element=8), 1
    if isinstance(mod, (nn.ReLU, nn.ReLU6, nn.Hardtanh, nn.SiLU, nn.Sigmoid, nn.Tanh)):
        return "activation", ops.elementwise(n_out, "fp32", n_inputs=1), 1
    if isinstance(mod, nn.Softmax):
        return "softmax", ops.softmax(_numel(x) // x.shape[mod.dim], x.shape[mod.dim], "fp32"), 1
    if isinstance(mod, (nn.AdaptiveAvgPool2d, nn.AvgPool2d, nn.MaxPool2d)):
        return "pool", OpCount("pool", float(_numel(x)), 0.0, (_numel(x) + n_out) * 4.0), 1
    if isinstance(mod, (nn.Dropout, nn.Identity, nn.Flatten)):
        return "no-op", OpCount("no-op", 0.0, 0.0, 0.0), 1
    return None


def _count_residue(mod: Any, inputs: Any, output: Any, features_out: int = 0) -> tuple[str, OpCount, int] | None:
    """The functional work of a non-container module's own forward (outside its children).

    ``features_out`` is the element count of a CNN's feature extractor output (what its global
    average pooling reads)."""
    x = _first(inputs)
    cls = type(mod).__name__
    if getattr(mod, "residual", False):  # MobileNetV2's inverted residual: x + block(x)
        return "residual add", ops.elementwise(_numel(output), "fp32"), 1
    if cls == "_InvertedResidual":
        return None  # no residual: nothing of its own
    if cls == "MobileNetV2":  # global average pooling over H, W of the features' output
        c = mod.classifier.in_features
        return "pool", OpCount("mean", float(features_out), 0.0, (features_out + c * x.shape[0]) * 4.0), 1
    if cls == "_Block":  # attention core: QK^T, softmax, x V, and two residual adds
        b, s, h = x.shape
        att = ops.attention(s, h, mod.heads, "fp32", batch=b)
        adds = 2 * ops.elementwise(b * s * h, "fp32").bytes
        return "attention core", OpCount("attention core", att.flops + 2.0 * b * s * h, 0.0,
                                         att.bytes + adds + 2 * b * s * h * 4.0), 8
    if cls == "BertEncoder":  # token + position embeddings added (the first token is a view)
        return "residual add", ops.elementwise(_numel(x) * mod.pos.shape[-1], "fp32"), 2
    return None


def _walk(model: Any) -> list[tuple[str, Any, bool]]:
    """(name, module, is_leaf) for the model itself (first, named after its class) and every module
    below it except pure containers, in definition order."""
    out = []
    for name, mod in model.named_modules():
        leaf = not any(True for _ in mod.children())
        if name and not leaf and type(mod).__name__ in _CONTAINERS:
            continue
        out.append((name or type(model).__name__, mod, leaf))
    return out


def count_layers(model: Any, x: Any, *, residues: bool = True) -> list[LayerCount]:
    """Counted FLOP and bytes of every layer of ``model`` on input ``x`` (one forward pass, fp32).

    Leaf layers are counted by type; with ``residues`` the functional code of a module's own
    forward (residual adds, pooling, the attention core) becomes a row named ``<module> (own)``.
    A leaf of a type simlib cannot count is a row with ``kind="not counted"`` and no FLOP.
    """
    import torch

    seen: dict[str, tuple[str, OpCount, int] | None] = {}
    handles = []
    mods = _walk(model)
    pool_in: dict[str, int] = {}
    for name, mod, leaf in mods:
        def hook(m, inp, out, name=name, leaf=leaf):
            if leaf:
                seen[name] = _count_leaf(m, inp, out)
            elif residues:
                seen[name] = _count_residue(m, inp, out, pool_in.get("features", 0))
        handles.append(mod.register_forward_hook(hook))
    feats = getattr(model, "features", None)
    if feats is not None:
        handles.append(feats.register_forward_hook(lambda m, i, o: pool_in.__setitem__("features", _numel(o))))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    rows = []
    for name, _mod, leaf in mods:
        if name not in seen:
            continue
        c = seen[name]
        label = name if leaf else f"{name} (own)"
        if c is None:
            if leaf:
                rows.append(LayerCount(label, "not counted", 0.0, 0.0, 1, False))
            continue
        kind, op, calls = c
        rows.append(LayerCount(label, kind, op.flops, op.bytes, calls, not leaf))
    return rows


@dataclass(frozen=True)
class LayerRow:
    """One layer, predicted (roofline + dispatch) and measured (median over the profiled passes)."""

    name: str
    kind: str
    flops: float
    bytes: float
    calls: int
    predicted_s: float
    measured_s: float
    samples_s: tuple[float, ...] = field(default=(), repr=False)

    @property
    def ratio(self) -> float:
        """Measured / predicted (1 = perfect; > 1: slower than the roofline says)."""
        return self.measured_s / self.predicted_s if self.predicted_s > 0 else math.inf

    @property
    def log_error(self) -> float:
        """|log10(measured / predicted)|: 0.3 is a factor of 2 either way."""
        return abs(math.log10(self.ratio)) if 0 < self.ratio < math.inf else math.inf


@dataclass(frozen=True, repr=False)
class LayerProfile(ResultDisplay):
    """Per-layer roofline predictions beside per-layer profiler measurements (a comparison)."""

    model: str
    rows: tuple[LayerRow, ...]
    forward_samples_s: tuple[float, ...]
    peak_flops_per_s: float
    bandwidth_bytes_per_s: float
    dispatch_s: float
    timer: str
    trace_path: str | None = None
    warnings: tuple[str, ...] = ()
    kind = "comparison"

    @property
    def samples_s(self) -> np.ndarray:
        """Whole forward passes (s), as the profiler timed them."""
        return np.asarray(self.forward_samples_s, dtype=float)

    @property
    def measured_total_s(self) -> float:
        return float(np.median(self.forward_samples_s))

    @property
    def measured_layers_s(self) -> float:
        return float(sum(r.measured_s for r in self.rows))

    @property
    def predicted_total_s(self) -> float:
        return float(sum(r.predicted_s for r in self.rows))

    @property
    def roof_only_total_s(self) -> float:
        """The prediction without the dispatch term: the bare roofline."""
        return float(sum(max(r.flops / self.peak_flops_per_s, r.bytes / self.bandwidth_bytes_per_s) for r in self.rows))

    @property
    def unattributed_s(self) -> float:
        """Forward time outside every layer's range (Python between layers, hooks, the profiler)."""
        return max(0.0, self.measured_total_s - self.measured_layers_s)

    def within(self, factor: float = 2.0) -> float:
        """Share of the measured layer time in layers predicted within ``factor`` either way."""
        tot = self.measured_layers_s
        ok = sum(r.measured_s for r in self.rows if r.log_error <= math.log10(factor))
        return ok / tot if tot else float("nan")

    def worst(self, k: int = 3) -> list[LayerRow]:
        """The ``k`` layers whose prediction missed by the largest factor (either way)."""
        return sorted(self.rows, key=lambda r: r.log_error, reverse=True)[:k]

    def by_kind(self) -> list[dict[str, Any]]:
        """Per layer kind: count, predicted and measured time (s), measured/predicted, share of time."""
        kinds: dict[str, list[LayerRow]] = {}
        for r in self.rows:
            kinds.setdefault(r.kind, []).append(r)
        tot = self.measured_layers_s or 1.0
        out = []
        for kind, rs in kinds.items():
            p, m = sum(r.predicted_s for r in rs), sum(r.measured_s for r in rs)
            out.append({"kind": kind, "count": len(rs), "flops": sum(r.flops for r in rs),
                        "bytes": sum(r.bytes for r in rs), "predicted_s": p, "measured_s": m,
                        "ratio": m / p if p else math.inf, "share": m / tot})
        return sorted(out, key=lambda d: -d["measured_s"])

    def kind_table(self, caption: str = "") -> Table:
        """The per-kind table (text, or HTML in a notebook), with a total row."""
        rows = [[d["kind"], d["count"], f"{d['flops'] / 1e6:.3g}", f"{d['bytes'] / 1e6:.3g}",
                 f"{d['predicted_s'] * 1e3:.3g}", f"{d['measured_s'] * 1e3:.3g}", f"{d['ratio']:.2g}",
                 f"{d['share']:.0%}"] for d in self.by_kind()]
        rows.append(["all layers", len(self.rows), "", "", f"{self.predicted_total_s * 1e3:.3g}",
                     f"{self.measured_layers_s * 1e3:.3g}", f"{self.measured_layers_s / self.predicted_total_s:.2g}",
                     "100%"])
        return Table(["layer kind", "layers", "MFLOP", "MB", "predicted (ms)", "measured (ms)",
                      "measured / predicted", "share of measured"], rows,
                     caption=caption or f"{self.model}: roofline prediction [MODELED] vs profiler [MEASURED], per layer kind")

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, timer=self.timer, passes=len(self.forward_samples_s),
                              peak_flops_per_s=self.peak_flops_per_s,
                              bandwidth_bytes_per_s=self.bandwidth_bytes_per_s, dispatch_s=self.dispatch_s)

    @property
    def summary(self) -> dict[str, Any]:
        return {"p50_s": self.measured_total_s, "n": len(self.forward_samples_s),
                "measured_layers_s": self.measured_layers_s, "predicted_s": self.predicted_total_s,
                "roof_only_s": self.roof_only_total_s, "unattributed_s": self.unattributed_s,
                "within_2x_fraction": self.within(2.0), "layers_count": len(self.rows)}

    def _payload(self) -> dict[str, Any]:
        return {"trace_path": self.trace_path,
                "rows": [{"name": r.name, "kind": r.kind, "flops": r.flops, "bytes": r.bytes, "calls": r.calls,
                          "predicted_s": r.predicted_s, "measured_s": r.measured_s} for r in self.rows]}

    def _rows(self) -> list[tuple[str, str]]:
        w = ", ".join(f"{r.name} ({r.ratio:.2g}x)" for r in self.worst(3))
        return [("forward pass", f"{self.measured_total_s * 1e3:.3g} ms median over {len(self.forward_samples_s)} "
                                 f"profiled passes [measured, {self.timer}]"),
                ("sum of layers", f"measured {self.measured_layers_s * 1e3:.3g} ms; predicted "
                                  f"{self.predicted_total_s * 1e3:.3g} ms (bare roofline {self.roof_only_total_s * 1e3:.3g} ms) [modeled]"),
                ("within 2x", f"{self.within(2.0):.0%} of the measured layer time"),
                ("worst predicted", w),
                ("trace", self.trace_path or "not saved")]


def _roof(roofline: Any) -> tuple[float, float]:
    if isinstance(roofline, tuple):
        return float(roofline[0]), float(roofline[1])
    return float(roofline.peak_flops["fp32"]), float(roofline.bandwidth_bytes_per_s)


@validate_params({"passes": [None, Range(1, 10_000, integer=True)], "timer": Options(("profiler", "cuda_events")),
                  "dispatch_s": Range(0, 1, unit="s"), "threads": [None, Range(1, 4096, integer=True)]})
def profile_layers(model: Any, x: Any, roofline: Any, *, dispatch_s: float = 0.0, passes: int | None = None,
                   name: str = "model", timer: str = "profiler", trace_path: str | Path | None = None,
                   warmup: int = 3, threads: int | None = None) -> LayerProfile:
    """Predict every layer of ``model`` on input ``x`` and measure it; return a :class:`LayerProfile`.

    ``roofline`` is an :class:`~simlib.measure.roofline.EmpiricalRoofline` (its fp32 roof) or a
    ``(peak_flops_per_s, bandwidth_bytes_per_s)`` pair; ``dispatch_s`` is the per-call cost added to
    each layer's roofline time (measure it with :func:`simlib.measure.microbench.operator_study`).
    ``passes`` forward passes are profiled after ``warmup`` unprofiled ones (quick: 10). With
    ``trace_path`` the profile is also written as a Chrome trace (JSON) there. ``threads`` sets
    torch's intra-op threads for the run (restored afterwards); give the roof measured with the
    same count.
    """
    with torch_threads(threads):
        return _profile(model, x, roofline, dispatch_s, passes, name, timer, trace_path, warmup)


def _profile(model, x, roofline, dispatch_s, passes, name, timer, trace_path, warmup) -> LayerProfile:
    import torch

    passes = passes or budget.pick(quick=10, standard=30, full=100)
    peak, bw = _roof(roofline)
    counts = count_layers(model, x)
    by_label = {c.name: c for c in counts}
    mods = {name: (mod, leaf) for name, mod, leaf in _walk(model)}
    label_of = {n: (n if leaf else f"{n} (own)") for n, (_m, leaf) in mods.items()}
    spans: dict[str, list[float]] = {n: [] for n in mods}
    handles = []
    stack: list[Any] = []
    use_events = timer == "cuda_events"
    pending: list[tuple[str, Any, Any]] = []
    for mname, (mod, _leaf) in mods.items():
        if use_events:
            def pre(m, i, mname=mname):
                ev = torch.cuda.Event(enable_timing=True)
                ev.record()
                stack.append((mname, ev))

            def post(m, i, o):
                mname_, start = stack.pop()
                end = torch.cuda.Event(enable_timing=True)
                end.record()
                pending.append((mname_, start, end))
        else:
            def pre(m, i, mname=mname):
                rf = torch.autograd.profiler.record_function(f"layer::{mname}")
                rf.__enter__()
                stack.append(rf)

            def post(m, i, o):
                stack.pop().__exit__(None, None, None)
        handles.append(mod.register_forward_pre_hook(pre))
        handles.append(mod.register_forward_hook(post))
    forward: list[float] = []
    try:
        with torch.no_grad():
            for _ in range(warmup):
                model(x)
            if use_events:
                torch.cuda.synchronize()
                for _ in range(passes):
                    pending.clear()
                    model(x)
                    torch.cuda.synchronize()
                    per = {n: s.elapsed_time(e) / 1e3 for n, s, e in pending}
                    for n, t in per.items():
                        spans[n].append(t)
                    forward.append(per[next(iter(mods))])
                saved = None
            else:
                from torch.profiler import ProfilerActivity, profile

                with _quiet_fd2(), profile(activities=[ProfilerActivity.CPU]) as prof:
                    for _ in range(passes):
                        with torch.autograd.profiler.record_function("forward"):
                            model(x)
                for ev in prof.events():
                    if ev.name.startswith("layer::"):
                        spans[ev.name[7:]].append(ev.time_range.elapsed_us() / 1e6)
                    elif ev.name == "forward":
                        forward.append(ev.time_range.elapsed_us() / 1e6)
                saved = None
                if trace_path is not None:
                    Path(trace_path).parent.mkdir(parents=True, exist_ok=True)
                    prof.export_chrome_trace(str(trace_path))
                    saved = str(trace_path)
    finally:
        for h in handles:
            h.remove()
    # a module's own time = its span minus its direct children's spans, pass by pass
    children = {n: [c for c in mods if c != n and c.startswith(f"{n}.") and _parent(c, mods) == n] for n in mods}
    top = next(iter(mods))
    children[top] = [c for c in mods if c != top and _parent(c, mods) is None]
    rows = []
    for n, (_mod, leaf) in mods.items():
        label = label_of[n]
        if label not in by_label or not spans[n]:
            continue
        own = np.asarray(spans[n])
        if not leaf:
            for c in children[n]:
                if len(spans[c]) == len(own):
                    own = own - np.asarray(spans[c])
            own = np.maximum(own, 0.0)
        c = by_label[label]
        pred = max(c.flops / peak, c.bytes / bw) + c.calls * dispatch_s
        rows.append(LayerRow(label, c.kind, c.flops, c.bytes, c.calls, pred, float(np.median(own)),
                             tuple(float(v) for v in own)))
    warns = []
    if any(c.kind == "not counted" for c in counts):
        warns.append("some layers are of a type simlib cannot count; their prediction is the dispatch cost alone")
    return LayerProfile(name, tuple(rows), tuple(forward), peak, bw, dispatch_s, timer, saved, tuple(warns))


@contextlib.contextmanager
def _quiet_fd2():
    """Silence the profiler library's start/stop lines, which it writes to file descriptor 2
    itself (they would fill a notebook cell); Python exceptions are unaffected."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _parent(name: str, mods: dict[str, Any]) -> str | None:
    """The nearest enclosing module in ``mods`` (containers are skipped, so a grandparent may be it)."""
    parts = name.split(".")
    for k in range(len(parts) - 1, 0, -1):
        p = ".".join(parts[:k])
        if p in mods:
            return p
    return None


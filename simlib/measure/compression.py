"""The compression frontier, measured: pruned and INT8 variants of the digits classifier, each
with its accuracy, calibration, edge-case accuracy, size, MEASURED latency and MODELED energy.

Variants (all of the one trained digits MLP, :func:`simlib.models.get_model` ``("digits")``):

- ``FP32`` (PyTorch) and ``FP32 ORT`` (the same weights exported to ONNX Runtime);
- ``pruned s%``: PyTorch's pruning utilities (``torch.nn.utils.prune.global_unstructured``,
  L1 magnitude over all Linear weights, no fine-tuning), at each sparsity ``s``;
- ``dynamic INT8``: ``torch.ao.quantization.quantize_dynamic`` (INT8 weights, activations
  quantized on the fly per batch);
- ``static INT8 ORT``: ONNX Runtime's static QDQ quantization, calibrated on real inputs
  (:func:`simlib.models.quantize.quantize_int8`).

Sizes are MEASURED as serialized bytes: ``torch.save`` of the state dict (a pruned variant stores
its weights in CSR form, whose int64 column indices cost 8 bytes per nonzero: unstructured
sparsity saves storage only above about two thirds sparsity), the ONNX file for ONNX Runtime.
Latency is MEASURED at batch 1 with :func:`simlib.measure.time_callable` (median and its
distribution-free 95% interval). Energy per inference is MODELED with
:func:`simlib.energy.decompose`: one multiply per nonzero weight (a sparse kernel that skips
zeros; the dense kernels measured here do not) at the variant's precision, plus its stored bytes
read from DRAM. Accuracy, ECE and the edge-case slice come from
:func:`~simlib.evaluation.audit.audit_variants`; ECE changes against FP32 get a paired bootstrap
interval (:func:`ece_change_ci`).

>>> rng = np.random.default_rng(0)
>>> conf = rng.uniform(0.5, 1, 400); ok = (rng.random(400) < conf).astype(float)
>>> lo, hi = ece_change_ci(conf, ok, conf, ok, n_resamples=200)
>>> (lo, hi)
(0.0, 0.0)
"""

from __future__ import annotations

import copy
import io
import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Range, Satisfies, invalid, validate_params
from simlib.evaluation.audit import VariantAudit, audit_variants
from simlib.evaluation.calibration import expected_calibration_error, top_label
from simlib.evaluation.datashift import shift_digits
from simlib.evaluation.frontier import FrontierResult, Variant, frontier
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import median_ci

__all__ = ["EDGE_INK_SCALE", "CompressionStudy", "compression_study", "ece_change_ci", "edge_case_digits", "prune_global"]

#: The edge-case slice: ink scaled by this factor (faint writing).
EDGE_INK_SCALE = 0.35
_SPARSITIES = Satisfies(lambda v: all(0 < float(s) < 1 for s in v) and len(v) > 0,
                        "a non-empty list of sparsities, each a fraction in (0, 1)", valid=[0.5], invalid=[1.5])


def edge_case_digits(x: Any) -> np.ndarray:
    """The edge-case slice of the digits: each image's ink scaled to 35% (faint writing, the digits'
    counterpart of the source's low-light photographs), an input a curated test set under-represents.

    >>> round(float(edge_case_digits(np.full((1, 64), 0.8)).max()), 2)
    0.28
    """
    return shift_digits(x, ink_scale=EDGE_INK_SCALE)


@validate_params({"n_resamples": Range(20, 100_000, integer=True), "seed": Range(0, None, integer=True)})
def ece_change_ci(conf_a: Any, correct_a: Any, conf_b: Any, correct_b: Any, n_bins: int = 10,
                  n_resamples: int = 500, seed: int = 0) -> tuple[float, float]:
    """Paired percentile-bootstrap 95% interval of ECE(b) - ECE(a) for two models scored on the same
    examples (each resample draws the same example indices for both). An interval containing 0 is
    no clear change."""
    ca, ka = np.asarray(conf_a, float), np.asarray(correct_a, float)
    cb, kb = np.asarray(conf_b, float), np.asarray(correct_b, float)
    rng = np.random.default_rng(seed)
    d = []
    for _ in range(n_resamples):
        i = rng.integers(0, len(ca), len(ca))
        d.append(expected_calibration_error(cb[i], kb[i], n_bins) - expected_calibration_error(ca[i], ka[i], n_bins))
    return float(np.quantile(d, 0.025)), float(np.quantile(d, 0.975))


def prune_global(model: Any, sparsity: float) -> Any:
    """A copy of ``model`` with the fraction ``sparsity`` of its Linear weights (smallest |w| over all
    layers together) set to zero, the pruning made permanent (``prune.remove``)."""
    import torch.nn.utils.prune as prune
    from torch import nn

    m = copy.deepcopy(model)
    params = [(mod, "weight") for mod in m.modules() if isinstance(mod, nn.Linear)]
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=float(sparsity))
    for mod, name in params:
        prune.remove(mod, name)
    return m.eval()


def _torch_bytes(model: Any, sparse: bool = False) -> int:
    import torch

    state = model.state_dict()
    if sparse:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")  # "sparse CSR support is in beta"
            state = {k: (v.to_sparse_csr() if v.ndim == 2 else v) for k, v in state.items()}
    buf = io.BytesIO()
    torch.save(state, buf)
    return len(buf.getvalue())


def _weights(model: Any) -> tuple[int, int]:
    """(Linear weights, nonzero Linear weights) of a float model."""
    from torch import nn

    ws = [m.weight.detach() for m in model.modules() if isinstance(m, nn.Linear)]
    return sum(int(w.numel()) for w in ws), sum(int((w != 0).sum()) for w in ws)


@dataclass(frozen=True, repr=False)
class CompressionStudy(ResultDisplay):
    """Per variant: its method and backend, MEASURED latency (median and 95% interval, s) and size
    (bytes), nonzero weights, MODELED energy per inference (J), and its audit (top-1, top-5, ECE,
    edge-case accuracy: ``audit``, a :class:`~simlib.evaluation.audit.VariantAudit`); ECE change
    against the reference with a paired bootstrap interval."""

    kind: str
    settings: dict
    warnings: tuple
    names: tuple
    methods: tuple
    backends: tuple
    latency: tuple  # Interval per variant (median, s)
    samples: tuple  # per variant, the latency samples (s)
    nonzero: tuple
    energy_j: tuple
    audit: VariantAudit
    ece_change: tuple  # (low, high) of ECE(variant) - ECE(reference), per variant (reference: (0, 0))

    @property
    def samples_s(self) -> np.ndarray:
        """The reference variant's latency samples (s)."""
        return np.asarray(self.samples[0])

    def index(self, name: str) -> int:
        return self.names.index(name)

    def variants(self, cost: str = "latency") -> list[Variant]:
        """Frontier points: accuracy = top-1, size = serialized bytes, cost = median latency (s) or
        modeled energy ("energy", J)."""
        c = [iv.estimate for iv in self.latency] if cost == "latency" else list(self.energy_j)
        unit = "s" if cost == "latency" else "J"
        return [Variant(n, a, s, k, unit) for n, a, s, k in
                zip(self.names, self.audit.top1, self.audit.size_bytes, c, strict=True)]

    def frontier(self, cost: str = "latency") -> FrontierResult:
        return frontier(self.variants(cost))

    def edge_gap(self, prefix: str = "pruned") -> tuple[str, float, float]:
        """(name, aggregate drop, edge-case drop), both in percentage points against the reference,
        for the variant named ``prefix...`` whose edge-case drop is clearly there (intervals separate)
        and largest relative to its aggregate drop; if no edge drop is clear, the largest gap."""
        a = self.audit
        cands = [i for i, n in enumerate(self.names) if n.startswith(prefix)]
        if not cands:
            raise invalid("prefix", f"got {prefix!r}", f"a prefix of one of {list(self.names)}", owner="edge_gap")

        def drops(i: int) -> tuple[float, float]:
            return ((a.top1[0].estimate - a.top1[i].estimate) * 100, (a.edge[0].estimate - a.edge[i].estimate) * 100)

        clear = [i for i in cands if a.change(i, "edge").startswith("down")]
        if clear:
            best = max(clear, key=lambda i: drops(i)[1] / max(drops(i)[0], 0.1))
        else:
            best = max(cands, key=lambda i: drops(i)[1] - drops(i)[0])
        return (self.names[best], *drops(best))

    def ece_text(self, name: str) -> str:
        """How the variant's ECE moved against the reference: "no clear change" when the paired
        interval contains 0, else "rose by 0.012" / "fell by 0.012"."""
        i = self.index(name)
        lo, hi = self.ece_change[i]
        if lo <= 0 <= hi:
            return "showed no clear change"
        d = self.audit.ece[i] - self.audit.ece[0]
        return f"{'rose' if d > 0 else 'fell'} by {abs(d):.3f}"

    def speed_text(self, name: str, reference: str | None = None) -> str:
        """Latency of ``name`` against ``reference`` (default: the first variant on the same backend)."""
        from simlib.claims import speed_change

        i = self.index(name)
        j = self.index(reference) if reference else next(k for k, b in enumerate(self.backends)
                                                          if b == self.backends[i])
        return speed_change(self.latency[j], self.latency[i])

    @property
    def summary(self) -> dict[str, Any]:
        s: dict[str, Any] = {"n": self.audit.n, "variant_count": len(self.names),
                             "p50_s": self.latency[0].estimate,
                             "p50_ci_s": [self.latency[0].low, self.latency[0].high]}
        for i, n in enumerate(self.names):
            key = n.lower().replace(" ", "_").replace("%", "pct")
            s[f"{key}_p50_s"] = self.latency[i].estimate
            s[f"{key}_size_bytes"] = self.audit.size_bytes[i]
            s[f"{key}_top1_fraction"] = self.audit.top1[i].estimate
            s[f"{key}_ece_fraction"] = self.audit.ece[i]
            s[f"{key}_edge_fraction"] = self.audit.edge[i].estimate
            s[f"{key}_energy_j"] = self.energy_j[i]
        return s

    def _rows(self) -> list[tuple[str, str]]:
        a = self.audit
        rows = []
        for i, n in enumerate(self.names):
            lat = self.latency[i]
            rows.append((n, f"top-1 {a.top1[i].estimate:.1%}, ECE {a.ece[i]:.3f}, edge {a.edge[i].estimate:.1%}, "
                            f"{a.size_bytes[i] / 1e3:.1f} kB, p50 {lat.estimate * 1e6:.1f} µs "
                            f"[{lat.low * 1e6:.1f}, {lat.high * 1e6:.1f}] MEASURED, "
                            f"{self.energy_j[i] * 1e9:.1f} nJ MODELED ({self.backends[i]})"))
        rows.append(("sets", f"{a.n} test, {a.n_edge} edge-case images (ink at 35%); Wilson 95% "
                             "intervals; latency at batch 1"))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"variants": [{"name": n, "method": m, "backend": b, "p50_s": lat.estimate,
                              "p50_ci_s": [lat.low, lat.high], "nonzero_weights": z, "energy_j": e,
                              "ece_change_ci": list(c)}
                             for n, m, b, lat, z, e, c in zip(self.names, self.methods, self.backends, self.latency,
                                                              self.nonzero, self.energy_j, self.ece_change,
                                                              strict=True)],
                "audit": self.audit.to_dict()}


@validate_params({"sparsities": _SPARSITIES, "time_budget_s": [Range(0.01, 600, unit="s"), None],
                  "seed": Range(0, None, integer=True), "static_int8": bool})
def compression_study(sparsities: Sequence[float] = (0.5, 0.7, 0.8, 0.9), *, static_int8: bool = True,
                      time_budget_s: float | None = None, seed: int = 0) -> CompressionStudy:
    """Build, time and audit every variant (see the module docstring). ``time_budget_s``: timing
    per variant (default by budget: 0.3, 1 or 3 s)."""
    import torch
    from scipy.special import softmax
    from torch import nn

    from simlib.energy import decompose
    from simlib.measure.timer import time_callable
    from simlib.models.registry import get_model

    tb = time_budget_s if time_budget_s is not None else budget.pick(quick=0.3, standard=1.0, full=3.0)
    spec = get_model("digits")
    base = spec.module.eval()
    x_te, y_te = spec.eval_data
    x_edge = edge_case_digits(x_te).astype(np.float32)
    n_w, _ = _weights(base)
    n_bias = sum(int(m.bias.numel()) for m in base.modules() if isinstance(m, nn.Linear))

    def torch_logits(m):
        def f(x):
            with torch.no_grad():
                return m(torch.from_numpy(np.asarray(x, np.float32))).numpy()
        return f

    models: dict[str, tuple[Any, str, str, int, float, str]] = {}  # fn, method, backend, nnz, bytes, precision
    models["FP32"] = (torch_logits(base), "none", "torch", n_w, _torch_bytes(base), "fp32")
    for s in sparsities:
        p = prune_global(base, float(s))
        models[f"pruned {s:.0%}"] = (torch_logits(p), f"global L1 unstructured, {s:.0%}", "torch", _weights(p)[1],
                                     _torch_bytes(p, sparse=True), "fp32")
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        q = torch.ao.quantization.quantize_dynamic(copy.deepcopy(base), {nn.Linear}, dtype=torch.qint8)
    models["dynamic INT8"] = (torch_logits(q), "torch quantize_dynamic", "torch", n_w, _torch_bytes(q), "int8")
    closers = []
    if static_int8:
        from simlib.measure.backends import open_backend

        for prec, name in (("fp32", "FP32 ORT"), ("int8", "static INT8 ORT")):
            b = open_backend("onnxruntime", spec, precision=prec, threads=1)
            closers.append(b)
            size = float(b.describe().get("model_bytes") or 0) or (n_w + n_bias) * (4 if prec == "fp32" else 1)

            def f(x, b=b):
                x = np.asarray(x, np.float32)
                return np.concatenate([np.asarray(b.infer(x[i:i + 256])) for i in range(0, len(x), 256)])
            models[name] = (f, "ONNX Runtime static QDQ, MinMax" if prec == "int8" else "ONNX export", "onnxruntime",
                            n_w, size, prec)
    try:
        audit = audit_variants({k: v[0] for k, v in models.items()}, x_te, y_te, x_edge, y_te,
                               size_bytes={k: v[4] for k, v in models.items()}, n_bins=10)
        lat, samples = [], []
        with torch_threads(1):
            one = x_te[:1]
            for name, (fn, *_rest) in models.items():
                r = time_callable(lambda fn=fn: fn(one), name=name, time_budget_s=tb, warmup=5)
                samples.append(np.asarray(r.samples_s))
                lat.append(median_ci(r.samples_s))
        ref = softmax(np.asarray(models["FP32"][0](x_te), float), axis=1)
        ca, ka = top_label(ref, y_te)
        changes = []
        for i, (fn, *_r) in enumerate(models.values()):
            if i == 0:
                changes.append((0.0, 0.0))
                continue
            cb, kb = top_label(softmax(np.asarray(fn(x_te), float), axis=1), y_te)
            changes.append(ece_change_ci(ca, ka, cb, kb, n_resamples=budget.pick(quick=200, standard=500,
                                                                                 full=1000), seed=seed))
    finally:
        for b in closers:
            b.close()
    energy = tuple(decompose(v[3], v[4], v[5], "dram").total_j for v in models.values())
    warns = [f"Latency timed for {tb:g} s per variant at batch 1 on one thread; pruned variants run dense "
             "kernels, so their zeros cost the same time (the MODELED energy assumes a sparse kernel)."]
    st = {"sparsities": [float(s) for s in sparsities], "static_int8": static_int8, "time_budget_s": tb,
          "seed": seed, "pruning": "global L1 unstructured, no fine-tuning", "threads": 1}
    return CompressionStudy(kind="measured", settings=given_settings(**st),
                            warnings=tuple(warns) + audit.warnings, names=tuple(models),
                            methods=tuple(v[1] for v in models.values()),
                            backends=tuple(v[2] for v in models.values()), latency=tuple(lat),
                            samples=tuple(samples), nonzero=tuple(v[3] for v in models.values()),
                            energy_j=energy, audit=audit, ece_change=tuple(changes))


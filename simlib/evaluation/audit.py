"""A Lighthouse-1.3-style audit of compressed variants on our own data: top-1, top-5, ECE and
edge-case accuracy per variant, each drop against the reference judged with intervals.

:func:`audit_variants` takes each variant as a function from inputs to logits (a torch model, an
ONNX session, a scikit-learn ``decision_function``), the test set, an edge-case set (e.g. the
digits moved by a pixel, :func:`~simlib.evaluation.datashift.shift_digits`), and each variant's
size and cost; :meth:`VariantAudit.variants` feeds :func:`~simlib.evaluation.frontier.frontier`.
:func:`fake_quantize` rounds weights to a symmetric ``bits``-bit grid (per tensor), so a chapter
can build 8-, 4- and 2-bit variants of any model whose weights it holds.

>>> w = np.array([-1.0, -0.3, 0.0, 0.26, 1.0])
>>> fake_quantize(w, bits=2).tolist()
[-1.0, 0.0, 0.0, 0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import softmax

from simlib._validate import Options, Range, invalid, validate_params
from simlib.evaluation.calibration import ece_band, expected_calibration_error, top_label
from simlib.evaluation.frontier import Variant
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, wilson_ci

__all__ = ["VariantAudit", "audit_variants", "fake_quantize"]


@validate_params({"bits": Range(2, 16, integer=True)})
def fake_quantize(weights: Any, bits: int = 8) -> np.ndarray:
    """``weights`` rounded to the symmetric grid of ``bits`` bits, per tensor: scale =
    max|w| / (2^(bits-1) - 1), w_q = round(w / scale) x scale. Returns float values on the grid
    (|w - w_q| <= scale / 2); all-zero weights stay zero."""
    w = np.asarray(weights, dtype=float)
    levels = 2 ** (bits - 1) - 1
    m = float(np.max(np.abs(w))) if w.size else 0.0
    if m == 0:
        return w.copy()
    scale = m / levels
    return np.clip(np.round(w / scale), -levels, levels) * scale


def _drop_text(ref: Interval, got: Interval) -> str:
    if ref.low <= got.high and got.low <= ref.high:
        return "no clear change"
    d = (got.estimate - ref.estimate) * 100
    return f"down {-d:.1f} pp" if d < 0 else f"up {d:.1f} pp"


@dataclass(frozen=True, repr=False)
class VariantAudit(ResultDisplay):
    """Per variant: ``top1``, ``top5`` and ``edge`` (Wilson intervals of fractions), ``ece`` (its
    binning in ``settings``), ``size_bytes`` and ``cost``; the first variant is the reference."""

    kind: str
    settings: dict
    warnings: tuple
    names: tuple
    top1: tuple
    top5: tuple
    edge: tuple
    ece: tuple
    size_bytes: tuple
    cost: tuple
    cost_unit: str
    n: int
    n_edge: int

    def variants(self) -> list[Variant]:
        """The points for :func:`~simlib.evaluation.frontier.frontier` (accuracy = top-1)."""
        return [Variant(n, a, s, c, self.cost_unit) for n, a, s, c in
                zip(self.names, self.top1, self.size_bytes, self.cost, strict=True)]

    def change(self, i: int, metric: str = "top1") -> str:
        """Variant ``i`` against the reference on ``metric`` ("top1", "top5", "edge"): "no clear
        change" when the intervals overlap, else the drop in percentage points."""
        vals = getattr(self, metric)
        return _drop_text(vals[0], vals[i])

    @property
    def summary(self) -> dict[str, Any]:
        s: dict[str, Any] = {"n": self.n, "edge_count": self.n_edge, "variant_count": len(self.names)}
        last = len(self.names) - 1
        s["reference_top1_fraction"], s["reference_top1_ci_fraction"] = self.top1[0].estimate, [
            self.top1[0].low, self.top1[0].high]
        s["last_top1_fraction"], s["last_top1_ci_fraction"] = self.top1[last].estimate, [
            self.top1[last].low, self.top1[last].high]
        s["reference_ece_fraction"], s["last_ece_fraction"] = self.ece[0], self.ece[last]
        s["reference_edge_fraction"], s["last_edge_fraction"] = self.edge[0].estimate, self.edge[last].estimate
        return s

    def _rows(self) -> list[tuple[str, str]]:
        def pct(iv):
            return f"{iv.estimate:.1%} [{iv.low:.1%}, {iv.high:.1%}]"

        rows = []
        for i, name in enumerate(self.names):
            note = "" if i == 0 else (f"; top-1 {self.change(i)}, edge {self.change(i, 'edge')} vs "
                                      f"{self.names[0]}")
            rows.append((name, f"top-1 {pct(self.top1[i])}, top-5 {pct(self.top5[i])}, ECE {self.ece[i]:.3f} "
                               f"({ece_band(min(self.ece[i], 1.0))}), edge {pct(self.edge[i])}, "
                               f"{self.size_bytes[i] / 1e3:.1f} kB{note}"))
        rows.append(("sets", f"{self.n} test, {self.n_edge} edge-case examples; Wilson 95% intervals"))
        return rows

    def _payload(self) -> dict[str, Any]:
        def iv(v):
            return [v.estimate, v.low, v.high]

        return {"variants": [{"name": n, "top1": iv(a), "top5": iv(b), "edge": iv(e), "ece": c, "size_bytes": s,
                              "cost": k} for n, a, b, e, c, s, k in
                             zip(self.names, self.top1, self.top5, self.edge, self.ece, self.size_bytes, self.cost,
                                 strict=True)]}


@validate_params({"n_bins": Range(1, 1000, integer=True), "kind": Options(("measured", "modeled")),
                  "k": Range(1, None, integer=True)})
def audit_variants(logits: Mapping[str, Callable[[np.ndarray], Any]], x: Any, y: Any, x_edge: Any, y_edge: Any,
                   size_bytes: Mapping[str, float], cost: Mapping[str, float] | None = None, cost_unit: str = "s",
                   n_bins: int = 15, k: int = 5, kind: str = "measured") -> VariantAudit:
    """Audit each variant (the first is the reference): ``logits[name](inputs)`` returns an
    (n, classes) array; ``size_bytes[name]`` its size; ``cost[name]`` its latency (s) or FLOPs
    (default: 1 for all, unit "none": the frontier is then decided by accuracy and size alone)."""
    names = tuple(logits)
    if not names or set(size_bytes) < set(names) or (cost is not None and set(cost) < set(names)):
        raise invalid("size_bytes", f"variants {list(names)}, sizes for {list(size_bytes)}",
                      "at least one variant, each with a size (and a cost if costs are given)", owner="audit_variants")
    y, ye = np.asarray(y), np.asarray(y_edge)
    top1, top5, edge, ece = [], [], [], []
    for name in names:
        z, ze = np.asarray(logits[name](x), dtype=float), np.asarray(logits[name](x_edge), dtype=float)
        if z.shape[0] != len(y) or ze.shape[0] != len(ye):
            raise invalid("logits", f"{name!r} returned {z.shape[0]} and {ze.shape[0]} rows for {len(y)} and "
                          f"{len(ye)} examples", "one row of logits per example", owner="audit_variants")
        order = np.argsort(-z, axis=1)
        top1.append(wilson_ci(int((order[:, 0] == y).sum()), len(y)))
        top5.append(wilson_ci(int((order[:, :k] == y[:, None]).any(axis=1).sum()), len(y)))
        edge.append(wilson_ci(int((ze.argmax(axis=1) == ye).sum()), len(ye)))
        ece.append(expected_calibration_error(*top_label(softmax(z, axis=1), y), n_bins=n_bins))
    warns = []
    if z.shape[1] <= k:
        warns.append(f"top-{k} accuracy with {z.shape[1]} classes is 100% by construction; report a smaller k.")
    if len(y) < 10 * n_bins:
        warns.append(f"{len(y)} test examples over {n_bins} ECE bins: ECE differences below a few hundredths are "
                     "noise; use more examples or fewer bins.")
    st = {"n_bins": n_bins, "binning": "uniform", "k": k, "cost_unit": cost_unit}
    return VariantAudit(kind=kind, settings=given_settings(**st), warnings=tuple(warns),
                        names=names, top1=tuple(top1), top5=tuple(top5), edge=tuple(edge), ece=tuple(ece),
                        size_bytes=tuple(float(size_bytes[n]) for n in names),
                        cost=tuple(float(cost[n]) if cost else 1.0 for n in names),
                        cost_unit=cost_unit if cost else "none",
                        n=len(y), n_edge=len(ye))

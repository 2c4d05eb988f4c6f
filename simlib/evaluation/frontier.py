"""The efficiency-quality frontier: which compressed variants are worth deploying.

A :class:`Variant` is one point: its accuracy (an :class:`~simlib.stats.Interval`), its size in
bytes and its cost (latency in s, or FLOPs per inference; lower is better). Variant A
**dominates** B when A is at least as good on every axis and better on one. Accuracy is measured on
a finite test set, so "at least as good" and "better" are decided with the intervals, as every
comparison of measurements in this book: overlapping accuracy intervals are *no clear difference*.
:func:`dominates` answers "yes", "no" or "unclear" (A would dominate B if the accuracy tie went
A's way, and the intervals cannot say); the Pareto front is the set of variants no other one
clearly dominates. Size and cost are taken as exact (a latency measured with noise can be given as
its interval's upper end to stay conservative).

:func:`lighthouse_1_3` recomputes the source's Lighthouse 1.3 table (MobileNetV2, FP32 vs INT8).

>>> t = lighthouse_1_3()
>>> round(t["top1_drop_pp"], 1), t["top1_acceptable"], round(t["edge_case_drop_pp"], 1)
(0.9, True, 6.8)
>>> t["ece_band_fp32"], t["ece_band_int8"], round(t["size_ratio"], 1)
('well calibrated', 'moderately calibrated', 4.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simlib._validate import Options, Range, Satisfies, invalid, validate_fields, validate_params
from simlib.evaluation.calibration import ece_band
from simlib.protocol import ResultDisplay
from simlib.stats import Interval

__all__ = ["LIGHTHOUSE_1_3", "FrontierResult", "Variant", "compare_variants", "dominates", "frontier",
           "lighthouse_1_3", "pareto_front"]

_INTERVAL = Satisfies(lambda v: isinstance(v, Interval) and 0 <= v.low <= v.estimate <= v.high <= 1,
                      "a simlib.stats.Interval of an accuracy in [0, 1] (low <= estimate <= high)",
                      valid=Interval(0.9, 0.88, 0.92, 0.95, "wilson"), invalid=0.9)


@validate_fields({"name": str, "accuracy": _INTERVAL, "size_bytes": Range(0, None, closed="neither", unit="bytes"),
                  "cost": Range(0, None, closed="neither")})
@dataclass(frozen=True)
class Variant:
    """One model variant: ``accuracy`` (fraction, with its interval), ``size_bytes``, and ``cost``
    (lower is better) in ``cost_unit`` ("s" for latency, "flops" for FLOPs per inference, "none"
    when every variant costs the same)."""

    name: str
    accuracy: Interval
    size_bytes: float
    cost: float
    cost_unit: str = "s"


def _overlap(a: Interval, b: Interval) -> bool:
    return a.low <= b.high and b.low <= a.high


def dominates(a: Variant, b: Variant) -> str:
    """Does ``a`` dominate ``b``? "yes": no worse in size and cost, accuracy no worse (intervals overlap
    or a's is clearly higher), and strictly better somewhere (clearly higher accuracy, or smaller, or
    cheaper); "unclear": a is no worse in size and cost but not better in either, and the accuracies
    overlap (no clear difference: neither dominates, measure more); "no" otherwise.

    >>> fp32 = Variant("fp32", Interval(0.95, 0.94, 0.96, 0.95, "wilson"), 4e6, 2e-3)
    >>> int8 = Variant("int8", Interval(0.948, 0.938, 0.958, 0.95, "wilson"), 1e6, 1e-3)
    >>> dominates(int8, fp32), dominates(fp32, int8)
    ('yes', 'no')
    """
    if a.cost_unit != b.cost_unit:
        raise invalid("b", f"cost in {b.cost_unit!r} against {a.cost_unit!r}", "variants with one cost unit",
                      owner="dominates")
    if a.size_bytes > b.size_bytes or a.cost > b.cost:
        return "no"
    acc_tie = _overlap(a.accuracy, b.accuracy)
    if not acc_tie and a.accuracy.estimate < b.accuracy.estimate:
        return "no"  # clearly less accurate
    if a.size_bytes < b.size_bytes or a.cost < b.cost or not acc_tie:
        return "yes"
    return "unclear"


def pareto_front(variants: Sequence[Variant]) -> list[str]:
    """Names of the variants that no other variant dominates ("yes"), in the order given."""
    return [v.name for v in variants if not any(dominates(o, v) == "yes" for o in variants if o is not v)]


@dataclass(frozen=True, repr=False)
class FrontierResult(ResultDisplay):
    """The variants, the front, and who dominates whom (decided with accuracy intervals)."""

    kind: str
    settings: dict
    warnings: tuple
    variants: tuple
    front: tuple
    dominated_by: dict  # name -> names of the variants that clearly dominate it

    @property
    def summary(self) -> dict[str, Any]:
        best = max(self.variants, key=lambda v: v.accuracy.estimate)
        return {"n": len(self.variants), "front_count": len(self.front),
                "dominated_count": sum(1 for v in self.dominated_by.values() if v),
                "best_accuracy_fraction": best.accuracy.estimate,
                "best_accuracy_ci_fraction": [best.accuracy.low, best.accuracy.high],
                "smallest_front_size_bytes": min(v.size_bytes for v in self.variants if v.name in self.front)}

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("Pareto front", ", ".join(self.front))]
        for v in self.variants:
            cost = (f"{v.cost * 1e3:.3g} ms" if v.cost_unit == "s" else "" if v.cost_unit == "none"
                    else f"{v.cost:.3g} {v.cost_unit}")
            size = f"{v.size_bytes / 1e6:.3g} MB" if v.size_bytes >= 1e6 else f"{v.size_bytes / 1e3:.3g} kB"
            by = self.dominated_by[v.name]
            rows.append((v.name, f"accuracy {v.accuracy.estimate:.1%} [{v.accuracy.low:.1%}, {v.accuracy.high:.1%}], "
                                 f"{size}{', ' + cost if cost else ''}; "
                                 + (f"dominated by {', '.join(by)}" if by else "on the front")))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"front": list(self.front), "dominated_by": {k: list(v) for k, v in self.dominated_by.items()},
                "variants": [{"name": v.name, "accuracy": v.accuracy.estimate,
                              "accuracy_ci": [v.accuracy.low, v.accuracy.high], "size_bytes": v.size_bytes,
                              "cost": v.cost, "cost_unit": v.cost_unit} for v in self.variants]}


@validate_params({"kind": Options(("measured", "modeled"))})
def frontier(variants: Sequence[Variant], kind: str = "measured") -> FrontierResult:
    """The front of ``variants`` (at least one, distinct names, one cost unit) as a result."""
    vs = tuple(variants)
    if not vs or not all(isinstance(v, Variant) for v in vs) or len({v.name for v in vs}) != len(vs):
        raise invalid("variants", f"got {len(vs)} items", "one or more Variant objects with distinct names",
                      owner="frontier")
    if len({v.cost_unit for v in vs}) > 1:
        raise invalid("variants", f"cost units {sorted({v.cost_unit for v in vs})}", "one cost unit", owner="frontier")
    by = {v.name: tuple(o.name for o in vs if o is not v and dominates(o, v) == "yes") for v in vs}
    unclear = [f"{a.name}/{b.name}" for i, a in enumerate(vs) for b in vs[i + 1:]
               if "unclear" in (dominates(a, b), dominates(b, a))]
    warns = [f"No clear difference between {', '.join(unclear)}: equal size and cost and overlapping accuracy "
             "intervals; a larger test set would separate them."] if unclear else []
    return FrontierResult(kind=kind, settings={"requested": {"n": len(vs)}, "effective": {
        "n": len(vs), "rule": "dominance with overlapping accuracy intervals treated as a tie"}},
        warnings=tuple(warns), variants=vs, front=tuple(pareto_front(vs)), dominated_by=by)


def compare_variants(a: Variant, b: Variant) -> str:
    """A sentence on ``a`` against ``b``, chosen by :func:`dominates` both ways."""
    ab, ba = dominates(a, b), dominates(b, a)
    if ab == "yes":
        return f"{a.name} dominates {b.name}"
    if ba == "yes":
        return f"{b.name} dominates {a.name}"
    if "unclear" in (ab, ba):
        return f"no clear difference between {a.name} and {b.name} (accuracy intervals overlap)"
    return f"{a.name} and {b.name} trade off (each is better on some axis): both can be on the front"


#: The source's Lighthouse 1.3 (Table 19): MobileNetV2 on ImageNet, FP32 and INT8. Fractions and
#: bytes; parameters 3.5M; the 1-percentage-point top-1 threshold the table judges against.
LIGHTHOUSE_1_3: dict[str, Any] = {
    "params": 3.5e6, "fp32_bytes": 14e6, "int8_bytes": 3.5e6, "top1_threshold_pp": 1.0,
    "fp32": {"top1": 0.718, "top5": 0.91, "ece": 0.031, "edge_case": 0.682},
    "int8": {"top1": 0.709, "top5": 0.904, "ece": 0.089, "edge_case": 0.614},
    "edge_case_share": 0.05,
}


def lighthouse_1_3() -> dict[str, Any]:
    """Every derived figure of Lighthouse 1.3 from its stated inputs: drops in percentage points,
    the ECE ratio and bands, bytes per parameter, the size ratio, and whether the top-1 drop is
    within the 1 pp threshold. The source's figures are ImageNet results quoted, not measured here."""
    L = LIGHTHOUSE_1_3
    f, i = L["fp32"], L["int8"]
    drop = {m: (f[m] - i[m]) * 100 for m in ("top1", "top5", "edge_case")}
    return {"top1_drop_pp": drop["top1"], "top5_drop_pp": drop["top5"], "edge_case_drop_pp": drop["edge_case"],
            "top1_acceptable": drop["top1"] < L["top1_threshold_pp"],
            "edge_to_top1_drop_ratio": drop["edge_case"] / drop["top1"],
            "ece_ratio": i["ece"] / f["ece"], "ece_band_fp32": ece_band(f["ece"]),
            "ece_band_int8": ece_band(i["ece"]), "fp32_bytes_per_param": L["fp32_bytes"] / L["params"],
            "int8_bytes_per_param": L["int8_bytes"] / L["params"], "size_ratio": L["fp32_bytes"] / L["int8_bytes"],
            "top1_top5_gap_pp_fp32": (f["top5"] - f["top1"]) * 100,
            "top1_top5_gap_pp_int8": (i["top5"] - i["top1"]) * 100,
            # what the 5% edge-case share contributes to the aggregate drop if the rest behaved alike
            "edge_case_share_of_top1_drop_pp": L["edge_case_share"] * drop["edge_case"]}


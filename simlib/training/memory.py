"""Training memory per parameter: weights, gradients, optimizer state, activations.

Bytes per parameter (mixed precision keeps an FP32 master copy of the weights; Adam keeps two
FP32 moments, SGD with momentum one; plain SGD none):

=================  =======  ========  ===========  ==========  =====
precision          weights  gradient  master copy  Adam state  total
=================  =======  ========  ===========  ==========  =====
fp32, Adam               4         4            0           8     16
mixed (bf16), Adam       2         2            4           8     16
=================  =======  ========  ===========  ==========  =====

(Rajbhandari et al. 2020, ZeRO, section 3.1.) Inference needs the weights alone.

>>> bytes_per_parameter("adam", "mixed")["total"]
16
>>> round(training_memory(7e9, "adam", "mixed").summary["total_bytes"] / 1e9)  # a 7B model
112
>>> round(inference_memory_bytes(7e9, "fp16") / 1e9)
14
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simlib._validate import Options, Range, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["OPTIMIZER_STATE_BYTES", "MemoryBreakdown", "bytes_per_parameter", "inference_memory_bytes",
           "training_memory"]

#: FP32 optimizer state per parameter (bytes): Adam keeps two moments, momentum SGD one.
OPTIMIZER_STATE_BYTES = {"sgd": 0, "momentum": 4, "adam": 8}
_WEIGHT_BYTES = {"fp32": 4, "mixed": 2, "fp16": 2, "bf16": 2, "int8": 1}
_OPT = Options(tuple(OPTIMIZER_STATE_BYTES))
_PREC = Options(("fp32", "mixed"))


@validate_params({"optimizer": _OPT, "precision": _PREC})
def bytes_per_parameter(optimizer: str = "adam", precision: str = "fp32") -> dict[str, int]:
    """Bytes per parameter of each training-state part, and their ``total``."""
    w = _WEIGHT_BYTES[precision]
    parts = {"weights": w, "gradients": w, "master": 4 if precision == "mixed" else 0,
             "optimizer": OPTIMIZER_STATE_BYTES[optimizer]}
    parts["total"] = sum(parts.values())
    return parts


@validate_params({"params": Range(0, None, closed="neither"), "precision": Options(tuple(_WEIGHT_BYTES))})
def inference_memory_bytes(params: float, precision: str = "fp16") -> float:
    """Weights alone (bytes): what serving needs before activations and caches."""
    return params * _WEIGHT_BYTES[precision]


@dataclass(repr=False)
class MemoryBreakdown(ResultDisplay):
    """Training memory by part (bytes): MODELED from per-parameter sizes, or MEASURED by counting
    the tensors a real training step holds (:func:`simlib.measure.training.measure_training_memory`)."""

    params: float
    parts_bytes: dict[str, float]
    optimizer: str
    precision: str
    kind: str = "modeled"
    warnings: list[str] = field(default_factory=list)

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(params=self.params, optimizer=self.optimizer, precision=self.precision)

    @property
    def total_bytes(self) -> float:
        return float(sum(self.parts_bytes.values()))

    @property
    def summary(self) -> dict[str, Any]:
        s = {f"{k}_bytes": float(v) for k, v in self.parts_bytes.items()}
        s["total_bytes"] = self.total_bytes
        s["per_parameter_bytes"] = self.total_bytes / self.params
        s["over_weights_ratio"] = self.total_bytes / self.parts_bytes["weights"]
        return s

    def _rows(self) -> list[tuple[str, str]]:
        def fmt(b: float) -> str:
            for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
                if b >= scale:
                    return f"{b / scale:.3g} {unit}"
            return f"{b:.0f} B"
        rows = [("total", f"{fmt(self.total_bytes)} for {self.params:.3g} parameters "
                          f"({self.total_bytes / self.params:.1f} B each; {self.optimizer}, {self.precision})")]
        return rows + [(k, fmt(v)) for k, v in self.parts_bytes.items()]


@validate_params({"params": Range(0, None, closed="neither"), "optimizer": _OPT, "precision": _PREC,
                  "activation_bytes": Range(0, None, unit="bytes")})
def training_memory(params: float, optimizer: str = "adam", precision: str = "fp32",
                    activation_bytes: float = 0.0) -> MemoryBreakdown:
    """MODELED training memory of a ``params``-parameter model (activations as given)."""
    per = bytes_per_parameter(optimizer, precision)
    parts = {k: float(params * v) for k, v in per.items() if k != "total" and v}
    if activation_bytes:
        parts["activations"] = float(activation_bytes)
    return MemoryBreakdown(params, parts, optimizer, precision)

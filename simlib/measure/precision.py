"""FP32 versus INT8 on ONNX Runtime: latency, size on disk, accuracy and energy per inference.

:func:`precision_study` loads the same model at each precision, times steady-state batch-1
inference with the harness (:func:`simlib.measure.time_callable`), reads the ONNX file size,
scores accuracy on held-out labels where the model has them (the digits classifier), and
reports energy per inference: measured when a meter exists (NVML or RAPL), and always a
modeled estimate from :func:`simlib.energy.decompose`, labeled "modeled".

>>> s = precision_study("digits")  # doctest: +SKIP
>>> s.rows[1]["speedup_vs_fp32"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import Options, check, validate_params
from simlib.measure.backends import Backend, open_backend
from simlib.measure.meters import auto_meter, energy_fields
from simlib.measure.timer import time_callable
from simlib.models.registry import MODELS, model_info
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["PrecisionStudy", "accuracy", "precision_study"]


def accuracy(backend: Backend, batch_size: int = 256) -> float | None:
    """Top-1 accuracy of a loaded backend on its model's held-out labels (None without labels)."""
    data = backend.spec.eval_data
    if data is None:
        return None
    x, y = data
    preds = np.concatenate([np.asarray(backend.infer(x[i:i + batch_size])).argmax(axis=1)
                            for i in range(0, len(x), batch_size)])
    return float((preds == y).mean())


@dataclass(repr=False)
class PrecisionStudy(ResultDisplay):
    """One row per precision (MEASURED latency, size and accuracy; energy measured or modeled)."""

    model: str
    backend: str
    rows: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    kind: str = "measured"

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, backend=self.backend, precisions=[r["precision"] for r in self.rows])

    @property
    def summary(self) -> dict[str, Any]:
        """Per precision (key prefix): median and p99 latency (s), size (bytes), accuracy, speedup."""
        out: dict[str, Any] = {}
        for r in self.rows:
            p = r["precision"]
            out.update({f"{p}_p50_s": r["median_s"], f"{p}_p99_s": r["p99_s"], f"{p}_cv": r["cv"],
                        f"{p}_model_bytes": r["model_bytes"], f"{p}_accuracy_fraction": r["accuracy"],
                        f"{p}_speedup_ratio": r.get("speedup_vs_fp32"),
                        f"{p}_energy_per_inference_j": (r["measured_j_per_inference"]
                                                        if r["measured_j_per_inference"] is not None
                                                        else r["modeled_j_per_inference"])})
        return out

    def _payload(self) -> dict[str, Any]:
        return {"rows": [{k: v for k, v in r.items() if k != "timing"} for r in self.rows]}

    def row(self, precision: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["precision"] == precision)

    def speed_change(self, precision: str = "int8", baseline: str = "fp32") -> str:
        """How ``precision`` changed the median latency against ``baseline``, decided with the
        two runs' 95% intervals of the median (:func:`simlib.claims.speed_change`)."""
        from simlib.claims import speed_change
        from simlib.stats import median_ci

        return speed_change(median_ci(self.row(baseline)["timing"].samples_s),
                            median_ci(self.row(precision)["timing"].samples_s))

    def table(self) -> str:
        head = f"{'precision':9s} {'median':>10s} {'p99':>10s} {'speedup':>8s} {'size':>9s} {'accuracy':>9s} {'energy/inf':>22s}"
        lines = [f"{self.model} on {self.backend}, batch 1 [MEASURED latency, size, accuracy]", head]
        for r in self.rows:
            acc = "n/a" if r["accuracy"] is None else f"{r['accuracy']:.2%}"
            if r["measured_j_per_inference"] is not None:
                e = f"{r['measured_j_per_inference'] * 1e6:.1f} uJ measured"
            else:
                e = f"{r['modeled_j_per_inference'] * 1e6:.2f} uJ modeled"
            lines.append(f"{r['precision']:9s} {r['median_s'] * 1e3:8.3f}ms {r['p99_s'] * 1e3:8.3f}ms "
                         f"{r['speedup_vs_fp32']:7.2f}x {r['model_bytes'] / 1e6:7.2f}MB {acc:>9s} {e:>22s}")
        return "\n".join(lines + [f"  note: {w}" for w in self.warnings])


@validate_params({"model": Options(MODELS)})
def precision_study(model: str = "digits", backend: str = "onnxruntime",
                    precisions: Sequence[str] = ("fp32", "int8"), *, threads: int | None = None,
                    **timer_kw: Any) -> PrecisionStudy:
    """Measure ``model`` at each precision on ``backend`` (ONNX Runtime for INT8)."""
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    for precision in precisions:
        check("precision", precision, Options(("fp32", "int8")), owner="precision_study")
        meter = auto_meter()
        b = open_backend(backend, model, precision=precision, threads=threads)
        try:
            x = b.spec.sample_inputs(1)
            meter.begin()
            timing = time_callable(lambda b=b, x=x: b.infer(x), name=f"{model} {precision}", **timer_kw)
            reading = meter.end()
            info = model_info(b.spec, getattr(b, "model_path", None))
            acc = accuracy(b)
            desc = b.describe()
        finally:
            b.close()
        eff = timing.settings["effective"]
        n_calls = int(eff.get("timed_calls", len(timing.samples_s))) + int(eff.get("warmup_calls", 0) or 0)
        # simlib.energy charges one multiply per operation: pass multiply-accumulates (FLOPs / 2)
        energy = energy_fields(reading, max(n_calls, 1), flops=info["flops_per_sample"] / 2,
                               weight_bytes=info["weight_bytes_fp32"] / (4 if precision == "int8" else 1),
                               precision=precision)
        s = timing.stats
        rows.append({
            "precision": precision, "median_s": s.median, "p99_s": s.p99, "cv": s.cv, "n": s.n,
            "model_bytes": desc.get("model_bytes") or info["weight_bytes_fp32"],
            "accuracy": acc, "params": info["params"], "flops_per_sample": info["flops_per_sample"],
            "measured_j_per_inference": energy["measured_j_per_inference"],
            "modeled_j_per_inference": (energy.get("modeled") or {}).get("energy_j"),
            "timing": timing,
        })
        warnings.extend(f"{precision}: {w}" for w in timing.all_warnings)
        if energy["measured_energy_j"] is None:
            warnings.extend(n for n in energy["notes"] if n not in warnings)
    base = rows[0]["median_s"]
    for r in rows:
        r["speedup_vs_fp32"] = base / r["median_s"]
    return PrecisionStudy(model, backend, rows, warnings)

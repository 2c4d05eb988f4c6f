"""Static INT8 quantization with ONNX Runtime, calibrated on real inputs (cached, atomic).

QDQ format, per-channel signed INT8 weights, and activations as unsigned INT8 by default:
on x86 CPUs with AVX-512 VNNI/AVX2, ONNX Runtime's fast integer kernels (u8 x s8) expect
unsigned activations; signed activations (``activation_type="int8"``) often fall back to
slower paths (``benchmarks/bench_harness.py`` compares both). Calibration (MinMax) uses the
model's real inputs (:meth:`ModelSpec.sample_inputs`).

>>> from simlib.models.registry import get_model
>>> p = quantize_int8(get_model("digits"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simlib._validate import Options, Range, validate_params
from simlib.models.cache import atomic_write, cache_dir, config_key
from simlib.models.export import export_onnx
from simlib.models.registry import ModelSpec

__all__ = ["quantize_int8"]


class _Reader:
    def __init__(self, name: str, data: np.ndarray, batch: int = 8) -> None:
        self._it = iter([{name: data[i:i + batch]} for i in range(0, len(data), batch)])

    def get_next(self):
        return next(self._it, None)


@validate_params({"calib_samples": Range(1, None, integer=True), "activation_type": Options(("uint8", "int8"))})
def quantize_int8(spec: ModelSpec, fp32_path: str | Path | None = None, *, calib_samples: int = 64,
                  activation_type: str = "uint8", per_channel: bool = True,
                  use_cache: bool = True) -> Path:
    """Statically quantize the model's ONNX file; returns the INT8 model's path."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    fp32_path = Path(fp32_path) if fp32_path else export_onnx(spec)
    key = config_key({"src": fp32_path.name, "n": calib_samples, "act": activation_type,
                      "pc": per_channel})
    out = cache_dir() / f"{spec.name}-{key}-int8.onnx"
    if use_cache and out.exists():
        return out
    data = spec.sample_inputs(calib_samples, seed=1)
    reader = type("Reader", (_Reader, CalibrationDataReader), {})(spec.input_name, data)
    act = QuantType.QUInt8 if activation_type == "uint8" else QuantType.QInt8
    extra = {"ActivationSymmetric": activation_type == "int8"}
    op_types = None
    if spec.dtype == "int64":  # token ids: leave the embedding gather in float
        op_types = ["MatMul", "Gemm", "Conv", "Add", "Mul"]
    import logging

    import onnxruntime as ort

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_static's "consider pre-processing" advice
    ort.set_default_logger_severity(3)  # graph-cleanup chatter
    try:
        atomic_write(out, lambda tmp: quantize_static(
            str(fp32_path), tmp, reader, quant_format=QuantFormat.QDQ, activation_type=act,
            weight_type=QuantType.QInt8, per_channel=per_channel, extra_options=extra,
            op_types_to_quantize=op_types))
    finally:
        root.setLevel(level)
        ort.set_default_logger_severity(2)
    return out

"""Cold start arithmetic: the physical lower bound on loading a model's weights.

Before the first prediction, every weight must travel from storage (disk, host memory) to the
memory the accelerator computes from. That takes at least ``bytes / bandwidth``, before any
framework initialization, kernel compilation or cache warm-up, which a measured cold start adds
on top (:func:`simlib.measure.open_backend` records ``load_s`` and ``first_inference_s``).

The source chapter's footnote on cold-start latency: a 7B-parameter model in FP16 is ~14 GB;
over PCIe 4.0 at an effective 25 GB/s that is ~560 ms for the transfer alone.

>>> round(weight_load_time_s(7e9, "fp16", 25e9), 3)
0.56
>>> weight_bytes(7e9, "int8") / 1e9
7.0
"""

from __future__ import annotations

from simlib._validate import Options, Range, validate_params

__all__ = ["BYTES_PER_PARAM", "weight_bytes", "weight_load_time_s"]

#: Storage per parameter by precision (bytes).
BYTES_PER_PARAM = {"fp32": 4.0, "tf32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}


@validate_params({"n_params": Range(0, None, closed="neither"), "precision": Options(BYTES_PER_PARAM)})
def weight_bytes(n_params: float, precision: str = "fp16") -> float:
    """Bytes of weights for ``n_params`` parameters stored at ``precision``."""
    return float(n_params) * BYTES_PER_PARAM[precision]


@validate_params({"bandwidth_bytes_per_s": Range(0, None, closed="neither", unit="bytes/s")})
def weight_load_time_s(n_params: float, precision: str, bandwidth_bytes_per_s: float) -> float:
    """Lower bound on the time to move the weights at ``bandwidth_bytes_per_s`` (seconds)."""
    return weight_bytes(n_params, precision) / float(bandwidth_bytes_per_s)

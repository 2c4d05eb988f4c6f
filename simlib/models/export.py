"""Export a :class:`~simlib.models.registry.ModelSpec` to ONNX (cached, atomic).

Uses the TorchScript-based exporter (``dynamo=False``): it needs no onnxscript and exports these
small models in about a second. (torch 2.13's default, ``dynamo=True``, needs onnxscript.)
The batch dimension is dynamic so one file serves every batch size.

>>> from simlib.models.registry import get_model
>>> p = export_onnx(get_model("digits"))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from simlib.models.cache import atomic_write, cache_dir, config_key
from simlib.models.registry import ModelSpec

__all__ = ["export_onnx"]

OPSET = 17


def export_onnx(spec: ModelSpec, path: str | Path | None = None, opset: int = OPSET,
                use_cache: bool = True) -> Path:
    """Write ``spec.module`` as ONNX; returns the path (in the cache unless ``path`` is given)."""
    key = config_key({"name": spec.name, **spec.config, "opset": opset, "torch": torch.__version__})
    path = Path(path) if path else cache_dir() / f"{spec.name}-{key}-fp32.onnx"
    if use_cache and path.exists():
        return path
    x = torch.from_numpy(spec.sample_inputs(2))

    def write(tmp: str) -> None:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(spec.module, (x,), tmp, dynamo=False, opset_version=opset,
                              input_names=[spec.input_name], output_names=["output"],
                              dynamic_axes={spec.input_name: {0: "batch"}, "output": {0: "batch"}})

    return atomic_write(path, write)

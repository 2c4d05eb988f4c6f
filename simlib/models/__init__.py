"""Small real models, defined in code (nothing downloaded), their ONNX export and INT8 version.

- ``get_model("cnn", width=0.5, resolution=128)``: MobileNetV2-style CNN (random, seeded weights)
- ``get_model("encoder", layers=2, hidden=128, seq_len=64)``: BERT-style encoder
- ``get_model("digits")``: an MLP trained on scikit-learn's digits (cached after the first run)

:func:`export_onnx` and :func:`quantize_int8` write cached files; :func:`model_info` reports
parameters, bytes, FLOPs; :func:`accuracy` scores a backend on held-out labels.

>>> spec = get_model("cnn", width=0.35, resolution=64)
>>> model_info(spec)["flops_per_sample"] > 0
True
"""

from simlib.models.cache import cache_dir
from simlib.models.export import export_onnx
from simlib.models.quantize import quantize_int8
from simlib.models.registry import MODELS, ModelSpec, count_flops, get_model, model_info

__all__ = ["MODELS", "ModelSpec", "cache_dir", "count_flops", "export_onnx", "get_model",
           "model_info", "quantize_int8"]

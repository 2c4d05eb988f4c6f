"""The named models the book measures, with real input data and facts (parameters, FLOPs, size).

``get_model(name, **config)`` returns a :class:`ModelSpec`: the torch module, its config, and
functions giving real inputs: crops of scikit-learn's two bundled photos for the CNN, UTF-8
bytes of English text (Python's own docstrings) for the encoder, held-out digits for the
classifier. The same inputs calibrate INT8 quantization.

>>> spec = get_model("digits")
>>> spec.sample_inputs(4).shape, spec.eval_data is not None
((4, 64), True)
>>> model_info(spec)["params"]
26122
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from simlib._validate import InvalidParameterError

__all__ = ["MODELS", "ModelSpec", "get_model", "model_info"]

MODELS = ("cnn", "encoder", "digits")
_IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
_IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)


@dataclass
class ModelSpec:
    """A model plus what is needed to feed it real data (inputs are numpy, batch first)."""

    name: str
    module: torch.nn.Module
    config: dict[str, Any]
    sample_shape: tuple[int, ...]
    dtype: str
    _inputs: Callable[[int, int], np.ndarray] = field(repr=False)
    eval_data: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    input_name: str = "input"

    def sample_inputs(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` real inputs (batch of shape (n, *sample_shape))."""
        return self._inputs(n, seed)


def photo_crops(n: int, resolution: int, seed: int = 0) -> np.ndarray:
    """Random crops of scikit-learn's bundled photos, resized and ImageNet-normalized (NCHW)."""
    from sklearn.datasets import load_sample_images

    imgs = [np.asarray(i, dtype=np.float32) / 255.0 for i in load_sample_images().images]
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3, resolution, resolution), dtype=np.float32)
    for k in range(n):
        img = imgs[k % len(imgs)]
        h, w, _ = img.shape
        side = int(rng.integers(min(h, w) // 3, min(h, w)))
        y0, x0 = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crop = torch.from_numpy(np.ascontiguousarray(img[y0:y0 + side, x0:x0 + side].transpose(2, 0, 1)))
        out[k] = torch.nn.functional.interpolate(crop[None], size=(resolution, resolution),
                                                 mode="bilinear", align_corners=False)[0].numpy()
    return (out - _IMAGENET_MEAN) / _IMAGENET_STD


def text_tokens(n: int, seq_len: int, vocab: int, seed: int = 0) -> np.ndarray:
    """Windows of ``seq_len`` byte tokens (UTF-8 byte + 1) from English text: stdlib docstrings."""
    import collections
    import json as _json
    import os
    import pathlib

    text = "\n".join(inspect.getdoc(m) or "" for m in (collections, _json, os, pathlib, inspect, np))
    ids = (np.frombuffer(text.encode(), dtype=np.uint8).astype(np.int64) + 1) % vocab
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, max(1, ids.size - seq_len), size=n)
    return np.stack([ids[s:s + seq_len] for s in starts])


def get_model(name: str, **config: Any) -> ModelSpec:
    """Build a named model: "cnn" (MobileNetV2-style), "encoder" (BERT-style) or "digits".

    ``config`` goes to the builder: cnn(width, resolution, num_classes, seed), encoder(layers,
    hidden, heads, seq_len, vocab, seed), digits(hidden, epochs, seed).
    """
    if name == "cnn":
        from simlib.models.cnn import mobilenet_v2

        cfg = {"width": 0.5, "resolution": 128, "num_classes": 1000, "seed": 0, **config}
        r = cfg["resolution"]
        return ModelSpec("cnn", mobilenet_v2(**cfg), cfg, (3, r, r), "float32",
                         lambda n, seed=0: photo_crops(n, r, seed))
    if name == "encoder":
        from simlib.models.encoder import bert_encoder

        cfg = {"layers": 2, "hidden": 128, "heads": 2, "seq_len": 64, "vocab": 8192, "seed": 0, **config}
        s, v = cfg["seq_len"], cfg["vocab"]
        return ModelSpec("encoder", bert_encoder(**cfg), cfg, (s,), "int64",
                         lambda n, seed=0: text_tokens(n, s, v, seed), input_name="input_ids")
    if name == "digits":
        from simlib.models.digits import digits_classifier, digits_data

        cfg = {"hidden": 128, "epochs": 60, "seed": 0, **config}
        x_tr, _, x_te, y_te = digits_data(cfg["seed"])

        def inputs(n: int, seed: int = 0) -> np.ndarray:
            idx = np.random.default_rng(seed).integers(0, len(x_tr), size=n)
            return x_tr[idx]

        return ModelSpec("digits", digits_classifier(**cfg), cfg, (64,), "float32", inputs,
                         eval_data=(x_te, y_te))
    raise InvalidParameterError(f"The 'model' parameter must be one of {list(MODELS)}. Got {name!r} instead.")


def count_flops(spec: ModelSpec, batch: int = 1) -> int:
    """FLOPs of one forward pass (a multiply-add counts 2), from torch's FlopCounterMode."""
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.from_numpy(spec.sample_inputs(batch))
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        spec.module(x)
    return int(fc.get_total_flops())


def model_info(spec: ModelSpec, onnx_path: Any = None) -> dict[str, Any]:
    """Parameters, FP32 weight bytes, FLOPs per sample, ONNX file size (when given), config."""
    import os

    params = sum(p.numel() for p in spec.module.parameters())
    info = {"name": spec.name, "config": spec.config, "params": int(params),
            "weight_bytes_fp32": int(params * 4), "flops_per_sample": count_flops(spec),
            "sample_shape": list(spec.sample_shape), "input_dtype": spec.dtype}
    if onnx_path is not None:
        info["onnx_bytes"] = os.path.getsize(onnx_path)
    return info

"""Whole models, layer by layer: FLOP, parameters and traffic at a batch size and precision.

Each model is a function of (batch, dtype, seq_len) returning its layers as
:class:`~simlib.roofline.ops.OpCount` for the whole batch, so weights are read once per batch
and activations grow with it. Parameter counts match the reference implementations
(torchvision MobileNetV2 / ResNet-50, Hugging Face BERT): see ``tests/test_roofline_models.py``.

>>> c = cost("bert-base", batch=1, dtype="fp32", traffic="weights")
>>> round(c.flops / 1e9, 1), round(c.params / 1e6, 1), round(c.bytes / 1e6)
(22.4, 109.5, 438)
>>> round(cost("mobilenetv2").flops / 1e6)
602
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simlib._validate import Options, Range, check
from simlib.roofline.ops import (
    OpCount,
    attention,
    conv2d,
    dtype_bytes,
    elementwise,
    embedding,
    layernorm,
    linear,
)

__all__ = ["ModelCost", "cost", "layers", "model_names"]


@dataclass(frozen=True)
class ModelCost:
    """Totals for one forward pass of ``batch`` samples. ``bytes`` follows ``traffic``."""

    model: str
    batch: int
    dtype: str
    traffic: str
    flops: float
    params: int
    weight_bytes: float
    activation_bytes: float
    layers: tuple[OpCount, ...]

    @property
    def bytes(self) -> float:
        if self.traffic == "weights":
            return self.params * dtype_bytes(self.dtype)
        return self.weight_bytes + self.activation_bytes

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes


def _bert(batch: int, dtype: str, seq_len: int | None, *, d: int = 768, n_layers: int = 12,
          heads: int = 12, ffn: int = 3072, vocab: int = 30522, max_pos: int = 512) -> tuple[list[OpCount], int]:
    s = 128 if seq_len is None else seq_len
    t = batch * s
    ops = [embedding(t, d, vocab, dtype), elementwise(t * d, dtype, n_inputs=3, flops_per_element=2),
           layernorm(t, d, dtype)]
    for _ in range(n_layers):
        ops += [
            linear(t, d, 3 * d, dtype),
            attention(s, d, heads, dtype, batch=batch),
            linear(t, d, d, dtype),
            elementwise(t * d, dtype),  # residual
            layernorm(t, d, dtype),
            linear(t, d, ffn, dtype),
            elementwise(t * ffn, dtype, n_inputs=1, flops_per_element=8),  # GELU
            linear(t, ffn, d, dtype),
            elementwise(t * d, dtype),
            layernorm(t, d, dtype),
        ]
    ops.append(linear(batch, d, d, dtype))  # pooler on the [CLS] token
    per_layer = 4 * (d * d + d) + 2 * d * ffn + ffn + d + 2 * 2 * d
    params = vocab * d + max_pos * d + 2 * d + 2 * d + n_layers * per_layer + d * d + d
    return ops, params


def _bert_large(batch: int, dtype: str, seq_len: int | None) -> tuple[list[OpCount], int]:
    return _bert(batch, dtype, seq_len, d=1024, n_layers=24, heads=16, ffn=4096)


def _conv_bn(n: int, cin: int, hw: int, cout: int, k: int, stride: int, dtype: str,
             groups: int = 1) -> tuple[OpCount, int, int]:
    """A conv followed by BatchNorm (folded into a per-channel bias at inference)."""
    op = conv2d(n, cin, hw, hw, cout, k, stride, groups=groups, dtype=dtype, bias=True)
    params = cout * (cin // groups) * k * k + 2 * cout  # BN gamma, beta
    return op, params, (hw + 2 * (k // 2) - k) // stride + 1


def _mobilenetv2(batch: int, dtype: str, seq_len: int | None) -> tuple[list[OpCount], int]:
    hw = 224 if seq_len is None else seq_len  # image side for CNNs
    ops, params = [], 0
    op, p, hw = _conv_bn(batch, 3, hw, 32, 3, 2, dtype)
    ops.append(op)
    params += p
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            if t != 1:
                op, p, _ = _conv_bn(batch, cin, hw, hidden, 1, 1, dtype)
                ops.append(op)
                params += p
            op, p, hw2 = _conv_bn(batch, hidden, hw, hidden, 3, stride, dtype, groups=hidden)
            ops.append(op)
            params += p
            op, p, _ = _conv_bn(batch, hidden, hw2, c, 1, 1, dtype)
            ops.append(op)
            params += p
            if stride == 1 and cin == c:
                ops.append(elementwise(batch * c * hw2 * hw2, dtype))
            cin, hw = c, hw2
    op, p, hw = _conv_bn(batch, cin, hw, 1280, 1, 1, dtype)
    ops += [op, elementwise(batch * 1280 * hw * hw, dtype, n_inputs=1), linear(batch, 1280, 1000, dtype)]
    params += p + 1280 * 1000 + 1000
    return ops, params


def _resnet50(batch: int, dtype: str, seq_len: int | None) -> tuple[list[OpCount], int]:
    hw = 224 if seq_len is None else seq_len
    op, params, hw = _conv_bn(batch, 3, hw, 64, 7, 2, dtype)
    ops = [op]
    hw = (hw + 2 - 3) // 2 + 1  # 3x3 max-pool, stride 2
    cin = 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            st = stride if i == 0 else 1
            out = width * 4
            a, pa, _ = _conv_bn(batch, cin, hw, width, 1, 1, dtype)
            b, pb, hw2 = _conv_bn(batch, width, hw, width, 3, st, dtype)
            c, pc, _ = _conv_bn(batch, width, hw2, out, 1, 1, dtype)
            ops += [a, b, c, elementwise(batch * out * hw2 * hw2, dtype)]
            params += pa + pb + pc
            if i == 0:
                d, pd, _ = _conv_bn(batch, cin, hw, out, 1, st, dtype)
                ops.append(d)
                params += pd
            cin, hw = out, hw2
    ops.append(linear(batch, 2048, 1000, dtype))
    params += 2048 * 1000 + 1000
    return ops, params


_MODELS: dict[str, Callable[[int, str, int | None], tuple[list[OpCount], int]]] = {
    "bert-base": _bert,
    "bert-large": _bert_large,
    "mobilenetv2": _mobilenetv2,
    "resnet50": _resnet50,
}


def model_names() -> list[str]:
    """Models that :func:`cost` knows."""
    return list(_MODELS)


def layers(model: str, batch: int = 1, dtype: str = "fp32", seq_len: int | None = None) -> list[OpCount]:
    """The model's operators, each counted for the whole batch."""
    check("model", model, Options(_MODELS), owner="roofline.models")
    check("batch", batch, Range(1, None, integer=True), owner="roofline.models")
    dtype_bytes(dtype)
    if seq_len is not None:
        check("seq_len", seq_len, Range(1, None, integer=True), owner="roofline.models")
    return _MODELS[model](batch, dtype, seq_len)[0]


def cost(model: str, batch: int = 1, dtype: str = "fp32", traffic: str = "weights+activations",
         seq_len: int | None = None) -> ModelCost:
    """FLOP, parameters and bytes of one forward pass of ``batch`` samples.

    ``seq_len`` is the sequence length for transformers (default 128) or the image side for
    CNNs (default 224). ``traffic="weights"`` counts every parameter once and nothing else (the
    source chapter's "weights-only" model); the default adds activations read and written by
    each layer.
    """
    check("traffic", traffic, Options(("weights", "weights+activations")), owner="roofline.models.cost")
    ops = layers(model, batch, dtype, seq_len)
    params = _MODELS[model](1, dtype, seq_len)[1]
    return ModelCost(model=model, batch=batch, dtype=dtype, traffic=traffic,
                     flops=sum(o.flops for o in ops), params=params,
                     weight_bytes=sum(o.weight_bytes for o in ops),
                     activation_bytes=sum(o.activation_bytes for o in ops), layers=tuple(ops))

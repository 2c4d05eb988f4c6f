"""FLOP and byte counts of common operators (one multiply-add counts as 2 FLOP).

Bytes are the minimum off-chip traffic: every input read once, every output written once (a
perfectly tiled kernel). ``weight_bytes`` is the part that does not grow with batch; a model
reads its weights once per batch (see :mod:`simlib.roofline.models`).

>>> g = gemm(4096, 4096, 4096, "fp16")
>>> g.flops / 1e9, round(g.intensity)
(137.438953472, 1365)
>>> round(elementwise(1_000_000, "fp32").intensity, 3)
0.083
"""

from __future__ import annotations

from dataclasses import dataclass

from simlib._validate import Options, Range, check

__all__ = [
    "DTYPE_BYTES",
    "OpCount",
    "attention",
    "conv2d",
    "depthwise_conv2d",
    "dtype_bytes",
    "elementwise",
    "embedding",
    "gemm",
    "layernorm",
    "linear",
    "softmax",
]

#: Storage bytes per element. tf32 is stored as fp32; int4 packs two per byte.
DTYPE_BYTES = {"fp64": 8, "fp32": 4, "tf32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1, "int4": 0.5}

_POS_INT = Range(1, None, integer=True)


def dtype_bytes(dtype: str) -> float:
    """Bytes per element of ``dtype`` (a precision name such as "fp16")."""
    return DTYPE_BYTES[check("dtype", dtype, Options(DTYPE_BYTES), owner="dtype_bytes")]


@dataclass(frozen=True)
class OpCount:
    """FLOP and bytes of one operator (or a sum of them). ``intensity`` in FLOP/byte."""

    name: str
    flops: float
    weight_bytes: float
    activation_bytes: float

    @property
    def bytes(self) -> float:
        return self.weight_bytes + self.activation_bytes

    @property
    def intensity(self) -> float:
        """FLOP per byte of traffic (0 for pure data movement such as an embedding lookup)."""
        return self.flops / self.bytes if self.bytes else float("inf")

    def __add__(self, other: OpCount) -> OpCount:
        return OpCount(f"{self.name}+{other.name}", self.flops + other.flops,
                       self.weight_bytes + other.weight_bytes,
                       self.activation_bytes + other.activation_bytes)


def _ints(owner: str, **kw: int) -> None:
    for k, v in kw.items():
        check(k, v, _POS_INT, owner=owner)


def gemm(m: int, n: int, k: int, dtype: str = "fp32", *, batch: int = 1,
         b_is_weight: bool = False) -> OpCount:
    """C[m,n] = A[m,k] @ B[k,n], ``batch`` times: 2mnk FLOP each; reads A and B, writes C.

    With ``b_is_weight`` B is a weight shared across the batch (read once).
    """
    _ints("gemm", m=m, n=n, k=k, batch=batch)
    s = dtype_bytes(dtype)
    b_bytes = k * n * s * (1 if b_is_weight else batch)
    act = batch * (m * k + m * n) * s
    return OpCount(f"gemm {m}x{n}x{k}", 2.0 * m * n * k * batch,
                   b_bytes if b_is_weight else 0.0, act + (0.0 if b_is_weight else b_bytes))


def linear(tokens: int, in_features: int, out_features: int, dtype: str = "fp32",
           bias: bool = True) -> OpCount:
    """A dense layer over ``tokens`` rows: a GEMM whose weight is read once."""
    g = gemm(tokens, out_features, in_features, dtype, b_is_weight=True)
    extra = out_features * dtype_bytes(dtype) if bias else 0.0
    return OpCount(f"linear {in_features}->{out_features}", g.flops + (tokens * out_features if bias else 0),
                   g.weight_bytes + extra, g.activation_bytes)


def conv2d(n: int, c_in: int, h: int, w: int, c_out: int, kernel: int = 3, stride: int = 1,
           padding: int | None = None, groups: int = 1, dtype: str = "fp32", bias: bool = False) -> OpCount:
    """2-D convolution, NCHW input ``n x c_in x h x w``; ``padding`` default keeps "same" size.

    FLOP = 2 x N x H_out x W_out x C_out x (C_in/groups) x k^2; weights C_out x C_in/groups x k^2.
    """
    _ints("conv2d", n=n, c_in=c_in, h=h, w=w, c_out=c_out, kernel=kernel, stride=stride, groups=groups)
    if c_in % groups or c_out % groups:
        check("groups", groups, Options([g for g in range(1, c_in + 1) if c_in % g == 0 and c_out % g == 0]),
              owner="conv2d")
    pad = kernel // 2 if padding is None else padding
    ho = (h + 2 * pad - kernel) // stride + 1
    wo = (w + 2 * pad - kernel) // stride + 1
    s = dtype_bytes(dtype)
    macs = n * ho * wo * c_out * (c_in // groups) * kernel * kernel
    weights = c_out * (c_in // groups) * kernel * kernel + (c_out if bias else 0)
    return OpCount(f"conv{kernel}x{kernel} {c_in}->{c_out}/{stride}" + (f" g{groups}" if groups > 1 else ""),
                   2.0 * macs, weights * s, n * (c_in * h * w + c_out * ho * wo) * s)


def depthwise_conv2d(n: int, c: int, h: int, w: int, kernel: int = 3, stride: int = 1,
                     dtype: str = "fp32") -> OpCount:
    """Depthwise convolution: one k x k filter per channel (groups = channels). Low intensity."""
    return conv2d(n, c, h, w, c, kernel, stride, groups=c, dtype=dtype)


def elementwise(numel: int, dtype: str = "fp32", *, n_inputs: int = 2, flops_per_element: float = 1) -> OpCount:
    """An element-wise op (add, mul, ReLU...): reads ``n_inputs`` tensors, writes one."""
    _ints("elementwise", numel=numel, n_inputs=n_inputs)
    check("flops_per_element", flops_per_element, Range(0, None), owner="elementwise")
    s = dtype_bytes(dtype)
    return OpCount("elementwise", float(numel * flops_per_element), 0.0, numel * (n_inputs + 1) * s)


def softmax(rows: int, cols: int, dtype: str = "fp32") -> OpCount:
    """Row-wise softmax: ~5 FLOP per element (max, subtract, exp, sum, divide); read + write."""
    _ints("softmax", rows=rows, cols=cols)
    s = dtype_bytes(dtype)
    return OpCount("softmax", 5.0 * rows * cols, 0.0, 2 * rows * cols * s)


def layernorm(rows: int, cols: int, dtype: str = "fp32") -> OpCount:
    """LayerNorm over the last dim: ~8 FLOP per element (mean, variance, normalize, scale, shift)."""
    _ints("layernorm", rows=rows, cols=cols)
    s = dtype_bytes(dtype)
    return OpCount("layernorm", 8.0 * rows * cols, 2 * cols * s, 2 * rows * cols * s)


def attention(seq_len: int, d_model: int, heads: int, dtype: str = "fp32", *, batch: int = 1,
              fused: bool = False) -> OpCount:
    """Scaled dot-product attention core (QK^T, softmax, x V) at a sequence length.

    FLOP: 2 x 2 x S^2 x d_model (two GEMMs) + softmax over heads x S x S. Bytes: Q, K, V read and
    the output written; unless ``fused`` (FlashAttention-style), the S x S score matrix is also
    written and read back twice (after QK^T and after softmax).
    """
    _ints("attention", seq_len=seq_len, d_model=d_model, heads=heads, batch=batch)
    s = dtype_bytes(dtype)
    flops = batch * (4.0 * seq_len * seq_len * d_model + 5.0 * heads * seq_len * seq_len)
    qkvo = batch * 4 * seq_len * d_model * s
    scores = 0 if fused else batch * 4 * heads * seq_len * seq_len * s
    return OpCount(f"attention S={seq_len}", flops, 0.0, qkvo + scores)


def embedding(tokens: int, dim: int, vocab: int, dtype: str = "fp32") -> OpCount:
    """Embedding lookup: no arithmetic; reads ``tokens`` rows of the table and writes them.

    The table (``vocab x dim``) is a weight, but only the looked-up rows are read.
    """
    _ints("embedding", tokens=tokens, dim=dim, vocab=vocab)
    s = dtype_bytes(dtype)
    rows = min(tokens, vocab)
    return OpCount("embedding", 0.0, rows * dim * s, tokens * dim * s)

"""A BERT-style Transformer encoder (Devlin et al., 2019), defined in code with random weights.

Token + position embeddings, ``layers`` post-LayerNorm blocks (multi-head self-attention,
GELU feed-forward of 4x hidden), and a classifier on the first token. Attention is written
with plain matmuls so the ONNX export and INT8 quantization see ordinary MatMul nodes.

>>> m = bert_encoder(layers=1, hidden=32, heads=2, seq_len=16, vocab=100)
>>> import torch
>>> m(torch.zeros(2, 16, dtype=torch.long)).shape
torch.Size([2, 2])
"""

from __future__ import annotations

import math

import torch
from torch import nn

from simlib._validate import Range, invalid, validate_params

__all__ = ["bert_encoder"]


class _Block(nn.Module):
    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.heads, self.dk = heads, hidden // heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden)
        self.ff = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(), nn.Linear(4 * hidden, hidden))
        self.ln2 = nn.LayerNorm(hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, h = x.shape
        q, k, v = self.qkv(x).reshape(b, s, 3, self.heads, self.dk).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.dk), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.out(y))
        return self.ln2(x + self.ff(x))


class BertEncoder(nn.Module):
    def __init__(self, layers: int, hidden: int, heads: int, seq_len: int, vocab: int,
                 num_classes: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Parameter(torch.randn(1, seq_len, hidden) * 0.02)
        self.ln = nn.LayerNorm(hidden)
        self.blocks = nn.Sequential(*[_Block(hidden, heads) for _ in range(layers)])
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.ln(self.tok(ids) + self.pos[:, : ids.shape[1]])
        return self.head(self.blocks(x)[:, 0])


@validate_params({"layers": Range(1, 48, integer=True), "hidden": Range(8, 4096, integer=True),
                  "heads": Range(1, 4096, integer=True), "seq_len": Range(1, 4096, integer=True, unit="tokens"),
                  "vocab": Range(2, None, integer=True)})
def bert_encoder(layers: int = 2, hidden: int = 128, heads: int = 2, seq_len: int = 64,
                 vocab: int = 8192, num_classes: int = 2, seed: int = 0) -> nn.Module:
    """A BERT-style encoder in eval mode; input: int64 token ids of shape (batch, seq_len)."""
    if hidden % heads:  # cross-parameter: each head gets hidden / heads dimensions
        raise invalid("heads", f"is {heads!r}, which does not divide hidden = {hidden}",
                      f"an integer in [1, {hidden}] that divides {hidden}", owner="bert_encoder")
    torch.manual_seed(seed)
    return BertEncoder(layers, hidden, heads, seq_len, vocab, num_classes).eval()

"""A MobileNetV2-style CNN (Sandler et al., 2018), defined in code with random weights.

Inverted residual blocks (1x1 expand, 3x3 depthwise, 1x1 linear projection), a width
multiplier that scales every channel count (rounded to a multiple of 8), and any input
resolution divisible by 32. Nothing is downloaded: the weights are random but seeded, which is
enough for latency, throughput, FLOPs and energy (not for accuracy).

>>> m = mobilenet_v2(width=0.35, resolution=64, num_classes=10)
>>> import torch
>>> m(torch.zeros(1, 3, 64, 64)).shape
torch.Size([1, 10])
"""

from __future__ import annotations

import torch
from torch import nn

from simlib._validate import Range, Satisfies, validate_params

__all__ = ["mobilenet_v2"]

# (expansion t, output channels c, repeats n, first stride s): the MobileNetV2 paper's table 2
_CFG = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
        (6, 160, 3, 2), (6, 320, 1, 1)]


def _div8(v: float) -> int:
    new = max(8, int(v + 4) // 8 * 8)
    return new + 8 if new < 0.9 * v else new


def _cbr(cin: int, cout: int, k: int, stride: int, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class _InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, t: int) -> None:
        super().__init__()
        hidden = cin * t
        layers = [] if t == 1 else [_cbr(cin, hidden, 1, 1)]
        layers += [_cbr(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x) if self.residual else self.block(x)


class MobileNetV2(nn.Module):
    def __init__(self, width: float, num_classes: int) -> None:
        super().__init__()
        cin = _div8(32 * width)
        last = _div8(1280 * max(1.0, width))
        layers: list[nn.Module] = [_cbr(3, cin, 3, 2)]
        for t, c, n, s in _CFG:
            cout = _div8(c * width)
            for i in range(n):
                layers.append(_InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(_cbr(cin, last, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(last, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x).mean(dim=(2, 3))
        return self.classifier(x)


_RESOLUTION = Satisfies(lambda r: Range(32, 1024, integer=True).accepts(r) and r % 32 == 0,
                        "an integer multiple of 32 in [32, 1024] pixels", valid=128, invalid=100)


@validate_params({"width": Range(0.1, 2.0), "resolution": _RESOLUTION, "num_classes": Range(2, None, integer=True)})
def mobilenet_v2(width: float = 0.5, resolution: int = 128, num_classes: int = 1000,
                 seed: int = 0) -> nn.Module:
    """A MobileNetV2-style network in eval mode (random, seeded weights).

    ``width`` scales channel counts (the paper's 0.35-1.4); ``resolution`` (pixels, a multiple of
    32) is only validated here and recorded: the network accepts any size.
    """
    torch.manual_seed(seed)
    m = MobileNetV2(width, num_classes)
    for mod in m.modules():  # non-trivial BN statistics so that folding and INT8 ranges are realistic
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.1, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
    return m.eval()

"""The opening section's worked numbers (source chapter, Definition 1.1, Lighthouse 1.1 and the
"end-to-end beats component metrics" principle; seed lines 17-38), recomputed.

- :func:`peak_gap`: a device's peak rate from the hardware catalog against the sustained rate a
  model-FLOP utilization (MFU) range gives, and the peak-to-sustained gap (Definition 1.1: an A100
  at 312 TFLOP/s BF16 and 30-50% MFU);
- :func:`end_to_end_speedup`: Amdahl's law for one sped-up stage of a pipeline (the 3x faster
  10 ms model stage inside a 50 ms request), through :func:`simlib.scaling.amdahl_speedup`;
- :func:`lighthouse_intro`: Lighthouse 1.1 (MobileNetV2 deployment validation): the INT8 size
  reduction from the model's parameter count and the EdgeTPU's claimed speedup over the CPU,
  from the same claims :mod:`simlib.lighthouse` uses for the inference chapter's Lighthouse table.

Everything here is MODELED arithmetic on stated inputs.

>>> g = peak_gap()
>>> round(g.sustained_low_flops_per_s / 1e12, 1), round(g.sustained_high_flops_per_s / 1e12, 1)
(93.6, 156.0)
>>> round(g.gap_low_ratio, 2), round(g.gap_high_ratio, 2)
(2.0, 3.33)
>>> round(end_to_end_speedup(0.010, 0.050, 3.0), 3)
1.154
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simlib._validate import Range, invalid, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["LighthouseIntro", "PeakGap", "end_to_end_speedup", "lighthouse_intro", "peak_gap"]

_FRAC = Range(0, 1, closed="right")


@dataclass(frozen=True, repr=False)
class PeakGap(ResultDisplay):
    """Peak against sustained throughput (MODELED: catalog peak x MFU). Rates in FLOP/s."""

    device: str
    precision: str
    peak_flops_per_s: float
    mfu_low: float
    mfu_high: float

    kind = "modeled"
    warnings = ()

    @property
    def sustained_low_flops_per_s(self) -> float:
        return self.peak_flops_per_s * self.mfu_low

    @property
    def sustained_high_flops_per_s(self) -> float:
        return self.peak_flops_per_s * self.mfu_high

    @property
    def gap_low_ratio(self) -> float:
        """Smallest peak / sustained gap (at the high MFU)."""
        return 1.0 / self.mfu_high

    @property
    def gap_high_ratio(self) -> float:
        """Largest peak / sustained gap (at the low MFU)."""
        return 1.0 / self.mfu_low

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(device=self.device, precision=self.precision, mfu_low=self.mfu_low,
                              mfu_high=self.mfu_high)

    @property
    def summary(self) -> dict[str, Any]:
        return {"peak_flops_per_s": self.peak_flops_per_s, "sustained_low_flops_per_s": self.sustained_low_flops_per_s,
                "sustained_high_flops_per_s": self.sustained_high_flops_per_s, "gap_low_ratio": self.gap_low_ratio,
                "gap_high_ratio": self.gap_high_ratio}

    def _rows(self) -> list[tuple[str, str]]:
        t = 1e12
        return [("peak", f"{self.peak_flops_per_s / t:g} TFLOP/s ({self.device}, {self.precision}, catalog)"),
                ("sustained", f"{self.sustained_low_flops_per_s / t:.1f} to {self.sustained_high_flops_per_s / t:.1f} "
                              f"TFLOP/s at {self.mfu_low:.0%} to {self.mfu_high:.0%} MFU"),
                ("peak / sustained", f"{self.gap_low_ratio:.2f}x to {self.gap_high_ratio:.2f}x")]


@validate_params({"mfu_low": Range(0, 1, closed="right"), "mfu_high": Range(0, 1, closed="right")})
def peak_gap(device: str = "a100-sxm", precision: str = "bf16", mfu_low: float = 0.30,
             mfu_high: float = 0.50) -> PeakGap:
    """The peak-versus-sustained gap of Definition 1.1: ``device``'s catalog peak at ``precision``
    times a model-FLOP utilization between ``mfu_low`` and ``mfu_high`` (fractions)."""
    from simlib.hardware import catalog

    if mfu_low > mfu_high:
        raise invalid("mfu_low", f"is {mfu_low:g}, above mfu_high ({mfu_high:g})", f"a number in (0, {mfu_high:g}]",
                      owner="peak_gap")
    return PeakGap(device, precision, catalog.get(device).peak(precision), mfu_low, mfu_high)


@validate_params({"stage_s": Range(0, None, closed="neither", unit="s"),
                  "total_s": Range(0, None, closed="neither", unit="s"),
                  "factor": Range(0, None, closed="neither")})
def end_to_end_speedup(stage_s: float, total_s: float, factor: float) -> float:
    """End-to-end speedup of a request of ``total_s`` seconds when one stage of ``stage_s``
    seconds gets ``factor`` times faster (Amdahl's law); a ratio.

    >>> round(end_to_end_speedup(0.005, 0.100, 3.0), 3)  # a 5 ms stage in a 100 ms request
    1.034
    """
    if stage_s > total_s:
        raise invalid("stage_s", f"is {stage_s:g} s, longer than the whole request ({total_s:g} s)",
                      f"a number of seconds in (0, {total_s:g}]", owner="end_to_end_speedup")
    from simlib.scaling import amdahl_speedup

    return amdahl_speedup(stage_s / total_s, factor)


@dataclass(frozen=True, repr=False)
class LighthouseIntro(ResultDisplay):
    """Lighthouse 1.1's numbers (MODELED): model size at FP32 and INT8 from the parameter count, and
    the claimed EdgeTPU and CPU latencies (the inference chapter's Lighthouse table uses the same)."""

    model: str
    params: int
    fp32_bytes: float
    int8_bytes: float
    cpu_inference_s: float
    edgetpu_inference_s: float

    kind = "modeled"
    warnings = ()

    @property
    def compression_ratio(self) -> float:
        return self.fp32_bytes / self.int8_bytes

    @property
    def speedup_ratio(self) -> float:
        return self.cpu_inference_s / self.edgetpu_inference_s

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, cpu_inference_s=self.cpu_inference_s,
                              edgetpu_inference_s=self.edgetpu_inference_s)

    @property
    def summary(self) -> dict[str, Any]:
        return {"params_count": self.params, "fp32_bytes": self.fp32_bytes, "int8_bytes": self.int8_bytes,
                "compression_ratio": self.compression_ratio, "speedup_ratio": self.speedup_ratio}

    def _rows(self) -> list[tuple[str, str]]:
        return [("parameters", f"{self.params / 1e6:.2f} M ({self.model})"),
                ("size", f"{self.fp32_bytes / 1e6:.1f} MB FP32 -> {self.int8_bytes / 1e6:.1f} MB INT8 "
                         f"({self.compression_ratio:.0f}x smaller)"),
                ("inference (claimed)", f"{self.cpu_inference_s * 1e3:g} ms CPU -> {self.edgetpu_inference_s * 1e3:g} ms "
                                        f"EdgeTPU ({self.speedup_ratio:.1f}x)")]


def lighthouse_intro(model: str = "mobilenetv2") -> LighthouseIntro:
    """Lighthouse 1.1 recomputed: bytes of the weights at 4 and 1 byte per parameter
    (:func:`simlib.roofline.models.cost`) and the claimed latencies of :data:`simlib.lighthouse.CHAPTER_CLAIMS`.

    >>> lh = lighthouse_intro()
    >>> round(lh.fp32_bytes / 1e6, 1), round(lh.int8_bytes / 1e6, 1), lh.compression_ratio, lh.speedup_ratio
    (14.0, 3.5, 4.0, 7.5)
    """
    from simlib.lighthouse import CHAPTER_CLAIMS
    from simlib.roofline.models import cost

    fp32 = cost(model, dtype="fp32", traffic="weights")
    int8 = cost(model, dtype="int8", traffic="weights")
    return LighthouseIntro(model, int(fp32.params), float(fp32.weight_bytes), float(int8.weight_bytes),
                           CHAPTER_CLAIMS["cortex-m7"]["inference_s"], CHAPTER_CLAIMS["edgetpu"]["inference_s"])

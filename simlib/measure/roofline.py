"""An empirical roofline of this machine: achieved GEMM FLOP/s over sizes (torch) and streaming
memory bandwidth (a STREAM-style triad over arrays much larger than the last-level cache).

Every kernel follows the book's micro-benchmark rules: warm-up runs are discarded, each size is
timed ``repeats`` times, and the result carries the raw samples, the median rate with its
order-statistic confidence interval, the CV and a warning when the CV exceeds 5%. Sizes and
repeat counts follow ``SIMLIB_BUDGET`` (a few seconds in ``quick``). These are *measured*
numbers: each :class:`KernelMeasurement` says so.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simlib import budget
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import NOISY_CV, Interval, cv, median_ci, percentile

__all__ = ["EmpiricalRoofline", "KernelMeasurement", "llc_bytes", "measure_gemm", "measure_roofline",
           "measure_stream"]

_TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16", "fp64": "float64"}


@dataclass(frozen=True, repr=False)
class KernelMeasurement(ResultDisplay):
    """One timed kernel: raw times (s) and derived rates. ``rate`` is FLOP/s for GEMMs and
    bytes/s for streaming kernels (``unit`` says which)."""

    kernel: str
    dtype: str
    size: int
    flops: float
    bytes: float
    times_s: tuple[float, ...]
    warmup: int
    threads: int
    unit: str
    number: int = 1
    warnings: tuple[str, ...] = ()
    measured: bool = True

    @property
    def rates(self) -> np.ndarray:
        work = self.flops if self.unit == "FLOP/s" else self.bytes
        return work / np.asarray(self.times_s)

    @property
    def median_rate(self) -> float:
        return percentile(self.rates, 50)

    @property
    def rate_ci(self) -> Interval:
        return median_ci(self.rates)

    @property
    def cv(self) -> float:
        return cv(self.times_s)

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes if self.bytes else float("inf")

    # --- the result protocol (simlib.protocol) ---------------------------------------------
    @property
    def kind(self) -> str:
        return "measured" if self.measured else "modeled"

    @property
    def samples_s(self) -> np.ndarray:
        """Raw times (s) of each sample (``number`` calls each)."""
        return np.asarray(self.times_s, dtype=float)

    @property
    def settings(self) -> dict[str, object]:
        return given_settings(kernel=self.kernel, dtype=self.dtype, size=self.size, number=self.number,
                              warmup=self.warmup, threads=self.threads)

    @property
    def summary(self) -> dict[str, object]:
        """Flat SI numbers: times (s), the median rate and its 95% interval in FLOP/s or bytes/s."""
        unit = "flops_per_s" if self.unit == "FLOP/s" else "bytes_per_s"
        ci = self.rate_ci
        return {"n": len(self.times_s), "p50_s": percentile(self.samples_s, 50), "mean_s": float(self.samples_s.mean()),
                "cv": self.cv, f"rate_{unit}": self.median_rate, f"rate_ci_{unit}": [ci.low, ci.high],
                "work_flops": self.flops, "traffic_bytes": self.bytes,
                "intensity_flop_per_byte": self.intensity if self.bytes else None}

    def headline(self) -> str:
        return str(self).split("\n", 1)[0]

    def table(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        ci = self.rate_ci
        scale = 1e9
        return (f"{self.kernel} {self.dtype} n={self.size}: {self.median_rate / scale:.3g} G{self.unit} "
                f"[{ci.low / scale:.3g}, {ci.high / scale:.3g}] (95% CI of median), CV {self.cv:.1%}, "
                f"{len(self.times_s)} samples x {self.number} calls after {self.warmup} warm-up, {self.threads} threads [measured]"
                + "".join(f"\n  WARNING: {w}" for w in self.warnings))


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _time(fn, repeats: int, warmup: int, min_sample_s: float | None = None) -> tuple[tuple[float, ...], int]:
    """Time ``repeats`` samples of ``fn`` with the harness (:func:`simlib.measure.time_callable`):
    ``warmup`` samples discarded, then blocked timing so that one sample lasts >= ``min_sample_s``
    (short kernels run ``number`` times per sample). Returns per-call times (s) and ``number``."""
    from simlib.measure.timer import time_callable  # the one timing loop (lazy: torch-free import)

    if min_sample_s is None:
        min_sample_s = budget.pick(quick=0.002, standard=0.01, full=0.05)
    r = time_callable(fn, warmup=warmup, number="auto", min_block_s=min_sample_s, min_samples=repeats,
                      max_samples=repeats, time_budget_s=1e9, system={})
    return tuple(r.samples_s), int(r.settings["effective"]["number_per_sample"])


def _warn(times: tuple[float, ...]) -> tuple[str, ...]:
    c = cv(times)
    if c > NOISY_CV:
        return (f"noisy: CV {c:.1%} > {NOISY_CV:.0%}; close other programs or use SIMLIB_BUDGET=standard",)
    return ()


def _defaults(repeats: int | None, warmup: int | None) -> tuple[int, int]:
    return (repeats or budget.pick(quick=11, standard=31, full=101),
            warmup or budget.pick(quick=2, standard=5, full=10))


def measure_gemm(n: int, dtype: str = "fp32", repeats: int | None = None,
                 warmup: int | None = None) -> KernelMeasurement:
    """Time ``C = A @ B`` for square ``n x n`` matrices (2 n^3 FLOP, 3 n^2 elements moved)."""
    import torch

    repeats, warmup = _defaults(repeats, warmup)
    tdt = getattr(torch, _TORCH_DTYPES[dtype])
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g).to(tdt)
    b = torch.randn(n, n, generator=g).to(tdt)
    c = torch.empty(n, n, dtype=tdt)
    times, number = _time(lambda: torch.matmul(a, b, out=c), repeats, warmup)
    return KernelMeasurement("gemm", dtype, n, 2.0 * n**3, 3.0 * n * n * a.element_size(), times,
                             warmup, _threads(), "FLOP/s", number, _warn(times))


def llc_bytes() -> int | None:
    """Size of the last-level CPU cache from sysfs (None when not exposed)."""
    best = None
    for d in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*"):
        try:
            level = int(Path(d, "level").read_text())
            size = Path(d, "size").read_text().strip()
        except (OSError, ValueError):
            continue
        mult = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(size[-1:], 1)
        nbytes = int(size.rstrip("KMG")) * mult
        if best is None or level > best[0]:
            best = (level, nbytes)
    return best[1] if best else None


def measure_stream(array_bytes: int | None = None, repeats: int | None = None,
                   warmup: int | None = None) -> KernelMeasurement:
    """STREAM triad ``a = b + s * c`` over fp32 arrays of ``array_bytes`` each (default: 4x the
    last-level cache, at least 64 MiB). Counts 3 arrays of traffic per pass (2 reads, 1 write;
    like STREAM, write-allocate traffic is not counted, so the figure is a slight underestimate).
    """
    import torch

    repeats, warmup = _defaults(repeats, warmup)
    if array_bytes is None:
        array_bytes = max(4 * (llc_bytes() or 0), 64 * 2**20)
    n = array_bytes // 4
    b = torch.ones(n)
    c = torch.full((n,), 2.0)
    a = torch.empty(n)
    times, number = _time(lambda: torch.add(b, c, alpha=3.0, out=a), repeats, warmup)
    warns = _warn(times)
    llc = llc_bytes()
    if llc and array_bytes < 4 * llc:
        warns += (f"arrays of {array_bytes / 2**20:.0f} MiB are not much larger than the "
                  f"{llc / 2**20:.0f} MiB last-level cache: this measures cache, not DRAM",)
    return KernelMeasurement("stream-triad", "fp32", n, 2.0 * n, 3.0 * n * 4, times, warmup,
                             _threads(), "B/s", number, warns)


@dataclass(frozen=True, repr=False)
class EmpiricalRoofline(ResultDisplay):
    """Measured roofs of this machine: the best median GEMM rate per dtype and the triad bandwidth."""

    gemm: tuple[KernelMeasurement, ...]
    stream: KernelMeasurement
    llc_bytes: int | None
    budget: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def peak_flops(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for m in self.gemm:
            out[m.dtype] = max(out.get(m.dtype, 0.0), m.median_rate)
        return out

    @property
    def bandwidth_bytes_per_s(self) -> float:
        return self.stream.median_rate

    def speed_of_light(self, m: KernelMeasurement) -> float:
        """Achieved rate / the measured roof at the kernel's intensity (fraction)."""
        from simlib.roofline.core import attainable

        roof = attainable(m.intensity, self.peak_flops[m.dtype], self.bandwidth_bytes_per_s)
        return (m.median_rate if m.unit == "FLOP/s" else m.flops / m.bytes * m.median_rate) / roof

    def size_effect_text(self, dtype: str = "fp32") -> str:
        """What this run says about small versus large GEMMs of ``dtype``, in words chosen by the
        two kernels' 95% intervals of the median rate (:func:`simlib.claims.direction`)."""
        from simlib.claims import direction

        runs = sorted((m for m in self.gemm if m.dtype == dtype), key=lambda m: m.size)
        if len(runs) < 2:
            return f"this run timed fewer than two {dtype} matrix sizes, so it says nothing about size"
        small, large = runs[0], runs[-1]
        sol = f"{self.speed_of_light(small) * 100:.2g}% of the roof at n={small.size}"
        d = direction(large.rate_ci, small.rate_ci)
        if d == "same":
            return (f"the smallest and the largest matrices (n={small.size} and n={large.size}) were "
                    f"not clearly different in this run ({sol}; the intervals overlap)")
        if d == "lower":
            return (f"the smallest matrix reached only {sol}: with little work per call, fixed "
                    "per-call costs weigh more, the same effect that makes batch-1 inference inefficient")
        return (f"the smallest matrix ran faster than the largest ({sol}): it fits in cache, so the "
                "memory roof measured with large arrays does not bound it")

    # --- the result protocol (simlib.protocol) ---------------------------------------------
    kind = "measured"

    @property
    def settings(self) -> dict[str, object]:
        s = {"budget": self.budget, "llc_bytes": self.llc_bytes,
             "kernels": [f"{m.kernel} {m.dtype} n={m.size}" for m in (*self.gemm, self.stream)]}
        return {"requested": {"budget": self.budget}, "effective": s}

    @property
    def summary(self) -> dict[str, object]:
        """The measured roofs (FLOP/s per dtype, triad bytes/s) and the fp32 ridge point (FLOP/byte)."""
        out: dict[str, object] = {f"peak_{k}_flops_per_s": v for k, v in self.peak_flops.items()}
        out["bandwidth_bytes_per_s"] = self.bandwidth_bytes_per_s
        if "fp32" in self.peak_flops:
            out["ridge_fp32_flop_per_byte"] = self.peak_flops["fp32"] / self.bandwidth_bytes_per_s
        out["llc_bytes"] = self.llc_bytes
        return out

    def _payload(self) -> dict[str, object]:
        return {"kernels": [{**m.settings["effective"], **m.summary, "samples_s": list(m.times_s),
                             "warnings": list(m.warnings)} for m in (*self.gemm, self.stream)]}

    def headline(self) -> str:
        return f"Empirical roofline of this machine [measured]: {self.describe()}"

    def table(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)

    def describe(self) -> str:
        peaks = ", ".join(f"{k} {v / 1e9:.1f} GFLOP/s" for k, v in self.peak_flops.items())
        return f"{peaks}; triad {self.bandwidth_bytes_per_s / 1e9:.1f} GB/s; budget {self.budget}"

    def __str__(self) -> str:
        lines = [f"Empirical roofline of this machine [measured, budget {self.budget}]"]
        lines += [f"  {m}  SOL {self.speed_of_light(m):.0%}" for m in self.gemm]
        lines.append(f"  {self.stream}")
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


_CPU_FLAGS = {  # instruction-set flags (/proc/cpuinfo) that give torch native low-precision GEMMs
    "bf16": ("avx512_bf16", "amx_bf16", "bf16"),  # x86 AVX512-BF16 / AMX; Arm BF16 extension
    "fp16": ("avx512_fp16", "amx_fp16", "asimdhp"),  # x86 AVX512-FP16 / AMX-FP16; Arm FP16 SIMD
}


def _cpu_flags() -> set[str] | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return flags


def _supported(dtype: str) -> tuple[bool, str]:
    """A low precision counts as supported when the CPU has native instructions for it (without
    them torch falls back to reference kernels ~100x slower: timing those wastes the budget)."""
    if dtype == "fp32":
        return True, ""
    flags = _cpu_flags()
    if dtype not in _CPU_FLAGS or flags is None:
        return False, f"{dtype}: cannot tell whether this CPU has native {dtype} GEMMs; skipped"
    if not flags.intersection(_CPU_FLAGS[dtype]):
        return False, (f"{dtype}: no native {dtype} instructions on this CPU "
                       f"(none of {', '.join(_CPU_FLAGS[dtype])}); skipped")
    try:
        measure_gemm(16, dtype, repeats=2, warmup=1)
    except (RuntimeError, TypeError) as err:
        return False, f"{dtype} GEMM unavailable in torch ({err}); skipped"
    return True, ""


def measure_roofline(sizes: list[int] | None = None, dtypes: tuple[str, ...] = ("fp32", "bf16", "fp16"),
                     progress: bool = False) -> EmpiricalRoofline:
    """GEMMs over ``sizes`` for each supported dtype, then the stream triad (quick: ~ a few s)."""
    sizes = sizes or budget.pick(quick=[64, 256, 1024], standard=[64, 128, 256, 512, 1024, 2048],
                                 full=[32, 64, 128, 256, 512, 1024, 2048, 4096])
    warns: list[str] = []
    todo = []
    for dt in dtypes:
        ok, why = _supported(dt)
        if ok:
            todo += [(dt, n) for n in sizes]
        else:
            warns.append(why)
    it = todo
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(todo, desc="GEMM sizes")
    gemms = tuple(measure_gemm(n, dt) for dt, n in it)
    stream = measure_stream()
    return EmpiricalRoofline(gemms, stream, llc_bytes(), budget.current(), tuple(warns))

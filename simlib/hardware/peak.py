"""The theoretical peak of this CPU: cores x clock x FLOP per cycle, each part detected or assumed.

A datasheet peak is arithmetic, not a measurement: ``cores x frequency x SIMD lanes x 2 (a
fused multiply-add is two FLOP) x FMA units per core``. Some of the factors can be read from the
machine (:func:`simlib.hardware.detect` and ``/proc/cpuinfo``): the core count, the clock (the
cpufreq maximum, else the ``cpu MHz`` the kernel reports, often the nominal or TSC clock in a
virtual machine) and the widest vector instructions (AVX-512, AVX2, SSE, NEON). Others cannot:
how many FMA units each core has, and whether 512-bit instructions run at full width. Those are
**assumed** (2 FMA units, full width) and :class:`TheoreticalPeak` lists which factor is which,
so the page can say "detected" and "assumed" honestly. Hardware measures nothing: the measured
rate to compare with comes from :mod:`simlib.measure.roofline`.

>>> p = cpu_peak(cores=4, frequency_hz=3.0e9, flags={"avx2", "fma"})
>>> p.flops_per_cycle["fp32"], p.peak_flops["fp32"] / 1e9
(32.0, 384.0)
>>> p.source["fma_units"].startswith("assumed")
True
>>> cpu_peak(cores=2, frequency_hz=2.6e9, flags={"avx512f", "fma", "avx512_bf16"}).peak_flops["bf16"] / 1e9
665.6
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simlib._validate import Range, validate_params
from simlib.protocol import ResultDisplay

__all__ = ["TPU_V4_BF16_FLOPS", "TPU_V4_POD_CHIPS", "TheoreticalPeak", "catalog_gpu", "cpu_flags", "cpu_peak",
           "pod_peak_flops"]

#: FMA units per core assumed when nothing says otherwise (most current x86 and Arm server cores).
ASSUMED_FMA_UNITS = 2
#: Clock assumed when neither cpufreq nor /proc/cpuinfo gives one (Hz).
ASSUMED_FREQUENCY_HZ = 3.0e9


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """Instruction-set flags of this CPU (``flags`` on x86, ``Features`` on Arm); empty if unknown."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return set()
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return flags


def _cpuinfo_mhz() -> float | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "cpu MHz":
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _vector(flags: set[str]) -> tuple[int, bool, str]:
    """(vector width in bits, has FMA, the instruction set that set it)."""
    if "avx512f" in flags:
        return 512, True, "AVX-512"
    if "avx2" in flags or "avx" in flags:
        return 256, "fma" in flags, "AVX2" if "avx2" in flags else "AVX"
    if "asimd" in flags or "neon" in flags:
        return 128, True, "NEON/ASIMD"
    if "sse2" in flags:
        return 128, False, "SSE2"
    return 64, False, "scalar (no vector instructions found)"


@dataclass(frozen=True, repr=False)
class TheoreticalPeak(ResultDisplay):
    """Peak FLOP/s per precision of this CPU, computed from detected and assumed factors (modeled).

    ``source`` maps each factor (``cores``, ``frequency_hz``, ``vector_bits``, ``fma_units``) to
    ``"detected: ..."`` or ``"assumed: ..."``.
    """

    cores: int
    frequency_hz: float
    vector_bits: int
    fma: bool
    fma_units: int
    isa: str
    flops_per_cycle: dict[str, float]
    source: dict[str, str]
    warnings: tuple[str, ...] = ()

    kind = "modeled"

    @property
    def peak_flops(self) -> dict[str, float]:
        """FLOP/s per precision: cores x frequency x FLOP per cycle per core."""
        return {k: self.cores * self.frequency_hz * v for k, v in self.flops_per_cycle.items()}

    @property
    def assumed(self) -> list[str]:
        return [k for k, v in self.source.items() if v.startswith("assumed")]

    @property
    def detected(self) -> list[str]:
        return [k for k, v in self.source.items() if v.startswith("detected")]

    def fraction(self, measured_flops_per_s: float, dtype: str = "fp32") -> float:
        """A measured rate as a fraction of this peak."""
        return measured_flops_per_s / self.peak_flops[dtype]

    def achieved_text(self, low: float, estimate: float, high: float, dtype: str = "fp32") -> str:
        """A measured rate (its 95% interval ``low``..``high``, FLOP/s) against this peak, in words.

        >>> p = cpu_peak(cores=1, frequency_hz=1e9, flags={"avx2", "fma"})   # 32 GFLOP/s fp32
        >>> p.achieved_text(7e9, 8e9, 9e9)
        '25% of the computed peak (95% interval 22% to 28%)'
        >>> p.achieved_text(33e9, 34e9, 35e9).startswith("above the computed peak")
        True
        """
        pk = self.peak_flops[dtype]
        if low > pk:
            return (f"above the computed peak ({estimate / pk:.0%} of it): at least one assumed factor "
                    f"({', '.join(self.assumed) or 'none'}) or the detected clock is too low for this CPU")
        return f"{estimate / pk:.0%} of the computed peak (95% interval {low / pk:.0%} to {high / pk:.0%})"

    @property
    def settings(self) -> dict[str, Any]:
        eff = {"cores": self.cores, "frequency_hz": self.frequency_hz, "vector_bits": self.vector_bits,
               "fma_units": self.fma_units, "isa": self.isa}
        return {"requested": {}, "effective": eff}

    @property
    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {f"peak_{k}_flops_per_s": v for k, v in self.peak_flops.items()}
        out.update(cores_count=self.cores, frequency_hz=self.frequency_hz,
                   fma_units_count=self.fma_units, assumed_count=len(self.assumed))
        return out

    def _payload(self) -> dict[str, Any]:
        return {"source": dict(self.source), "flops_per_cycle": dict(self.flops_per_cycle)}

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("peak " + k, f"{v / 1e9:,.1f} GFLOP/s ({self.flops_per_cycle[k]:g} FLOP/cycle/core)")
                for k, v in self.peak_flops.items()]
        rows += [(k, v) for k, v in self.source.items()]
        return rows


@validate_params({"cores": [None, Range(1, 1e6, integer=True)],
                  "frequency_hz": [None, Range(1e6, 1e11, unit="Hz")],
                  "fma_units": [None, Range(1, 16, integer=True)]})
def cpu_peak(*, cores: int | None = None, frequency_hz: float | None = None,
             flags: set[str] | None = None, fma_units: int | None = None) -> TheoreticalPeak:
    """The theoretical peak of this CPU (or of the factors given), per precision, in FLOP/s.

    FP32 FLOP per cycle per core = FMA units x (vector bits / 32) x 2 (multiply and add). FP64 is
    half of that. BF16 doubles FP32 where the CPU has BF16 dot-product instructions
    (``avx512_bf16``, Arm ``bf16``); Intel AMX tiles (``amx_bf16``) give 1024 BF16 FLOP/cycle/core.
    Factors not given are detected; what cannot be detected is assumed and said so.
    """
    source: dict[str, str] = {}
    warns: list[str] = []
    if cores is None:
        from simlib.hardware.detect import probe_cpu

        cpu = probe_cpu()
        cores = cpu.get("physical_cores") or cpu.get("logical_cores") or 1
        source["cores"] = (f"detected: {cores} physical cores" if cpu.get("physical_cores")
                           else f"detected: {cores} logical cores (physical count not exposed)")
        if cpu.get("affinity_cores") and cpu["affinity_cores"] < cores:
            warns.append(f"this process may use only {cpu['affinity_cores']} of the {cores} cores")
        mx = cpu.get("max_frequency_mhz")
        if frequency_hz is None and mx:
            frequency_hz = mx * 1e6
            source["frequency_hz"] = f"detected: cpufreq maximum {mx:.0f} MHz (turbo; all-core clocks are lower)"
    else:
        source["cores"] = f"given: {cores}"
    if frequency_hz is None:
        mhz = _cpuinfo_mhz()
        if mhz:
            frequency_hz = mhz * 1e6
            source["frequency_hz"] = (f"detected: /proc/cpuinfo reports {mhz:.0f} MHz (cpufreq not exposed; "
                                      "in a virtual machine this is often the nominal clock, not the turbo clock)")
        else:
            frequency_hz = ASSUMED_FREQUENCY_HZ
            source["frequency_hz"] = f"assumed: {ASSUMED_FREQUENCY_HZ / 1e9:.1f} GHz (no clock exposed)"
            warns.append("the clock is assumed: the peak is a guess within perhaps +-30%")
    elif "frequency_hz" not in source:
        source["frequency_hz"] = f"given: {frequency_hz / 1e9:.3g} GHz"
    given_flags = flags is not None
    flags = cpu_flags() if flags is None else set(flags)
    bits, fma, isa = _vector(flags)
    source["vector_bits"] = (f"{'given' if given_flags else 'detected'}: {isa}, {bits}-bit vectors"
                             + ("" if fma else ", no fused multiply-add"))
    if fma_units is None:
        fma_units = ASSUMED_FMA_UNITS
        source["fma_units"] = (f"assumed: {fma_units} vector FMA units per core at full width "
                               "(not exposed to software; some cores have 1, or split 512-bit work in two)")
    else:
        source["fma_units"] = f"given: {fma_units}"
    fp32 = fma_units * bits / 32 * 2.0
    per_cycle = {"fp64": fp32 / 2, "fp32": fp32}
    if "amx_bf16" in flags:
        per_cycle["bf16"] = 1024.0
    elif flags & {"avx512_bf16", "bf16"}:
        per_cycle["bf16"] = 2 * fp32
    return TheoreticalPeak(int(cores), float(frequency_hz), bits, fma, int(fma_units), isa, per_cycle,
                           source, tuple(warns))


@validate_params({"chips": Range(1, 1e7, integer=True), "chip_peak_flops_per_s": Range(0, None, closed="neither",
                                                                                      unit="FLOP/s")})
def pod_peak_flops(chips: int, chip_peak_flops_per_s: float) -> float:
    """Peak of a pod or cluster (FLOP/s): chips x per-chip peak, the number a datasheet multiplies out.

    The source's TPU v4 footnote: 4,096 chips x 275 TFLOP/s BF16 (Jouppi et al. 2023) = 1.1 EFLOP/s.

    >>> round(pod_peak_flops(4096, TPU_V4_BF16_FLOPS) / 1e18, 3)
    1.126
    """
    return float(chips) * float(chip_peak_flops_per_s)


#: Google TPU v4, peak dense BF16 per chip (Jouppi et al., ISCA 2023, table 1; Cloud TPU v4 docs).
TPU_V4_BF16_FLOPS = 275e12
#: Chips in one TPU v4 pod (Jouppi et al. 2023).
TPU_V4_POD_CHIPS = 4096


def catalog_gpu(gpu_name: str | None) -> str | None:
    """The catalog id of a detected GPU (e.g. "NVIDIA H200" -> "h200"), or None when the catalog
    has no entry for it: its datasheet peak is then unknown, not guessed.

    >>> catalog_gpu("NVIDIA A100-SXM4-80GB"), catalog_gpu("NVIDIA H100 80GB HBM3"), catalog_gpu("GeForce GTX 1080")
    ('a100-sxm', 'h100-sxm', None)
    """
    from simlib.hardware.catalog import get, names

    if not gpu_name:
        return None
    low = gpu_name.lower().replace("-", " ")
    for dev in names(include_this_machine=False):
        if get(dev).kind != "gpu":
            continue
        model = dev.split("-")[0]
        if model in low.split() or any(w.startswith(model) for w in low.split()):
            return dev
    return None

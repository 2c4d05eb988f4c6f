"""Micro-benchmarks and their rules, demonstrated: cache cliffs, warm-up, the clock, noise, laziness,
and the iron law of single operators.

Every timing here goes through the harness's one loop (:func:`simlib.measure.timer.time_callable`,
directly or through :func:`simlib.measure.roofline.measure_stream`), so each result carries raw
samples, warm-up counts, the CV and its warnings. All results are *measured* on this machine;
the roofline they are compared with is this machine's *measured* roofline
(:func:`simlib.measure.roofline.measure_roofline`).

- :func:`working_set_sweep`: the triad's bandwidth as the working set grows past each cache level
  (the source's "flush the cache" rule: a small working set measures the cache, not DRAM).
- :func:`cold_vs_warm`: the first calls of freshly built work against its steady state (the
  warm-up rule).
- :func:`clock_facts`: the timer's resolution and the harness's own overhead.
- :func:`noisy_vs_quiet`: the same kernel timed alone and beside busy processes (the CV rule).
- :func:`lazy_view_pitfall`: timing an operation that does no work (a view) and the speed-of-light
  check that catches it.
- :func:`operator_study`: FLOP and bytes counted, time measured, for GEMM, an element-wise add,
  softmax and a convolution, placed on the measured roofline, with the per-call dispatch cost
  measured on tiny inputs (the iron law's latency term).
"""

from __future__ import annotations

import glob
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import CALLABLE, Range, validate_params
from simlib.measure.roofline import KernelMeasurement, llc_bytes, measure_stream
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import NOISY_CV, Interval, cv, median_ci
from simlib.table import Table

__all__ = ["roof_at_threads", "BandwidthSweep", "ColdWarm", "NoiseDemo", "OperatorRow", "OperatorStudy", "cache_levels",
           "clock_facts", "cold_vs_warm", "lazy_view_pitfall", "noisy_vs_quiet", "operator_study",
           "working_set_sweep"]


def cache_levels() -> list[tuple[str, int]]:
    """Data and unified cache levels of CPU 0 from sysfs, smallest first: ``[("L1d", bytes), ...]``."""
    out = []
    for d in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index*")):
        try:
            level = int(Path(d, "level").read_text())
            kind = Path(d, "type").read_text().strip()
            size = Path(d, "size").read_text().strip()
        except (OSError, ValueError):
            continue
        if kind == "Instruction":
            continue
        mult = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(size[-1:], 1)
        out.append((f"L{level}{'d' if kind == 'Data' else ''}", int(size.rstrip("KMG")) * mult))
    return sorted(out, key=lambda x: x[1])


def _time(fn: Callable[[], Any], *, samples: int | None = None, warmup: int = 2,
          min_block_s: float | None = None):
    """The harness's one loop, with this module's small, fixed-count defaults."""
    from simlib.measure.timer import time_callable

    n = samples or budget.pick(quick=11, standard=31, full=101)
    blk = min_block_s if min_block_s is not None else budget.pick(quick=0.002, standard=0.01, full=0.05)
    return time_callable(fn, warmup=warmup, number="auto", min_block_s=blk, min_samples=n,
                         max_samples=n, time_budget_s=1e9, system={})


# --- the working-set sweep -----------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class BandwidthSweep(ResultDisplay):
    """Triad bandwidth against working-set size (three arrays), with this CPU's cache sizes."""

    points: tuple[KernelMeasurement, ...]
    caches: tuple[tuple[str, int], ...]
    kind = "measured"

    @property
    def working_sets_bytes(self) -> np.ndarray:
        """Bytes of the three arrays together (= the bytes one triad pass moves)."""
        return np.array([m.bytes for m in self.points])

    @property
    def bandwidths(self) -> np.ndarray:
        return np.array([m.median_rate for m in self.points])

    def level_of(self, working_set: float) -> str:
        """The smallest cache the working set fits in, or "DRAM"."""
        for name, size in self.caches:
            if working_set <= size:
                return name
        return "DRAM"

    @property
    def cache_point(self) -> KernelMeasurement:
        """The fastest point whose working set fits in a cache."""
        inside = [m for m in self.points if self.level_of(m.bytes) != "DRAM"] or list(self.points)
        return max(inside, key=lambda m: m.median_rate)

    @property
    def dram_point(self) -> KernelMeasurement:
        """The largest working set (beyond every cache when the sweep reaches that far)."""
        return max(self.points, key=lambda m: m.bytes)

    @property
    def cache_over_dram(self) -> float:
        return self.cache_point.median_rate / self.dram_point.median_rate

    def ratio_interval(self) -> Interval:
        """A conservative 95% interval of the cache/DRAM ratio (ends of the two medians' intervals)."""
        c, d = self.cache_point.rate_ci, self.dram_point.rate_ci
        return Interval(self.cache_over_dram, c.low / d.high, c.high / d.low, 0.95, "ratio of median CIs")

    def cliff_text(self) -> str:
        """Whether the in-cache bandwidth is clearly above DRAM's, chosen by the two intervals."""
        from simlib.claims import direction

        d = direction(self.dram_point.rate_ci, self.cache_point.rate_ci)
        lvl = self.level_of(self.cache_point.bytes)
        if d == "higher":
            return (f"a working set that fits in {lvl} streamed {self.cache_over_dram:.1f} times faster than one "
                    "far larger than the last-level cache: timed without flushing, a small buffer reports cache "
                    "speed, not memory speed")
        if d == "lower":
            return (f"the in-cache working set ({lvl}) streamed slower than the DRAM-sized one in this run, "
                    "which a quiet machine does not do: the run was disturbed, so rerun it before trusting either")
        return ("the in-cache and DRAM-sized working sets were not clearly different in this run (their "
                "intervals overlap): the noise hid the cliff; rerun in the standard budget on a quiet machine")

    @property
    def warnings(self) -> tuple[str, ...]:
        noisy = [m for m in self.points if m.cv > NOISY_CV]
        return ((f"{len(noisy)} of {len(self.points)} sizes had a CV above {NOISY_CV:.0%}: rerun on a quiet "
                 "machine or in the standard budget",) if noisy else ())

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(working_sets_bytes=[int(m.bytes) for m in self.points],
                              caches=[f"{n} {s}" for n, s in self.caches])

    @property
    def summary(self) -> dict[str, Any]:
        return {"cache_bandwidth_bytes_per_s": self.cache_point.median_rate,
                "dram_bandwidth_bytes_per_s": self.dram_point.median_rate,
                "cache_over_dram_ratio": self.cache_over_dram, "n": len(self.points)}

    def _payload(self) -> dict[str, Any]:
        return {"points": [{"working_set_bytes": m.bytes, **m.summary, "samples_s": list(m.times_s)}
                           for m in self.points]}

    def _rows(self) -> list[tuple[str, str]]:
        return [(f"{m.bytes / 2**10:,.0f} KiB ({self.level_of(m.bytes)})",
                 f"{m.median_rate / 1e9:.3g} GB/s [{m.rate_ci.low / 1e9:.3g}, {m.rate_ci.high / 1e9:.3g}], "
                 f"CV {m.cv:.0%}") for m in self.points]


def _default_sizes() -> list[int]:
    llc = llc_bytes() or 32 * 2**20
    top = max(2 * llc, 32 * 2**20) * 3  # three arrays, each twice the last-level cache
    n = budget.pick(quick=6, standard=12, full=18)
    return [int(x) for x in np.geomspace(24 * 2**10, top, n)]


@validate_params({"working_sets_bytes": [None, list], "threads": [None, Range(1, 4096, integer=True)]})
def working_set_sweep(working_sets_bytes: list[int] | None = None, *, repeats: int | None = None,
                      threads: int | None = 1) -> BandwidthSweep:
    """Triad bandwidth for each working set (bytes of the three arrays together), smallest first.

    Each point is :func:`simlib.measure.roofline.measure_stream` (the harness's loop; short
    kernels timed in blocks). Nothing is flushed between calls, on purpose: the small sizes then
    stay in cache, which is the effect the sweep shows. The default sizes run from 24 KiB to
    three arrays of twice the last-level cache each (quick: 6 sizes, ~2 s).
    ``threads`` (default 1; None keeps torch's setting) runs the sweep on one core, whose private
    L1 and L2 then show as separate steps; torch's thread count is restored afterwards.
    """

    sizes = sorted(working_sets_bytes or _default_sizes())
    pts = []
    with torch_threads(threads):
        for ws in sizes:
            arr = max(4096, int(ws) // 3 // 4 * 4)
            pts.append(measure_stream(arr, repeats=repeats))
    return BandwidthSweep(tuple(pts), tuple(cache_levels()))


# --- warm-up --------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class ColdWarm(ResultDisplay):
    """The first ``len(first_s)`` calls of fresh work, each timed alone, against its steady state."""

    name: str
    first_s: tuple[float, ...]
    steady_s: tuple[float, ...]
    kind = "measured"
    warnings: tuple[str, ...] = ()

    @property
    def samples_s(self) -> np.ndarray:
        return np.asarray(self.first_s + self.steady_s, dtype=float)

    @property
    def steady_ci(self) -> Interval:
        return median_ci(self.steady_s)

    @property
    def first_over_steady(self) -> float:
        return self.first_s[0] / self.steady_ci.estimate

    def warmup_text(self) -> str:
        """How the first call compared with the steady state, judged against the steady run's interval."""
        ci = self.steady_ci
        if self.first_s[0] > ci.high:
            return (f"the first call took {self.first_over_steady:.1f} times the steady-state median: "
                    "a benchmark that times it reports set-up cost (allocating, first-touch page faults, "
                    "choosing kernels) as if it were speed")
        return ("the first call was within the steady-state spread here: this work needed no warm-up on this "
                "machine, which a benchmark cannot know without timing both")

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(name=self.name, first_calls=len(self.first_s), steady_samples=len(self.steady_s))

    @property
    def summary(self) -> dict[str, Any]:
        ci = self.steady_ci
        return {"first_call_s": self.first_s[0], "p50_s": ci.estimate, "p50_ci_s": [ci.low, ci.high],
                "first_over_steady_ratio": self.first_over_steady, "n": len(self.steady_s)}

    def _rows(self) -> list[tuple[str, str]]:
        ci = self.steady_ci
        return [("first calls", ", ".join(f"{t * 1e3:.3g} ms" for t in self.first_s)),
                ("steady state", f"median {ci.estimate * 1e3:.3g} ms [{ci.low * 1e3:.3g}, {ci.high * 1e3:.3g}]"),
                ("first / steady", f"{self.first_over_steady:.1f}x")]


@validate_params({"make": CALLABLE, "first": Range(1, 100, integer=True), "steady": [None, Range(3, 10_000, integer=True)]})
def cold_vs_warm(make: Callable[[], Callable[[], Any]], *, first: int = 3, steady: int | None = None,
                 name: str = "work") -> ColdWarm:
    """Build fresh work with ``make()`` and time its first ``first`` calls one by one (no warm-up),
    then ``steady`` more after them (the harness, its warm-up discarded)."""
    from simlib.measure.timer import time_callable

    fn = make()
    r = time_callable(fn, warmup=0, number=1, min_samples=first, max_samples=first, time_budget_s=1e9, system={})
    steady = steady or budget.pick(quick=15, standard=60, full=200)
    s = time_callable(fn, warmup=2, number=1, min_samples=steady, max_samples=steady, time_budget_s=1e9, system={})
    return ColdWarm(name, tuple(float(x) for x in r.samples_s), tuple(float(x) for x in s.samples_s))


# --- the clock ------------------------------------------------------------------------------

def clock_facts(n: int = 20_000) -> dict[str, float]:
    """The timer as a benchmark sees it (seconds): the resolution Python reports, the smallest
    nonzero step seen between two back-to-back reads, the cost of one read, and the harness's
    per-sample overhead (:func:`simlib.measure.timer.harness_overhead`).

    >>> f = clock_facts(2000)
    >>> 0 < f["read_cost_s"] < 1e-3 and f["smallest_step_s"] > 0
    True
    """
    from simlib.measure.timer import harness_overhead

    pc = time.perf_counter
    steps = []
    t0 = pc()
    for _ in range(n):
        a, b = pc(), pc()
        if b > a:
            steps.append(b - a)
    read_cost = (pc() - t0) / (2 * n)
    return {"resolution_s": time.get_clock_info("perf_counter").resolution,
            "smallest_step_s": float(min(steps)) if steps else float("nan"),
            "read_cost_s": read_cost, "harness_overhead_s": harness_overhead()}


# --- noise ----------------------------------------------------------------------------------

def _spin(stop_at: float) -> None:  # a busy process (module level: picklable under spawn)
    x = 0
    while time.time() < stop_at:
        x += 1


@dataclass(frozen=True, repr=False)
class NoiseDemo(ResultDisplay):
    """One kernel timed alone and beside ``hogs`` busy processes: the CV rule at work."""

    name: str
    quiet_s: tuple[float, ...]
    busy_s: tuple[float, ...]
    hogs: int
    kind = "measured"

    @property
    def samples_s(self) -> np.ndarray:
        return np.asarray(self.quiet_s + self.busy_s, dtype=float)

    @property
    def cv_quiet(self) -> float:
        return cv(self.quiet_s)

    @property
    def cv_busy(self) -> float:
        return cv(self.busy_s)

    @property
    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.cv_quiet > NOISY_CV:
            out.append(f"even the quiet run had a CV of {self.cv_quiet:.0%} (> {NOISY_CV:.0%}): this machine "
                       "is busy; its other numbers are noisy too")
        return tuple(out)

    def flag_text(self) -> str:
        """Which runs the 5% rule flags, in words."""
        q, b = self.cv_quiet > NOISY_CV, self.cv_busy > NOISY_CV
        if b and not q:
            return (f"the rule flagged the run beside {self.hogs} busy processes (CV {self.cv_busy:.0%}) and passed "
                    f"the quiet one (CV {self.cv_quiet:.1%})")
        if b and q:
            return (f"the rule flagged both runs (CV {self.cv_quiet:.0%} alone, CV {self.cv_busy:.0%} beside "
                    f"{self.hogs} busy processes): the machine was already busy before the hogs started")
        if q:
            return (f"the rule flagged the quiet run (CV {self.cv_quiet:.0%}) but not the one beside the hogs "
                    f"(CV {self.cv_busy:.1%}): interference comes and goes, which is why every run reports its CV")
        return (f"neither run was flagged (CV {self.cv_quiet:.1%} alone, CV {self.cv_busy:.1%} beside {self.hogs} "
                "busy processes): this machine had cores to spare for them")

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(name=self.name, hogs=self.hogs, samples=len(self.quiet_s))

    @property
    def summary(self) -> dict[str, Any]:
        return {"quiet_cv": self.cv_quiet, "busy_cv": self.cv_busy, "p50_s": float(np.median(self.quiet_s)),
                "busy_p50_s": float(np.median(self.busy_s)), "n": len(self.quiet_s), "hogs_count": self.hogs}

    def _rows(self) -> list[tuple[str, str]]:
        return [("alone", f"median {np.median(self.quiet_s) * 1e3:.3g} ms, CV {self.cv_quiet:.1%}"),
                (f"beside {self.hogs} busy processes",
                 f"median {np.median(self.busy_s) * 1e3:.3g} ms, CV {self.cv_busy:.1%}")]


@validate_params({"fn": CALLABLE, "hogs": Range(1, 64, integer=True), "samples": [None, Range(3, 10_000, integer=True)]})
def noisy_vs_quiet(fn: Callable[[], Any], *, hogs: int = 2, samples: int | None = None,
                   name: str = "kernel") -> NoiseDemo:
    """Time ``fn`` alone, then while ``hogs`` processes spin (they stop by themselves within seconds)."""
    samples = samples or budget.pick(quick=15, standard=40, full=100)
    quiet = _time(fn, samples=samples)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    t_stop = time.time() + 10.0
    procs = [ctx.Process(target=_spin, args=(t_stop,), daemon=True) for _ in range(hogs)]
    for p in procs:
        p.start()
    try:
        time.sleep(0.2)  # let them start spinning
        busy = _time(fn, samples=samples)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(timeout=2)
    return NoiseDemo(name, tuple(quiet.samples_s), tuple(busy.samples_s), hogs)


# --- laziness -------------------------------------------------------------------------------

def lazy_view_pitfall(n: int = 2048, roof_bytes_per_s: float | None = None) -> dict[str, Any]:
    """Time ``x.t()`` (a view: no data moves) and ``x.t().contiguous()`` (a real copy) on an
    ``n x n`` fp32 matrix, and the "bandwidth" each would claim for the copy's 2 n^2 x 4 bytes.

    Returns seconds and bytes/s; with ``roof_bytes_per_s`` also each claim as a fraction of that
    roof (the speed-of-light check: a fraction far above 1 is a bug in the benchmark).
    """
    import torch

    x = torch.randn(n, n, generator=torch.Generator().manual_seed(0))
    moved = 2.0 * n * n * 4
    view = _time(lambda: x.t())
    copy = _time(lambda: x.t().contiguous())
    out = {"view_s": float(np.median(view.samples_s)), "copy_s": float(np.median(copy.samples_s)),
           "bytes": moved}
    out["view_claim_bytes_per_s"] = moved / out["view_s"]
    out["copy_bytes_per_s"] = moved / out["copy_s"]
    if roof_bytes_per_s:
        out["view_sol"] = out["view_claim_bytes_per_s"] / roof_bytes_per_s
        out["copy_sol"] = out["copy_bytes_per_s"] / roof_bytes_per_s
    return out


# --- single operators: the iron law ---------------------------------------------------------

@dataclass(frozen=True)
class OperatorRow:
    """One operator: counted work and traffic, measured time, and its place on the measured roof."""

    name: str
    shape: str
    flops: float
    bytes: float
    time_s: float
    time_ci_s: tuple[float, float]
    cv: float
    roof_flops_per_s: float
    dispatch_s: float
    bound: str = "memory"  # which roof the intensity puts it under ("memory" or "compute")
    samples_s: tuple[float, ...] = field(default=(), repr=False)

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes

    @property
    def achieved_flops_per_s(self) -> float:
        return self.flops / self.time_s

    @property
    def achieved_bytes_per_s(self) -> float:
        return self.bytes / self.time_s

    @property
    def sol(self) -> float:
        """Achieved FLOP/s over the measured roof at this intensity (speed of light)."""
        return self.achieved_flops_per_s / self.roof_flops_per_s

    @property
    def roof_time_s(self) -> float:
        return self.flops / self.roof_flops_per_s

    @property
    def predicted_s(self) -> float:
        """The roofline's time plus one call's dispatch cost (the iron law's latency term)."""
        return self.roof_time_s + self.dispatch_s

    @property
    def overhead_share(self) -> float:
        """The dispatch cost's share of the measured time (capped at 1)."""
        return min(1.0, self.dispatch_s / self.time_s)

    def diagnosis(self) -> str:
        """The source's profiler reading (Napkin Math 1.4), from this operator's own numbers:
        dispatch dominates (latency bound), above the measured roof even at the slow end of its
        interval (its data sat in cache, or the roof was measured at a noisier moment), near its
        roof (bound by the roof's resource), or far below both roofs (the utilization trap)."""
        if self.overhead_share >= 0.5:
            return "latency bound: the call costs more than the work"
        if self.flops / self.time_ci_s[1] > self.roof_flops_per_s:
            return ("above the measured roof: its data fit in a cache faster than the DRAM roof, or the roof "
                    "was measured at a noisier moment")
        if self.sol >= 0.5:
            return f"near its roof ({self.bound} bound)"
        return "utilization trap: far below both roofs"


@dataclass(frozen=True, repr=False)
class OperatorStudy(ResultDisplay):
    """Operators timed on this machine and placed on its measured roofline."""

    rows: tuple[OperatorRow, ...]
    dispatch_s: float
    peak_flops_per_s: float
    bandwidth_bytes_per_s: float
    kind = "measured"
    warnings: tuple[str, ...] = ()

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(operators=[f"{r.name} {r.shape}" for r in self.rows],
                              peak_flops_per_s=self.peak_flops_per_s, bandwidth_bytes_per_s=self.bandwidth_bytes_per_s)

    @property
    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dispatch_s": self.dispatch_s, "n": len(self.rows)}
        for r in self.rows:
            key = r.name.replace(" ", "_").replace("-", "_")
            out[f"{key}_time_s"] = r.time_s
            out[f"{key}_sol_fraction"] = r.sol
        return out

    def _payload(self) -> dict[str, Any]:
        return {"rows": [{"name": r.name, "shape": r.shape, "flops": r.flops, "bytes": r.bytes, "time_s": r.time_s,
                          "cv": r.cv, "sol": r.sol, "samples_s": list(r.samples_s)} for r in self.rows]}

    def by_name(self, name: str) -> OperatorRow:
        return next(r for r in self.rows if r.name == name)

    def _rows(self) -> list[tuple[str, str]]:
        return [(f"{r.name} {r.shape}",
                 f"{r.flops / 1e6:.3g} MFLOP, {r.bytes / 1e6:.3g} MB, {r.intensity:.3g} FLOP/B; "
                 f"{r.time_s * 1e6:.4g} us -> {r.achieved_flops_per_s / 1e9:.3g} GFLOP/s, "
                 f"{r.achieved_bytes_per_s / 1e9:.3g} GB/s; SOL {r.sol:.0%}") for r in self.rows] + [
            ("dispatch (tiny add)", f"{self.dispatch_s * 1e6:.3g} us per call")]

    def operator_table(self) -> Table:
        """The operators as a table (text, or HTML in a notebook)."""
        rows = [[f"{r.name} {r.shape}", f"{r.flops:.3g}", f"{r.bytes:.3g}", f"{r.intensity:.3g}",
                 f"{r.time_s * 1e6:.4g}", f"{r.achieved_flops_per_s / 1e9:.3g}", f"{r.achieved_bytes_per_s / 1e9:.3g}",
                 f"{r.sol:.0%}", f"{r.overhead_share:.0%}"] for r in self.rows]
        return Table(["operator", "FLOP", "bytes", "FLOP/byte", "time (us)", "GFLOP/s", "GB/s", "SOL",
                      "dispatch share"], rows,
                     caption="Single operators on this machine [MEASURED], against its measured roofline")


def _operators(small: bool) -> list[tuple[str, str, Callable[[], Any], Any]]:
    import torch

    from simlib.roofline import ops

    g = torch.Generator().manual_seed(0)
    n = 256 if small else 512
    a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
    c = torch.empty(n, n)
    m = 1 << (18 if small else 20)
    x, y, z = torch.randn(m, generator=g), torch.randn(m, generator=g), torch.empty(m)
    rows, cols = (256, 512) if small else (1024, 1024)
    s_in = torch.randn(rows, cols, generator=g)
    s_out = torch.empty(rows, cols)
    conv = torch.nn.Conv2d(32, 32, 3, padding=1, bias=False).eval()
    img = torch.randn(1, 32, 56, 56, generator=g)

    def run_conv():
        with torch.no_grad():
            return conv(img)

    return [
        ("gemm", f"{n}x{n}x{n}", lambda: torch.matmul(a, b, out=c), ops.gemm(n, n, n, "fp32")),
        ("add", f"{m:,} elements", lambda: torch.add(x, y, out=z), ops.elementwise(m, "fp32")),
        ("softmax", f"{rows}x{cols}", lambda: torch.softmax(s_in, dim=-1, out=s_out), ops.softmax(rows, cols, "fp32")),
        ("conv3x3", "32->32 ch, 56x56", run_conv, ops.conv2d(1, 32, 56, 56, 32, 3, dtype="fp32")),
    ]


def operator_study(roofline, *, small: bool | None = None, samples: int | None = None) -> OperatorStudy:
    """Time GEMM, an element-wise add, softmax and a 3x3 convolution; count their FLOP and bytes
    (:mod:`simlib.roofline.ops`); place each on ``roofline`` (an
    :class:`~simlib.measure.roofline.EmpiricalRoofline`, fp32, or a ``(peak FLOP/s, bytes/s)``
    pair such as :func:`roof_at_threads` returns). The dispatch cost is the median
    time of ``torch.add`` on one-element tensors: no work, only the call (quick: ~1 s). ``samples``
    per operator (default: the budget's, 11 in quick)."""
    import torch

    from simlib.roofline.core import attainable, bound

    small = budget.current() == "quick" if small is None else small
    if isinstance(roofline, tuple):
        peak, bw = float(roofline[0]), float(roofline[1])
    else:
        peak, bw = roofline.peak_flops["fp32"], roofline.bandwidth_bytes_per_s
    one, two, out = torch.ones(1), torch.ones(1), torch.empty(1)
    d = _time(lambda: torch.add(one, two, out=out), samples=samples)
    dispatch_s = float(np.median(d.samples_s))
    rows, warns = [], []
    for name, shape, fn, count in _operators(small):
        r = _time(fn, samples=samples)
        t = np.asarray(r.samples_s)
        ci = median_ci(t)
        if cv(t) > NOISY_CV:
            warns.append(f"{name}: CV {cv(t):.0%} > {NOISY_CV:.0%}; its point is uncertain")
        rows.append(OperatorRow(name, shape, count.flops, count.bytes, ci.estimate, (ci.low, ci.high), cv(t),
                                float(attainable(count.intensity, peak, bw)), dispatch_s,
                                bound(count.intensity, peak, bw), tuple(float(v) for v in t)))
    return OperatorStudy(tuple(rows), dispatch_s, peak, bw, tuple(warns))


def roof_at_threads(threads: int, bandwidth_bytes_per_s: float, *, n: int = 256,
                    repeats: int | None = None) -> tuple[float, float]:
    """(peak FLOP/s, bandwidth B/s) for a run with ``threads`` torch threads: an ``n x n`` fp32
    GEMM timed at that thread count (:func:`simlib.measure.roofline.measure_gemm`), beside a
    bandwidth measured the same way (e.g. the working-set sweep's DRAM point, one thread).
    torch's thread count is restored afterwards."""

    from simlib.measure.roofline import measure_gemm

    with torch_threads(threads):
        g = measure_gemm(n, repeats=repeats)
    return g.median_rate, float(bandwidth_bytes_per_s)

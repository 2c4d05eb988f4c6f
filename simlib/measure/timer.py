"""The timing harness: warm-up, repeats to a target precision or a time budget, per-call samples.

Honest timing in the spirit of ``torch.utils.benchmark.Timer``: warm up until the per-call time
is stable (or a fixed count), then repeat until the median's confidence interval is narrow
enough (``target_rel_ci``) or the time budget is spent, keeping every sample. A call too short
for the clock (under ``min_block_s``, 10 us) is timed in blocks of ``number`` calls, as
``blocked_autorange`` does; a sample is then a block's mean per-call time. This is the one
timing loop: the empirical roofline (:mod:`simlib.measure.roofline`) uses it too. On a GPU
each call is bracketed by CUDA synchronization (or timed with CUDA events), because kernel
launches return before the work is done. The harness measures its own per-sample overhead
against a bare loop (:func:`harness_overhead`) and reports it.

>>> r = time_callable(lambda: sum(range(100)), warmup=5, min_samples=20, max_samples=50,
...                   time_budget_s=0.5)
>>> eff = r.settings["effective"]
>>> r.kind, len(r.samples_s) >= 20, eff["warmup_samples"], eff["number_per_sample"] > 1  # ~1 us: blocked
('measured', True, 5, True)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import CALLABLE, Options, Range, check, validate_params
from simlib.measure.result import Result
from simlib.stats import percentile_ci

__all__ = ["calls_per_block", "harness_overhead", "time_callable", "warmup_until_stable"]

_POS_INT = Range(1, None, integer=True)
_POS_S = Range(0, None, closed="neither", unit="s")
_SYNC = Options(("none", "cuda", "cuda_events"))


def _cuda():  # indirection so CPU tests can substitute a mock torch.cuda
    """torch.cuda when a CUDA device is usable; else BackendUnavailable saying why (both builds)."""
    import torch

    from simlib.hardware.detect import probe_torch_cuda
    from simlib.measure.backends import BackendUnavailable

    cuda = probe_torch_cuda()
    if not cuda["available"]:
        raise BackendUnavailable(f"CUDA synchronization needs a CUDA device: {cuda['reason']}. "
                                 "Use sync='none' to time CPU work")
    return torch.cuda


def _make_timed_call(fn: Callable[[], Any], sync: str, number: int = 1) -> Callable[[], float]:
    """A function running ``fn`` ``number`` times and returning the mean per-call duration (s)."""
    pc = time.perf_counter
    calls = range(number)
    if sync == "none":
        def call() -> float:
            t0 = pc()
            for _ in calls:
                fn()
            return (pc() - t0) / number
        return call
    cuda = _cuda()
    if sync == "cuda":
        def call() -> float:
            cuda.synchronize()
            t0 = pc()
            for _ in calls:
                fn()
            cuda.synchronize()
            return (pc() - t0) / number
        return call
    # "cuda_events": device-side timestamps, immune to host-side jitter between launch and sync
    def call() -> float:
        start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
        start.record()
        for _ in calls:
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3 / number  # ms -> s
    return call


@validate_params({"fn": CALLABLE, "sync": _SYNC, "min_block_s": Range(0, 10, closed="right", unit="s"),
                  "max_number": _POS_INT})
def calls_per_block(fn: Callable[[], Any], sync: str = "none", *, min_block_s: float = 1e-5,
                    max_number: int = 1 << 20) -> int:
    """How many calls of ``fn`` to time as one block so that a block lasts ``min_block_s``.

    As ``torch.utils.benchmark.Timer.blocked_autorange`` does: a call shorter than the clock's
    resolution and the harness overhead (about 0.1 us) cannot be timed alone, so ``number``
    grows x10 until one block of ``number`` calls lasts at least ``min_block_s`` (1 when a
    single call already does). Each size is timed twice and the faster kept, so a slow first
    (cold) call does not hide a fast function. These calls also warm ``fn`` up.

    >>> calls_per_block(lambda: None, min_block_s=1e-4) > 1
    True
    """
    number = 1
    while number < max_number:
        block = _make_timed_call(fn, sync, number)
        if min(block(), block()) * number >= min_block_s:  # the better of two: a cold first call is slow
            break
        number *= 10
    return min(number, max_number)


def warmup_until_stable(call: Callable[[], float], *, window: int = 5, rel_tol: float = 0.05,
                        max_calls: int = 200, max_time_s: float = 2.0) -> tuple[int, list[float]]:
    """Call until the medians of two consecutive windows agree within ``rel_tol``.

    Returns (number of warm-up calls, their durations). Stops at ``max_calls`` or ``max_time_s``
    even if not stable (the caller adds a warning).
    """
    times: list[float] = []
    t_end = time.perf_counter() + max_time_s
    while len(times) < max_calls and time.perf_counter() < t_end:
        times.append(call())
        if len(times) >= 2 * window:
            a = float(np.median(times[-2 * window:-window]))
            b = float(np.median(times[-window:]))
            if b > 0 and abs(a - b) / b <= rel_tol:
                break
    return len(times), times


def _stable(times: list[float], window: int, rel_tol: float) -> bool:
    if len(times) < 2 * window:
        return False
    a, b = float(np.median(times[-2 * window:-window])), float(np.median(times[-window:]))
    return b > 0 and abs(a - b) / b <= rel_tol


_TIME_CALLABLE = {
    "fn": CALLABLE,
    "warmup": [Options(("auto",)), Range(0, None, integer=True)],
    "number": [Options(("auto",)), _POS_INT],
    "min_samples": [_POS_INT, None],
    "max_samples": [_POS_INT, None],
    "target_rel_ci": Range(0, 1, closed="right"),
    "time_budget_s": [_POS_S, None],
    "min_block_s": Range(0, 10, closed="right", unit="s"),
    "sync": _SYNC,
}


def _requested(warmup, number, min_samples, max_samples, target_rel_ci, time_budget_s, min_block_s,
               sync) -> dict[str, Any]:
    """The settings with the budget's defaults filled in (max_samples checked against min_samples)."""
    if min_samples is None:
        min_samples = budget.pick(quick=30, standard=200, full=1000)
    if max_samples is None:
        max_samples = max(min_samples, budget.pick(quick=2_000, standard=50_000, full=500_000))
    if time_budget_s is None:
        time_budget_s = budget.pick(quick=1.0, standard=5.0, full=30.0)
    check("max_samples", max_samples, Range(min_samples, None, integer=True, unit="(>= min_samples)"),
          owner="time_callable")
    return {"warmup": warmup, "number": number, "min_samples": min_samples, "max_samples": max_samples,
            "target_rel_ci": target_rel_ci, "time_budget_s": time_budget_s, "min_block_s": min_block_s,
            "sync": sync}


def _warm_up(call: Callable[[], float], warmup: int | str, time_budget_s: float,
             warnings: list[str]) -> tuple[int, list[float]]:
    """Run the warm-up (fixed count or until stable); warn when "auto" never stabilized."""
    if warmup != "auto":
        return int(warmup), [call() for _ in range(int(warmup))]
    n_warm, warm_times = warmup_until_stable(call, max_time_s=min(2.0, time_budget_s))
    if not _stable(warm_times, 5, 0.05):
        warnings.append(f"warm-up did not stabilize in {n_warm} calls; the first samples may "
                        "include warm-up effects: pass warmup=N larger, or a longer budget")
    return n_warm, warm_times


def _median_precise(samples: list[float], target_rel_ci: float) -> bool:
    """Whether the 95% interval of the median is within +-``target_rel_ci`` of it."""
    try:
        ci = percentile_ci(samples, 50)
    except Exception:  # too few samples for an interval yet
        return False
    med = ci.estimate
    return med > 0 and max(med - ci.low, ci.high - med) / med <= target_rel_ci


def _sample(call: Callable[[], float], req: dict[str, Any]) -> tuple[list[float], str, float]:
    """Time samples until the median is precise enough, the budget is spent or ``max_samples``.

    Returns (samples in s, stop reason, seconds spent)."""
    samples: list[float] = []
    stop_reason = "max_samples"
    t_start = time.perf_counter()
    t_end = t_start + req["time_budget_s"]
    next_check = max(req["min_samples"], 50)
    while len(samples) < req["max_samples"]:
        samples.append(call())
        n = len(samples)
        if n >= next_check:
            next_check = int(n * 1.25) + 1
            if time.perf_counter() >= t_end:
                stop_reason = "time_budget"
                break
            if _median_precise(samples, req["target_rel_ci"]):
                stop_reason = "target_precision"
                break
        elif n >= req["min_samples"] and time.perf_counter() >= t_end:
            stop_reason = "time_budget"
            break
    return samples, stop_reason, time.perf_counter() - t_start


@validate_params(_TIME_CALLABLE)
def time_callable(
    fn: Callable[[], Any],
    *,
    name: str | None = None,
    warmup: int | str = "auto",
    number: int | str = "auto",
    min_samples: int | None = None,
    max_samples: int | None = None,
    target_rel_ci: float = 0.01,
    time_budget_s: float | None = None,
    min_block_s: float = 1e-5,
    sync: str = "none",
    metadata: dict[str, Any] | None = None,
    system: dict[str, Any] | None = None,
) -> Result:
    """Time ``fn()`` and return a :class:`Result` whose samples are per-call times (seconds).

    Parameters
    ----------
    warmup : "auto" (until two windows of 5 samples agree within 5%) or a fixed number of samples.
    number : calls per sample. "auto" (blocked timing, as ``torch.utils.benchmark``'s
        ``blocked_autorange``): 1 when one call lasts ``min_block_s`` or more, else enough calls
        that a block does (:func:`calls_per_block`); each sample is then a block's mean per-call
        time, so percentiles describe blocks, not single calls (a warning says so).
    min_samples, max_samples : bounds on the number of samples (budget-dependent defaults).
    target_rel_ci : stop once the 95% interval of the median is within +-this fraction of it.
    time_budget_s : wall-clock budget for the timed phase (budget-dependent default).
    min_block_s : the shortest sample "auto" accepts (s); 10 us keeps the ~0.1 us harness
        overhead near 1%.
    sync : "none" (CPU), "cuda" (``torch.cuda.synchronize`` around each sample) or
        "cuda_events" (CUDA events; device time).
    """
    req = _requested(warmup, number, min_samples, max_samples, target_rel_ci, time_budget_s, min_block_s, sync)
    n_calls = calls_per_block(fn, sync, min_block_s=min_block_s) if number == "auto" else int(number)
    call = _make_timed_call(fn, sync, n_calls)
    warnings: list[str] = []
    n_warm, warm_times = _warm_up(call, warmup, req["time_budget_s"], warnings)
    samples, stop_reason, elapsed = _sample(call, req)
    if stop_reason != "target_precision":
        warnings.append(f"stopped on {stop_reason.replace('_', ' ')} before the median's 95% interval "
                        f"reached +-{target_rel_ci:.1%}; raise SIMLIB_BUDGET or time_budget_s for tighter numbers")
    if n_calls > 1:
        warnings.append(f"blocked timing: each sample is the mean of {n_calls} calls (one call is shorter than "
                        f"{min_block_s:g} s), so percentiles describe blocks, not single calls")
    overhead = harness_overhead() / n_calls
    effective = {"warmup_samples": n_warm, "warmup_calls": n_warm * n_calls, "samples": len(samples),
                 "number_per_sample": n_calls, "timed_calls": len(samples) * n_calls,
                 "stop_reason": stop_reason, "timed_phase_s": round(elapsed, 4), "sync": sync,
                 "harness_overhead_s": overhead}
    if system is None:
        from simlib.sysdesc import system_description

        system = system_description()
    return Result(
        name=name or getattr(fn, "__name__", "callable"), kind="measured", samples_s=samples,
        system=system, settings={"requested": req, "effective": effective},
        metrics={"harness_overhead_s": overhead}, warnings=warnings,
        extra={"warmup_samples_s": warm_times, **(metadata or {})},
    )


@functools.lru_cache(maxsize=1)
def harness_overhead(n: int = 20_000) -> float:
    """Per-sample overhead of the harness (s): a timed no-op minus a bare-loop no-op, per call.

    Computed once per process (about 20 ms) and reported with every timing result.
    """
    def noop() -> None:
        return None

    call = _make_timed_call(noop, "none")
    pc = time.perf_counter
    best_bare = best_timed = float("inf")
    for _ in range(3):  # best of 3 to shed interruptions on a shared machine
        t0 = pc()
        for _ in range(n):
            noop()
        best_bare = min(best_bare, (pc() - t0) / n)
        samples: list[float] = []
        t0 = pc()
        for _ in range(n):
            samples.append(call())
        best_timed = min(best_timed, (pc() - t0) / n)
    return max(0.0, best_timed - best_bare)

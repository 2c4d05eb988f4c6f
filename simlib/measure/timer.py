"""The timing harness: warm-up, repeats to a target precision or a time budget, per-call samples.

Honest timing in the spirit of ``torch.utils.benchmark.Timer``: warm up until the per-call time
is stable (or a fixed count), then repeat until the median's confidence interval is narrow
enough (``target_rel_ci``) or the time budget is spent, keeping every per-call sample. On a GPU
each call is bracketed by CUDA synchronization (or timed with CUDA events), because kernel
launches return before the work is done. The harness measures its own per-sample overhead
against a bare loop (:func:`harness_overhead`) and reports it.

>>> r = time_callable(lambda: sum(range(100)), warmup=5, min_samples=20, max_samples=50,
...                   time_budget_s=0.5)
>>> r.kind, len(r.samples_s) >= 20, r.settings["effective"]["warmup_calls"]
('measured', True, 5)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Options, Range, check
from simlib.measure.result import Result
from simlib.stats import percentile_ci

__all__ = ["harness_overhead", "time_callable", "warmup_until_stable"]

_POS_INT = Range(1, None, integer=True)
_POS_S = Range(0, None, closed="neither", unit="s")


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


def _make_timed_call(fn: Callable[[], Any], sync: str) -> Callable[[], float]:
    """A function running ``fn`` once and returning its duration in seconds."""
    pc = time.perf_counter
    if sync == "none":
        def call() -> float:
            t0 = pc()
            fn()
            return pc() - t0
        return call
    cuda = _cuda()
    if sync == "cuda":
        def call() -> float:
            cuda.synchronize()
            t0 = pc()
            fn()
            cuda.synchronize()
            return pc() - t0
        return call
    # "cuda_events": device-side timestamps, immune to host-side jitter between launch and sync
    def call() -> float:
        start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3  # ms -> s
    return call


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


def time_callable(
    fn: Callable[[], Any],
    *,
    name: str | None = None,
    warmup: int | str = "auto",
    min_samples: int | None = None,
    max_samples: int | None = None,
    target_rel_ci: float = 0.01,
    time_budget_s: float | None = None,
    sync: str = "none",
    metadata: dict[str, Any] | None = None,
    system: dict[str, Any] | None = None,
) -> Result:
    """Time ``fn()`` call by call and return a :class:`Result` with per-call samples (seconds).

    Parameters
    ----------
    warmup : "auto" (until two windows of 5 calls agree within 5%) or a fixed number of calls.
    min_samples, max_samples : bounds on the number of timed calls (budget-dependent defaults).
    target_rel_ci : stop once the 95% interval of the median is within +-this fraction of it.
    time_budget_s : wall-clock budget for the timed phase (budget-dependent default).
    sync : "none" (CPU), "cuda" (``torch.cuda.synchronize`` around each call) or
        "cuda_events" (CUDA events; device time).
    """
    check("warmup", warmup, Options(("auto",)), Range(0, None, integer=True), owner="time_callable")
    if min_samples is None:
        min_samples = budget.pick(quick=30, standard=200, full=1000)
    if max_samples is None:
        max_samples = max(min_samples, budget.pick(quick=2_000, standard=50_000, full=500_000))
    if time_budget_s is None:
        time_budget_s = budget.pick(quick=1.0, standard=5.0, full=30.0)
    check("min_samples", min_samples, _POS_INT, owner="time_callable")
    check("max_samples", max_samples, Range(min_samples, None, integer=True), owner="time_callable")
    check("target_rel_ci", target_rel_ci, Range(0, 1, closed="right"), owner="time_callable")
    check("time_budget_s", time_budget_s, _POS_S, owner="time_callable")
    check("sync", sync, Options(("none", "cuda", "cuda_events")), owner="time_callable")
    requested = {"warmup": warmup, "min_samples": min_samples, "max_samples": max_samples,
                 "target_rel_ci": target_rel_ci, "time_budget_s": time_budget_s, "sync": sync}
    call = _make_timed_call(fn, sync)
    warnings: list[str] = []
    if warmup == "auto":
        n_warm, warm_times = warmup_until_stable(call, max_time_s=min(2.0, time_budget_s))
        if not _stable(warm_times, 5, 0.05):
            warnings.append(f"warm-up did not stabilize in {n_warm} calls; the first samples may "
                            "include warm-up effects: pass warmup=N larger, or a longer budget")
    else:
        warm_times = [call() for _ in range(int(warmup))]
        n_warm = int(warmup)

    samples: list[float] = []
    stop_reason = "max_samples"
    t_start = time.perf_counter()
    t_end = t_start + time_budget_s
    next_check = max(min_samples, 50)
    while len(samples) < max_samples:
        samples.append(call())
        n = len(samples)
        if n >= next_check:
            next_check = int(n * 1.25) + 1
            if time.perf_counter() >= t_end:
                stop_reason = "time_budget"
                break
            try:
                ci = percentile_ci(samples, 50)
                med = ci.estimate
                if med > 0 and max(med - ci.low, ci.high - med) / med <= target_rel_ci:
                    stop_reason = "target_precision"
                    break
            except Exception:  # too few samples for an interval yet
                pass
        elif n >= min_samples and time.perf_counter() >= t_end:
            stop_reason = "time_budget"
            break
    elapsed = time.perf_counter() - t_start
    if stop_reason != "target_precision":
        warnings.append(f"stopped on {stop_reason.replace('_', ' ')} before the median's 95% interval "
                        f"reached +-{target_rel_ci:.1%}; raise SIMLIB_BUDGET or time_budget_s for tighter numbers")
    overhead = harness_overhead()
    effective = {"warmup_calls": n_warm, "samples": len(samples), "stop_reason": stop_reason,
                 "timed_phase_s": round(elapsed, 4), "sync": sync,
                 "harness_overhead_s": overhead}
    if system is None:
        from simlib.sysdesc import system_description

        system = system_description()
    return Result(
        name=name or getattr(fn, "__name__", "callable"), kind="measured", samples_s=samples,
        system=system, settings={"requested": requested, "effective": effective},
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

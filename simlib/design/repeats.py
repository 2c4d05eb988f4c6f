"""Repeated, interleaved runs on this machine (MEASURED), for the chapter's statistics section.

:func:`repeat_runs` opens each configuration once and alternates short timed runs between them
(A, B, A, B, ...), so a slow stretch of the machine hits both alike; each run's samples are
kept. :func:`burst_vs_sustained` times one model continuously and compares the first and the
last window of the run, the measured counterpart of the thermal model's peak-versus-sustained.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from simlib import limits
from simlib._validate import Range, validate_params

__all__ = ["burst_vs_sustained", "repeat_runs"]


@validate_params({"n_runs": Range(2, 1000, integer=True), "calls_per_run": Range(2, 1_000_000, integer=True)})
def repeat_runs(configs: dict[str, dict[str, Any]], *, n_runs: int = 5, calls_per_run: int = 100,
                warmup: int = 20) -> dict[str, list[np.ndarray]]:
    """``configs``: label -> keyword arguments of :func:`simlib.measure.backends.open_backend`
    (``backend``, ``model``, ``precision``, ...). Returns label -> list of per-run arrays of
    per-call latencies (s), runs interleaved across labels."""
    from simlib.measure.backends import open_backend

    limits.check_work("requests", n_runs * calls_per_run * len(configs), owner="repeat_runs",
                      parameter="calls_per_run")
    opened = {}
    try:
        for label, kw in configs.items():
            kw = dict(kw)
            b = open_backend(kw.pop("backend", "onnxruntime"), kw.pop("model"), cold_start=False, **kw)
            x = b.spec.sample_inputs(1)
            for _ in range(warmup):
                b.infer(x)
            opened[label] = (b, x)
        runs: dict[str, list[np.ndarray]] = {k: [] for k in configs}
        for _ in range(n_runs):
            for label, (b, x) in opened.items():
                out = np.empty(calls_per_run)
                for i in range(calls_per_run):
                    t0 = time.perf_counter()
                    b.infer(x)
                    out[i] = time.perf_counter() - t0
                runs[label].append(out)
        return runs
    finally:
        for b, _ in opened.values():
            b.close()


@validate_params({"duration_s": Range(0.2, 3600, unit="s"), "window_fraction": Range(0.05, 0.5)})
def burst_vs_sustained(model: str = "cnn", *, duration_s: float = 2.0, window_fraction: float = 0.2,
                       threads: int | None = None) -> dict[str, Any]:
    """Time ``model`` back to back for ``duration_s``; the first and last ``window_fraction`` of
    the calls are the burst and the sustained windows. Returns both windows' samples (s) and
    the 95% intervals of their medians (batch means, :mod:`simlib.batch_means`)."""
    from simlib.batch_means import percentile_ci
    from simlib.measure.backends import open_backend

    limits.check_work("wall_s", duration_s, owner="burst_vs_sustained", parameter="duration_s")
    b = open_backend("onnxruntime", model, threads=threads, cold_start=False)
    try:
        x = b.spec.sample_inputs(1)
        b.infer(x)
        times, t_end = [], time.perf_counter() + duration_s
        while True:
            t0 = time.perf_counter()
            b.infer(x)
            t1 = time.perf_counter()
            times.append(t1 - t0)
            if t1 >= t_end:
                break
    finally:
        b.close()
    s = np.asarray(times)
    k = max(2, int(len(s) * window_fraction))
    burst, sustained = s[:k], s[-k:]

    def ci(v):
        try:
            return percentile_ci(v, 50)
        except Exception:  # too few for batch means: an interval of the order statistics
            from simlib.stats import median_ci

            return median_ci(v)

    return {"samples_s": s, "burst_s": burst, "sustained_s": sustained, "burst_ci": ci(burst),
            "sustained_ci": ci(sustained), "n_window": k, "duration_s": duration_s}

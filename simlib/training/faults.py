"""Checkpoints and failures: the optimal checkpoint interval, goodput, and a simulation of a long run.

A run checkpoints every ``interval_s`` of useful work, each checkpoint taking ``checkpoint_s``;
failures arrive at random (a Poisson process, mean time between failures ``mtbf_s``); after a
failure the job restarts (``restart_s``) from the last checkpoint and redoes the lost work.
With exponential failures, one segment of length ``L = interval_s + checkpoint_s`` takes on
average ``(mtbf_s + restart_s) (exp(L / mtbf_s) - 1)``, so the goodput (useful work / wall time) is

    goodput = interval_s / ((mtbf_s + restart_s) (exp(L / mtbf_s) - 1)).

Young (1974) minimizes the first-order waste: ``interval = sqrt(2 checkpoint_s mtbf_s)``; Daly
(2006) adds higher-order terms. A cluster of ``n`` nodes fails ``n`` times as often as one.

>>> round(young_interval_s(60, 3 * 3600) / 60, 1)   # 1-minute checkpoints, a failure every 3 h
19.0
>>> round(expected_goodput(interval_s=1140, checkpoint_s=60, restart_s=300, mtbf_s=3 * 3600), 3)
0.874
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import Range, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["GoodputSweep", "checkpoint_bytes", "daly_interval_s", "expected_goodput", "simulate_goodput",
           "young_interval_s"]

_POS = Range(0, None, closed="neither", unit="s")
_NONNEG = Range(0, None, unit="s")


@validate_params({"checkpoint_s": _POS, "mtbf_s": _POS})
def young_interval_s(checkpoint_s: float, mtbf_s: float) -> float:
    """Young's optimal interval between checkpoints (s): sqrt(2 checkpoint_s mtbf_s)."""
    return math.sqrt(2 * checkpoint_s * mtbf_s)


@validate_params({"checkpoint_s": _POS, "mtbf_s": _POS})
def daly_interval_s(checkpoint_s: float, mtbf_s: float) -> float:
    """Daly's (2006) higher-order optimum (s); ``mtbf_s`` when a checkpoint takes over 2 MTBF.

    >>> round(daly_interval_s(60, 3 * 3600) / 60, 1)
    18.3
    """
    if checkpoint_s >= 2 * mtbf_s:
        return mtbf_s
    r = checkpoint_s / (2 * mtbf_s)
    return math.sqrt(2 * checkpoint_s * mtbf_s) * (1 + math.sqrt(r) / 3 + r / 9) - checkpoint_s


@validate_params({"interval_s": _POS, "checkpoint_s": _NONNEG, "restart_s": _NONNEG, "mtbf_s": _POS})
def expected_goodput(*, interval_s: float, checkpoint_s: float, restart_s: float, mtbf_s: float) -> float:
    """Expected useful work / wall time (a fraction) with exponential failures (closed form)."""
    seg = interval_s + checkpoint_s
    return interval_s / ((mtbf_s + restart_s) * math.expm1(seg / mtbf_s))


@validate_params({"params": Range(0, None, closed="neither"), "weight_bytes": Range(0, None),
                  "master_bytes": Range(0, None), "optimizer_bytes": Range(0, None)})
def checkpoint_bytes(params: float, *, weight_bytes: float = 2, master_bytes: float = 4,
                     optimizer_bytes: float = 8) -> float:
    """Bytes of a full checkpoint: weights plus what a restart needs (FP32 master copy, Adam state).

    >>> checkpoint_bytes(100e9) / 1e12   # 100B parameters, mixed precision with Adam: 1.4 TB
    1.4
    >>> checkpoint_bytes(100e9, master_bytes=0, optimizer_bytes=0) / 1e9   # the weights alone
    200.0
    """
    return params * (weight_bytes + master_bytes + optimizer_bytes)


@dataclass(repr=False)
class GoodputSweep(ResultDisplay):
    """MODELED goodput against checkpoint interval: a Monte Carlo run per interval and the closed form."""

    intervals_s: np.ndarray
    simulated: np.ndarray        # (intervals, replications) goodput of each simulated run
    closed_form: np.ndarray
    checkpoint_s: float
    restart_s: float
    mtbf_s: float
    work_s: float
    warnings: list[str] = field(default_factory=list)
    kind: str = "modeled"

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(checkpoint_s=self.checkpoint_s, restart_s=self.restart_s, mtbf_s=self.mtbf_s,
                              work_s=self.work_s, replications=int(self.simulated.shape[1]))

    @property
    def mean(self) -> np.ndarray:
        return self.simulated.mean(axis=1)

    @property
    def best_interval_s(self) -> float:
        return float(self.intervals_s[int(np.argmax(self.mean))])

    @property
    def summary(self) -> dict[str, Any]:
        i = int(np.argmax(self.mean))
        return {"n": int(self.simulated.size), "best_interval_s": self.best_interval_s,
                "best_goodput_fraction": float(self.mean[i]),
                "young_interval_s": young_interval_s(self.checkpoint_s, self.mtbf_s),
                "max_error_fraction": float(np.max(np.abs(self.mean - self.closed_form)))}

    def _rows(self) -> list[tuple[str, str]]:
        return [(f"every {t / 60:.3g} min", f"goodput {m:.1%} simulated, {c:.1%} closed form")
                for t, m, c in zip(self.intervals_s, self.mean, self.closed_form, strict=True)]


def _one_run(rng: np.random.Generator, segments: int, seg_s: float, restart_s: float, mtbf_s: float) -> float:
    """Wall time of ``segments`` segments of ``seg_s`` each, with exponential failures."""
    p_ok = math.exp(-seg_s / mtbf_s)
    failures = rng.geometric(p_ok, size=segments) - 1  # failed attempts before each success
    k = int(failures.sum())
    # each failed attempt lasted an exponential time truncated to the segment: inverse CDF
    u = rng.random(k)
    lost = -mtbf_s * np.log1p(-u * (1 - p_ok))
    return segments * seg_s + float(lost.sum()) + k * restart_s


@validate_params({"checkpoint_s": _NONNEG, "restart_s": _NONNEG, "mtbf_s": _POS, "work_s": _POS,
                  "replications": Range(1, 10_000, integer=True)})
def simulate_goodput(intervals_s, *, checkpoint_s: float, restart_s: float, mtbf_s: float, work_s: float,
                     replications: int = 20, seed: int = 0) -> GoodputSweep:
    """Simulate a run of ``work_s`` useful seconds at each checkpoint interval (MODELED).

    >>> sw = simulate_goodput([600, 1140, 3600], checkpoint_s=60, restart_s=300, mtbf_s=3 * 3600,
    ...                       work_s=30 * 86400, replications=20, seed=1)
    >>> bool(sw.summary["max_error_fraction"] < 0.01), sw.best_interval_s
    (True, 1140.0)
    """
    iv = np.asarray(intervals_s, dtype=float)
    if iv.ndim != 1 or iv.size == 0 or np.any(iv <= 0):
        from simlib._validate import invalid
        raise invalid("intervals_s", "must be a non-empty list of positive seconds", "positive numbers (s)",
                      owner="simulate_goodput")
    rng = np.random.default_rng(seed)
    sim = np.empty((iv.size, replications))
    for i, t in enumerate(iv):
        segments = max(1, int(round(work_s / t)))
        for r in range(replications):
            sim[i, r] = segments * t / _one_run(rng, segments, t + checkpoint_s, restart_s, mtbf_s)
    cf = np.array([expected_goodput(interval_s=t, checkpoint_s=checkpoint_s, restart_s=restart_s, mtbf_s=mtbf_s)
                   for t in iv])
    return GoodputSweep(iv, sim, cf, checkpoint_s, restart_s, mtbf_s, work_s)

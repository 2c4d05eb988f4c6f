"""Traffic traces: CSV files of arrival timestamps a reader can swap, and a generator for synthetic ones.

A trace is a sorted column of arrival times in seconds. :func:`flash_crowd` builds one with a
daily cycle compressed into ``period_s`` and a flash crowd (the source chapter's 1,000 QPS
service hit by 10,000 QPS: ``flash_factor=10``); :func:`save_csv` and :func:`load_csv` write and
read the one-column format that :meth:`simlib.queueing.Trace.from_csv` replays.
:func:`scaled_to_peak` stretches a trace in time so that its busiest stretch offers a chosen rate
(the same shape, replayed against a faster or slower server), and :func:`rate_series` counts
arrivals per bin for plots and autoscalers.

``BUNDLED`` is the small trace shipped with the book (``simlib/monitor/traces/flash_crowd.csv``,
made by ``flash_crowd()`` with its defaults: a day compressed into 20 s around 100 queries/s, and
a quarter-second flash crowd at ten times the rate, about 18 minutes of a real day).

>>> t = flash_crowd(seed=0)
>>> bool(np.all(np.diff(t) >= 0)), bool(peak_qps(t, window_s=0.25) / (t.size / t[-1]) >= 5)
(True, True)
>>> s = scaled_to_peak(t, 2 * peak_qps(t))
>>> round(peak_qps(s) / peak_qps(t), 6)
2.0
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simlib._validate import Range, invalid, validate_params

__all__ = ["BUNDLED", "flash_backlog", "flash_crowd", "load_csv", "peak_qps", "query_log", "rate_series", "recovery_s",
           "replay_window", "save_csv", "scaled_to_peak"]

BUNDLED = Path(__file__).parent / "traces" / "flash_crowd.csv"

_POS_S = Range(0, None, closed="neither", unit="s")
_RATE = Range(0, None, closed="neither", unit="queries/s")


@validate_params({"duration_s": _POS_S, "base_qps": _RATE, "amplitude": Range(0, 1),
                  "period_s": [_POS_S, None], "flash_at_s": Range(0, None, unit="s"), "flash_s": Range(0, None, unit="s"),
                  "flash_factor": Range(1, 1000), "seed": Range(0, None, integer=True)})
def flash_crowd(duration_s: float = 20.0, base_qps: float = 100.0, amplitude: float = 0.5,
                period_s: float | None = None, flash_at_s: float = 12.0, flash_s: float = 0.25,
                flash_factor: float = 10.0, seed: int = 0) -> np.ndarray:
    """Arrival times (s) of a non-homogeneous Poisson process: a daily cycle around ``base_qps``
    (``amplitude`` 0.5: the peak of the cycle is three times its trough; one cycle over
    ``period_s``, default the whole trace, with the trough at t = 0) plus a flash crowd that
    multiplies the rate by ``flash_factor`` for ``flash_s`` seconds from ``flash_at_s``."""
    if flash_at_s + flash_s > duration_s:
        raise invalid("flash_at_s", f"the flash crowd ({flash_at_s} s + {flash_s} s) ends after the trace "
                      f"({duration_s} s)", "flash_at_s + flash_s <= duration_s", owner="flash_crowd")
    period = duration_s if period_s is None else period_s
    rng = np.random.default_rng(seed)
    top = base_qps * (1 + amplitude) * flash_factor
    cand = np.cumsum(rng.exponential(1.0 / top, int(top * duration_s * 1.2) + 100))
    while cand[-1] < duration_s:  # rare: draw more
        cand = np.r_[cand, cand[-1] + np.cumsum(rng.exponential(1.0 / top, int(top * duration_s) + 100))]
    cand = cand[cand < duration_s]
    rate = base_qps * (1 - amplitude * np.cos(2 * np.pi * cand / period))
    rate = np.where((cand >= flash_at_s) & (cand < flash_at_s + flash_s), rate * flash_factor, rate)
    return cand[rng.random(cand.size) * top < rate]


def _times(times_s) -> np.ndarray:
    t = np.asarray(times_s, dtype=float).ravel()
    if t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
        raise invalid("times_s", f"got {t.size} values" if t.size < 2 else "got unsorted or non-finite values",
                      "at least two finite arrival times in seconds, sorted", owner="traces")
    return t


def save_csv(path: str | Path, times_s) -> Path:
    """Write arrival times (s) as a one-column CSV with a header, microsecond resolution."""
    t = _times(times_s)
    path = Path(path)
    path.write_text("arrival_s\n" + "\n".join(f"{x:.6f}" for x in t) + "\n")
    return path


def load_csv(path: str | Path = BUNDLED) -> np.ndarray:
    """Arrival times (s), shifted to start at 0, from a CSV whose first column holds them
    (a header line and ``#`` comments are skipped): the format :func:`save_csv` writes."""
    from simlib.queueing import Trace

    return Trace.from_csv(str(path)).times_s


@validate_params({"bin_s": _POS_S})
def rate_series(times_s, bin_s: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """(bin start times in s, arrivals per second in each bin)."""
    t = _times(times_s)
    edges = np.arange(t[0], t[-1] + bin_s, bin_s)
    counts, _ = np.histogram(t, bins=np.r_[edges, edges[-1] + bin_s])
    return edges, counts / bin_s


@validate_params({"window_s": [_POS_S, None]})
def peak_qps(times_s, window_s: float | None = None) -> float:
    """The highest arrival rate over any ``window_s`` (default: 5% of the trace) in queries/s."""
    t = _times(times_s)
    w = (t[-1] - t[0]) * 0.05 if window_s is None else window_s
    counts = np.searchsorted(t, t + w, side="left") - np.arange(t.size)
    return float(counts.max() / w)


@validate_params({"peak_target_qps": _RATE})
def scaled_to_peak(times_s, peak_target_qps: float) -> np.ndarray:
    """The trace stretched or compressed in time (from its start) so that :func:`peak_qps` (over
    the same fraction of its span) equals ``peak_target_qps``; the shape is unchanged."""
    t = _times(times_s)
    return (t - t[0]) * (peak_qps(t) / peak_target_qps)


def query_log(run) -> tuple[np.ndarray, np.ndarray]:
    """(scheduled arrival s, latency s) of every completed query of a load-generator run
    (:class:`simlib.measure.RunResult`, measured or modeled), in schedule order."""
    q = (getattr(run, "extra", None) or {}).get("queries")
    if not q:
        raise invalid("run", "has no per-query log", "a RunResult from simlib.measure.run_scenario", owner="query_log")
    sched = np.asarray(q["scheduled_s"], dtype=float)
    done = np.asarray([np.nan if c is None else c for c in q["completed_s"]], dtype=float)
    ok = np.isfinite(done)
    return sched[ok], (done - sched)[ok]


@validate_params({"peak_qps": _RATE, "capacity_qps": _RATE, "flash_s": Range(0, None, unit="s"),
                  "after_qps": Range(0, None, unit="queries/s")})
def flash_backlog(peak_qps: float, capacity_qps: float, flash_s: float, after_qps: float) -> dict[str, float]:
    """The fluid model of a flash crowd: while arrivals at ``peak_qps`` exceed ``capacity_qps``
    the backlog grows at their difference for ``flash_s``; the last request of the flash waits
    ``backlog / capacity``; afterwards the backlog drains at ``capacity - after_qps``.
    Returns ``backlog_count``, ``peak_wait_s`` and ``drain_s`` (inf if it never drains).

    >>> f = flash_backlog(1300, 1000, 0.5, 200)
    >>> f["backlog_count"], f["peak_wait_s"], round(f["drain_s"], 4)
    (150.0, 0.15, 0.1875)
    """
    backlog = max(0.0, peak_qps - capacity_qps) * flash_s
    drain = 0.0 if backlog == 0 else (backlog / (capacity_qps - after_qps) if after_qps < capacity_qps else np.inf)
    return {"backlog_count": backlog, "peak_wait_s": backlog / capacity_qps, "drain_s": float(drain)}


@validate_params({"after_s": Range(None, None, unit="s"), "threshold_s": Range(0, None, closed="neither", unit="s")})
def recovery_s(t_s, latency_s, after_s: float, threshold_s: float) -> float:
    """Seconds from ``after_s`` (the end of a burst) to the arrival of the last request slower than
    ``threshold_s``; 0 if none after it was."""
    t, x = np.asarray(t_s, dtype=float), np.asarray(latency_s, dtype=float)
    late = t[(t >= after_s) & (x > threshold_s)]
    return float(late.max() - after_s) if late.size else 0.0


@validate_params({"peak_target_qps": _RATE, "wall_s": _POS_S, "window_s": _POS_S, "before": Range(0, 1)})
def replay_window(times_s, peak_target_qps: float, wall_s: float, window_s: float = 0.5,
                  before: float = 0.3) -> np.ndarray:
    """The stretch of a trace around its busiest ``window_s`` (trace seconds), rescaled in time so
    that the busiest window offers ``peak_target_qps`` and the stretch lasts about ``wall_s`` once
    replayed (``before`` of it ahead of the peak, the rest after, to see the recovery). Returns
    arrival times from 0. Sizing a replay by its duration keeps it short on a slow machine.

    >>> t = flash_crowd(seed=0)
    >>> r = replay_window(t, 2000.0, wall_s=3.0)
    >>> bool(2.5 < r[-1] <= 3.0)
    True
    """
    t = _times(times_s)
    counts = np.searchsorted(t, t + window_s, side="left") - np.arange(t.size)
    i = int(np.argmax(counts))
    factor = (counts[i] / window_s) / peak_target_qps  # replay seconds per trace second
    span = wall_s / factor
    lo = max(t[0], t[i] + window_s / 2 - before * span)
    hi = min(t[-1], lo + span)
    part = t[(t >= lo) & (t < hi)]
    if part.size < 2:
        raise invalid("wall_s", f"leaves {part.size} arrivals in the window", "a longer replay", owner="replay_window")
    return (part - part[0]) * factor

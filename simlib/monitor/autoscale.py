"""Autoscaling with a start-up delay: a trace replayed through a FIFO pool whose size follows the load.

The serving simulator (:mod:`simlib.queueing`) has a fixed number of workers. A production pool
grows and shrinks: every ``interval_s`` an autoscaler looks at the arrival rate of the last
``window_s``, asks for ``ceil(rate * mean_service_s / target_utilization)`` workers (between
``min_servers`` and ``max_servers``), and a worker it adds starts serving only ``startup_s``
later (a container start plus the model's cold start: weights loaded, runtime initialized). A
worker it removes takes no new request after the decision. Requests wait in one FIFO queue and
each goes to the worker that can start it first.

The rate-based policy decides from past arrivals only, so the pool's schedule is fixed before
the requests are served, and the queue is the plain FIFO multi-server recursion. With
``min_servers == max_servers`` it is the fixed pool (tests compare it with :func:`simlib.queueing.simulate`).

>>> t = np.arange(0, 10, 0.01)                       # 100 requests/s for 10 s
>>> r = autoscaled_replay(t, np.full(t.size, 0.005), min_servers=1, max_servers=1)
>>> round(r.summary["p99_s"], 4), r.summary["max_servers_count"]
(0.005, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import stats
from simlib._validate import Range, invalid, validate_params
from simlib.protocol import ResultDisplay

__all__ = ["AutoscaleResult", "autoscaled_replay"]


@dataclass(frozen=True, eq=False, repr=False)
class AutoscaleResult(ResultDisplay):
    """A MODELED replay through an autoscaled pool: per-request latencies and the pool over time.

    ``arrival_s``, ``samples_s`` (latency, s, in arrival order), ``start_s``; ``pool_t_s`` and
    ``pool_ready_count`` (workers able to serve from each time on), ``pool_asked_count`` (what
    the autoscaler asked for)."""

    arrival_s: np.ndarray
    samples_s: np.ndarray
    start_s: np.ndarray
    pool_t_s: np.ndarray
    pool_ready_count: np.ndarray
    pool_asked_count: np.ndarray
    settings: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    kind: str = "modeled"

    @property
    def summary(self) -> dict[str, Any]:
        x = self.samples_s
        return {"n": int(x.size), "p50_s": stats.percentile(x, 50), "p99_s": stats.percentile(x, 99),
                "max_s": float(x.max()), "mean_s": float(x.mean()),
                "max_servers_count": int(self.pool_ready_count.max()),
                "server_s": float(self._server_seconds())}

    def _server_seconds(self) -> float:
        """Worker-seconds held (ready or starting) over the trace: what the pool costs."""
        t = np.r_[self.pool_t_s, self.arrival_s[-1]]
        return float(np.sum(np.diff(t) * self.pool_asked_count))

    def latency_at(self, t_s: float, window_s: float) -> np.ndarray:
        """Latencies of the requests that arrived in [t_s, t_s + window_s)."""
        sel = (self.arrival_s >= t_s) & (self.arrival_s < t_s + window_s)
        return self.samples_s[sel]

    def _rows(self) -> list[tuple[str, str]]:
        s, e = self.summary, self.settings["effective"]
        return [("requests", f"{s['n']}"), ("p50 / p99 latency", f"{s['p50_s'] * 1e3:.2f} / {s['p99_s'] * 1e3:.2f} ms"),
                ("slowest request", f"{s['max_s'] * 1e3:.1f} ms"),
                ("workers", f"{e['min_servers']} to {e['max_servers']}, at most {s['max_servers_count']} ready"),
                ("start-up delay", f"{e['startup_s'] * 1e3:.0f} ms"), ("worker-seconds", f"{s['server_s']:.1f}")]


def _pool_schedule(t: np.ndarray, mean_s: float, *, min_servers, max_servers, target_utilization, interval_s,
                   window_s, startup_s):
    """Per worker slot: (ready time, retire time); and the pool over decision times."""
    ready = [0.0] * min_servers
    retire = [math.inf] * min_servers
    active = list(range(min_servers))  # slots the autoscaler counts as in the pool (ready or starting)
    ts, asked, ready_n = [0.0], [min_servers], [min_servers]
    end = float(t[-1])
    k = 1
    while k * interval_s <= end:
        now = k * interval_s
        lo = max(0.0, now - window_s)
        rate = (np.searchsorted(t, now) - np.searchsorted(t, lo)) / (now - lo)
        want = min(max_servers, max(min_servers, math.ceil(rate * mean_s / target_utilization - 1e-9)))
        if want > len(active):
            for _ in range(want - len(active)):
                ready.append(now + startup_s)
                retire.append(math.inf)
                active.append(len(ready) - 1)
        elif want < len(active):
            for slot in sorted(active, key=lambda j: ready[j])[want:]:
                retire[slot] = now
                active.remove(slot)
        ts.append(now)
        asked.append(len(active))
        ready_n.append(sum(1 for j in active if ready[j] <= now))
        k += 1
    return np.array(ready), np.array(retire), np.array(ts), np.array(asked), np.array(ready_n)


@validate_params({"min_servers": Range(1, 1024, integer=True), "max_servers": Range(1, 1024, integer=True),
                  "target_utilization": Range(0, 1, closed="right"), "interval_s": Range(0, None, closed="neither", unit="s"),
                  "window_s": Range(0, None, closed="neither", unit="s"), "startup_s": Range(0, None, unit="s")})
def autoscaled_replay(arrival_s, service_s, *, min_servers: int = 1, max_servers: int = 8,
                      target_utilization: float = 0.6, interval_s: float = 0.25, window_s: float = 0.25,
                      startup_s: float = 0.0) -> AutoscaleResult:
    """Replay ``arrival_s`` (sorted, s) with per-request service times ``service_s`` (s, same
    length, or a :class:`~simlib.queueing.ServiceModel` sampled with seed 0) through the
    autoscaled pool of the module docstring; return a MODELED :class:`AutoscaleResult`."""
    t = np.asarray(arrival_s, dtype=float).ravel()
    if t.size < 2 or np.any(np.diff(t) < 0) or not np.all(np.isfinite(t)):
        raise invalid("arrival_s", f"got {t.size} values", "at least two sorted, finite arrival times (s)",
                      owner="autoscaled_replay")
    if hasattr(service_s, "sample"):
        mean_s = float(service_s.mean_s)
        svc = np.asarray(service_s.sample(np.random.default_rng(0), t.size), dtype=float)
    else:
        svc = np.asarray(service_s, dtype=float).ravel()
        if svc.shape != t.shape or np.any(svc <= 0) or not np.all(np.isfinite(svc)):
            raise invalid("service_s", f"got {svc.size} values for {t.size} arrivals",
                          "one finite service time > 0 s per arrival, or a ServiceModel", owner="autoscaled_replay")
        mean_s = float(svc.mean())
    if max_servers < min_servers:
        raise invalid("max_servers", f"is {max_servers}, below min_servers={min_servers}", "max_servers >= min_servers",
                      owner="autoscaled_replay")
    t = t - t[0]
    ready, retire, pool_t, asked, ready_n = _pool_schedule(
        t, mean_s, min_servers=min_servers, max_servers=max_servers, target_utilization=target_utilization,
        interval_s=interval_s, window_s=window_s, startup_s=startup_s)
    free = ready.copy()
    start = np.empty_like(t)
    for i in range(t.size):  # FIFO: each request, in arrival order, to the worker that starts it first
        s = np.maximum(free, t[i])
        s = np.where(s < retire, s, math.inf)
        j = int(np.argmin(s))
        if not math.isfinite(s[j]):  # every slot retired (cannot happen: min_servers stay)
            raise RuntimeError("no worker left in the pool")
        start[i] = s[j]
        free[j] = s[j] + svc[i]
    latency = start + svc - t
    eff = dict(min_servers=min_servers, max_servers=max_servers, target_utilization=target_utilization,
               interval_s=interval_s, window_s=window_s, startup_s=startup_s, mean_service_s=mean_s, n=int(t.size))
    warns = []
    if ready_n.max() >= max_servers and stats.percentile(latency, 99) > 10 * mean_s:
        warns.append(f"The pool reached max_servers={max_servers} and the p99 is over ten service times: the "
                     "trace needs a larger pool; raise max_servers.")
    return AutoscaleResult(t, latency, start, pool_t, ready_n, asked,
                           {"requested": dict(eff), "effective": eff}, warns)

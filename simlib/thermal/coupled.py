"""Thermal throttling coupled to the serving simulator: p99 that grows as the device heats.

:func:`simulate_server` runs one Server scenario (Poisson arrivals at ``qps``, service
times given at the fastest clock) on a thermally modeled device:

1. **Thermal pass.** The device runs the load implied by the arrival rate. In the fluid limit
   of a work-conserving queue the busy fraction at clock f is ``min(1, rho_fmax * f_max / f)``
   with ``rho_fmax = qps * E[S] / servers``: a throttled device is busier, so it keeps
   heating while it has a backlog. This gives the clock over time, ``f(t)``.
2. **Queue pass.** :func:`simlib.queueing.simulate` runs the arrivals with the slowdown hook
   ``f_max / f(t)``, evaluated when each service starts (a service keeps the clock it started
   with: the clock changes every 0.1 s, far longer than one service).
3. **One fixed-point iteration** (``iterate=True``, the default). The queue's actual busy time
   (per 10 ms bin, from its start/finish records) replaces the fluid activity in a second
   thermal pass, and the queue is rerun on that pass's clock. The fluid busy fraction equals
   the queue's long-run busy fraction whenever the queue keeps up, so the second pass changes
   little except where the backlog builds and drains (bursts); the report shows the change in
   throttle time and p99 between passes so the reader can see that one iteration suffices.

p99 is reported per time window (requests grouped by arrival time), so the growth is visible.

>>> r = simulate_server("edgetpu", 40.0, "det:10ms", duration_s=20.0, window_s=10.0, iterate=False)
>>> len(r.windows), r.windows[0]["p99_ms"] > 0
(2, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import limits
from simlib._validate import Range, check, validate_params
from simlib.protocol import ResultDisplay
from simlib.stats import percentile
from simlib.thermal.presets import ThermalDevice, get_device
from simlib.thermal.simulate import ThermalResult, simulate_thermal
from simlib.thermal.workloads import Workload

__all__ = ["CoupledResult", "simulate_server"]


@dataclass(repr=False)
class CoupledResult(ResultDisplay):
    """MODELED coupled run: the thermal result, the queue result and per-window statistics.

    ``windows`` (one dict per window of arrival time) keep milliseconds for the table's columns;
    :attr:`summary` is SI."""

    thermal: ThermalResult
    queue: Any  # simlib.queueing SimResult
    qps: float
    service_mean_s: float
    load_at_fmax: float
    window_s: float
    windows: list[dict[str, float]]
    passes: list[dict[str, Any]] = field(default_factory=list)
    kind = "modeled"
    NON_FINITE_REASONS = {"p50_ms": "no request arrived in this window", "p99_ms": "no request arrived in this window",
                          "p99_first_window_s": "no request arrived in the first window",
                          "p99_last_window_s": "no request arrived in the last window"}

    @property
    def settings(self) -> dict[str, Any]:
        """The thermal run's settings plus the Server load (queries/s), its service time and windows."""
        th, q = self.thermal.settings, self.queue.settings.get("effective", {})
        load = {"qps": self.qps, "service_mean_s": self.service_mean_s, "window_s": self.window_s}
        return {"requested": {**th["requested"], **load},
                "effective": {**th["effective"], **load, "servers": q.get("servers"), "seed": q.get("seed")}}

    @property
    def warnings(self) -> list[str]:
        """The thermal run's and the queue's warnings (not the queue's interval notes: no interval is shown)."""
        return self.thermal._all_warnings() + list(self.queue.warnings)

    @property
    def summary(self) -> dict[str, Any]:
        """Flat SI headline numbers (:mod:`simlib.protocol`); p99 of the first, last and all windows (s)."""
        s = self.thermal.summary
        lat = self.queue.records.latency_s
        done = np.isfinite(lat)

        def window_p99_s(w: dict[str, float]) -> float:
            return w["p99_ms"] / 1e3

        return {
            "qps": self.qps, "service_mean_s": self.service_mean_s,
            "load_at_fmax_fraction": self.load_at_fmax, "time_to_throttle_s": s["time_to_throttle_s"],
            "max_temp_c": s["max_temp_c"], "mean_power_w": s["mean_power_w"],
            "p99_first_window_s": window_p99_s(self.windows[0]) if self.windows else None,
            "p99_last_window_s": window_p99_s(self.windows[-1]) if self.windows else None,
            "p99_s": percentile(lat[done], 99) if done.any() else None, "n": int(done.sum()),
        }

    def _payload(self) -> dict[str, Any]:
        return {"device": self.thermal.device.name, "governor": self.thermal.governor,
                "windows": self.windows, "passes": self.passes}

    def _title(self) -> str:
        return f"CoupledResult (MODELED Server scenario on {self.thermal.device.name}, governor {self.thermal.governor})"

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        ttt = "never" if s["time_to_throttle_s"] is None else f"{s['time_to_throttle_s']:.1f} s"
        return [("load", f"{self.qps:g} QPS, E[S] {self.service_mean_s * 1e3:.3g} ms at f_max, "
                         f"load {self.load_at_fmax:.2f} at f_max"),
                ("throttling", f"throttles at {ttt}; max {s['max_temp_c']:.1f} C"),
                ("fixed-point passes", "(throttle s, p99 ms over the run) " + "; ".join(
                    f"{p['time_to_throttle_s']}, {p['p99_ms'] and round(p['p99_ms'], 1)}" for p in self.passes))]

    def _details(self) -> str:
        """The per-window table (MODELED)."""
        rows = [f"{'window':>13}  {'temp C':>7}  {'clock GHz':>9}  {'busy':>5}  {'p50 ms':>8}  "
                f"{'p99 ms':>9}  {'n':>6}"]
        for w in self.windows:
            rows.append(f"{w['t0_s']:6.0f}-{w['t1_s']:<6.0f}  {w['temp_c']:7.1f}  "
                        f"{w['freq_hz'] / 1e9:9.3f}  {w['busy']:5.2f}  {w['p50_ms']:8.2f}  "
                        f"{w['p99_ms']:9.2f}  {w['n']:6d}")
        return "\n".join(rows)


def _busy_fraction(start: np.ndarray, finish: np.ndarray, edges: np.ndarray, servers: int) -> np.ndarray:
    """Mean fraction of ``servers`` busy in each bin between ``edges`` (from service intervals)."""
    ok = np.isfinite(start) & np.isfinite(finish)
    t = np.concatenate([start[ok], finish[ok]])
    d = np.concatenate([np.ones(ok.sum()), -np.ones(ok.sum())])
    order = np.argsort(t, kind="stable")
    t, d = t[order], d[order]
    level = np.cumsum(d)
    integral = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(t))])
    at = np.interp(edges, t, integral, left=0.0, right=integral[-1] if t.size else 0.0)
    return np.clip(np.diff(at) / np.diff(edges) / servers, 0.0, 1.0)


def _slowdown_from(res: ThermalResult):
    f, fmax, dt, n = res.freq_hz, res.device.f_max_hz, res.dt_s, res.freq_hz.size

    def slowdown(t: float) -> float:
        k = min(n - 1, max(0, int(t / dt)))
        return fmax / f[k]

    return slowdown


@validate_params({"qps": Range(1e-9, 1e9, unit="requests/s"), "servers": Range(1, 1e5, integer=True),
                  "duration_s": Range(0, 30 * 86400, closed="right", unit="s"),
                  "window_s": Range(0, 30 * 86400, closed="right", unit="s"),
                  "dt_s": Range(1e-6, 1.0, unit="s"), "seed": Range(0, 2**63 - 1, integer=True),
                  "iterate": bool})
def simulate_server(device: str | ThermalDevice = "smartphone-soc", qps: float = 40.0,
                    service: Any = "det:20ms", duration_s: float = 900.0, *, servers: int = 1,
                    governor: str | None = None, ambient_c: float | None = None,
                    window_s: float = 60.0, iterate: bool = True, seed: int = 0,
                    dt_s: float = 1e-3) -> CoupledResult:
    """Server scenario on a thermally modeled device; one call runs the coupled simulation.

    ``service``: a service-time spec (e.g. "det:20ms", "exp:20ms") or model, at the fastest
    clock; a service starting at time t takes ``f_max / f(t)`` times longer. Returns a MODELED
    :class:`CoupledResult` with p50/p99 per ``window_s`` window of arrival time.
    """
    own = "thermal.simulate_server"
    from simlib import queueing
    from simlib.queueing.spec import parse_service

    check("window_s", window_s, Range(dt_s, duration_s, unit="s"), owner=own)  # between dt_s and duration_s
    limits.check_work("windows", duration_s / window_s, owner=own, parameter="window_s")
    dev = get_device(device)
    model = parse_service(service) if isinstance(service, str) else service
    mean_s = float(model.mean_s)
    limits.check_work("simpy_requests", qps * duration_s * (2 if iterate else 1), owner=own,
                      parameter="qps")
    rho = qps * mean_s / servers
    ops = mean_s * dev.f_max_hz * dev.ops_per_cycle  # one request = one E[S] of work at f_max
    wl = Workload(kind="rate", load_at_fmax=rho, ops_per_inference=ops)
    kw = dict(dt_s=dt_s, governor=governor, ambient_c=ambient_c)
    th = simulate_thermal(dev, wl, duration_s, **kw)
    q = queueing.simulate(qps, model, servers=servers, duration_s=duration_s,
                          warmup_fraction=0.0, seed=seed, slowdown=_slowdown_from(th))
    passes = [_pass_info(th, q)]
    if iterate:
        bin_s = max(dt_s, 0.01)
        edges = np.arange(int(round(duration_s / bin_s)) + 1) * bin_s
        r = q.records
        busy = _busy_fraction(np.asarray(r.start_s), np.asarray(r.finish_s), edges, servers)
        wl2 = Workload(kind="trace", trace=tuple(busy), trace_dt_s=bin_s, ops_per_inference=ops)
        th = simulate_thermal(dev, wl2, duration_s, **kw)
        q = queueing.simulate(qps, model, servers=servers, duration_s=duration_s,
                              warmup_fraction=0.0, seed=seed, slowdown=_slowdown_from(th))
        passes.append(_pass_info(th, q))
    return CoupledResult(thermal=th, queue=q, qps=qps, service_mean_s=mean_s,
                         load_at_fmax=rho, window_s=window_s, windows=_windows(th, q, window_s),
                         passes=passes)


def _pass_info(th: ThermalResult, q) -> dict[str, Any]:
    lat = np.asarray(q.records.latency_s)
    lat = lat[np.isfinite(lat)]
    return {"time_to_throttle_s": th.summary["time_to_throttle_s"],
            "p99_ms": percentile(lat, 99) * 1e3 if lat.size else None}


def _windows(th: ThermalResult, q, window_s: float) -> list[dict[str, float]]:
    r = q.records
    arr, lat = np.asarray(r.arrival_s), np.asarray(r.latency_s)
    order = np.argsort(arr, kind="stable")
    arr, lat = arr[order], lat[order]
    out = []
    n_w = max(1, int(math.floor(th.duration_s / window_s + 1e-9)))
    k = max(1, int(round(window_s / th.dt_s)))
    bounds = np.searchsorted(arr, np.arange(n_w + 1) * window_s, side="left")  # O(n log n), not O(n * windows)
    for w in range(n_w):
        t0, t1 = w * window_s, (w + 1) * window_s
        x = lat[bounds[w]:bounds[w + 1]]
        x = x[np.isfinite(x)]
        sl = slice(w * k, (w + 1) * k)
        out.append({"t0_s": t0, "t1_s": t1, "n": int(x.size),
                    "temp_c": float(th.temp_c[sl].mean()), "freq_hz": float(th.freq_hz[sl].mean()),
                    "busy": float(th.activity[sl].mean()),
                    "p50_ms": percentile(x, 50) * 1e3 if x.size else math.nan,
                    "p99_ms": percentile(x, 99) * 1e3 if x.size else math.nan})
    return out

"""Entry points: :func:`simulate`, :func:`fanout`, :func:`find_max_qps`.

``simulate`` draws the arrival times and per-request service times from the seed, picks an
engine (the vectorized fast path when the model allows it, else SimPy), and returns a
:class:`~simlib.queueing.results.SimResult`.

>>> r = simulate(50.0, "exp:10ms", n_requests=2000, seed=1)
>>> r.settings["effective"]["engine"], r.completed
('fast', 1800)
>>> abs(r.mean_s / 0.020 - 1) < 0.15  # M/M/1 at rho = 0.5: exact mean 20 ms (1,800 correlated requests)
True
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import __version__, budget, limits
from simlib._validate import (
    CALLABLE,
    InvalidParameterError,
    Options,
    Range,
    validate_params,
)
from simlib.protocol import ResultDisplay
from simlib.queueing import fast
from simlib.queueing.arrivals import ArrivalProcess, Poisson
from simlib.queueing.effects import ColdStart, Pauses
from simlib.queueing.engine import EngineConfig, run_simpy
from simlib.queueing.results import Records, SimResult
from simlib.queueing.service import ServiceModel
from simlib.queueing.spec import arrival_factory, parse_service

__all__ = ["MaxQpsResult", "UnstableQueueWarning", "default_requests", "fanout", "find_max_qps", "simulate"]


class UnstableQueueWarning(UserWarning):
    """The offered load is at or above capacity: the queue grows for as long as the run lasts."""




def default_requests() -> int:
    """Requests per run when neither n_requests nor duration_s is given (SIMLIB_BUDGET)."""
    return budget.pick(quick=2_000, standard=20_000, full=200_000)


_RATE = Range(0, None, closed="neither", unit="requests/s")
COMMON_CONSTRAINTS = {
    "arrivals": [ArrivalProcess, _RATE],
    "service": [ServiceModel, str],
    "servers": Range(1, 1e5, integer=True),
    "max_batch": Range(1, 1e5, integer=True),
    "batch_timeout_s": Range(0, 1e6, unit="s"),
    "n_requests": [Range(1, None, integer=True), None],
    "duration_s": [Range(0, 1e12, closed="right", unit="s"), None],
    "warmup_fraction": Range(0, 1, closed="left"),
    "seed": Range(0, None, integer=True),
    "slowdown": [CALLABLE, None],
    "pauses": [Pauses, None],
    "cold_start": [ColdStart, None],
    "deadline_s": [Range(0, 1e12, closed="right", unit="s"), None],
    "engine": Options(("auto", "fast", "simpy")),
}


def _resolve(arrivals, service):
    if isinstance(arrivals, numbers.Real):
        arrivals = Poisson(float(arrivals))
    if isinstance(service, str):
        service = parse_service(service)
    return arrivals, service


def _desc(obj) -> str:
    return repr(obj) if not callable(obj) or isinstance(obj, (ServiceModel, ArrivalProcess)) else getattr(obj, "__name__", repr(obj))


def _slowdown_fn(slowdown):
    if slowdown is None:
        return None

    def checked(t: float) -> float:
        f = float(np.asarray(slowdown(t)).reshape(-1)[0])
        if not f >= 1.0 or not math.isfinite(f):
            raise InvalidParameterError(f"The 'slowdown' parameter of simulate must return a finite factor >= 1. "
                                        f"Got {f!r} at t = {t:.6g} s instead.")
        return f

    return checked


def _fast_path_fits(cfg: EngineConfig, closed: bool) -> bool:
    """Whether the vectorized fast path models this queue (plain FIFO, open loop)."""
    return (cfg.max_batch == 1 and cfg.slowdown is None and cfg.pauses is None
            and cfg.cold_start is None and cfg.deadline_s is None and not closed)


def _records(arrival_s, service, cfg: EngineConfig, svc_rng, batch_rng, engine, closed_loop=None):
    """Run one queue; return (records dict, engine used)."""
    simple = _fast_path_fits(cfg, closed_loop is not None)
    if engine == "fast" and not simple:
        raise InvalidParameterError(
            "The 'engine' parameter of simulate is 'fast', but the fast path handles only FIFO queues "
            "without batching, slowdown, pauses, cold starts, deadlines or closed loops; use engine='auto'.")
    if closed_loop is not None:
        return run_simpy(service, cfg, batch_rng, closed_loop=closed_loop), "simpy"
    service_s = service.sample(svc_rng, arrival_s.size)  # batch-of-1 times, drawn in advance
    if simple and engine != "simpy":
        return fast.ggc(arrival_s, service_s, cfg.servers), "fast"
    return run_simpy(service, cfg, batch_rng, arrival_s=arrival_s, service_s=service_s), "simpy"


def _check_size(arrivals, n, duration_s, per_query: int, cfg: EngineConfig, engine: str, closed: bool) -> None:
    """Estimate the requests a run simulates (and so its memory); refuse it above the limit."""
    from simlib.queueing.arrivals import Trace

    if duration_s is None:
        count, parameter = float(n), "n_requests"
    else:
        count, parameter = arrivals.qps * float(duration_s), "duration_s"
    if isinstance(arrivals, Trace) and not closed:
        count = min(count, float(arrivals.timestamps_s.size))
    kind = "requests" if _fast_path_fits(cfg, closed) and engine != "simpy" else "simpy_requests"
    limits.check_work(kind, count * per_query, owner="simulate", parameter=parameter)


def _offered_load(qps: float, service: ServiceModel, servers: int, max_batch: int) -> float:
    """rate / capacity, capacity = servers * B / t(B) with full batches of B = max_batch."""
    return qps * service.mean_batch_s(max_batch) / (servers * max_batch)


def _unstable_message(rho, rate, service, servers, max_batch) -> str:
    cap = rate / rho
    return (f"unstable queue: offered load rho = {rho:.3g} >= 1 (arrival rate {rate:.4g} requests/s, "
            f"capacity {cap:.4g} requests/s with {servers} server(s), max batch {max_batch}). The queue and the "
            "latency grow for as long as the run lasts, so these latencies measure the run length, not the "
            f"system. Lower the rate below {cap:.4g} requests/s, add servers, or batch more.")


def _build(recs: list[dict], latency_all: np.ndarray, query_arrival: np.ndarray, *, warmup_fraction: float,
           servers_total: int, settings: dict, warns: list[str], deadline_s=None, scenario=None,
           metric=None, throughput_from_zero=False) -> SimResult:
    n_q = latency_all.size
    n_warm = int(math.floor(warmup_fraction * n_q))
    if n_warm >= n_q:
        n_warm = 0
    lat = latency_all[n_warm:]
    dropped = int(np.isnan(lat).sum())
    lat = lat[~np.isnan(lat)]
    late = int((lat > deadline_s).sum()) if deadline_s is not None else 0
    qa = query_arrival[n_warm:]
    # throughput: completed queries after warm-up over the span they occupy
    t_lo = 0.0 if throughput_from_zero else float(qa.min())
    finish_all = np.concatenate([r["finish_s"] for r in recs])
    t_hi = float(np.nanmax(finish_all)) if np.isfinite(finish_all).any() else t_lo
    span = t_hi - t_lo
    thr = lat.size / span if span > 0 else math.nan
    busy = 0.0
    for r in recs:
        ok = r["batch_id"] >= 0
        _, first = np.unique(r["batch_id"][ok], return_index=True)
        st, fi = r["start_s"][ok][first], r["finish_s"][ok][first]
        busy += float(np.sum(np.clip(fi, t_lo, t_hi) - np.clip(st, t_lo, t_hi)))
    util = busy / (servers_total * span) if span > 0 else math.nan
    if lat.size == 0:
        warns.append("no request completed after the warm-up; simulate more requests or lower warmup_fraction")
    if dropped:
        warns.append(f"{dropped} of {n_q - n_warm} requests were dropped (waited longer than the deadline "
                     f"{deadline_s} s); their latency is not in the percentiles, so report the drop rate too")
    settings["effective"]["warmup_discarded"] = n_warm
    if len(recs) == 1:
        records = Records(**recs[0])
    else:
        records = Records(**{k: np.concatenate([r[k] for r in recs]) for k in recs[0]})
    return SimResult(latency_s=lat, throughput_qps=thr, utilization=util, records=records, settings=settings,
                     warnings=warns, dropped=dropped, late=late, warmup_discarded=n_warm,
                     scenario=scenario, metric=metric)


def _arrival_times(arrivals, n, n_requests, duration_s, group, rng, warns: list[str]) -> np.ndarray:
    """Open-loop arrival times (s); MultiStream (``group`` > 1) issues ``group`` samples per query."""
    q = arrivals.generate(rng, n=n) if duration_s is None else arrivals.generate(rng, until_s=duration_s)
    arrival_s = np.repeat(q, group) if group > 1 else q
    if arrival_s.size == 0:
        raise InvalidParameterError(f"No request arrived within duration_s = {duration_s} s at "
                                    f"{arrivals.qps:.4g} requests/s; lengthen 'duration_s'.")
    if n_requests is not None and arrival_s.size < n_requests * group:
        warns.append(f"the trace holds only {arrival_s.size} arrivals, fewer than n_requests = {n_requests}; "
                     "simulated the whole trace")
    return arrival_s


def _warn_if_unstable(qps: float, service, cfg: EngineConfig, scenario, warns: list[str]) -> None:
    rho = _offered_load(qps, service, cfg.servers, cfg.max_batch)
    if rho >= 1 and scenario != "offline":
        msg = _unstable_message(rho, qps, service, cfg.servers, cfg.max_batch)
        warns.append(msg)
        warnings.warn(msg, UnstableQueueWarning, stacklevel=4)


def _run_parts(arrival_s, service, cfg: EngineConfig, svc_ss, batch_ss, engine, closed, fan_k):
    """Run the ``fan_k`` independent queues of a fan-out (one without); return (records, engine)."""
    recs, used = [], None
    for j, (s_ss, b_ss) in enumerate(zip(svc_ss.spawn(fan_k), batch_ss.spawn(fan_k), strict=False)):
        r, used = _records(arrival_s, service, cfg, np.random.default_rng(s_ss), np.random.default_rng(b_ss),
                           engine, closed)
        if fan_k > 1:
            r["worker"] = np.where(r["worker"] >= 0, r["worker"] + j * cfg.servers, -1)
        recs.append(r)
    return recs, used


def _query_latency(recs: list[dict], group: int) -> tuple[np.ndarray, np.ndarray]:
    """(latency per query, arrival per query): the slowest part of a fan-out or MultiStream query."""
    lat = np.max([r["finish_s"] - r["arrival_s"] for r in recs], axis=0)  # NaN if any part dropped
    qa = recs[0]["arrival_s"]
    if group > 1:
        lat = lat.reshape(-1, group).max(axis=1)
        qa = qa.reshape(-1, group)[:, 0]
    return lat, qa


def _effective(arrivals, service, cfg: EngineConfig, *, n_queries, n, closed, duration_s, warmup_fraction, seed,
               used, n_default, qps, slowdown, pauses, cold_start, fan_k, group) -> dict:
    return {
        "arrivals": "closed loop" if closed else _desc(arrivals), "service": _desc(service),
        "servers": cfg.servers, "max_batch": cfg.max_batch, "batch_timeout_s": cfg.batch_timeout_s,
        "n_requests": int(n_queries * group) if closed is None else int(n), "duration_s": duration_s,
        "warmup_fraction": warmup_fraction, "seed": int(seed), "engine": used,
        "budget": budget.current() if n_default else None, "deadline_s": cfg.deadline_s,
        "offered_load": None if qps is None else _offered_load(qps, service, cfg.servers, cfg.max_batch),
        "slowdown": None if slowdown is None else _desc(slowdown),
        "pauses": None if pauses is None else repr(pauses),
        "cold_start": None if cold_start is None else repr(cold_start),
        "fanout": fan_k, "samples_per_query": group, "simlib": __version__,
    }


def _closed_loop(n, duration_s, clients, think_s):
    if clients is None:
        return None
    if duration_s is not None:
        raise InvalidParameterError("The 'duration_s' parameter is not supported in a closed loop "
                                    "(SingleStream); give 'n_requests'.")
    return (int(n), int(clients), float(think_s))


def _run(arrivals, service, *, servers, max_batch, batch_timeout_s, n_requests, duration_s, warmup_fraction,
         seed, slowdown, pauses, cold_start, deadline_s, engine, requested, fan_k=1, group=1,
         closed_loop_clients=None, think_s=0.0, scenario=None, metric_fn=None, throughput_from_zero=False):
    """Shared by simulate, fanout and the scenarios."""
    arrivals, service = _resolve(arrivals, service)
    if n_requests is not None and duration_s is not None:
        raise InvalidParameterError("The 'n_requests' and 'duration_s' parameters cannot both be set; give one "
                                    "(or neither for the budget's default).")
    warns: list[str] = []
    arr_ss, svc_ss, batch_ss = np.random.SeedSequence(int(seed)).spawn(3)
    cfg = EngineConfig(servers=int(servers), max_batch=int(max_batch), batch_timeout_s=float(batch_timeout_s),
                       slowdown=_slowdown_fn(slowdown), pauses=pauses, cold_start=cold_start, deadline_s=deadline_s)
    n_default = n_requests is None and duration_s is None
    n = default_requests() if n_default else n_requests
    _check_size(arrivals, n, duration_s, group * fan_k, cfg, engine, closed_loop_clients is not None)
    closed = _closed_loop(n, duration_s, closed_loop_clients, think_s)
    arrival_s = qps = None
    if closed is None:
        arrival_s = _arrival_times(arrivals, n, n_requests, duration_s, group, np.random.default_rng(arr_ss), warns)
        qps = arrivals.qps * group
        _warn_if_unstable(qps, service, cfg, scenario, warns)
    recs, used = _run_parts(arrival_s, service, cfg, svc_ss, batch_ss, engine, closed, fan_k)
    lat, qa = _query_latency(recs, group)
    settings = {"requested": requested, "effective": _effective(
        arrivals, service, cfg, n_queries=lat.size, n=n, closed=closed, duration_s=duration_s,
        warmup_fraction=warmup_fraction, seed=seed, used=used, n_default=n_default, qps=qps, slowdown=slowdown,
        pauses=pauses, cold_start=cold_start, fan_k=fan_k, group=group)}
    res = _build(recs, lat, qa, warmup_fraction=warmup_fraction, servers_total=cfg.servers * fan_k,
                 settings=settings, warns=warns, deadline_s=deadline_s, scenario=scenario,
                 throughput_from_zero=throughput_from_zero)
    if metric_fn is not None:
        object.__setattr__(res, "metric", metric_fn(res))
    return res


@validate_params(COMMON_CONSTRAINTS)
def simulate(arrivals: ArrivalProcess | float, service: ServiceModel | str, *, servers: int = 1,
             max_batch: int = 1, batch_timeout_s: float = 0.0, n_requests: int | None = None,
             duration_s: float | None = None, warmup_fraction: float = 0.1, seed: int = 0,
             slowdown: Callable[[float], float] | None = None, pauses: Pauses | None = None,
             cold_start: ColdStart | None = None, deadline_s: float | None = None,
             engine: str = "auto") -> SimResult:
    """Simulate a FIFO queue with ``servers`` identical workers; return a MODELED :class:`SimResult`.

    Parameters
    ----------
    arrivals : an arrival process (:mod:`simlib.queueing.arrivals`) or a rate in requests/s (Poisson).
    service : a service model (:mod:`simlib.queueing.service`) or a SPEC such as ``"exp:10ms"``.
    servers : identical workers sharing one FIFO queue.
    max_batch, batch_timeout_s : dynamic batching. A worker takes up to ``max_batch`` queued
        requests, waiting at most until ``batch_timeout_s`` after the oldest one arrived.
    n_requests, duration_s : run length: a number of arrivals, or every arrival before
        ``duration_s`` seconds. Neither: :func:`default_requests` (``SIMLIB_BUDGET``).
    warmup_fraction : the first fraction of requests (by arrival) left out of the statistics.
    seed : one integer; arrivals, service times and batch times get independent streams from it.
    slowdown : ``f(t) -> factor >= 1`` multiplying a service (or batch) that starts at time t (s).
    pauses, cold_start : :class:`~simlib.queueing.effects.Pauses`, :class:`~simlib.queueing.effects.ColdStart`.
    deadline_s : a request that has waited longer than this when a worker reaches it is dropped
        (counted in ``dropped``); completed ones slower than it are counted in ``late``.
    engine : "auto" (fast path when possible), "fast" or "simpy".

    An offered load at or above capacity warns (:class:`UnstableQueueWarning`, also in
    ``result.warnings``) and still runs the requested number of requests.

    >>> r = simulate(80.0, "det:10ms", servers=2, max_batch=4, batch_timeout_s=0.002,
    ...              n_requests=500, seed=3)
    >>> r.settings["effective"]["engine"], int(r.records.batch_size.max()) <= 4
    ('simpy', True)
    """
    requested = dict(arrivals=_desc(arrivals), service=_desc(service), servers=servers, max_batch=max_batch,
                     batch_timeout_s=batch_timeout_s, n_requests=n_requests, duration_s=duration_s,
                     warmup_fraction=warmup_fraction, seed=seed, deadline_s=deadline_s, engine=engine)
    return _run(arrivals, service, servers=servers, max_batch=max_batch, batch_timeout_s=batch_timeout_s,
                n_requests=n_requests, duration_s=duration_s, warmup_fraction=warmup_fraction, seed=seed,
                slowdown=slowdown, pauses=pauses, cold_start=cold_start, deadline_s=deadline_s,
                engine=engine, requested=requested)


@validate_params({**COMMON_CONSTRAINTS, "k": Range(1, 1e4, integer=True)})
def fanout(arrivals: ArrivalProcess | float, service: ServiceModel | str, k: int, *, servers: int = 1,
           max_batch: int = 1, batch_timeout_s: float = 0.0, n_requests: int | None = None,
           duration_s: float | None = None, warmup_fraction: float = 0.1, seed: int = 0,
           slowdown=None, pauses=None, cold_start=None, deadline_s=None, engine: str = "auto") -> SimResult:
    """Fan-out: every request is split into k sub-requests to k independent queues (same arrival
    times, independent service times); it completes when the slowest sub-request does.

    >>> r = fanout(20.0, "exp:5ms", k=10, n_requests=1000, seed=0)
    >>> r.percentile(99) > simulate(20.0, "exp:5ms", n_requests=1000, seed=0).percentile(99)
    True
    """
    requested = dict(arrivals=_desc(arrivals), service=_desc(service), k=k, servers=servers,
                     n_requests=n_requests, duration_s=duration_s, seed=seed)
    return _run(arrivals, service, servers=servers, max_batch=max_batch, batch_timeout_s=batch_timeout_s,
                n_requests=n_requests, duration_s=duration_s, warmup_fraction=warmup_fraction, seed=seed,
                slowdown=slowdown, pauses=pauses, cold_start=cold_start, deadline_s=deadline_s,
                engine=engine, requested=requested, fan_k=k, scenario=f"fan-out k={k}")


@dataclass(frozen=True, eq=False, repr=False)
class MaxQpsResult(ResultDisplay):
    """The highest arrival rate (requests/s) whose p-th percentile latency meets the bound (MODELED)."""

    qps: float
    latency_bound_s: float
    percentile: float
    result: SimResult | None
    trials: list[tuple[float, float]] = field(default_factory=list)  # (rate, percentile latency s)
    warnings: list[str] = field(default_factory=list)
    kind = "modeled"

    @property
    def settings(self) -> dict[str, Any]:
        """The search's bound and percentile; the effective simulator settings of the best trial."""
        asked = {"latency_bound_s": self.latency_bound_s, "percentile": self.percentile}
        eff = dict(self.result.settings.get("effective", {})) if self.result is not None else {}
        return {"requested": asked, "effective": {**asked, **eff}}

    @property
    def summary(self) -> dict[str, Any]:
        """The answer (``qps``, requests/s), its bound (s) and the best trial's latencies (s)."""
        out = {"qps": self.qps, "latency_bound_s": self.latency_bound_s, "percentile": self.percentile,
               "trials": len(self.trials)}
        if self.result is not None and self.result.completed:
            s = self.result.summary
            out.update({k: s[k] for k in ("p50_s", "p99_s", "p99_ci_s", "throughput_qps", "n")})
        return out

    def _payload(self) -> dict[str, Any]:
        return {"trials": [{"qps": q, "latency_s": t} for q, t in self.trials]}

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("highest qps", f"{self.qps:.4g} requests/s with p{self.percentile:g} <= the bound "
                                f"{self.latency_bound_s * 1e3:.4g} ms"),
                ("trials", str(len(self.trials)))]
        if self.result is not None and self.result.completed:
            rows.append(("at that rate", self.result.headline()))
        return rows


@validate_params({"latency_bound_s": Range(0, None, closed="neither", unit="s"),
                  "percentile": Range(0, 100, closed="neither", unit="(percent)"),
                  "tolerance": Range(0, 1, closed="neither")})
def find_max_qps(service: ServiceModel | str, latency_bound_s: float, percentile: float = 99.0, *,
                 tolerance: float = 0.01, arrival: str = "poisson", n_requests: int | None = None,
                 seed: int = 0, **simulate_kwargs) -> MaxQpsResult:
    """Bisect the Poisson arrival rate for the highest QPS whose latency percentile meets the bound
    (MLPerf Server's metric). Every trial uses the same seed (common random numbers), so the
    percentile moves smoothly with the rate.

    Parameters
    ----------
    service : a service model (e.g. ``Empirical(samples_s)``) or a SPEC such as ``"exp:10ms"``.
    latency_bound_s : the bound (s) the ``percentile`` latency must meet.
    percentile : in percent (99: MLPerf Server's p99).
    tolerance : the search stops when the bracket is narrower than this share of its top.
    arrival : "poisson", "deterministic" or "bursty:FACTOR".
    n_requests : simulated requests per trial. None: the budget's default (``SIMLIB_BUDGET``:
        quick 20,000 / standard 100,000 / full 500,000); give it to make the answer independent
        of the reader's budget.
    seed : the seed of every trial.
    **simulate_kwargs : passed to :func:`simulate` (``servers``, ``max_batch``, ``duration_s``, ...).

    Returns
    -------
    MaxQpsResult : ``.qps`` (requests/s, the answer), ``.result`` (the :class:`SimResult` at that
    rate), ``.trials`` and ``.warnings``.

    >>> m = find_max_qps("exp:10ms", latency_bound_s=0.1, n_requests=2000, seed=0)
    >>> 50 < m.qps < 100  # M/M/1: p99 = ln(100)/(mu - lambda) <= 0.1 s  ->  lambda <= 54 /s
    True
    """
    simulate_kwargs.update(n_requests=n_requests, seed=seed)
    _, svc = _resolve(1.0, service)
    if simulate_kwargs.get("n_requests") is None and simulate_kwargs.get("duration_s") is None:
        # Near saturation a short run starts empty and ends before the queue reaches its steady
        # state, so p99 is biased low and the search overshoots; a search needs long runs.
        simulate_kwargs["n_requests"] = budget.pick(quick=20_000, standard=100_000, full=500_000)
    max_batch = int(simulate_kwargs.get("max_batch", 1))
    cap = int(simulate_kwargs.get("servers", 1)) * max_batch / svc.mean_batch_s(max_batch)
    make = arrival_factory(arrival)
    trials: list[tuple[float, float]] = []

    def p_at(qps: float) -> tuple[float, SimResult]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnstableQueueWarning)
            r = simulate(make(qps), svc, **simulate_kwargs)
        v = r.percentile(percentile) if r.completed else math.inf
        trials.append((qps, v))
        return v, r

    v, r = p_at(cap * 0.01)
    if v > latency_bound_s:
        return MaxQpsResult(0.0, latency_bound_s, percentile, r, trials,
                            [f"even at {cap * 0.01:.4g} requests/s (1% load) p{percentile:g} = {v * 1e3:.4g} ms "
                             f"exceeds the bound {latency_bound_s * 1e3:.4g} ms: the service itself is too slow"])
    lo, best = _bisect(p_at, cap * 0.01, r, cap, latency_bound_s, tolerance)
    return MaxQpsResult(lo, latency_bound_s, percentile, best, trials,
                        _search_warnings(lo, cap, simulate_kwargs.get("n_requests")))


def _bisect(p_at, lo: float, best: SimResult, hi: float, latency_bound_s: float, tolerance: float):
    """Bisect [lo, hi] (requests/s) for the highest rate whose percentile meets the bound;
    ``lo`` is known to meet it (``best`` is its result). Returns (rate, its result)."""
    while (hi - lo) > tolerance * hi:
        mid = (lo + hi) / 2
        v, r = p_at(mid)
        if v <= latency_bound_s:
            lo, best = mid, r
        else:
            hi = mid
    return lo, best


def _search_warnings(qps: float, cap: float, n: int | None) -> list[str]:
    if n is not None and qps > 0.5 * cap and n < 20_000:
        return [f"the search ended at {qps / cap:.0%} of capacity with only {n} requests per trial; "
                "near saturation short runs under-estimate the tail, so this rate is optimistic: "
                "use n_requests >= 20000"]
    return []


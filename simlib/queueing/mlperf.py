"""The four MLPerf scenarios on the simulator, with LoadGen's load rules and metrics.

- SingleStream: closed loop, one query of one sample at a time; metric p90 latency.
- MultiStream: a query of N samples (``MULTISTREAM_SAMPLES_PER_QUERY``) every ``interval_s``;
  a query's latency is its slowest sample's; metric p99 query latency.
- Server: Poisson arrivals at ``rate`` QPS; metric p99 latency against ``latency_bound_s``
  (VALID/INVALID), and with ``search=True`` the highest QPS meeting the bound.
- Offline: every sample at t = 0; metric throughput (samples/s).

>>> r = run_scenario("singlestream", "det:5ms", n_requests=200)
>>> r.metric["name"], round(r.metric["value"] * 1e3, 3)
('p90 latency', 5.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib import limits
from simlib._validate import Range, check, invalid, validate_params
from simlib.queueing.arrivals import Deterministic, Poisson, Trace
from simlib.queueing.results import SimResult
from simlib.queueing.runner import COMMON_CONSTRAINTS, _desc, _resolve, _run, find_max_qps
from simlib.scenarios import MULTISTREAM_SAMPLES_PER_QUERY, TAIL_PERCENTILE, Scenario

__all__ = ["run_scenario"]


@validate_params({k: COMMON_CONSTRAINTS[k] for k in (
    "servers", "max_batch", "batch_timeout_s", "n_requests", "duration_s", "seed", "engine")})
def run_scenario(scenario: Scenario | str, service, *, rate: float | None = None, arrivals=None,
                 latency_bound_s: float | None = None, search: bool = False,
                 samples_per_query: int = MULTISTREAM_SAMPLES_PER_QUERY, interval_s: float = 0.05,
                 servers: int = 1, max_batch: int = 1, batch_timeout_s: float = 0.0,
                 n_requests: int | None = None, duration_s: float | None = None,
                 warmup_fraction: float | None = None, seed: int = 0, engine: str = "auto",
                 **effects: Any) -> SimResult:
    """Run one MLPerf scenario on the model; ``result.metric`` holds the scenario's metric.

    ``rate`` (Server, requests/s) or ``arrivals`` (Server: any arrival process); ``interval_s``
    (MultiStream, seconds between queries); ``n_requests`` counts queries. ``effects`` are passed
    to the engine (slowdown, pauses, cold_start, deadline_s).
    """
    sc = Scenario.parse(scenario)
    _, svc = _resolve(1.0, service)
    pct = TAIL_PERCENTILE[sc]
    common = dict(servers=servers, max_batch=max_batch, batch_timeout_s=batch_timeout_s, n_requests=n_requests,
                  duration_s=duration_s, seed=seed, engine=engine,
                  slowdown=effects.pop("slowdown", None), pauses=effects.pop("pauses", None),
                  cold_start=effects.pop("cold_start", None), deadline_s=effects.pop("deadline_s", None))
    if effects:
        raise invalid(", ".join(sorted(effects)), "is not an effect run_scenario knows",
                      "slowdown, pauses, cold_start, deadline_s", owner="run_scenario")
    if search and latency_bound_s is None:
        raise invalid("search", "needs latency_bound_s (the bound the search must meet)",
                      "search=True together with latency_bound_s", owner="run_scenario")
    if sc is not Scenario.SERVER:
        for name, value in (("rate", rate), ("arrivals", arrivals), ("latency_bound_s", latency_bound_s)):
            if value is not None:
                raise invalid(name, f"applies only to the Server scenario, not to {sc.value}",
                              f"None with scenario={sc.value!r}", owner="run_scenario")
    requested = dict(scenario=sc.value, service=_desc(svc), rate=rate, latency_bound_s=latency_bound_s,
                     servers=servers, max_batch=max_batch, n_requests=n_requests, seed=seed)

    def tail_metric(name):
        def f(r: SimResult):
            return {"name": name, "value": r.percentile(pct), "unit": "s", "percentile": pct}
        return f

    if sc is Scenario.SINGLE_STREAM:
        return _run(1.0, svc, warmup_fraction=0.1 if warmup_fraction is None else warmup_fraction,
                    requested=requested, closed_loop_clients=1, scenario=sc.value,
                    metric_fn=tail_metric("p90 latency"), **common)
    if sc is Scenario.MULTI_STREAM:
        check("interval_s", interval_s, Range(0, None, closed="neither", unit="s"), owner="run_scenario")
        check("samples_per_query", samples_per_query, Range(1, None, integer=True), owner="run_scenario")
        return _run(Deterministic(1.0 / interval_s), svc, requested=requested, group=int(samples_per_query),
                    warmup_fraction=0.1 if warmup_fraction is None else warmup_fraction,
                    scenario=sc.value, metric_fn=tail_metric("p99 query latency"), **common)
    if sc is Scenario.OFFLINE:
        n = n_requests
        if n is None:
            from simlib.queueing.runner import default_requests
            n = default_requests()
        if duration_s is not None:
            raise invalid("duration_s", "does not apply to the Offline scenario (all queries arrive at t = 0)",
                          "None; give n_requests", owner="run_scenario")
        limits.check_work("requests" if max_batch == 1 else "simpy_requests", n, owner="run_scenario",
                          parameter="n_requests")
        common["n_requests"], common["duration_s"] = None, None
        trace = Trace(np.zeros(int(n)))

        def thr(r: SimResult):
            return {"name": "throughput", "value": r.throughput_qps, "unit": "samples/s"}

        res = _run(trace, svc, requested=requested, warmup_fraction=0.0 if warmup_fraction is None else warmup_fraction,
                   scenario=sc.value, metric_fn=thr, throughput_from_zero=True, **{**common, "n_requests": int(n)})
        return res
    # Server
    if arrivals is None:
        check("rate", rate, Range(0, None, closed="neither", unit="requests/s"), owner="run_scenario (server)")
        arrivals = Poisson(rate)
    res = _run(arrivals, svc, requested=requested, warmup_fraction=0.1 if warmup_fraction is None else warmup_fraction,
               scenario=sc.value, metric_fn=tail_metric("p99 latency"), **common)
    if latency_bound_s is not None:
        check("latency_bound_s", latency_bound_s, Range(0, None, closed="neither", unit="s"), owner="run_scenario")
        p99 = res.metric["value"]
        res.metric.update(latency_bound_s=latency_bound_s, valid=bool(p99 <= latency_bound_s))
        if search:
            m = find_max_qps(svc, latency_bound_s, pct, **{k: v for k, v in common.items() if v is not None})
            res.metric["max_qps"] = m.qps
    return res

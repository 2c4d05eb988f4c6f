"""Speed of simlib.queueing, as ratios measured in this run (timings on a shared machine are noisy).

1. The SimPy engine (FIFO single server, Poisson, forced with engine="simpy") against a minimal
   SimPy M/M/1 loop written here (one process per customer, a Resource): target >= 0.5x.
2. The fast path (picked automatically) on 1e6 requests: target < 1 s, and the same records as
   the SimPy engine on the same inputs.

    .venv/bin/python benchmarks/bench_queueing.py [--requests N]
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import simpy

from simlib.queueing import simulate


def baseline_mm1(n: int, lam: float = 80.0, mu: float = 100.0, seed: int = 0) -> float:
    """The textbook SimPy M/M/1: a generator spawns one customer process per arrival."""
    rnd = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    total = [0.0]

    def customer(env):
        t0 = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rnd.expovariate(mu))
        total[0] += env.now - t0

    def source(env):
        for _ in range(n):
            yield env.timeout(rnd.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    return total[0] / n


def best_rate(fn, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - t)
    return n / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100_000)
    args = ap.parse_args()
    n = args.requests

    base = best_rate(baseline_mm1, n)
    eng = best_rate(lambda k: simulate(80.0, "exp:10ms", n_requests=k, seed=0, engine="simpy"), n)
    print(f"minimal SimPy M/M/1 loop : {base:12,.0f} requests/s")
    print(f"simlib SimPy engine      : {eng:12,.0f} requests/s   ratio {eng / base:.2f}x (target >= 0.50)")

    m = 1_000_000
    t = time.perf_counter()
    r = simulate(80.0, "exp:10ms", n_requests=m, seed=0)
    dt = time.perf_counter() - t
    print(f"fast path G/G/1, 1e6     : {dt:8.3f} s  ({m / dt:12,.0f} requests/s, {m / dt / base:.0f}x the baseline;"
          f" target < 1 s; engine={r.settings['effective']['engine']})")
    t = time.perf_counter()
    r4 = simulate(350.0, "exp:10ms", servers=4, n_requests=m, seed=0)
    dt4 = time.perf_counter() - t
    print(f"fast path G/G/4, 1e6     : {dt4:8.3f} s  ({m / dt4:12,.0f} requests/s; engine={r4.settings['effective']['engine']})")

    k = 50_000
    for servers, rate in ((1, 80.0), (4, 350.0)):
        a = simulate(rate, "lognormal:10ms,cv=1", servers=servers, n_requests=k, seed=3)
        b = simulate(rate, "lognormal:10ms,cv=1", servers=servers, n_requests=k, seed=3, engine="simpy")
        diff = float(np.max(np.abs(a.records.finish_s - b.records.finish_s)))
        print(f"fast vs SimPy, c={servers}, {k} requests: max |finish difference| = {diff:.2e} s")

    widget_update_times()


def widget_update_times() -> None:
    """One explorer update = simulate + draw + render the PNG the notebook shows (quick and standard)."""
    import io

    from simlib import budget
    from simlib.queueing import widget

    settings = [widget.DEFAULTS,
                {**widget.DEFAULTS, "rate_qps": 150.0, "cv": 2.0},
                {**widget.DEFAULTS, "servers": 4, "rate_qps": 300.0},
                {**widget.DEFAULTS, "max_batch": 8, "batch_timeout_ms": 10.0, "rate_qps": 200.0},
                {**widget.DEFAULTS, "burst_factor": 6.0}]
    for name in ("quick", "standard"):
        times = []
        with budget.use(name):
            widget.figure(**settings[0]).savefig(io.BytesIO(), format="png")  # imports, font cache
            for kw in settings:
                for _ in range(3):
                    t = time.perf_counter()
                    widget.figure(**kw).savefig(io.BytesIO(), format="png")  # the figure's own dpi
                    times.append(time.perf_counter() - t)
        times.sort()
        print(f"widget update ({name:<8}): median {times[len(times) // 2]:.3f} s, max {times[-1]:.3f} s "
              f"over {len(times)} updates of {len(settings)} settings (target < 0.3 s each)")


if __name__ == "__main__":
    main()

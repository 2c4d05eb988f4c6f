"""The SimPy engine: requests arrive, wait in one FIFO queue, and are served by c workers.

Small generator processes over one :class:`simpy.Environment` (STYLE.md, "SimPy"):

- ``_source`` puts request ids into a :class:`simpy.Store` at their (pre-drawn) arrival times;
  ``_closed_loop_client`` instead issues the next request when the previous one completes;
- ``_worker`` (one per server) takes the oldest request, optionally waits to fill a batch
  (up to ``max_batch`` requests or until ``batch_timeout_s`` after the oldest one arrived),
  then holds for the batch's service time.

Nothing is printed or aggregated inside the processes: they write per-request records into a
:class:`Monitor`, and :mod:`simlib.queueing.runner` turns the records into a result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from simlib import limits
from simlib.queueing.effects import ColdStart, Pauses
from simlib.queueing.service import ServiceModel

__all__ = ["EngineConfig", "Monitor", "run_simpy"]


@dataclass
class EngineConfig:
    servers: int = 1
    max_batch: int = 1
    batch_timeout_s: float = 0.0
    slowdown: Callable[[float], float] | None = None
    pauses: Pauses | None = None
    cold_start: ColdStart | None = None
    deadline_s: float | None = None


class Monitor:
    """Per-request records, filled by the processes (NaN/-1 until set)."""

    def __init__(self, n: int) -> None:
        self.arrival = [math.nan] * n
        self.start = [math.nan] * n
        self.finish = [math.nan] * n
        self.batch_size = [0] * n
        self.worker = [-1] * n
        self.batch_id = [-1] * n
        self.dropped = [False] * n
        self.cold = [False] * n
        self.n_batches = 0

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "arrival_s": np.asarray(self.arrival, dtype=float),
            "start_s": np.asarray(self.start, dtype=float),
            "finish_s": np.asarray(self.finish, dtype=float),
            "batch_size": np.asarray(self.batch_size, dtype=np.int64),
            "worker": np.asarray(self.worker, dtype=np.int64),
            "batch_id": np.asarray(self.batch_id, dtype=np.int64),
            "dropped": np.asarray(self.dropped, dtype=bool),
            "cold": np.asarray(self.cold, dtype=bool),
        }


def _source(env: simpy.Environment, arrival_s: list[float], queue: simpy.Store, mon: Monitor):
    for i, t in enumerate(arrival_s):
        if t > env.now:
            yield env.timeout(t - env.now)
        mon.arrival[i] = t
        queue.put(i)


def _closed_loop_client(env, ids, queue, mon, done, think_s):
    for i in ids:
        mon.arrival[i] = env.now
        done[i] = env.event()
        queue.put(i)
        yield done[i]
        if think_s > 0:
            yield env.timeout(think_s)


def _worker(env, w: int, queue: simpy.Store, mon: Monitor, cfg: EngineConfig,
            service: ServiceModel, service_s: list[float] | None, rng, done):
    last_finish = -math.inf if (cfg.cold_start is None or not cfg.cold_start.initially_warm) else 0.0
    deadline, slowdown, pauses, cold = cfg.deadline_s, cfg.slowdown, cfg.pauses, cfg.cold_start
    while True:
        i = yield queue.get()
        batch = [i]
        if cfg.max_batch > 1:
            fill_until = mon.arrival[i] + cfg.batch_timeout_s
            while len(batch) < cfg.max_batch:
                if queue.items:
                    batch.append((yield queue.get()))
                    continue
                remaining = fill_until - env.now
                if remaining <= 0:
                    break
                get = queue.get()
                fired = yield get | env.timeout(remaining)
                if get in fired:
                    batch.append(get.value)
                else:
                    get.cancel()
                    break
        now = env.now
        if deadline is not None:
            late = [j for j in batch if now - mon.arrival[j] > deadline]
            for j in late:
                mon.dropped[j] = True
                if done is not None:
                    done[j].succeed()
            if late:
                batch = [j for j in batch if not mon.dropped[j]]
                if not batch:
                    continue
        b = len(batch)
        if service_s is not None and b == 1:
            s = service_s[batch[0]]
        else:
            s = float(service.sample(rng, 1, b)[0])
        if slowdown is not None:
            s *= float(slowdown(now))
        is_cold = cold is not None and now - last_finish > cold.keep_alive_s
        if is_cold:
            s += cold.load_time_s
        end = float(pauses.finish_s(now, s)) if pauses is not None else now + s
        bid = mon.n_batches
        mon.n_batches += 1
        for j in batch:
            mon.start[j] = now
            mon.batch_size[j] = b
            mon.worker[j] = w
            mon.batch_id[j] = bid
            mon.cold[j] = is_cold
        yield env.timeout(end - now)
        last_finish = env.now
        for j in batch:
            mon.finish[j] = last_finish
            if done is not None:
                done[j].succeed()


def run_simpy(service: ServiceModel, cfg: EngineConfig, rng: np.random.Generator, *,
              arrival_s: np.ndarray | None = None, service_s: np.ndarray | None = None,
              closed_loop: tuple[int, int, float] | None = None) -> dict[str, np.ndarray]:
    """Run the model to completion and return the per-request records as numpy arrays.

    Open loop: ``arrival_s`` (sorted, seconds) and, for unbatched service, ``service_s`` drawn in
    advance (so the fast path can be fed the same inputs). Closed loop: ``closed_loop =
    (n_requests, n_clients, think_s)``. ``rng`` draws batch service times.
    """
    env = simpy.Environment()
    queue = simpy.Store(env)
    done = None
    if closed_loop is None:
        n = len(arrival_s)
        mon = Monitor(n)
        env.process(_source(env, arrival_s.tolist(), queue, mon))
    else:
        n, clients, think_s = closed_loop
        mon = Monitor(n)
        done = [None] * n
        for c in range(clients):
            env.process(_closed_loop_client(env, range(c, n, clients), queue, mon, done, think_s))
    svc = service_s.tolist() if service_s is not None else None
    for w in range(cfg.servers):
        env.process(_worker(env, w, queue, mon, cfg, service, svc, rng, done))
    _run_with_progress(env, arrival_s, n)
    return mon.arrays()


def _run_with_progress(env: simpy.Environment, arrival_s: np.ndarray | None, n: int) -> None:
    """Run to completion; a long open-loop run shows a tqdm bar on a terminal (by arrivals)."""
    disable = limits.show_progress("simpy_requests", n)
    if disable is True or arrival_s is None or n == 0:
        env.run()
        return
    from tqdm.auto import tqdm

    with tqdm(total=n, desc="simulating (SimPy)", unit="request", disable=disable, leave=False) as bar:
        for k in range(1, 101):
            i = k * n // 100
            if i and arrival_s[i - 1] > env.now:
                env.run(until=float(arrival_s[i - 1]))
            bar.update(i - bar.n)
        env.run()

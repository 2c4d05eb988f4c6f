"""The SimPy engine: requests arrive, wait in one FIFO queue, and are served by c workers.

Small generator processes over one :class:`simpy.Environment` (STYLE.md, "SimPy"):

- ``_source`` puts request ids into a :class:`simpy.Store` at their (pre-drawn) arrival times;
  ``_closed_loop_client`` instead issues the next request when the previous one completes;
- per server, a ``_batcher`` takes the oldest request once its worker is free, optionally
  waits to fill a batch (up to ``max_batch`` requests or until ``batch_timeout_s`` after the
  oldest one arrived), drops requests past their deadline, and hands the batch (one event, a
  :class:`_Slot`) to
- a ``_worker``, which holds for the batch's service time: the model's (or pre-drawn) time,
  times the slowdown, plus a cold start, stretched by pauses (each effect a small helper).
  The batcher waits on the same service timeout, so it asks the queue again at the instant
  the worker finishes, as one process doing both would (the records are identical to the
  single-generator engine this replaced; the hand-over costs one event per batch).

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

__all__ = ["EngineConfig", "Monitor", "run_simpy", "start_servers"]


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


@dataclass
class _Run:
    """What every process of one run shares: the clock, the queue, the records and the models."""

    env: simpy.Environment
    queue: simpy.Store
    mon: Monitor
    cfg: EngineConfig
    service: ServiceModel
    service_s: list[float] | None  # batch-of-1 service times drawn in advance (open loop)
    rng: np.random.Generator  # draws batch service times
    done: list | None  # closed loop: one event per request, fired when it completes or is dropped


def _complete(run: _Run, j: int) -> None:
    if run.done is not None:
        run.done[j].succeed()


def _fill(run: _Run, first: int):
    """Grow a batch from request ``first``: take queued requests at once, then wait for more
    until ``batch_timeout_s`` after ``first`` arrived, up to ``max_batch`` (a SimPy sub-generator)."""
    env, queue, cfg = run.env, run.queue, run.cfg
    batch = [first]
    fill_until = run.mon.arrival[first] + cfg.batch_timeout_s
    while len(batch) < cfg.max_batch:
        if queue.items:
            batch.append((yield queue.get()))
            continue
        remaining = fill_until - env.now
        if remaining <= 0:
            break
        get = queue.get()
        fired = yield get | env.timeout(remaining)
        if get not in fired:
            get.cancel()
            break
        batch.append(get.value)
    return batch


def _drop_late(run: _Run, batch: list[int]) -> list[int]:
    """Drop (and complete) the requests that waited longer than ``deadline_s``; return the rest."""
    deadline, now, mon = run.cfg.deadline_s, run.env.now, run.mon
    if deadline is None:
        return batch
    keep = []
    for j in batch:
        if now - mon.arrival[j] > deadline:
            mon.dropped[j] = True
            _complete(run, j)
        else:
            keep.append(j)
    return keep


class _Slot:
    """Where a batcher hands a batch to its worker: ``handover`` fires with the batch; the worker
    puts its service's timeout in ``serving``, which the batcher waits on too (it registered after
    the worker, so it resumes once the worker has recorded the completions: no extra event)."""

    __slots__ = ("handover", "serving")

    def __init__(self, env: simpy.Environment) -> None:
        self.handover = env.event()
        self.serving: simpy.Event | None = None


def _batcher(run: _Run, slot: _Slot):
    """Form the next batch for one worker whenever it is free, and hand it over."""
    single = run.cfg.max_batch == 1
    while True:
        first = yield run.queue.get()
        batch = [first] if single else (yield from _fill(run, first))
        batch = _drop_late(run, batch)
        if batch:
            handover, slot.serving = slot.handover, None
            handover.succeed(batch)
            yield handover  # the worker resumes first and starts serving
            if slot.serving is None:  # the worker failed (its error ends the run)
                return
            yield slot.serving


def _service_time(run: _Run, batch: list[int], now: float) -> float:
    """The batch's service time (s) from the model (or the pre-drawn time), times the slowdown."""
    if run.service_s is not None and len(batch) == 1:
        s = run.service_s[batch[0]]
    else:
        s = float(run.service.sample(run.rng, 1, len(batch))[0])
    return s * float(run.cfg.slowdown(now)) if run.cfg.slowdown is not None else s


def _is_cold(cold: ColdStart | None, now: float, last_finish: float) -> bool:
    return cold is not None and now - last_finish > cold.keep_alive_s


def _end_s(pauses: Pauses | None, now: float, work_s: float) -> float:
    return float(pauses.finish_s(now, work_s)) if pauses is not None else now + work_s


def _record_start(mon: Monitor, batch: list[int], now: float, w: int, is_cold: bool) -> None:
    bid = mon.n_batches
    mon.n_batches += 1
    for j in batch:
        mon.start[j] = now
        mon.batch_size[j] = len(batch)
        mon.worker[j] = w
        mon.batch_id[j] = bid
        mon.cold[j] = is_cold


def _worker(run: _Run, w: int, slot: _Slot):
    """Serve the batches the worker's batcher hands over: cold start, slowdown and pauses applied."""
    env, cold = run.env, run.cfg.cold_start
    last_finish = 0.0 if (cold is not None and cold.initially_warm) else -math.inf
    while True:
        batch = yield slot.handover
        slot.handover = env.event()
        now = env.now
        s = _service_time(run, batch, now)
        is_cold = _is_cold(cold, now, last_finish)
        if is_cold:
            s += cold.load_time_s
        _record_start(run.mon, batch, now, w, is_cold)
        slot.serving = env.timeout(_end_s(run.cfg.pauses, now, s) - now)
        yield slot.serving
        last_finish = env.now
        for j in batch:
            run.mon.finish[j] = last_finish
            _complete(run, j)


def start_servers(env: simpy.Environment, queue: simpy.Store, mon: Monitor, cfg: EngineConfig,
                  service: ServiceModel, rng: np.random.Generator, done=None, *,
                  service_s: list[float] | None = None) -> None:
    """Start the ``cfg.servers`` workers (each with its batcher) that serve request indices put in
    ``queue``; they write ``mon`` and succeed ``done[i]`` (when ``done`` is given) as request ``i``
    completes or is dropped. Used by :func:`run_simpy` and by the load generator's
    :class:`~simlib.queueing.sut.SimulatedSUT`."""
    run = _Run(env, queue, mon, cfg, service, service_s, rng, done)
    for w in range(cfg.servers):
        slot = _Slot(env)
        env.process(_worker(run, w, slot))
        env.process(_batcher(run, slot))


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
    start_servers(env, queue, mon, cfg, service, rng, done, service_s=service_s.tolist() if service_s is not None else None)
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

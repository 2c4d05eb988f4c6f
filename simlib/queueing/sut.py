"""The queueing model as a system under test: the same load generator drives it and a real backend.

:class:`SimulatedSUT` answers on a *simulated* clock. :func:`simlib.measure.run_scenario` sees
``clock == "simulated"`` and runs the scenario inside a :class:`simpy.Environment` instead of on
``time.perf_counter``; the scenario logic, the run rules (minimum duration and query count), the
validity checks and the report are the load generator's, once, for a measured and a modeled run.

The server inside is the simulator's engine (:mod:`simlib.queueing.engine`): one FIFO queue,
``servers`` identical workers, dynamic batching (``max_batch``, ``batch_timeout_s``), and the
effects (slowdown, pauses, cold start). Sample ids from the load generator are mapped to the
engine's request indices as they are issued, so a closed loop (SingleStream, MultiStream) needs no
count in advance.

>>> import simpy
>>> env, done = simpy.Environment(), {}
>>> sut = SimulatedSUT("det:5ms", servers=1)
>>> sut.start(lambda ids, t: done.update({i: t for i in ids}), env)
>>> sut.issue([(7, 0), (8, 0)])
>>> env.run()
>>> done
{7: 0.005, 8: 0.01}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from simlib._validate import Range, check
from simlib.queueing.effects import ColdStart, Pauses
from simlib.queueing.engine import EngineConfig, Monitor, start_servers

__all__ = ["SimulatedSUT"]


class _GrowingMonitor(Monitor):
    """The engine's per-request records, grown one request at a time as the load generator issues."""

    def __init__(self) -> None:
        super().__init__(0)

    def add(self, t: float) -> int:
        """Record a request arriving at ``t`` (s); return its index."""
        for name, blank in (("arrival", t), ("start", math.nan), ("finish", math.nan), ("batch_size", 0),
                            ("worker", -1), ("batch_id", -1), ("dropped", False), ("cold", False)):
            getattr(self, name).append(blank)
        return len(self.arrival) - 1


class SimulatedSUT:
    """A MODELED system under test: the simulator's server behind the load generator's SUT contract.

    ``service`` is a service model or a SPEC (``"exp:10ms"``, :func:`simlib.queueing.parse_service`);
    ``servers``, ``max_batch`` and ``batch_timeout_s`` (s) as in :func:`simlib.queueing.simulate`;
    ``slowdown``, ``pauses`` and ``cold_start`` stretch services as there; ``seed`` seeds the service
    times. ``start(on_complete, env)`` starts the workers on a SimPy environment; ``issue(items)``
    queues ``(sample_id, sample_index)`` pairs at ``env.now``; ``on_complete(ids, t)`` is called at
    each batch's simulated completion time. ``service_log`` holds ``(start_s, end_s, batch_size)``.
    """

    clock = "simulated"

    def __init__(self, service, *, servers: int = 1, max_batch: int = 1, batch_timeout_s: float = 0.0,
                 slowdown: Callable[[float], float] | None = None, pauses: Pauses | None = None,
                 cold_start: ColdStart | None = None, seed: int = 0, name: str | None = None) -> None:
        from simlib.queueing.runner import _desc, _resolve, _slowdown_fn

        own = "SimulatedSUT"
        check("servers", servers, Range(1, 4096, integer=True), owner=own)
        check("max_batch", max_batch, Range(1, 4096, integer=True), owner=own)
        check("batch_timeout_s", batch_timeout_s, Range(0, 3600, unit="s"), owner=own)
        check("seed", seed, Range(0, 2**63 - 1, integer=True), owner=own)
        _, self.service = _resolve(1.0, service)
        self.cfg = EngineConfig(servers=int(servers), max_batch=int(max_batch),
                                batch_timeout_s=float(batch_timeout_s), slowdown=_slowdown_fn(slowdown),
                                pauses=pauses, cold_start=cold_start)
        self.seed = int(seed)
        self.max_batch, self.batch_timeout_s = self.cfg.max_batch, self.cfg.batch_timeout_s
        self.name = name or f"SimulatedSUT({_desc(self.service)}, {servers} server(s), max batch {max_batch})"
        self.effects = {"slowdown": None if slowdown is None else _desc(slowdown),
                        "pauses": None if pauses is None else repr(pauses),
                        "cold_start": None if cold_start is None else repr(cold_start)}
        self.error: BaseException | None = None
        self.service_log: list[tuple[float, float, int]] = []

    def describe(self) -> dict[str, Any]:
        """What was modeled, for the result's ``system`` (a model has no machine)."""
        return {"modeled": True, "sut": self.name, "service": repr(self.service), "servers": self.cfg.servers,
                "max_batch": self.cfg.max_batch, "batch_timeout_s": self.cfg.batch_timeout_s,
                "seed": self.seed, **self.effects}

    # --- the SUT contract, on a simulated clock -----------------------------------------------
    def start(self, on_complete: Callable[[list[int], float], None], env) -> None:
        import simpy

        self._env, self._on_complete = env, on_complete
        self._queue = simpy.Store(env)
        self._mon = _GrowingMonitor()
        self._ids: list[int] = []  # engine index -> the load generator's sample id
        self._done = _CompletionEvents(self)
        self._logged_batches: set[int] = set()
        self.service_log = []
        start_servers(env, self._queue, self._mon, self.cfg, self.service, np.random.default_rng(self.seed), self._done)

    def issue(self, items: Sequence[tuple[int, int]]) -> None:
        for sample_id, _ in items:
            i = self._mon.add(self._env.now)
            self._ids.append(int(sample_id))
            self._done.open(i)
            self._queue.put(i)

    def flush(self) -> None:
        """Nothing to do: the load generator waits on the simulated clock."""

    def stop(self) -> None:
        """Nothing to release (the environment ends with the run)."""


class _CompletionEvents(dict):
    """The engine's ``done`` events, keyed by request index; completing one reports it to the load
    generator (and logs its batch once) at the simulated time."""

    def __init__(self, sut: SimulatedSUT) -> None:
        super().__init__()
        self._sut = sut

    def open(self, i: int) -> None:
        ev = self._sut._env.event()
        ev.callbacks.append(lambda _ev, i=i: self._finished(i))
        self[i] = ev

    def _finished(self, i: int) -> None:
        sut, mon = self._sut, self._sut._mon
        if mon.dropped[i]:
            return
        t = float(mon.finish[i])
        if mon.batch_id[i] not in sut._logged_batches:
            sut._logged_batches.add(mon.batch_id[i])
            sut.service_log.append((float(mon.start[i]), t, int(mon.batch_size[i])))
        sut._on_complete([sut._ids[i]], t)

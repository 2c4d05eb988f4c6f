"""Systems under test (SUT) for the load generator: a backend on a server thread.

The SUT contract mirrors MLPerf LoadGen's: ``start(on_complete)``, ``issue(items)`` (non-blocking;
items are ``(sample_id, sample_index)`` pairs), ``flush()``, ``stop()``. The SUT calls
``on_complete(sample_ids, t_done)`` (``t_done`` from ``time.perf_counter``) from its own thread, so
the load generator owns the clock. The same SUT runs under simlib's generator and under the real
LoadGen (:mod:`simlib.measure.mlperf_crosscheck`).

:class:`BackendSUT` serves one sample at a time (``max_batch=1``) or batches dynamically: it takes
the first waiting sample, then gathers more until ``max_batch`` or ``batch_timeout_s`` after the
first arrived. Every batch's service time is logged (``service_log``): the in-situ service times
that :mod:`simlib.measure.compare` feeds to the simulator.

>>> import numpy as np
>>> class Echo:  # any object with infer(batch) works as a backend
...     def infer(self, x): return x
>>> sut = BackendSUT(Echo(), np.zeros((4, 2), dtype=np.float32))
>>> done = []
>>> sut.start(lambda ids, t: done.extend(ids)); sut.issue([(7, 0), (8, 1)]); sut.flush(); sut.stop()
>>> sorted(done)
[7, 8]
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from simlib._validate import Range, check

__all__ = ["BackendSUT"]

_STOP = object()


class BackendSUT:
    """A backend behind a FIFO queue and one server thread, with optional dynamic batching."""

    def __init__(self, backend, samples: np.ndarray, *, max_batch: int = 1,
                 batch_timeout_s: float = 0.0, name: str | None = None) -> None:
        check("max_batch", max_batch, Range(1, 4096, integer=True), owner="BackendSUT")
        check("batch_timeout_s", batch_timeout_s, Range(0, 10, unit="s"), owner="BackendSUT")
        self.backend, self.samples = backend, samples
        self.max_batch, self.batch_timeout_s = max_batch, batch_timeout_s
        self.name = name or f"BackendSUT({getattr(backend, 'name', type(backend).__name__)})"
        self.service_log: list[tuple[float, float, int]] = []  # (start, end, batch size)
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pending = 0
        self._lock = threading.Condition()
        self.error: BaseException | None = None

    def start(self, on_complete: Callable[[list[int], float], None]) -> None:
        self._on_complete = on_complete
        self.service_log = []
        self._thread = threading.Thread(target=self._serve, name="simlib-sut", daemon=True)
        self._thread.start()

    def issue(self, items: Sequence[tuple[int, int]]) -> None:
        with self._lock:
            self._pending += len(items)
        for it in items:
            self._q.put(it)

    def flush(self) -> None:
        """Block until every issued sample has completed."""
        with self._lock:
            self._lock.wait_for(lambda: self._pending == 0 or self.error is not None)

    def stop(self) -> None:
        if self._thread is not None:
            self._q.put(_STOP)
            self._thread.join()
            self._thread = None

    def _gather(self, first) -> list:
        batch = [first]
        if self.max_batch == 1:
            return batch
        deadline = time.perf_counter() + self.batch_timeout_s
        while len(batch) < self.max_batch:
            try:
                left = deadline - time.perf_counter()
                item = self._q.get(timeout=left) if left > 0 else self._q.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                self._q.put(_STOP)
                break
            batch.append(item)
        return batch

    def _serve(self) -> None:
        pc, infer, samples = time.perf_counter, self.backend.infer, self.samples
        while True:
            first = self._q.get()
            if first is _STOP:
                return
            batch = self._gather(first)
            idx = [i for _, i in batch]
            x = samples[idx[0]:idx[0] + 1] if len(idx) == 1 else samples[idx]
            t0 = pc()
            try:
                infer(x)
            except BaseException as err:  # surface in the load generator, never hang
                self.error = err
            t1 = pc()
            self.service_log.append((t0, t1, len(batch)))
            self._on_complete([sid for sid, _ in batch], t1)
            with self._lock:
                self._pending -= len(batch)
                if self._pending == 0 or self.error is not None:
                    self._lock.notify_all()

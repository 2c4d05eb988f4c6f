"""Two models on one machine: measured interference beside a capacity model's prediction.

Serving several models on one machine is common (a phone runs the camera model while the
keyboard model waits; a server packs small models together). :func:`colocation_study` times
model A alone, then again while model B runs back to back in another thread, each with a fixed
number of intra-op threads. The *modeled* prediction is the simplest capacity argument, a
processor-sharing model: if the two models together ask for no more threads than the machine
has cores, A runs as fast as alone; if they ask for more, each thread gets ``cores / threads``
of a core and A slows down by the inverse. The gap between that prediction and the
measurement is what the capacity model leaves out: shared caches, memory bandwidth, the
runtime's own threads, and everything else already running on the machine.

>>> r = colocation_study("digits", "digits", threads=1)  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from simlib import budget
from simlib._validate import Options, Range, validate_params
from simlib.measure.backends import BACKENDS, open_backend, usable_cores
from simlib.measure.timer import time_callable
from simlib.models.registry import MODELS
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, median_ci

__all__ = ["Colocation", "colocation_study"]


@dataclass(repr=False)
class Colocation(ResultDisplay):
    """Model A's median latency alone and beside model B (MEASURED, with 95% intervals), and
    the processor-sharing prediction (MODELED)."""

    model_a: str
    model_b: str
    threads: int
    cores: int
    alone: Interval
    together: Interval
    b_calls: int
    warnings: list[str] = field(default_factory=list)
    kind = "comparison"

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model_a=self.model_a, model_b=self.model_b, threads=self.threads, cores=self.cores)

    @property
    def summary(self) -> dict[str, Any]:
        """Model A's median latency (s) alone and beside B, with 95% intervals; both slowdowns."""
        a, t = self.alone, self.together
        return {"alone_p50_s": a.estimate, "alone_p50_ci_s": [a.low, a.high], "together_p50_s": t.estimate,
                "together_p50_ci_s": [t.low, t.high], "measured_slowdown_ratio": self.measured_slowdown,
                "predicted_slowdown_ratio": self.predicted_slowdown, "b_calls_count": self.b_calls}

    @property
    def predicted_slowdown(self) -> float:
        """Processor sharing: 1 while 2 x threads <= cores, else 2 x threads / cores."""
        return max(1.0, 2 * self.threads / self.cores)

    @property
    def measured_slowdown(self) -> float:
        return self.together.estimate / self.alone.estimate

    def claim(self) -> str:
        """How model B changed model A's latency, decided with the two intervals."""
        from simlib.claims import speed_change

        return speed_change(self.alone, self.together)

    def headline(self) -> str:
        return self.table().split("\n")[-1]

    def table(self) -> str:
        return (f"{self.model_a} alone: median {self.alone.estimate * 1e3:.3f} ms "
                f"[{self.alone.low * 1e3:.3f}, {self.alone.high * 1e3:.3f}] [MEASURED]\n"
                f"{self.model_a} beside {self.model_b} ({self.b_calls} calls of B meanwhile): median "
                f"{self.together.estimate * 1e3:.3f} ms [{self.together.low * 1e3:.3f}, "
                f"{self.together.high * 1e3:.3f}] [MEASURED]\n"
                f"slowdown: measured {self.measured_slowdown:.2f}x, processor-sharing model "
                f"{self.predicted_slowdown:.2f}x ({2 * self.threads} threads on {self.cores} cores) [MODELED]")


@validate_params({"model_a": Options(MODELS), "model_b": Options(MODELS), "backend": Options(BACKENDS),
                  "threads": Range(1, 256, integer=True),
                  "time_budget_s": [None, Range(0, 600, closed="right", unit="s")]})
def colocation_study(model_a: str = "cnn", model_b: str = "encoder", *, backend: str = "onnxruntime",
                     threads: int = 1, time_budget_s: float | None = None) -> Colocation:
    """Time ``model_a`` alone and while ``model_b`` runs continuously beside it."""
    seconds = time_budget_s or budget.pick(quick=0.6, standard=3.0, full=10.0)
    a = open_backend(backend, model_a, threads=threads)
    b = open_backend(backend, model_b, threads=threads)
    stop, calls = threading.Event(), [0]
    try:
        xa, xb = a.spec.sample_inputs(1), b.spec.sample_inputs(1)
        alone = time_callable(lambda: a.infer(xa), name=f"{model_a} alone", time_budget_s=seconds)

        def hog() -> None:
            while not stop.is_set():
                b.infer(xb)
                calls[0] += 1

        worker = threading.Thread(target=hog, daemon=True)
        worker.start()
        try:
            together = time_callable(lambda: a.infer(xa), name=f"{model_a} beside {model_b}",
                                     time_budget_s=seconds)
        finally:
            stop.set()
            worker.join(timeout=30)
    finally:
        a.close()
        b.close()
    warns = [f"alone: {w}" for w in alone.all_warnings] + [f"together: {w}" for w in together.all_warnings]
    return Colocation(model_a, model_b, threads, usable_cores(), median_ci(alone.samples_s),
                      median_ci(together.samples_s), calls[0], warns)

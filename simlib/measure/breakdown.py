"""Where a request's time goes: the source chapter's latency-breakdown table, measured here.

The source chapter (Table 10, seed lines 592-601) lists illustrative ranges for each component
of an inference request's latency. :func:`latency_breakdown` puts this machine's measured
median beside each range: parsing, preprocessing, the model, postprocessing and serialization
from a :func:`simlib.measure.run_pipeline` result, and the queue wait from a Server run
(latency from the scheduled arrival minus the server's own service time). Network round trips
are not measured: the pipeline runs in one process, and a loopback hop would time the
kernel, not a network; the row says so instead of inventing a number.

>>> rows = latency_breakdown(None, None)
>>> [r.component for r in rows][:3]
['Network round-trip', 'Request parsing', 'Input preprocessing']
>>> rows[0].measured_ms is None and "not measured" in rows[0].note
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.table import Table

__all__ = ["BreakdownRow", "SOURCE_RANGES_MS", "breakdown_table", "latency_breakdown"]

#: the source chapter's illustrative ranges, milliseconds (Table 10); None: open-ended
SOURCE_RANGES_MS: dict[str, tuple[float, float | None]] = {
    "Network round-trip": (10, 100),
    "Request parsing": (0.1, 1),
    "Input preprocessing": (1, 50),
    "Queue wait time": (0, None),  # "0-1000+ ms"
    "Model inference": (5, 100),
    "Output postprocessing": (0.5, 10),
    "Response serialization": (0.1, 1),
}
_STAGES = {
    "Request parsing": ("parse",),
    "Input preprocessing": ("decode", "resize", "normalize"),
    "Model inference": ("model",),
    "Output postprocessing": ("postprocess",),
    "Response serialization": ("serialize",),
}


@dataclass(frozen=True)
class BreakdownRow:
    """One component: the source's range (ms), this machine's median (ms, or None) and a note."""

    component: str
    source_low_ms: float
    source_high_ms: float | None
    measured_ms: float | None
    note: str

    @property
    def source_range(self) -> str:
        hi = "+" if self.source_high_ms is None else f"-{self.source_high_ms:g}"
        return f"{self.source_low_ms:g}{hi} ms"

    @property
    def position(self) -> str:
        """``"below"``, ``"within"`` or ``"above"`` the source's range ("" when not measured)."""
        if self.measured_ms is None:
            return ""
        if self.measured_ms < self.source_low_ms:
            return "below"
        if self.source_high_ms is not None and self.measured_ms > self.source_high_ms:
            return "above"
        return "within"


def latency_breakdown(pipeline, server_run) -> list[BreakdownRow]:
    """The source's components with this machine's medians (see the module docstring).

    ``pipeline`` is a :func:`~simlib.measure.run_pipeline` result (or None); ``server_run`` a
    Server :class:`~simlib.measure.loadgen.RunResult` from a single-worker SUT (or None).
    """
    from simlib.measure.compare import effective_service_times
    from simlib.measure.saturation import completion_times

    rows = []
    for comp, (lo, hi) in SOURCE_RANGES_MS.items():
        measured, note = None, ""
        if comp == "Network round-trip":
            note = "not measured: the pipeline runs in one process (no network hop)"
        elif comp == "Queue wait time":
            if server_run is None:
                note = "not measured: needs a Server run"
            else:
                q = server_run.extra["queries"]
                done = completion_times(q["completed_s"])
                ok = np.isfinite(done)
                latency = done[ok] - np.asarray(q["scheduled_s"], dtype=float)[ok]
                service = effective_service_times(q["issued_s"], q["completed_s"])
                measured = float(np.median(np.maximum(latency - service, 0.0))) * 1e3
                note = (f"median wait in the Server run at {server_run.metrics['qps']:.0f} "
                        "queries/s: latency from the scheduled arrival minus the service time")
        elif pipeline is None:
            note = "not measured: needs a pipeline run"
        else:
            stages = _STAGES[comp]
            per_request = np.sum([pipeline.extra["stage_samples_s"][s] for s in stages], axis=0)
            measured = float(np.median(per_request)) * 1e3
            note = " + ".join(stages) + f", median of {len(per_request)} requests"
        rows.append(BreakdownRow(comp, lo, hi, measured, note))
    return rows


def breakdown_table(rows: list[BreakdownRow], caption: str = "") -> Table:
    """The rows as a :class:`simlib.table.Table`."""
    return Table(["Component", "Source's range", "Measured here (median)", "Against the range", "How"],
                 [[r.component, r.source_range, None if r.measured_ms is None else f"{r.measured_ms:.3g} ms",
                   r.position, r.note] for r in rows], caption=caption)

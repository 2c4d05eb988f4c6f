"""Dynamic batching, measured and modeled on the same system.

Two steps, the way the book teaches them:

1. :func:`batch_cost_curve` times one batch of size b for several b (the harness: warm-up,
   repeats) and fits the simulator's batch cost model t(b) = t0 + b*t1
   (:class:`simlib.queueing.BatchCost`). t0 is the per-batch overhead that batching amortizes.
2. :func:`batching_study` runs the real Server scenario with a dynamic-batching SUT at one
   arrival rate for several batch timeouts, and the serving simulator with the fitted cost
   model on the *same* arrival timestamps (a :class:`~simlib.queueing.Trace`), so measured and
   modeled differ only by the service-time model, not by the luck of the arrival draw.

>>> # needs a measurement; see tests/test_batching.py
>>> batching_study  # doctest: +ELLIPSIS
<function batching_study at ...>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Range, check, validate_params
from simlib.measure.api import measure, time_inference
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import percentile

__all__ = ["BatchCurve", "BatchingStudy", "batch_cost_curve", "batching_study"]


@dataclass(repr=False)
class BatchCurve(ResultDisplay):
    """Measured time per batch (s) by batch size, and the fitted t(b) = t0 + b*t1 (MEASURED)."""

    model: str
    backend: str
    batch_sizes: list[int]
    median_s: list[float]
    fit: Any  # simlib.queueing.BatchCost
    warnings: list[str] = field(default_factory=list)
    kind = "measured"

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, backend=self.backend, batch_sizes=list(self.batch_sizes))

    @property
    def summary(self) -> dict[str, Any]:
        """The fit (s), batch 1's median time (s), the best throughput (samples/s)."""
        return {"n": len(self.batch_sizes), "fixed_cost_s": self.fit.t0_s, "per_sample_cost_s": self.fit.t1_s,
                "fixed_cost_fraction": self.fixed_share, "batch1_s": self.median_s[0] if self.median_s else None,
                "max_throughput_samples_per_s": max(self.throughput_sps, default=None)}

    def _payload(self) -> dict[str, Any]:
        return {"batch_sizes": self.batch_sizes, "median_s": self.median_s}

    @property
    def throughput_sps(self) -> list[float]:
        """Samples per second at each batch size when the server is never idle."""
        return [b / t for b, t in zip(self.batch_sizes, self.median_s, strict=True)]

    @property
    def fixed_share(self) -> float:
        """The fitted fixed cost's share of a batch-1 call, t0 / (t0 + t1) (0 to 1)."""
        t0, t1 = max(self.fit.t0_s, 0.0), max(self.fit.t1_s, 0.0)
        return t0 / (t0 + t1) if t0 + t1 > 0 else 0.0

    def overhead_text(self) -> str:
        """What the fit says batching can amortize on this machine, in words chosen by the fit.

        >>> from simlib.queueing import BatchCost
        >>> BatchCurve("m", "b", [1, 8], [3e-3, 10e-3], BatchCost(2e-3, 1e-3)).overhead_text()
        'most of a batch-1 call (67%) is fixed cost that a batch shares'
        """
        share = self.fixed_share
        amount = "most" if share >= 0.6 else "little" if share <= 0.3 else "a good part"
        return f"{amount} of a batch-1 call ({share:.0%}) is fixed cost that a batch shares"

    def table(self) -> str:
        lines = [f"{self.model} on {self.backend}: time per batch [MEASURED], fit t(b) = "
                 f"{self.fit.t0_s * 1e3:.3f} ms + b x {self.fit.t1_s * 1e3:.3f} ms",
                 f"{'batch':>5s} {'time/batch':>11s} {'time/sample':>12s} {'samples/s':>10s}"]
        for b, t, x in zip(self.batch_sizes, self.median_s, self.throughput_sps, strict=True):
            lines.append(f"{b:5d} {t * 1e3:9.3f}ms {t / b * 1e3:10.3f}ms {x:10.0f}")
        return "\n".join(lines)


def batch_cost_curve(model: str = "cnn", backend: str = "onnxruntime",
                     batch_sizes: Sequence[int] = (1, 2, 4, 8), *, threads: int | None = None) -> BatchCurve:
    """Median time of one inference call at each batch size, and the fitted batch cost model."""
    from simlib.queueing import BatchCost

    sizes = [int(check("batch_sizes", b, Range(1, 4096, integer=True), owner="batch_cost_curve"))
             for b in batch_sizes]
    medians, warns = [], []
    budget_s = budget.pick(quick=0.4, standard=2.0, full=8.0)
    for b in sizes:
        r = time_inference(model, backend, batch_size=b, threads=threads, time_budget_s=budget_s)
        medians.append(r.summary["p50_s"])
        warns.extend(f"batch {b}: {w}" for w in r.all_warnings)
    return BatchCurve(model, backend, sizes, medians, BatchCost.fit(sizes, medians), warns)


@dataclass(repr=False)
class BatchingStudy(ResultDisplay):
    """Measured and modeled latency under dynamic batching, one row per batch timeout."""

    model: str
    qps: float
    max_batch: int
    curve: BatchCurve
    rows: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    kind = "comparison"

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, backend=self.curve.backend, qps=self.qps, max_batch=self.max_batch,
                              batch_timeouts_s=[r["batch_timeout_s"] for r in self.rows])

    @property
    def summary(self) -> dict[str, Any]:
        """The offered rate (queries/s), the timeouts compared, and the largest p99 error of each
        calibration (ratio to the measured p99)."""
        def worst(key: str) -> float | None:
            errs = [abs(r[key] / r["measured_p99_s"] - 1) for r in self.rows if r["measured_p99_s"]]
            return max(errs) if errs else None

        return {"qps": self.qps, "max_batch_count": self.max_batch, "loads": len(self.rows),
                "p99_error_isolated_max_ratio": worst("modeled_p99_s"), "p99_error_insitu_max_ratio": worst("insitu_p99_s")}

    def _payload(self) -> dict[str, Any]:
        return {"rows": self.rows, "curve": self.curve.to_dict()}

    def table(self) -> str:
        lines = [f"{self.model}, Server at {self.qps:g} queries/s, max batch {self.max_batch}: "
                 "MEASURED vs MODELED on the run's own arrival times; model fed t(b) from isolated "
                 "calls (iso) or from the batches served under load (in situ)",
                 f"{'timeout':>8s} {'mean batch':>11s} {'p50 meas':>9s} {'iso':>8s} {'in situ':>8s} "
                 f"{'p99 meas':>9s} {'iso':>8s} {'in situ':>8s}"]
        for r in self.rows:
            lines.append(f"{r['batch_timeout_s'] * 1e3:6.1f}ms {r['measured_mean_batch']:5.2f}/{r['modeled_mean_batch']:<5.2f}"
                         f" {r['measured_p50_s'] * 1e3:7.2f}ms {r['modeled_p50_s'] * 1e3:6.2f}ms {r['insitu_p50_s'] * 1e3:6.2f}ms"
                         f" {r['measured_p99_s'] * 1e3:7.2f}ms {r['modeled_p99_s'] * 1e3:6.2f}ms {r['insitu_p99_s'] * 1e3:6.2f}ms")
        return "\n".join(lines)

    def calibration_text(self) -> str:
        """Which calibration of the simulator predicted the measured p99 better, per timeout,
        in words chosen by the relative errors (:func:`simlib.claims.closer`)."""
        from simlib.claims import closer

        verdicts, under = [], 0
        for r in self.rows:
            meas = r["measured_p99_s"]
            e_iso = (r["modeled_p99_s"] - meas) / meas
            e_in = (r["insitu_p99_s"] - meas) / meas
            under += e_iso < 0
            verdicts.append((r["batch_timeout_s"], closer(e_iso, e_in)))
        n = len(verdicts)
        groups = {}
        for t, v in verdicts:
            groups.setdefault(v, []).append(f"{t * 1e3:g} ms")
        parts = [f"{v} at {', '.join(ts)}" for v, ts in groups.items()]
        return (f"the model fed isolated batch times under-predicted the measured p99 at {under} of "
                f"{n} timeouts; fed the batch times observed under load, it came "
                + "; ".join(parts))


def _fit_in_situ(batch_sizes, service_s, fallback):
    """BatchCost fitted to the (batch size, service time) pairs logged under load."""
    from simlib.queueing import BatchCost

    b = np.asarray(batch_sizes, dtype=float)
    t = np.asarray(service_s, dtype=float)
    if b.size < 2:
        return fallback
    if np.unique(b).size < 2:  # one batch size only: keep the isolated slope, shift the level
        scale = float(np.median(t)) / fallback.mean_batch_s(int(b[0]))
        return BatchCost(fallback.t0_s * scale, fallback.t1_s * scale, cv=float(np.std(t) / np.mean(t)))
    return BatchCost.fit(b, t)


@validate_params({"max_batch": Range(1, 4096, integer=True), "load": Range(0, 1, closed="neither")})
def batching_study(model: str = "cnn", qps: float | None = None, *, max_batch: int = 8,
                   timeouts_s: Sequence[float] = (0.0, 0.002, 0.005), backend: str = "onnxruntime",
                   load: float = 0.6, duration_s: float | None = None, seed: int = 0,
                   curve: BatchCurve | None = None) -> BatchingStudy:
    """Run Server with dynamic batching for each timeout, measured and modeled side by side.

    Without ``qps``, the rate is ``load`` times the unbatched capacity 1/t(1) from the curve.
    """
    from simlib.queueing import Trace, simulate

    curve = curve or batch_cost_curve(model, backend, sorted({1, max(2, max_batch // 2), max_batch}))
    rate = float(qps) if qps is not None else load / curve.fit.mean_batch_s(1)
    rows, warns = [], list(curve.warnings)
    for timeout in timeouts_s:
        check("timeouts_s", timeout, Range(0, 1, unit="s"), owner="batching_study")
        run = measure(model, backend, scenario="server", qps=rate, max_batch=max_batch,
                      batch_timeout_s=float(timeout), duration_s=duration_s, seed=seed, meter="none")
        lat = np.asarray(run.samples_s)
        scheduled = np.asarray(run.extra["queries"]["scheduled_s"], dtype=float)
        trace = Trace(scheduled)
        sim = simulate(trace, curve.fit, max_batch=max_batch, batch_timeout_s=float(timeout),
                       warmup_fraction=0.0, seed=seed)
        sim_batches = np.asarray(sim.records.batch_size, dtype=float)
        # in situ: the same cost model fitted to the batches the SUT actually served under load
        svc = run.extra["service"]
        insitu_fit = _fit_in_situ(svc["batch_size"], svc["service_s"], curve.fit)
        insitu = simulate(trace, insitu_fit, max_batch=max_batch, batch_timeout_s=float(timeout),
                          warmup_fraction=0.0, seed=seed)
        rows.append({
            "batch_timeout_s": float(timeout), "verdict": run.metrics["verdict"],
            "measured_p50_s": percentile(lat, 50), "measured_p99_s": percentile(lat, 99),
            "modeled_p50_s": sim.percentile(50), "modeled_p99_s": sim.percentile(99),
            "insitu_p50_s": insitu.percentile(50), "insitu_p99_s": insitu.percentile(99),
            "measured_mean_batch": float(np.mean(run.extra["service"]["batch_size"])),
            "modeled_mean_batch": float(sim_batches.mean()) if sim_batches.size else float("nan"),
            "measured": run, "modeled": sim, "modeled_in_situ": insitu, "in_situ_fit": insitu_fit,
        })
        warns.extend(f"timeout {timeout * 1e3:g} ms: {w}" for w in run.warnings if "energy" not in w)
    return BatchingStudy(model, rate, max_batch, curve, rows, warns)

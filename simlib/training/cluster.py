"""A model of synchronous data-parallel training at scale, calibrated on a measurement.

Each simulated step, every one of ``N`` workers computes its share of the batch (forward,
backward, optimizer step; its time drawn from a calibrated distribution), the gradients are
summed with a ring all-reduce (:mod:`simlib.training.allreduce`), and the step ends when the
slowest worker has its gradients: one straggler delays everyone. Part of the all-reduce can
overlap the backward pass (``overlap``: the fraction of the backward pass, taken as two thirds of
the compute, that communication can hide behind), as DistributedDataParallel's gradient buckets do.

Per step: ``compute`` = mean worker compute; ``wait`` = slowest minus mean (load imbalance);
``allreduce`` = the exposed (not hidden) communication. Strong scaling keeps the global batch
(each worker's batch shrinks as N grows); weak scaling keeps each worker's batch.

Compute time per worker is ``fixed_s + per_sample_s * batch`` times a noise factor drawn from
``noise`` (relative factors with mean 1, e.g. measured step times divided by their mean), so
both the batch-size dependence and the straggler distribution come from measurements.

>>> c = ComputeModel(fixed_s=1e-4, per_sample_s=1e-5)
>>> run = simulate_data_parallel(c, grad_bytes=4e5, n_workers=4, batch=64, scaling="weak",
...                              network=Network("x", 1e-5, 1e9), steps=10, seed=0)
>>> round(run.summary["mean_s"] * 1e3, 3)  # 0.74 ms compute + ring all-reduce 0.66 ms
1.4
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import Options, Range, validate_fields, validate_params
from simlib.protocol import ResultDisplay, given_settings
from simlib.training.allreduce import Network, interconnect, ring_allreduce_s

__all__ = ["ClusterRun", "ComputeModel", "ScalingCurve", "scaling_curve", "simulate_data_parallel"]

BACKWARD_FRACTION = 2 / 3  # backward ~ 2x forward: two thirds of a step's compute


@validate_fields({"fixed_s": Range(0, None, unit="s"), "per_sample_s": Range(0, None, unit="s")})
@dataclass(frozen=True)
class ComputeModel:
    """Per-worker compute time of one step: ``fixed_s + per_sample_s * batch``, times noise."""

    fixed_s: float
    per_sample_s: float
    noise: tuple[float, ...] = ()  # relative factors (mean 1); empty: no noise

    @classmethod
    def calibrate(cls, batches: Sequence[int], samples_s: Sequence[Sequence[float]]) -> ComputeModel:
        """Fit fixed and per-sample cost (s) from measured compute times at two or more batch sizes.

        The per-sample cost is the slope of the *medians*: on a shared machine a few descheduled
        steps (milliseconds each, at any batch size) move a mean by more than the whole difference
        between two small batches, and a slope fitted to means can come out negative. The fixed
        cost then makes the model's mean match the measured means, and the noise is every sample
        divided by the mean at its batch size (relative factors with mean 1), so the simulated
        steps keep both the measured mean and the measured spread.
        """
        b = np.asarray(batches, dtype=float)
        means = np.array([np.mean(s) for s in samples_s])
        if b.size == 1 or np.unique(b).size == 1:
            fixed, per = 0.0, float(means[0] / b[0])
        else:
            per = max(float(np.polyfit(b, [np.median(s) for s in samples_s], 1)[0]), 0.0)
            fixed = max(float(np.mean(means - per * b)), 0.0)
        noise = np.concatenate([np.asarray(s, dtype=float) / m for s, m in zip(samples_s, means, strict=True)])
        return cls(fixed, per, tuple(float(x) for x in noise / noise.mean()))

    def mean_s(self, batch: float) -> float:
        return self.fixed_s + self.per_sample_s * batch

    def draw(self, rng: np.random.Generator, shape: tuple[int, int], batch: float) -> np.ndarray:
        base = self.mean_s(batch)
        if not self.noise:
            return np.full(shape, base)
        return base * rng.choice(np.asarray(self.noise), size=shape)


@dataclass(repr=False)
class ClusterRun(ResultDisplay):
    """A MODELED data-parallel run: per-step compute, wait, exposed all-reduce (s)."""

    n_workers: int
    batch: int
    scaling: str
    network: Network
    grad_bytes: float
    overlap: float
    compute_s: np.ndarray
    wait_s: np.ndarray
    allreduce_s: np.ndarray
    allreduce_total_s: float
    per_worker_batch: float
    warnings: list[str] = field(default_factory=list)
    kind: str = "modeled"

    @property
    def settings(self) -> dict[str, Any]:
        s = {"n_workers": self.n_workers, "batch": self.batch, "scaling": self.scaling,
             "network": self.network.name, "alpha_s": self.network.alpha_s,
             "bandwidth_bytes_per_s": self.network.bandwidth_bytes_per_s,
             "grad_bytes": self.grad_bytes, "overlap": self.overlap, "steps": int(self.compute_s.size)}
        return {"requested": s, "effective": {**s, "per_worker_batch": self.per_worker_batch}}

    @property
    def samples_s(self) -> np.ndarray:
        return self.compute_s + self.wait_s + self.allreduce_s

    def parts_s(self) -> dict[str, float]:
        """Mean per-step time of each part (s)."""
        return {"compute": float(self.compute_s.mean()), "wait": float(self.wait_s.mean()),
                "allreduce": float(self.allreduce_s.mean())}

    @property
    def summary(self) -> dict[str, Any]:
        p = self.parts_s()
        return {"n": int(self.compute_s.size), "mean_s": float(self.samples_s.mean()),
                "compute_mean_s": p["compute"], "wait_mean_s": p["wait"], "allreduce_mean_s": p["allreduce"],
                "allreduce_total_s": self.allreduce_total_s,
                "throughput_samples_per_s": self.global_batch / float(self.samples_s.mean())}

    @property
    def global_batch(self) -> float:
        return self.per_worker_batch * self.n_workers

    def _rows(self) -> list[tuple[str, str]]:
        p = self.parts_s()
        return [("step", f"{self.samples_s.mean() * 1e3:.3f} ms on {self.n_workers} workers ({self.scaling} scaling, "
                         f"{self.per_worker_batch:g} samples each)"),
                ("parts", f"compute {p['compute'] * 1e3:.3f} ms, wait {p['wait'] * 1e3:.3f} ms, "
                          f"exposed all-reduce {p['allreduce'] * 1e3:.3f} ms of {self.allreduce_total_s * 1e3:.3f} ms"),
                ("network", f"{self.network.name}: alpha {self.network.alpha_s * 1e6:.1f} us, "
                            f"{self.network.bandwidth_bytes_per_s / 1e9:.3g} GB/s")]


@validate_params({"grad_bytes": Range(0, None, unit="bytes"), "n_workers": Range(1, 1_000_000, integer=True),
                  "batch": Range(1, None, integer=True), "scaling": Options(("strong", "weak")),
                  "overlap": Range(0, 1), "steps": Range(1, 1_000_000, integer=True)})
def simulate_data_parallel(compute: ComputeModel, *, grad_bytes: float, n_workers: int, batch: int,
                           network: Network | str, scaling: str = "weak", overlap: float = 0.0,
                           steps: int = 200, seed: int = 0) -> ClusterRun:
    """Simulate ``steps`` synchronous data-parallel steps on ``n_workers`` (MODELED).

    ``batch`` is each worker's batch for weak scaling and the global batch for strong scaling.
    """
    from simlib.limits import check_work

    check_work("steps", steps * n_workers, owner="simulate_data_parallel", parameter="steps")
    net = interconnect(network)
    per = batch / n_workers if scaling == "strong" else float(batch)
    warnings = []
    if scaling == "strong" and per < 1:
        warnings.append(f"strong scaling gives each of {n_workers} workers {per:.2g} samples: fewer than one")
    rng = np.random.default_rng(seed)
    c = compute.draw(rng, (steps, n_workers), per)
    slowest = c.max(axis=1)
    total = ring_allreduce_s(grad_bytes, n_workers, alpha_s=net.alpha_s,
                             bandwidth_bytes_per_s=net.bandwidth_bytes_per_s)
    exposed = np.maximum(total - overlap * BACKWARD_FRACTION * slowest, 0.0)
    return ClusterRun(n_workers, batch, scaling, net, float(grad_bytes), overlap, c.mean(axis=1),
                      slowest - c.mean(axis=1), exposed, total, per, warnings)


@dataclass(repr=False)
class ScalingCurve(ResultDisplay):
    """MODELED scaling efficiency against worker count, one :class:`ClusterRun` per count."""

    runs: list[ClusterRun]
    warnings: list[str] = field(default_factory=list)
    kind: str = "modeled"

    @property
    def workers(self) -> np.ndarray:
        return np.array([r.n_workers for r in self.runs])

    @property
    def settings(self) -> dict[str, Any]:
        s = dict(self.runs[0].settings["requested"])
        s["n_workers"] = [int(n) for n in self.workers]
        return given_settings(**s)

    def efficiency(self) -> np.ndarray:
        """Scaling efficiency per worker count: T(1) / (N T(N)) for strong, T(1) / T(N) for weak
        scaling, with T the mean time per sample of the global batch (fractions)."""
        t1 = self.runs[0].samples_s.mean() / self.runs[0].global_batch * self.runs[0].n_workers
        return np.array([t1 / (r.samples_s.mean() / r.global_batch * r.n_workers) for r in self.runs])

    def comm_fraction(self) -> np.ndarray:
        """Share of the step spent in exposed all-reduce, per worker count."""
        return np.array([r.allreduce_s.mean() / r.samples_s.mean() for r in self.runs])

    def wait_fraction(self) -> np.ndarray:
        return np.array([r.wait_s.mean() / r.samples_s.mean() for r in self.runs])

    def crossover_workers(self) -> int | None:
        """The fewest workers at which exposed communication is over half the step (None: never)."""
        idx = np.nonzero(self.comm_fraction() > 0.5)[0]
        return int(self.workers[idx[0]]) if idx.size else None

    @property
    def summary(self) -> dict[str, Any]:
        e = self.efficiency()
        return {"n": len(self.runs), "first_workers_count": int(self.workers[0]),
                "last_workers_count": int(self.workers[-1]), "last_efficiency_fraction": float(e[-1]),
                "crossover_workers_count": self.crossover_workers()}

    def _rows(self) -> list[tuple[str, str]]:
        e, cf = self.efficiency(), self.comm_fraction()
        return [(f"{n} workers", f"efficiency {x:.1%}, all-reduce {c:.0%} of the step")
                for n, x, c in zip(self.workers, e, cf, strict=True)]


def scaling_curve(compute: ComputeModel, *, grad_bytes: float, workers: Sequence[int], batch: int,
                  network: Network | str, scaling: str = "weak", overlap: float = 0.0, steps: int = 200,
                  seed: int = 0) -> ScalingCurve:
    """:func:`simulate_data_parallel` at each worker count (the first should be 1), same seed."""
    runs = [simulate_data_parallel(compute, grad_bytes=grad_bytes, n_workers=int(n), batch=batch,
                                   network=network, scaling=scaling, overlap=overlap, steps=steps, seed=seed)
            for n in workers]
    warnings = [] if int(workers[0]) == 1 else ["the first worker count is not 1: efficiencies are relative to it"]
    return ScalingCurve(runs, warnings)

"""Measured versus modeled data-parallel training: calibrate the cluster model of
:mod:`simlib.training.cluster` on a 1-process and a 2-process run of
:func:`simlib.measure.distributed.run_data_parallel`, and check its 2-process prediction.

What is calibrated here: the per-worker compute time (fixed and per-sample cost, from the 1-process
run at two batch sizes), its run-to-run spread (the straggler distribution, from the same run), and
the network's latency and bandwidth (alpha-beta, from the 2-process all-reduce sweep). The
2-process step times are held out: they test the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import invalid
from simlib.measure.distributed import DataParallelRun
from simlib.scaling import strong_scaling_efficiency, weak_scaling_efficiency
from simlib.table import Table
from simlib.training import ComputeModel, Network, fit_alpha_beta, simulate_data_parallel

__all__ = ["Calibration", "calibrate", "efficiencies", "efficiency_table", "loss_shares"]


@dataclass
class Calibration:
    compute: ComputeModel
    network: Network | None
    grad_bytes: int
    batch: int
    measured: dict[str, float]     # mean step time (s): one, strong, weak (instrumented); ddp_one, ddp_strong
    predicted: dict[str, float]    # the model's strong and weak 2-process step times (s)

    def error(self, phase: str) -> float:
        """Relative error of the model's 2-process prediction: predicted / measured - 1."""
        return self.predicted[phase] / self.measured[phase] - 1

    def efficiency(self) -> dict[str, float]:
        """Measured scaling efficiency of 2 processes: strong (instrumented and DDP) and weak."""
        m = self.measured
        out = {}
        if "strong" in m:
            out["strong"] = strong_scaling_efficiency(m["one"], m["strong"], 2)
            out["strong_ddp"] = strong_scaling_efficiency(m["ddp_one"], m["ddp_strong"], 2)
        if "weak" in m:
            out["weak"] = weak_scaling_efficiency(m["one"], m["weak"])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"measured": self.measured, "predicted": self.predicted,
                "alpha_s": self.network.alpha_s if self.network else None,
                "bandwidth_bytes_per_s": self.network.bandwidth_bytes_per_s if self.network else None}


def _compute_samples(run, phase: str) -> np.ndarray:
    p = run.parts[phase]
    return (p["data"] + p["compute"]).ravel()


def calibrate(one, two=None, *, steps: int = 2000, seed: int = 0) -> Calibration:
    """Calibrate on ``one`` (a 1-process run) and the all-reduce sweep of ``two`` (2 processes);
    predict ``two``'s strong- and weak-scaling step times. ``two`` may be None (no prediction)."""
    b, half = one.batch, max(1, one.batch // 2)
    compute = ComputeModel.calibrate([b, half], [_compute_samples(one, "strong"), _compute_samples(one, "half")])
    measured = {"one": float(np.mean(one.step_s("strong"))), "ddp_one": float(np.mean(one.ddp_step_s["strong"]))}
    predicted: dict[str, float] = {}
    network = None
    if two is not None and two.world_size == 2 and two.sweep_s:
        sizes = sorted(two.sweep_s)
        network = fit_alpha_beta(sizes, [float(np.median(two.sweep_s[s])) for s in sizes], name=f"this machine ({two.backend})")
        for phase in two.parts:
            measured[phase] = float(np.mean(two.step_s(phase)))
            if phase == "strong":
                measured["ddp_strong"] = float(np.mean(two.ddp_step_s["strong"]))
            run = simulate_data_parallel(compute, grad_bytes=two.grad_bytes, n_workers=2, batch=b,
                                         scaling=phase, network=network, steps=steps, seed=seed)
            predicted[phase] = float(run.samples_s.mean())
    return Calibration(compute, network, one.grad_bytes, b, measured, predicted)


def loss_shares(run, phase: str = "strong") -> dict[str, float]:
    """Share of the mean step (slowest worker) spent in each part: the measured version of the
    source's scaling-loss table (gradient sync = all-reduce, memory copy = data, load imbalance =
    wait)."""
    means = run.part_means_s(phase)
    total = sum(means.values())
    return {k: v / total for k, v in means.items()}


def _check_runs(one, runs, owner: str) -> list:
    if not isinstance(one, DataParallelRun) or one.world_size != 1:
        what = f"a {one.world_size}-process run" if isinstance(one, DataParallelRun) else type(one).__name__
        raise invalid("one", f"is {what}", "a 1-process DataParallelRun (run_data_parallel(1))", owner=owner)
    runs = list(runs)
    bad = [type(r).__name__ for r in runs if not isinstance(r, DataParallelRun)]
    if bad:
        raise invalid("runs", f"holds {', '.join(bad)}", "DataParallelRun results of run_data_parallel", owner=owner)
    return runs


def efficiencies(one, runs) -> list[dict[str, Any]]:
    """MEASURED scaling of each run in ``runs`` against ``one`` (the 1-process reference): per run,
    the processes that ran, the backend, the mean step of each phase (s) and the strong and weak
    efficiency (fractions; None for a phase the run lacks, or for a run that fell back to one
    process, whose warnings say why)."""
    runs = _check_runs(one, runs, "efficiencies")
    t1 = float(np.mean(one.step_s("strong")))
    out = []
    for run in runs:
        ran = run.world_size >= 2
        strong = float(np.mean(run.step_s("strong"))) if ran and "strong" in run.parts else None
        weak = float(np.mean(run.step_s("weak"))) if ran and "weak" in run.parts else None
        out.append({"processes": run.world_size, "requested": run.requested_world_size, "backend": run.backend,
                    "one_step_s": t1, "strong_step_s": strong,
                    "strong_efficiency": None if strong is None else strong_scaling_efficiency(t1, strong, run.world_size),
                    "weak_step_s": weak, "weak_efficiency": None if weak is None else weak_scaling_efficiency(t1, weak),
                    "warnings": list(run.warnings)})
    return out


def efficiency_table(one, runs) -> Table:
    """:func:`efficiencies` as a table (steps in ms, efficiencies in percent); a run that fell
    back to one process shows its warning instead of numbers."""
    def pct(v):
        return None if v is None else f"{v:.0%}"

    def ms(v):
        return None if v is None else v * 1e3

    rows = []
    for e in efficiencies(one, _check_runs(one, runs, "efficiency_table")):
        note = "; ".join(e["warnings"]) or ("one process only" if e["processes"] < 2 else "")
        rows.append([e["requested"] if e["processes"] < 2 else e["processes"], e["backend"], ms(e["strong_step_s"]),
                     pct(e["strong_efficiency"]), ms(e["weak_step_s"]), pct(e["weak_efficiency"]), note])
    t1 = float(np.mean(one.step_s("strong")))
    return Table(["processes", "backend", "strong step (ms)", "strong efficiency", "weak step (ms)",
                  "weak efficiency", "notes"], rows, digits=3,
                 caption=f"MEASURED: data-parallel steps of the global batch {one.batch} against "
                         f"{t1 * 1e3:.3g} ms on one process")

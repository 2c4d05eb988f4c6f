"""Real data-parallel training with ``torch.distributed`` (gloo on CPU, NCCL where CUDA is present).

:func:`run_data_parallel` starts ``world_size`` worker processes (spawned, so that it works from a
notebook cell), each training a shard of the digits MLP (:mod:`simlib.models.digits`), and times
every step in four parts per worker:

- ``data``: taking the worker's batch from its shard (the input pipeline of this tiny model);
- ``compute``: forward, backward and the optimizer step;
- ``wait``: a barrier before the gradient exchange: the time a fast worker waits for the slowest
  one (load imbalance; it includes one barrier's own latency; 0 for one process);
- ``allreduce``: one ``all_reduce`` of all gradients, flattened (what DistributedDataParallel
  does in buckets, here measured alone; 0 for one process, which has nothing to exchange).

Then it runs the same number of steps through :class:`torch.nn.parallel.DistributedDataParallel`,
which overlaps the all-reduce with the backward pass, and times whole steps; and it times
``all_reduce`` at several message sizes, which calibrates the alpha-beta network model of
:mod:`simlib.training.allreduce`.

Strong scaling keeps the global batch (each of N workers takes ``batch / N``); weak scaling keeps
each worker's batch. Processes are joined with a deadline and killed if they overrun, so no
process outlives the call. One process trains in this interpreter, without a process group (the
baseline a reader would run without torch.distributed); where processes cannot be started, a larger
run falls back to that one process and says so in its warnings.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib._validate import Options, Range, validate_params
from simlib.protocol import ResultDisplay
from simlib.training.worker import PARTS, SWEEP_BYTES, _worker

__all__ = ["PARTS", "SWEEP_BYTES", "DataParallelRun", "run_data_parallel", "worker_counts"]



def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(world: int, cfg: dict, out_dir: str, timeout_s: float, start_method: str) -> list[str]:
    """Start ``world`` processes, wait at most ``timeout_s``, kill any left; return problems."""
    import multiprocessing as mp

    ctx = mp.get_context(start_method)
    port = _free_port()
    procs = [ctx.Process(target=_worker, args=(r, world, port, cfg, out_dir), daemon=True)
             for r in range(world)]
    problems: list[str] = []
    try:
        for p in procs:
            p.start()
        deadline = time.monotonic() + timeout_s
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
    finally:
        for p in procs:
            if p.is_alive():
                problems.append(f"worker pid {p.pid} overran {timeout_s:.0f} s and was killed")
                p.kill()
                p.join(5)
            elif p.exitcode not in (0, None):
                problems.append(f"worker pid {p.pid} exited with code {p.exitcode}")
    return problems


@dataclass(repr=False)
class DataParallelRun(ResultDisplay):
    """A measured data-parallel run: per-worker, per-step times of each part, per phase.

    ``parts[phase][part]`` is an array of shape (workers, steps) in seconds; ``ddp_step_s[phase]``
    the same for whole DDP steps; ``sweep_s`` maps message bytes to all-reduce times (s).
    """

    world_size: int
    requested_world_size: int
    backend: str
    batch: int
    hidden: int
    steps: int
    grad_bytes: int
    parts: dict[str, dict[str, np.ndarray]]
    ddp_step_s: dict[str, np.ndarray]
    sweep_s: dict[int, np.ndarray]
    wall_s: float
    warnings: list[str] = field(default_factory=list)
    kind: str = "measured"
    start_method: str = "in-process"

    @property
    def settings(self) -> dict[str, Any]:
        req = {"world_size": self.requested_world_size, "batch": self.batch, "hidden": self.hidden,
               "steps": self.steps, "start_method": self.start_method}
        return {"requested": req, "effective": {**req, "world_size": self.world_size,
                                                 "backend": self.backend}}

    def part_means_s(self, phase: str) -> dict[str, float]:
        """Mean per-step time of each part (s), averaged over workers and steps."""
        return {k: float(np.mean(v)) for k, v in self.parts[phase].items()}

    def step_s(self, phase: str) -> np.ndarray:
        """Per-step time of the instrumented steps (s): the slowest worker's sum of the parts."""
        return np.max(sum(self.parts[phase][k] for k in PARTS), axis=0)

    @property
    def samples_s(self) -> np.ndarray:
        return self.step_s(next(iter(self.parts)))

    @property
    def summary(self) -> dict[str, Any]:
        phase = next(iter(self.parts))
        m = self.part_means_s(phase)
        s = {"n": self.steps, "world_size_count": self.world_size, "grad_bytes": self.grad_bytes,
             "mean_s": float(np.mean(self.step_s(phase))),
             "ddp_step_mean_s": float(np.mean(self.ddp_step_s[phase]))}
        s.update({f"{k}_mean_s": v for k, v in m.items()})
        return s

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("workers", f"{self.world_size} ({self.backend}, {self.steps} timed steps per phase)"),
                ("gradient", f"{self.grad_bytes / 1e3:.1f} kB per all-reduce")]
        for phase in self.parts:
            m = self.part_means_s(phase)
            parts = ", ".join(f"{k} {v * 1e3:.3f}" for k, v in m.items())
            rows.append((f"{phase} step (ms)", f"{np.mean(self.step_s(phase)) * 1e3:.3f} = {parts}; "
                                               f"DDP {np.mean(self.ddp_step_s[phase]) * 1e3:.3f}"))
        return rows

    def _payload(self) -> dict[str, Any]:
        return {"part_means_s": {ph: self.part_means_s(ph) for ph in self.parts},
                "sweep_median_s": {str(k): float(np.median(v)) for k, v in self.sweep_s.items()}}


def _cuda_devices() -> int:
    """CUDA GPUs usable with NCCL here (0 without CUDA or NCCL)."""
    import torch
    import torch.distributed as dist

    return torch.cuda.device_count() if torch.cuda.is_available() and dist.is_nccl_available() else 0


def choose_backend(backend: str, world_size: int, cuda_devices: int) -> tuple[str, str]:
    """The process-group backend for ``world_size`` workers given ``cuda_devices`` GPUs, and why
    when it is not the one asked for ("" otherwise).

    >>> choose_backend("auto", 2, 0)
    ('gloo', '')
    >>> choose_backend("auto", 2, 8)
    ('nccl', '')
    >>> choose_backend("nccl", 4, 2)[0]
    'gloo'
    """
    if backend == "gloo" or (backend == "auto" and cuda_devices < world_size):
        return "gloo", ""
    if cuda_devices >= world_size:
        return "nccl", ""
    return "gloo", (f"backend 'nccl' needs one GPU per worker: {world_size} workers, {cuda_devices} CUDA "
                    "GPUs with NCCL here; ran gloo on the CPU instead")


@validate_params({"cores": [Range(1, None, integer=True), None], "gpus": [Range(0, None, integer=True), None],
                  "limit": Range(1, 1024, integer=True)})
def worker_counts(cores: int | None = None, gpus: int | None = None, *, limit: int = 8) -> list[int]:
    """Process counts worth measuring beyond 1 and 2 here: powers of two up to one worker per
    core, or one per GPU where CUDA has two or more (``cores``/``gpus`` default to this machine's),
    at most ``limit``. Empty on a 2-core machine: more workers than cores only take turns.

    >>> worker_counts(cores=2, gpus=0)
    []
    >>> worker_counts(cores=16, gpus=0)
    [4, 8]
    >>> worker_counts(cores=64, gpus=4)
    [4]
    """
    cores = (os.cpu_count() or 1) if cores is None else cores
    gpus = _cuda_devices() if gpus is None else gpus
    room = min(gpus if gpus >= 2 else cores, limit)
    return [n for n in (4, 8, 16, 32, 64) if n <= room]


@validate_params({"world_size": Range(1, 64, integer=True), "batch": Range(2, 1024, integer=True),
                  "hidden": Range(4, 4096, integer=True), "steps": [Range(5, 100_000, integer=True), None],
                  "scaling": Options(("strong", "weak", "both")), "timeout_s": Range(5, 3600, unit="s"),
                  "start_method": [Options(("fork", "spawn", "forkserver")), None],
                  "backend": Options(("auto", "gloo", "nccl"))})
def run_data_parallel(world_size: int = 2, *, batch: int = 64, hidden: int = 128,
                      steps: int | None = None, scaling: str = "both", seed: int = 0,
                      timeout_s: float = 120.0, start_method: str | None = None,
                      backend: str = "auto") -> DataParallelRun:
    """Train the digits MLP data-parallel on ``world_size`` processes and time every step's parts.

    ``batch`` is the global batch of one process (the 1-process reference). ``scaling`` picks the
    phases run: ``"strong"`` (each worker takes ``batch // world_size``), ``"weak"`` (each takes
    ``batch``) or both. ``steps`` (timed, per phase) defaults to the budget's. The workers use one
    thread each; the processes are killed if they overrun ``timeout_s``. ``start_method`` defaults
    to ``"spawn"`` (safe from a notebook; each worker imports torch, a second or more); ``"fork"``
    starts at once but can hang when the parent holds a lock, which the timeout then ends.
    ``backend``: ``"auto"`` takes NCCL with one GPU per worker where CUDA has enough GPUs, else
    gloo on the CPU (:func:`choose_backend`); with NCCL every timestamp waits for the GPU.
    """
    from simlib import budget

    steps = steps if steps is not None else budget.pick(quick=60, standard=300, full=2000)
    warnings: list[str] = []
    cores = os.cpu_count() or 1
    if world_size > cores:
        warnings.append(f"{world_size} workers share {cores} cores: they take turns, so waiting and "
                        "all-reduce times include time-slicing; use at most one worker per core.")
    phases: dict[str, int] = {}
    if scaling in ("strong", "both"):
        if batch % world_size:
            warnings.append(f"batch {batch} is not a multiple of {world_size}: each worker takes "
                            f"{max(1, batch // world_size)} samples")
        phases["strong"] = max(1, batch // world_size)
    if scaling in ("weak", "both"):
        phases["weak"] = batch
    if world_size == 1:  # the reference; half the batch too, which calibrates the per-sample cost
        phases = {"strong": batch, "half": max(1, batch // 2)}

    from simlib.models.digits import digits_data

    # spawn re-imports torch in each worker (seconds) but is safe from any parent; fork starts in
    # milliseconds but can deadlock when the parent holds a lock (a thread pool, the allocator)
    method = start_method or "spawn"
    x_tr, y_tr, _, _ = digits_data(0)
    chosen, why = choose_backend(backend, world_size, _cuda_devices())
    if why:
        warnings.append(why)
    cfg = {"x": x_tr, "y": y_tr, "backend": chosen, "seed": seed, "hidden": hidden, "phases": phases, "steps": steps,
           "warmup": max(3, steps // 10), "sweep_repeats": max(5, steps // 6),
           "timeout_s": float(timeout_s)}
    effective = world_size
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="simlib-ddp-") as out_dir:
        try:  # one process runs here, in this interpreter; more are spawned
            problems = [] if world_size == 1 else _spawn(world_size, cfg, out_dir, timeout_s, method)
            if world_size == 1:
                _worker(0, 1, _free_port(), cfg, out_dir)
        except (OSError, RuntimeError, ImportError) as err:  # no multiprocessing here
            problems = [f"could not start worker processes ({type(err).__name__}: {err})"]
        files = sorted(Path(out_dir).glob("rank*.json"))
        if problems or len(files) != world_size:
            warnings.append("; ".join(problems or ["a worker wrote no result"])
                            + ". Fell back to ONE process in this interpreter: no scaling was measured.")
            for f in files:
                f.unlink()
            effective = 1
            phases = {"strong": batch, "half": max(1, batch // 2)}
            cfg["phases"] = phases
            _worker(0, 1, _free_port(), cfg, out_dir)
            files = sorted(Path(out_dir).glob("rank*.json"))
        outs = [json.loads(f.read_text()) for f in files]
    wall = time.perf_counter() - t0
    parts = {ph: {k: np.array([o["phases"][ph][k] for o in outs]) for k in PARTS} for ph in phases}
    ddp = {ph: np.array([o["phases"][ph]["ddp_step"] for o in outs]).max(axis=0) for ph in phases}
    sweep = {int(k): np.array(v) for k, v in outs[0]["sweep"].items()}
    return DataParallelRun(world_size=effective, requested_world_size=world_size, backend=chosen,
                           batch=batch, hidden=hidden, steps=steps, grad_bytes=int(outs[0]["grad_bytes"]),
                           parts=parts, ddp_step_s=ddp, sweep_s=sweep, wall_s=wall, warnings=warnings,
                           start_method=method if effective > 1 else "in-process")

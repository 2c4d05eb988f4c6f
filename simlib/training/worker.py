"""The per-process loop of a data-parallel run (:func:`simlib.measure.distributed.run_data_parallel`).

It lives in this light module so that a spawned worker imports torch and little else. Each rank
trains the digits MLP on its shard, timing four parts of every step with ``time.perf_counter``,
then whole DistributedDataParallel steps, then all-reduces of several sizes, and writes the times
to ``out_dir/rank<r>.json``.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

__all__ = ["PARTS", "SWEEP_BYTES"]

PARTS = ("data", "compute", "wait", "allreduce")
SWEEP_BYTES = (4_096, 65_536, 1_048_576, 4_194_304)


def _worker(rank: int, world: int, port: int, cfg: dict, out_dir: str) -> None:
    """One rank: train ``cfg['steps']`` steps per phase and write its timings to ``out_dir``."""
    import contextlib

    import torch
    import torch.distributed as dist
    from torch import nn

    from simlib.models.digits import _build

    torch.set_num_threads(1)
    distributed = world > 1  # one process trains plainly: no process group, nothing to exchange
    # NCCL: one GPU per rank, and every timestamp waits for the GPU's queued work (else the
    # clock reads when a kernel was queued, not when it finished); gloo: the CPU, nothing to wait for
    cuda = cfg["backend"] == "nccl"
    device = torch.device("cuda", rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    def now() -> float:
        if cuda:
            torch.cuda.synchronize(device)
        return time.perf_counter()

    if distributed:
        dist.init_process_group(cfg["backend"], init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                                world_size=world, timeout=timedelta(seconds=cfg["timeout_s"]))
    try:
        torch.manual_seed(cfg["seed"])
        model = _build(cfg["hidden"]).to(device)
        ddp = nn.parallel.DistributedDataParallel(model, device_ids=[rank] if cuda else None) if distributed else model
        no_sync = ddp.no_sync if distributed else contextlib.nullcontext
        opt = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
        x, y = torch.from_numpy(cfg["x"]).to(device), torch.from_numpy(cfg["y"]).to(device)  # loaded once, by the parent
        shard = torch.arange(rank, len(x), world, device=device)  # DistributedSampler's rule: every world-th sample
        gen = torch.Generator(device=device).manual_seed(cfg["seed"] + rank)
        params = [p for p in ddp.parameters()]
        grad_bytes = sum(p.numel() for p in params) * 4
        out: dict[str, Any] = {"rank": rank, "grad_bytes": grad_bytes, "phases": {}}

        def batches(per_worker: int):
            perm = shard[torch.randperm(len(shard), generator=gen, device=device)]
            i = 0
            while True:
                if i + per_worker > len(perm):
                    perm, i = shard[torch.randperm(len(shard), generator=gen, device=device)], 0
                yield perm[i:i + per_worker]
                i += per_worker

        for phase, per_worker in cfg["phases"].items():
            it = batches(per_worker)
            rec = {k: [] for k in PARTS}
            for step in range(cfg["warmup"] + cfg["steps"]):
                t0 = now()
                idx = next(it)
                xb, yb = x[idx].clone(), y[idx].clone()
                t1 = now()
                with no_sync():  # gradients stay local; we exchange them ourselves, timed
                    nn.functional.cross_entropy(ddp(xb), yb).backward()
                t2 = now()
                if distributed:
                    dist.barrier()
                t3 = now()
                if distributed:
                    flat = torch.cat([p.grad.reshape(-1) for p in params])
                    dist.all_reduce(flat)
                    flat /= world
                    off = 0
                    for p in params:
                        n = p.numel()
                        p.grad.copy_(flat[off:off + n].view_as(p.grad))
                        off += n
                t4 = now()
                opt.step()
                opt.zero_grad()
                t5 = now()
                if step >= cfg["warmup"]:
                    rec["data"].append(t1 - t0)
                    rec["compute"].append((t2 - t1) + (t5 - t4))
                    rec["wait"].append(t3 - t2 if distributed else 0.0)
                    rec["allreduce"].append(t4 - t3 if distributed else 0.0)
            # the same steps through DDP itself: all-reduce in buckets, overlapped with backward
            ddp_steps = []
            if distributed:
                dist.barrier()
            for step in range(cfg["warmup"] + cfg["steps"]):
                t0 = now()
                idx = next(it)
                nn.functional.cross_entropy(ddp(x[idx]), y[idx]).backward()
                opt.step()
                opt.zero_grad()
                if step >= cfg["warmup"]:
                    ddp_steps.append(now() - t0)
            rec["ddp_step"] = ddp_steps
            out["phases"][phase] = rec
        sweep = {}
        if world > 1:
            for nbytes in SWEEP_BYTES:
                buf = torch.zeros(nbytes // 4, device=device)
                ts = []
                for _ in range(cfg["sweep_repeats"] + 2):
                    dist.barrier()
                    t0 = now()
                    dist.all_reduce(buf)
                    ts.append(now() - t0)
                sweep[str(nbytes)] = ts[2:]
        out["sweep"] = sweep
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(out))
    finally:
        if distributed:
            dist.destroy_process_group()

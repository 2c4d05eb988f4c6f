"""Training measured on this machine: time to quality (as MLPerf Training scores it), the memory a
training step holds, checkpoint time, and run-to-run reproducibility.

The workload is the digits MLP of :mod:`simlib.models.digits` (scikit-learn's bundled digits: 1,347
training and 450 held-out images). A run trains from a seed, evaluates held-out accuracy after every
epoch, and stops at the first evaluation that meets the target: its time to quality is the wall time
from the start of training to that evaluation (evaluations included, as MLPerf's clock does). Data
loading is not in the clock: the dataset is in memory before the clock starts.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from simlib._validate import Options, Range, validate_params
from simlib.models.threads import torch_threads
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import Interval, mean_ci
from simlib.training.memory import MemoryBreakdown
from simlib.training.napkin import mlperf_olympic_mean

__all__ = ["CheckpointTiming", "TimeToQuality", "gemm_rate_flops_per_s", "measure_checkpoint",
           "measure_training_memory", "mlp_flops_per_sample", "reproducibility", "throughput_vs_ttq_text",
           "time_to_quality"]

_OPTIMIZERS = Options(("adam", "sgd", "momentum"))


def _optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)


def mlp_flops_per_sample(hidden: int = 128) -> float:
    """Training FLOPs per sample of the digits MLP: 6 per weight of each linear layer (2 forward,
    4 backward); biases and activations are negligible.

    >>> mlp_flops_per_sample(128)
    155136.0
    """
    return 6.0 * (64 * hidden + hidden * hidden + hidden * 10)


def _train_one(seed: int, batch: int, lr: float, hidden: int, target: float, max_epochs: int,
               optimizer: str, data_seed: int | None = None, threads: int = 1):
    from simlib.models.digits import _build, digits_data

    x_tr, y_tr, x_te, y_te = digits_data(0)
    x, y = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    xt, yt = torch.from_numpy(x_te), torch.from_numpy(y_te)
    with torch_threads(threads):
        torch.manual_seed(seed)
        model = _build(hidden)
        opt = _optimizer(optimizer, model.parameters(), lr)
        gen = torch.Generator().manual_seed(seed if data_seed is None else data_seed)
        acc_curve, t_curve, train_s = [], [], 0.0
        ttq = None
        start = time.perf_counter()
        for _ in range(max_epochs):
            t0 = time.perf_counter()
            model.train()
            perm = torch.randperm(len(x), generator=gen)
            for i in range(0, len(x), batch):
                idx = perm[i:i + batch]
                opt.zero_grad()
                nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
                opt.step()
            train_s += time.perf_counter() - t0
            model.eval()
            with torch.no_grad():
                acc = float((model(xt).argmax(1) == yt).float().mean())
            acc_curve.append(acc)
            t_curve.append(time.perf_counter() - start)
            if acc >= target and ttq is None:
                ttq = t_curve[-1]
                break
    return model, ttq, np.array(t_curve), np.array(acc_curve), train_s


@dataclass(repr=False)
class TimeToQuality(ResultDisplay):
    """MEASURED time to quality of one training configuration over several seeds.

    ``samples_s[i]`` is seed i's time to the target (inf if it missed within ``max_epochs``);
    ``epochs[i]`` the epochs it took; ``curves`` each seed's (time, accuracy) per epoch.
    """

    batch: int
    lr: float
    hidden: int
    optimizer: str
    target: float
    max_epochs: int
    seeds: list[int]
    samples_s: np.ndarray
    epochs: np.ndarray
    final_accuracy: np.ndarray
    throughput_samples_per_s: np.ndarray
    curves: list[tuple[np.ndarray, np.ndarray]]
    warnings: list[str] = field(default_factory=list)
    kind: str = "measured"

    @property
    def settings(self) -> dict[str, Any]:
        s = {"batch": self.batch, "lr": self.lr, "hidden": self.hidden, "optimizer": self.optimizer,
             "target_accuracy": self.target, "max_epochs": self.max_epochs, "seeds": list(self.seeds)}
        return {"requested": s, "effective": {**s, "threads": 1}}

    @property
    def reached(self) -> np.ndarray:
        return np.isfinite(self.samples_s)

    @property
    def score_s(self) -> float:
        """MLPerf's score: the mean after dropping the fastest and slowest run (inf if 2+ missed)."""
        return mlperf_olympic_mean(self.samples_s)

    def ttq_ci(self) -> Interval | None:
        """95% t-interval of the mean time to quality over the seeds that reached the target."""
        ok = self.samples_s[self.reached]
        return mean_ci(ok) if ok.size >= 3 else None

    def throughput_ci(self) -> Interval:
        return mean_ci(self.throughput_samples_per_s)

    @property
    def summary(self) -> dict[str, Any]:
        ok = self.samples_s[self.reached]
        ci = self.ttq_ci()
        return {"n": len(self.seeds), "reached_count": int(self.reached.sum()),
                "mlperf_score_s": self.score_s if np.isfinite(self.score_s) else None,
                "mean_s": float(ok.mean()) if ok.size else None,
                "mean_ci_s": [ci.low, ci.high] if ci else None,
                "min_s": float(ok.min()) if ok.size else None, "max_s": float(ok.max()) if ok.size else None,
                "epochs_mean_count": float(self.epochs.mean()),
                "throughput_samples_per_s": float(self.throughput_samples_per_s.mean()),
                "final_accuracy_mean_fraction": float(self.final_accuracy.mean())}

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        score = f"{s['mlperf_score_s']:.3f} s" if s["mlperf_score_s"] is not None else "none (2+ runs missed)"
        spread = (f"{s['min_s']:.3f} to {s['max_s']:.3f} s" if s["min_s"] is not None else "no run reached it")
        return [("time to quality", f"{score} (MLPerf: {len(self.seeds)} seeds, fastest and slowest dropped)"),
                ("spread", f"{spread}; {s['reached_count']}/{s['n']} runs reached {self.target:.1%}"),
                ("epochs", f"{s['epochs_mean_count']:.1f} on average (batch {self.batch}, lr {self.lr:g}, "
                           f"{self.optimizer})"),
                ("throughput", f"{s['throughput_samples_per_s']:,.0f} samples/s while training")]

    def _payload(self) -> dict[str, Any]:
        return {"samples_s": [float(x) if np.isfinite(x) else None for x in self.samples_s],
                "epochs": [int(e) for e in self.epochs]}


@validate_params({"batch": Range(1, 1347, integer=True), "lr": Range(0, 10, closed="right"),
                  "hidden": Range(4, 4096, integer=True), "target": Range(0.1, 1.0, closed="right"),
                  "seeds": [Range(3, 100, integer=True), None], "max_epochs": Range(1, 10_000, integer=True),
                  "optimizer": _OPTIMIZERS})
def time_to_quality(*, batch: int = 32, lr: float = 3e-3, hidden: int = 64, target: float = 0.95,
                    seeds: int | None = None, max_epochs: int = 200, optimizer: str = "adam",
                    first_seed: int = 0) -> TimeToQuality:
    """Train the digits MLP from ``seeds`` seeds to ``target`` held-out accuracy; one thread.

    ``seeds`` defaults to the budget's (5 in quick and standard, as MLPerf asks for image
    classification; 10 in full).

    >>> r = time_to_quality(batch=64, seeds=3, target=0.5)
    >>> int(r.summary["reached_count"])
    3
    """
    from simlib import budget

    seeds = seeds if seeds is not None else budget.pick(quick=5, standard=5, full=10)
    ids = list(range(first_seed, first_seed + seeds))
    ttq, epochs, final, thr, curves = [], [], [], [], []
    for s in ids:
        _, t, tc, ac, train_s = _train_one(s, batch, lr, hidden, target, max_epochs, optimizer)
        ttq.append(np.inf if t is None else t)
        epochs.append(len(ac))
        final.append(ac[-1])
        thr.append(len(ac) * 1347 / train_s)
        curves.append((tc, ac))
    warnings = []
    missed = sum(1 for t in ttq if not np.isfinite(t))
    if missed:
        warnings.append(f"{missed} of {seeds} runs missed {target:.1%} within {max_epochs} epochs: "
                        "MLPerf counts such a run as failed; raise max_epochs or lower the target")
    return TimeToQuality(batch, lr, hidden, optimizer, target, max_epochs, ids, np.array(ttq), np.array(epochs),
                         np.array(final), np.array(thr), curves, warnings)


@validate_params({"hidden": Range(4, 4096, integer=True), "batch": Range(1, 100_000, integer=True),
                  "optimizer": _OPTIMIZERS})
def measure_training_memory(*, hidden: int = 128, batch: int = 64, optimizer: str = "adam") -> MemoryBreakdown:
    """MEASURED bytes of what one training step of the digits MLP holds, counted from the tensors
    themselves: parameters, gradients, optimizer state (``optimizer.state``), and the activations
    autograd saves for the backward pass (a saved-tensors hook, each storage counted once).

    >>> m = measure_training_memory(hidden=128, batch=64)
    >>> m.parts_bytes["weights"] == m.parts_bytes["gradients"], m.parts_bytes["optimizer"] / m.parts_bytes["weights"]
    (True, 2.0)
    """
    from simlib.models.digits import _build

    torch.manual_seed(0)
    model = _build(hidden)
    opt = _optimizer(optimizer, model.parameters(), 1e-3)
    x, y = torch.rand(batch, 64), torch.randint(0, 10, (batch,))
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        st = t.untyped_storage()
        seen[st.data_ptr()] = st.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    params = list(model.parameters())
    param_ptrs = {p.untyped_storage().data_ptr() for p in params}
    weights = sum(p.numel() * p.element_size() for p in params)
    grads = sum(p.grad.numel() * p.grad.element_size() for p in params)
    state = sum(v.numel() * v.element_size() for st in opt.state.values() for v in st.values()
                if torch.is_tensor(v) and v.numel() > 1)
    acts = sum(n for ptr, n in seen.items() if ptr not in param_ptrs)
    parts = {"weights": float(weights), "gradients": float(grads), "optimizer": float(state),
             "activations": float(acts)}
    n_params = sum(p.numel() for p in params)
    warnings = []
    if torch.cuda.is_available():
        warnings.append("counted on the CPU; on this machine's GPU torch.cuda.max_memory_allocated "
                        "would add the allocator's rounding and workspaces")
    return MemoryBreakdown(float(n_params), parts, optimizer, "fp32", kind="measured", warnings=warnings)


@dataclass(repr=False)
class CheckpointTiming(ResultDisplay):
    """MEASURED time to write a checkpoint (model and optimizer state) to local disk, with fsync."""

    samples_s: np.ndarray
    size_bytes: int
    directory: str
    warnings: list[str] = field(default_factory=list)
    kind: str = "measured"

    @property
    def settings(self) -> dict[str, Any]:
        s = {"repeats": int(self.samples_s.size), "directory": self.directory, "fsync": True}
        return given_settings(**s)

    @property
    def summary(self) -> dict[str, Any]:
        return {"n": int(self.samples_s.size), "p50_s": float(np.median(self.samples_s)),
                "mean_s": float(self.samples_s.mean()), "size_bytes": self.size_bytes,
                "write_bytes_per_s": self.size_bytes / float(np.median(self.samples_s))}

    def _rows(self) -> list[tuple[str, str]]:
        s = self.summary
        return [("checkpoint", f"{s['p50_s'] * 1e3:.2f} ms median for {self.size_bytes / 1e3:.1f} kB "
                               f"({s['n']} writes, fsync'd)"),
                ("write rate", f"{s['write_bytes_per_s'] / 1e6:.1f} MB/s")]


@validate_params({"hidden": Range(4, 4096, integer=True), "repeats": Range(1, 1000, integer=True)})
def measure_checkpoint(*, hidden: int = 128, repeats: int = 20, directory: str | None = None) -> CheckpointTiming:
    """Time ``torch.save`` of the digits MLP's model and Adam state, flushed to disk (``os.fsync``)."""
    from simlib.models.digits import _build

    torch.manual_seed(0)
    model = _build(hidden)
    opt = torch.optim.Adam(model.parameters())
    nn.functional.cross_entropy(model(torch.rand(8, 64)), torch.zeros(8, dtype=torch.long)).backward()
    opt.step()
    times = []
    with tempfile.TemporaryDirectory(dir=directory, prefix="simlib-ckpt-") as d:
        path = os.path.join(d, "ckpt.pt")
        for _ in range(repeats + 1):
            t0 = time.perf_counter()
            with open(path, "wb") as f:
                torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, f)
                f.flush()
                os.fsync(f.fileno())
            times.append(time.perf_counter() - t0)
        size = os.path.getsize(path)
    return CheckpointTiming(np.array(times[1:]), int(size), directory or tempfile.gettempdir())


def gemm_rate_flops_per_s(n: int = 256, repeats: int = 30) -> float:
    """MEASURED FP32 matrix-multiply rate of one thread (FLOP/s), median of ``repeats``: the
    attainable peak that model FLOPs utilization is measured against on this CPU."""
    with torch_threads(1):
        a, b = torch.rand(n, n), torch.rand(n, n)
        for _ in range(3):
            a @ b
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            a @ b
            ts.append(time.perf_counter() - t0)
    return 2.0 * n ** 3 / float(np.median(ts))


@validate_params({"seed": Range(0, None, integer=True), "epochs": Range(1, 1000, integer=True)})
def reproducibility(*, seed: int = 0, epochs: int = 3, hidden: int = 64) -> dict[str, Any]:
    """Train the same configuration under controlled changes and report which runs stay bit-identical.

    Returns, for each variant, whether its final weights equal the reference run's bit for bit, and
    the largest absolute weight difference: ``"same seed"`` (repeat), ``"data order"`` (another
    shuffling seed, same initialization), ``"init seed"`` (another initialization, same data
    order), ``"2 threads"`` (same seeds, two intra-op threads: summation order may change).
    """
    def weights(**kw):
        m = _train_one(kw.pop("seed", seed), 32, 3e-3, hidden, 2.0, epochs, "adam", **kw)[0]
        return torch.cat([p.detach().reshape(-1) for p in m.parameters()])

    ref = weights()
    out = {}
    for name, kw in (("same seed", {}), ("data order", {"data_seed": seed + 1000}),
                     ("init seed", {"seed": seed + 1, "data_seed": seed}), ("2 threads", {"threads": 2})):
        w = weights(**kw)
        out[name] = {"identical": bool(torch.equal(w, ref)), "max_abs_diff": float((w - ref).abs().max())}
    return out


def throughput_vs_ttq_text(small: TimeToQuality, large: TimeToQuality) -> str:
    """The sentence comparing two configurations' throughput and time to quality, chosen by the
    runs' own 95% intervals (:mod:`simlib.claims`): the trap (more samples per second, yet a longer
    time to quality), its opposite, or no clear difference."""
    from simlib import claims

    thr = claims.direction(small.throughput_ci(), large.throughput_ci())
    a, b = small.ttq_ci(), large.ttq_ci()
    if a is None or b is None:
        return ("could not be compared on time to quality, because fewer than three runs of one "
                "configuration reached the target")
    ttq = claims.direction(a, b)
    more = {"higher": "processed more samples per second", "lower": "processed fewer samples per second",
            "same": "processed about as many samples per second (the intervals overlap)"}[thr]
    took = {"higher": "yet took longer to reach the target",
            "lower": "and reached the target sooner",
            "same": "and reached the target in about the same time (the intervals overlap)"}[ttq]
    if thr == "higher" and ttq == "lower":
        took = "and also reached the target sooner"
    if thr != "higher" and ttq == "higher":
        took = "and took longer to reach the target"
    return f"{more}, {took}"

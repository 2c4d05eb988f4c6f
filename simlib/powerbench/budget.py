"""An energy budget under a latency SLO on a thermally limited device (MODELED).

A device (a thermal preset: DVFS operating points, power model, R_ja, trip point) serves
Poisson requests at ``qps``. A configuration is a precision, a maximum batch size and an
operating point. The batch service time at the fastest clock is given per precision (a
:class:`simlib.queueing.BatchCost`, calibrated on measured latencies); at operating point k
it is ``f_max / f_k`` times longer (a compute-bound model). For each configuration:

1. the serving simulator gives the p99 latency and the busy time per inference;
2. the steady state gives the power: busy power at that point (dynamic + leakage at the
   steady junction temperature) for the busy fraction, idle power for the rest, and the
   junction temperature ``T = T_amb + R_ja * P_avg`` (solved with the leakage);
3. energy per inference = average power / arrival rate (J).

It is feasible when the p99 meets the bound, the queue is stable and the steady junction
stays at or below the trip point (so a sustained run never throttles). The energy-optimal
configuration is the feasible one with the least energy per inference; the latency-optimal
one the feasible one with the lowest p99.

>>> from simlib.queueing.service import BatchCost
>>> p = EnergyBudgetProblem({"fp32": BatchCost(t0_s=2e-3, t1_s=1e-3)}, qps=100.0,
...                         latency_bound_s=0.05, batch_sizes=(1,), n_requests=2000)
>>> r = p.solve()
>>> r.best["opp"] > r.fastest["opp"]   # the slowest clock that meets the bound saves energy
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError, Range, check, invalid
from simlib.protocol import ResultDisplay, given_settings
from simlib.thermal.presets import ThermalDevice, get_device

__all__ = ["BudgetResult", "EnergyBudgetProblem", "steady_junction_c"]


def steady_junction_c(device: str | ThermalDevice, power_w: float, ambient_c: float | None = None) -> float:
    """Steady junction temperature (C) at a constant ``power_w``: ``T_amb + R_ja * P``.

    >>> round(steady_junction_c("smartphone-soc", 5.0), 1)   # 25 C + 14 K/W * 5 W
    95.0
    """
    dev = get_device(device)
    check("power_w", power_w, Range(0, None, unit="W"), owner="steady_junction_c")
    amb = dev.thermal.ambient_c if ambient_c is None else ambient_c
    return amb + dev.thermal.r_ja_k_per_w * power_w


@dataclass
class EnergyBudgetProblem:
    """See the module docstring. ``service``: precision -> BatchCost at f_max (s).
    ``power_scale``: precision -> factor on the busy power (default 1: the same chip is busy
    either way; its time per inference differs). ``batch_timeout_s``: how long a batch waits
    to fill (default: a fifth of the bound)."""

    service: Mapping[str, Any]
    qps: float
    latency_bound_s: float
    device: str | ThermalDevice = "smartphone-soc"
    batch_sizes: Sequence[int] = (1, 2, 4, 8)
    batch_timeout_s: float | None = None
    percentile: float = 99.0
    n_requests: int = 4000
    seed: int = 0
    ambient_c: float | None = None
    power_scale: Mapping[str, float] | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        own = "EnergyBudgetProblem"
        check("qps", self.qps, Range(0, None, closed="neither", unit="requests/s"), owner=own)
        check("latency_bound_s", self.latency_bound_s, Range(0, None, closed="neither", unit="s"), owner=own)
        check("percentile", self.percentile, Range(50, 100, closed="left"), owner=own)
        check("n_requests", self.n_requests, Range(500, 1_000_000, integer=True), owner=own)
        if not self.service:
            raise InvalidParameterError("The 'service' parameter of EnergyBudgetProblem must map at least one "
                                        "precision to a BatchCost. Got an empty mapping instead.")
        for p, s in self.service.items():
            if not hasattr(s, "t0_s") or not hasattr(s, "t1_s"):
                raise invalid("service", f"maps {p!r} to {type(s).__name__}, not a BatchCost",
                              "a BatchCost per precision (simlib.queueing.service.BatchCost)", owner=own)
        for b in self.batch_sizes:
            check("batch_sizes", b, Range(1, 1024, integer=True), owner=own)
        self.dev = get_device(self.device)
        if self.batch_timeout_s is None:
            self.batch_timeout_s = self.latency_bound_s / 5
        check("batch_timeout_s", self.batch_timeout_s, Range(0, None, unit="s"), owner=own)
        self.power_scale = dict(self.power_scale or {})
        self.amb = self.dev.thermal.ambient_c if self.ambient_c is None else float(self.ambient_c)

    @property
    def opps(self) -> list[dict[str, float]]:
        """The device's operating points, fastest first: index, frequency (Hz), voltage (V)."""
        pm = self.dev.power
        return [{"opp": i, "freq_hz": float(o.freq_hz), "voltage_v": float(o.voltage_v)} for i, o in enumerate(pm.opps)]

    def configs(self) -> list[tuple[str, int, int]]:
        """Every (precision, batch, opp) the problem allows."""
        return [(p, int(b), k) for p in self.service for b in self.batch_sizes for k in range(len(self.dev.power.opps))]

    def evaluate(self, precision: str, batch: int, opp: int) -> dict[str, Any]:
        """One configuration: p99 (s), energy per inference (J), steady junction (C), utilization,
        mean batch formed, busy power (W), and whether it is feasible (with the reasons if not)."""
        own = "EnergyBudgetProblem.evaluate"
        if precision not in self.service:
            raise invalid("precision", f"is {precision!r}", f"one of {sorted(self.service)}", owner=own)
        check("batch", batch, Range(1, 1024, integer=True), owner=own)
        check("opp", opp, Range(0, len(self.dev.power.opps) - 1, integer=True), owner=own)
        key = (precision, int(batch), int(opp))
        if key not in self._cache:
            self._cache[key] = self._evaluate(*key)
        return dict(self._cache[key])

    def _evaluate(self, precision: str, batch: int, opp: int) -> dict[str, Any]:
        import warnings

        from simlib.queueing import simulate
        from simlib.queueing.service import BatchCost

        pm, th = self.dev.power, self.dev.thermal
        scale = pm.f_max_hz / float(pm.freqs_hz[opp])
        s = self.service[precision]
        svc = BatchCost(t0_s=s.t0_s * scale, t1_s=s.t1_s * scale, cv=getattr(s, "cv", 0.0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = simulate(self.qps, svc, max_batch=batch, batch_timeout_s=self.batch_timeout_s if batch > 1 else 0.0,
                           n_requests=self.n_requests, seed=self.seed, warmup_fraction=0.1)
        rec = sim.records
        done = np.isfinite(np.asarray(rec.finish_s))
        _, first = np.unique(np.asarray(rec.batch_id)[done], return_index=True)
        busy = float(np.sum((np.asarray(rec.finish_s)[done] - np.asarray(rec.start_s)[done])[first]))
        busy_per_inf = busy / max(int(done.sum()), 1)
        util = self.qps * busy_per_inf
        p_tail = float(sim.percentile(self.percentile))
        mean_batch = int(done.sum()) / max(first.size, 1)  # requests per batch (batch-weighted)
        reasons = []
        if util >= 1.0:
            reasons.append(f"unstable: the device is busy {util:.0%} of the time")
        u = min(util, 1.0)
        k = self.power_scale.get(precision, 1.0)
        temp = self.amb
        for _ in range(60):  # fixed point: leakage grows with temperature
            p_busy = k * float(pm.active_power_w(opp, temp))
            p_avg = u * p_busy + (1 - u) * pm.idle_w
            new = min(self.amb + th.r_ja_k_per_w * p_avg, th.trip_c + 200.0)  # runaway: capped
            if abs(new - temp) < 1e-6:
                break
            temp = new
        temp = new
        if temp > th.trip_c:
            reasons.append(f"throttles: steady junction {temp:.1f} C above the {th.trip_c:g} C trip point")
        if p_tail > self.latency_bound_s:
            reasons.append(f"misses the bound: p{self.percentile:g} {p_tail * 1e3:.2f} ms > "
                           f"{self.latency_bound_s * 1e3:.2f} ms")
        return {"precision": precision, "batch": batch, "opp": opp, "freq_hz": float(pm.freqs_hz[opp]),
                "p_tail_s": p_tail, "energy_per_inference_j": p_avg / self.qps, "avg_power_w": p_avg,
                "busy_power_w": p_busy, "junction_c": temp, "utilization": util, "mean_batch": mean_batch,
                "feasible": not reasons, "reasons": reasons}

    def solve(self) -> BudgetResult:
        """Evaluate every configuration; the energy-optimal and latency-optimal feasible ones."""
        rows = [self.evaluate(*c) for c in self.configs()]
        return BudgetResult(self, rows)

    def check_choice(self, precision: str, batch: int, opp: int, *, rtol: float = 1e-9) -> dict[str, Any]:
        """Is a chosen configuration feasible, and optimal (its energy within ``rtol`` of the best)?"""
        row = self.evaluate(precision, batch, opp)
        best = self.solve().best
        opt = bool(row["feasible"] and best is not None
                   and row["energy_per_inference_j"] <= best["energy_per_inference_j"] * (1 + rtol))
        return {"feasible": bool(row["feasible"]), "optimal": opt,
                "energy_ratio_to_best": (row["energy_per_inference_j"] / best["energy_per_inference_j"]
                                         if best is not None else None), "reasons": row["reasons"]}


@dataclass(repr=False)
class BudgetResult(ResultDisplay):
    """Every configuration of an :class:`EnergyBudgetProblem` (MODELED) and the two optima."""

    problem: EnergyBudgetProblem
    rows: list[dict[str, Any]]
    kind = "modeled"

    @property
    def warnings(self) -> list[str]:
        return [] if self.best is not None else [
            "no configuration meets the bound without throttling: relax the bound, lower the rate or allow "
            "larger batches"]

    @property
    def settings(self) -> dict[str, Any]:
        p = self.problem
        s = {"device": p.dev.name, "qps": p.qps, "latency_bound_s": p.latency_bound_s,
             "precisions": list(p.service), "batch_sizes": [int(b) for b in p.batch_sizes],
             "batch_timeout_s": p.batch_timeout_s, "percentile": p.percentile, "n_requests": p.n_requests,
             "seed": p.seed, "ambient_c": p.amb}
        return given_settings(**s)

    @property
    def feasible(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["feasible"]]

    @property
    def best(self) -> dict[str, Any] | None:
        """The feasible configuration with the least energy per inference (None if none is)."""
        f = self.feasible
        return min(f, key=lambda r: (r["energy_per_inference_j"], r["p_tail_s"])) if f else None

    @property
    def fastest(self) -> dict[str, Any] | None:
        """The feasible configuration with the lowest tail latency (None if none is)."""
        f = self.feasible
        return min(f, key=lambda r: (r["p_tail_s"], r["energy_per_inference_j"])) if f else None

    @property
    def summary(self) -> dict[str, Any]:
        """The energy-optimal and latency-optimal configurations' energy (J), tail (s), clock (Hz)."""
        b, f = self.best, self.fastest
        out: dict[str, Any] = {"n": len(self.rows), "feasible_count": len(self.feasible)}
        for name, r in (("best", b), ("fastest", f)):
            out[f"{name}_energy_per_inference_j"] = r and r["energy_per_inference_j"]
            out[f"{name}_p_tail_s"] = r and r["p_tail_s"]
            out[f"{name}_freq_hz"] = r and r["freq_hz"]
            out[f"{name}_batch_count"] = r and r["batch"]
        return out

    def _rows(self) -> list[tuple[str, str]]:
        def fmt(r):
            if r is None:
                return "none feasible"
            return (f"{r['precision']}, batch {r['batch']}, {r['freq_hz'] / 1e9:.2f} GHz: "
                    f"{r['energy_per_inference_j'] * 1e3:.3f} mJ/inference, p{self.problem.percentile:g} "
                    f"{r['p_tail_s'] * 1e3:.2f} ms, {r['junction_c']:.0f} C")
        return [("energy-optimal", fmt(self.best)), ("latency-optimal", fmt(self.fastest)),
                ("feasible", f"{len(self.feasible)} of {len(self.rows)} configurations")]

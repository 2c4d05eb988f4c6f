"""One optimization, three conditions: why a benchmark must fix its conditions (the opening chapter).

The source chapter opens with an INT8 model that "may benchmark 2x faster on a synthetic workload
but show no improvement under real traffic". :func:`one_change_three_ways` measures one change
(a precision, on ONNX Runtime) on this machine under three conditions, with the harness:

1. **isolated batch-1 latency**: the median of steady-state single calls
   (:func:`simlib.measure.timer.time_callable`; interval: order statistics of the median);
2. **throughput at a batch size**: samples per second from the median time of one batch;
3. **p99 under Server load**: Poisson arrivals at one offered rate for both versions, through the
   one load generator (:func:`simlib.measure.loadgen.run_scenario` with :class:`Settings`), in
   ``n_reps`` interleaved replications; the p99 is the geometric mean of the replications' p99s,
   with a t interval computed on their logarithms (a run's latencies are correlated, the
   replications are not; the log keeps the interval of a skewed, positive quantity positive).

Beside the measured p99 the study MODELS it: a FIFO queue (:func:`simlib.queueing.simulate`) fed
each version's own isolated batch-1 service times at the same rate. Every sentence about a row
is chosen by the intervals (:func:`simlib.claims.speed_change`, :meth:`ConditionsStudy.claim_verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Options, Range, validate_params
from simlib.protocol import ResultDisplay
from simlib.stats import Interval, mean_ci, median_ci

__all__ = ["ConditionsStudy", "conditions_figure", "one_change_three_ways", "ratio_interval", "repeated_runs"]

CONDITIONS = ("batch-1 latency", "throughput", "server p99")


def _geometric_ci(values_s) -> Interval:
    """Geometric mean of positive values with a t interval computed on their logarithms (a
    positive interval for a skewed, positive quantity such as a p99 over a few replications)."""
    ci = mean_ci(np.log(np.asarray(values_s, dtype=float)))
    return Interval(float(np.exp(ci.estimate)), float(np.exp(ci.low)), float(np.exp(ci.high)), ci.confidence,
                    "t interval of log values over replications")


def ratio_interval(before: Interval, after: Interval) -> tuple[float, float, float]:
    """Speedup before / after (lower is better for both) with conservative bounds from the two
    intervals: (estimate, low, high) = (b.est / a.est, b.low / a.high, b.high / a.low); a time
    cannot be negative, so a low end below 0 counts as 0 (and an upper bound becomes infinite).

    >>> [round(v, 3) for v in ratio_interval(Interval(2.0, 1.9, 2.1, 0.95, "x"), Interval(1.0, 0.9, 1.1, 0.95, "x"))]
    [2.0, 1.727, 2.333]
    """
    lo = max(before.low, 0.0) / after.high
    hi = before.high / after.low if after.low > 0 else float("inf")
    return before.estimate / after.estimate, lo, hi


@dataclass(repr=False)
class ConditionsStudy(ResultDisplay):
    """One change measured under three conditions (MEASURED; the Server p99 also MODELED).

    ``rows``: one dict per condition with ``condition``, ``metric``, ``baseline`` and ``changed``
    (:class:`Interval`, seconds: per-call median, per-sample time of a batch, or p99),
    ``speedup`` (baseline / changed) with ``speedup_low``/``speedup_high``, and ``claim`` (words
    from :func:`simlib.claims.speed_change`). ``model_p99_s``: the modeled p99 per version.
    """

    model: str
    baseline: str
    change: str
    batch_size: int
    qps: float
    n_reps: int
    rows: list[dict[str, Any]]
    model_p99_s: dict[str, Interval]
    server_runs: dict[str, list[Any]] = field(default_factory=dict)
    samples: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    requested: dict[str, Any] = field(default_factory=dict)
    model_utilization: dict[str, float] = field(default_factory=dict)  #: qps x mean batch-1 time, per version

    kind = "measured"
    NON_FINITE_REASONS = {f"{k}_speedup_ci_ratio": "unbounded: the changed version's interval reaches 0 (too few "
                                                   "replications)" for k in ("batch1", "throughput", "server_p99")}

    @property
    def settings(self) -> dict[str, Any]:
        eff = {"model": self.model, "backend": "onnxruntime", "baseline": self.baseline, "change": self.change,
               "batch_size": self.batch_size, "qps": self.qps, "n_reps": self.n_reps,
               "p99_interval": "t interval of log p99 over replications"}
        return {"requested": dict(self.requested), "effective": eff}

    @property
    def samples_s(self) -> np.ndarray:
        """The baseline's batch-1 per-call times (s), in time order."""
        return self.samples.get(self.baseline, np.array([]))

    def row(self, condition: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["condition"] == condition)

    @property
    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"qps": self.qps, "n": self.n_reps}
        for r, key in zip(self.rows, ("batch1", "throughput", "server_p99"), strict=True):
            out[f"{key}_speedup_ratio"] = r["speedup"]
            out[f"{key}_speedup_ci_ratio"] = [r["speedup_low"], r["speedup_high"]]
        out["modeled_server_p99_speedup_ratio"] = (self.model_p99_s[self.baseline].estimate
                                                   / self.model_p99_s[self.change].estimate)
        return out

    def claim_verdict(self, claimed: float, condition: str) -> str:
        """Does "``claimed`` times faster" hold under ``condition``? ``"holds"`` (the whole
        speedup interval is at or above it), ``"fails"`` (the whole interval is below it) or
        ``"undecided"`` (the interval straddles it)."""
        r = self.row(condition)
        if r["speedup_low"] >= claimed:
            return "holds"
        if r["speedup_high"] < claimed:
            return "fails"
        return "undecided"

    def answers_text(self, claimed: float) -> str:
        """One sentence on how many different verdicts the three conditions gave on "``claimed``
        times faster", chosen by :meth:`claim_verdict`."""
        verdicts = [self.claim_verdict(claimed, r["condition"]) for r in self.rows]
        k = len(set(verdicts))
        if k == 1:
            sp = ", ".join(f"{r['speedup']:.2f}x" for r in self.rows)
            return (f"Here the three conditions gave the same verdict on the claim, but not the same speedup ({sp}): "
                    "on another machine, or a busier one, they can part ways, so a speedup must name its condition.")
        return (f"One optimization, one machine, {('two' if k == 2 else 'three')} different verdicts: a speedup is a "
                "property of a change and of the conditions it was measured under.")

    def tail_model_text(self) -> str:
        """How the measured tail speedup compares with the modeled one (the queue fed isolated
        times), with the reason that fits the direction."""
        r = self.row("server p99")
        model = self.model_p99_s[self.baseline].estimate / self.model_p99_s[self.change].estimate
        if max(self.model_utilization.values(), default=0.0) >= 1:
            return ("At this rate the model's queue is overloaded (the batch-1 times measured here average more "
                    "than the time between arrivals), so its p99 only says that the backlog grows without bound; "
                    "the comparison says nothing about the tail.")
        if r["speedup_low"] <= model <= r["speedup_high"]:
            return ("The modeled tail speedup lies inside the measured one's interval: within what this run can "
                    "resolve, the service times alone account for the measured tail.")
        if model > r["speedup_high"]:
            return ("The measured tail improved less than the model predicts. The model knows only the service "
                    "times; the real run also pays for the load generator's own work, the operating system's "
                    "scheduling and whatever else the machine is doing, which add a tail of their own to both "
                    "versions and pull the measured speedup towards 1.")
        return ("The measured tail improved more than the model predicts: the model replays the isolated service "
                f"times, but under load the longer {self.baseline} calls were hit harder by interference (other "
                f"processes, the load generator) than the shorter {self.change} ones.")

    def _rows(self) -> list[tuple[str, str]]:
        out = []
        for r in self.rows:
            b, c = r["baseline"], r["changed"]
            out.append((r["condition"], f"{self.baseline} {b.estimate * 1e3:.3f} ms, {self.change} {c.estimate * 1e3:.3f} ms "
                                        f"({r['metric']}): {r['speedup']:.2f}x [{r['speedup_low']:.2f}, "
                                        f"{r['speedup_high']:.2f}]; {r['claim']}"))
        mb, mc = self.model_p99_s[self.baseline], self.model_p99_s[self.change]
        out.append(("modeled server p99", f"{self.baseline} {mb.estimate * 1e3:.3f} ms, {self.change} "
                                          f"{mc.estimate * 1e3:.3f} ms (FIFO queue fed the batch-1 times, "
                                          f"{self.qps:.0f} queries/s)"))
        return out


@validate_params({"model": Options(("cnn", "digits", "encoder")), "change": Options(("int8",)),
                  "batch_size": Range(2, 256, integer=True),
                  "load_fraction": Range(0, 1, closed="neither"),
                  "max_qps": Range(1, 1e5, unit="queries/s"),
                  "n_reps": [Range(2, 100, integer=True), None],
                  "rep_duration_s": [Range(0, 600, closed="neither", unit="s"), None]})
def one_change_three_ways(model: str = "cnn", change: str = "int8", *, batch_size: int = 8,
                          load_fraction: float = 0.5, max_qps: float = 400.0, n_reps: int | None = None,
                          rep_duration_s: float | None = None, seed: int = 0) -> ConditionsStudy:
    """Measure ``change`` (INT8 against FP32) on ``model`` under the three conditions.

    The Server rate is ``load_fraction`` of the FP32 version's batch-1 capacity (1 / mean), at
    most ``max_qps`` (a Python load generator on a small machine issues only so fast), the same
    for both versions. ``n_reps`` replications of ``rep_duration_s`` seconds each per version,
    interleaved (default by budget: quick 3 x 0.6 s, standard 5 x 1.5 s, full 10 x 6 s).
    """
    from simlib.claims import speed_change
    from simlib.measure.backends import open_backend
    from simlib.measure.loadgen import Settings, run_scenario
    from simlib.measure.sut import BackendSUT
    from simlib.measure.timer import time_callable
    from simlib.queueing import Empirical, simulate

    baseline = "fp32"
    reps = n_reps or budget.pick(quick=3, standard=5, full=10)
    dur = rep_duration_s or budget.pick(quick=0.6, standard=1.5, full=6.0)
    tb = budget.pick(quick=0.4, standard=1.5, full=5.0)
    n_min = budget.pick(quick=400, standard=1000, full=3000)  # enough batch-1 times to feed the queue model
    backends = {p: open_backend("onnxruntime", model, precision=p) for p in (baseline, change)}
    warnings: list[str] = []
    try:
        b1, bb, samples = {}, {}, {}
        for p, b in backends.items():
            b.warmup(20)
            x1, xb = b.spec.sample_inputs(1), b.spec.sample_inputs(batch_size)
            t1 = time_callable(lambda b=b, x=x1: b.infer(x), name=f"{model} {p} b=1", time_budget_s=tb,
                               min_samples=n_min)
            tn = time_callable(lambda b=b, x=xb: b.infer(x), name=f"{model} {p} b={batch_size}", time_budget_s=tb)
            samples[p] = np.asarray(t1.samples_s)
            b1[p] = median_ci(t1.samples_s)
            m = median_ci(tn.samples_s)  # per-sample time = batch time / batch size
            bb[p] = Interval(m.estimate / batch_size, m.low / batch_size, m.high / batch_size, m.confidence, m.method)
            warnings.extend(f"{p}: {w}" for w in t1.all_warnings)
        # the rate from the MEAN service time (what a queue's stability depends on), not the median
        qps = float(min(load_fraction / float(np.mean(samples[baseline])), max_qps))
        runs: dict[str, list[Any]] = {baseline: [], change: []}
        for r in range(reps):  # interleaved, so a slow stretch of the machine hits both versions
            for p, b in backends.items():
                lib = b.spec.sample_inputs(64, seed=seed)
                st = Settings("server", qps=qps, min_duration_s=dur, min_query_count=max(50, int(qps * dur)),
                              latency_bound_s=0.1, schedule_seed=seed + r, sample_index_seed=seed + r + 1)
                runs[p].append(run_scenario(BackendSUT(b, lib, name=f"{model}/{p}"), st, progress=False,
                                            name=f"server {model} {p} rep {r}"))
    finally:
        for b in backends.values():
            b.close()
    p99 = {p: _geometric_ci([run.summary["p99_s"] for run in rs]) for p, rs in runs.items()}
    for p, rs in runs.items():
        bad = [i for i, run in enumerate(rs) if not run.valid]
        if bad:
            warnings.append(f"{p}: {len(bad)} of {len(rs)} Server replications were INVALID at {qps:.0f} queries/s "
                            "(latency bound or schedule missed); their p99 is still averaged")
    n_req = budget.pick(quick=20_000, standard=50_000, full=200_000)
    model_util = {p: qps * float(np.mean(samples[p])) for p in (baseline, change)}
    for p, u in model_util.items():
        if u >= 1:
            warnings.append(f"{p}: the modeled queue is overloaded at {qps:.0f} queries/s (utilization {u:.2f} from "
                            "the batch-1 times): its p99 only says that the backlog grows; lower load_fraction")
    model_p99 = {p: simulate(qps, Empirical(samples[p]), n_requests=n_req, seed=seed).percentile_ci(99)
                 for p in (baseline, change)}
    rows = []
    for cond, metric, d in ((CONDITIONS[0], "median per call", b1),
                            (CONDITIONS[1], f"time per sample at batch {batch_size}", bb),
                            (CONDITIONS[2], f"p99 at {qps:.0f} queries/s, geometric mean of {reps} runs", p99)):
        est, lo, hi = ratio_interval(d[baseline], d[change])
        rows.append({"condition": cond, "metric": metric, "baseline": d[baseline], "changed": d[change],
                     "speedup": est, "speedup_low": lo, "speedup_high": hi,
                     "claim": speed_change(d[baseline], d[change])})
    req = {"model": model, "change": change, "batch_size": batch_size, "load_fraction": load_fraction,
           "max_qps": max_qps, "n_reps": n_reps, "rep_duration_s": rep_duration_s, "seed": seed}
    return ConditionsStudy(model, baseline, change, batch_size, qps, reps, rows, model_p99, runs, samples,
                           warnings, req, model_util)


def conditions_figure(study: ConditionsStudy):
    """Speedup of the change under each condition with its interval (MEASURED), the modeled Server
    speedup beside the measured one, and a dashed line at 1 (no change)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    xs = np.arange(len(study.rows))
    mb, mc = study.model_p99_s[study.baseline], study.model_p99_s[study.change]
    modeled = mb.estimate / mc.estimate
    points = [r["speedup"] for r in study.rows] + [modeled, 1.0]
    cap = 2.0 * max(points)  # an interval reaching beyond this is drawn to the edge, its end written there
    for i, r in enumerate(study.rows):
        hi = min(r["speedup_high"], cap)
        ax.errorbar([i], [r["speedup"]], yerr=[[r["speedup"] - r["speedup_low"]], [hi - r["speedup"]]],
                    fmt="o", ms=10, capsize=8, color="tab:blue", label="measured" if i == 0 else None)
        if r["speedup_high"] > cap:
            end = "no upper bound" if not np.isfinite(r["speedup_high"]) else f"to {r['speedup_high']:.3g}x"
            ax.annotate(end, (i, hi), xytext=(8, -4), textcoords="offset points",
                        fontsize=11)
    ax.plot([xs[-1] + 0.15], [modeled], "D", ms=9, color="tab:orange", label="modeled (queue fed batch-1 times)")
    ax.axhline(1.0, ls="--", color="gray")
    top = max(min(r["speedup_high"], cap) for r in study.rows)
    ax.set_ylim(0.0, max(top, modeled) * 1.1 + 0.1)
    ax.set_xticks(xs, [r["condition"] for r in study.rows], fontsize=13)
    ax.set_ylabel(f"{study.change} speedup over {study.baseline} (x)", fontsize=13)
    ax.set_title(f"MEASURED: one change, three conditions ({study.model}, 95% intervals)", fontsize=13)
    ax.legend(fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


@validate_params({"model": Options(("cnn", "digits", "encoder")), "precision": Options(("fp32", "int8")),
                  "n_runs": [Range(2, 1000, integer=True), None],
                  "run_s": [Range(0, 60, closed="neither", unit="s"), None]})
def repeated_runs(model: str = "cnn", precision: str = "fp32", *, n_runs: int | None = None,
                  run_s: float | None = None) -> np.ndarray:
    """Run-to-run variation, measured: ``n_runs`` short timed runs of batch-1 inference, one after
    another on one loaded model; returns each run's median per-call time (seconds, in run order).

    Their coefficient of variation (:func:`simlib.stats.cv`) is the noise a comparison of two
    configurations must beat (:func:`simlib.basics.trap.runs_to_separate`). Defaults by budget:
    quick 8 runs of 0.08 s, standard 20 of 0.25 s, full 50 of 1 s.
    """
    from simlib.measure.backends import open_backend
    from simlib.measure.timer import time_callable

    n = n_runs or budget.pick(quick=8, standard=20, full=50)
    dur = run_s or budget.pick(quick=0.08, standard=0.25, full=1.0)
    b = open_backend("onnxruntime", model, precision=precision)
    try:
        b.warmup(20)
        x = b.spec.sample_inputs(1)
        meds = [time_callable(lambda: b.infer(x), name=f"{model} {precision} run {i}", warmup=3,
                              time_budget_s=dur, target_rel_ci=1e-6).stats.median for i in range(n)]
    finally:
        b.close()
    return np.asarray(meds, dtype=float)

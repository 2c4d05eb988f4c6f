"""A load generator with the four MLPerf scenarios, LoadGen's rules, and a reasoned verdict.

:func:`run_scenario` drives a SUT (:class:`simlib.measure.sut.BackendSUT`, or anything with
``start/issue/flush/stop``) under a frozen :class:`Settings`:

- SingleStream: closed loop, one sample per query, next query when the previous completes; p90.
- MultiStream: closed loop, 8 samples per query; a query's latency is its slowest sample; p99.
- Server: open loop, Poisson arrivals at ``target_qps`` from a seeded schedule that holds the
  count the rate asks for (:func:`server_schedule`), so the run offers its target; latency counts from
  the *scheduled* arrival, so a late issue or a stalled server cannot hide its queue (no
  coordinated omission); p99 against ``target_latency_s``; scheduled and completed QPS.
- Offline: every sample issued at once; throughput in samples/s.

Like LoadGen, a run lasts at least ``min_duration_s`` *and* ``min_query_count`` queries; the
verdict is VALID only if every constraint holds, with one line per constraint. A Server load the
SUT cannot sustain still ends: issuing stops once ``max_outstanding`` queries wait, the rest is
drained, and the verdict says INVALID and why.

>>> from simlib.measure.sut import BackendSUT
>>> import numpy as np
>>> class Sleep:
...     def infer(self, x): time.sleep(0.0005)
>>> s = Settings("singlestream", min_duration_s=0.05, min_query_count=20)
>>> r = run_scenario(BackendSUT(Sleep(), np.zeros((8, 1))), s, progress=False)
>>> r.metrics["verdict"], r.metrics["queries"] >= 20
('VALID', True)
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Range, check
from simlib.batch_means import percentile_ci
from simlib.measure.early_stopping import early_stopping_estimate, server_early_stopping
from simlib.measure.result import Result, format_time
from simlib.measure.saturation import sustained_load
from simlib.scenarios import MULTISTREAM_SAMPLES_PER_QUERY, TAIL_PERCENTILE, Scenario
from simlib.stats import InvalidParameterError, percentile

__all__ = ["RunResult", "Settings", "run_scenario", "scheduled_rate_rtol", "server_schedule"]

_OWN = "Settings"


def scheduled_rate_rtol(n: int) -> float:
    """How far a Server run of ``n`` queries may schedule from its target rate (relative).

    With :func:`server_schedule`, LoadGen's ``(n - 1) / last arrival`` is ``1 - 1/n`` times the
    target; ``max(2%, 5/n)`` leaves room for that. A run that stopped early misses it for real.

    >>> scheduled_rate_rtol(100), scheduled_rate_rtol(1000)
    (0.05, 0.02)
    """
    return max(0.02, 5.0 / max(int(n), 1))


@dataclass(frozen=True)
class Settings:
    """Test settings in the spirit of LoadGen's ``TestSettings`` (SI units; None = default).

    Defaults depend on ``SIMLIB_BUDGET``: min_duration_s quick 1 / standard 10 / full 60 s
    (MLPerf's official runs use 600 s); min_query_count quick 50 / standard 500 / full 1024.
    """

    scenario: str | Scenario = Scenario.SINGLE_STREAM
    min_duration_s: float | None = None
    min_query_count: int | None = None
    max_duration_s: float | None = None  # None: 5 x min_duration_s + 10 s (Server: 5 x schedule span + 10 s)
    target_qps: float | None = None  # Server: required
    target_latency_s: float = 0.1  # Server p99 bound (LoadGen's default 100 ms)
    samples_per_query: int = MULTISTREAM_SAMPLES_PER_QUERY  # MultiStream
    offline_expected_qps: float | None = None  # Offline: None = measured by a short probe
    max_outstanding: int | None = None  # Server: stop issuing beyond this backlog
    performance_sample_count: int = 64  # size of the sample library (real inputs)
    schedule_seed: int = 0
    sample_index_seed: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenario", Scenario.parse(self.scenario))
        pos = Range(0, None, closed="neither", unit="s")
        check("min_duration_s", self.min_duration_s, None, pos, owner=_OWN)
        check("min_query_count", self.min_query_count, None, Range(1, None, integer=True), owner=_OWN)
        check("max_duration_s", self.max_duration_s, None, pos, owner=_OWN)
        check("target_qps", self.target_qps, None, Range(0, None, closed="neither", unit="queries/s"), owner=_OWN)
        check("target_latency_s", self.target_latency_s, pos, owner=_OWN)
        check("samples_per_query", self.samples_per_query, Range(1, 4096, integer=True), owner=_OWN)
        check("offline_expected_qps", self.offline_expected_qps, None, Range(0, None, closed="neither"), owner=_OWN)
        check("max_outstanding", self.max_outstanding, None, Range(1, None, integer=True), owner=_OWN)
        check("performance_sample_count", self.performance_sample_count, Range(1, None, integer=True), owner=_OWN)
        if self.scenario is Scenario.SERVER and self.target_qps is None:
            check("target_qps", None, Range(0, None, closed="neither", unit="queries/s"),
                  owner="Settings (required for the Server scenario)")

    def effective(self) -> dict[str, Any]:
        """Every setting with budget defaults filled in (what the run actually uses)."""
        d = asdict(self)
        d["scenario"] = self.scenario.value
        d["min_duration_s"] = self.min_duration_s or budget.pick(quick=1.0, standard=10.0, full=60.0)
        d["min_query_count"] = self.min_query_count or budget.pick(quick=50, standard=500, full=1024)
        span_s = d["min_duration_s"]  # Server: the schedule spans max(duration, count / rate)
        if self.scenario is Scenario.SERVER:
            span_s = max(span_s, d["min_query_count"] / self.target_qps)
        d["max_duration_s"] = self.max_duration_s or 5 * span_s + 10.0
        if self.scenario is Scenario.SERVER and self.max_outstanding is None:
            d["max_outstanding"] = int(max(100, 10 * self.target_qps * self.target_latency_s))
        return d


def server_schedule(settings: Settings) -> np.ndarray:
    """The Server scenario's arrival times (s from the start) for ``settings``.

    Like LoadGen, the run covers both ``min_duration_s`` and ``min_query_count``: it schedules
    ``n = max(min_query_count, ceil(target_qps * min_duration_s))`` queries, the last one at
    ``n / target_qps`` seconds (at least ``min_duration_s``) and the others placed before it as a
    Poisson process given that count (:func:`simlib.queueing.arrivals.poisson_given_count`).
    So ``n`` queries over ``n / target_qps`` seconds: the offered rate is the target (LoadGen's
    ``(n - 1) / last arrival`` is ``1/n`` below it), and the seed only moves arrivals around.
    A free-running schedule would offer ``target x (1 +- 1/sqrt(n))``, the same error on every
    run with the same seed.

    >>> s = server_schedule(Settings("server", target_qps=200.0, min_duration_s=1.0, min_query_count=50))
    >>> s.size, float(s[-1]), float(s.size / s[-1])
    (200, 1.0, 200.0)
    """
    from simlib.queueing.arrivals import poisson_given_count

    eff = settings.effective()
    n = max(int(eff["min_query_count"]), math.ceil(settings.target_qps * eff["min_duration_s"] - 1e-9))
    return poisson_given_count(np.random.default_rng(settings.schedule_seed), settings.target_qps, n=n)


class RunResult(Result):
    """A load-generator :class:`Result` with a verdict and an mlperf_log_summary-style text."""

    @property
    def valid(self) -> bool:
        return self.metrics.get("verdict") == "VALID"

    @property
    def latency_bound_s(self) -> float | None:
        """The Server scenario's p99 bound (s) the verdict used; None in other scenarios."""
        m = self.metrics
        return m.get("latency_bound_s", m.get("target_latency_s"))

    @property
    def summary(self) -> dict[str, Any]:
        """:attr:`Result.summary` plus the run's verdict, achieved and offered rates (queries/s)."""
        m, out = self.metrics, dict(super().summary)
        out.update(verdict=m.get("verdict"), throughput_qps=m.get("qps_completed"),
                   qps=m.get("qps", m.get("target_qps")), latency_bound_s=self.latency_bound_s)
        if m.get("throughput_sps") is not None:
            out["throughput_samples_per_s"] = m["throughput_sps"]
        return out

    def _rows(self) -> list[tuple[str, str]]:
        b = self.latency_bound_s
        judged = (f"against the p99 latency bound {format_time(b)}" if b is not None
                  else "(run rules only: this scenario has no latency bound)")
        return [("verdict", f"{self.metrics.get('verdict')} {judged}")] + super()._rows()

    def summary_text(self) -> str:
        m, eff = self.metrics, self.settings.get("effective", {})
        lines = ["=" * 52, "simlib load generator: results summary", "=" * 52,
                 f"SUT name : {m.get('sut')}", f"Scenario : {m.get('scenario')}",
                 "Mode     : PerformanceOnly"]
        sc = m.get("scenario")
        if sc == "singlestream":
            lines.append(f"90th percentile latency (ns) : {int(m['tail_latency_s'] * 1e9)}")
        elif sc == "multistream":
            lines.append(f"99th percentile latency (ns) : {int(m['tail_latency_s'] * 1e9)}")
        elif sc == "server":
            lines.append(f"Scheduled samples per second : {m['qps_scheduled']:.2f}")
            lines.append(f"Target samples per second    : {m['target_qps']:.2f}")
        else:
            lines.append(f"Samples per second: {m['throughput_sps']:.2f}")
        lines.append(f"Result is : {m['verdict']}")
        if m.get("early_stopping"):
            es = m["early_stopping"]
            lines.append(f"  Early stopping satisfied : {'Yes' if es['passed'] else 'NO'}  ({es['detail']})")
        for c in m.get("constraints", []):
            lines.append(f"  {c['name']} satisfied : {'Yes' if c['ok'] else 'NO'}  ({c['detail']})")
        lines += ["", "=" * 52, "Additional Stats", "=" * 52]
        if sc in ("server",):
            lines.append(f"Completed samples per second    : {m['qps_completed']:.2f}")
        lat = self.samples_s
        if lat.size:
            for p in (50, 90, 95, 97, 99, 99.9):
                lines.append(f"{p:g} percentile latency (ns) : {int(percentile(lat, p) * 1e9)}")
            lines.append(f"Mean latency (ns)               : {int(np.mean(lat) * 1e9)}")
            ci = m.get("tail_latency_ci_s")
            if ci:
                lines.append(f"{m['tail_percentile']:g} percentile 95% CI (ns) : {int(ci[0] * 1e9)} to {int(ci[1] * 1e9)}")
            if m.get("ci_method"):
                lines.append(f"Range method                 : {m['ci_method']}")
                lines.append(f"Effective sample size           : {m['tail_latency_ess']:.0f} of {len(lat)} "
                             f"(for the {m['tail_percentile']:g} percentile)")
        lines += ["", "=" * 52, "Test Parameters Used", "=" * 52]
        lines += [f"{k} : {v}" for k, v in eff.items()]
        if self.all_warnings:
            lines += ["", "Warnings:"] + [f"  {w}" for w in self.all_warnings]
        return "\n".join(lines)

    def headline(self) -> str:
        m = self.metrics
        s = f"{self.name} [{self.kind}] {m.get('verdict')}: "
        if m.get("scenario") == "offline":
            s += f"{m['throughput_sps']:.1f} samples/s"
        else:
            ci = m.get("tail_latency_ci_s")
            s += (f"p50 {format_time(m['p50_s'])}, p{m['tail_percentile']:g} {format_time(m['tail_latency_s'])}"
                  + (f" (95% CI {format_time(ci[0])} to {format_time(ci[1])})" if ci else "")
                  + f", {m['qps_completed']:.1f} queries/s")
            if m.get("scenario") == "server":
                s += f" (scheduled {m['qps_scheduled']:.1f}, target {m['target_qps']:g})"
            elif (m.get("early_stopping") or {}).get("estimate_s") is not None:
                s += f" (early-stopping estimate {format_time(m['early_stopping']['estimate_s'])})"
        if m.get("ci_method"):
            return s + f", n={m.get('queries')} (effective {m['tail_latency_ess']:.0f}; {m['ci_method']})"
        return s + f", n={m.get('queries')}"


@dataclass
class _Log:
    scheduled: list[float] = field(default_factory=list)
    issued: list[float] = field(default_factory=list)
    sample_ids: list[list[int]] = field(default_factory=list)


def _sample_library(sut, n: int) -> int:
    lib = getattr(sut, "samples", None)
    return len(lib) if lib is not None else n


def run_scenario(sut, settings: Settings, *, progress: bool | None = None, name: str | None = None,
                 system: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> RunResult:
    """Run one scenario against ``sut``; returns a :class:`RunResult` (per-query log in ``extra``)."""
    from tqdm.auto import tqdm

    eff = settings.effective()
    sc = settings.scenario
    n_lib = _sample_library(sut, settings.performance_sample_count)
    idx_rng = np.random.default_rng(settings.sample_index_seed)
    done_t: dict[int, float] = {}
    cv = threading.Condition()
    pc = time.perf_counter

    def on_complete(ids: list[int], t: float) -> None:
        with cv:
            for i in ids:
                done_t[i] = t
            cv.notify_all()

    log, warnings, next_id = _Log(), [], 0
    sut.start(on_complete)
    t_start = pc()
    deadline = t_start + eff["max_duration_s"]
    stopped_early = None
    if progress is None:  # a live notebook or a terminal: yes; a book build or a log file: no
        import sys

        from simlib.frontend import interactive_frontend

        progress = interactive_frontend() or sys.stderr.isatty()
    bar = tqdm(desc=f"{sc.value}", unit="q", disable=not progress, leave=False)
    try:
        if sc in (Scenario.SINGLE_STREAM, Scenario.MULTI_STREAM):
            k = 1 if sc is Scenario.SINGLE_STREAM else settings.samples_per_query
            last_done = t_start  # the run's duration ends at the last completion, as reported
            while True:
                now = pc()
                if (last_done - t_start >= eff["min_duration_s"] and len(log.issued) >= eff["min_query_count"]):
                    break
                if now >= deadline:
                    stopped_early = "max_duration_s reached before the minimum query count"
                    break
                ids = list(range(next_id, next_id + k))
                next_id += k
                items = [(i, int(j)) for i, j in zip(ids, idx_rng.integers(0, n_lib, k), strict=True)]
                t = pc()
                log.scheduled.append(t)
                log.issued.append(t)
                log.sample_ids.append(ids)
                sut.issue(items)
                with cv:
                    cv.wait_for(lambda ids=ids: ids[-1] in done_t and all(i in done_t for i in ids)
                                or getattr(sut, "error", None) is not None)
                if getattr(sut, "error", None) is not None:
                    raise RuntimeError(f"the SUT failed: {sut.error!r}") from sut.error
                last_done = max(last_done, *(done_t[i] for i in ids))
                bar.update(1)
        elif sc is Scenario.SERVER:
            rel = server_schedule(settings)
            n = int(rel.size)
            sched = t_start + 0.001 + rel  # LoadGen also starts the clock just before
            eff["scheduled_queries"] = n
            lib_idx = idx_rng.integers(0, n_lib, n)
            for q in range(n):
                ts = float(sched[q])
                wait = ts - pc()
                if wait > 0:
                    time.sleep(wait)
                outstanding = q - len(done_t)
                if outstanding > eff["max_outstanding"]:
                    stopped_early = (f"the SUT fell behind: {outstanding} queries outstanding "
                                     f"(max_outstanding={eff['max_outstanding']}) after {q} of {n}")
                    break
                if pc() >= deadline:
                    stopped_early = f"max_duration_s reached after issuing {q} of {n} queries"
                    break
                log.scheduled.append(ts)
                log.issued.append(pc())
                log.sample_ids.append([q])
                sut.issue([(q, int(lib_idx[q]))])
                bar.update(1)
            next_id = len(log.issued)
        else:  # Offline
            exp = settings.offline_expected_qps or 1.5 * _probe_throughput(sut, n_lib)
            eff["offline_expected_qps"] = exp
            n = max(eff["min_query_count"], math.ceil(exp * eff["min_duration_s"] * 1.1))
            eff["offline_samples"] = n
            ids = list(range(n))
            t = pc()
            done_t.clear()
            log.scheduled.append(t)
            log.issued.append(t)
            log.sample_ids.append(ids)
            sut.issue([(i, int(j)) for i, j in zip(ids, idx_rng.integers(0, n_lib, n), strict=True)])
            next_id = n
        # drain: wait for what was issued, bounded by the deadline (plus a grace period)
        total = sum(len(s) for s in log.sample_ids)
        grace = deadline + max(5.0, eff["min_duration_s"])
        with cv:
            while len(done_t) < total and pc() < grace and getattr(sut, "error", None) is None:
                cv.wait(timeout=0.2)
        sut.flush() if len(done_t) >= total else None
    except KeyboardInterrupt:
        stopped_early = "interrupted by the user"
    finally:
        bar.close()
        sut.stop()
    if getattr(sut, "error", None) is not None:
        raise RuntimeError(f"the SUT failed during the run: {sut.error!r}") from sut.error
    return _report(sut, settings, eff, log, done_t, t_start, stopped_early, warnings, name, system, extra)


def _probe_throughput(sut, n_lib) -> float:
    """A short probe (about 0.3 s) of batch throughput; 1.5x of it sizes the Offline run
    (an overestimate issues more samples, so the run lasts min_duration_s even if the machine
    turns out faster than the probe; LoadGen advises the same: "increase expected QPS")."""
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        ids = list(range(10**9 + n, 10**9 + n + 16))
        sut.issue([(i, i % n_lib) for i in ids])
        sut.flush()
        n += 16
    return n / (time.perf_counter() - t0)


def _early_stopping(sc, latencies, tail_p, settings, warnings) -> dict[str, Any] | None:
    """LoadGen's early-stopping rule (simlib.measure.early_stopping), reported beside the raw
    percentile. LoadGen makes it a constraint of the verdict; our budget-shortened runs only
    report it, and warn when the run is too short for it."""
    if not latencies or sc is Scenario.OFFLINE:
        return None
    if sc is Scenario.SERVER:
        es = server_early_stopping(latencies, settings.target_latency_s, tail_p)
    else:
        es = early_stopping_estimate(latencies, tail_p)
    if not es.passed:
        warnings.append(es.detail + " (MLPerf would not accept this run)")
    return asdict(es)


def _tail_interval(latencies: list[float], tail_p: float, warnings: list[str]) -> dict[str, Any]:
    """The tail percentile's 95% interval from the latencies in issue order (batch means when they are
    correlated, order statistics when they look independent), its method and effective sample size;
    a note in ``warnings`` when the run is too short for one."""
    out = {"tail_latency_ci_s": None, "ci_method": None, "tail_latency_ess": None}
    try:
        ci = percentile_ci(latencies, tail_p)
    except InvalidParameterError as err:
        if latencies:
            warnings.append(f"no interval for p{tail_p:g}: {err}")
        return out
    if ci.warning:
        warnings.append(ci.warning)
    return {"tail_latency_ci_s": [ci.low, ci.high], "ci_method": ci.method, "tail_latency_ess": ci.ess}


def _report(sut, settings, eff, log, done_t, t_start, stopped_early, warnings, name, system, extra):
    sc = settings.scenario
    sched = np.array(log.scheduled) - t_start
    issued = np.array(log.issued) - t_start
    completed, latencies, incomplete = [], [], 0
    for k, ids in enumerate(log.sample_ids):
        ts = [done_t.get(i) for i in ids]
        if any(t is None for t in ts):
            incomplete += 1
            completed.append(None)
            continue
        if sc is Scenario.OFFLINE:
            latencies.extend(t - log.scheduled[k] for t in ts)
            completed.append(max(ts) - t_start)
        else:
            completed.append(max(ts) - t_start)
            latencies.append(max(ts) - log.scheduled[k])  # from the scheduled time
    n_q = len(log.sample_ids)
    n_samples = sum(len(s) for s in log.sample_ids)
    done_times = [c for c in completed if c is not None]
    final_done = max(done_times) if done_times else float("nan")
    duration = final_done if done_times else time.perf_counter() - t_start
    tail_p = TAIL_PERCENTILE[sc] or 99.0
    lat = latencies or [float("nan")]
    m: dict[str, Any] = {
        "scenario": sc.value, "sut": getattr(sut, "name", type(sut).__name__),
        "queries": n_q, "samples": n_samples, "incomplete_queries": incomplete,
        "duration_s": duration, "tail_percentile": tail_p,
        "p50_s": percentile(lat, 50) if latencies else None,
        "p90_s": percentile(lat, 90) if latencies else None,
        "p99_s": percentile(lat, 99) if latencies else None,
        "tail_latency_s": percentile(lat, tail_p) if latencies else None,
        "mean_latency_s": float(np.mean(lat)) if latencies else None,
    }
    m["early_stopping"] = _early_stopping(sc, latencies, tail_p, settings, warnings)
    m.update(_tail_interval(latencies, tail_p, warnings))
    # LoadGen: qps = (count - 1) / time of the final scheduled (or completed) query
    m["qps_completed"] = (n_q - 1) / duration if n_q > 1 and duration > 0 else float("nan")
    if sc is Scenario.SERVER:
        m["target_qps"] = settings.target_qps
        m["target_latency_s"] = settings.target_latency_s
        m["qps_scheduled"] = float((n_q - 1) / sched[-1]) if n_q > 1 else float("nan")
        if not abs(m["qps_scheduled"] / settings.target_qps - 1) <= scheduled_rate_rtol(n_q):
            warnings.append(f"the run offered {m['qps_scheduled']:.4g} queries/s, not the target "
                            f"{settings.target_qps:.4g}: compare with a model at the scheduled rate "
                            "(metrics['qps_scheduled'])")
        lag = issued - sched
        m["issue_lag_p99_s"] = percentile(lag, 99) if lag.size else None
        if lag.size and percentile(lag, 99) > 0.1 * settings.target_latency_s:
            warnings.append(f"the generator issued late (p99 lag {format_time(percentile(lag, 99))}): "
                            "latency still counts from the schedule, but the machine is overloaded; "
                            "give the model fewer threads or close other programs")
    if sc is Scenario.OFFLINE:
        m["throughput_sps"] = n_samples / duration if duration > 0 else float("nan")
    else:
        m["throughput_sps"] = m["qps_completed"] * (len(log.sample_ids[0]) if log.sample_ids else 1)
    n_count = n_samples if sc is Scenario.OFFLINE else n_q
    # constraints, one per line, as LoadGen's results.cc prints them
    cons = [
        {"name": "Min duration", "ok": duration >= eff["min_duration_s"],
         "detail": f"{duration:.3g} s, needs >= {eff['min_duration_s']:g} s"},
        {"name": "Min queries" if sc is not Scenario.OFFLINE else "Min samples",
         "ok": n_count >= eff["min_query_count"] and incomplete == 0,
         "detail": f"{n_count - incomplete * (sc is not Scenario.OFFLINE)} completed (needs "
                   f">= {eff['min_query_count']}), {incomplete} incomplete"},
    ]
    if sc is Scenario.SERVER:
        p99 = m["p99_s"]
        cons.append({"name": "Latency bound (p99)", "ok": p99 is not None and p99 <= settings.target_latency_s,
                     "detail": f"p99 {format_time(p99)}, bound {format_time(settings.target_latency_s)}"})
        if n_q > 1:  # a saturated run is not a latency sample at the target load
            sat = sustained_load(sched, completed, start_s=0.0)
            m["saturated"] = sat.saturated
            cons.append({"name": "Sustained the offered load", "ok": not sat.saturated, "detail": sat.detail})
    if stopped_early:
        cons.append({"name": "Completed the schedule", "ok": False, "detail": stopped_early})
    ok = all(c["ok"] for c in cons)
    m["verdict"] = "VALID" if ok else "INVALID"
    m["constraints"] = cons
    recs = []
    if not ok:
        if sc is Scenario.SERVER:
            recs.append("lower target_qps (or raise target_latency_s): the SUT cannot meet the bound at this load")
        elif sc is Scenario.OFFLINE:
            recs.append("raise offline_expected_qps so the run lasts min_duration_s")
        else:
            recs.append("raise max_duration_s or lower min_query_count")
    warnings.extend(f"INVALID: {c['name']}: {c['detail']}" for c in cons if not c["ok"])
    warnings.extend(recs)
    if system is None:
        from simlib.sysdesc import system_description

        system = system_description()
    svc = np.array(getattr(sut, "service_log", []) or np.zeros((0, 3)))
    ex = {
        "queries": {"scheduled_s": sched.tolist(), "issued_s": issued.tolist(),
                    "completed_s": completed, "n_samples": [len(s) for s in log.sample_ids]},
        "service": {"start_s": (svc[:, 0] - t_start).tolist() if svc.size else [],
                    "service_s": (svc[:, 1] - svc[:, 0]).tolist() if svc.size else [],
                    "batch_size": svc[:, 2].astype(int).tolist() if svc.size else []},
        "sut": {"max_batch": getattr(sut, "max_batch", None),
                "batch_timeout_s": getattr(sut, "batch_timeout_s", None)},
        **(extra or {}),
    }
    return RunResult(
        name=name or f"{sc.value} on {m['sut']}", kind="measured", samples_s=latencies,
        system=system, seed=settings.schedule_seed,
        settings={"requested": {k: (v.value if isinstance(v, Scenario) else v)
                                for k, v in asdict(settings).items()}, "effective": eff},
        metrics=m, warnings=warnings, extra=ex)

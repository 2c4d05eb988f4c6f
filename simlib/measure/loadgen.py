"""A load generator with the four MLPerf scenarios, LoadGen's rules, and a reasoned verdict.

:func:`run_scenario` drives a SUT (:class:`simlib.measure.sut.BackendSUT`, or anything with
``start/issue/flush/stop``) under a frozen :class:`Settings`:

- SingleStream: closed loop, one sample per query, next query when the previous completes; p90.
- MultiStream: closed loop, 8 samples per query; a query's latency is its slowest sample; p99.
- Server: open loop, Poisson arrivals at ``qps`` from a seeded schedule that holds the
  count the rate asks for (:func:`server_schedule`), so the run offers its target; latency counts from
  the *scheduled* arrival, so a late issue or a stalled server cannot hide its queue (no
  coordinated omission); p99 against ``latency_bound_s``; scheduled and completed QPS.
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
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from simlib import budget
from simlib._validate import Range, check, invalid, validate_params
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
    qps: float | None = None  # Server: required
    latency_bound_s: float = 0.1  # Server p99 bound (LoadGen's default 100 ms)
    samples_per_query: int = MULTISTREAM_SAMPLES_PER_QUERY  # MultiStream
    offline_expected_qps: float | None = None  # Offline: None = measured by a short probe
    max_outstanding: int | None = None  # Server: stop issuing beyond this backlog
    performance_sample_count: int = 64  # size of the sample library (real inputs)
    schedule_seed: int = 0
    sample_index_seed: int = 1
    arrivals: Any = None  # Server: an arrival process for the schedule (Bursty, Trace, ...); None: Poisson

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenario", Scenario.parse(self.scenario))
        pos = Range(0, None, closed="neither", unit="s")
        check("min_duration_s", self.min_duration_s, None, pos, owner=_OWN)
        check("min_query_count", self.min_query_count, None, Range(1, None, integer=True), owner=_OWN)
        check("max_duration_s", self.max_duration_s, None, pos, owner=_OWN)
        check("qps", self.qps, None, Range(0, None, closed="neither", unit="queries/s"), owner=_OWN)
        check("latency_bound_s", self.latency_bound_s, pos, owner=_OWN)
        check("samples_per_query", self.samples_per_query, Range(1, 4096, integer=True), owner=_OWN)
        check("offline_expected_qps", self.offline_expected_qps, None, Range(0, None, closed="neither"), owner=_OWN)
        check("max_outstanding", self.max_outstanding, None, Range(1, None, integer=True), owner=_OWN)
        check("performance_sample_count", self.performance_sample_count, Range(1, None, integer=True), owner=_OWN)
        if self.arrivals is not None:
            self._check_arrivals()
        if self.scenario is Scenario.SERVER and self.qps is None:
            check("qps", None, Range(0, None, closed="neither", unit="queries/s"),
                  owner="Settings (required for the Server scenario)")

    def _check_arrivals(self) -> None:
        """An arrival process replaces the Poisson schedule, in the Server scenario only; its mean rate
        is the target (given ``qps`` must agree with it within 1%)."""
        from simlib.queueing.arrivals import ArrivalProcess

        check("arrivals", self.arrivals, None, ArrivalProcess, owner=_OWN)
        if self.scenario is not Scenario.SERVER:
            raise invalid("arrivals", f"applies only to the Server scenario, not to {self.scenario.value}",
                          "None (the scenario issues its own queries)", owner=_OWN)
        mean_qps = float(self.arrivals.qps)
        if self.qps is None:
            object.__setattr__(self, "qps", mean_qps)
        elif abs(self.qps / mean_qps - 1) > 0.01:
            raise invalid("qps", f"is {self.qps:g} but the arrival process offers {mean_qps:.4g} "
                          "queries/s on average", "None (taken from the arrivals) or their mean rate", owner=_OWN)

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values (the scenario's name, the arrival process's description)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["scenario"] = self.scenario.value
        d["arrivals"] = None if self.arrivals is None else repr(self.arrivals)
        return d

    def effective(self) -> dict[str, Any]:
        """Every setting with budget defaults filled in (what the run actually uses)."""
        d = self.as_dict()
        d["min_duration_s"] = self.min_duration_s or budget.pick(quick=1.0, standard=10.0, full=60.0)
        d["min_query_count"] = self.min_query_count or budget.pick(quick=50, standard=500, full=1024)
        span_s = d["min_duration_s"]  # Server: the schedule spans max(duration, count / rate)
        if self.scenario is Scenario.SERVER:
            span_s = max(span_s, d["min_query_count"] / self.qps)
        d["max_duration_s"] = self.max_duration_s or 5 * span_s + 10.0
        if self.scenario is Scenario.SERVER and self.max_outstanding is None:
            d["max_outstanding"] = int(max(100, 10 * self.qps * self.latency_bound_s))
        return d


def server_schedule(settings: Settings) -> np.ndarray:
    """The Server scenario's arrival times (s from the start) for ``settings``.

    Like LoadGen, the run covers both ``min_duration_s`` and ``min_query_count``: it schedules
    ``n = max(min_query_count, ceil(qps * min_duration_s))`` queries, the last one at
    ``n / qps`` seconds (at least ``min_duration_s``) and the others placed before it as a
    Poisson process given that count (:func:`simlib.queueing.arrivals.poisson_given_count`).
    So ``n`` queries over ``n / qps`` seconds: the offered rate is the target (LoadGen's
    ``(n - 1) / last arrival`` is ``1/n`` below it), and the seed only moves arrivals around.
    A free-running schedule would offer ``target x (1 +- 1/sqrt(n))``, the same error on every
    run with the same seed.

    >>> s = server_schedule(Settings("server", qps=200.0, min_duration_s=1.0, min_query_count=50))
    >>> s.size, float(s[-1]), float(s.size / s[-1])
    (200, 1.0, 200.0)
    """
    from simlib.queueing.arrivals import poisson_given_count

    eff = settings.effective()
    n = max(int(eff["min_query_count"]), math.ceil(settings.qps * eff["min_duration_s"] - 1e-9))
    rng = np.random.default_rng(settings.schedule_seed)
    if settings.arrivals is not None:  # the given process, over the same span (a trace may end sooner)
        return np.asarray(settings.arrivals.generate(rng, n=n), dtype=float)
    return poisson_given_count(rng, settings.qps, n=n)


class RunResult(Result):
    """A load-generator :class:`Result` with a verdict and an mlperf_log_summary-style text."""

    @property
    def valid(self) -> bool:
        return self.metrics.get("verdict") == "VALID"

    @property
    def latency_bound_s(self) -> float | None:
        """The Server scenario's p99 bound (s) the verdict used; None in other scenarios."""
        m = self.metrics
        return m.get("latency_bound_s", m.get("target_latency_s"))  # results saved before the rename

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
            lines.append(f"Target samples per second    : {m['qps']:.2f}")
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
                s += f" (scheduled {m['qps_scheduled']:.1f}, target {m['qps']:g})"
            elif (m.get("early_stopping") or {}).get("estimate_s") is not None:
                s += f" (early-stopping estimate {format_time(m['early_stopping']['estimate_s'])})"
        if m.get("ci_method"):
            return s + f", n={m.get('queries')} (effective {m['tail_latency_ess']:.0f}; {m['ci_method']})"
        return s + f", n={m.get('queries')}"


@dataclass
class _Log:
    """What the scenario issued, in run-relative seconds (one entry per query)."""

    scheduled: list[float] = field(default_factory=list)
    issued: list[float] = field(default_factory=list)
    sample_ids: list[list[int]] = field(default_factory=list)


# --- what a scenario asks of the clock ---------------------------------------------------------
# Each scenario is written once, as a generator of these requests; a wall clock (threads and
# time.perf_counter, for a real SUT) or a simulated clock (SimPy, for a SimulatedSUT) answers them.
# Every time is in seconds from the start of the run.

_NOW = "now"  # -> the current time
_COMPLETED = "completed"  # -> how many samples have completed


@dataclass(frozen=True)
class _SleepUntil:
    """Wait until ``t_s`` (no wait if it has passed) -> the current time."""

    t_s: float


@dataclass(frozen=True)
class _Issue:
    """Hand ``items`` ((sample_id, sample_index) pairs) to the SUT now -> the issue time."""

    items: list[tuple[int, int]]


@dataclass(frozen=True)
class _WaitFor:
    """Wait until every sample in ``ids`` has completed -> the last one's completion time."""

    ids: list[int]


def _closed_loop(settings: Settings, eff: dict[str, Any], log: _Log, idx_rng, n_lib: int):
    """SingleStream (one sample) and MultiStream (``samples_per_query``): the next query is issued
    when the previous one completes, until both the minimum duration and query count are met."""
    k = 1 if settings.scenario is Scenario.SINGLE_STREAM else settings.samples_per_query
    last_done, next_id = 0.0, 0  # the run's duration ends at the last completion, as reported
    while True:
        now = yield _NOW
        if last_done >= eff["min_duration_s"] and len(log.issued) >= eff["min_query_count"]:
            return None
        if now >= eff["max_duration_s"]:
            return "max_duration_s reached before the minimum query count"
        ids = list(range(next_id, next_id + k))
        next_id += k
        items = [(i, int(j)) for i, j in zip(ids, idx_rng.integers(0, n_lib, k), strict=True)]
        t = yield _Issue(items)
        log.scheduled.append(t)
        log.issued.append(t)
        log.sample_ids.append(ids)
        last_done = max(last_done, (yield _WaitFor(ids)))


def _server(settings: Settings, eff: dict[str, Any], log: _Log, idx_rng, n_lib: int):
    """Server: queries issued at the Poisson schedule's times, whatever the SUT is doing; issuing
    stops when ``max_outstanding`` queries wait or ``max_duration_s`` passes."""
    sched = 0.001 + server_schedule(settings)  # LoadGen also starts the clock just before
    n = int(sched.size)
    eff["scheduled_queries"] = n
    lib_idx = idx_rng.integers(0, n_lib, n)
    for q in range(n):
        yield _SleepUntil(float(sched[q]))
        outstanding = q - (yield _COMPLETED)
        if outstanding > eff["max_outstanding"]:
            return (f"the SUT fell behind: {outstanding} queries outstanding "
                    f"(max_outstanding={eff['max_outstanding']}) after {q} of {n}")
        if (yield _NOW) >= eff["max_duration_s"]:
            return f"max_duration_s reached after issuing {q} of {n} queries"
        log.scheduled.append(float(sched[q]))
        log.issued.append((yield _Issue([(q, int(lib_idx[q]))])))
        log.sample_ids.append([q])
    return None


def _offline(settings: Settings, eff: dict[str, Any], log: _Log, idx_rng, n_lib: int):
    """Offline: every sample issued at once, enough of them to last ``min_duration_s`` at 1.5x the
    throughput a short probe finds (or ``offline_expected_qps``)."""
    exp = settings.offline_expected_qps or 1.5 * (yield from _probe_throughput(n_lib))
    eff["offline_expected_qps"] = exp
    n = max(eff["min_query_count"], math.ceil(exp * eff["min_duration_s"] * 1.1))
    eff["offline_samples"] = n
    ids = list(range(n))
    t = yield _Issue([(i, int(j)) for i, j in zip(ids, idx_rng.integers(0, n_lib, n), strict=True)])
    log.scheduled.append(t)
    log.issued.append(t)
    log.sample_ids.append(ids)
    return None


def _probe_throughput(n_lib: int, probe_s: float = 0.3, max_samples: int = 4096):
    """Batch throughput (samples/s) over about ``probe_s`` seconds (at most ``max_samples``); 1.5x of
    it sizes the Offline run (an overestimate issues more samples, so the run lasts min_duration_s
    even if the SUT turns out faster than the probe; LoadGen advises the same: "increase expected QPS")."""
    n = 0
    t0 = now = yield _NOW
    while now - t0 < probe_s and n < max_samples:
        ids = list(range(10**9 + n, 10**9 + n + 16))
        yield _Issue([(i, i % n_lib) for i in ids])
        now = yield _WaitFor(ids)
        n += 16
    return n / max(now - t0, 1e-9)


_SCENARIOS = {Scenario.SINGLE_STREAM: _closed_loop, Scenario.MULTI_STREAM: _closed_loop,
              Scenario.SERVER: _server, Scenario.OFFLINE: _offline}


# --- the two clocks ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Clocked:
    """What a clock hands the report: each sample's completion time (s from the start), why the run
    stopped early (None if it did not), when it ended (s), and the start on the SUT's own clock (s),
    which ``service_log`` times are measured from."""

    done_s: dict[int, float]
    stopped_early: str | None
    end_s: float
    origin_s: float


def _sut_error(sut) -> BaseException | None:
    return getattr(sut, "error", None)


def _on_wall_clock(sut, driver, bar, grace_s: float) -> _Clocked:
    """Run ``driver`` against a real SUT on ``time.perf_counter``; the SUT completes samples from its
    own thread."""
    done_t: dict[int, float] = {}
    cv = threading.Condition()
    pc = time.perf_counter
    issued: list[int] = []

    def on_complete(ids: list[int], t: float) -> None:
        with cv:
            for i in ids:
                done_t[i] = t - t0
            cv.notify_all()

    def finished(ids) -> bool:
        return all(i in done_t for i in ids) or _sut_error(sut) is not None

    sut.start(on_complete)
    t0 = pc()
    stopped, reply = None, None
    try:
        while True:
            try:
                cmd = driver.send(reply)
            except StopIteration as stop:
                stopped = stop.value
                break
            if cmd is _NOW:
                reply = pc() - t0
            elif cmd is _COMPLETED:
                reply = len(done_t)
            elif isinstance(cmd, _SleepUntil):
                if (wait := cmd.t_s - (pc() - t0)) > 0:
                    time.sleep(wait)
                reply = pc() - t0
            elif isinstance(cmd, _Issue):
                reply = pc() - t0
                issued.extend(i for i, _ in cmd.items)
                sut.issue(cmd.items)
                bar.update(1)
            else:  # _WaitFor
                with cv:
                    cv.wait_for(lambda ids=cmd.ids: finished(ids))
                if _sut_error(sut) is not None:
                    raise RuntimeError(f"the SUT failed: {sut.error!r}") from sut.error
                reply = max(done_t[i] for i in cmd.ids)
        with cv:  # drain what was issued, bounded by the grace period
            while not finished(issued) and pc() - t0 < grace_s:
                cv.wait(timeout=0.2)
        sut.flush() if all(i in done_t for i in issued) else None
    except KeyboardInterrupt:
        stopped = "interrupted by the user"
    finally:
        bar.close()
        sut.stop()
    if _sut_error(sut) is not None:
        raise RuntimeError(f"the SUT failed during the run: {sut.error!r}") from sut.error
    return _Clocked(done_t, stopped, pc() - t0, origin_s=t0)


class _SimulatedClock:
    """Answers a scenario's clock requests in a SimPy environment, for a
    :class:`~simlib.queueing.sut.SimulatedSUT` (the same requests :func:`_on_wall_clock` answers)."""

    def __init__(self, sut) -> None:
        import simpy

        self.env, self.sut = simpy.Environment(), sut
        self.done_s: dict[int, float] = {}
        self.issued: list[int] = []
        self._waiters: list[tuple[set[int], Any]] = []

    def on_complete(self, ids: list[int], t: float) -> None:
        for i in ids:
            self.done_s[i] = t
        for remaining, ev in list(self._waiters):
            remaining.difference_update(ids)
            if not remaining:
                self._waiters.remove((remaining, ev))
                ev.succeed()

    def completion_of(self, ids):
        """An event that fires when every sample in ``ids`` has completed (None if all have)."""
        remaining = {i for i in ids if i not in self.done_s}
        if not remaining:
            return None
        ev = self.env.event()
        self._waiters.append((remaining, ev))
        return ev

    def answer(self, driver):
        """A SimPy process that feeds ``driver`` its answers; its value is why the run stopped early."""
        env, reply = self.env, None
        while True:
            try:
                cmd = driver.send(reply)
            except StopIteration as stop:
                return stop.value
            if cmd is _NOW:
                reply = env.now
            elif cmd is _COMPLETED:
                reply = len(self.done_s)
            elif isinstance(cmd, _SleepUntil):
                if cmd.t_s > env.now:
                    yield env.timeout(cmd.t_s - env.now)
                reply = env.now
            elif isinstance(cmd, _Issue):
                reply = env.now
                self.issued.extend(i for i, _ in cmd.items)
                self.sut.issue(cmd.items)
            else:  # _WaitFor
                if (ev := self.completion_of(cmd.ids)) is not None:
                    yield ev
                reply = max(self.done_s[i] for i in cmd.ids)


def _on_simulated_clock(sut, driver, bar, grace_s: float) -> _Clocked:
    """Run ``driver`` against a :class:`~simlib.queueing.sut.SimulatedSUT` in simulated time."""
    clock = _SimulatedClock(sut)
    sut.start(clock.on_complete, clock.env)
    try:
        run = clock.env.process(clock.answer(driver))
        clock.env.run(until=run)
        if (ev := clock.completion_of(clock.issued)) is not None:  # drain, bounded by the grace period
            clock.env.run(until=clock.env.any_of([ev, clock.env.timeout(max(grace_s - clock.env.now, 0.0))]))
        bar.update(len(clock.issued))
    finally:
        bar.close()
        sut.stop()
    return _Clocked(clock.done_s, run.value, clock.env.now, origin_s=0.0)


def _check_simulated_size(settings: Settings, eff: dict[str, Any], sut) -> None:
    """Refuse a simulated run larger than the budget allows, naming the setting that makes it large
    (an estimate of the samples it issues: the count rule or the duration rule, whichever is longer)."""
    from simlib import limits

    sc, count = settings.scenario, float(eff["min_query_count"])
    per_query = settings.samples_per_query if sc is Scenario.MULTI_STREAM else 1
    if sc is Scenario.SERVER:
        by_duration = settings.qps * eff["min_duration_s"]
    elif sc is Scenario.OFFLINE:  # 1.5x the capacity, 1.1x the duration (see _offline)
        capacity = sut.cfg.servers * sut.cfg.max_batch / max(sut.service.mean_batch_s(sut.cfg.max_batch), 1e-12)
        by_duration = 1.65 * capacity * eff["min_duration_s"]
    else:  # a closed loop: one query at a time
        by_duration = eff["min_duration_s"] / max(sut.service.mean_batch_s(1) * per_query, 1e-12)
    parameter = "min_query_count" if count >= by_duration else "min_duration_s"
    limits.check_work("simpy_requests", per_query * max(count, by_duration), owner="run_scenario",
                      parameter=parameter)


@validate_params({"settings": Settings})
def run_scenario(sut, settings: Settings, *, progress: bool | None = None, name: str | None = None,
                 system: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> RunResult:
    """Run one scenario against ``sut``; returns a :class:`RunResult` (per-query log in ``extra``).

    ``sut`` is a real system (:class:`~simlib.measure.sut.BackendSUT`, or anything with
    ``start/issue/flush/stop``), measured on the wall clock, or a
    :class:`~simlib.queueing.sut.SimulatedSUT`, run on a simulated clock (``kind`` "modeled"). The
    scenario, the run rules, the checks and the report are the same for both.
    """
    from tqdm.auto import tqdm

    eff = settings.effective()
    simulated = getattr(sut, "clock", "wall") == "simulated"
    if simulated:
        _check_simulated_size(settings, eff, sut)
    if progress is None:  # a live notebook or a terminal: yes; a book build or a log file: no
        import sys

        from simlib.frontend import interactive_frontend

        progress = interactive_frontend() or sys.stderr.isatty()
    log = _Log()
    driver = _SCENARIOS[settings.scenario](settings, eff, log, np.random.default_rng(settings.sample_index_seed),
                                           _sample_library(sut, settings.performance_sample_count))
    bar = tqdm(desc=settings.scenario.value, unit="q", disable=not progress, leave=False)
    grace_s = eff["max_duration_s"] + max(5.0, eff["min_duration_s"])
    clock = _on_simulated_clock if simulated else _on_wall_clock
    run = clock(sut, driver, bar, grace_s)
    if simulated and system is None:
        system = sut.describe()
    return _report(sut, settings, eff, log, run, name, system, extra, kind="modeled" if simulated else "measured")


def _sample_library(sut, n: int) -> int:
    lib = getattr(sut, "samples", None)
    return len(lib) if lib is not None else n


def _early_stopping(sc, latencies, tail_p, settings, warnings) -> dict[str, Any] | None:
    """LoadGen's early-stopping rule (simlib.measure.early_stopping), reported beside the raw
    percentile. LoadGen makes it a constraint of the verdict; our budget-shortened runs only
    report it, and warn when the run is too short for it."""
    if not latencies or sc is Scenario.OFFLINE:
        return None
    if sc is Scenario.SERVER:
        es = server_early_stopping(latencies, settings.latency_bound_s, tail_p)
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


def _query_outcomes(sc: Scenario, log: _Log, done_s: dict[int, float]):
    """Per query: its completion time (None if incomplete); per latency sample: seconds from the
    *scheduled* issue (no coordinated omission; Offline has one latency per sample)."""
    completed, latencies, incomplete = [], [], 0
    for k, ids in enumerate(log.sample_ids):
        ts = [done_s.get(i) for i in ids]
        if any(t is None for t in ts):
            incomplete += 1
            completed.append(None)
            continue
        completed.append(max(ts))
        if sc is Scenario.OFFLINE:
            latencies.extend(t - log.scheduled[k] for t in ts)
        else:
            latencies.append(max(ts) - log.scheduled[k])
    return completed, latencies, incomplete


def _latency_metrics(latencies: list[float], tail_p: float) -> dict[str, Any]:
    """p50, p90, p99, the scenario's tail percentile and the mean (s); None without latencies."""
    pick = {"p50_s": 50, "p90_s": 90, "p99_s": 99, "tail_latency_s": tail_p}
    out: dict[str, Any] = {k: (percentile(latencies, p) if latencies else None) for k, p in pick.items()}
    out["mean_latency_s"] = float(np.mean(latencies)) if latencies else None
    return out


def _server_metrics(settings: Settings, sched: np.ndarray, issued: np.ndarray, warnings: list[str]) -> dict[str, Any]:
    """The Server scenario's offered rate (LoadGen's scheduled QPS) and how late queries were issued."""
    n_q = sched.size
    m: dict[str, Any] = {"qps": settings.qps, "latency_bound_s": settings.latency_bound_s,
                         "qps_scheduled": float((n_q - 1) / sched[-1]) if n_q > 1 else float("nan")}
    if not abs(m["qps_scheduled"] / settings.qps - 1) <= scheduled_rate_rtol(n_q):
        warnings.append(f"the run offered {m['qps_scheduled']:.4g} queries/s, not the target "
                        f"{settings.qps:.4g}: compare with a model at the scheduled rate "
                        "(metrics['qps_scheduled'])")
    lag = issued - sched
    m["issue_lag_p99_s"] = percentile(lag, 99) if lag.size else None
    if lag.size and m["issue_lag_p99_s"] > 0.1 * settings.latency_bound_s:
        warnings.append(f"the generator issued late (p99 lag {format_time(m['issue_lag_p99_s'])}): "
                        "latency still counts from the schedule, but the machine is overloaded; "
                        "give the model fewer threads or close other programs")
    return m


def _constraints(settings: Settings, eff: dict[str, Any], m: dict[str, Any], sched: np.ndarray,
                 completed: list, stopped_early: str | None) -> list[dict[str, Any]]:
    """The run's constraints, one per line as LoadGen's results.cc prints them: name, ok, detail."""
    sc, duration, incomplete = settings.scenario, m["duration_s"], m["incomplete_queries"]
    n_count = m["samples"] if sc is Scenario.OFFLINE else m["queries"]
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
        cons.append({"name": "Latency bound (p99)", "ok": p99 is not None and p99 <= settings.latency_bound_s,
                     "detail": f"p99 {format_time(p99)}, bound {format_time(settings.latency_bound_s)}"})
        if m["queries"] > 1:  # a saturated run is not a latency sample at the target load
            sat = sustained_load(sched, completed, start_s=0.0)
            m["saturated"] = sat.saturated
            cons.append({"name": "Sustained the offered load", "ok": not sat.saturated, "detail": sat.detail})
    if stopped_early:
        cons.append({"name": "Completed the schedule", "ok": False, "detail": stopped_early})
    return cons


_ADVICE = {Scenario.SERVER: "lower qps (or raise latency_bound_s): the SUT cannot meet the bound at this load",
           Scenario.OFFLINE: "raise offline_expected_qps so the run lasts min_duration_s",
           Scenario.SINGLE_STREAM: "raise max_duration_s or lower min_query_count",
           Scenario.MULTI_STREAM: "raise max_duration_s or lower min_query_count"}


def _per_query_log(sut, log: _Log, completed: list, origin_s: float, extra: dict[str, Any] | None) -> dict[str, Any]:
    """``RunResult.extra``: each query's schedule, issue and completion, and each batch's service."""
    svc = np.array(getattr(sut, "service_log", []) or np.zeros((0, 3)))
    return {
        "queries": {"scheduled_s": list(log.scheduled), "issued_s": list(log.issued),
                    "completed_s": completed, "n_samples": [len(s) for s in log.sample_ids]},
        "service": {"start_s": (svc[:, 0] - origin_s).tolist() if svc.size else [],
                    "service_s": (svc[:, 1] - svc[:, 0]).tolist() if svc.size else [],
                    "batch_size": svc[:, 2].astype(int).tolist() if svc.size else []},
        "sut": {"max_batch": getattr(sut, "max_batch", None),
                "batch_timeout_s": getattr(sut, "batch_timeout_s", None)},
        **(extra or {}),
    }


def _report(sut, settings, eff, log, run: _Clocked, name, system, extra, *, kind) -> RunResult:
    """The run's metrics, constraints, verdict and per-query log (every time in run-relative s)."""
    sc, warnings = settings.scenario, []
    sched, issued = np.array(log.scheduled), np.array(log.issued)
    completed, latencies, incomplete = _query_outcomes(sc, log, run.done_s)
    n_q, n_samples = len(log.sample_ids), sum(len(s) for s in log.sample_ids)
    done_times = [c for c in completed if c is not None]
    # Offline counts from its one query's issue, after the throughput probe; the others from the start
    origin_s = float(sched[0]) if sc is Scenario.OFFLINE and sched.size else 0.0
    duration = (max(done_times) if done_times else run.end_s) - origin_s
    tail_p = TAIL_PERCENTILE[sc] or 99.0
    m: dict[str, Any] = {"scenario": sc.value, "sut": getattr(sut, "name", type(sut).__name__),
                         "queries": n_q, "samples": n_samples, "incomplete_queries": incomplete,
                         "duration_s": duration, "tail_percentile": tail_p, **_latency_metrics(latencies, tail_p)}
    m["early_stopping"] = _early_stopping(sc, latencies, tail_p, settings, warnings)
    m.update(_tail_interval(latencies, tail_p, warnings))
    # LoadGen: qps = (count - 1) / time of the final scheduled (or completed) query
    m["qps_completed"] = (n_q - 1) / duration if n_q > 1 and duration > 0 else float("nan")
    if sc is Scenario.SERVER:
        m.update(_server_metrics(settings, sched, issued, warnings))
    if sc is Scenario.OFFLINE:
        m["throughput_sps"] = n_samples / duration if duration > 0 else float("nan")
    else:
        m["throughput_sps"] = m["qps_completed"] * (len(log.sample_ids[0]) if log.sample_ids else 1)
    cons = _constraints(settings, eff, m, sched, completed, run.stopped_early)
    ok = all(c["ok"] for c in cons)
    m["verdict"], m["constraints"] = ("VALID" if ok else "INVALID"), cons
    warnings.extend(f"INVALID: {c['name']}: {c['detail']}" for c in cons if not c["ok"])
    if not ok:
        warnings.append(_ADVICE[sc])
    if system is None:
        from simlib.sysdesc import system_description

        system = system_description()
    return RunResult(
        name=name or f"{sc.value} on {m['sut']}", kind=kind, samples_s=latencies,
        system=system, seed=settings.schedule_seed,
        settings={"requested": settings.as_dict(), "effective": eff},
        metrics=m, warnings=warnings, extra=_per_query_log(sut, log, completed, run.origin_s, extra))

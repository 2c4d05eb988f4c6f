"""Measured versus modeled: calibrate the serving simulator on real service times, then compare.

:func:`compare` (and ``simlib compare``):

1. measures isolated service times with a SingleStream run (and the batch cost curve);
2. sets capacity = 1 / mean isolated service time;
3. at each utilization (e.g. 0.3, 0.5, 0.7, 0.85 of capacity) runs the real Server scenario and
   the simulator (:func:`simlib.queueing.simulate`) on the *same* arrival timestamps
   (:class:`~simlib.queueing.Trace`), calibrated two ways: from the isolated service times, and
   from the service times observed inside that Server run (in situ,
   :func:`effective_service_times`: per-request server time derived from departures, which
   includes queue hand-off and thread scheduling, not only the model call);
4. reports measured and modeled p50, p99 and throughput with relative errors, and energy
   (measured where a meter exists, modeled always, each labeled).

The two calibrations separate two explanations of a gap. If the in-situ model matches and the
isolated one does not, queueing theory is fine: service got slower under load (interference from
the load generator's thread, other processes, caches, frequency). The report states the ratio.

>>> c = compare("digits", utilizations=(0.3,), duration_s=0.3)  # doctest: +SKIP
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import budget, limits
from simlib._validate import Options, Range, check, invalid
from simlib.batch_means import lag1_autocorr, percentile_ci
from simlib.measure.backends import BACKENDS, open_backend
from simlib.measure.loadgen import Settings, run_scenario
from simlib.measure.meters import auto_meter, energy_fields
from simlib.measure.modulated import fit_two_state, replay
from simlib.measure.result import save_json
from simlib.measure.saturation import completion_times
from simlib.measure.sut import BackendSUT
from simlib.measure.timer import time_callable
from simlib.models.registry import MODELS, model_info
from simlib.protocol import ResultDisplay, given_settings
from simlib.stats import InvalidParameterError, percentile
from simlib.table import Table

__all__ = ["Comparison", "RECORD_KEYS", "compare", "effective_service_times"]


def _rel(model: float, meas: float) -> float | None:
    return None if not meas else (model - meas) / meas


def _ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.0%}"


def _offered_qps(row: dict[str, Any]) -> float:
    """A row's offered rate (queries/s): ``qps``, or ``qps`` in rows saved before the rename."""
    return row.get("qps", row.get("qps", float("nan")))


#: The CLI's columns (``simlib compare --json``), one dict per load: :meth:`Comparison.records`.
RECORD_KEYS = ("utilization", "qps", "measured_qps", "verdict", "saturated", "measured_p50_ms",
               "modeled_p50_ms", "measured_p99_ms", "measured_p99_ci_ms", "ci_method", "measured_p99_ess",
               "measured_requests", "modeled_p99_ms", "p99_rel_error", "modeled_insitu_p99_ms",
               "p99_rel_error_insitu", "modeled_twostate_p99_ms", "p99_rel_error_twostate", "modeled_qps")


@dataclass(repr=False)
class Comparison(ResultDisplay):
    """Rows of measured and modeled numbers per load, with the calibration and the explanation.

    ``rows`` keep milliseconds (they are the table's columns); :attr:`summary` is SI. ``settings``
    is ``{"requested": ..., "effective": ...}``; a flat dict (a file saved before the result
    protocol) is read as both.
    """

    rows: list[dict[str, Any]]
    calibration: dict[str, Any]
    findings: list[str]
    settings: dict[str, Any]
    system: dict[str, Any]
    energy: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    kind = "comparison"

    def __post_init__(self) -> None:
        if not {"requested", "effective"} <= set(self.settings):
            self.settings = given_settings(**self.settings)

    @property
    def latency_bound_s(self) -> float | None:
        """The p99 bound (s) every Server run's verdict used."""
        eff = self.settings["effective"]
        return eff.get("latency_bound_s", eff.get("latency_bound_s"))

    @property
    def summary(self) -> dict[str, Any]:
        """Flat SI numbers (:mod:`simlib.protocol`): the calibration, the loads, the highest
        unsaturated measured throughput, and the largest p99 error of each calibration."""
        cal, rows = self.calibration, self.rows
        ok = [r["measured_qps"] for r in rows if not r.get("saturated")]

        def worst(key: str) -> float | None:
            errs = [abs(r[key]) for r in rows if r.get(key) is not None]
            return max(errs) if errs else None

        return {"loads": len(rows), "n": sum(int(r.get("measured_requests") or 0) for r in rows),
                "valid_count": sum(r.get("verdict") == "VALID" for r in rows),
                "latency_bound_s": self.latency_bound_s, "capacity_qps": cal.get("capacity_qps"),
                "isolated_service_mean_s": cal.get("isolated_service_mean_s"),
                "isolated_service_p99_s": cal.get("isolated_service_p99_s"),
                "isolated_service_cv": cal.get("isolated_service_cv"),
                "max_unsaturated_throughput_qps": max(ok) if ok else None,
                "p99_error_isolated_max_ratio": worst("p99_rel_error"),
                "p99_error_insitu_max_ratio": worst("p99_rel_error_insitu"),
                "p99_error_twostate_max_ratio": worst("p99_rel_error_twostate")}

    def _payload(self) -> dict[str, Any]:
        return {"rows": self.rows, "calibration": self.calibration, "findings": self.findings,
                "energy": self.energy, "system": self.system}

    def records(self) -> list[dict[str, Any]]:
        """The CLI's rows, one per load: measured p50/p99 (ms) and QPS, the measured p99's 95%
        interval (its method and effective sample size, of ``measured_requests``), and the p99
        predicted by each calibration (isolated, in situ, two-state from the lowest load) with its
        error."""
        return [{k: r.get(k) for k in RECORD_KEYS} for r in self.rows]

    def save(self, path=None):
        """Write JSON to ``path``, or with no path keep it in the result store (returns its id)."""
        if path is None:
            from simlib.store import keep

            return keep(self)
        return save_json(self.to_dict(), path)

    def plot(self, ax=None):
        """p99 vs utilization: measured, modeled (isolated), modeled (in situ)."""
        from matplotlib.figure import Figure

        ax = ax or Figure(figsize=(7.5, 4.8), layout="constrained").add_subplot()
        u = [r["utilization"] for r in self.rows]
        ax.plot(u, [r["measured_p99_ms"] for r in self.rows], "o-", label="measured")
        ax.plot(u, [r["modeled_p99_ms"] for r in self.rows], "s--", label="modeled (isolated service times)")
        ax.plot(u, [r["modeled_insitu_p99_ms"] for r in self.rows], "^:", label="modeled (in-situ service times)")
        ax.set_xlabel("utilization (fraction of measured capacity)")
        ax.set_ylabel("p99 latency (ms)")
        ax.legend()
        ax.set_title("Server scenario: measured vs modeled p99")
        return ax

    def hockey_stick(self, ax=None):
        """p99 against arrival rate (queries/s): the simulator's curve from the isolated service
        times (MODELED) with the measured Server runs and their in-situ models as points."""
        from simlib.queueing import Empirical
        from simlib.queueing.plot import hockey_stick, plot_every_point

        cal = self.calibration
        rates = np.linspace(0.1, 0.95, 10) * cal["capacity_qps"]
        fig = hockey_stick(Empirical(cal["isolated_service_s"]), rates, 99.0, ax=ax,
                           n_requests=budget.pick(quick=4_000, standard=20_000, full=100_000))
        ax = fig.axes[0]
        ax.lines[0].set_label("modeled, fed isolated service times")
        ok = [r for r in self.rows if not r.get("saturated")]
        sat = [r for r in self.rows if r.get("saturated")]
        if ok:
            plot_every_point(ax, [r["measured_qps"] for r in ok], [r["measured_p99_ms"] for r in ok], "D",
                             color="crimson", ms=10, label="measured (real Server runs)")
            plot_every_point(ax, [r["measured_qps"] for r in ok], [r["modeled_insitu_p99_ms"] for r in ok], "^",
                             color="tab:green", ms=10, label="modeled, fed in-run service times")
        if sat:  # drawn at the rate offered: the system could not sustain it
            plot_every_point(ax, [_offered_qps(r) for r in sat], [r["measured_p99_ms"] for r in sat], "X",
                             color="black", ms=11, label="measured, SATURATED (INVALID): offered rate not sustained")
        # measured points clipped at the top edge carry labels there: keep the legend clear of them
        ax.legend(fontsize=11, loc="center left")
        eff = self.settings["effective"]
        ax.set_title(f"p99 vs load, {eff.get('model')} on {eff.get('backend')}: "
                     "MEASURED points, MODELED curve", fontsize=12)
        return fig

    def headline(self) -> str:
        eff, s = self.settings["effective"], self.summary
        errs = ", ".join(f"{name} {v:.0%}" for name, v in (("isolated", s["p99_error_isolated_max_ratio"]),
                                                            ("in situ", s["p99_error_insitu_max_ratio"])) if v is not None)
        return (f"measured vs modeled [comparison]: {eff.get('model')} on {eff.get('backend')}, {s['loads']} loads, "
                f"{s['valid_count']} VALID against the p99 bound {self._bound_ms()}"
                + (f"; largest p99 error {errs}" if errs else ""))

    def table(self) -> str:
        """The per-load text table (ms), the measured p99 intervals, findings and warnings."""
        lines = ["measured vs modeled (Server scenario; modeled = simlib.queueing FIFO, same arrivals; "
                 f"verdict: p99 bound {self._bound_ms()})",
                 f"{'util':>5} {'qps':>8} | {'p50 meas':>9} {'model':>7} | {'p99 meas':>9} {'iso':>7} "
                 f"{'err':>6} {'in situ':>7} {'err':>6} {'2-state':>7} {'err':>6} | verdict"]
        for r in self.rows:
            lines.append(
                f"{r['utilization']:>5.2f} {r['measured_qps']:>8.1f} | {r['measured_p50_ms']:>9.3f} "
                f"{r['modeled_p50_ms']:>7.3f} | {r['measured_p99_ms']:>9.3f} {r['modeled_p99_ms']:>7.3f} "
                f"{_pct(r['p99_rel_error']):>6} {r['modeled_insitu_p99_ms']:>7.3f} "
                f"{_pct(r['p99_rel_error_insitu']):>6} {_ms(r.get('modeled_twostate_p99_ms')):>7} "
                f"{_pct(r.get('p99_rel_error_twostate')):>6} | {r['verdict']}")
        for r in self.rows:
            ci = r.get("measured_p99_ci_ms")
            if ci:
                lines.append(f"  measured p99 at {r['utilization']:.0%}: 95% CI {ci[0]:.3f} to {ci[1]:.3f} ms "
                             f"({r['ci_method']}; effective sample size {r['measured_p99_ess']:.0f} of "
                             f"{r['measured_requests']})")
        lines += [f"  finding: {f}" for f in self.findings]
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _bound_ms(self) -> str:
        bound = self.latency_bound_s
        return "unknown" if bound is None else f"{bound * 1e3:g} ms"

    def _repr_html_(self) -> str:
        """The rows as a :class:`simlib.table.Table`, then findings and warnings."""
        from simlib.stats import min_samples_for_percentile_ci

        need = min_samples_for_percentile_ci(99)

        def err(v):
            return "n/a" if v is None else f"{v:+.0%}"

        def g3(v):  # three significant digits, as every other cell of the table
            return "n/a" if v is None else f"{v:.3g}"

        def p99(r):  # a p99 from fewer queries than its interval needs is flagged where it is shown
            few = r.get("queries", need) < need
            return f"{r['measured_p99_ms']:.3g}" + (f" (only {r['queries']} queries)*" if few else "")

        table = Table(
            ["load", "offered / completed (queries/s)", "verdict", "p50 measured / modeled (ms)", "p99 measured (ms)",
             "p99 modeled: isolated", "in situ", "two-state"],
            [[f"{r['utilization']:.0%}", f"{_offered_qps(r):.1f} / {r['measured_qps']:.1f}",
              f"{r['verdict']}{' (saturated)' if r.get('saturated') else ''}",
              f"{r['measured_p50_ms']:.3g} / {r['modeled_p50_ms']:.3g}", p99(r),
              f"{r['modeled_p99_ms']:.3g} ({err(r['p99_rel_error'])})",
              f"{r['modeled_insitu_p99_ms']:.3g} ({err(r['p99_rel_error_insitu'])})",
              f"{g3(r.get('modeled_twostate_p99_ms'))} ({err(r.get('p99_rel_error_twostate'))})"] for r in self.rows],
            caption=f"Server scenario: MEASURED vs MODELED (simlib.queueing FIFO on the same arrivals); verdicts "
                    f"against a p99 bound of {self._bound_ms()}")
        notes = "".join(f"<li>{html.escape(f)}</li>" for f in self.findings)
        warns = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        foot = (f"<p>* fewer than the {need} queries a 95% interval for a p99 needs: a rough value.</p>"
                if any(r.get("queries", need) < need for r in self.rows) else "")
        return (table._repr_html_() + foot
                + (f"<p>Findings:</p><ul>{notes}</ul>" if notes else "")
                + (f"<p>Warnings:</p><ul>{warns}</ul>" if warns else ""))


def effective_service_times(issued_s, completed_s) -> np.ndarray:
    """In-run service times of a single FIFO server, from its departures (inverse Lindley):
    ``s_k = d_k - max(d_{k-1}, a_k)``. Unlike the model call alone, this includes everything the
    server spends per request: the queue hand-off, the completion callback, waiting for the GIL
    or for a core.

    >>> effective_service_times([0.0, 0.1, 0.1], [0.05, 0.15, 0.2]).round(3).tolist()
    [0.05, 0.05, 0.05]
    """
    d = _completed(completed_s)
    return np.maximum(d - service_start_times(issued_s, completed_s), 1e-9)


def _completed(completed_s) -> np.ndarray:
    d = completion_times(completed_s)
    return d[np.isfinite(d)]


def service_start_times(issued_s, completed_s) -> np.ndarray:
    """When each request's service began on a single FIFO server: ``max(d_{k-1}, a_k)`` (the
    companion of :func:`effective_service_times`, same requests in the same order)."""
    a = np.asarray(issued_s, dtype=float)[np.isfinite(completion_times(completed_s))]
    d = _completed(completed_s)
    return np.maximum(np.concatenate([[-np.inf], d[:-1]]), a)


def _add_two_state(rows: list[dict[str, Any]], runs: list, seed: int) -> dict[str, Any]:
    """Calibrate the two-state service model on the lowest load's run and predict every load's
    p99 (:mod:`simlib.measure.modulated`); adds ``modeled_twostate_p99_ms`` and its error."""
    k = int(np.argmin([r["utilization"] for r in rows]))
    q = runs[k].extra["queries"]
    try:
        fit = fit_two_state(service_start_times(q["issued_s"], q["completed_s"]),
                            effective_service_times(q["issued_s"], q["completed_s"]), seed=seed)
    except ValueError as err:  # too few requests in the calibration run
        for row in rows:
            row["modeled_twostate_p99_ms"] = row["p99_rel_error_twostate"] = None
        return {"load": rows[k]["utilization"], "model": f"not fitted: {err}"}
    for row, run in zip(rows, runs, strict=True):
        arr = np.asarray(run.extra["queries"]["scheduled_s"])
        row["modeled_twostate_p99_ms"] = fit.predict(arr, 99.0, seed=seed) * 1e3
        row["p99_rel_error_twostate"] = _rel(row["modeled_twostate_p99_ms"], row["measured_p99_ms"])
    return {"load": rows[k]["utilization"], "model": fit.describe(), "modulated": fit.modulated,
            "slow_fraction": fit.slow_fraction, "slow_factor": fit.slow_factor,
            "mean_slow_s": fit.mean_slow_s, "mean_fast_s": fit.mean_fast_s}


def _p99_interval(lat: np.ndarray, u: float, warnings: list[str]) -> dict[str, Any]:
    """The measured p99's 95% interval (ms) from latencies in arrival order: batch means when they
    are correlated (they are, in a queue), with its method and effective sample size."""
    out: dict[str, Any] = {"measured_p99_ci_ms": None, "ci_method": None, "measured_p99_ess": None,
                           "measured_requests": int(lat.size)}
    try:
        ci = percentile_ci(lat, 99)
    except InvalidParameterError as err:
        warnings.append(f"at {u:.0%}: no interval for the measured p99: {err}")
        return out
    if ci.warning:
        warnings.append(f"at {u:.0%}: {ci.warning}")
    out.update(measured_p99_ci_ms=[ci.low * 1e3, ci.high * 1e3], ci_method=ci.method, measured_p99_ess=ci.ess)
    return out


_EXPLAIN = {
    "inputs": "the gap comes from the service times themselves (the isolated ones are not those under "
              "load: interference, or a noisy isolated run), not from queueing theory",
    "correlated": "in-run service times are correlated in time: slow stretches (other processes taking "
                  "the cores) build queues that i.i.d. resampling of the same times cannot reproduce",
    "near-saturation": "near saturation the p99 is dominated by a few slow stretches and by the run's "
                       "length",
}


def _findings(rows: list[dict[str, Any]], iso_mean_s: float, iso_p99_s: float) -> list[str]:
    """One short line of numbers per load, then each explanation once, with the loads it fits."""
    lines, fits = [], {k: [] for k in _EXPLAIN}
    for row in rows:
        u = f"{row['utilization']:.0%}"
        infl = row["insitu_service_mean_ms"] / (iso_mean_s * 1e3) - 1
        comp = row["insitu_compute_mean_ms"] / (iso_mean_s * 1e3) - 1
        tail = row["insitu_service_p99_ms"] / (iso_p99_s * 1e3) - 1
        e_iso, e_in = row["p99_rel_error"], row["p99_rel_error_insitu"]
        lines.append(f"at {u}: in-run service {infl:+.0%} (mean), {tail:+.0%} (p99) vs isolated; model call "
                     f"alone {comp:+.0%}; lag-1 autocorrelation {row['insitu_service_lag1_autocorr']:.2f}; "
                     f"p99 error {e_iso:+.0%} isolated, {e_in:+.0%} in situ")
        if abs(e_in) < abs(e_iso) / 2 and abs(e_iso) > 0.15:
            fits["inputs"].append(u)
        if abs(e_in) > 0.15 and row["insitu_service_lag1_autocorr"] > 0.1:
            fits["correlated"].append(u)
        if row["utilization"] >= 0.8 and abs(e_in) > 0.15:
            fits["near-saturation"].append(u)
    lines += [f"at {', '.join(loads)}: {_EXPLAIN[k]}" for k, loads in fits.items() if loads]
    return lines


def _checked(model: str, backend: str, utilizations, duration_s: float | None,
             latency_bound_s: float) -> tuple[list[float], float]:
    """Step 0: validate the arguments; returns (utilizations as floats, run duration in s)."""
    own = "compare"
    check("latency_bound_s", latency_bound_s, Range(0, 3600, closed="right", unit="s"), owner=own)
    check("model", model, Options(MODELS), owner=own)
    check("backend", backend, Options(BACKENDS), owner=own)
    utilizations = list(utilizations)
    if not utilizations:
        raise invalid("utilizations", "is empty", "at least one fraction of capacity in (0, 1)", owner=own)
    for u in utilizations:
        check("utilizations", u, Range(0, 1, closed="neither", unit="(fraction of capacity)"), owner=own)
    check("duration_s", duration_s, None, Range(0, 3600, closed="right", unit="s"), owner=own)
    dur = duration_s if duration_s is not None else budget.pick(quick=1.0, standard=10.0, full=60.0)
    limits.check_work("wall_s", dur * (1 + len(utilizations)), owner=own, parameter="duration_s")
    return [float(u) for u in utilizations], dur


def _calibrate(b, lib, dur: float, progress: bool | None):
    """Step 1: isolated service times from a SingleStream run; returns (run, service times s)."""
    b.warmup(budget.pick(quick=20, standard=100, full=300))
    ss = run_scenario(BackendSUT(b, lib), Settings("singlestream", min_duration_s=dur),
                      progress=progress, name="isolated service times")
    return ss, np.asarray(ss.extra["service"]["service_s"])


def _batch_cost(b, system: dict[str, Any]) -> dict[int, float]:
    """Step 2: the median time (s) of one call at batch sizes 1, 2, 4 and 8 (the harness's timer)."""
    n = budget.pick(quick=10, standard=50, full=200)
    out = {}
    for bs in (1, 2, 4, 8):
        x = b.spec.sample_inputs(bs)
        r = time_callable(lambda x=x: b.infer(x), name=f"batch {bs}", warmup=2, min_samples=n,
                          max_samples=n, system=system)
        out[bs] = float(r.summary["p50_s"])
    return out


def _server_run(b, lib, u: float, qps: float, dur: float, latency_bound_s: float, seed: int,
                progress: bool | None, system: dict[str, Any], meter):
    """Step 3: the real Server run at ``qps`` (queries/s), with the meter's reading around it."""
    meter.begin()
    r = run_scenario(BackendSUT(b, lib), Settings("server", qps=qps, min_duration_s=dur,
                                                  latency_bound_s=latency_bound_s, schedule_seed=seed),
                     progress=progress, name=f"server at {u:.0%}", system=system)
    return r, meter.end()


def _modeled(r, iso: np.ndarray, seed: int) -> dict[str, Any]:
    """Step 4: the simulator on the run's own arrivals, fed isolated and in-run service times."""
    q = r.extra["queries"]
    arr = np.asarray(q["scheduled_s"])
    insitu = effective_service_times(q["issued_s"], q["completed_s"])
    compute = np.asarray(r.extra["service"]["service_s"])
    m_iso, m_in = replay(arr, iso, seed), replay(arr, insitu, seed)
    return {
        "modeled_p50_ms": m_iso.percentile(50) * 1e3, "modeled_p99_ms": m_iso.percentile(99) * 1e3,
        "modeled_qps": float(m_iso.throughput_qps),
        "modeled_insitu_p50_ms": m_in.percentile(50) * 1e3, "modeled_insitu_p99_ms": m_in.percentile(99) * 1e3,
        "modeled_insitu_qps": float(m_in.throughput_qps),
        "insitu_service_mean_ms": float(insitu.mean() * 1e3),
        "insitu_service_p99_ms": percentile(insitu, 99) * 1e3,
        "insitu_compute_mean_ms": float(compute.mean() * 1e3),
        "insitu_service_lag1_autocorr": lag1_autocorr(insitu),
        "measured_utilization": float(insitu.sum() / max(r.metrics["duration_s"], 1e-9)),
    }


def _energy(b, reading, r, precision: str) -> dict[str, Any]:
    """Measured (where a meter exists) and modeled energy per inference of one Server run."""
    info = model_info(b.spec)
    return energy_fields(reading, r.metrics["samples"], flops=info["flops_per_sample"] / 2,
                         weight_bytes=info["weight_bytes_fp32"] / (4 if precision == "int8" else 1),
                         precision=precision)


def _row(u: float, qps: float, r, iso: np.ndarray, e: dict[str, Any], seed: int,
         warnings: list[str]) -> dict[str, Any]:
    """Step 5: one load's row: measured and modeled numbers (ms), errors and the verdict."""
    lat, m = np.asarray(r.samples_s), r.metrics
    row = {"utilization": u, "qps": qps,
           "measured_p50_ms": percentile(lat, 50) * 1e3, "measured_p99_ms": percentile(lat, 99) * 1e3,
           "measured_qps": m["qps_completed"], **_modeled(r, iso, seed),
           "issue_lag_p99_ms": (m.get("issue_lag_p99_s") or 0.0) * 1e3,
           "verdict": m["verdict"], "queries": m["queries"], "saturated": bool(m.get("saturated", False)),
           "measured_j_per_inference": e["measured_j_per_inference"],
           "modeled_j_per_inference": (e.get("modeled") or {}).get("energy_j")}
    row.update(_p99_interval(lat, u, warnings))
    row["p50_rel_error"] = _rel(row["modeled_p50_ms"], row["measured_p50_ms"])
    row["p99_rel_error"] = _rel(row["modeled_p99_ms"], row["measured_p99_ms"])
    row["p99_rel_error_insitu"] = _rel(row["modeled_insitu_p99_ms"], row["measured_p99_ms"])
    row["qps_rel_error"] = _rel(row["modeled_qps"], row["measured_qps"])
    if m["verdict"] != "VALID":
        warnings.append(f"the Server run at {u:.0%} was INVALID: " + "; ".join(
            c["detail"] for c in m["constraints"] if not c["ok"]))
    return row


def _run_loads(b, lib, utilizations: list[float], capacity: float, iso: np.ndarray, *, dur: float,
               latency_bound_s: float, seed: int, precision: str, progress: bool | None,
               system: dict[str, Any], warnings: list[str]):
    """Steps 3-5 at every load; returns (rows, runs, energy fields of the last run)."""
    meter = auto_meter()
    rows, runs, e = [], [], {}
    for u in utilizations:
        r, reading = _server_run(b, lib, u, u * capacity, dur, latency_bound_s, seed, progress, system, meter)
        e = _energy(b, reading, r, precision)
        rows.append(_row(u, u * capacity, r, iso, e, seed, warnings))
        runs.append(r)
    return rows, runs, e


def _general_warnings(capacity: float, energy: dict[str, Any]) -> list[str]:
    """Step 6: what the whole comparison's reader must know (a generator-bound run, no meter)."""
    out = []
    if capacity > 2000:
        out.append(f"capacity {capacity:.0f} queries/s is beyond what a Python load generator can "
                   "issue on time (sleep granularity ~0.1 ms): the generator, not the model, is "
                   "measured; use a slower model (cnn, encoder) for this comparison")
    if energy["measured_energy_j"] is None:
        out.append("energy: no meter here; modeled J/inference only (labeled modeled)")
    return out


def compare(model: str = "cnn", backend: str = "onnxruntime", *, utilizations=(0.3, 0.5, 0.7, 0.85),
            precision: str = "fp32", duration_s: float | None = None, threads: int | None = None,
            latency_bound_s: float = 0.1, seed: int = 0, progress: bool | None = None) -> Comparison:
    """Measure, calibrate the simulator, and compare at each utilization (see module docstring).

    Each Server run's verdict uses the p99 bound ``latency_bound_s`` (s; LoadGen's default
    100 ms, the same default as :func:`simlib.measure.measure`), stated in every table.
    """
    requested = {"model": model, "backend": backend, "precision": precision, "duration_s": duration_s,
                 "utilizations": list(utilizations), "seed": seed, "threads": threads,
                 "latency_bound_s": latency_bound_s}
    utilizations, dur = _checked(model, backend, utilizations, duration_s, latency_bound_s)
    b = open_backend(backend, model, precision=precision, threads=threads)
    lib = b.spec.sample_inputs(64, seed=seed)
    warnings: list[str] = []
    try:
        ss, iso = _calibrate(b, lib, dur, progress)
        capacity = 1.0 / iso.mean()
        batch_curve = _batch_cost(b, ss.system)
        rows, runs, energy = _run_loads(b, lib, utilizations, capacity, iso, dur=dur, latency_bound_s=latency_bound_s,
                                        seed=seed, precision=precision, progress=progress, system=ss.system,
                                        warnings=warnings)
    finally:
        b.close()
    two_state = _add_two_state(rows, runs, seed)
    iso_mean, iso_p99 = float(iso.mean()), percentile(iso, 99)
    effective = {**requested, "duration_s": dur, "utilizations": utilizations, "intra_op_threads": b.threads,
                 "simulator": "simlib.queueing.simulate(Trace(measured arrivals), Empirical(service), "
                              "servers=1, FIFO, warmup_fraction=0)"}
    return Comparison(
        rows=rows,
        calibration={"isolated_service_mean_s": iso_mean, "isolated_service_p99_s": iso_p99,
                     "isolated_service_cv": float(iso.std() / iso.mean()),
                     "capacity_qps": float(capacity), "batch_cost_s": batch_curve,
                     "isolated_samples": int(iso.size), "isolated_service_s": iso.tolist(),
                     "two_state": two_state},
        findings=_findings(rows, iso_mean, iso_p99),
        settings={"requested": requested, "effective": effective},
        system=ss.system, energy={"meter": energy["meter"], "notes": energy["notes"]},
        warnings=_general_warnings(capacity, energy) + warnings)

"""What a simulation returns: :class:`SimResult`, a MODELED result with its provenance.

Latency counts from the scheduled arrival to completion (no coordinated omission).
Percentiles use LoadGen's rule (``sorted[floor(n*p/100)]``, :func:`simlib.stats.percentile`),
so a simulated p99 and a measured p99 are computed the same way.

Latencies of one run are correlated (a busy period delays its neighbours), so their intervals
come from :mod:`simlib.batch_means`, which names its method and the effective sample size.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from simlib import batch_means, notices, stats
from simlib._validate import InvalidParameterError

__all__ = ["Records", "SimResult"]

#: The headline percentiles (percent) and their key suffixes in :meth:`SimResult.summary`.
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}


@dataclass(frozen=True, eq=False)
class Records:
    """Per-request numpy arrays of one run (all requests, warm-up included), times in seconds.

    ``batch_size`` and ``worker`` are 0 and -1 for a dropped request, whose ``start_s`` and
    ``finish_s`` are NaN.
    """

    arrival_s: np.ndarray
    start_s: np.ndarray
    finish_s: np.ndarray
    batch_size: np.ndarray
    worker: np.ndarray
    batch_id: np.ndarray
    dropped: np.ndarray
    cold: np.ndarray

    @property
    def wait_s(self) -> np.ndarray:
        return self.start_s - self.arrival_s

    @property
    def latency_s(self) -> np.ndarray:
        return self.finish_s - self.arrival_s

    def __len__(self) -> int:
        return int(self.arrival_s.size)


@dataclass(frozen=True, eq=False)
class SimResult:
    """A modeled run: latencies after warm-up, throughput, utilization, records and provenance.

    ``latency_s`` holds the latency (s) of each completed request (each query, for MultiStream
    and fan-out) after the warm-up; ``records`` keeps every request. ``settings`` has
    ``requested`` and ``effective`` values; ``warnings`` says what to distrust and what to do.
    """

    latency_s: np.ndarray
    throughput_qps: float
    utilization: float
    records: Records
    settings: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0
    late: int = 0
    warmup_discarded: int = 0
    scenario: str | None = None
    metric: dict[str, Any] | None = None
    modeled: bool = True

    # --- statistics -------------------------------------------------------------------------
    @property
    def completed(self) -> int:
        return int(self.latency_s.size)

    def percentile(self, p: float) -> float:
        """The p-th percentile latency (s), p in percent, by LoadGen's rule."""
        if self.latency_s.size == 0:
            raise InvalidParameterError("This SimResult has no completed requests after warm-up; "
                                        "simulate more requests or lower warmup_fraction.")
        return stats.percentile(self.latency_s, p)

    @property
    def mean_s(self) -> float:
        return float(self.latency_s.mean()) if self.latency_s.size else math.nan

    def percentile_ci(self, p: float, confidence: float = 0.95, *, independent: bool | None = None):
        """Interval for the p-th percentile (:func:`simlib.batch_means.percentile_ci`: batch means for
        correlated latencies, order statistics for independent ones), or None with too few requests."""
        try:
            return batch_means.percentile_ci(self.latency_s, p, confidence, independent=independent)
        except InvalidParameterError:
            return None

    def mean_ci(self, confidence: float = 0.95, *, independent: bool | None = None):
        """Interval for the mean latency (:func:`simlib.batch_means.mean_ci`), None with < 2 requests."""
        if self.latency_s.size < 2:
            return None
        return batch_means.mean_ci(self.latency_s, confidence, independent=independent)

    @cached_property
    def _cis(self) -> dict[str, stats.Interval | None]:
        """The 95% intervals of the summary, computed once."""
        return {"mean": self.mean_ci(), **{k: self.percentile_ci(PERCENTILES[k]) for k in ("p50", "p99", "p999")}}

    @property
    def ci_warnings(self) -> list[str]:
        """Why an interval of the summary may not hold (a run too short for it), without repeats."""
        out: list[str] = []
        for ci in self._cis.values():
            if ci is not None and ci.warning and ci.warning not in out:
                out.append(ci.warning)
        return out

    def summary(self) -> dict[str, Any]:
        """Headline numbers: the CLI's JSON keys (ms, requests/s) plus intervals and counts.

        ``ci_method`` names how the intervals were computed; ``mean_ess`` and ``p99_ess`` are the
        effective sample sizes: independent requests that would pin the mean (the p99) as well.
        """
        d: dict[str, Any] = {
            "completed": self.completed,
            "throughput_qps": self.throughput_qps,
            "utilization": self.utilization,
            "mean_ms": self.mean_s * 1e3,
        }
        for key, p in PERCENTILES.items():
            d[f"{key}_ms"] = self.percentile(p) * 1e3 if self.completed else math.nan
        for key, ci in self._cis.items():
            d[f"{key}_ci_ms"] = [ci.low * 1e3, ci.high * 1e3] if ci else None
        m, p99 = self._cis["mean"], self._cis["p99"]
        family = [ci.method.split(":")[0] for ci in (m, p99) if ci is not None]  # "independent samples: t" -> ...
        d["ci_method"] = (family[0] if len(set(family)) == 1 else f"mean: {m.method}; p99: {p99.method}") if m else None
        d["mean_ess"] = m.ess if m else None
        d["p99_ess"] = p99.ess if p99 else None
        d.update(dropped=self.dropped, late=self.late, warmup_discarded=self.warmup_discarded)
        if self.metric:
            d["metric"] = dict(self.metric)
        return d

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: summary, scenario, settings, warnings, and ``"modeled": True``."""
        return {"modeled": self.modeled, "scenario": self.scenario, **self.summary(),
                "settings": self.settings, "warnings": list(self.warnings) + self.ci_warnings}

    # --- time series ------------------------------------------------------------------------
    def queue_length(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Step series ``(t_s, in_system, waiting)``: requests present / waiting after each event."""
        r = self.records
        ok = ~r.dropped
        ev_t = np.concatenate([r.arrival_s, r.start_s[ok], r.finish_s[ok]])
        n_a, n_ok = r.arrival_s.size, int(ok.sum())
        d_sys = np.concatenate([np.ones(n_a), np.zeros(n_ok), -np.ones(n_ok)])
        d_wait = np.concatenate([np.ones(n_a), -np.ones(n_ok), np.zeros(n_ok)])
        # dropped requests leave the queue at the time they were found late: approximate by
        # their deadline
        if r.dropped.any():
            dl = self.settings.get("effective", {}).get("deadline_s") or 0.0
            t_drop = r.arrival_s[r.dropped] + dl
            ev_t = np.concatenate([ev_t, t_drop])
            d_sys = np.concatenate([d_sys, -np.ones(t_drop.size)])
            d_wait = np.concatenate([d_wait, -np.ones(t_drop.size)])
        order = np.argsort(ev_t, kind="stable")
        return ev_t[order], np.cumsum(d_sys[order]), np.cumsum(d_wait[order])

    # --- display ----------------------------------------------------------------------------
    def _headline(self) -> list[tuple[str, str]]:
        if not self.completed:
            return [("completed", "0")]
        s = self.summary()
        ci = s["p99_ci_ms"]
        rows = [
            ("completed", f"{self.completed} (after {self.warmup_discarded} warm-up)"),
            ("throughput", f"{self.throughput_qps:.4g} requests/s"),
            ("utilization", f"{self.utilization:.1%}"),
            ("mean latency", f"{s['mean_ms']:.4g} ms"),
            ("p50 / p90 latency", f"{s['p50_ms']:.4g} / {s['p90_ms']:.4g} ms"),
            ("p99 latency", f"{s['p99_ms']:.4g} ms" + (f"  (95% CI {ci[0]:.4g} to {ci[1]:.4g})" if ci else "")),
            ("p99.9 latency", f"{s['p999_ms']:.4g} ms" + ("" if s["p999_ci_ms"] else "  (too few requests for a CI)")),
        ]
        if s["ci_method"]:
            ess = f"{s['mean_ess']:.0f} for the mean" + (f", {s['p99_ess']:.0f} for p99" if s["p99_ess"] else "")
            rows.append(("intervals", f"{s['ci_method']}; effective sample size {ess} (of {self.completed})"))
        if self.metric:
            m = self.metric
            text = f"{m.get('name')}: {m.get('value'):.4g} {m.get('unit', '')}".rstrip()
            if "valid" in m:
                text += (f"  -> {'VALID' if m['valid'] else 'INVALID'} against the bound "
                         f"{m['latency_bound_s'] * 1e3:.4g} ms")
            if "max_qps" in m:
                text += f"; highest QPS meeting it: {m['max_qps']:.4g}"
            rows.append(("metric", text))
        if self.dropped or self.late:
            rows.append(("deadline", f"{self.dropped} dropped, {self.late} late"))
        eff = self.settings.get("effective", {})
        rows.append(("model", f"{eff.get('arrivals')}, {eff.get('service')}, {eff.get('servers')} server(s), "
                     f"max batch {eff.get('max_batch')}, engine {eff.get('engine')}, seed {eff.get('seed')}"))
        return rows

    def __repr__(self) -> str:
        title = f"SimResult (MODELED{', ' + self.scenario if self.scenario else ''})"
        lines = [title] + [f"  {k:<18} {v}" for k, v in self._headline()]
        lines += [f"  WARNING: {w}" for w in notices.for_display(self, self.warnings + self.ci_warnings)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in self._headline())
        warn = "".join(f"<p style='color:#a60'>&#9888; {html.escape(w)}</p>"
                       for w in notices.for_display(self, self.warnings + self.ci_warnings))
        title = f"SimResult &mdash; <b>MODELED</b>{' (' + html.escape(self.scenario) + ')' if self.scenario else ''}"
        return f"<div><p>{title}</p><table>{rows}</table>{warn}</div>"

"""Detectors over a week of request records, and their score against the planted incidents.

Each detector returns the times (s) at which it raised an alarm:

- :func:`burn_alarms`: the SRE multi-window burn-rate alerts on a latency SLO;
- :func:`p99_alarms`: the rolling 1-hour p99 whose whole 95% interval lies above the baseline
  day's p99 interval;
- :func:`cusum_alarms`: CUSUM on the hourly median latency (the nightly-benchmark detector,
  applied to production);
- :func:`drift_alarms`: the population stability index of the model's confidence over the last
  6 hours against the baseline day (no labels needed);
- :func:`accuracy_alarms`: accuracy on the labels that have arrived (delayed), its Wilson
  interval entirely below the baseline's.

:func:`score` matches alarms to incidents: an alarm between an incident's start and ``grace_s``
after its end detects it (delay = first such alarm - start); any other alarm is a false alarm.

>>> from simlib.monitor.week import Incident
>>> s = score({"x": np.array([100.0, 5000.0])}, (Incident("thermal", 50.0, 100.0, 2.0),), grace_s=0)
>>> s.rows[0]["delay_s"], s.false_alarms["x"]
(50.0, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib import stats
from simlib._validate import Range, validate_params
from simlib.monitor.changepoint import cusum
from simlib.monitor.rolling import rolling_percentile
from simlib.monitor.slo import SRE_RULES, burn_rate_alerts
from simlib.monitor.week import DAY_S, WeekLog
from simlib.protocol import ResultDisplay
from simlib.table import Table

__all__ = ["DETECTORS", "DetectionScore", "accuracy_alarms", "burn_alarms", "cusum_alarms", "drift_alarms",
           "p99_alarms", "run_detectors", "score"]

_BASE = (0.0, DAY_S)  # the first day is the baseline every detector compares with


def burn_alarms(week: WeekLog, bound_s: float = 0.05, slo_target: float = 0.99) -> np.ndarray:
    """Onsets of any SRE burn-rate alert on "``slo_target`` of requests within ``bound_s``"."""
    a = burn_rate_alerts(week.t_s, week.latency_s > bound_s, slo_target, SRE_RULES, step_s=300.0)
    return a.onsets_s()


def p99_alarms(week: WeekLog, window_s: float = 3600.0, step_s: float = 900.0,
               confidence: float = 0.99) -> np.ndarray:
    """Times where the rolling p99's interval lies wholly above the baseline day's p99 interval
    (99% intervals: the check runs every ``step_s``, so 95% ones would alarm by chance)."""
    base = week.latency_s[week.window(*_BASE)]
    ref_high = stats.percentile_ci(base, 99, confidence).high
    r = rolling_percentile(week.t_s, week.latency_s, window_s, 99, step_s, confidence=confidence)
    hot = r.above(ref_high) & (r.t_s > _BASE[1])
    return r.t_s[hot & ~np.r_[False, hot[:-1]]]


def cusum_alarms(week: WeekLog, h: float = 5.0, k: float = 0.5) -> np.ndarray:
    """CUSUM alarms on the hourly median latency, the first day as reference."""
    t, med = week.hourly(week.latency_s)
    med = np.where(np.isnan(med), np.nanmedian(med), med)
    c = cusum(med, reference_n=int(DAY_S // 3600), h=h, k=k, direction="up")
    return t[list(c.alarms)]


def drift_alarms(week: WeekLog, threshold: float = 0.1, window_s: float = 6 * 3600.0,
                 step_s: float = 3600.0) -> np.ndarray:
    """Times where the PSI of the confidence over the last ``window_s`` exceeds ``threshold``
    (0.1: the usual "moderate shift" line) against the baseline day; onsets only."""
    from simlib.evaluation.datashift import psi

    ref = week.confidence[week.window(*_BASE)]
    ends = np.arange(_BASE[1] + window_s, week.t_s[-1] + 1, step_s)
    vals = np.array([psi(ref, week.confidence[week.window(e - window_s, e)]) if week.window(e - window_s, e).sum() > 50
                     else 0.0 for e in ends])
    hot = vals > threshold
    return ends[hot & ~np.r_[False, hot[:-1]]]


def accuracy_series(week: WeekLog, window_s: float = DAY_S, step_s: float = 3600.0, confidence: float = 0.99):
    """(evaluation times, accuracy, low, high, n) of the labels that have *arrived* by each time,
    for requests whose labels arrived within the last ``window_s``."""
    ends = np.arange(step_s, week.t_s[-1] + 1, step_s)
    order = np.argsort(week.label_at_s, kind="stable")
    la, ok = week.label_at_s[order], week.correct[order]
    cum = np.r_[0, np.cumsum(ok)]
    hi = np.searchsorted(la, ends, side="right")
    lo = np.searchsorted(la, ends - window_s, side="right")
    n = hi - lo
    k = cum[hi] - cum[lo]
    acc = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    ci = [stats.wilson_ci(int(a), int(b), confidence) if b > 0 else None for a, b in zip(k, n, strict=False)]
    low = np.array([c.low if c else np.nan for c in ci])
    high = np.array([c.high if c else np.nan for c in ci])
    return ends, acc, low, high, n


def accuracy_alarms(week: WeekLog) -> np.ndarray:
    """Times where the delayed-label accuracy's 99% interval lies wholly below the baseline day's
    (the labeled requests of the first day)."""
    base = week.correct[week.window(*_BASE) & np.isfinite(week.label_at_s)]
    ref_low = stats.wilson_ci(int(base.sum()), int(base.size), 0.99).low
    t, _, _, high, _ = accuracy_series(week)
    hot = np.nan_to_num(high, nan=1.0) < ref_low
    return t[hot & ~np.r_[False, hot[:-1]]]


DETECTORS = {"burn-rate": burn_alarms, "rolling p99": p99_alarms, "CUSUM": cusum_alarms,
             "confidence PSI": drift_alarms, "delayed accuracy": accuracy_alarms}


def run_detectors(week: WeekLog) -> dict[str, np.ndarray]:
    """Alarm times of every detector in :data:`DETECTORS`."""
    return {name: np.asarray(f(week), dtype=float) for name, f in DETECTORS.items()}


@dataclass(frozen=True, eq=False, repr=False)
class DetectionScore(ResultDisplay):
    """Per incident and detector: detected or not, and the delay; false alarms per detector."""

    rows: list[dict[str, Any]]
    false_alarms: dict[str, int]
    days: float
    settings: dict[str, Any]
    warnings: list[str]
    kind: str = "modeled"

    @property
    def summary(self) -> dict[str, Any]:
        det = [r for r in self.rows if r["delay_s"] is not None]
        return {"n": len(self.rows), "detected_count": len(det), "false_alarm_count": sum(self.false_alarms.values()),
                "median_delay_s": float(np.median([r["delay_s"] for r in det])) if det else None}

    def first(self, kind: str) -> dict[str, Any] | None:
        """The fastest detection of the incident of ``kind`` (None if no detector caught it)."""
        hits = [r for r in self.rows if r["kind"] == kind and r["delay_s"] is not None]
        return min(hits, key=lambda r: r["delay_s"]) if hits else None

    def caught_by(self, kind: str) -> list[str]:
        return [r["detector"] for r in self.rows if r["kind"] == kind and r["delay_s"] is not None]

    def _rows(self) -> list[tuple[str, str]]:
        out = []
        for kind in dict.fromkeys(r["kind"] for r in self.rows):
            cells = [f"{r['detector']} {r['delay_s'] / 3600:.1f} h" for r in self.rows
                     if r["kind"] == kind and r["delay_s"] is not None]
            out.append((kind, ", ".join(cells) or "missed by every detector"))
        out.append(("false alarms", ", ".join(f"{k} {v}" for k, v in self.false_alarms.items())))
        return out


@validate_params({"grace_s": Range(0, None, unit="s")})
def score(alarms: dict[str, np.ndarray], incidents, grace_s: float = 6 * 3600.0, days: float = 7.0) -> DetectionScore:
    """Match each detector's alarms to ``incidents`` (see the module docstring)."""
    rows, false = [], {}
    for name, times in alarms.items():
        times = np.asarray(times, dtype=float)
        used = np.zeros(times.size, dtype=bool)
        for inc in incidents:
            inside = (times >= inc.start_s) & (times <= inc.end_s + grace_s)
            used |= inside
            rows.append({"kind": inc.kind, "start_s": inc.start_s, "detector": name,
                         "delay_s": float(times[inside].min() - inc.start_s) if inside.any() else None})
        false[name] = int((~used).sum())
    return DetectionScore(rows, false, days, {"requested": {"grace_s": grace_s}, "effective": {"grace_s": grace_s}}, [])


def detection_table(result: DetectionScore, quiet: DetectionScore | None = None) -> Table:
    """One row per incident (the delay of each detector in hours, or "missed"), then the false
    alarms of this week and, given ``quiet``, of a quiet week (text, or HTML in a notebook)."""
    dets = list(result.false_alarms)
    kinds = list(dict.fromkeys(r["kind"] for r in result.rows))
    cell = {(r["kind"], r["detector"]): ("missed" if r["delay_s"] is None else f"{r['delay_s'] / 3600:.1f} h")
            for r in result.rows}
    rows = [[k, *(cell[(k, d)] for d in dets)] for k in kinds]
    rows.append(["false alarms, this week", *(result.false_alarms[d] for d in dets)])
    if quiet is not None:
        rows.append(["false alarms, a quiet week", *(quiet.false_alarms.get(d, 0) for d in dets)])
    return Table(["incident (delay to first alarm)", *dets], rows)

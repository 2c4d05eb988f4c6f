"""A simulated week in production: request records with planted incidents, and their ground truth.

Requests arrive on a daily cycle (:class:`simlib.queueing.Diurnal`, mean ``qps``). Each is one
record: arrival time, latency, the digits classifier's prediction and confidence for its input
(:mod:`simlib.models.digits`, run for real on held-out images), whether that prediction was
right, and when (if ever) its label arrives. At this rate a request finds the server idle, so a
latency is a service time (lognormal around ``base_latency_s``) times the slowdown in force,
plus a stop-the-world pause when one hits it, plus rare background stalls. Four kinds of
incident can be planted (:class:`Incident`):

``regression``  a release whose per-request work grows: latency x ``size`` reached over
                ``ramp_s``, until it is rolled back after ``duration_s``;
``thermal``     a hot afternoon: clocks throttle and latency is x ``size`` for ``duration_s``;
``gc-storm``    a garbage-collection storm: a ``size`` fraction of requests stalls 100-400 ms;
``drift``       the inputs change (the images arrive shifted one pixel): a fraction growing to
                ``size`` over ``ramp_s``; latency does not move, accuracy does.

>>> w = simulate_week(days=1, qps=0.05, incidents=(Incident("thermal", 30_000, 3_600, 2.0),), seed=1)
>>> slow = w.latency_s[(w.t_s > 30_000) & (w.t_s < 33_600)]
>>> bool(np.median(slow) > 1.7 * np.median(w.latency_s[w.t_s < 30_000]))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib._validate import Options, Range, invalid, validate_fields, validate_params

__all__ = ["DAY_S", "DEFAULT_INCIDENTS", "KINDS", "Incident", "WeekLog", "simulate_week"]

DAY_S = 86400.0
KINDS = ("regression", "thermal", "gc-storm", "drift")
CAUSES = {"regression": "a release that does more work per request (rolled back later)",
          "thermal": "thermal throttling: clocks lowered on a hot afternoon",
          "gc-storm": "a garbage-collection storm: stop-the-world pauses hit many requests",
          "drift": "input drift: the images arrive shifted by one pixel"}


@validate_fields({"kind": Options(KINDS), "start_s": Range(0, None, unit="s"),
                  "duration_s": Range(0, None, closed="neither", unit="s"), "size": Range(0, None, closed="neither"),
                  "ramp_s": Range(0, None, unit="s")})
@dataclass(frozen=True)
class Incident:
    """One planted incident: ``kind`` (one of :data:`KINDS`), ``start_s``, ``duration_s``, its
    ``size`` (a latency factor, a fraction of requests or of inputs) and ``ramp_s``, the time it
    takes to reach full size."""

    kind: str
    start_s: float
    duration_s: float
    size: float
    ramp_s: float = 0.0

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def cause(self) -> str:
        return CAUSES[self.kind]

    def level(self, t: np.ndarray) -> np.ndarray:
        """How far in the incident is at times ``t``: 0 outside, ramping to 1."""
        t = np.asarray(t, dtype=float)
        inside = (t >= self.start_s) & (t < self.end_s)
        ramp = np.clip((t - self.start_s) / self.ramp_s, 0, 1) if self.ramp_s > 0 else np.ones_like(t)
        return np.where(inside, ramp, 0.0)


DEFAULT_INCIDENTS = (
    Incident("regression", 1.25 * DAY_S, 1.5 * DAY_S, 1.4, ramp_s=1.0 * DAY_S),
    Incident("thermal", 3.55 * DAY_S, 4 * 3600.0, 2.0),
    Incident("gc-storm", 4.35 * DAY_S, 2 * 3600.0, 0.25),
    Incident("drift", 5.3 * DAY_S, 1.7 * DAY_S, 0.6, ramp_s=0.5 * DAY_S),
)


@dataclass(frozen=True, eq=False)
class WeekLog:
    """The records of a simulated week (arrays, one entry per request, in arrival order) and the
    incidents planted in it (the ground truth a detector is scored against)."""

    t_s: np.ndarray
    latency_s: np.ndarray
    prediction: np.ndarray
    confidence: np.ndarray
    correct: np.ndarray
    label_at_s: np.ndarray  # when the label arrives (inf: never labeled)
    incidents: tuple[Incident, ...]
    settings: dict[str, Any]

    def __len__(self) -> int:
        return int(self.t_s.size)

    def window(self, start_s: float, end_s: float) -> np.ndarray:
        """A boolean mask of the requests that arrived in [start_s, end_s)."""
        return (self.t_s >= start_s) & (self.t_s < end_s)

    def hourly(self, values, stat=np.median, bin_s: float = 3600.0) -> tuple[np.ndarray, np.ndarray]:
        """(bin end times, ``stat`` of ``values`` per bin; NaN for an empty bin)."""
        v = np.asarray(values, dtype=float)
        edges = np.arange(0.0, self.settings["days"] * DAY_S + bin_s * 0.5, bin_s)
        idx = np.searchsorted(self.t_s, edges)
        out = np.array([stat(v[a:b]) if b > a else np.nan for a, b in zip(idx[:-1], idx[1:], strict=False)])
        return edges[1:], out

    def to_csv(self, path) -> None:
        """Write the records (no ground truth) as CSV: the lab's request log."""
        cols = np.column_stack([self.t_s, self.latency_s * 1e3, self.prediction, self.confidence,
                                np.where(np.isfinite(self.label_at_s), self.label_at_s, -1)])
        np.savetxt(path, cols, delimiter=",", fmt=["%.3f", "%.3f", "%d", "%.4f", "%.0f"],
                   header="t_s,latency_ms,prediction,confidence,label_at_s", comments="")


@validate_params({"days": Range(0, 60, closed="right", unit="days"), "qps": Range(0, 50, closed="right", unit="queries/s"),
                  "base_latency_s": Range(0, 10, closed="neither", unit="s"), "sigma": Range(0, 2),
                  "label_fraction": Range(0, 1), "label_delay_s": Range(0, None, unit="s"),
                  "seed": Range(0, None, integer=True)})
def simulate_week(incidents=DEFAULT_INCIDENTS, *, days: float = 7.0, qps: float = 0.25,
                  base_latency_s: float = 0.020, sigma: float = 0.25, label_fraction: float = 0.2,
                  label_delay_s: float = 2 * DAY_S, seed: int = 0) -> WeekLog:
    """Simulate ``days`` of production at mean ``qps`` with ``incidents`` planted (see the module
    docstring); a ``label_fraction`` of requests get their true label ``label_delay_s`` later."""
    import torch

    from simlib.evaluation.datashift import shift_digits
    from simlib.models.digits import digits_classifier, digits_data
    from simlib.queueing import Diurnal

    incidents = tuple(incidents)
    for inc in incidents:
        if not isinstance(inc, Incident):
            raise invalid("incidents", f"holds {inc!r}", "Incident objects", owner="simulate_week")
    rng = np.random.default_rng(seed)
    horizon = days * DAY_S
    t = Diurnal(qps, amplitude=0.6, period_s=DAY_S, peak_s=0.6 * DAY_S).generate(rng, until_s=horizon)
    n = t.size
    factor = np.ones(n)
    for inc in incidents:
        if inc.kind in ("regression", "thermal"):
            factor *= 1 + (inc.size - 1) * inc.level(t)
    lat = base_latency_s * np.exp(sigma * rng.standard_normal(n)) * factor
    stall = rng.random(n) < 0.002  # background: rare page faults and neighbours
    lat += np.where(stall, rng.uniform(0.02, 0.08, n), 0.0)
    shifted = np.zeros(n, dtype=bool)
    for inc in incidents:
        if inc.kind == "gc-storm":
            hit = rng.random(n) < inc.size * inc.level(t)
            lat += np.where(hit, rng.uniform(0.1, 0.4, n), 0.0)
        elif inc.kind == "drift":
            shifted |= rng.random(n) < min(inc.size, 1.0) * inc.level(t)
    model = digits_classifier()
    _, _, x_te, y_te = digits_data()
    with torch.no_grad():
        probs = [torch.softmax(model(torch.from_numpy(np.asarray(x, dtype=np.float32))), 1).numpy()
                 for x in (x_te, shift_digits(x_te, dx=1))]
    pick = rng.integers(0, len(y_te), n)
    p = np.where(shifted[:, None], probs[1][pick], probs[0][pick])
    pred = p.argmax(1)
    labeled = rng.random(n) < label_fraction
    label_at = np.where(labeled, t + label_delay_s, np.inf)
    settings = dict(days=days, qps=qps, base_latency_s=base_latency_s, sigma=sigma, label_fraction=label_fraction,
                    label_delay_s=label_delay_s, seed=seed)
    return WeekLog(t, lat, pred, p.max(1), pred == y_te[pick], label_at, incidents, settings)


@validate_params({"seed": Range(0, None, integer=True)})
def lab_incidents(seed: int) -> tuple[Incident, ...]:
    """The incidents of the lab's week for ``seed`` (its answer key): a slow regression on day
    two, a thermal episode and a garbage-collection storm in random order on days four and five,
    and an input drift from day six, with random starts, sizes and durations."""
    rng = np.random.default_rng(seed + 7919)
    h = 3600.0
    reg_start = rng.uniform(1.1, 1.4) * DAY_S
    ramp = rng.uniform(0.5, 0.9) * DAY_S
    reg = Incident("regression", reg_start, ramp + rng.uniform(0.3, 0.5) * DAY_S, rng.uniform(1.3, 1.5), ramp)
    slots = rng.permutation([rng.uniform(3.0, 3.4), rng.uniform(4.1, 4.4)]) * DAY_S
    thermal = Incident("thermal", float(slots[0]), rng.uniform(3, 5) * h, rng.uniform(1.8, 2.2))
    gc = Incident("gc-storm", float(slots[1]), rng.uniform(1.5, 3) * h, rng.uniform(0.2, 0.3))
    start = rng.uniform(5.0, 5.6) * DAY_S
    drift = Incident("drift", start, 7 * DAY_S - start, rng.uniform(0.5, 0.7), rng.uniform(0.3, 0.6) * DAY_S)
    return tuple(sorted((reg, thermal, gc, drift), key=lambda i: i.start_s))


def lab_week(seed: int) -> WeekLog:
    """The lab's recorded week: :func:`simulate_week` with :func:`lab_incidents`, returned with
    its incidents removed (the log a student gets holds no ground truth)."""
    from dataclasses import replace

    return replace(simulate_week(lab_incidents(seed), seed=seed), incidents=())


def check_report(report, seed: int, before_h: float = 2.0, after_h: float = 12.0) -> dict[str, Any]:
    """Score a lab report, a list of ``{"start_h": hours from the start of the week, "kind": one of
    KINDS, ...}``, against :func:`lab_incidents`: an incident is found when a report of its kind
    starts between ``before_h`` before and ``after_h`` after it. Returns one bool per kind, the
    ``delay_h`` of each found one (report start minus true start), ``mean_delay_h`` and
    ``false_count`` (reports that found nothing)."""
    truth = lab_incidents(seed)
    rows = list(report or [])
    used = [False] * len(rows)
    out: dict[str, Any] = {}
    delays = []
    for inc in truth:
        hit = None
        for i, r in enumerate(rows):
            try:
                d = float(r["start_h"]) - inc.start_s / 3600.0
                ok = r["kind"] == inc.kind and -before_h <= d <= after_h
            except (KeyError, TypeError, ValueError):
                ok = False
            if ok and not used[i] and (hit is None or abs(d) < abs(hit[1])):
                hit = (i, d)
        out[inc.kind] = hit is not None
        if hit is not None:
            used[hit[0]] = True
            delays.append(hit[1])
            out[f"{inc.kind}_delay_h"] = hit[1]
    out["mean_delay_h"] = float(np.mean(delays)) if delays else None
    out["false_count"] = int(sum(not u for u in used))
    return out

"""Comparing kept runs: two runs against each other, and one metric over time.

:func:`compare_stored` runs :func:`simlib.stats.compare_runs` on two runs' raw latency samples
(the verdict, the Welch interval of the difference of means and Cohen's d) and says whether the
two system descriptions and settings differ, and where.

:func:`history` is a metric's time series with a change-point flag from :func:`change_point`.

>>> cp = change_point([10.0, 10.2, 9.9, 10.1, 10.0, 12.1, 12.0, 12.3, 11.9, 12.2], seed=0)
>>> cp["index"], cp["significant"]
(5, True)
>>> change_point([10.0, 10.2, 9.9, 10.1, 10.0, 10.1, 9.8, 10.2], seed=0)["significant"]
False
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError, Range, validate_params
from simlib.measure.result import _jsonable
from simlib.stats import compare_runs

__all__ = ["METRICS", "change_point", "compare_stored", "compare_text", "dict_diff", "history"]

#: --metric names and the summary key each reads (SI units).
METRICS = {"p50": "p50_s", "median": "p50_s", "p90": "p90_s", "p99": "p99_s", "mean": "mean_s",
           "cv": "cv", "qps": "qps_completed", "throughput": "throughput_qps",
           "capacity": "capacity_qps"}
_VOLATILE = ("timestamp_utc",)  # differs between any two runs: not a difference of system


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: d}


def dict_diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Leaves that differ between two nested dicts: ``[{"key": "a.b", "a": x, "b": y}]``.

    >>> dict_diff({"cpu": {"model": "X", "cores": 4}}, {"cpu": {"model": "X", "cores": 8}})
    [{'key': 'cpu.cores', 'a': 4, 'b': 8}]
    """
    fa, fb = _flatten(a), _flatten(b)
    return [{"key": k, "a": fa.get(k), "b": fb.get(k)} for k in sorted(set(fa) | set(fb))
            if fa.get(k) != fb.get(k) and k.rsplit(".", 1)[-1] not in _VOLATILE]


def compare_stored(a: dict[str, Any], b: dict[str, Any], confidence: float = 0.95) -> dict[str, Any]:
    """Run b against run a (two full records from :meth:`ResultStore.get`).

    The test treats each run's per-query latencies as independent samples. Queries in one run
    are correlated (a slow second slows its neighbours), so the interval is narrower than an
    interval over repeated runs would be; the output says so.
    """
    for label, rec in (("a", a), ("b", b)):
        if len(rec["samples"]) < 2:
            raise InvalidParameterError(
                f"The 'id' parameter of simlib results compare must name runs with raw latency samples "
                f"(measured runs or simulations). Got id {rec['id']} ({rec['result_type']}, "
                f"{len(rec['samples'])} samples) as run {label} instead.")
    c = compare_runs(a["samples"], b["samples"], confidence=confidence)
    sys_diff = dict_diff(a["system"], b["system"])
    set_diff = dict_diff(a["settings"], b["settings"])
    p99a, p99b = a["summary"].get("p99_s"), b["summary"].get("p99_s")
    return _jsonable({
        "a": {k: a[k] for k in ("id", "name", "kind", "machine", "created_utc")},
        "b": {k: b[k] for k in ("id", "name", "kind", "machine", "created_utc")},
        "metric": "latency_s (per query, mean)",
        "mean_a_s": c.mean_a, "mean_b_s": c.mean_b,
        "difference_s": {"estimate": c.diff.estimate, "low": c.diff.low, "high": c.diff.high,
                         "confidence": c.diff.confidence, "method": c.diff.method},
        "relative_change": c.relative_change, "p_value": c.p_value,
        "mannwhitney_p": c.mannwhitney_p, "cohens_d": c.cohens_d,
        "significant": c.significant, "practical": c.practical, "verdict": c.verdict,
        "p99_a_s": p99a, "p99_b_s": p99b,
        "kinds_differ": a["kind"] != b["kind"],
        "same_system": not sys_diff, "system_differences": sys_diff,
        "same_settings": not set_diff, "settings_differences": set_diff,
        "caveat": ("queries within one run are not independent; for a firm verdict compare several "
                   "repeated runs of each configuration"),
    })


def compare_text(out: dict[str, Any], max_diffs: int = 12) -> str:
    """:func:`compare_stored`'s result in words: verdict, interval, effect size, what differs."""
    d = out["difference_s"]
    name = lambda r: f"run {r['id']}" if r["id"] is not None else "this run"  # noqa: E731
    lines = [f"{name(out['b'])} vs {name(out['a'])} (mean latency per query): {out['verdict']}",
             f"  mean {out['mean_a_s'] * 1e3:.4g} ms -> {out['mean_b_s'] * 1e3:.4g} ms; difference "
             f"{d['estimate'] * 1e3:+.4g} ms, {d['confidence']:.0%} interval [{d['low'] * 1e3:+.4g}, "
             f"{d['high'] * 1e3:+.4g}] ms ({d['method']}); Cohen's d {out['cohens_d']:+.2f}"]
    if out["p99_a_s"] is not None and out["p99_b_s"] is not None:
        lines.append(f"  p99 {out['p99_a_s'] * 1e3:.4g} ms -> {out['p99_b_s'] * 1e3:.4g} ms")
    for what in ("system", "settings"):
        diffs = out[f"{what}_differences"]
        lines.append(f"  {what}: " + ("identical" if not diffs else f"{len(diffs)} difference(s)"))
        lines += [f"    {x['key']}: {x['a']!r} -> {x['b']!r}" for x in diffs[:max_diffs]]
        if len(diffs) > max_diffs:
            lines.append(f"    ... and {len(diffs) - max_diffs} more (--json lists all)")
    if out["kinds_differ"]:
        lines.append("  NOTE: one run is measured and the other modeled")
    lines.append(f"  caveat: {out['caveat']}")
    return "\n".join(lines)


def _cusum_range(x: np.ndarray) -> tuple[float, int]:
    s = np.concatenate([[0.0], np.cumsum(x - x.mean())])
    k = int(np.argmax(np.abs(s[1:-1]))) + 1 if x.size > 2 else 1
    return float(s.max() - s.min()), k


@validate_params({"confidence": Range(0, 1, closed="neither"), "n_permutations": Range(100, None, integer=True)})
def change_point(values: list[float] | np.ndarray, confidence: float = 0.95, n_permutations: int = 2000,
                 seed: int = 0, min_segment: int = 2) -> dict[str, Any]:
    """The most likely shift in the mean of a series, and whether it is more than noise.

    Method: Taylor's CUSUM change-point analysis (W. A. Taylor, "Change-Point Analysis: A
    Powerful New Tool for Detecting Changes", 2000), the method behind production
    performance-regression detectors. The cumulative sum of deviations from the mean,
    ``S_k = sum_{i<=k} (x_i - mean)``, drifts away from zero while the series sits above or below
    its overall mean, so its range ``max S - min S`` is large when the mean shifted; the
    estimated change is where ``|S_k|`` peaks (the first run of the new level). Whether the shift
    is real is a permutation test: shuffling the series destroys any order, so the share of
    ``n_permutations`` seeded shuffles whose CUSUM range is smaller than the observed one is the
    confidence that a change happened. It assumes nothing about the distribution, which suits
    tail latencies, and needs no tuning beyond the confidence. Below ``2 * min_segment`` points
    it reports nothing (``significant`` False with a reason).

    Returns ``{"index", "confidence", "significant", "before_mean", "after_mean", "reason"}``;
    ``index`` is the position of the first value after the change.
    """
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if x.size < 2 * min_segment:
        return {"index": None, "confidence": None, "significant": False, "before_mean": None,
                "after_mean": None, "reason": f"{x.size} values: at least {2 * min_segment} are needed"}
    observed, k = _cusum_range(x)
    rng = np.random.default_rng(seed)
    smaller = sum(_cusum_range(rng.permutation(x))[0] < observed for _ in range(n_permutations))
    conf = smaller / n_permutations
    k = min(max(k, min_segment), x.size - min_segment)
    sig = bool(conf >= confidence and observed > 0)
    return {"index": k, "confidence": conf, "significant": sig, "before_mean": float(x[:k].mean()),
            "after_mean": float(x[k:].mean()),
            "reason": (f"CUSUM range larger than in {conf:.1%} of {n_permutations} shuffles"
                       + ("" if sig else f"; below the {confidence:.0%} needed to call it a change"))}


def history(rows: list[dict[str, Any]], metric: str, confidence: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """A metric's series over ``rows`` (from :meth:`ResultStore.list`, oldest first) with the change point.

    ``metric`` is a name of :data:`METRICS` (p99, p50, mean, qps, ...) or any summary key.
    """
    key = METRICS.get(metric, metric)
    points = [{"id": r["id"], "created_utc": r["created_utc"], "machine": r["machine"],
               "value": r["summary"].get(key)} for r in rows if r["summary"].get(key) is not None]
    if rows and not points:
        known = sorted(set(METRICS) | {k for r in rows for k in r["summary"]})
        raise InvalidParameterError(f"The 'metric' parameter of simlib results history must be one of "
                                    f"{known}. Got {metric!r} instead.")
    cp = change_point([p["value"] for p in points], confidence=confidence, seed=seed)
    for i, p in enumerate(points):
        p["change_point"] = bool(cp["significant"] and i == cp["index"])
    machines = sorted({p["machine"] for p in points})
    return _jsonable({"metric": metric, "key": key, "unit": "s" if key.endswith("_s") else "",
                      "points": points, "change": cp, "machines": machines})

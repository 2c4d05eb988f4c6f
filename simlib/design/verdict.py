"""Is B really faster than A? A verdict on two result files, with its reasoning.

:func:`verdict` reads two results (files written by :meth:`BenchmarkResult.save`, any result's
``to_dict()``, or raw sample arrays), checks that they are comparable (same model, precision,
scenario and machine; the differences are listed), and compares them on independent units:

- repeated runs, when each side holds several (``runs_s``: one array of samples per run), one
  statistic (the median) per run;
- otherwise, the consecutive batches of one run (batch means: 20 batches by default), whose
  medians are close to independent even when neighbouring latencies are not.

The comparison is a Welch t-test on those units with its 95% interval of the difference, the
effect size (Cohen's d) and the relative change; the verdict says "no clear difference" unless
the interval excludes zero, and says separately whether the change is large enough to matter.

>>> rng = np.random.default_rng(1)
>>> v = verdict(rng.lognormal(np.log(1e-3), 0.1, 2000), rng.lognormal(np.log(0.9e-3), 0.1, 2000))
>>> v.faster, v.summary["relative_change_ratio"] < 0
('B', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib._validate import Range, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["Verdict", "comparable", "outlier_effect", "units_of", "verdict"]

_KEYS = (("model", "components.model.name"), ("precision", "components.model.precision"),
         ("scenario", "components.harness.scenario"), ("cpu", "components.system.hardware.cpu.model"),
         ("logical cores", "components.system.hardware.cpu.logical_cores"))


def _get(d: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def _as_dict(x: Any) -> dict[str, Any] | None:
    if isinstance(x, (str, Path)):
        from simlib.design.benchmark import load_result

        return load_result(x)
    if isinstance(x, dict):
        return x
    if hasattr(x, "to_dict"):
        return x.to_dict()
    return None


def comparable(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[str]:
    """What differs between two result files besides the system under comparison (sentences)."""
    if a is None or b is None:
        return []
    out = []
    for name, where in _KEYS:
        va, vb = _get(a, where), _get(b, where)
        if va != vb:
            out.append(f"{name} differs: A {va!r}, B {vb!r}")
    return out


def units_of(x: Any, n_batches: int = 20) -> tuple[np.ndarray, str]:
    """Independent units of a result for comparison: per-run medians when it holds several runs
    (``runs_s``), else medians of ``n_batches`` consecutive batches of its samples (s)."""
    d = _as_dict(x)
    if d is not None and d.get("runs_s"):
        runs = [np.asarray(r, dtype=float) for r in d["runs_s"]]
        return np.array([np.median(r) for r in runs]), f"medians of {len(runs)} repeated runs"
    samples = np.asarray(d.get("samples_s") if d is not None else x, dtype=float).ravel()
    if samples.size < 2 * n_batches:
        return samples, f"{samples.size} single samples (too few for batches)"
    size = samples.size // n_batches
    b = samples[: size * n_batches].reshape(n_batches, size)
    return np.median(b, axis=1), f"medians of {n_batches} consecutive batches of {size} samples"


@dataclass(repr=False)
class Verdict(ResultDisplay):
    """The comparison of A and B (kind "comparison"), with the reasoning behind its verdict."""

    n_a: int
    n_b: int
    center_a_s: float
    center_b_s: float
    diff_s: float
    diff_ci_s: tuple[float, float]
    relative_change: float
    p_value: float
    cohens_d: float
    significant: bool
    practical: bool
    method: str
    differences: list[str]
    min_relative_change: float
    warnings: list[str] = field(default_factory=list)
    kind: str = "comparison"

    @property
    def faster(self) -> str:
        """"A", "B" or "neither" (no clear difference)."""
        if not self.significant:
            return "neither"
        return "B" if self.diff_s < 0 else "A"

    @property
    def text(self) -> str:
        """The verdict in one sentence."""
        if not self.significant:
            return "no clear difference within run-to-run noise"
        who = "B is faster than A" if self.diff_s < 0 else "B is slower than A"
        size = "large enough to matter" if self.practical else "too small to matter"
        return f"{who} by {abs(self.relative_change):.1%} ({size})"

    @property
    def reasoning(self) -> list[str]:
        lo, hi = self.diff_ci_s
        steps = [f"Compared {self.method}: {self.n_a} for A, {self.n_b} for B.",
                 f"Mean of the units: A {self.center_a_s * 1e3:.4g} ms, B {self.center_b_s * 1e3:.4g} ms; "
                 f"B - A = {self.diff_s * 1e3:+.3g} ms, 95% interval [{lo * 1e3:+.3g}, {hi * 1e3:+.3g}] ms.",
                 (f"The interval excludes zero (Welch t-test p = {self.p_value:.2g})" if self.significant else
                  f"The interval includes zero (Welch t-test p = {self.p_value:.2g}): the data cannot tell them apart")
                 + f"; effect size d = {self.cohens_d:.2f}.",
                 f"Practical threshold: a change counts only above {self.min_relative_change:.0%}; "
                 f"this one is {abs(self.relative_change):.1%}.",
                 "'Significant' says the difference is unlikely to be noise between these runs on this "
                 "machine; it says nothing about its size, its cause, or whether it holds elsewhere."]
        if self.differences:
            steps.append("Not a like-for-like comparison: " + "; ".join(self.differences) + ".")
        return steps

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(method=self.method, min_relative_change=self.min_relative_change)

    @property
    def summary(self) -> dict[str, Any]:
        return {"n_a_count": self.n_a, "n_b_count": self.n_b, "mean_a_s": self.center_a_s,
                "mean_b_s": self.center_b_s, "diff_s": self.diff_s, "diff_ci_s": list(self.diff_ci_s),
                "relative_change_ratio": self.relative_change, "p_value_fraction": self.p_value,
                "cohens_d_ratio": self.cohens_d, "verdict": self.text}

    def _payload(self) -> dict[str, Any]:
        return {"faster": self.faster, "reasoning": self.reasoning, "differences": self.differences}

    def _rows(self) -> list[tuple[str, str]]:
        return [("verdict", self.text)] + [(f"step {i + 1}", s) for i, s in enumerate(self.reasoning)]


@validate_params({"min_relative_change": Range(0, None), "n_batches": Range(5, 1000, integer=True)})
def verdict(a: Any, b: Any, *, min_relative_change: float = 0.05, n_batches: int = 20) -> Verdict:
    """Is B faster than A? ``a`` and ``b``: result files (paths), result dicts, results with
    ``to_dict()``, or arrays of latency samples (s). See the module docstring for the method."""
    from simlib.stats import compare_runs

    da, db = _as_dict(a), _as_dict(b)
    ua, how_a = units_of(a if da is None else da, n_batches)
    ub, how_b = units_of(b if db is None else db, n_batches)
    c = compare_runs(ua, ub, min_relative_change=min_relative_change)
    method = how_a if how_a == how_b else f"{how_a} (A) and {how_b} (B)"
    warns = []
    if min(ua.size, ub.size) < 5:
        warns.append(f"only {min(ua.size, ub.size)} independent units on one side: the interval is wide; "
                     "repeat the runs (5 or more each) before trusting the verdict")
    rel = c.diff.estimate / c.mean_a if c.mean_a else float("nan")
    return Verdict(int(ua.size), int(ub.size), float(c.mean_a), float(c.mean_b), float(c.diff.estimate),
                   (float(c.diff.low), float(c.diff.high)), float(rel), float(c.p_value), float(c.cohens_d),
                   bool(c.significant), bool(abs(rel) > min_relative_change), method, comparable(da, db),
                   min_relative_change, warns)


@validate_params({"k": Range(0, None, closed="neither")})
def outlier_effect(samples_s: Any, k: float = 3.0) -> dict[str, Any]:
    """What deleting "outliers" (samples more than ``k`` median absolute deviations above the
    median) does to a latency result: the p99 before and after, and how many samples went.
    The deleted samples were real requests: a p99 without them describes a system nobody runs.

    >>> r = outlier_effect(np.r_[np.ones(990), np.full(10, 5.0)] + np.linspace(0, 0.1, 1000))
    >>> r["dropped_count"], r["p99_after_s"] < r["p99_before_s"]
    (10, True)
    """
    from simlib.stats import percentile

    x = np.asarray(samples_s, dtype=float).ravel()
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med))) or float(np.std(x)) or 1.0
    keep = x <= med + k * mad
    before, after = percentile(x, 99), percentile(x[keep], 99)
    return {"p99_before_s": before, "p99_after_s": after, "dropped_count": int((~keep).sum()),
            "dropped_fraction": float((~keep).mean()), "p99_shrink_fraction": (before - after) / before}

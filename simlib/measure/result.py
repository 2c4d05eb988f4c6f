"""A measured (or modeled) result that carries its provenance.

Every function in :mod:`simlib.measure` returns a :class:`Result`: the raw samples, the
statistics derived from them (:func:`simlib.stats.summarize`), the requested and the effective
settings, the seed, the system description, warnings, and ``kind`` = "measured" or "modeled".
Printing one in a notebook is enough to judge it (STYLE.md, house habit 1).

>>> r = Result(name="demo", kind="measured", samples_s=[0.010, 0.011, 0.010, 0.010] * 10,
...            system={}, settings={"requested": {}, "effective": {}})
>>> round(r.summary.median * 1e3, 1)
10.0
>>> Result.from_dict(r.to_dict()).name
'demo'
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib import notices
from simlib._validate import Options, check
from simlib.stats import Summary, summarize

__all__ = ["Result", "format_time", "save_json"]

KINDS = ("measured", "modeled")


def format_time(seconds: float | None) -> str:
    """A duration with a readable unit: ``format_time(0.00123)`` -> '1.23 ms'."""
    if seconds is None or not np.isfinite(seconds):
        return "n/a"
    a = abs(seconds)
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if a >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"  # pragma: no cover


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if hasattr(obj, "to_dict"):
        return _jsonable(obj.to_dict())
    if hasattr(obj, "__dataclass_fields__"):
        return _jsonable({k: getattr(obj, k) for k in obj.__dataclass_fields__})
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def save_json(data: Any, path: str | os.PathLike) -> Path:
    """Write ``data`` as JSON atomically (a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(_jsonable(data), f, indent=2)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


@dataclass(eq=False)
class Result:
    """One measurement (or model output) with everything needed to judge and reproduce it.

    ``samples_s`` are per-call (or per-query) latencies in seconds; ``metrics`` holds headline
    numbers that are not latencies (throughput_qps, energy_j, ...); ``settings`` has
    ``requested`` and ``effective`` dicts; ``system`` is :func:`simlib.sysdesc.system_description`.
    """

    name: str
    kind: str
    samples_s: np.ndarray  # 1-D float array, s (any sequence is converted)
    system: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=lambda: {"requested": {}, "effective": {}})
    seed: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check("kind", self.kind, Options(KINDS), owner="Result")
        self.samples_s = np.array(self.samples_s, dtype=float).ravel()  # a copy, as a numpy array
        self._summary: Summary | None = None

    @property
    def summary(self) -> Summary | None:
        """Median, mean, p90, p99, CV and intervals of ``samples_s`` (None with < 2 samples).

        ``samples_s`` are in time order, so the intervals can tell correlated samples (a queue, slow
        stretches) from independent ones: ``summary.ci_method`` says which method was used and
        ``summary.ess`` how many independent samples the run is worth."""
        if self._summary is None and len(self.samples_s) >= 2:
            self._summary = summarize(self.samples_s)
        return self._summary

    @property
    def all_warnings(self) -> list[str]:
        s = self.summary
        extra = [w for w in (s.warnings if s else []) if w not in self.warnings]
        return list(self.warnings) + extra

    def headline(self) -> str:
        s = self.summary
        parts = [f"{self.name} [{self.kind}]"]
        if s is not None:
            parts.append(f"median {format_time(s.median)}, p90 {format_time(s.p90)}, "
                         f"p99 {format_time(s.p99)}, CV {s.cv:.1%}, n={s.n} "
                         f"(effective {s.ess:.0f}; intervals: {s.ci_method})")
        for k, v in self.metrics.items():
            if isinstance(v, float):
                parts.append(f"{k}={v:.4g}")
            elif isinstance(v, (int, str)) or v is None:
                parts.append(f"{k}={v}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return _jsonable({
            "name": self.name, "kind": self.kind, "seed": self.seed,
            "metrics": self.metrics, "summary_s": s, "warnings": self.all_warnings,
            "settings": self.settings, "samples_s": self.samples_s, "extra": self.extra,
            "system": self.system,
        })

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        return cls(name=d["name"], kind=d["kind"], samples_s=d.get("samples_s", []),
                   system=d.get("system", {}), settings=d.get("settings", {}),
                   seed=d.get("seed"), metrics=d.get("metrics", {}),
                   warnings=list(d.get("warnings", [])), extra=d.get("extra", {}))

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def save(self, path: str | os.PathLike | None = None) -> Path | int:
        """Save as JSON (atomic write; reload with ``Result.load(path)``), or, with no path, keep
        it in the result store (:mod:`simlib.store`) and return its id there."""
        if path is None:
            from simlib.store import keep

            return keep(self)
        return save_json(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Result:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def __repr__(self) -> str:
        eff = self.settings.get("effective", {})
        lines = [self.headline()]
        if eff:
            lines.append("  settings: " + ", ".join(f"{k}={v}" for k, v in eff.items()))
        lines += [f"  WARNING: {w}" for w in notices.for_display(self, self.all_warnings)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        eff = self.settings.get("effective", {})
        rows = "".join(f"<tr><td>{esc(str(k))}</td><td>{esc(str(v))}</td></tr>" for k, v in eff.items())
        warns = "".join(f"<li style='color:#a60'>{esc(w)}</li>" for w in notices.for_display(self, self.all_warnings))
        return (f"<div><b>{esc(self.headline())}</b>"
                + (f"<table>{rows}</table>" if rows else "")
                + (f"<ul>{warns}</ul>" if warns else "") + "</div>")

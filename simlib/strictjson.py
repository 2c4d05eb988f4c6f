"""Strict JSON for results: no NaN or Infinity, and a field that says why a number is missing.

``json.dumps`` writes ``NaN`` and ``Infinity`` by default, which is not JSON (RFC 8259): other
parsers reject the file. :func:`dumps` replaces each non-finite number by ``null`` and lists
it under ``"non_finite"`` (a JSON pointer-like path and the reason), then serializes with
``allow_nan=False`` so nothing non-finite can slip through.

>>> print(dumps({"p99_ms": float("nan"), "qps": 2.0}, reasons={"p99_ms": "no request completed"}))
{"p99_ms": null, "qps": 2.0, "non_finite": {"p99_ms": "NaN: no request completed"}}
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

import numpy as np

__all__ = ["dumps", "finite"]

_DEFAULT_REASON = {"nan": "not defined for this run (e.g. no samples in it)",
                   "inf": "larger than a float can hold (overflow)"}


def _leaf_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def finite(obj: Any, reasons: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """``(copy of obj with non-finite numbers as None, {path: why})``; numpy values become Python.

    ``reasons`` maps a key name (the last part of a path) to the explanation for that field.
    """
    reasons = reasons or {}
    notes: dict[str, str] = {}

    def walk(v: Any, path: str) -> Any:
        if isinstance(v, np.ndarray):
            v = v.tolist()
        elif isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, numbers.Integral):
            return int(v)
        if isinstance(v, numbers.Real):
            x = float(v)
            if math.isfinite(x):
                return x
            kind = "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
            why = reasons.get(_leaf_name(path)) or _DEFAULT_REASON["nan" if math.isnan(x) else "inf"]
            notes[path] = f"{kind}: {why}"
            return None
        if isinstance(v, dict):
            return {str(k): walk(x, f"{path}/{k}" if path else str(k)) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x, f"{path}/{i}" if path else str(i)) for i, x in enumerate(v)]
        return str(v)

    return walk(obj, ""), notes


def dumps(obj: Any, reasons: dict[str, str] | None = None, **kw: Any) -> str:
    """Strict JSON text of ``obj``; a dict gains ``"non_finite"`` when a number had to be dropped."""
    clean, notes = finite(obj, reasons)
    if notes:
        if isinstance(clean, dict):
            clean["non_finite"] = notes
        else:
            clean = {"data": clean, "non_finite": notes}
    return json.dumps(clean, allow_nan=False, **kw)

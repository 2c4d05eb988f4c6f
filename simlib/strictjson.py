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

__all__ = ["dumps", "finite", "jsonable"]

_DEFAULT_REASON = {"nan": "not defined for this run (e.g. no samples in it)",
                   "inf": "larger than a float can hold (overflow)"}


def _leaf_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _plain(v: Any) -> Any:
    """``v`` as plain Python: numpy to Python, results (``to_dict``) and dataclasses to dicts,
    sets to sorted lists; containers and scalars unchanged (their contents are walked after)."""
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (set, frozenset)):
        return sorted(v, key=repr)
    if hasattr(v, "to_dict") and not isinstance(v, type):
        return v.to_dict()
    if hasattr(v, "__dataclass_fields__") and not isinstance(v, type):
        return {k: getattr(v, k) for k in v.__dataclass_fields__}
    return v


def finite(obj: Any, reasons: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """``(copy of obj with non-finite numbers as None, {path: why})``: the one JSON-cleaning walk.

    numpy values become Python, objects with ``to_dict()`` and dataclasses become dicts, sets
    become sorted lists, anything else becomes its ``str``. ``reasons`` maps a key name (the
    last part of a path) to the explanation for that field.
    """
    reasons = reasons or {}
    notes: dict[str, str] = {}

    def walk(v: Any, path: str) -> Any:
        v = _plain(v)
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


def jsonable(obj: Any) -> Any:
    """``obj`` as data that ``json.dumps(..., allow_nan=False)`` accepts (non-finite numbers as None).

    >>> jsonable({"n": np.int64(3), "xs": np.array([1.5, np.inf]), "tags": {"b", "a"}})
    {'n': 3, 'xs': [1.5, None], 'tags': ['a', 'b']}
    """
    return finite(obj)[0]


def dumps(obj: Any, reasons: dict[str, str] | None = None, **kw: Any) -> str:
    """Strict JSON text of ``obj``; a dict gains ``"non_finite"`` when a number had to be dropped."""
    clean, notes = finite(obj, reasons)
    if notes:
        if isinstance(clean, dict):
            clean["non_finite"] = notes
        else:
            clean = {"data": clean, "non_finite": notes}
    return json.dumps(clean, allow_nan=False, **kw)

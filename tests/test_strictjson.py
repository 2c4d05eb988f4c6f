"""The one JSON-cleaning helper (simlib.strictjson) handles what the three old copies did."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from simlib import strictjson


@dataclass
class _Point:
    x: float
    tags: frozenset


class _WithToDict:
    def to_dict(self):
        return {"p99_s": np.float64("nan"), "n": np.int32(4)}


def test_jsonable_walks_results_dataclasses_sets_and_numpy():
    data = {"r": _WithToDict(), "pt": _Point(np.float32(1.5), frozenset({"b", "a"})), 3: [np.inf, None, True]}
    clean = strictjson.jsonable(data)
    assert clean == {"r": {"p99_s": None, "n": 4}, "pt": {"x": 1.5, "tags": ["a", "b"]}, "3": [None, None, True]}
    json.dumps(clean, allow_nan=False)  # strict JSON: raises on NaN or Infinity


def test_dumps_explains_what_it_dropped():
    out = json.loads(strictjson.dumps({"r": _WithToDict()}, reasons={"p99_s": "no request completed"}))
    assert out["non_finite"] == {"r/p99_s": "NaN: no request completed"}

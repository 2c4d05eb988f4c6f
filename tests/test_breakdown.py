"""The latency-breakdown table: the source's ranges beside this machine's medians."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.measure.breakdown import (
    SOURCE_RANGES_MS,
    BreakdownRow,
    breakdown_table,
    latency_breakdown,
)


class _Pipeline:
    def __init__(self):
        rng = np.random.default_rng(0)
        stages = ("parse", "decode", "resize", "normalize", "model", "postprocess", "serialize")
        self.extra = {"stage_samples_s": {s: rng.uniform(1e-4, 2e-4, 50) for s in stages}}
        self.extra["stage_samples_s"]["model"] = np.full(50, 0.004)


class _Server:
    # three queries: the second waits 10 ms behind the first (service 20 ms each)
    extra = {"queries": {"scheduled_s": [0.0, 0.01, 0.1], "issued_s": [0.0, 0.01, 0.1],
                         "completed_s": [0.02, 0.04, 0.12]}}
    metrics = {"qps": 30.0}


def test_rows_cover_the_source_table_and_measure_what_they_can():
    rows = {r.component: r for r in latency_breakdown(_Pipeline(), _Server())}
    assert list(rows) == list(SOURCE_RANGES_MS)
    assert rows["Model inference"].measured_ms == pytest.approx(4.0)
    assert rows["Model inference"].position == "below"  # 4 ms < the source's 5-100 ms
    assert rows["Queue wait time"].measured_ms == pytest.approx(0.0, abs=1e-9)  # median of 0, 10, 0 ms
    assert rows["Network round-trip"].measured_ms is None
    assert 0.3 < rows["Input preprocessing"].measured_ms < 0.6  # three stages summed


def test_position_and_html():
    r = BreakdownRow("Queue wait time", 0, None, 5000.0, "x")
    assert r.position == "within" and r.source_range == "0+ ms"
    assert BreakdownRow("a", 1, 2, 3.0, "").position == "above"
    out = breakdown_table([BreakdownRow("<b>", 1, 2, None, "n")], caption="c")._repr_html_()
    assert "&lt;b&gt;" in out and "<caption>c</caption>" in out

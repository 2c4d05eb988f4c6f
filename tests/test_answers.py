"""The answer formulas convert their inputs' units once, at the edge (issue 14: p99_over_median used
to pass milliseconds into ``median_us=``)."""

from __future__ import annotations

import pytest

from simlib import scaling
from simlib.exercises import answers


@pytest.mark.parametrize("call, median_s, p99_s", [
    (lambda: answers.p99_over_median(median_ms=1.2, p99_ms=3.0), 1.2e-3, 3.0e-3),
    (lambda: answers.tail_ratio(median_us=40, p99_us=100), 40e-6, 100e-6),
])
def test_tail_ratio_forms_hand_seconds_to_the_one_formula(monkeypatch, call, median_s, p99_s):
    seen = {}

    def spy(median_s, p99_s):
        seen.update(median_s=median_s, p99_s=p99_s)
        return p99_s / median_s

    monkeypatch.setattr(answers, "_tail_ratio_s", spy)
    assert call() == pytest.approx(2.5)
    assert seen == pytest.approx({"median_s": median_s, "p99_s": p99_s})


def test_littles_law_in_flight_is_scaling_littles_law():
    assert answers.littles_law_in_flight(qps=200, latency_ms=50) == scaling.littles_law(qps=200, time_s=0.05)

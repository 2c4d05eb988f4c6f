"""Two models on one machine: measured interference and the processor-sharing prediction."""

from __future__ import annotations

import pytest

from simlib._validate import InvalidParameterError
from simlib.measure.backends import usable_cores
from simlib.measure.colocation import Colocation, colocation_study
from simlib.stats import Interval


def test_study_measures_both_and_predicts():
    r = colocation_study("digits", "digits", threads=1, time_budget_s=0.3)
    assert r.alone.estimate > 0 and r.together.estimate > 0 and r.b_calls > 0
    assert r.cores == usable_cores()
    assert r.predicted_slowdown == max(1.0, 2 / r.cores)
    assert "MEASURED" in repr(r) and "MODELED" in repr(r)
    assert set(r.to_dict()["summary"]) >= {"measured_slowdown_ratio", "predicted_slowdown_ratio"}


@pytest.mark.parametrize("threads,cores,expected", [(1, 2, 1.0), (2, 2, 2.0), (4, 2, 4.0), (1, 8, 1.0)])
def test_processor_sharing_prediction(threads, cores, expected):
    ci = Interval(1.0, 0.9, 1.1, 0.95, "t")
    assert Colocation("a", "b", threads, cores, ci, ci, 1).predicted_slowdown == expected


def test_claim_uses_the_intervals():
    alone = Interval(1.0, 0.95, 1.05, 0.95, "t")
    assert "slower" in Colocation("a", "b", 1, 2, alone, Interval(1.5, 1.4, 1.6, 0.95, "t"), 1).claim()
    assert "noise" in Colocation("a", "b", 1, 2, alone, Interval(1.02, 0.97, 1.08, 0.95, "t"), 1).claim()


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="model_b"):
        colocation_study("cnn", "alexnet")
    with pytest.raises(InvalidParameterError, match="threads"):
        colocation_study("cnn", "cnn", threads=0)

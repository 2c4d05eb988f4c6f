"""A Server run that cannot sustain its offered load is INVALID, with the reason."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from simlib.measure.loadgen import Settings, run_scenario
from simlib.measure.saturation import sustained_load
from simlib.measure.sut import BackendSUT


def test_a_stable_queue_keeps_up_and_an_overloaded_one_falls_short():
    from simlib.queueing import simulate

    for rho, expect in ((0.5, False), (1.5, True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rho = 1.5 is unstable on purpose
            rec = simulate(rho * 100, "exp:10ms", n_requests=3000, seed=4, warmup_fraction=0).records
        s = sustained_load(rec.arrival_s, rec.finish_s)
        assert s.saturated is expect, (rho, s.detail)


def test_never_completed_queries_mean_saturated():
    s = sustained_load([0.0, 0.5, 1.0], [0.1, None, 1.1])
    assert s.saturated and "1 of 3 queries never completed" in s.detail


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="z"):
        sustained_load([0, 1], [0, 1], z=float("nan"))
    with pytest.raises(ValueError, match="at least 2 queries"):
        sustained_load([0.0], [0.1])


class _Sleep:
    def __init__(self, s):
        self.s = s

    def infer(self, x):
        time.sleep(self.s)


@pytest.mark.parametrize("service_s,qps,saturated", [(0.0005, 100, False), (0.02, 150, True)])
def test_the_load_generator_judges_it(service_s, qps, saturated):
    r = run_scenario(BackendSUT(_Sleep(service_s), np.zeros((8, 1))),
                     Settings("server", qps=qps, min_duration_s=0.5, min_query_count=50,
                              latency_bound_s=10.0),
                     progress=False, system={})
    cons = {c["name"]: c for c in r.metrics["constraints"]}
    assert cons["Sustained the offered load"]["ok"] is (not saturated)
    assert r.metrics["saturated"] is saturated
    if saturated:
        assert r.metrics["verdict"] == "INVALID"

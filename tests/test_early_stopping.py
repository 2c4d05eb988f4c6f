"""MLPerf LoadGen's early-stopping rule (simlib.measure.early_stopping)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from simlib._validate import InvalidParameterError
from simlib.measure.early_stopping import (
    early_stopping_estimate,
    min_queries_for_early_stopping,
    server_early_stopping,
)


def test_loadgens_minimum_query_counts():
    # LoadGen's results.cc reports "Need to process at least 64 queries" for a p90
    # (SingleStream) and 662 for a p99 (MultiStream), the t = 1 case of the rule
    assert min_queries_for_early_stopping(90) == 64
    assert min_queries_for_early_stopping(99) == 662


@pytest.mark.parametrize("p,t", [(90, 0), (90, 7), (99, 0), (99, 3), (99.9, 2)])
def test_min_queries_is_the_smallest_n_that_passes(p, t):
    n = min_queries_for_early_stopping(p, overlatency=t)
    q = 1 - p / 100
    assert binom.cdf(t, n, q) < 0.01 <= binom.cdf(t, n - 1, q)


def test_estimate_is_conservative_and_discards_fewer_than_the_raw_rank():
    rng = np.random.default_rng(3)
    lat = rng.exponential(1.0, 5000)
    es = early_stopping_estimate(lat, 90)
    raw = np.sort(lat)[int(0.9 * lat.size)]
    assert es.passed and es.estimate_s > raw
    assert es.discarded < 0.1 * lat.size  # sets aside fewer than the 10% above the raw p90


def test_estimate_covers_the_true_percentile_with_99_percent_confidence():
    """Independent exponential latencies: the estimate falls below the true p90 (ln 10) in at
    most 1% of runs; 2,000 runs of 200 queries, so 1% is 20 +/- 4.5 (binomial sd): allow 35."""
    rng = np.random.default_rng(11)
    truth = np.log(10.0)
    below = sum(early_stopping_estimate(rng.exponential(1.0, 200), 90).estimate_s < truth
                for _ in range(2000))
    assert below <= 35


def test_too_short_a_run_gives_no_estimate_and_says_how_many_are_needed():
    es = early_stopping_estimate(np.ones(100), 99)
    assert not es.passed and es.estimate_s is None
    assert "662" in es.detail


def test_server_rule_both_ways():
    under = np.full(2000, 0.01)
    assert server_early_stopping(under, 0.1).passed
    slow = np.r_[np.full(990, 0.01), np.full(10, 0.5)]  # 1% over the bound: too few queries
    es = server_early_stopping(slow, 0.1)
    assert not es.passed and es.discarded == 10 and es.min_queries > 1000
    assert f"{es.min_queries - 1000} more queries" in es.detail


@pytest.mark.parametrize("kwargs", [{"percentile": 0}, {"percentile": 100}, {"percentile": float("nan")},
                                    {"percentile": 90, "confidence": 1.0}])
def test_bad_input_names_the_parameter(kwargs):
    with pytest.raises(InvalidParameterError, match=next(iter(kwargs)) if len(kwargs) == 1 else "confidence"):
        early_stopping_estimate(np.ones(10), **kwargs)


def test_the_load_generator_reports_it():
    import time

    from simlib.measure.loadgen import Settings, run_scenario
    from simlib.measure.sut import BackendSUT

    class Sleep:
        def infer(self, x):
            time.sleep(0.0002)

    r = run_scenario(BackendSUT(Sleep(), np.zeros((8, 1))),
                     Settings("singlestream", min_duration_s=0.05, min_query_count=100),
                     progress=False, system={})
    es = r.metrics["early_stopping"]
    assert es["passed"] and es["estimate_s"] >= r.metrics["p90_s"]
    assert "Early stopping satisfied : Yes" in r.summary_text()
    assert "early-stopping estimate" in r.headline()

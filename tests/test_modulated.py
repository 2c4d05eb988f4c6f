"""The two-state (slow-stretch) service model: fitted at one load, it predicts the others."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from simlib.measure.modulated import TwoStateFit, fit_two_state
from simlib.queueing import LogNormal, Poisson, Trace, simulate

TRUE = TwoStateFit(np.array([0.0]), 4.0, 0.15, 0.15, 0.85, 0, True)  # only its path is used


def _true_system(qps, n, seed):
    """A server whose requests take lognormal(2 ms, CV 0.2) times, 4x slower during slow
    stretches (15% of the time, 150 ms on average): the 'machine' we calibrate on."""
    arr = Poisson(qps).generate(np.random.default_rng(seed), n=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = simulate(Trace(arr), LogNormal(0.002, 0.2), n_requests=n, warmup_fraction=0.0, seed=seed,
                     slowdown=TRUE.slowdown_path(float(arr[-1]) + 5.0, seed + 7))
    return arr, r


def test_fit_recovers_the_slow_state():
    _, r = _true_system(100.0, 6000, 1)  # ~ 25% load
    rec = r.records
    fit = fit_two_state(rec.start_s, rec.finish_s - rec.start_s)
    assert fit.modulated
    assert 0.08 < fit.slow_fraction < 0.25
    assert 3.0 < fit.slow_factor < 5.0
    assert 0.05 < fit.mean_slow_s < 0.4


def test_calibrated_at_low_load_it_predicts_high_load_better_than_iid_resampling():
    _, cal = _true_system(100.0, 6000, 2)
    rec = cal.records
    svc = rec.finish_s - rec.start_s
    fit = fit_two_state(rec.start_s, svc)
    # the truth at ~60% of the fast capacity, averaged over several slow-state paths
    truths, preds_iid, preds_two = [], [], []
    for k in range(4):
        arr, r = _true_system(260.0, 6000, 10 + k)
        truths.append(r.percentile(99))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from simlib.queueing import Empirical

            preds_iid.append(simulate(Trace(arr), Empirical(svc), n_requests=arr.size,
                                      warmup_fraction=0.0, seed=k).percentile(99))
        preds_two.append(fit.predict(arr, 99, paths=3, seed=k))
    truth = np.mean(truths)
    err_iid = abs(np.mean(preds_iid) - truth) / truth
    err_two = abs(np.mean(preds_two) - truth) / truth
    assert err_two < err_iid
    assert err_two < 0.35, (truth, np.mean(preds_two), np.mean(preds_iid))


def test_no_slow_state_means_plain_resampling():
    rng = np.random.default_rng(0)
    start = np.cumsum(rng.exponential(0.01, 500))
    fit = fit_two_state(start, rng.lognormal(np.log(0.002), 0.1, 500))
    assert not fit.modulated and fit.slowdown_path(10.0, 0) is None
    assert "no slow state" in fit.describe()


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        fit_two_state([0.0, 1.0], [0.1])
    with pytest.raises(ValueError, match="at least 50"):
        fit_two_state(np.arange(10.0), np.ones(10))

"""The training chapter's library: closed forms against the source's worked numbers, the cluster
model against the ring all-reduce closed form, the failure simulation against its closed form,
the measurements on tiny seeded runs (no timing assertions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib import errata
from simlib._validate import InvalidParameterError
from simlib.scaling import strong_scaling_efficiency
from simlib.training import (
    ComputeModel,
    Network,
    fit_alpha_beta,
    ring_allreduce_s,
    scaling_curve,
    simulate_data_parallel,
)
from simlib.training.faults import (
    checkpoint_bytes,
    daly_interval_s,
    expected_goodput,
    simulate_goodput,
    young_interval_s,
)
from simlib.training.memory import bytes_per_parameter, inference_memory_bytes, training_memory
from simlib.training.napkin import (
    GPT3,
    mlperf_olympic_mean,
    model_flops_utilization,
    petaflop_days,
    training_energy_j,
    training_flops,
)


def test_napkin_math_1_6():
    assert strong_scaling_efficiency(24, 4, 8) == pytest.approx(0.75)


def test_gpt3_numbers_match_the_source():
    pf = petaflop_days(training_flops(GPT3["params"], GPT3["tokens"]))
    assert pf == pytest.approx(GPT3["reported_pf_days"], rel=0.01)
    mwh = training_energy_j(gpus=GPT3["gpus"], hours=GPT3["days"] * 24, power_w=GPT3["power_w"],
                            pue=GPT3["pue"]) / 3.6e9
    assert mwh == pytest.approx(GPT3["reported_mwh"], rel=0.01)
    mfu = model_flops_utilization(training_flops(175e9, 300e9), gpus=10_000, hours=14.8 * 24,
                                  peak_flops_per_s=125e12)
    assert 0.15 < mfu < 0.25


def test_ring_allreduce_closed_form_and_limits():
    assert ring_allreduce_s(1e9, 1, alpha_s=1e-5, bandwidth_bytes_per_s=1e9) == 0
    two = ring_allreduce_s(1e6, 2, alpha_s=1e-5, bandwidth_bytes_per_s=1e9)
    assert two == pytest.approx(2e-5 + 1e-3)
    big = ring_allreduce_s(1e9, 10_000, alpha_s=0, bandwidth_bytes_per_s=1e9)
    assert big == pytest.approx(2.0, rel=1e-3)  # bandwidth term tends to 2 S / beta


def test_fit_alpha_beta_recovers_parameters_and_rejects_flat_data():
    sizes = [4e3, 6.5e4, 1e6, 4e6]
    net = fit_alpha_beta(sizes, [2 * 3e-5 + s / 5e9 for s in sizes])
    assert net.alpha_s == pytest.approx(3e-5, rel=1e-6)
    assert net.bandwidth_bytes_per_s == pytest.approx(5e9, rel=1e-6)
    with pytest.raises(InvalidParameterError):
        fit_alpha_beta([1e3, 1e6], [1e-3, 1e-4])
    with pytest.raises(InvalidParameterError):
        fit_alpha_beta([1e3], [1e-3])


def test_simulator_without_noise_equals_closed_form():
    net = Network("x", 2e-5, 2e9)
    c = ComputeModel(1e-4, 2e-5)
    for n in (1, 2, 8, 64):
        run = simulate_data_parallel(c, grad_bytes=1e6, n_workers=n, batch=32, network=net, steps=3)
        expect = c.mean_s(32) + ring_allreduce_s(1e6, n, alpha_s=2e-5, bandwidth_bytes_per_s=2e9)
        assert run.samples_s == pytest.approx(np.full(3, expect))
        assert run.wait_s == pytest.approx(np.zeros(3))


def test_overlap_hides_communication_up_to_the_backward_pass():
    net = Network("x", 0.0, 1e9)
    c = ComputeModel(0.0, 1e-4)  # 3.2 ms compute at batch 32: backward 2.13 ms
    full = simulate_data_parallel(c, grad_bytes=1e6, n_workers=2, batch=32, network=net, overlap=1.0, steps=2)
    assert full.allreduce_s == pytest.approx(np.zeros(2))  # 1 ms all-reduce fully hidden
    half = simulate_data_parallel(c, grad_bytes=4e6, n_workers=2, batch=32, network=net, overlap=0.5, steps=2)
    assert half.allreduce_s[0] == pytest.approx(4e-3 - 0.5 * 2 / 3 * 3.2e-3)


def test_stragglers_grow_with_workers():
    rng = np.random.default_rng(0)
    c = ComputeModel.calibrate([32], [rng.lognormal(0, 0.2, 500) * 1e-3])
    curve = scaling_curve(c, grad_bytes=1e5, workers=[1, 8, 64], batch=32, network=Network("x", 0, 1e12),
                          steps=300, seed=1)
    w = curve.wait_fraction()
    assert w[0] == 0 and w[1] < w[2]
    e = curve.efficiency()
    assert e[0] == pytest.approx(1.0) and e[1] > e[2]


def test_calibrate_two_batches_recovers_linear_cost():
    c = ComputeModel.calibrate([16, 64], [np.full(10, 1e-4 + 16e-6), np.full(10, 1e-4 + 64e-6)])
    assert c.fixed_s == pytest.approx(1e-4) and c.per_sample_s == pytest.approx(1e-6)


def test_strong_scaling_communication_dominates_eventually():
    curve = scaling_curve(ComputeModel(1e-5, 1e-5), grad_bytes=1e6, workers=[1, 2, 8, 64, 1024], batch=1024,
                          scaling="strong", network="ethernet-10g", steps=5)
    assert curve.crossover_workers() is not None
    assert np.all(np.diff(curve.efficiency()) < 0)


def test_memory_per_parameter():
    assert bytes_per_parameter("adam", "fp32")["total"] == 16
    assert bytes_per_parameter("sgd", "fp32")["total"] == 8
    assert bytes_per_parameter("momentum", "fp32")["total"] == 12
    m = training_memory(7e9, "adam", "mixed")
    assert m.total_bytes == pytest.approx(112e9)
    assert m.total_bytes / inference_memory_bytes(7e9, "fp16") == pytest.approx(8)


def test_checkpoint_intervals():
    assert young_interval_s(60, 10_800) == pytest.approx(math.sqrt(2 * 60 * 10_800))
    assert daly_interval_s(60, 10_800) < young_interval_s(60, 10_800)
    assert daly_interval_s(10_000, 1_000) == 1_000
    assert checkpoint_bytes(100e9) == pytest.approx(1.4e12)


def test_goodput_simulation_matches_closed_form_and_young_is_near_best():
    young = young_interval_s(60, 10_800)
    grid = np.array([0.25, 0.5, 1, 2, 4]) * young
    sw = simulate_goodput(grid, checkpoint_s=60, restart_s=120, mtbf_s=10_800, work_s=60 * 86_400,
                          replications=30, seed=3)
    assert np.max(np.abs(sw.mean - sw.closed_form)) < 0.01  # 60 days x 30 runs: sd of the mean < 0.3%
    assert sw.best_interval_s == pytest.approx(young)
    assert expected_goodput(interval_s=young, checkpoint_s=0, restart_s=0, mtbf_s=1e12) == pytest.approx(1, rel=1e-6)


def test_olympic_mean():
    assert mlperf_olympic_mean([1, 2, 3, 4, 100]) == 3
    assert math.isinf(mlperf_olympic_mean([1, 2, math.inf, math.inf]))
    with pytest.raises(InvalidParameterError):
        mlperf_olympic_mean([1, 2])


@pytest.mark.parametrize("eid", ["adam-state-bytes", "train-7b-memory", "checkpoint-100b-size"])
def test_training_errata(eid):
    e = errata.get(eid)
    assert e.is_slip and "{" not in e.note_text
    assert {"adam-state-bytes": 8, "train-7b-memory": 112, "checkpoint-100b-size": 1400}[eid] == pytest.approx(e.correct)


def test_bad_input_gets_the_one_error_shape():
    with pytest.raises(InvalidParameterError, match="n_workers"):
        simulate_data_parallel(ComputeModel(0, 1e-5), grad_bytes=1, n_workers=0, batch=1, network="ethernet-10g")
    with pytest.raises(InvalidParameterError, match="network"):
        simulate_data_parallel(ComputeModel(0, 1e-5), grad_bytes=1, n_workers=2, batch=1, network="carrier-pigeon")
    with pytest.raises(InvalidParameterError, match="intervals_s"):
        simulate_goodput([], checkpoint_s=1, restart_s=1, mtbf_s=10, work_s=100)


def test_calibrate_slope_survives_descheduled_steps():
    """A busy machine: a few steps at the small batch are descheduled for 30 ms, enough to make the
    small batch's mean the larger one; the per-sample cost still comes from the typical steps, and
    the model's mean still matches the measured means."""
    rng = np.random.default_rng(3)
    small, large = rng.normal(230e-6, 5e-6, 100), rng.normal(290e-6, 5e-6, 100)
    small[:2] += 30e-3
    c = ComputeModel.calibrate([32, 64], [small, large])
    assert c.per_sample_s == pytest.approx(60e-6 / 32, rel=0.1)
    assert np.mean([c.mean_s(32), c.mean_s(64)]) == pytest.approx((small.mean() + large.mean()) / 2)
    assert np.mean(c.noise) == pytest.approx(1.0)

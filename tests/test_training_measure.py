"""Training measurements on this machine: tiny seeded runs; checks of structure and meaning, no timing."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from simlib.measure import distributed
from simlib.measure.distributed import run_data_parallel
from simlib.measure.training import (
    measure_checkpoint,
    measure_training_memory,
    mlp_flops_per_sample,
    reproducibility,
    time_to_quality,
)
from simlib.protocol import conforms


def test_time_to_quality_reports_like_mlperf():
    r = time_to_quality(batch=64, lr=0.1, optimizer="sgd", target=0.9, seeds=3, max_epochs=100)
    assert conforms(r) == []
    assert r.reached.all()
    assert r.score_s == pytest.approx(float(np.median(r.samples_s)))  # 3 runs: drop two -> the middle one
    for (t, acc), e in zip(r.curves, r.epochs, strict=True):
        assert len(acc) == e and acc[-1] >= 0.9 and np.all(acc[:-1] < 0.9) and np.all(np.diff(t) > 0)


def test_a_missed_target_is_infinite_and_warned():
    r = time_to_quality(batch=64, target=0.999, seeds=3, max_epochs=1)
    assert not r.reached.any() and r.summary["mlperf_score_s"] is None and r.warnings


def test_memory_counts_match_parameter_arithmetic():
    m = measure_training_memory(hidden=128, batch=64, optimizer="adam")
    n = 64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10
    assert m.params == n
    assert m.parts_bytes["weights"] == 4 * n and m.parts_bytes["optimizer"] == 8 * n
    assert m.parts_bytes["activations"] > 0
    assert measure_training_memory(optimizer="sgd").parts_bytes["optimizer"] == 0
    assert mlp_flops_per_sample(128) == 6 * (64 * 128 + 128 * 128 + 1280)


def test_checkpoint_measures_a_real_file():
    c = measure_checkpoint(repeats=3)
    assert c.samples_s.shape == (3,) and c.size_bytes > 8 * 26_000
    assert conforms(c) == []


def test_same_seed_is_bit_identical_and_other_seeds_differ():
    r = reproducibility(epochs=1)
    assert r["same seed"]["identical"]
    assert not r["data order"]["identical"] and not r["init seed"]["identical"]


def test_one_process_runs_in_this_interpreter():
    r = run_data_parallel(1, steps=5)
    assert r.world_size == 1 and not r.warnings and conforms(r) == []
    assert set(r.parts) == {"strong", "half"} and r.parts["strong"]["compute"].shape == (1, 5)
    assert not r.parts["strong"]["allreduce"].any() and not r.parts["strong"]["wait"].any()


def test_falls_back_to_one_process_with_a_message(monkeypatch):
    def broken(*a, **k):
        raise OSError("no processes here")
    monkeypatch.setattr(distributed, "_spawn", broken)
    r = run_data_parallel(2, steps=5)
    assert r.world_size == 1 and r.requested_world_size == 2
    assert any("ONE process" in w and "no processes here" in w for w in r.warnings)


@pytest.mark.slow
def test_two_processes_leave_no_orphans():
    r = run_data_parallel(2, steps=10, timeout_s=120)
    assert r.world_size == 2, r.warnings
    assert r.parts["strong"]["allreduce"].shape == (2, 10) and set(r.parts) == {"strong", "weak"}
    assert sorted(r.sweep_s) == list(distributed.SWEEP_BYTES)
    assert multiprocessing.active_children() == []


def test_backend_choice_names_why_it_fell_back():
    from simlib.measure.distributed import choose_backend

    assert choose_backend("auto", 2, 0) == ("gloo", "")
    assert choose_backend("auto", 2, 1) == ("gloo", "")  # fewer GPUs than workers
    assert choose_backend("auto", 4, 8) == ("nccl", "")
    assert choose_backend("gloo", 2, 8) == ("gloo", "")
    backend, why = choose_backend("nccl", 2, 0)
    assert backend == "gloo" and "one GPU per worker" in why


def test_nccl_asked_without_gpus_runs_gloo_and_says_so(monkeypatch):
    monkeypatch.setattr(distributed, "_cuda_devices", lambda: 0)
    run = run_data_parallel(1, batch=16, steps=5, backend="nccl")
    assert run.backend == "gloo" and any("one GPU per worker" in w for w in run.warnings)


@pytest.mark.gpu
def test_nccl_on_gpus_times_every_part():
    import torch

    world = min(2, torch.cuda.device_count())
    run = run_data_parallel(world, batch=64, steps=10, backend="auto")
    assert run.backend == "nccl" and run.world_size == world
    assert all(np.all(v >= 0) for v in run.parts["strong"].values())


@pytest.mark.slow
def test_four_processes_and_the_efficiency_table():
    """Four real processes (on two cores they take turns, and the run says so), tabled against
    the 1-process reference with the efficiencies computed from their steps; a run that fell back
    to one process shows its warning instead of numbers."""
    from simlib.measure.dp_model import efficiency_table

    one = run_data_parallel(1, steps=10)
    four = run_data_parallel(4, steps=10, timeout_s=180)
    assert four.world_size == 4, four.warnings
    assert four.parts["strong"]["compute"].shape == (4, 10) and multiprocessing.active_children() == []
    fell_back = run_data_parallel(1, steps=5)
    fell_back.requested_world_size, fell_back.warnings = 8, ["could not start worker processes"]
    table = efficiency_table(one, [four, fell_back])
    t1, t4 = np.mean(one.step_s("strong")), np.mean(four.step_s("strong"))
    assert table.rows[0][:4] == ["4", "gloo", f"{t4 * 1e3:.3g}", f"{t1 / (4 * t4):.0%}"]
    assert table.rows[1][0] == "8" and table.rows[1][2] == "" and "could not start" in table.rows[1][-1]
    assert "MEASURED" in table.caption


def test_worker_counts_follow_the_cores_or_gpus():
    from simlib.measure.distributed import worker_counts

    assert worker_counts(cores=2, gpus=0) == [] and worker_counts(cores=3, gpus=1) == []
    assert worker_counts(cores=4, gpus=0) == [4] and worker_counts(cores=128, gpus=0) == [4, 8]
    assert worker_counts(cores=128, gpus=8) == [4, 8] and worker_counts(cores=2, gpus=4) == [4]
    assert worker_counts(cores=128, gpus=0, limit=32) == [4, 8, 16, 32]


def test_efficiency_table_and_worker_counts_refuse_bad_input():
    from simlib._validate import InvalidParameterError
    from simlib.measure.distributed import worker_counts
    from simlib.measure.dp_model import efficiency_table

    with pytest.raises(InvalidParameterError, match="'one' parameter of efficiency_table"):
        efficiency_table([1.0], [])
    one = run_data_parallel(1, steps=5)
    with pytest.raises(InvalidParameterError, match="'runs' parameter of efficiency_table holds float"):
        efficiency_table(one, [0.5])
    with pytest.raises(InvalidParameterError, match="'limit' parameter of worker_counts"):
        worker_counts(cores=8, gpus=0, limit=0)


def test_scaling_command_reports_the_runs_and_their_efficiency(capsys):
    """``simlib scaling --json``: the reference run, the 2-process run and the efficiencies
    computed from those runs' own steps (strict JSON)."""
    import json

    from simlib.cli import main

    assert main(["scaling", "--steps", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (eff,) = out["efficiency"]
    assert out["one"]["result_type"] == "DataParallelRun" and [r["result_type"] for r in out["runs"]] == \
        ["DataParallelRun"]
    if eff["processes"] == 2:
        assert eff["strong_efficiency"] == pytest.approx(eff["one_step_s"] / (2 * eff["strong_step_s"]))
        assert eff["weak_efficiency"] == pytest.approx(eff["one_step_s"] / eff["weak_step_s"])
    else:  # processes could not start here: the run says so, and no efficiency is invented
        assert eff["strong_efficiency"] is None and eff["warnings"]

"""The timing harness, results, backends, the one-call API and the pipeline (functional, not timed)."""

from __future__ import annotations

import json
import time
import types

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from simlib.measure import (
    BackendUnavailable,
    Result,
    harness_overhead,
    measure,
    open_backend,
    run_pipeline,
    time_callable,
    time_inference,
)
from simlib.measure import timer as timer_mod
from simlib.scaling import amdahl_speedup


def test_time_callable_fixed_warmup_and_provenance():
    import time

    calls = []

    def work():  # each call sleeps 10 us longer than the one before: no two timings are equal,
        calls.append(1)  # so the median's interval is never zero wide and a 1e-12 target is
        time.sleep(len(calls) * 1e-5)  # out of reach (equal quantized timings once reached it)

    # a budget 60 calls never use up and a precision no timing reaches: the sample cap must stop it
    r = time_callable(work, warmup=7, number=1, min_samples=40, max_samples=60,
                      target_rel_ci=1e-12, time_budget_s=600, system={"test": True})
    eff = r.settings["effective"]
    assert eff["warmup_calls"] == 7
    assert eff["samples"] == 60 and len(calls) == 7 + 60
    assert eff["stop_reason"] == "max_samples"
    assert r.kind == "measured" and r.system == {"test": True}
    assert r.summary["n"] == len(r.samples_s) and r.metrics["harness_overhead_s"] >= 0


def test_sub_microsecond_calls_are_timed_in_blocks():
    calls = []
    r = time_callable(lambda: calls.append(1), warmup=3, min_samples=20, max_samples=20, system={})
    eff = r.settings["effective"]
    number = eff["number_per_sample"]
    assert number >= 10 and eff["timed_calls"] == 20 * number
    assert len(calls) >= eff["warmup_calls"] + eff["timed_calls"]  # plus the calls that chose the block size
    assert np.median(r.samples_s) * number >= 1e-5  # a block lasts min_block_s
    assert any("blocked timing" in w for w in r.warnings)
    slow = time_callable(lambda: time.sleep(2e-5), warmup=1, min_samples=5, max_samples=5, system={})
    assert slow.settings["effective"]["number_per_sample"] == 1  # long enough to time alone


def test_time_callable_auto_warmup_and_budget_stop():
    import time

    r = time_callable(lambda: time.sleep(0.001), min_samples=5, max_samples=10_000,
                      target_rel_ci=1e-6, time_budget_s=0.2, system={})
    assert r.settings["effective"]["stop_reason"] == "time_budget"
    assert any("time budget" in w for w in r.warnings)


@pytest.mark.parametrize("kw", [{"warmup": -1}, {"warmup": "sometimes"}, {"sync": "gpu"}, {"number": 0},
                                {"min_samples": 10, "max_samples": 5}, {"time_budget_s": 0}])
def test_time_callable_rejects_bad_settings(kw):
    with pytest.raises(InvalidParameterError):
        time_callable(lambda: None, system={}, **kw)


def test_harness_overhead_is_small_and_cached():
    o = harness_overhead()
    assert 0 <= o < 1e-3  # target is 10 us; 1 ms bound only guards against a broken measurement
    assert harness_overhead() == o


def _fake_cuda(log):
    class Event:
        def __init__(self, enable_timing=False):
            self.t = None

        def record(self):
            log.append("record")
            self.t = len(log)

        def synchronize(self):
            log.append("event-sync")

        def elapsed_time(self, other):
            return 2.0  # ms

    return types.SimpleNamespace(synchronize=lambda: log.append("sync"), Event=Event)


def test_cuda_sync_paths_with_mock(monkeypatch):
    log = []
    monkeypatch.setattr(timer_mod, "_cuda", lambda: _fake_cuda(log))
    r = time_callable(lambda: log.append("fn"), warmup=0, min_samples=3, max_samples=3, sync="cuda", system={})
    assert log[:3] == ["sync", "fn", "sync"] and len(r.samples_s) == 3
    log.clear()
    r = time_callable(lambda: log.append("fn"), warmup=0, min_samples=3, max_samples=3,
                      sync="cuda_events", system={})
    assert log[:4] == ["record", "fn", "record", "event-sync"]
    np.testing.assert_array_equal(r.samples_s, [0.002, 0.002, 0.002])  # device time, ms -> s


def test_result_roundtrip_repr_html(tmp_path):
    r = Result(name="x", kind="measured", samples_s=np.linspace(1, 2, 50) * 1e-3, system={"a": 1},
               settings={"requested": {"n": 1}, "effective": {"n": 2}}, seed=3, warnings=["careful"])
    p = r.save(tmp_path / "r.json")
    d = json.loads(p.read_text())
    assert d["kind"] == "measured" and d["seed"] == 3 and len(d["samples_s"]) == 50
    assert d["summary"]["p50_s"] == pytest.approx(r.stats.median)
    r2 = Result.load(p)
    assert isinstance(r2.samples_s, np.ndarray) and r2.samples_s.tolist() == r.samples_s.tolist()
    assert "careful" in repr(r) and "median" in repr(r) and "careful" in r._repr_html_()
    with pytest.raises(InvalidParameterError):
        Result(name="x", kind="guessed", samples_s=[1, 2], system={})


@pytest.mark.parametrize("backend", ["torch", "onnxruntime"])
def test_backends_cold_start_and_infer(backend):
    b = open_backend(backend, "digits", threads=1)
    try:
        assert b.load_s is not None and b.first_inference_s is not None
        out = b.infer(b.spec.sample_inputs(5))
        assert out.shape == (5, 10)
        d = b.describe()
        assert d["intra_op_threads"] == 1 and d["backend"] == backend
    finally:
        b.close()


def test_torch_and_onnxruntime_agree():
    t, o = open_backend("torch", "digits"), open_backend("onnxruntime", "digits")
    x = t.spec.sample_inputs(8)
    np.testing.assert_allclose(t.infer(x), o.infer(x), rtol=1e-4, atol=1e-4)
    t.close()
    o.close()


def test_backend_errors():
    with pytest.raises(InvalidParameterError, match="backend"):
        open_backend("tensorflow", "digits")
    with pytest.raises(InvalidParameterError, match="model"):
        open_backend("torch", "resnet")
    with pytest.raises(InvalidParameterError, match="precision"):
        open_backend("torch", "digits", precision="int8")
    with pytest.raises(BackendUnavailable, match="EdgeTPU"):
        open_backend("edgetpu", "digits")


def test_cuda_backend_unavailable_without_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(BackendUnavailable, match="CUDA"):
        open_backend("torch", "digits", device="cuda")
    with pytest.raises(BackendUnavailable, match="CUDA"):
        open_backend("onnxruntime", "digits", device="cuda")


def test_measure_singlestream_provenance(tmp_path):
    r = measure("digits", "onnxruntime", scenario="singlestream", duration_s=0.2, min_query_count=20,
                threads=1, progress=False)
    assert r.valid
    d = json.loads(r.save(tmp_path / "m.json").read_text())
    assert d["kind"] == "measured" and d["system"]["hardware"]
    assert d["settings"]["effective"]["intra_op_threads"] == 1
    assert d["metrics"]["load_s"] is not None and d["metrics"]["first_inference_s"] is not None
    assert d["extra"]["model_info"]["params"] > 0
    # no meter on CI machines: measured energy is null, never 0, and a modeled number is labeled
    if d["extra"]["energy"]["measured_energy_j"] is None:
        assert d["metrics"]["measured_j_per_inference"] is None
        assert d["extra"]["energy"]["modeled"]["kind"] == "modeled"


def test_measure_bad_input():
    with pytest.raises(InvalidParameterError, match="qps"):
        measure("digits", scenario="server")
    with pytest.raises(InvalidParameterError, match="scenario"):
        measure("digits", scenario="batch")


def test_time_inference_int8():
    r = time_inference("digits", precision="int8", min_samples=20, max_samples=200, time_budget_s=0.2)
    assert r.metrics["batch_size"] == 1 and len(r.samples_s) >= 20


def test_pipeline_stages_and_amdahl():
    r = run_pipeline("cnn", encoding="binary", n_requests=4, threads=1)
    med = r.extra["stage_median_s"]
    assert set(med) == {"parse", "decode", "resize", "normalize", "model", "postprocess", "serialize"}
    assert sum(r.extra["stage_share"].values()) == pytest.approx(1.0)
    assert 0 < r.metrics["model_share"] < 1
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    with pytest.raises(InvalidParameterError):
        run_pipeline("cnn", encoding="xml")


def test_pipeline_encodings_carry_the_same_pixels():
    """JSON carries the pixels as a list of numbers, binary as raw bytes: the same image;
    JPEG carries a compressed copy of it."""
    import json

    from simlib.measure.pipeline import _decode, _parse, make_requests

    images = {}
    for enc in ("json", "binary", "jpeg"):
        req = make_requests(1, enc, seed=3)[0]
        images[enc] = np.asarray(_decode(*_parse(req, enc), enc), dtype=float)
    doc = json.loads(make_requests(1, "json", seed=3)[0])
    assert isinstance(doc["pixels"], list) and all(isinstance(v, int) for v in doc["pixels"][:100])
    assert images["json"].shape == (240, 320, 3)
    assert np.array_equal(images["json"], images["binary"])
    assert np.abs(images["jpeg"] - images["binary"]).mean() < 8  # lossy, but the same photo

"""The system-benchmarks chapter's library: the theoretical peak, micro-benchmarks, the per-layer
roofline against the profiler, and the source's worked numbers (Napkin Math 1.3 and 1.4, the
TPU v4 pod, the H100 speed-of-light example). Fast and seeded; no timing assertions."""

from __future__ import annotations

import math

import pytest
import torch

from simlib._validate import InvalidParameterError
from simlib.hardware import get
from simlib.hardware.peak import (
    TPU_V4_BF16_FLOPS,
    TPU_V4_POD_CHIPS,
    cpu_flags,
    cpu_peak,
    pod_peak_flops,
)
from simlib.measure.layerprof import LayerProfile, LayerRow, count_layers, profile_layers
from simlib.measure.microbench import (
    BandwidthSweep,
    ColdWarm,
    NoiseDemo,
    clock_facts,
    cold_vs_warm,
    operator_study,
    working_set_sweep,
)
from simlib.measure.roofline import KernelMeasurement
from simlib.roofline import analyze, ridge_point
from simlib.scaling import amdahl_speedup

# --- the theoretical peak ---------------------------------------------------------------------


def test_peak_closed_forms():
    p = cpu_peak(cores=8, frequency_hz=2.0e9, flags={"avx512f"}, fma_units=2)
    assert p.flops_per_cycle["fp32"] == 64 and p.flops_per_cycle["fp64"] == 32
    assert p.peak_flops["fp32"] == pytest.approx(8 * 2e9 * 64)
    assert "bf16" not in p.peak_flops
    assert cpu_peak(cores=1, frequency_hz=1e9, flags={"avx2", "fma"}, fma_units=1).peak_flops["fp32"] == 16e9
    assert cpu_peak(cores=1, frequency_hz=1e9, flags={"sse2"}, fma_units=2).flops_per_cycle["fp32"] == 16
    amx = cpu_peak(cores=1, frequency_hz=1e9, flags={"avx512f", "amx_bf16"})
    assert amx.flops_per_cycle["bf16"] == 1024


def test_peak_says_what_is_assumed():
    p = cpu_peak(cores=4, frequency_hz=3e9, flags={"avx2", "fma"})
    assert p.assumed == ["fma_units"]
    assert p.fraction(p.peak_flops["fp32"] / 4) == pytest.approx(0.25)
    detected = cpu_peak()  # this machine: cores are always detected, FMA units never
    assert "cores" in detected.detected and "fma_units" in detected.assumed
    assert detected.peak_flops["fp32"] > 0


def test_peak_rejects_bad_input():
    with pytest.raises(InvalidParameterError, match="cores"):
        cpu_peak(cores=0)
    with pytest.raises(InvalidParameterError, match="frequency_hz"):
        cpu_peak(cores=1, frequency_hz=-1)


def test_cpu_flags_parses_x86_and_arm():
    assert cpu_flags("flags : fpu avx2 fma\n") == {"fpu", "avx2", "fma"}
    assert cpu_flags("Features : fp asimd bf16\n") == {"fp", "asimd", "bf16"}


# --- the source's worked numbers, recomputed from the catalog ----------------------------------


def test_a100_ridges_and_bert_napkin_math():
    a100 = get("a100-sxm")
    assert ridge_point(a100.peak("fp16"), a100.dram.bandwidth_bytes_per_s) == pytest.approx(153, abs=0.5)
    assert ridge_point(a100.peak("fp32"), a100.dram.bandwidth_bytes_per_s) == pytest.approx(9.56, abs=0.01)
    b1 = analyze("a100-sxm", "fp16", flops=22e9, bytes=440e6)
    assert b1.bound == "memory" and b1.utilization == pytest.approx(0.327, abs=0.001)
    b32 = analyze("a100-sxm", "fp16", flops=32 * 22e9, bytes=440e6)
    assert b32.intensity_flop_per_byte == 1600 and b32.bound == "compute"
    assert 0.85 * b32.attainable_flops / 1e12 == pytest.approx(265.2)  # the erratum, not the printed 16.5


def test_tpu_pod_and_h100_speed_of_light():
    assert pod_peak_flops(TPU_V4_POD_CHIPS, TPU_V4_BF16_FLOPS) == pytest.approx(1.1264e18)
    h100 = get("h100-sxm")
    assert 10e12 / h100.peak("fp16") == pytest.approx(0.0101, abs=1e-4)
    assert 1.6e12 / get("a100-sxm").dram.bandwidth_bytes_per_s == pytest.approx(0.785, abs=0.001)


def test_softmax_share_amdahl():
    # the source's self-check: 3 ms of softmax in an 80 ms request; even removing it entirely
    assert amdahl_speedup(3 / 80, 1e12) == pytest.approx(80 / 77, rel=1e-6)


# --- micro-benchmark results: every wording branch, with synthetic data -------------------------


def _km(ws_bytes, rate, n=7, spread=0.0):
    t = ws_bytes / rate
    times = tuple(t * (1 + spread * (i - n // 2) / n) for i in range(n))
    return KernelMeasurement("stream-triad", "fp32", int(ws_bytes // 12), ws_bytes * 2 / 12, ws_bytes,
                             times, 1, 1, "B/s")


def test_sweep_picks_cache_and_dram_points_and_words_the_cliff():
    caches = (("L1d", 48 * 1024), ("L2", 1 << 20), ("L3", 32 << 20))
    s = BandwidthSweep((_km(40e3, 50e9), _km(800e3, 90e9), _km(20e6, 60e9), _km(400e6, 20e9)), caches)
    assert s.level_of(40e3) == "L1d" and s.level_of(400e6) == "DRAM"
    assert s.cache_point.bytes == 800e3 and s.dram_point.bytes == 400e6
    assert s.cache_over_dram == pytest.approx(4.5)
    assert "4.5 times faster" in s.cliff_text() and "L2" in s.cliff_text()
    flat = BandwidthSweep((_km(800e3, 20e9, spread=0.5), _km(400e6, 20e9, spread=0.5)), caches)
    assert "not clearly different" in flat.cliff_text()
    inverted = BandwidthSweep((_km(800e3, 10e9), _km(400e6, 20e9)), caches)
    assert "disturbed" in inverted.cliff_text()


def test_cold_warm_wording():
    slow = ColdWarm("x", (0.05, 0.012, 0.011), tuple(0.010 + 0.0001 * i for i in range(10)))
    assert slow.first_over_steady == pytest.approx(0.05 / slow.steady_ci.estimate)
    assert "times the steady-state median" in slow.warmup_text()
    same = ColdWarm("x", (0.0101,), tuple(0.010 + 0.0001 * i for i in range(10)))
    assert "no warm-up" in same.warmup_text()


def test_noise_flag_wording_every_branch():
    flat = (1.0,) * 10
    noisy = tuple(1.0 + (0.5 if i % 2 else -0.5) for i in range(10))
    assert "flagged the run beside" in NoiseDemo("k", flat, noisy, 2).flag_text()
    assert "flagged both" in NoiseDemo("k", noisy, noisy, 2).flag_text()
    assert "but not the one beside" in NoiseDemo("k", noisy, flat, 2).flag_text()
    assert "neither run" in NoiseDemo("k", flat, flat, 2).flag_text()
    assert NoiseDemo("k", noisy, flat, 2).warnings


def test_cold_vs_warm_and_clock_run_quickly():
    r = cold_vs_warm(lambda: (lambda: sum(range(200))), first=2, steady=5)
    assert len(r.first_s) == 2 and len(r.steady_s) == 5 and r.kind == "measured"
    f = clock_facts(500)
    assert f["resolution_s"] > 0 and f["read_cost_s"] > 0


def test_sweep_small_and_restores_threads():
    before = torch.get_num_threads()
    s = working_set_sweep([48 * 1024, 4 << 20], repeats=7)
    assert torch.get_num_threads() == before
    assert len(s.points) == 2 and all(m.median_rate > 0 for m in s.points)


def test_operator_study_counts(monkeypatch):
    class Roof:
        peak_flops = {"fp32": 50e9}
        bandwidth_bytes_per_s = 10e9

    st = operator_study(Roof(), small=True)
    names = [r.name for r in st.rows]
    assert names == ["gemm", "add", "softmax", "conv3x3"]
    g = st.by_name("gemm")
    assert g.flops == 2 * 256**3 and g.bytes == 3 * 256 * 256 * 4
    assert st.by_name("add").bytes == 3 * (1 << 18) * 4
    assert st.dispatch_s > 0 and all(r.predicted_s > r.roof_time_s for r in st.rows)
    assert all(r.diagnosis() for r in st.rows)
    assert "<table>" in st.operator_table()._repr_html_()


# --- layer counting and profiling ----------------------------------------------------------------


def test_counts_match_torch_flop_counter_for_convs_and_linears():
    from torch.utils.flop_counter import FlopCounterMode

    from simlib.models.registry import get_model

    spec = get_model("cnn", width=0.35, resolution=64)
    x = torch.from_numpy(spec.sample_inputs(1))
    rows = count_layers(spec.module, x)
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        spec.module(x)
    conv_lin = sum(r.flops for r in rows if r.kind.startswith("conv"))
    lin = [r for r in rows if r.kind == "linear"]
    # torch counts 2 x MACs of convolutions and matrix products; simlib adds the bias to linears
    bias = sum(1000 for _ in lin)
    assert conv_lin + sum(r.flops for r in lin) - bias == fc.get_total_flops()
    kinds = {r.kind for r in rows}
    assert {"conv 1x1", "conv depthwise", "batchnorm", "activation", "residual add", "pool"} <= kinds
    assert not [r for r in rows if r.kind == "not counted"]


def test_counts_of_a_small_net_exactly():
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8),
                              torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8 * 8 * 8, 10)).eval()
    rows = count_layers(net, torch.zeros(2, 3, 8, 8))
    conv, bn, relu, flat, lin = rows
    assert conv.flops == 2 * 2 * 8 * 8 * 8 * 3 * 9 and conv.bytes == (8 * 3 * 9 + 2 * (3 * 64 + 8 * 64)) * 4
    assert bn.flops == 2 * 2 * 8 * 64 and relu.flops == 2 * 8 * 64
    assert flat.kind == "no-op"
    assert lin.flops == 2 * 2 * 512 * 10 + 2 * 10


def test_encoder_counts_the_attention_core():
    from simlib.models.registry import get_model

    spec = get_model("encoder", layers=1, hidden=32, heads=2, seq_len=16, vocab=100)
    rows = count_layers(spec.module, torch.from_numpy(spec.sample_inputs(1)))
    att = [r for r in rows if r.kind == "attention core"]
    assert len(att) == 1 and att[0].residue and att[0].flops > 4 * 16 * 16 * 32


def test_profile_layers_runs_and_saves_a_trace(tmp_path):
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU()).eval()
    before = torch.get_num_threads()
    lp = profile_layers(net, torch.zeros(1, 3, 16, 16), (10e9, 5e9), dispatch_s=1e-6, passes=3, warmup=1,
                        trace_path=tmp_path / "t.json", threads=1)
    assert torch.get_num_threads() == before
    assert [r.name for r in lp.rows] == ["0", "1"] and len(lp.forward_samples_s) == 3
    assert (tmp_path / "t.json").stat().st_size > 0 and lp.trace_path.endswith("t.json")
    assert all(len(r.samples_s) == 3 for r in lp.rows)


def test_layer_profile_summaries():
    rows = (LayerRow("a", "conv", 1e6, 1e5, 1, 1e-4, 1e-4), LayerRow("b", "add", 0, 1e4, 1, 1e-6, 1e-4),
            LayerRow("c", "conv", 1e6, 1e5, 1, 2e-4, 1e-4))
    lp = LayerProfile("m", rows, (4e-4, 5e-4, 4.5e-4), 1e10, 1e9, 1e-6, "profiler")
    assert lp.worst(1)[0].name == "b" and lp.worst(1)[0].ratio == pytest.approx(100)
    assert lp.within(2.0) == pytest.approx(2 / 3)
    kinds = {d["kind"]: d for d in lp.by_kind()}
    assert kinds["conv"]["count"] == 2 and kinds["conv"]["ratio"] == pytest.approx(2e-4 / 3e-4)
    assert lp.unattributed_s == pytest.approx(4.5e-4 - 3e-4)
    assert math.isclose(lp.summary["predicted_s"], 3.01e-4)
    assert "<table>" in lp.kind_table()._repr_html_()


def test_cuda_events_path_with_a_mock(monkeypatch):
    """The GPU path (CUDA events around each layer) on the CPU, with torch.cuda's events mocked
    by host timestamps: every layer gets one time per pass, the forward pass the root's."""
    import time as _time

    class FakeEvent:
        def __init__(self, enable_timing=False):
            self.t = None

        def record(self):
            self.t = _time.perf_counter()

        def elapsed_time(self, end):
            return (end.t - self.t) * 1e3  # ms, as CUDA reports

    monkeypatch.setattr(torch.cuda, "Event", FakeEvent)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda: None)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU()).eval()
    lp = profile_layers(net, torch.zeros(1, 3, 16, 16), (10e9, 5e9), passes=4, warmup=1, timer="cuda_events")
    assert lp.timer == "cuda_events" and len(lp.forward_samples_s) == 4
    assert all(len(r.samples_s) == 4 and r.measured_s > 0 for r in lp.rows)
    assert lp.measured_total_s >= max(r.measured_s for r in lp.rows)


def test_catalog_gpu_matching():
    from simlib.hardware.peak import catalog_gpu

    assert catalog_gpu("NVIDIA H200") == "h200"
    assert catalog_gpu("Tesla T4") == "t4" and catalog_gpu(None) is None


def test_operator_diagnosis_every_branch():
    from simlib.measure.microbench import OperatorRow

    def row(time_s, roof, dispatch=1e-7, ci=0.01):
        return OperatorRow("op", "", 1e6, 1e6, time_s, (time_s * (1 - ci), time_s * (1 + ci)), 0.01, roof, dispatch)

    assert row(1e-6, 1e12, dispatch=8e-7).diagnosis().startswith("latency bound")
    assert row(1e-4, 1e9).diagnosis().startswith("above the measured roof")  # 1e10 FLOP/s on a 1e9 roof
    assert row(1e-4, 1.5e10).diagnosis().startswith("near its roof")
    assert row(1e-4, 1e12).diagnosis().startswith("utilization trap")

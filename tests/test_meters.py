"""Energy meters: RAPL (fake powercap tree), NVML (mocked pynvml), the null meter; `gpu` for real."""

from __future__ import annotations

import time
import types
from pathlib import Path

import pytest

from simlib.measure.meters import (
    MeterUnavailable,
    NullMeter,
    NVMLMeter,
    RAPLMeter,
    auto_meter,
    energy_fields,
    modeled_energy,
)


def _zone(root: Path, name: str, energy: int, rng: int = 1_000_000) -> Path:
    z = root / name
    z.mkdir(parents=True)
    (z / "energy_uj").write_text(str(energy))
    (z / "max_energy_range_uj").write_text(str(rng))
    (z / "name").write_text("package-0")
    return z


def test_rapl_counts_and_wraps(tmp_path):
    z0 = _zone(tmp_path, "intel-rapl:0", 999_000)
    _zone(tmp_path, "intel-rapl:0:0", 5)  # a subzone: ignored
    m = RAPLMeter(root=tmp_path)
    m.begin()
    (z0 / "energy_uj").write_text("1000")  # wrapped: 999000 -> 1000000 -> 1000
    r = m.end()
    assert r.energy_j == pytest.approx((1_000_000 - 999_000 + 1000) / 1e6)
    assert any("wrapped" in n for n in r.notes) and r.meter == "rapl"


def test_rapl_unreadable_says_how_to_fix(tmp_path, monkeypatch):
    _zone(tmp_path, "intel-rapl:0", 1)
    real = Path.read_text

    def deny(self, *a, **k):
        if self.name == "energy_uj":
            raise PermissionError(13, "Permission denied")
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "read_text", deny)
    with pytest.raises(MeterUnavailable, match="chmod"):
        RAPLMeter(root=tmp_path)


def test_rapl_missing(tmp_path):
    with pytest.raises(MeterUnavailable):
        RAPLMeter(root=tmp_path / "none")


def _fake_nvml(counter: bool, power_mw: float = 100_000.0):
    state = {"energy_mj": 0}

    def total(h):
        if not counter:
            raise RuntimeError("not supported")
        state["energy_mj"] += 500  # 0.5 J per read
        return state["energy_mj"]

    return types.SimpleNamespace(
        nvmlInit=lambda: None, nvmlDeviceGetHandleByIndex=lambda i: "h",
        nvmlDeviceGetTotalEnergyConsumption=total, nvmlDeviceGetPowerUsage=lambda h: power_mw)


def test_nvml_energy_counter_mock():
    m = NVMLMeter(nvml=_fake_nvml(True), sync=lambda: None)
    assert m.method == "nvml-energy-counter"
    m.begin()
    r = m.end()
    assert r.energy_j == pytest.approx(0.5) and r.sample_rate_hz is None


def test_nvml_power_sampling_mock():
    m = NVMLMeter(nvml=_fake_nvml(False, 100_000.0), interval_s=0.01, sync=lambda: None)
    assert m.method == "nvml-power-sampling"
    m.begin()
    time.sleep(0.15)
    r = m.end()
    # constant 100 W integrated over the sampled span (the last partial interval is not sampled)
    assert 0.5 * 100 * 0.15 < r.energy_j <= 100 * r.duration_s + 1e-9
    assert r.sample_rate_hz > 5 and any("1 s average" in n for n in r.notes)


def test_nvml_unavailable():
    bad = types.SimpleNamespace(nvmlInit=lambda: (_ for _ in ()).throw(RuntimeError("no driver")))
    with pytest.raises(MeterUnavailable, match="NVML"):
        NVMLMeter(nvml=bad)


def test_null_meter_and_modeled_estimate():
    m = NullMeter("test")
    m.begin()
    r = m.end()
    assert r.energy_j is None and r.power_w is None
    f = energy_fields(r, 10, flops=1e6, weight_bytes=1e5)
    assert f["measured_energy_j"] is None and f["measured_j_per_inference"] is None
    assert f["modeled"]["kind"] == "modeled" and f["modeled"]["energy_j"] > 0
    assert modeled_energy(1e6, 0)["energy_j"] > 0


def test_auto_meter_never_raises():
    import time

    m = auto_meter()
    t0 = time.perf_counter()
    m.begin()
    time.sleep(0.05)
    r = m.end()
    wall_s = time.perf_counter() - t0
    assert 0.05 <= r.duration_s <= wall_s  # the window it reports is the one it was given


@pytest.mark.gpu
def test_gpu_nvml_and_cuda_for_real():
    """On a GPU machine: real NVML energy over a CUDA workload, and CUDA-synchronized timing."""
    import torch

    from simlib.measure import open_backend, time_callable

    m = NVMLMeter()
    x = torch.randn(4096, 4096, device="cuda")
    m.begin()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 2.0:
        x @ x
    r = m.end()
    assert r.energy_j > 0 and 1 < r.power_w < 2000
    t = time_callable(lambda: x @ x, sync="cuda_events", warmup=5, min_samples=20, max_samples=50)
    assert t.summary["p50_s"] > 0
    b = open_backend("torch", "cnn", device="cuda")
    assert b.infer(b.spec.sample_inputs(2)).shape == (2, 1000)
    b.close()

"""detect() reports every probe and never raises: no GPU, NVML failing, RAPL unreadable."""

from __future__ import annotations

import importlib
import json
import sys
import types

import pytest

from simlib.hardware.detect import detect, probe_edgetpu, probe_gpu, probe_rapl

# the package re-exports the function detect(), which shadows the module's name
detect_mod = importlib.import_module("simlib.hardware.detect")


def test_detect_has_every_probe_with_a_status():
    hw = detect()
    assert set(hw) == {"cpu", "memory", "threads", "gpu", "rapl", "edgetpu"}
    for name, probe in hw.items():
        assert isinstance(probe["available"], bool), name
        if not probe["available"]:
            assert probe["reason"], f"{name} unavailable without a reason"
    json.dumps(hw)  # JSON-serializable


def test_cpu_and_memory_are_described():
    hw = detect()
    assert hw["cpu"]["logical_cores"] >= 1
    assert hw["memory"]["total_bytes"] > 0
    assert hw["threads"]["torch_intra_op"] >= 1


def _fake_torch(cuda_available: bool, cuda_version):
    torch = types.SimpleNamespace()
    torch.version = types.SimpleNamespace(cuda=cuda_version)
    torch.cuda = types.SimpleNamespace(is_available=lambda: cuda_available, device_count=lambda: 0)
    return torch


class _NVMLError(Exception):
    pass


def _fake_pynvml(init_raises=False, energy_raises=False):
    m = types.ModuleType("pynvml")

    def init():
        if init_raises:
            raise _NVMLError("NVML Shared Library Not Found")

    m.nvmlInit = init
    m.nvmlShutdown = lambda: None
    m.nvmlDeviceGetCount = lambda: 1
    m.nvmlDeviceGetHandleByIndex = lambda i: object()
    m.nvmlDeviceGetName = lambda h: b"NVIDIA H200"
    m.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(total=141 * 2**30)
    m.nvmlDeviceGetEnforcedPowerLimit = lambda h: 700_000  # mW

    def energy(h):
        if energy_raises:
            raise _NVMLError("Not Supported")
        return 123_456

    m.nvmlDeviceGetTotalEnergyConsumption = energy
    m.nvmlSystemGetDriverVersion = lambda: "580.00"
    return m


def test_no_gpu(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, None))
    monkeypatch.setitem(sys.modules, "pynvml", _fake_pynvml(init_raises=True))
    gpu = probe_gpu()
    assert gpu["available"] is False
    assert "no CUDA" in gpu["cuda"]["reason"]
    assert "NVML could not start" in gpu["nvml"]["reason"]
    assert "modeled" in gpu["reason"]


def test_nvml_raising_during_queries_is_reported(monkeypatch):
    broken = _fake_pynvml()
    broken.nvmlDeviceGetCount = lambda: (_ for _ in ()).throw(_NVMLError("GPU is lost"))
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, "12.4"))
    monkeypatch.setitem(sys.modules, "pynvml", broken)
    gpu = probe_gpu()
    assert gpu["nvml"]["available"] is False
    assert "GPU is lost" in gpu["nvml"]["reason"]
    assert gpu["cuda"]["reason"].startswith("no CUDA device found")


def test_nvml_present_reports_power_limit_and_energy_counter(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, "12.4"))
    monkeypatch.setitem(sys.modules, "pynvml", _fake_pynvml(energy_raises=True))
    nvml = probe_gpu()["nvml"]
    assert nvml["available"] is True
    dev = nvml["devices"][0]
    assert dev["name"] == "NVIDIA H200"
    assert dev["power_limit_w"] == pytest.approx(700.0)
    assert dev["total_energy_counter"] is False


def test_nvml_library_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import raises ImportError
    assert "nvidia-ml-py" in detect_mod._nvml_probe()["reason"]


def test_rapl_missing_dir(tmp_path):
    probe = probe_rapl(tmp_path / "nope")
    assert probe["available"] is False and "does not exist" in probe["reason"]


def test_rapl_unreadable(tmp_path, monkeypatch):
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "name").write_text("package-0\n")
    (zone / "max_energy_range_uj").write_text("262143328850\n")
    # energy_uj exists but cannot be read (root-only since Linux 5.10): simulate the OSError
    (zone / "energy_uj").write_text("1\n")
    real_read = detect_mod._read
    monkeypatch.setattr(detect_mod, "_read", lambda p: None if str(p).endswith("energy_uj") else real_read(p))
    probe = probe_rapl(tmp_path)
    assert probe["available"] is False
    assert "not readable" in probe["reason"] and "chmod" in probe["reason"]
    assert probe["zones"][0]["name"] == "package-0"


def test_rapl_readable(tmp_path):
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "name").write_text("package-0\n")
    (zone / "energy_uj").write_text("123456\n")
    (zone / "max_energy_range_uj").write_text("262143328850\n")
    sub = tmp_path / "intel-rapl:0:0"  # a subzone (core): not listed as a package
    sub.mkdir()
    probe = probe_rapl(tmp_path)
    assert probe["available"] is True
    assert [z["zone"] for z in probe["zones"]] == ["intel-rapl:0"]
    assert probe["zones"][0]["max_energy_range_uj"] == 262143328850


def test_edgetpu_absent_says_what_is_missing():
    probe = probe_edgetpu()
    if not probe["available"]:
        assert "EdgeTPU" in probe["reason"]


def test_a_probe_that_crashes_is_reported_not_raised(monkeypatch):
    def boom():
        raise RuntimeError("odd platform")

    monkeypatch.setitem(detect_mod._PROBES, "cpu", boom)
    hw = detect()
    assert hw["cpu"]["available"] is False
    assert "odd platform" in hw["cpu"]["reason"]

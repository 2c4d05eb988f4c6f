"""simlib.measure.energy_window: start/stop energy windows on the meters (Zeus's shape)."""

from __future__ import annotations

import pytest

from simlib._validate import InvalidParameterError
from simlib.measure.energy_window import EnergyMonitor, energy_window
from simlib.measure.meters import EnergyReading, MeterUnavailable
from simlib.protocol import conforms


class FakeMeter:
    """A meter that reports 2 J per window (a RAPL-like package counter)."""

    name = "rapl"

    def begin(self):
        pass

    def end(self):
        return EnergyReading(2.0, 0.5, "rapl", "rapl-counter", notes=["package energy: includes everything"])


def test_null_meter_gives_none_and_labeled_model():
    mon = EnergyMonitor("none", modeled_power_w=4.0)
    assert not mon.measures and mon.boundary == "none (no meter)"
    mon.begin_window("a")
    w = mon.end_window("a", n_inferences=10)
    assert w.energy_j is None and w.kind == "modeled"
    assert w.modeled_energy_j == pytest.approx(4.0 * w.duration_s)
    assert w.summary["energy_per_inference_j"] == pytest.approx(w.modeled_energy_j / 10)
    assert "MODELED" in w.table() and "not measured" in w.table()
    assert conforms(w) == []


def test_real_meter_names_its_boundary():
    mon = EnergyMonitor(FakeMeter)
    with mon.window("x", n_inferences=4) as h:
        pass
    w = h.result
    assert w.kind == "measured" and w.energy_j == 2.0 and w.boundary == "CPU package"
    assert w.summary["energy_per_inference_j"] == 0.5 and w.summary["power_w"] == 4.0
    assert conforms(w) == []


def test_overlapping_windows_and_errors():
    mon = EnergyMonitor("none")
    mon.begin_window("outer")
    mon.begin_window("inner")
    with pytest.raises(InvalidParameterError, match="already open"):
        mon.begin_window("inner")
    assert mon.end_window("inner").key == "inner"
    assert mon.end_window("outer").duration_s >= 0
    with pytest.raises(InvalidParameterError, match="no open window"):
        mon.end_window("outer")
    with pytest.raises(InvalidParameterError, match="meter"):
        EnergyMonitor("joulescope")


def test_window_closes_when_the_block_raises():
    mon = EnergyMonitor("none")
    with pytest.raises(RuntimeError), mon.window("boom") as h:
        raise RuntimeError("x")
    assert h.result is not None and "boom" not in mon._open


def test_explicit_missing_meter_raises_with_the_fix(tmp_path, monkeypatch):
    import simlib.measure.meters as meters

    monkeypatch.setattr(meters, "POWERCAP_ROOT", tmp_path)
    with pytest.raises(MeterUnavailable):
        EnergyMonitor(lambda: meters.RAPLMeter(tmp_path))


def test_shortcut_context_manager():
    with energy_window("s", meter="none", modeled_power_w=1.0) as h:
        sum(range(100))
    assert h.result.modeled_basis.startswith("1 W model")


def test_gpu_path_mocked_names_the_board_boundary():
    """The NVML path on a CPU machine, with a mocked NVML: the same calls a GPU reader runs."""
    from simlib.measure.energy_window import windows_over
    from simlib.measure.meters import NVMLMeter
    from tests.test_meters import _fake_nvml

    fake = _fake_nvml(True)
    mon = EnergyMonitor(lambda: NVMLMeter(nvml=fake, sync=lambda: None), modeled_power_w=300.0)
    with mon.window("gpu", n_inferences=5) as h:
        pass
    w = h.result
    assert w.kind == "measured" and w.boundary == "GPU board" and w.energy_j == pytest.approx(0.5)
    assert w.modeled_energy_j is not None  # the model stays beside the measurement, labeled
    ws = windows_over(lambda: None, duration_s=0.02, window_s=0.005,
                      meter=lambda: NVMLMeter(nvml=fake, sync=lambda: None))
    assert all(x.energy_j == pytest.approx(0.5) and x.boundary == "GPU board" for x in ws)


@pytest.mark.gpu
def test_real_nvml_window_measures_the_board():
    """On a GPU machine: a real NVML window around real GPU work is measured, at the board."""
    import torch

    mon = EnergyMonitor("nvml", modeled_power_w=100.0)
    a = torch.randn(2048, 2048, device="cuda")
    with mon.window("matmul", n_inferences=50) as h:
        for _ in range(50):
            a = a @ a / 2048
    w = h.result
    assert w.kind == "measured" and w.boundary == "GPU board" and w.energy_j > 0

"""The CUDA build of torch on a machine without a GPU behaves like the CPU build.

The common laptop case: pip installed PyPI's default (CUDA) torch, but there is no NVIDIA GPU or
driver. Simulated with the real torch and pynvml modules: ``torch.version.cuda`` set and
``torch.cuda.is_available()`` False; NVML failing to start with the errors a machine without the
driver gives (library not found, driver not loaded). Every probe, meter, backend and the `gpu`
test marker must say that no GPU was found and fall back to the CPU, for both builds alike.
"""

from __future__ import annotations

import types

import pynvml
import pytest
import torch

from simlib.cli import main
from simlib.hardware.detect import probe_gpu, probe_torch_cuda
from simlib.measure import BackendUnavailable, open_backend, time_callable
from simlib.measure.meters import MeterUnavailable, NullMeter, NVMLMeter, auto_meter
from tests import conftest

BUILDS = {"cpu": None, "cuda": "13.0"}
NVML_ERRORS = {"library-not-found": pynvml.NVML_ERROR_LIBRARY_NOT_FOUND,
               "driver-not-loaded": pynvml.NVML_ERROR_DRIVER_NOT_LOADED}


@pytest.fixture(params=sorted(BUILDS))
def build(request, monkeypatch) -> str:
    """torch as the CPU build or as a CUDA build, in both cases without a usable GPU."""
    monkeypatch.setattr(torch.version, "cuda", BUILDS[request.param])
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    return request.param


@pytest.fixture(params=sorted(NVML_ERRORS))
def no_driver(request, monkeypatch) -> pynvml.NVMLError:
    """pynvml present (it is in requirements.txt) but NVML cannot start: no NVIDIA driver."""
    code = NVML_ERRORS[request.param]

    def init() -> None:
        raise pynvml.NVMLError(code)

    monkeypatch.setattr(pynvml, "nvmlInit", init)
    return pynvml.NVMLError(code)


def test_the_nvml_errors_are_the_real_subclasses(no_driver):
    assert type(no_driver) in (pynvml.NVMLError_LibraryNotFound, pynvml.NVMLError_DriverNotLoaded)


def test_probe_says_no_gpu_and_cpu_measurements(build, no_driver):
    gpu = probe_gpu()
    assert gpu["available"] is False
    assert gpu["cuda"]["available"] is False and gpu["nvml"]["available"] is False
    assert "no NVIDIA GPU found" in gpu["reason"] and "CPU measurements" in gpu["reason"]
    assert str(no_driver) in gpu["nvml"]["reason"]  # NVML's own words, e.g. "Driver Not Loaded"
    expected_build = "CPU" if build == "cpu" else "CUDA 13.0"
    assert gpu["cuda"]["build"] == expected_build and expected_build in gpu["reason"]
    assert "torch runs on the CPU" in gpu["cuda"]["reason"]


def test_cuda_build_without_device_is_named_as_such(build):
    cuda = probe_torch_cuda()
    if build == "cuda":
        assert cuda["reason"].startswith("no CUDA device found: this torch is a CUDA 13.0 build")
    else:
        assert cuda["reason"].startswith("this torch build has no CUDA")


def test_both_builds_give_the_same_probe_shape(monkeypatch, no_driver):
    seen = {}
    for name, version in BUILDS.items():
        monkeypatch.setattr(torch.version, "cuda", version)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
        gpu = probe_gpu()
        seen[name] = (sorted(gpu), sorted(gpu["cuda"]), gpu["available"], gpu["nvml"])
    assert seen["cpu"] == seen["cuda"]


def test_nvml_meter_refuses_with_the_reason_and_auto_falls_back(build, no_driver):
    with pytest.raises(MeterUnavailable, match="NVML could not start .*no NVIDIA driver"):
        NVMLMeter(sync=lambda: None)
    meter = auto_meter(prefer=("nvml",))
    assert isinstance(meter, NullMeter) and "nvml:" in meter.reason
    meter.begin()
    reading = meter.end()
    assert reading.energy_j is None and "modeled" in reading.notes[0]


def test_torch_backend_on_cuda_says_why_and_how_to_fix(build):
    with pytest.raises(BackendUnavailable) as err:
        open_backend("torch", "digits", device="cuda")
    msg = str(err.value)
    assert "device='cpu'" in msg
    if build == "cuda":
        assert "CUDA 13.0 build" in msg and "machine with an NVIDIA GPU" in msg
    else:
        assert "install a CUDA build of torch" in msg


@pytest.mark.parametrize("sync", ["cuda", "cuda_events"])
def test_cuda_timing_refuses_the_same_way_for_both_builds(build, sync):
    """Not torch's own AssertionError (CPU build) or RuntimeError (CUDA build): one clear error."""
    with pytest.raises(BackendUnavailable, match="needs a CUDA device: .*sync='none'"):
        time_callable(lambda: None, sync=sync, warmup=0, min_samples=2, max_samples=2, system={})


def test_cpu_device_still_runs_with_the_cuda_build(build):
    b = open_backend("torch", "digits", device="cpu", threads=1)
    try:
        assert b.infer(b.spec.sample_inputs(2)).shape[0] == 2
        assert b.describe()["device"] == "cpu"
    finally:
        b.close()


def test_cli_hw_and_measure_on_cuda(build, no_driver, capsys):
    assert main(["hw"]) == 0
    gpu_line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("GPU"))
    assert "no NVIDIA GPU found" in gpu_line and "CPU measurements" in gpu_line
    assert main(["measure", "--backend", "torch", "--model", "digits", "--device", "cuda"]) == 3
    err = capsys.readouterr().err
    assert "unavailable" in err and "device='cpu'" in err


def test_gpu_marker_skips_with_the_reason(build):
    item = types.SimpleNamespace(keywords={"gpu": True}, markers=[])
    item.add_marker = item.markers.append
    plain = types.SimpleNamespace(keywords={}, markers=[])
    plain.add_marker = plain.markers.append
    conftest.pytest_collection_modifyitems(None, [item, plain])
    assert plain.markers == [] and len(item.markers) == 1
    reason = item.markers[0].kwargs["reason"]
    assert "needs an NVIDIA GPU" in reason and "pytest -m gpu" in reason
    assert ("CUDA 13.0 build" if build == "cuda" else "has no CUDA") in reason


def test_a_cuda_query_that_raises_is_reported_not_raised(monkeypatch):
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)

    def lost(i):
        raise RuntimeError("CUDA error: unknown error")

    monkeypatch.setattr(torch.cuda, "get_device_name", lost)
    cuda = probe_torch_cuda()
    assert cuda["available"] is False and "CUDA query failed" in cuda["reason"]
    assert cuda["build"] == "CUDA 13.0"

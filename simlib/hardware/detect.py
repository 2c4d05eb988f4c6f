"""What this machine has: CPU, memory, thread settings, NVIDIA GPU and NVML, RAPL, EdgeTPU.

:func:`detect` never raises on missing hardware, libraries or permissions. Each probe returns
a dict with ``available`` (bool) and, when it is False, ``reason`` (what is missing and what to
do about it), so a page can say exactly why it shows a modeled number instead of a measured one.

>>> hw = detect()
>>> sorted(hw)
['cpu', 'edgetpu', 'gpu', 'memory', 'rapl', 'threads']
>>> hw["cpu"]["logical_cores"] >= 1
True
"""

from __future__ import annotations

import glob
import os
import platform
from pathlib import Path
from typing import Any

__all__ = [
    "POWERCAP_ROOT",
    "detect",
    "probe_cpu",
    "probe_edgetpu",
    "probe_gpu",
    "probe_memory",
    "probe_rapl",
    "probe_threads",
    "probe_torch_cuda",
]

POWERCAP_ROOT = "/sys/class/powercap"
Probe = dict[str, Any]


def _read(path: str | Path) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _unavailable(reason: str, **extra: Any) -> Probe:
    return {"available": False, "reason": reason, **extra}


def probe_cpu() -> Probe:
    """CPU model, physical and logical cores, frequency (MHz) and governor when readable."""
    # not platform.processor(): on Linux it runs `uname -p` in a subprocess, which sandboxes
    # (the lab grader) forbid; /proc/cpuinfo names the model without one
    info: Probe = {"available": True, "machine": platform.machine(), "model": None}
    cpuinfo = _read("/proc/cpuinfo") or ""
    physical = set()
    phys_id = core_id = None
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "model name" and not info.get("model_name"):
            info["model_name"] = value
        elif key == "physical id":
            phys_id = value
        elif key == "core id":
            core_id = value
        elif key == "" and phys_id is not None:
            physical.add((phys_id, core_id))
            phys_id = core_id = None
    if phys_id is not None:
        physical.add((phys_id, core_id))
    info["model"] = info.pop("model_name", None) or info["model"]
    info["logical_cores"] = os.cpu_count() or 1
    info["physical_cores"] = len(physical) or None
    try:
        info["affinity_cores"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        info["affinity_cores"] = None
    cpufreq = Path("/sys/devices/system/cpu/cpu0/cpufreq")
    cur = _read(cpufreq / "scaling_cur_freq")
    mx = _read(cpufreq / "cpuinfo_max_freq")
    info["frequency_mhz"] = float(cur) / 1000 if cur else None
    info["max_frequency_mhz"] = float(mx) / 1000 if mx else None
    info["governor"] = _read(cpufreq / "scaling_governor")
    if info["frequency_mhz"] is None:
        info["frequency_note"] = "cpufreq not exposed (common in virtual machines); frequency unknown"
    return info


def probe_memory() -> Probe:
    """Total and available memory in bytes, from /proc/meminfo (Linux) or sysconf."""
    meminfo = _read("/proc/meminfo")
    if meminfo:
        vals = {}
        for line in meminfo.splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts:
                vals[key] = int(parts[0]) * 1024  # kB -> bytes
        return {"available": True, "total_bytes": vals.get("MemTotal"), "available_bytes": vals.get("MemAvailable")}
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return {"available": True, "total_bytes": total, "available_bytes": None}
    except (ValueError, OSError, AttributeError):
        return _unavailable("neither /proc/meminfo nor sysconf reports memory")


def probe_threads() -> Probe:
    """Threads torch and the BLAS libraries behind numpy will use (set deliberately in runs)."""
    out: Probe = {"available": True, "env": {k: os.environ.get(k) for k in (
        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")}}
    try:
        import torch

        out["torch_intra_op"] = torch.get_num_threads()
        out["torch_inter_op"] = torch.get_num_interop_threads()
    except Exception as err:  # torch missing or broken: report, do not raise
        out["torch_intra_op"] = None
        out["torch_note"] = f"torch unavailable: {err}"
    try:
        from threadpoolctl import threadpool_info

        out["blas"] = [
            {k: p.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
            for p in threadpool_info()
        ]
    except Exception as err:
        out["blas"] = None
        out["blas_note"] = f"threadpoolctl unavailable: {err}"
    return out


def _nvml_probe() -> Probe:
    try:
        import pynvml
    except ImportError:
        return _unavailable("nvidia-ml-py (pynvml) is not installed: pip install nvidia-ml-py")
    try:
        pynvml.nvmlInit()
    except Exception as err:
        return _unavailable(f"NVML could not start ({err}); no NVIDIA driver on this machine?")
    try:
        devices = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(h)
            dev: Probe = {"index": i, "name": name.decode() if isinstance(name, bytes) else name}
            try:
                dev["memory_bytes"] = int(pynvml.nvmlDeviceGetMemoryInfo(h).total)
            except Exception:
                dev["memory_bytes"] = None
            try:
                dev["power_limit_w"] = pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000.0  # mW -> W
            except Exception:
                dev["power_limit_w"] = None
            try:
                pynvml.nvmlDeviceGetTotalEnergyConsumption(h)  # mJ since driver load (Volta+)
                dev["total_energy_counter"] = True
            except Exception:
                dev["total_energy_counter"] = False
            devices.append(dev)
        driver = pynvml.nvmlSystemGetDriverVersion()
        return {"available": True, "driver": driver.decode() if isinstance(driver, bytes) else driver,
                "devices": devices}
    except Exception as err:
        return _unavailable(f"NVML query failed: {err}")
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass


def probe_torch_cuda() -> Probe:
    """Whether torch can use a CUDA device, and which torch build this is (``build``).

    ``build`` is "CPU" for a CPU-only torch and "CUDA <version>" for a CUDA build. A CUDA build
    on a machine without an NVIDIA GPU or driver (the common laptop case) is unavailable with a
    reason saying so: torch then runs on the CPU, exactly as the CPU build does.
    """
    try:
        import torch
    except Exception as err:  # torch missing or broken: report, do not raise
        return _unavailable(f"torch unavailable: {err}", build=None)
    build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU"
    if torch.version.cuda is None:
        return _unavailable("this torch build has no CUDA (a CPU build): torch runs on the CPU",
                            build=build)
    try:
        if not torch.cuda.is_available():
            return _unavailable(f"no CUDA device found: this torch is a {build} build, but no "
                                "NVIDIA GPU or driver is visible, so torch runs on the CPU",
                                build=build)
        return {"available": True, "build": build, "version": torch.version.cuda, "devices": [
            {"index": i, "name": torch.cuda.get_device_name(i),
             "memory_bytes": torch.cuda.get_device_properties(i).total_memory}
            for i in range(torch.cuda.device_count())]}
    except Exception as err:  # a driver that fails part-way: report, do not raise
        return _unavailable(f"CUDA query failed ({err}): torch runs on the CPU", build=build)


def probe_gpu() -> Probe:
    """NVIDIA GPUs seen by torch.cuda and by NVML (power limit, driver, energy counter)."""
    out: Probe = {"cuda": probe_torch_cuda(), "nvml": _nvml_probe()}
    out["available"] = bool(out["cuda"]["available"] or out["nvml"]["available"])
    if not out["available"]:
        build = out["cuda"].get("build")
        out["reason"] = ("no NVIDIA GPU found" + (f" (torch is a {build} build)" if build else "")
                         + ": measurements here are CPU measurements; GPU measurements are "
                         "skipped and modeled numbers are shown instead")
    return out


def probe_rapl(root: str | Path = POWERCAP_ROOT) -> Probe:
    """Intel/AMD RAPL package energy counters under ``root`` (/sys/class/powercap)."""
    root = Path(root)
    if not root.is_dir():
        return _unavailable(f"{root} does not exist (no RAPL driver, or a virtual machine)")
    zones = []
    for zone in sorted(glob.glob(str(root / "*rapl*:*"))):
        z = Path(zone)
        if z.name.count(":") != 1:  # packages only (intel-rapl:0), not subzones (intel-rapl:0:0)
            continue
        energy = z / "energy_uj"
        zones.append({
            "zone": z.name, "name": _read(z / "name"),
            "readable": _read(energy) is not None,
            "max_energy_range_uj": int(_read(z / "max_energy_range_uj") or 0) or None,
        })
    if not zones:
        return _unavailable(f"no RAPL zones under {root}")
    if not any(z["readable"] for z in zones):
        return _unavailable(
            "RAPL zones exist but energy_uj is not readable (root only since Linux 5.10): "
            "run as root or `sudo chmod o+r /sys/class/powercap/*/energy_uj`", zones=zones)
    return {"available": True, "zones": zones}


def probe_edgetpu() -> Probe:
    """A Coral EdgeTPU: its runtime (pycoral / tflite_runtime) and a device (USB or PCIe)."""
    runtime = None
    for mod in ("pycoral", "tflite_runtime"):
        try:
            __import__(mod)
            runtime = mod
            break
        except ImportError:
            continue
    pcie = glob.glob("/dev/apex_*")
    usb = any(_read(p) in ("1a6e", "18d1") for p in glob.glob("/sys/bus/usb/devices/*/idVendor"))
    device = "pcie" if pcie else ("usb" if usb else None)
    if runtime and device:
        return {"available": True, "runtime": runtime, "device": device}
    missing = []
    if not runtime:
        missing.append("no EdgeTPU runtime (pycoral or tflite_runtime)")
    if not device:
        missing.append("no EdgeTPU device (/dev/apex_* or a Coral USB id)")
    return _unavailable("; ".join(missing), runtime=runtime, device=device)


_PROBES = {
    "cpu": probe_cpu, "memory": probe_memory, "threads": probe_threads,
    "gpu": probe_gpu, "rapl": probe_rapl, "edgetpu": probe_edgetpu,
}


def detect() -> dict[str, Probe]:
    """Run every probe; a probe that fails unexpectedly is reported, never raised."""
    out = {}
    for name, probe in _PROBES.items():
        try:
            out[name] = probe()
        except Exception as err:  # a bug or an odd platform must not stop a chapter
            out[name] = _unavailable(f"probe failed: {type(err).__name__}: {err}")
    return out

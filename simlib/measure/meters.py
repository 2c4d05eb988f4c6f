"""Energy meters with one interface (begin/end), in the spirit of Zeus's ``ZeusMonitor``.

- :class:`NVMLMeter`: NVIDIA GPUs. Uses the total-energy counter (``nvmlDeviceGetTotalEnergyConsumption``,
  mJ since driver load, Volta and newer) where supported; otherwise a sampling thread integrates
  ``nvmlDeviceGetPowerUsage`` (trapezoids) and reports its achieved rate. On recent GPUs (Ampere,
  Hopper) NVML's power reading is an average over about 1 s, so windows shorter than a few
  seconds are smeared: the meter warns.
- :class:`RAPLMeter`: CPU package energy from ``/sys/class/powercap/*rapl*:N/energy_uj``; handles
  counter wrap-around (``max_energy_range_uj``); an unreadable counter (root-only since Linux 5.10)
  raises with the fix.
- :class:`NullMeter`: no meter. ``energy_j`` is None (never 0) with a note; callers add a modeled
  estimate from :func:`modeled_energy`, labeled "modeled".

Units: joules and seconds at the interface; mJ/uJ are converted at the boundary.

>>> m = auto_meter()          # on a machine without NVML or RAPL: the null meter
>>> m.begin(); r = m.end()
>>> r.energy_j is None or r.energy_j >= 0
True
"""

from __future__ import annotations

import glob
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simlib.hardware.detect import POWERCAP_ROOT

__all__ = ["EnergyReading", "MeterUnavailable", "NVMLMeter", "NullMeter", "RAPLMeter", "auto_meter",
           "energy_fields", "modeled_energy"]

#: NVML's power reading on recent GPUs is a moving average over about this long (s).
NVML_POWER_AVERAGING_S = 1.0


class MeterUnavailable(RuntimeError):
    """An explicitly requested meter cannot work here; the message says how to fix it."""


@dataclass
class EnergyReading:
    """Energy over one window: ``energy_j`` (None when unmeasured), ``duration_s``, how."""

    energy_j: float | None
    duration_s: float
    meter: str
    method: str
    sample_rate_hz: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def power_w(self) -> float | None:
        return None if self.energy_j is None or self.duration_s <= 0 else self.energy_j / self.duration_s


class NullMeter:
    """No energy meter: readings carry ``energy_j=None`` and say why."""

    name = "none"

    def __init__(self, reason: str = "no NVML GPU and no readable RAPL counters on this machine") -> None:
        self.reason = reason

    def begin(self) -> None:
        self._t0 = time.perf_counter()

    def end(self) -> EnergyReading:
        return EnergyReading(None, time.perf_counter() - self._t0, self.name, "none",
                             notes=[f"energy not measured: {self.reason}; the result shows a modeled "
                                    "estimate instead, labeled modeled"])


class RAPLMeter:
    """CPU package energy from RAPL powercap counters (all packages summed)."""

    name = "rapl"

    def __init__(self, root: str | Path = POWERCAP_ROOT) -> None:
        self.root = Path(root)
        self.zones = []
        for z in sorted(glob.glob(str(self.root / "*rapl*:*"))):
            if Path(z).name.count(":") == 1:
                self.zones.append(Path(z))
        if not self.zones:
            raise MeterUnavailable(f"no RAPL package zones under {self.root} (no RAPL driver, or a VM)")
        self.ranges = {}
        for z in self.zones:
            self._read(z)  # permission check up front
            try:
                self.ranges[z] = int((z / "max_energy_range_uj").read_text())
            except (OSError, ValueError):
                self.ranges[z] = None

    @staticmethod
    def _read(zone: Path) -> int:
        try:
            return int((zone / "energy_uj").read_text())
        except PermissionError as err:
            raise MeterUnavailable(
                f"{zone}/energy_uj is not readable (root only since Linux 5.10): run as root or "
                "`sudo chmod o+r /sys/class/powercap/*/energy_uj`") from err

    def begin(self) -> None:
        self._t0 = time.perf_counter()
        self._e0 = {z: self._read(z) for z in self.zones}

    def end(self) -> EnergyReading:
        e1 = {z: self._read(z) for z in self.zones}
        dt = time.perf_counter() - self._t0
        total_uj, notes = 0, []
        for z in self.zones:
            d = e1[z] - self._e0[z]
            if d < 0:  # the counter wrapped once
                if self.ranges[z] is None:
                    notes.append(f"{z.name}: counter wrapped and max_energy_range_uj is unknown")
                    return EnergyReading(None, dt, self.name, "rapl-counter", notes=notes)
                d += self.ranges[z]
                notes.append(f"{z.name}: counter wrapped (corrected with max_energy_range_uj)")
            total_uj += d
        notes.append("package energy: includes everything else running on the CPU, not only the model")
        return EnergyReading(total_uj / 1e6, dt, self.name, "rapl-counter", notes=notes)


class NVMLMeter:
    """GPU energy via NVML: the total-energy counter, else power sampling (``interval_s``)."""

    name = "nvml"

    def __init__(self, device_index: int = 0, interval_s: float = 0.02, nvml: Any = None,
                 sync: Any = None) -> None:
        if nvml is None:
            try:
                import pynvml as nvml
            except ImportError as err:
                raise MeterUnavailable("nvidia-ml-py is not installed: pip install nvidia-ml-py") from err
        self.nvml, self.interval_s = nvml, interval_s
        try:
            nvml.nvmlInit()
            self.handle = nvml.nvmlDeviceGetHandleByIndex(device_index)
        except Exception as err:
            raise MeterUnavailable(f"NVML could not start ({err}): no NVIDIA driver or GPU here") from err
        try:
            nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle)
            self.method = "nvml-energy-counter"
        except Exception:
            self.method = "nvml-power-sampling"
        self._sync = sync if sync is not None else _cuda_sync

    def _power_w(self) -> float:
        return self.nvml.nvmlDeviceGetPowerUsage(self.handle) / 1000.0  # mW -> W

    def _sample(self) -> None:
        pc = time.perf_counter
        t_prev, p_prev = pc(), self._power_w()
        while not self._stop.is_set():
            self._stop.wait(self.interval_s)
            t, p = pc(), self._power_w()
            self._energy += 0.5 * (p + p_prev) * (t - t_prev)
            self._n += 1
            t_prev, p_prev = t, p

    def begin(self) -> None:
        self._sync()
        self._t0 = time.perf_counter()
        if self.method == "nvml-energy-counter":
            self._e0 = self.nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle)
        else:
            self._energy, self._n, self._stop = 0.0, 0, threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True, name="simlib-nvml")
            self._thread.start()

    def end(self) -> EnergyReading:
        self._sync()
        notes = []
        if self.method == "nvml-energy-counter":
            e = (self.nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle) - self._e0) / 1000.0  # mJ -> J
            dt = time.perf_counter() - self._t0
            rate = None
        else:
            self._stop.set()
            self._thread.join()
            dt = time.perf_counter() - self._t0
            e, rate = self._energy, (self._n / dt if dt > 0 else None)
            notes.append(f"integrated power samples at {rate:.1f} Hz (requested {1 / self.interval_s:.0f} Hz)")
            notes.append(f"NVML power on recent GPUs is a ~{NVML_POWER_AVERAGING_S:g} s average: short "
                         "windows are smeared; measure windows of several seconds")
        if dt < 0.1:
            notes.append(f"window of {dt * 1e3:.1f} ms is shorter than the counter's update period; "
                         "energy is approximate: repeat the work to make the window longer")
        return EnergyReading(e, dt, self.name, self.method, sample_rate_hz=rate, notes=notes)


def _cuda_sync() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
    except Exception:
        pass


def auto_meter(prefer: tuple[str, ...] = ("nvml", "rapl")):
    """The first meter that works here, else a :class:`NullMeter` saying why."""
    reasons = []
    for name in prefer:
        try:
            return NVMLMeter() if name == "nvml" else RAPLMeter()
        except MeterUnavailable as err:
            reasons.append(f"{name}: {err}")
    return NullMeter("; ".join(reasons) or "no meter requested")


def modeled_energy(flops: float, weight_bytes: float, precision: str = "fp32") -> dict[str, Any]:
    """A modeled per-inference energy from :func:`simlib.energy.decompose` (labeled modeled)."""
    try:
        from simlib.energy import decompose
    except ImportError:
        return {"kind": "modeled", "energy_j": None,
                "note": "simlib.energy is not available in this version: no modeled estimate"}
    b = decompose(flops, weight_bytes, precision=precision)
    return {"kind": "modeled", "energy_j": float(b.total_j), "compute_j": float(b.compute_j),
            "memory_j": float(b.memory_j), "model": "simlib.energy.decompose",
            "inputs": {"flops": flops, "weight_bytes": weight_bytes, "precision": precision}}


def energy_fields(reading: EnergyReading, n_inferences: int, *, flops: float | None = None,
                  weight_bytes: float | None = None, precision: str = "fp32") -> dict[str, Any]:
    """Measured (or null) and modeled energy per inference, side by side, for a result's metrics."""
    out: dict[str, Any] = {
        "meter": reading.meter, "method": reading.method, "window_s": reading.duration_s,
        "measured_energy_j": reading.energy_j,
        "measured_j_per_inference": (reading.energy_j / n_inferences
                                     if reading.energy_j is not None and n_inferences else None),
        "sample_rate_hz": reading.sample_rate_hz, "notes": reading.notes,
    }
    if flops is not None and weight_bytes is not None:
        out["modeled"] = modeled_energy(flops, weight_bytes, precision)
    return out

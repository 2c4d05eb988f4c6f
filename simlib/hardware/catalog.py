"""The device catalog: peak rates, memory levels, power and thermal constants, each with a source.

Values live in ``catalog.yaml`` next to this file (SI units; dense peak rates). :func:`get`
returns a frozen :class:`Device`; an unknown name is an error that lists the known ones.
The computer the book runs on is not catalogued but measured, by a layer above this one:
:func:`simlib.measure.machine.get` resolves ``"this-machine"`` by timing a short empirical
roofline and passing the measured numbers to :func:`measured_device` here (hardware is the
bottom layer: it describes devices and measures nothing).

>>> a100 = get("a100-sxm")
>>> a100.peak_flops["fp16"] / 1e12, a100.dram.bandwidth_bytes_per_s / 1e12
(312.0, 2.039)
>>> round(a100.ridge_point("fp16"))
153
>>> get("a100")
Traceback (most recent call last):
...
simlib._validate.InvalidParameterError: The 'name' parameter of hardware.get must be one of {'a100-sxm', ...}. Got 'a100' instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simlib._validate import Options, check, invalid
from simlib.hardware.params import OperatingPoint, ThermalParams

__all__ = ["THIS_MACHINE", "Device", "MemoryLevel", "get", "measured_device", "names"]

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
THIS_MACHINE = "this-machine"


@dataclass(frozen=True)
class MemoryLevel:
    """One level of the memory hierarchy. ``kind`` is "cache", "dram" or "flash"."""

    name: str
    bandwidth_bytes_per_s: float
    capacity_bytes: float | None
    kind: str = "dram"


@dataclass(frozen=True)
class Device:
    """A device of the catalog (or this machine, measured). Rates in FLOP/s (OP/s for ints)."""

    name: str
    full_name: str
    kind: str
    peak_flops: dict[str, float]
    memory: tuple[MemoryLevel, ...]
    tdp_w: float | None
    idle_w: float | None
    thermal: ThermalParams | None
    dvfs: tuple[OperatingPoint, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    measured: bool = False

    @property
    def precisions(self) -> tuple[str, ...]:
        return tuple(self.peak_flops)

    @property
    def dram(self) -> MemoryLevel:
        """Main memory: the last level of kind "dram" (HBM, GDDR, LPDDR, host link...)."""
        drams = [m for m in self.memory if m.kind == "dram"]
        return drams[-1] if drams else self.memory[-1]

    def peak(self, precision: str) -> float:
        """Peak rate for ``precision`` (FLOP/s); an unknown precision names the known ones."""
        check("precision", precision, Options(self.peak_flops), owner=f"device {self.name!r}")
        return self.peak_flops[precision]

    def level(self, name: str | None = None) -> MemoryLevel:
        """The memory level called ``name`` (default: main memory)."""
        if name is None:
            return self.dram
        check("memory", name, Options([m.name for m in self.memory]), owner=f"device {self.name!r}")
        return next(m for m in self.memory if m.name == name)

    def ridge_point(self, precision: str, memory: str | None = None) -> float:
        """Peak FLOP/s over bandwidth (FLOP/byte) for a precision and memory level."""
        return self.peak(precision) / self.level(memory).bandwidth_bytes_per_s


def _device(name: str, d: dict[str, Any]) -> Device:
    th = d.get("thermal")
    return Device(
        name=name, full_name=d.get("full_name", name), kind=d.get("kind", "unknown"),
        peak_flops={k.lower(): float(v) for k, v in d["peak_flops"].items()},
        memory=tuple(MemoryLevel(name=m["name"], bandwidth_bytes_per_s=float(m["bandwidth_bytes_per_s"]),
                                 capacity_bytes=None if m.get("capacity_bytes") is None else float(m["capacity_bytes"]),
                                 kind=m.get("kind", "dram")) for m in d["memory"]),
        tdp_w=None if d.get("tdp_w") is None else float(d["tdp_w"]),
        idle_w=None if d.get("idle_w") is None else float(d["idle_w"]),
        thermal=ThermalParams(**{k: float(v) for k, v in th.items()}) if th else None,
        dvfs=tuple(OperatingPoint(float(p["freq_hz"]), float(p["voltage_v"])) for p in d.get("dvfs") or ()),
        sources={str(k): str(v) for k, v in (d.get("sources") or {}).items()},
    )


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Device]:
    raw = yaml.safe_load(CATALOG_PATH.read_text())
    return {name: _device(name, d) for name, d in raw["devices"].items()}


def names(include_this_machine: bool = True) -> list[str]:
    """Ids of the catalog's devices (and ``"this-machine"``)."""
    return list(_load()) + ([THIS_MACHINE] if include_this_machine else [])


def get(name: str | Device) -> Device:
    """The catalog device called ``name`` (a :class:`Device` is passed through).

    ``"this-machine"`` is measured, not catalogued: use :func:`simlib.measure.machine.get`.
    """
    if isinstance(name, Device):
        return name
    if name == THIS_MACHINE:
        raise invalid("name", f"is {THIS_MACHINE!r}, which is measured rather than catalogued",
                      "a catalog device; for this computer call simlib.measure.machine.get("
                      f"{THIS_MACHINE!r})", owner="hardware.get")
    check("name", name, Options(names(include_this_machine=False)), owner="hardware.get")
    return _load()[name]


def measured_device(peak_flops: dict[str, float], bandwidth_bytes_per_s: float,
                    sources: dict[str, str]) -> Device:
    """This computer as a :class:`Device`, from :func:`detect` and numbers the caller measured.

    ``peak_flops`` maps dtype to FLOP/s, ``bandwidth_bytes_per_s`` is the main-memory bandwidth
    (B/s), ``sources`` says how each was measured. Power and thermal constants are unknown (None).
    """
    from simlib.hardware.detect import detect

    hw = detect()
    cpu = hw["cpu"]
    memory = (MemoryLevel("dram", bandwidth_bytes_per_s, hw["memory"].get("total_bytes"), "dram"),)
    return Device(
        name=THIS_MACHINE, full_name=f"{cpu.get('model') or 'this CPU'} ({cpu.get('logical_cores')} logical cores)",
        kind="cpu", peak_flops=dict(peak_flops), memory=memory, tdp_w=None, idle_w=None, thermal=None,
        sources={**sources, "tdp_w": "unknown: not exposed to software on this machine"},
        measured=True,
    )

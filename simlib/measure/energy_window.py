"""Energy of a block of code: start/stop windows on the machine's meters, like Zeus's
``ZeusMonitor.begin_window``/``end_window``.

>>> mon = EnergyMonitor(meter="none", modeled_power_w=10.0)
>>> mon.begin_window("sum")
>>> total = sum(range(1000))
>>> w = mon.end_window("sum", n_inferences=1)
>>> w.energy_j is None, w.kind, w.boundary   # no meter: nothing measured, the model is labeled
(True, 'modeled', 'none (no meter)')
>>> w.modeled_energy_j == 10.0 * w.duration_s
True

The same as a context manager (the window's result is on the handle after the block):

>>> with energy_window("block", meter="none", modeled_power_w=5.0) as win:
...     _ = sorted(range(1000))
>>> win.result.summary["modeled_energy_j"] > 0
True

Every window names its **measurement boundary**: ``"CPU package"`` (RAPL package zones),
``"GPU board"`` (NVML), or ``"none (no meter)"``. A window without a meter reports
``energy_j = None`` (never 0) and, when a power model is given (``modeled_power_w``, or an
explicit ``modeled_energy_j`` at the end), the modeled value, labeled *modeled* with its
basis. Each window gets its own meter object, so windows may nest or overlap (a meter's
begin/end brackets one window). A window shorter than the meter's update period warns
(the meter's own note). Units: joules, watts, seconds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib._validate import Options, Range, check, invalid, validate_params
from simlib.measure.meters import NullMeter, NVMLMeter, RAPLMeter, auto_meter
from simlib.protocol import ResultDisplay

__all__ = ["BOUNDARIES", "EnergyMonitor", "EnergyWindow", "WindowHandle", "energy_window", "sampling_timing", "windows_over"]

#: What each meter's number includes: the measurement boundary named on every reading.
BOUNDARIES = {
    "rapl": "CPU package",
    "nvml": "GPU board",
    "none": "none (no meter)",
}
METERS = ("auto", "none", "rapl", "nvml")


@dataclass(repr=False)
class EnergyWindow(ResultDisplay):
    """One start/stop window: wall time (MEASURED), energy (MEASURED by a meter, or None) and,
    where a model was given, the MODELED energy with its basis. ``kind`` is "measured" when a
    meter read the energy, "modeled" when only the model gives it."""

    key: str
    duration_s: float
    energy_j: float | None
    meter: str
    method: str
    boundary: str
    modeled_energy_j: float | None = None
    modeled_basis: str | None = None
    n_inferences: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "measured" if self.energy_j is not None or self.modeled_energy_j is None else "modeled"

    @property
    def warnings(self) -> list[str]:
        return list(self.notes)

    @property
    def settings(self) -> dict[str, Any]:
        req = {"key": self.key, "meter": self.meter, "n_inferences": self.n_inferences,
               "modeled_basis": self.modeled_basis}
        return {"requested": req, "effective": {**req, "method": self.method, "boundary": self.boundary}}

    @property
    def best_energy_j(self) -> float | None:
        """The measured energy where a meter read it, else the modeled one (J); see :attr:`kind`."""
        return self.energy_j if self.energy_j is not None else self.modeled_energy_j

    @property
    def summary(self) -> dict[str, Any]:
        """Window (s), measured and modeled energy (J), mean power (W), per inference (J)."""
        e, n = self.best_energy_j, self.n_inferences
        return {"duration_s": self.duration_s, "energy_j": self.energy_j,
                "modeled_energy_j": self.modeled_energy_j,
                "power_w": None if e is None or self.duration_s <= 0 else e / self.duration_s,
                "energy_per_inference_j": None if e is None or not n else e / n,
                "n": n}

    def _title(self) -> str:
        return f"EnergyWindow {self.key!r} ({self.kind.upper()}, boundary: {self.boundary})"

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("window", f"{self.duration_s * 1e3:.3f} ms (measured)")]
        if self.energy_j is not None:
            rows.append(("energy", f"{self.energy_j:.4g} J measured by {self.meter} ({self.method})"))
        else:
            rows.append(("energy", f"not measured: no meter ({self.meter})"))
        if self.modeled_energy_j is not None:
            rows.append(("modeled energy", f"{self.modeled_energy_j:.4g} J MODELED ({self.modeled_basis})"))
        s = self.summary
        if s["energy_per_inference_j"] is not None:
            rows.append(("per inference", f"{s['energy_per_inference_j']:.4g} J ({self.kind}) over "
                                          f"{self.n_inferences} inferences"))
        return rows


@dataclass
class WindowHandle:
    """What :meth:`EnergyMonitor.window` yields: ``result`` is set when the block ends, and
    ``n_inferences`` may be set inside the block."""

    key: str
    n_inferences: int | None = None
    result: EnergyWindow | None = None


def _factory(meter: str | Callable[[], Any]) -> Callable[[], Any]:
    if callable(meter):
        return meter
    check("meter", meter, Options(METERS), owner="EnergyMonitor")
    return {"auto": auto_meter, "none": NullMeter, "rapl": RAPLMeter, "nvml": NVMLMeter}[meter]


class EnergyMonitor:
    """Start/stop energy windows over the machine's meter.

    ``meter``: "auto" (NVML, else RAPL, else none: never raises), "none", or an explicit
    "rapl"/"nvml", which raises :class:`~simlib.measure.meters.MeterUnavailable` with the fix
    where that meter cannot work (as Zeus does), or a callable returning a meter object with
    ``begin()``/``end()``. ``modeled_power_w``: a power model for the block (W); the window's
    modeled energy is that power times the measured duration, labeled modeled.
    """

    def __init__(self, meter: str | Callable[[], Any] = "auto", *, modeled_power_w: float | None = None) -> None:
        self._make = _factory(meter)
        if modeled_power_w is not None:
            check("modeled_power_w", modeled_power_w, Range(0, None, unit="W"), owner="EnergyMonitor")
        self.modeled_power_w = modeled_power_w
        self._open: dict[str, tuple[Any, float]] = {}
        probe = self._make()  # fail now, not at the first window, when an explicit meter is missing
        self.meter_name = getattr(probe, "name", "custom")
        self.boundary = BOUNDARIES.get(self.meter_name, getattr(probe, "boundary", "unknown"))

    @property
    def measures(self) -> bool:
        """True when a real meter reads energy here (False: windows carry only modeled energy)."""
        return self.meter_name != "none"

    def begin_window(self, key: str) -> None:
        """Start the window ``key`` (a name not already open)."""
        check("key", key, str, owner="EnergyMonitor.begin_window")
        if key in self._open:
            raise invalid("key", f"names a window that is already open ({key!r})",
                          "a name with no open window", owner="EnergyMonitor.begin_window")
        m = self._make()
        m.begin()
        self._open[key] = (m, time.perf_counter())

    def end_window(self, key: str, *, n_inferences: int | None = None,
                   modeled_energy_j: float | None = None, modeled_basis: str | None = None) -> EnergyWindow:
        """Stop the window ``key`` and return its :class:`EnergyWindow`.

        ``n_inferences``: inferences run in the window (for energy per inference).
        ``modeled_energy_j``: a modeled energy for the window (overrides ``modeled_power_w``),
        described by ``modeled_basis``.
        """
        own = "EnergyMonitor.end_window"
        if key not in self._open:
            raise invalid("key", f"names no open window ({key!r})",
                          f"one of {sorted(self._open)}" if self._open else "begin_window(key) first", owner=own)
        if n_inferences is not None:
            check("n_inferences", n_inferences, Range(1, None, integer=True), owner=own)
        if modeled_energy_j is not None:
            check("modeled_energy_j", modeled_energy_j, Range(0, None, unit="J"), owner=own)
        meter, _ = self._open.pop(key)
        r = meter.end()
        if modeled_energy_j is None and self.modeled_power_w is not None:
            modeled_energy_j = self.modeled_power_w * r.duration_s
            modeled_basis = modeled_basis or f"{self.modeled_power_w:g} W model x measured window"
        name = getattr(meter, "name", self.meter_name)
        return EnergyWindow(key=key, duration_s=r.duration_s, energy_j=r.energy_j, meter=name, method=r.method,
                            boundary=BOUNDARIES.get(name, getattr(meter, "boundary", "unknown")),
                            modeled_energy_j=modeled_energy_j,
                            modeled_basis=modeled_basis if modeled_energy_j is not None else None,
                            n_inferences=n_inferences, notes=list(r.notes))

    @contextlib.contextmanager
    def window(self, key: str, *, n_inferences: int | None = None) -> Iterator[WindowHandle]:
        """``with monitor.window("name") as w: ...``; afterwards ``w.result`` is the window.
        The window is closed even if the block raises."""
        h = WindowHandle(key, n_inferences)
        self.begin_window(key)
        try:
            yield h
        finally:
            h.result = self.end_window(key, n_inferences=h.n_inferences)


@contextlib.contextmanager
def energy_window(key: str = "block", *, meter: str | Callable[[], Any] = "auto",
                  modeled_power_w: float | None = None,
                  n_inferences: int | None = None) -> Iterator[WindowHandle]:
    """One energy window around a block: ``with energy_window("infer") as w: ...; w.result``.
    (A shortcut for :meth:`EnergyMonitor.window` on a new monitor.)"""
    with EnergyMonitor(meter, modeled_power_w=modeled_power_w).window(key, n_inferences=n_inferences) as h:
        yield h




@validate_params({"rate_hz": Range(1, 100_000, unit="Hz"), "duration_s": Range(0.01, 60, unit="s")})
def sampling_timing(rate_hz: float = 1000.0, duration_s: float = 0.5,
                    work: Callable[[], Any] | None = None) -> dict[str, Any]:
    """MEASURED: how regularly a software sampler (a thread waking every ``1 / rate_hz`` s, as
    :class:`~simlib.measure.meters.NVMLMeter`'s power-sampling path does) runs on this machine
    while ``work()`` is called in a loop for ``duration_s`` s. Returns the achieved rate (Hz),
    the sample intervals (s) and their median, p99 and maximum: what a sampling power meter
    built this way would really get here.

    >>> t = sampling_timing(200.0, 0.1)
    >>> t["n_samples"] > 0 and t["achieved_hz"] > 0
    True
    """
    stop, stamps = threading.Event(), []
    interval = 1.0 / rate_hz

    def sampler() -> None:
        while not stop.is_set():
            stamps.append(time.perf_counter())
            stop.wait(interval)

    th = threading.Thread(target=sampler, daemon=True, name="simlib-sampling-timing")
    t0 = time.perf_counter()
    th.start()
    calls = 0
    while time.perf_counter() - t0 < duration_s:
        if work is not None:
            work()
            calls += 1
        else:
            time.sleep(min(0.005, duration_s))
    stop.set()
    th.join()
    d = np.diff(np.asarray(stamps))
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    return {"kind": "measured", "requested_hz": float(rate_hz), "n_samples": len(stamps),
            "achieved_hz": (len(stamps) - 1) / span if span > 0 else 0.0, "intervals_s": d,
            "median_interval_s": float(np.median(d)) if d.size else None,
            "p99_interval_s": float(np.percentile(d, 99)) if d.size else None,
            "max_interval_s": float(d.max()) if d.size else None, "work_calls": calls}


@validate_params({"duration_s": Range(0.01, 3600, unit="s"), "window_s": Range(0.001, 3600, unit="s")})
def windows_over(fn: Callable[[], Any], *, duration_s: float, window_s: float, meter: str | Callable[[], Any] = "auto",
                 modeled_power_w: float | None = None) -> list[EnergyWindow]:
    """Call ``fn()`` (one inference) back to back for ``duration_s`` s, in consecutive energy
    windows of about ``window_s`` s; each :class:`EnergyWindow` counts the inferences it held.
    Burst versus sustained is the first windows against the last ones.

    >>> ws = windows_over(lambda: sum(range(100)), duration_s=0.05, window_s=0.01, meter="none")
    >>> len(ws) >= 4 and all(w.n_inferences >= 1 for w in ws)
    True
    """
    check("window_s", window_s, Range(0.001, duration_s, unit="s"), owner="windows_over")
    mon = EnergyMonitor(meter, modeled_power_w=modeled_power_w)
    out: list[EnergyWindow] = []
    t_end = time.perf_counter() + duration_s
    i = 0
    while time.perf_counter() < t_end:
        key, n = f"w{i}", 0
        mon.begin_window(key)
        t_w = time.perf_counter() + window_s
        while True:
            fn()
            n += 1
            if time.perf_counter() >= t_w:
                break
        out.append(mon.end_window(key, n_inferences=n))
        i += 1
    return out

"""Power of a DVFS device: dynamic ``C_eff V^2 f a`` plus temperature-dependent leakage.

Power at operating point (f, V), activity ``a`` in [0, 1] (fraction of the step spent
computing) and junction temperature T::

    P = (1 - a) * P_idle + a * (P_dyn + P_leak)
    P_dyn  = C_eff * V^2 * f                      (switching power while busy)
    P_leak = P_leak_ref * (V / V_ref) * 2 ** ((T - T_ref) / T_double)

``P_idle`` is the (clock- and power-gated) idle power from the catalog; leakage is charged
while busy (an idle, power-gated block leaks far less, which ``P_idle`` already includes).
Leakage roughly doubles every few tens of kelvin in CMOS and is proportional to the supply
voltage to first order (subthreshold current times V). The simulator evaluates it at the
junction temperature at the start of each governor period (quasi-static: that period, 0.1 s by
default, is far shorter than any thermal time constant here).

>>> m = PowerModel(opps=(OperatingPoint(1e9, 1.0),), c_eff_f=1e-9, idle_w=0.1)
>>> round(float(m.active_power_w(0, 25.0)), 6)  # 1e-9 F * 1 V^2 * 1 GHz, no leakage
1.0
>>> round(float(m.power_w(0, 0.25, 25.0)), 6)  # 0.75*0.1 + 0.25*1.0
0.325
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib._validate import InvalidParameterError, Range, check
from simlib.hardware.params import OperatingPoint

__all__ = ["PowerModel"]

_NONNEG = Range(0, None)


@dataclass(frozen=True)
class PowerModel:
    """Dynamic + leakage + idle power over a table of operating points (sorted fast -> slow).

    ``c_eff_f``: effective switched capacitance (F). ``leak_ref_w``: leakage at ``t_ref_c`` and
    the fastest point's voltage. ``leak_doubling_k``: kelvin per doubling of leakage.
    ``idle_w``: power when not computing (W).
    """

    opps: tuple[OperatingPoint, ...]
    c_eff_f: float
    idle_w: float = 0.0
    leak_ref_w: float = 0.0
    leak_doubling_k: float = 25.0
    t_ref_c: float = 25.0

    def __post_init__(self) -> None:
        own = "PowerModel"
        if not self.opps:
            raise InvalidParameterError(
                "The 'opps' parameter of PowerModel must be a non-empty list of operating points. Got [] instead.")
        opps = tuple(sorted(self.opps, key=lambda o: -o.freq_hz))
        object.__setattr__(self, "opps", opps)
        check("c_eff_f", self.c_eff_f, Range(0, None, unit="F"), owner=own)
        check("idle_w", self.idle_w, Range(0, None, unit="W"), owner=own)
        check("leak_ref_w", self.leak_ref_w, Range(0, None, unit="W"), owner=own)
        check("leak_doubling_k", self.leak_doubling_k, Range(0, None, closed="neither", unit="K"), owner=own)
        object.__setattr__(self, "_f", np.array([o.freq_hz for o in opps]))
        object.__setattr__(self, "_v", np.array([o.voltage_v for o in opps]))

    @property
    def freqs_hz(self) -> np.ndarray:
        return self._f

    @property
    def f_max_hz(self) -> float:
        return float(self._f[0])

    def dynamic_power_w(self, idx: int | np.ndarray) -> np.ndarray | float:
        """``C_eff V^2 f`` at operating point(s) ``idx`` while busy (W)."""
        return self.c_eff_f * self._v[idx] ** 2 * self._f[idx]

    def leakage_w(self, idx: int | np.ndarray, temp_c: float) -> np.ndarray | float:
        """Leakage at operating point(s) ``idx`` and junction temperature ``temp_c`` (W)."""
        return (self.leak_ref_w * (self._v[idx] / self._v[0])
                * 2.0 ** ((temp_c - self.t_ref_c) / self.leak_doubling_k))

    def active_power_w(self, idx: int | np.ndarray, temp_c: float) -> np.ndarray | float:
        """Power while computing (activity 1) at operating point(s) ``idx`` (W)."""
        return self.dynamic_power_w(idx) + self.leakage_w(idx, temp_c)

    def power_w(self, idx: int, activity: float | np.ndarray, temp_c: float) -> np.ndarray | float:
        """Average power over a step with busy fraction ``activity`` (W)."""
        return (1.0 - activity) * self.idle_w + activity * self.active_power_w(idx, temp_c)

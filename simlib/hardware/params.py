"""Physical constants of a device that both the catalog and the models use: its thermal
constants (:class:`ThermalParams`) and its DVFS operating points (:class:`OperatingPoint`).

One home for each: :mod:`simlib.hardware.catalog` loads them from ``catalog.yaml`` and
:mod:`simlib.thermal` simulates with the same objects (it re-exports both names).

>>> th = ThermalParams(r_ja_k_per_w=10.0, c_j_per_k=2.0, r_jc_k_per_w=4.0, c_case_j_per_k=3.0)
>>> th.tau_s, th.r_ca_k_per_w   # R_ja (C_j + C_case); R_ja - R_jc
(50.0, 6.0)
>>> OperatingPoint(freq_hz=1e9, voltage_v=0.9)
OperatingPoint(freq_hz=1000000000.0, voltage_v=0.9)
"""

from __future__ import annotations

from dataclasses import dataclass

from simlib._validate import InvalidParameterError, Range, check

__all__ = ["OperatingPoint", "ThermalParams"]


@dataclass(frozen=True)
class ThermalParams:
    """Thermal constants of one device (SI units; temperatures in degrees C).

    ``r_ja_k_per_w``: junction-to-ambient thermal resistance (K/W). ``c_j_per_k``: heat capacity
    of the junction node (J/K); the one-node model lumps ``c_j_per_k + c_case_j_per_k``.
    ``r_jc_k_per_w`` and ``c_case_j_per_k`` (both or neither) enable the junction-case-ambient
    option, whose case-to-ambient resistance is :attr:`r_ca_k_per_w`. ``trip_c``/``hysteresis_c``:
    the passive trip point the governors use.
    """

    r_ja_k_per_w: float
    c_j_per_k: float
    ambient_c: float = 25.0
    trip_c: float = 85.0
    hysteresis_c: float = 2.0
    r_jc_k_per_w: float | None = None
    c_case_j_per_k: float | None = None

    def __post_init__(self) -> None:
        own = "ThermalParams"
        check("r_ja_k_per_w", self.r_ja_k_per_w, Range(0, None, closed="neither", unit="K/W"), owner=own)
        check("c_j_per_k", self.c_j_per_k, Range(0, None, closed="neither", unit="J/K"), owner=own)
        check("ambient_c", self.ambient_c, Range(-273.15, 200, closed="neither", unit="C"), owner=own)
        check("hysteresis_c", self.hysteresis_c, Range(0, 50, unit="K"), owner=own)
        check("trip_c", self.trip_c,
              Range(self.ambient_c, 400, closed="neither", unit="C (above ambient_c)"), owner=own)
        if (self.r_jc_k_per_w is None) != (self.c_case_j_per_k is None):
            raise InvalidParameterError(
                "The 'r_jc_k_per_w' and 'c_case_j_per_k' parameters of ThermalParams must be given "
                f"together (junction-case-ambient option). Got {self.r_jc_k_per_w!r} and "
                f"{self.c_case_j_per_k!r} instead.")
        if self.r_jc_k_per_w is not None:
            check("r_jc_k_per_w", self.r_jc_k_per_w,
                  Range(0, self.r_ja_k_per_w, closed="neither", unit="K/W (below r_ja_k_per_w)"),
                  owner=own)
            check("c_case_j_per_k", self.c_case_j_per_k,
                  Range(0, None, closed="neither", unit="J/K"), owner=own)

    @property
    def has_case(self) -> bool:
        return self.r_jc_k_per_w is not None

    @property
    def r_ca_k_per_w(self) -> float | None:
        """Case-to-ambient resistance (K/W) of the two-node model, or None."""
        return None if self.r_jc_k_per_w is None else self.r_ja_k_per_w - self.r_jc_k_per_w

    @property
    def c_total_j_per_k(self) -> float:
        """Total heat capacity (J/K): the one-node model's C."""
        return self.c_j_per_k + (self.c_case_j_per_k or 0.0)

    @property
    def tau_s(self) -> float:
        """Time constant of the one-node model, R_ja * (C_j + C_case) (s)."""
        return self.r_ja_k_per_w * self.c_total_j_per_k


@dataclass(frozen=True)
class OperatingPoint:
    """A DVFS operating point: clock ``freq_hz`` (Hz) at supply ``voltage_v`` (V)."""

    freq_hz: float
    voltage_v: float

    def __post_init__(self) -> None:
        check("freq_hz", self.freq_hz, Range(0, None, closed="neither", unit="Hz"), owner="OperatingPoint")
        check("voltage_v", self.voltage_v, Range(0, 5, closed="right", unit="V"), owner="OperatingPoint")

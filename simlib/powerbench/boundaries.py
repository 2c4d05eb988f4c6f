"""Measurement boundaries: one workload's energy per inference at the chip, the node and the
facility, and how the ranking of two systems can flip when the boundary moves. MODELED.

- chip: the accelerator alone, its idle power included when it is not fully loaded;
- node: plus the host's share (CPU, DRAM, NIC, fans, power-supply losses);
- facility: node energy times PUE (cooling and power delivery).

>>> a, b = example_systems()
>>> c = compare_boundaries(a, b)
>>> [r["winner"] for r in c.rows]   # the ranking flips at the node and again at the facility
['A: accelerator server', 'B: edge box', 'A: accelerator server']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simlib._validate import Range, check, validate_fields, validate_params
from simlib.protocol import ResultDisplay, given_settings

__all__ = ["BOUNDARY_NAMES", "PUE_RANGE", "BoundaryComparison", "SystemPower", "boundary_energy",
           "compare_boundaries", "example_systems", "pue_from_overhead_share"]

#: PUE from highly efficient to less optimized facilities (source chapter, seed line 757).
PUE_RANGE = (1.1, 2.0)
#: Cooling's share of facility power (source chapter, seed line 755).
COOLING_SHARE_RANGE = (0.20, 0.30)
BOUNDARY_NAMES = ("chip", "node", "facility")

_W = Range(0, None, unit="W")


@validate_fields({"chip_active_w": Range(0, None, closed="neither", unit="W"), "chip_idle_w": _W,
                  "host_w": _W, "throughput_qps": Range(0, None, closed="neither", unit="inferences/s"),
                  "pue": Range(1, 10)})
@dataclass(frozen=True)
class SystemPower:
    """A system's power at each boundary: the chip busy and idle (W), the host's share (W),
    its throughput at full load (inferences/s) and its facility's PUE."""

    name: str
    chip_active_w: float
    chip_idle_w: float
    host_w: float
    throughput_qps: float
    pue: float = 1.1


@validate_params({"load_fraction": Range(0, 1, closed="right")})
def boundary_energy(system: SystemPower, load_fraction: float = 1.0) -> dict[str, float]:
    """Energy per inference (J) at the chip, node and facility boundaries when the system runs
    at ``load_fraction`` of its throughput (the chip idles the rest of the time; the host's
    share is drawn all the time).

    >>> e = boundary_energy(SystemPower("x", 100.0, 20.0, 50.0, 1000.0, pue=1.5), 0.5)
    >>> round(e["chip_j"], 3), round(e["node_j"], 3), round(e["facility_j"], 3)
    (0.12, 0.22, 0.33)
    """
    rate = load_fraction * system.throughput_qps
    chip_w = load_fraction * system.chip_active_w + (1 - load_fraction) * system.chip_idle_w
    chip, node = chip_w / rate, (chip_w + system.host_w) / rate
    return {"chip_j": chip, "node_j": node, "facility_j": node * system.pue}


def pue_from_overhead_share(share: float) -> float:
    """PUE implied when cooling and delivery take ``share`` of facility power: 1 / (1 - share).

    >>> round(pue_from_overhead_share(0.25), 3)
    1.333
    """
    check("share", share, Range(0, 1, closed="left"), owner="pue_from_overhead_share")
    return 1.0 / (1.0 - share)


def example_systems() -> tuple[SystemPower, SystemPower]:
    """Two ASSUMED systems (illustrative, not products): A, a large accelerator in a server with a
    heavy host in an efficient data center (PUE 1.1); B, a small accelerator in a lean edge box
    in a closet with poor cooling (PUE 2.0, the source's upper end)."""
    return (SystemPower("A: accelerator server", chip_active_w=350.0, chip_idle_w=60.0, host_w=450.0,
                        throughput_qps=3500.0, pue=PUE_RANGE[0]),
            SystemPower("B: edge box", chip_active_w=60.0, chip_idle_w=8.0, host_w=30.0,
                        throughput_qps=500.0, pue=PUE_RANGE[1]))


@dataclass(frozen=True, repr=False)
class BoundaryComparison(ResultDisplay):
    """Energy per inference of two systems at each boundary and the winner there (MODELED)."""

    a: SystemPower
    b: SystemPower
    load_fraction: float
    rows: tuple[dict[str, Any], ...]
    kind = "modeled"
    warnings = ()

    @property
    def settings(self) -> dict[str, Any]:
        s = {"a": self.a.__dict__, "b": self.b.__dict__, "load_fraction": self.load_fraction}
        return given_settings(**s)

    @property
    def flips(self) -> bool:
        """True when the winner is not the same at every boundary."""
        return len({r["winner"] for r in self.rows}) > 1

    @property
    def summary(self) -> dict[str, Any]:
        """J per inference of each system at each boundary; whether the ranking flips."""
        out: dict[str, Any] = {}
        for r in self.rows:
            out[f"a_{r['boundary']}_energy_per_inference_j"] = r["a_j"]
            out[f"b_{r['boundary']}_energy_per_inference_j"] = r["b_j"]
        out["load_fraction"] = self.load_fraction
        out["flip_count"] = sum(1 for x, y in zip(self.rows, self.rows[1:], strict=False) if x["winner"] != y["winner"])
        return out

    def _rows(self) -> list[tuple[str, str]]:
        return [(r["boundary"], f"{self.a.name} {r['a_j'] * 1e3:.1f} mJ vs {self.b.name} {r['b_j'] * 1e3:.1f} mJ "
                                f"per inference: {r['winner']} uses less") for r in self.rows]


@validate_params({"load_fraction": Range(0, 1, closed="right")})
def compare_boundaries(a: SystemPower, b: SystemPower, load_fraction: float = 1.0) -> BoundaryComparison:
    """Both systems at ``load_fraction`` of their throughput, at every boundary."""
    ea, eb = boundary_energy(a, load_fraction), boundary_energy(b, load_fraction)
    rows = tuple({"boundary": n, "a_j": ea[f"{n}_j"], "b_j": eb[f"{n}_j"],
                  "winner": a.name if ea[f"{n}_j"] <= eb[f"{n}_j"] else b.name} for n in BOUNDARY_NAMES)
    return BoundaryComparison(a, b, load_fraction, rows)

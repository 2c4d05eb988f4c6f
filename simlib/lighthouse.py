"""The MobileNetV2-on-EdgeTPU lighthouse (source chapter, Lighthouse 1.2, Table 14), recomputed.

The chapter's table compares INT8 MobileNetV2 on a Cortex-M7 microcontroller with the same model
on an EdgeTPU under SingleStream: inference latency, end-to-end latency, power, and energy per
inference. Its figures are illustrative; :func:`lighthouse_table` recomputes every derived column
from the claimed latencies and powers with the energy model (E = P x t, :func:`simlib.energy.energy_j`)
and checks each claimed latency against the roofline lower bound of the device in the hardware
catalog (:func:`simlib.roofline.analyze`). Everything here is MODELED; with an EdgeTPU attached,
:func:`simlib.measure.measure` measures the real thing (backend "edgetpu").

>>> t = lighthouse_table()
>>> round(t.row("edgetpu")["energy_j"] * 1e3, 2), round(t.row("cortex-m7")["energy_j"] * 1e3, 2)
(1.0, 1.8)
>>> round(t.speedup_inference, 1), round(t.speedup_end_to_end, 1), round(t.energy_ratio, 1)
(7.5, 3.0, 1.8)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simlib.energy import decompose, energy_j
from simlib.protocol import ResultDisplay, given_settings
from simlib.roofline import analyze

__all__ = ["CHAPTER_CLAIMS", "LighthouseTable", "lighthouse_table"]

#: The chapter's Table 14 inputs (SingleStream, INT8 MobileNetV2): seconds and watts.
CHAPTER_CLAIMS: dict[str, dict[str, float]] = {
    "cortex-m7": {"inference_s": 15e-3, "end_to_end_s": 18e-3, "power_w": 0.120},
    "edgetpu": {"inference_s": 2e-3, "end_to_end_s": 6e-3, "power_w": 0.500},
}

#: Memory level each device computes from: MobileNetV2's ~3.5 MB of INT8 weights fit in the
#: EdgeTPU's ~8 MB on-chip parameter cache (catalog: edgetpu.memory.sram), so its roofline uses
#: that level rather than the PCIe link to the host; the MCU's default level is its SRAM.
ROOFLINE_MEMORY = {"edgetpu": "sram"}


@dataclass(frozen=True, repr=False)
class LighthouseTable(ResultDisplay):
    """One row per platform plus the ratios the chapter reports (all MODELED)."""

    rows: tuple[dict[str, Any], ...]
    model: str

    kind = "modeled"
    warnings = ()  # a model of given inputs: nothing beyond the model itself to distrust

    @property
    def settings(self) -> dict[str, Any]:
        return given_settings(model=self.model, devices=[r["device"] for r in self.rows])

    @property
    def summary(self) -> dict[str, Any]:
        """The chapter's ratios (EdgeTPU against Cortex-M7), dimensionless."""
        return {"inference_speedup_ratio": self.speedup_inference, "end_to_end_speedup_ratio": self.speedup_end_to_end,
                "power_ratio": self.power_ratio, "energy_ratio": self.energy_ratio}

    def _payload(self) -> dict[str, Any]:
        return {"rows": list(self.rows)}

    def row(self, device: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["device"] == device)

    @property
    def speedup_inference(self) -> float:
        return self.row("cortex-m7")["inference_s"] / self.row("edgetpu")["inference_s"]

    @property
    def speedup_end_to_end(self) -> float:
        return self.row("cortex-m7")["end_to_end_s"] / self.row("edgetpu")["end_to_end_s"]

    @property
    def power_ratio(self) -> float:
        return self.row("edgetpu")["power_w"] / self.row("cortex-m7")["power_w"]

    @property
    def energy_ratio(self) -> float:
        """How many times less energy per inference the EdgeTPU uses (active inference only)."""
        return self.row("cortex-m7")["energy_j"] / self.row("edgetpu")["energy_j"]

    def table(self) -> str:
        lines = [f"{self.model} (INT8), SingleStream [MODELED from the chapter's claimed latencies and powers]",
                 f"{'device':10s} {'inference':>10s} {'end-to-end':>11s} {'power':>8s} {'energy/inf':>11s} "
                 f"{'roofline floor':>15s} {'Horowitz model':>15s}"]
        for r in self.rows:
            lines.append(f"{r['device']:10s} {r['inference_s'] * 1e3:8.1f}ms {r['end_to_end_s'] * 1e3:9.1f}ms "
                         f"{r['power_w'] * 1e3:6.0f}mW {r['energy_j'] * 1e3:9.2f}mJ "
                         f"{r['roofline_floor_s'] * 1e3:13.2f}ms {r['horowitz_j'] * 1e3:13.3f}mJ")
        lines.append(f"speedup: inference {self.speedup_inference:.1f}x, end-to-end {self.speedup_end_to_end:.1f}x; "
                     f"power {self.power_ratio:.1f}x higher on the EdgeTPU; energy per inference "
                     f"{self.energy_ratio:.1f}x lower")
        return "\n".join(lines)


def lighthouse_table(model: str = "mobilenetv2", claims: dict[str, dict[str, float]] | None = None) -> LighthouseTable:
    """Recompute the lighthouse table from ``claims`` (default: the chapter's)."""
    claims = claims or CHAPTER_CLAIMS
    rows = []
    for device, c in claims.items():
        roof = analyze(device, "int8", model=model, memory=ROOFLINE_MEMORY.get(device))
        # The chapter's decomposition (Napkin Math 1.8): weights once from DRAM plus one multiply
        # per multiply-accumulate (FLOP / 2), at 45 nm Horowitz energies.
        weights = analyze(device, "int8", model=model, traffic="weights").bytes
        horowitz = decompose(roof.flops / 2, weights, precision="int8")
        rows.append({
            "device": device, **c,
            "energy_j": energy_j(c["power_w"], c["inference_s"]),
            "host_overhead_s": c["end_to_end_s"] - c["inference_s"],
            "roofline_floor_s": roof.time_s, "roofline_bound": roof.bound,
            "plausible": c["inference_s"] >= roof.time_s,
            "flops": roof.flops, "horowitz_j": horowitz.total_j, "weight_bytes": weights,
        })
    return LighthouseTable(tuple(rows), model)

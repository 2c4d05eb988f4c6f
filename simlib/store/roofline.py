"""A measured roofline as a storable :class:`~simlib.measure.result.Result`.

:class:`~simlib.measure.roofline.EmpiricalRoofline` carries no system description and no
``to_dict``; this turns it into a Result (kind "measured") whose ``metrics`` hold the roofs in SI
units (``peak_fp32_flops`` in FLOP/s, ``bandwidth_bytes_per_s``, ``ridge_flop_per_byte``) and
whose ``extra["kernels"]`` keeps every kernel's raw rates, with the description of the machine
that keeps it (taken when it is kept, on the machine that measured it).
"""

from __future__ import annotations

from typing import Any

from simlib.measure.result import Result

__all__ = ["ROOFLINE_NAME", "roofline_result"]

ROOFLINE_NAME = "empirical roofline"


def roofline_result(emp: Any, system: dict[str, Any] | None = None) -> Result:
    """``emp`` (an EmpiricalRoofline) as a Result named 'empirical roofline'."""
    from simlib.sysdesc import system_description

    metrics: dict[str, Any] = {f"peak_{k}_flops": v for k, v in emp.peak_flops.items()}
    bw = emp.bandwidth_bytes_per_s
    metrics["bandwidth_bytes_per_s"] = bw
    if "fp32" in emp.peak_flops and bw:
        metrics["ridge_flop_per_byte"] = emp.peak_flops["fp32"] / bw
    kernels = [{"kernel": m.kernel, "dtype": m.dtype, "size": m.size, "unit": m.unit,
                "flops": m.flops, "bytes": m.bytes, "times_s": list(m.times_s),
                "median_rate": m.median_rate, "rate_ci": [m.rate_ci.low, m.rate_ci.high]}
               for m in (*emp.gemm, emp.stream)]
    best = max((k for k in kernels if k["dtype"] == "fp32" and k["unit"] == "FLOP/s"),
               key=lambda k: k["median_rate"], default=None)
    intervals = {"bandwidth_bytes_per_s": kernels[-1]["rate_ci"]}
    if best is not None:
        intervals["peak_fp32_flops"] = best["rate_ci"]
    return Result(name=ROOFLINE_NAME, kind="measured", samples_s=[],
                  system=system if system is not None else system_description(),
                  settings={"requested": {"budget": emp.budget}, "effective": {"budget": emp.budget}},
                  metrics=metrics, warnings=list(emp.warnings),
                  extra={"kernels": kernels, "intervals_95": intervals, "llc_bytes": emp.llc_bytes})

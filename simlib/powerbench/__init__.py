"""Power and energy benchmarks: the span of ML power, measurement boundaries, DVFS operating
points, sampling, sustained-versus-burst energy, and an energy budget under a latency SLO.

Every output here is MODELED (closed forms on the source chapter's figures and the thermal
simulator's devices); the MEASURED side is :mod:`simlib.measure.energy_window`.

>>> round(power_span().summary["span_log10_ratio"], 1)   # Table 15: 150 uW to 10 kW
7.8
"""

from simlib.powerbench.boundaries import (
    PUE_RANGE,
    BoundaryComparison,
    SystemPower,
    boundary_energy,
    compare_boundaries,
    example_systems,
)
from simlib.powerbench.budget import BudgetResult, EnergyBudgetProblem, steady_junction_c
from simlib.powerbench.core import (
    DEVICE_POWER,
    MLPERF_POWER_RULES,
    PowerSpan,
    cpu_power_model_w,
    dvfs_points,
    energy_per_inference_series,
    frequency_tradeoff,
    power_span,
    sampling_error,
)

__all__ = [
    "DEVICE_POWER", "MLPERF_POWER_RULES", "PUE_RANGE", "BoundaryComparison", "BudgetResult",
    "EnergyBudgetProblem", "PowerSpan", "SystemPower", "boundary_energy", "compare_boundaries",
    "cpu_power_model_w", "dvfs_points", "energy_per_inference_series", "example_systems", "frequency_tradeoff",
    "power_span", "sampling_error", "steady_junction_c",
]

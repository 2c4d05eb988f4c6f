"""Training at scale, modeled: ring all-reduce (alpha-beta), a calibrated data-parallel cluster
model with stragglers and overlap, memory per parameter, checkpoints and failures, and the
chapter's napkin math (FLOPs, energy, cost). Measurements live in :mod:`simlib.measure.training`
and :mod:`simlib.measure.distributed`.
"""

from simlib.training.allreduce import (
           INTERCONNECTS,
           Network,
           fit_alpha_beta,
           interconnect,
           ring_allreduce_s,
)
from simlib.training.cluster import (
           ClusterRun,
           ComputeModel,
           ScalingCurve,
           scaling_curve,
           simulate_data_parallel,
)

__all__ = ["INTERCONNECTS", "ClusterRun", "ComputeModel", "Network", "ScalingCurve", "fit_alpha_beta",
           "interconnect", "ring_allreduce_s", "scaling_curve", "simulate_data_parallel"]

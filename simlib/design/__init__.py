"""Designing a benchmark and reading one: its components, the result file that carries them,
verdicts between two results, edge and mobile closed forms, and gaming detected.

- :mod:`simlib.design.benchmark`: :class:`BenchmarkSpec`, :func:`run_benchmark`, the result file
- :mod:`simlib.designmath` (models layer): Example 1.1, runs needed, offload, edge versus cloud, cost
- :mod:`simlib.design.verdict`: :func:`verdict`, is B really faster than A?
- :mod:`simlib.design.gaming`: three benchmark-engineering tricks and the checks that expose them
- :mod:`simlib.design.checklist`: lab-to-deployment gaps as a checklist on one result
- :mod:`simlib.design.evolution`: ImageNet's progression as data
"""

from simlib.design.benchmark import (
           BenchmarkResult,
           BenchmarkSpec,
           claim_fields,
           run_benchmark,
           unverifiable_claims,
)
from simlib.design.verdict import Verdict, verdict

__all__ = ["BenchmarkResult", "BenchmarkSpec", "Verdict", "claim_fields", "run_benchmark",
           "unverifiable_claims", "verdict"]

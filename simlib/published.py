"""Published benchmark results the book quotes, each with where it was published.

Numbers are copied from the submitters' own MLPerf logs (``mlperf_log_summary.txt`` in the
MLCommons results repositories), never typed from memory; the book computes anything derived
from them (ratios, per-watt figures) with the functions that it uses for its own measurements.

>>> round(offline_server_ratio("mlperf-inf-v4.0-dgx-h100x1-resnet50"), 2)
1.22
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PUBLISHED", "PublishedPair", "offline_server_ratio"]


@dataclass(frozen=True)
class PublishedPair:
    """One system's Offline and Server results for one benchmark (samples/s and queries/s)."""

    id: str
    round: str
    system: str
    benchmark: str
    offline_samples_per_s: float
    server_queries_per_s: float
    server_latency_bound_s: float
    source: str


PUBLISHED: dict[str, PublishedPair] = {p.id: p for p in (
    PublishedPair(
        id="mlperf-inf-v4.0-dgx-h100x1-resnet50",
        round="MLPerf Inference v4.0 (2024), Datacenter, Closed division",
        system="NVIDIA DGX-H100, 1x H100-SXM-80GB, TensorRT",
        benchmark="ResNet-50",
        offline_samples_per_s=88714.3,   # "Samples per second: 88714.3"
        server_queries_per_s=72976.91,   # "Scheduled samples per second : 72976.91", VALID
        server_latency_bound_s=0.015,    # "target_latency (ns): 15000000"
        source="github.com/mlcommons/inference_results_v4.0, closed/NVIDIA/results/"
               "DGX-H100_H100-SXM-80GBx1_TRT/resnet50/{Offline,Server}/performance/run_1/"
               "mlperf_log_summary.txt",
    ),
)}


def offline_server_ratio(pair_id: str) -> float:
    """Offline throughput divided by the Server rate that met the latency bound."""
    try:
        p = PUBLISHED[pair_id]
    except KeyError:
        raise KeyError(f"no published result {pair_id!r}; known: {sorted(PUBLISHED)}") from None
    return p.offline_samples_per_s / p.server_queries_per_s

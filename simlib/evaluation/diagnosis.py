"""Holistic system-model-data diagnosis, and the source's data-benchmarking figures recomputed.

- :data:`DAM_TABLE`: the source's Table 21, each D·A·M axis (Data, Algorithm, Machine) crossed with
  the three bottleneck types (compute-, memory-, I/O-bound);
- :data:`FAILURE_PAIRS`: its four ways one dimension's success is undone by another's failure;
- :func:`overlapped_utilization`: the accelerator's busy share when preprocessing (``workers``
  in parallel, overlapped with the model) feeds it; with ``workers=0`` it runs serially before
  the model, the share a pipeline without prefetching measures;
- :func:`diagnose`: measured symptoms -> the cell of the table (or the failure pair) they point to;
- :func:`source_figures`: ImageNet error reduction, AlexNet and ResNet figures, label-error counts,
  WILDS drops and DataComp's subset arithmetic, from the source's own numbers.

>>> round(overlapped_utilization(9e-3, 1e-3, workers=0), 2), overlapped_utilization(9e-3, 1e-3, workers=9)
(0.1, 1.0)
>>> f = source_figures()
>>> round(f["imagenet_error_reduction_x"], 1), round(f["datacomp_full_over_subset_x"], 2)
(7.9, 3.33)
"""

from __future__ import annotations

from typing import Any

from simlib._validate import Range, validate_params
from simlib.table import Table

__all__ = ["DAM_TABLE", "FAILURE_PAIRS", "dam_table", "diagnose", "findings_table", "overlapped_utilization", "source_figures"]

DAM_TABLE: dict[str, dict[str, str]] = {
    "Data": {"compute": "Preprocessing too slow (augmentation, tokenization)",
             "memory": "Dataset exceeds RAM (spills to disk)",
             "io": "Storage cannot feed the accelerator (disk throughput limit)"},
    "Algorithm": {"compute": "Model too large for the hardware (FLOPs exceed capacity)",
                  "memory": "Activations exceed memory (batch size limited)",
                  "io": "Gradient sync slower than compute (distributed training)"},
    "Machine": {"compute": "Accelerator saturated (need a faster one)",
                "memory": "Memory bandwidth saturated (need more bandwidth)",
                "io": "Network/PCIe bandwidth saturated (need faster links)"},
}

FAILURE_PAIRS: dict[str, str] = {
    "system ok, model failed": "throughput as promised, but compression cut accuracy below the deployment threshold",
    "system ok, data failed": "fast inference, but biased training data fails a subgroup",
    "model ok, system failed": "accurate predictions, but latency variance under load breaks the SLA",
    "model ok, data failed": "high held-out accuracy, but production shift degrades it silently",
}


@validate_params({"preprocess_s": Range(0, None, unit="s"), "model_s": Range(0, None, closed="neither", unit="s"),
                  "workers": Range(0, 1024, integer=True)})
def overlapped_utilization(preprocess_s: float, model_s: float, workers: int = 1) -> float:
    """Share of time the model (the accelerator) is busy, per batch: serial (``workers=0``)
    model / (preprocess + model); overlapped with ``workers`` preprocessing in parallel,
    model / max(model, preprocess / workers)."""
    if workers == 0:
        return model_s / (preprocess_s + model_s)
    return model_s / max(model_s, preprocess_s / workers)


@validate_params({"utilization": [Range(0, 1), None], "preprocess_share": [Range(0, 1), None],
                  "aggregate_drop_pp": [Range(-100, 100), None], "edge_drop_pp": [Range(-100, 100), None],
                  "threshold_pp": Range(0, 100)})
def diagnose(*, utilization: float | None = None, preprocess_share: float | None = None,
             ece_rose: bool | None = None, aggregate_drop_pp: float | None = None,
             edge_drop_pp: float | None = None, shift_detected: bool | None = None,
             label_issue_share: float | None = None, threshold_pp: float = 1.0) -> list[dict[str, str]]:
    """Map measured symptoms to a dimension and cause: a list of findings, each with ``symptom``,
    ``dimension`` (Data, Algorithm/Model, Machine/System) and ``cause``. Symptoms left None are
    not judged; an empty list means nothing measured points to a failure.

    >>> [f["dimension"] for f in diagnose(utilization=0.3, preprocess_share=0.7)]
    ['Data']
    >>> [f["dimension"] for f in diagnose(aggregate_drop_pp=0.4, edge_drop_pp=6.0)]
    ['Algorithm (model)']
    """
    out = []
    if utilization is not None and utilization < 0.5:
        if preprocess_share is not None and preprocess_share > 0.5:
            out.append({"symptom": f"model busy {utilization:.0%} of the time, preprocessing {preprocess_share:.0%}",
                        "dimension": "Data", "cause": "compute-bound: " + DAM_TABLE["Data"]["compute"]})
        else:
            out.append({"symptom": f"model busy {utilization:.0%} of the time", "dimension": "Machine (system)",
                        "cause": "the accelerator waits on something else: profile I/O and memory next"})
    if aggregate_drop_pp is not None and edge_drop_pp is not None and edge_drop_pp > max(threshold_pp,
                                                                                           aggregate_drop_pp):
        out.append({"symptom": f"edge-case accuracy down {edge_drop_pp:.1f} pp, aggregate {aggregate_drop_pp:.1f} pp",
                    "dimension": "Algorithm (model)", "cause": FAILURE_PAIRS["system ok, model failed"]})
    if ece_rose:
        out.append({"symptom": "calibration error rose after compression", "dimension": "Algorithm (model)",
                    "cause": "confidence no longer matches accuracy: recalibrate (temperature scaling)"})
    if shift_detected:
        out.append({"symptom": "production inputs differ from the test distribution", "dimension": "Data",
                    "cause": FAILURE_PAIRS["model ok, data failed"]})
    if label_issue_share is not None and label_issue_share > 0.03:
        out.append({"symptom": f"{label_issue_share:.0%} of labels flagged as likely wrong", "dimension": "Data",
                    "cause": "label quality: review the flagged examples before trusting the benchmark"})
    return out


def source_figures() -> dict[str, Any]:
    """Derived figures of the source's model- and data-benchmarking sections (its inputs quoted)."""
    err_2010, err_resnet = 28.2, 3.57
    alex_before, alex_after = 25.8, 16.4
    return {
        "imagenet_error_2010_pct": err_2010, "imagenet_error_resnet_pct": err_resnet,
        "imagenet_error_reduction_x": err_2010 / err_resnet,
        "alexnet_drop_pp": alex_before - alex_after,
        "alexnet_relative_drop_fraction": (alex_before - alex_after) / alex_before,
        "alexnet_fp32_bytes": 60e6 * 4, "alexnet_gpu_memory_bytes": 2 * 3e9,
        "resnet50_fp32_bytes": 25.6e6 * 4, "resnet50_flops": 4.1e9,
        "label_error_low_fraction": 0.03, "label_error_high_fraction": 0.06,
        "imagenet_val_images": 50_000,
        "label_errors_in_val_low": 0.03 * 50_000, "label_errors_in_val_high": 0.06 * 50_000,
        "wilds_body_drop_pp": 90 - 60, "wilds_footnote_drop_pp": 97 - 70,
        "wilds_footnote_relative_drop_fraction": (97 - 70) / 97,
        "datacomp_subset_fraction": 0.30, "datacomp_full_over_subset_x": 1 / 0.30,
        "datacomp_footnote_x": 10.0,
        "mmlu_questions": 15_908, "mmlu_subjects": 57, "mmlu_per_subject": 15_908 / 57,
        "edge_case_share_fraction": 0.05,
    }


def dam_table() -> Table:
    """The source's Table 21 as a :class:`Table`.

    >>> dam_table().rows[0][1]
    'Preprocessing too slow (augmentation, tokenization)'
    """
    return Table(["Component", "Compute-bound", "Memory-bound", "I/O-bound"],
                 [[k, v["compute"], v["memory"], v["io"]] for k, v in DAM_TABLE.items()])


def findings_table(findings: list[dict[str, str]]) -> Table:
    """:func:`diagnose`'s findings as a :class:`Table` (one row saying so when there are none)."""
    rows = [[f["symptom"], f["dimension"], f["cause"]] for f in findings] or [
        ["nothing measured points to a failure", "-", "-"]]
    return Table(["Measured symptom", "Dimension", "Likely cause"], rows)

"""Model and data evaluation: the numbers a single accuracy hides (source chapter, "Model and Data
Evaluation").

- :mod:`.metrics`      top-k, per-class and per-slice accuracy, confusion matrix, precision/recall/F1,
    ROC AUC, each with a 95% interval (Wilson for proportions, a stratified
    bootstrap for the rest); the source's fraud arithmetic (:func:`fraud_example`)
- :mod:`.calibration`  expected calibration error (binning stated), reliability-diagram data,
    temperature scaling fitted on a validation split, the source's ECE bands
- :mod:`.frontier`     efficiency-quality points, the Pareto front, dominance decided with intervals,
    the source's Lighthouse 1.3 table (MobileNetV2 FP32 vs INT8) recomputed
- :mod:`.datashift`    coverage (class balance), distribution shift between two splits (per-feature
    KS, a classifier two-sample test, MMD with a permutation p-value, PSI,
    label-distribution distances), a controlled shift of the digits images and
    the detection power of each test versus shift size and sample size
- :mod:`.audit`        a Lighthouse-1.3-style audit of compressed variants on our own data (top-1,
                       top-5, ECE, edge-case accuracy, changes judged with intervals); weights
                       rounded to a b-bit grid (:func:`fake_quantize`)
- :mod:`.plot`         the reliability diagram and the frontier figure
- :mod:`.labels`       planted label noise, confident-learning detection (precision and recall
                       against the plant), Cohen's kappa measured on simulated annotators and in
                       closed form
- :mod:`.lm`           perplexity (character n-grams, a small GRU on text scikit-learn ships), time
                       to first token and inter-token latency, response-time arithmetic,
                       multiple-choice intervals and contamination
- :mod:`.diagnosis`    the D·A·M diagnosis table, symptoms -> causes, pipeline utilization, the
                       source's data-benchmarking figures
- :mod:`.figures`      detection power, label-noise detection and the compression frontier figures
- :mod:`.planted`      the lab's model and data with planted problems

The measured compression study (pruning, dynamic and static INT8, latency) lives in
:mod:`simlib.measure.compression`, in the measure layer, because it times models.
"""

from simlib.evaluation.audit import VariantAudit, audit_variants, fake_quantize
from simlib.evaluation.calibration import (
    CalibrationReport,
    ece_band,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    temperature_scaling_report,
)
from simlib.evaluation.datashift import (
    DetectionPower,
    ShiftReport,
    class_balance,
    detection_power,
    label_distance,
    mmd_test,
    psi,
    shift_digits,
    shift_report,
)
from simlib.evaluation.frontier import (
    FrontierResult,
    Variant,
    compare_variants,
    dominates,
    frontier,
    lighthouse_1_3,
    pareto_front,
)
from simlib.evaluation.metrics import (
    ClassificationReport,
    classification_report,
    confusion_from_rates,
    fraud_example,
    imbalanced_digits,
    top_k_accuracy,
)

__all__ = ["CalibrationReport", "ClassificationReport", "DetectionPower", "FrontierResult", "ShiftReport", "Variant",
           "VariantAudit", "audit_variants", "fake_quantize",
           "class_balance", "classification_report", "compare_variants", "confusion_from_rates", "detection_power",
           "dominates", "ece_band", "expected_calibration_error", "fit_temperature", "fraud_example", "frontier",
           "imbalanced_digits", "label_distance", "lighthouse_1_3", "mmd_test", "pareto_front", "psi",
           "reliability_bins", "shift_digits", "shift_report", "temperature_scaling_report", "top_k_accuracy"]

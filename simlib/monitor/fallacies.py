"""The arithmetic behind the source chapter's fallacies and pitfalls, and one rank-chasing experiment.

Each function recomputes a figure the fallacies quote, so the chapter's prose reads them:

>>> t = power_tradeoff(1200, 4.2, 1000, 1.8)
>>> round(t["power_ratio"], 2), round(t["throughput_loss_fraction"], 3), round(t["queries_per_charge_ratio"], 2)
(2.33, 0.167, 1.94)
>>> round(downtime_minutes(0.999, days=30), 1)
43.2
>>> round(fraction_for_end_to_end(3.0, 1.2), 3)        # a 3x faster model, 1.2x faster requests
0.25
>>> round(degradation(800, 400), 3), round(degradation(800, 500), 3)
(0.5, 0.375)
"""

from __future__ import annotations

from typing import Any

from simlib._validate import Range, invalid, validate_params

__all__ = ["degradation", "downtime_minutes", "fraction_for_end_to_end", "power_tradeoff", "quantized_digits"]

_POS = Range(0, None, closed="neither")


@validate_params({"qps_a": _POS, "power_a_w": _POS, "qps_b": _POS, "power_b_w": _POS})
def power_tradeoff(qps_a: float, power_a_w: float, qps_b: float, power_b_w: float) -> dict[str, float]:
    """System A (faster) against system B: throughput gain and loss, power ratio, energy per query,
    and what a battery buys: hours of operation at full load (ratio = power ratio) and queries per
    charge (ratio = energy per query of A over B)."""
    ja, jb = power_a_w / qps_a, power_b_w / qps_b
    return {"throughput_gain_fraction": qps_a / qps_b - 1, "throughput_loss_fraction": 1 - qps_b / qps_a,
            "power_ratio": power_a_w / power_b_w, "power_increase_fraction": power_a_w / power_b_w - 1,
            "qps_per_w_a": qps_a / power_a_w, "qps_per_w_b": qps_b / power_b_w, "j_per_query_a": ja,
            "j_per_query_b": jb, "battery_hours_ratio": power_a_w / power_b_w, "queries_per_charge_ratio": ja / jb}


@validate_params({"before": _POS, "after": _POS})
def degradation(before: float, after: float) -> float:
    """The fraction lost going from ``before`` to ``after`` (throughput: 800 -> 400 is 0.5)."""
    return 1 - after / before


@validate_params({"availability": Range(0, 1), "days": _POS})
def downtime_minutes(availability: float, days: float = 30.0) -> float:
    """Minutes of allowed downtime over ``days`` at ``availability`` (0.999 over 30 days: 43.2)."""
    return (1 - availability) * days * 24 * 60


@validate_params({"model_speedup": Range(1, None, closed="neither"), "end_to_end_speedup": Range(1, None)})
def fraction_for_end_to_end(model_speedup: float, end_to_end_speedup: float) -> float:
    """The share of request time the model must take for a ``model_speedup`` to give only
    ``end_to_end_speedup`` (Amdahl's law solved for the fraction)."""
    if end_to_end_speedup > model_speedup:
        raise invalid("end_to_end_speedup", f"is {end_to_end_speedup}, above model_speedup={model_speedup}",
                      "at most the model's own speedup", owner="fraction_for_end_to_end")
    return (1 - 1 / end_to_end_speedup) / (1 - 1 / model_speedup)


@validate_params({"bits": Range(2, 16, integer=True)})
def quantized_digits(bits: int) -> dict[str, Any]:
    """The digits classifier with its weights rounded to ``bits``-bit symmetric per-tensor integers
    (a crude stand-in for aggressive quantization): held-out ``accuracy``, ``ece`` (expected
    calibration error, 15 bins) and ``mean_confidence``. ``bits=16`` is effectively the FP32 model."""
    import torch

    from simlib.evaluation.calibration import expected_calibration_error
    from simlib.models.digits import digits_classifier, digits_data

    model = digits_classifier()
    _, _, x, y = digits_data()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        with torch.no_grad():
            for name, w in model.named_parameters():
                if name.endswith("weight"):
                    scale = w.abs().max() / (2 ** (bits - 1) - 1)
                    w.copy_(torch.round(w / scale) * scale)
            p = torch.softmax(model(torch.from_numpy(x)), 1).numpy()
    finally:
        model.load_state_dict(state)
    conf, correct = p.max(1), p.argmax(1) == y
    return {"bits": bits, "accuracy": float(correct.mean()), "ece": float(expected_calibration_error(conf, correct)),
            "mean_confidence": float(conf.mean()), "n": int(y.size), "correct_count": int(correct.sum()),
            "confidence": conf, "correct": correct}

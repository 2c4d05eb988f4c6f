"""A complete small benchmark, assembled from simlib's parts, and the result file it writes.

A benchmark is more than a timing loop: the source chapter's components (seed lines 298-368)
are a problem definition, a dataset, a model, metrics, a harness, the system description and
run rules. :class:`BenchmarkSpec` names each; :func:`run_benchmark` runs it (the harness is the
one load generator, :func:`simlib.measure.measure`) and returns a :class:`BenchmarkResult` whose
``to_dict()`` (strict JSON, :mod:`simlib.strictjson`) carries all of it, raw samples and the
system description included. :func:`unverifiable_claims` says which claim each missing
component would leave unverifiable; :func:`claim_fields` checks a file against the fields a
throughput claim needs (Napkin Math 1.5).

>>> spec = BenchmarkSpec()
>>> sorted(spec.components())[:3]
['dataset', 'harness', 'metrics']
>>> [r["component"] for r in unverifiable_claims({"components": {}})][:2]
['problem', 'dataset']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simlib._validate import Options, Range, validate_fields, validate_params
from simlib.protocol import ResultDisplay

__all__ = ["COMPONENTS", "CLAIM_FIELDS", "BenchmarkResult", "BenchmarkSpec", "claim_fields", "load_result",
           "run_benchmark", "topk_accuracy", "topk_meaningful", "unverifiable_claims"]

#: Each component of a benchmark and the claim that becomes unverifiable without it.
COMPONENTS: dict[str, str] = {
    "problem": "that the system did the task a user needs: without input, output and performance "
               "specifications no number can be called good enough",
    "dataset": "the accuracy: nobody can rescore it, or know whether the inputs resemble deployment",
    "model": "that two systems did the same work: a smaller or different model is a different benchmark",
    "metrics": "which number is the result: throughput, latency percentile and energy can each "
               "crown a different winner",
    "harness": "how the load was offered and timed: sequential queries and Poisson arrivals give "
               "different latencies for the same system",
    "system": "that the result belongs to this hardware and software: the same model runs at "
              "different speeds on another CPU, runtime or thread count",
    "run_rules": "that the number can be reproduced: seeds, warm-up, repeats and what was reported "
                 "decide whether a second run lands near the first",
}

#: The fields a throughput claim needs before it means anything (Napkin Math 1.5), and where a
#: result file of this chapter keeps each (a dotted path into ``to_dict()``).
CLAIM_FIELDS: dict[str, str] = {
    "batch size": "components.harness.batch_size",
    "precision": "components.model.precision",
    "what the time includes": "components.harness.timed",
    "accuracy": "metrics.top1_fraction",
    "hardware": "components.system.hardware.cpu.model",
    "power or energy": "metrics.energy_per_inference_j",
    "latency percentile": "metrics.p99_s",
    "load pattern (scenario)": "components.harness.scenario",
}


def _get(d: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


@validate_fields({"model": Options(("digits", "cnn")), "precision": Options(("fp32", "int8")),
                  "duration_s": Range(0, 600, closed="right", unit="s"),
                  "min_query_count": Range(1, 10_000_000, integer=True), "seed": Range(0, None, integer=True),
                  "price_usd_per_h": Range(0, None, unit="USD/h"),
                  "price_usd_per_kwh": Range(0, None, unit="USD/kWh")})
@dataclass(frozen=True)
class BenchmarkSpec:
    """Every component of a small classification benchmark (defaults: the digits classifier).

    ``duration_s`` and ``min_query_count`` are the run rules' minimum run length; prices feed
    the cost per inference (a rented machine's price per hour, electricity per kWh).
    """

    model: str = "digits"
    precision: str = "fp32"
    duration_s: float = 1.0
    min_query_count: int = 1000
    seed: int = 0
    price_usd_per_h: float = 0.10
    price_usd_per_kwh: float = 0.10
    problem: dict[str, str] = field(default_factory=lambda: {
        "input": "one 8x8 grey-level image of a handwritten digit (64 values, 0-16)",
        "output": "the digit's class, 0-9, as the argmax of 10 scores",
        "performance": "top-1 accuracy on held-out images; p99 latency of one image at a time"})

    def components(self) -> dict[str, Any]:
        """The components as plain data (the system description is added when the benchmark runs)."""
        return {
            "problem": dict(self.problem),
            "dataset": {"name": "scikit-learn digits (UCI optical digits), bundled with scikit-learn",
                        "split": f"held-out test split, seed {self.seed}" if self.model == "digits"
                                 else "none: the CNN has random weights and no labels",
                        "timing_inputs": "64 inputs drawn by the model's sample library"},
            "model": {"name": self.model, "precision": self.precision, "runtime": "onnxruntime"},
            "metrics": ["top1_fraction", "throughput_qps", "p50_s", "p99_s", "energy_per_inference_j",
                        "accuracy_per_pflop", "cost_per_inference_usd"],
            "harness": {"scenario": "singlestream", "batch_size": 1, "load_generator": "simlib.measure.loadgen",
                        "timed": "inference only, from issue to answer; no preprocessing",
                        "min_duration_s": self.duration_s, "min_query_count": self.min_query_count},
            "run_rules": {"seed": self.seed, "warm_up": "yes, before timing",
                          "report": "every sample kept; percentiles with 95% intervals (batch means)",
                          "fixed": "model, precision, thread policy of the runtime; inputs from a seeded sample library"},
        }


@validate_params({"k": Range(1, None, integer=True), "n_classes": Range(1, None, integer=True)})
def topk_meaningful(k: int, n_classes: int) -> bool:
    """Top-k accuracy discriminates only when k is a small share of the classes (at most 10%):
    top-5 of ImageNet's 1,000 classes is informative; top-5 of 10 digits is half the answers.

    >>> topk_meaningful(5, 1000), topk_meaningful(5, 10), topk_meaningful(1, 10)
    (True, False, True)
    """
    return k == 1 or k <= 0.1 * n_classes


def topk_accuracy(scores: np.ndarray, labels: np.ndarray, k: int = 1) -> float:
    """Fraction of rows whose label is among the ``k`` highest scores.

    >>> topk_accuracy(np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]), np.array([2, 0]), k=2)
    1.0
    """
    scores, labels = np.asarray(scores), np.asarray(labels)
    top = np.argsort(-scores, axis=1)[:, :k]
    return float((top == labels[:, None]).any(axis=1).mean())


@dataclass(repr=False)
class BenchmarkResult(ResultDisplay):
    """A benchmark's outcome with every component: MEASURED latency and accuracy; energy
    measured where a meter exists, else modeled (``energy_kind`` says which)."""

    spec_components: dict[str, Any]
    system: dict[str, Any]
    metrics: dict[str, Any]
    run: Any = None  # the load generator's RunResult (samples, settings, verdict)
    warnings: list[str] = field(default_factory=list)
    kind: str = "measured"

    @property
    def settings(self) -> dict[str, Any]:
        if self.run is not None:
            return self.run.settings
        return {"requested": {}, "effective": {}}

    @property
    def samples_s(self) -> np.ndarray:
        return np.asarray(self.run.samples_s) if self.run is not None else np.array([])

    @property
    def summary(self) -> dict[str, Any]:
        m = self.metrics
        return {k: m.get(k) for k in ("n", "p50_s", "p99_s", "throughput_qps", "top1_fraction",
                                       "energy_per_inference_j")} | {
            "p99_ci_s": m.get("p99_ci_s")}

    def _payload(self) -> dict[str, Any]:
        return {"components": {**self.spec_components, "system": self.system}, "metrics": self.metrics,
                "samples_s": self.samples_s.tolist()}

    def _rows(self) -> list[tuple[str, str]]:
        m, c = self.metrics, self.spec_components
        acc = "n/a (no labels)" if m.get("top1_fraction") is None else f"{m['top1_fraction']:.2%}"
        top5 = m.get("top5_fraction")
        return [("model", f"{c['model']['name']} {c['model']['precision']} on {c['model']['runtime']}"),
                ("latency", f"p50 {m['p50_s'] * 1e3:.4g} ms, p99 {m['p99_s'] * 1e3:.4g} ms ({m['n']} queries)"),
                ("throughput", f"{m['throughput_qps']:.4g} inferences/s (one at a time)"),
                ("top-1 accuracy", acc),
                ("top-5 accuracy", f"{top5:.2%}" if top5 is not None else m.get("top5_note", "n/a")),
                ("energy/inference", f"{m['energy_per_inference_j'] * 1e6:.3g} uJ ({m['energy_kind']})"),
                ("accuracy per PFLOP", "n/a" if m.get("accuracy_per_pflop") is None
                 else f"{m['accuracy_per_pflop']:.4g} % per PFLOP"),
                ("cost/inference", f"${m['cost_per_inference_usd']:.3g} at ${m['price_usd_per_h']:g}/h "
                                   f"and ${m['price_usd_per_kwh']:g}/kWh")]

    def metrics_row(self) -> dict[str, str]:
        """The source's metrics table for this result, one readable cell per metric (the energy
        column says measured or modeled)."""
        m = self.metrics
        top5 = (f"{100 * m['top5_fraction']:.1f}" if m.get("top5_fraction") is not None
                else m.get("top5_note", "n/a"))
        return {"top-1 (%)": "n/a (random weights)" if m["top1_fraction"] is None else f"{100 * m['top1_fraction']:.1f}",
                "top-5 (%)": top5,
                "throughput (1/s)": f"{m['throughput_qps']:,.0f}",
                "p50 / p99 (ms)": f"{m['p50_s'] * 1e3:.3f} / {m['p99_s'] * 1e3:.3f}",
                f"energy/inference (µJ, {m['energy_kind']})": f"{m['energy_per_inference_j'] * 1e6:.1f}",
                "inferences/J": f"{1 / m['energy_per_inference_j']:,.0f}",
                "accuracy/FLOP (%/PFLOP)": ("n/a" if m["accuracy_per_pflop"] is None
                                            else f"{m['accuracy_per_pflop']:.3g}"),
                "cost per 10⁶ inferences ($)": f"{m['cost_per_inference_usd'] * 1e6:.4f}"}

    def save(self, path: str | Path) -> Path:
        """Write the whole result as strict JSON (atomically; an existing file is replaced)."""
        from simlib.atomicfile import write_atomic
        from simlib.strictjson import dumps

        return write_atomic(path, dumps(self.to_dict(), indent=1), owner="BenchmarkResult.save")


def _accuracy(spec: BenchmarkSpec) -> dict[str, Any]:
    from simlib.measure.backends import open_backend

    b = open_backend("onnxruntime", spec.model, precision=spec.precision, cold_start=False)
    try:
        data = b.spec.eval_data
        if data is None:
            return {"top1_fraction": None, "top5_fraction": None, "top5_note": "n/a (no labels)"}
        x, y = data
        scores = np.concatenate([np.asarray(b.infer(x[i:i + 256])) for i in range(0, len(x), 256)])
    finally:
        b.close()
    n_classes = scores.shape[1]
    out = {"top1_fraction": topk_accuracy(scores, y, 1), "n_classes": n_classes, "n_eval": int(len(y))}
    if topk_meaningful(5, n_classes):
        out["top5_fraction"] = topk_accuracy(scores, y, 5)
    else:
        out["top5_fraction"] = None
        out["top5_note"] = (f"not reported: 5 of {n_classes} classes is {5 / n_classes:.0%} of the answers "
                            f"(top-5 would read {topk_accuracy(scores, y, 5):.2%})")
    return out


def run_benchmark(spec: BenchmarkSpec | None = None, *, progress: bool | None = False) -> BenchmarkResult:
    """Run ``spec`` (default :class:`BenchmarkSpec`): accuracy on the held-out split, then the
    SingleStream scenario for the run rules' length, then the derived metrics."""
    from simlib.designmath import cost_per_inference_hourly
    from simlib.measure import measure

    spec = spec or BenchmarkSpec()
    acc = _accuracy(spec)
    r = measure(spec.model, scenario="singlestream", precision=spec.precision, duration_s=spec.duration_s,
                min_query_count=spec.min_query_count, seed=spec.seed, progress=progress)
    s = r.summary
    measured_j = r.metrics.get("measured_j_per_inference")
    e_j = measured_j if measured_j is not None else r.metrics["modeled_j_per_inference"]
    flops = r.extra["model_info"]["flops_per_sample"]
    cost = cost_per_inference_hourly(throughput_qps=s["throughput_qps"], price_usd_per_h=spec.price_usd_per_h,
                                     energy_j=e_j, price_usd_per_kwh=spec.price_usd_per_kwh)
    metrics = {"n": s["n"], "p50_s": s["p50_s"], "p99_s": s["p99_s"], "p99_ci_s": s.get("p99_ci_s"),
               "p50_ci_s": s.get("p50_ci_s"), "ci_method": s.get("ci_method"), "mean_s": s["mean_s"],
               "cv": s["cv"], "throughput_qps": s["throughput_qps"], "verdict": s.get("verdict"),
               **acc, "flops_per_inference": flops, "params": r.extra["model_info"]["params"],
               "energy_per_inference_j": e_j, "energy_kind": "measured" if measured_j is not None else "modeled",
               "accuracy_per_pflop": (None if acc["top1_fraction"] is None
                                      else 100 * acc["top1_fraction"] / (flops / 1e15)),
               "cost_per_inference_usd": cost["total_usd"], "rent_per_inference_usd": cost["rent_usd"],
               "energy_cost_per_inference_usd": cost["energy_usd"],
               "price_usd_per_h": spec.price_usd_per_h, "price_usd_per_kwh": spec.price_usd_per_kwh}
    return BenchmarkResult(spec_components=spec.components(), system=r.system, metrics=metrics, run=r,
                           warnings=list(r.warnings))


def load_result(path_or_dict: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A result file (strict JSON) as a dict; a dict is returned unchanged."""
    import json

    if isinstance(path_or_dict, dict):
        return path_or_dict
    return json.loads(Path(path_or_dict).read_text(encoding="utf-8"))


def unverifiable_claims(result: str | Path | dict[str, Any]) -> list[dict[str, str]]:
    """For each component missing from a result file (``components.<name>`` absent or empty),
    the claim that can no longer be checked. An empty list: every component is there."""
    comps = load_result(result).get("components") or {}
    return [{"component": c, "unverifiable": why} for c, why in COMPONENTS.items() if not comps.get(c)]


def claim_fields(result: str | Path | dict[str, Any]) -> list[dict[str, Any]]:
    """Napkin Math 1.5 applied to a result file: each field a claim like "10,000 inferences/s"
    needs, its value in the file (None when missing) and whether it is there."""
    d = load_result(result)
    rows = []
    for name, where in CLAIM_FIELDS.items():
        v = _get(d, where)
        rows.append({"field": name, "where": where, "value": v, "present": v is not None})
    return rows


def _spec_dict(spec: BenchmarkSpec) -> dict[str, Any]:  # pragma: no cover - used by the CLI later
    return asdict(spec)

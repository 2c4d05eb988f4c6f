"""What the store keeps of a result: one flat *record* per run, from any simlib result type.

A record holds the columns the store filters on (kind, model, scenario, machine, ...), the full
system description, the settings, a flat ``summary`` in SI units (latencies in s, rates in 1/s)
and the raw samples, plus ``payload``: the result's own ``to_dict()`` without its samples. Export
writes ``payload`` back with the samples and a ``stored`` block, so an exported file is the
result's usual JSON (``Result.load`` reads it) and import reads any such file.

>>> from simlib.measure.result import Result
>>> r = Result(name="demo", kind="measured", samples_s=[0.01, 0.012] * 10,
...            system={"hardware": {"cpu": {"model": "Demo CPU"}}},
...            settings={"requested": {}, "effective": {"model": "cnn"}})
>>> rec = to_record(r)
>>> rec["kind"], rec["model"], rec["machine"], round(rec["summary"]["p50_s"], 3)
('measured', 'cnn', 'Demo CPU', 0.01)
>>> to_record(from_record(rec))["summary"] == rec["summary"]
True
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError
from simlib.measure.result import _jsonable

__all__ = ["RESULT_TYPES", "from_record", "machine_label", "record_from_dict", "to_record"]

RESULT_TYPES = ("Result", "RunResult", "SimResult", "Comparison")
_OWNER = "simlib.store"


def now_utc() -> str:
    """The current UTC time, ISO 8601 to the microsecond (orders runs kept in one second)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def utc_time(text: str | None) -> str | None:
    """An ISO 8601 time as UTC with microseconds (sortable as text); None or unparsable as is.

    >>> utc_time("2026-03-01T12:00:00+02:00")
    '2026-03-01T10:00:00.000000+00:00'
    """
    try:
        t = _dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    t = t.replace(tzinfo=_dt.timezone.utc) if t.tzinfo is None else t.astimezone(_dt.timezone.utc)
    return t.isoformat(timespec="microseconds")


def machine_label(system: dict[str, Any] | None) -> str:
    """'CPU model' or 'CPU model + GPU name', from a system description ('unknown machine')."""
    hw = (system or {}).get("hardware") or {}
    cpu = (hw.get("cpu") or {}).get("model") or "unknown CPU"
    gpu = hw.get("gpu") or {}
    names = [d.get("name") for d in gpu.get("devices", []) if isinstance(d, dict) and d.get("name")]
    name = gpu.get("name") or (names[0] if names else None)
    if not hw:
        return "unknown machine"
    return f"{cpu} + {name}" if gpu.get("available") and name else cpu


def _finite(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _latency_summary(samples: np.ndarray) -> dict[str, float]:
    from simlib.stats import percentile

    if samples.size == 0:
        return {}
    out = {"n_samples": int(samples.size), "mean_s": float(samples.mean())}
    for p in (50, 90, 99):
        out[f"p{p}_s"] = percentile(samples, p)
    if samples.size >= 2 and samples.mean():
        out["cv"] = float(samples.std(ddof=1) / abs(samples.mean()))
    return out


def _summary(result_type: str, payload: dict[str, Any], samples: np.ndarray) -> dict[str, float]:
    """Flat SI headline numbers: latency percentiles from the samples, then numeric metrics."""
    out = _latency_summary(samples)
    if result_type in ("Result", "RunResult"):
        for k, v in (payload.get("metrics") or {}).items():
            if _finite(v) is not None and k not in out:
                out[k] = _finite(v)
    elif result_type == "SimResult":
        flat = {**payload, **(payload.get("summary") or {})}  # summary: the result protocol's; flat: older files
        for k in ("throughput_qps", "utilization"):
            if _finite(flat.get(k)) is not None:
                out[k] = _finite(flat[k])
        if not samples.size:  # an exported file from before samples were kept: use its ms keys
            for k in ("mean", "p50", "p90", "p99"):
                if _finite(payload.get(f"{k}_ms")) is not None:
                    out[f"{k}_s"] = _finite(payload[f"{k}_ms"]) / 1e3
    elif result_type == "Comparison":
        cal = payload.get("calibration") or {}
        if _finite(cal.get("capacity_qps")) is not None:
            out["capacity_qps"] = _finite(cal["capacity_qps"])
        ok = [r.get("measured_qps") for r in payload.get("rows", []) if not r.get("saturated")]
        ok = [_finite(q) for q in ok if _finite(q) is not None]
        if ok:
            out["max_unsaturated_qps"] = max(ok)
    return out


def _detect(d: dict[str, Any]) -> str:
    stored = d.get("stored") or {}
    for rtype in (stored.get("result_type"), d.get("result_type")):  # a store export; a to_dict()
        if rtype in RESULT_TYPES:
            return rtype
    if d.get("kind") in ("comparison", "measured vs modeled") and isinstance(d.get("rows"), list):
        return "Comparison"
    if d.get("kind") in ("measured", "modeled") and "name" in d:
        return "RunResult" if "verdict" in (d.get("metrics") or {}) else "Result"
    if "modeled" in d and "throughput_qps" in d:
        return "SimResult"
    raise InvalidParameterError(
        f"The 'result' parameter of {_OWNER} must be a result simlib saved (a Result with 'name' and "
        "'kind', a SimResult with 'modeled' and 'throughput_qps', or a Comparison with 'rows'). "
        f"Got a dict with keys {sorted(d)[:8]} instead.")


def record_from_dict(d: dict[str, Any]) -> dict[str, Any]:
    """A record from a result's JSON dict (a ``to_dict()``, a saved file, or an export)."""
    if not isinstance(d, dict):
        raise InvalidParameterError(f"The 'result' parameter of {_OWNER} must be a JSON object. "
                                    f"Got {type(d).__name__} instead.")
    rtype = _detect(d)
    payload = {k: v for k, v in d.items() if k not in ("samples_s", "stored")}
    try:
        samples = np.asarray(d.get("samples_s") or [], dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise InvalidParameterError(f"The 'samples_s' parameter of {_OWNER} must be a list of numbers "
                                    f"(seconds). Got {str(d.get('samples_s'))[:60]!r} instead.") from err
    settings = _jsonable(payload.get("settings") or {})  # strict JSON: an offline run's offered_load is inf
    eff = {**(settings.get("requested") or {}), **(settings.get("effective") or {})}
    if rtype == "Comparison":
        eff = {**eff, **settings}
    system = payload.get("system") or {}
    stored = d.get("stored") or {}
    metrics = payload.get("metrics") or {}
    kind = "modeled" if rtype == "SimResult" else ("measured" if rtype == "Comparison" else payload["kind"])
    scenario = (metrics.get("scenario") or payload.get("scenario") or eff.get("scenario")
                or ("server" if rtype == "Comparison" else None))
    return {
        "result_type": rtype, "kind": kind,
        "name": payload.get("name") or stored.get("name") or f"{rtype} {eff.get('model') or ''}".strip(),
        "model": eff.get("model"), "scenario": scenario,
        "precision": eff.get("precision"), "backend": eff.get("backend"),
        "machine": stored.get("machine") or machine_label(system),
        "created_utc": utc_time(stored.get("created_utc") or system.get("timestamp_utc")) or now_utc(),
        "system": system, "settings": settings,
        "summary": _summary(rtype, payload, samples), "samples": samples,
        "payload": _jsonable(payload),
        "simlib_version": stored.get("simlib_version") or system.get("simlib_version"),
        "git_commit": stored.get("git_commit"), "note": stored.get("note"),
    }


def _sim_dict(sim: Any) -> dict[str, Any]:
    d = sim.to_dict()
    d["samples_s"] = np.asarray(sim.latency_s, dtype=float).tolist()
    d["stored"] = {"result_type": "SimResult"}
    if "system" not in d:  # a model's output: the machine that computed it, for provenance
        from simlib.sysdesc import system_description

        d["system"] = system_description()
    return d


def to_record(result: Any) -> dict[str, Any]:
    """A record from a simlib result object (Result, RunResult, SimResult, measure Comparison,
    EmpiricalRoofline) or from its JSON dict."""
    from simlib.measure.compare import Comparison
    from simlib.measure.loadgen import RunResult
    from simlib.measure.result import Result
    from simlib.measure.roofline import EmpiricalRoofline
    from simlib.queueing.results import SimResult

    if isinstance(result, EmpiricalRoofline):
        from simlib.store.roofline import roofline_result

        result = roofline_result(result)
    if isinstance(result, Result):
        d = result.to_dict()
        d["stored"] = {"result_type": "RunResult" if isinstance(result, RunResult) else "Result"}
    elif isinstance(result, SimResult):
        d = _sim_dict(result)
    elif isinstance(result, Comparison):
        d = result.to_dict()
        d["stored"] = {"result_type": "Comparison"}
    elif isinstance(result, dict):
        d = result
    else:
        raise InvalidParameterError(
            f"The 'result' parameter of {_OWNER} must be a Result, RunResult, SimResult, measure "
            f"Comparison, EmpiricalRoofline or a result dict. Got {type(result).__name__} instead.")
    return record_from_dict(d)


def to_export_dict(rec: dict[str, Any], store_id: int | None = None) -> dict[str, Any]:
    """The JSON a result file holds: the result's own dict, its samples, and a ``stored`` block."""
    d = dict(rec["payload"])
    if rec["result_type"] in ("Result", "RunResult", "SimResult"):
        d["samples_s"] = np.asarray(rec["samples"], dtype=float).tolist()
    d["stored"] = {k: rec.get(k) for k in ("result_type", "created_utc", "machine", "simlib_version",
                                           "git_commit", "note")}
    if store_id is not None:
        d["stored"]["id"] = store_id
    return _jsonable(d)


def from_record(rec: dict[str, Any]) -> Any:
    """The result object again: a Result/RunResult, or the result dict for other types."""
    from simlib.measure.loadgen import RunResult
    from simlib.measure.result import Result

    d = to_export_dict(rec)
    if rec["result_type"] == "RunResult":
        return RunResult.from_dict(d)
    if rec["result_type"] == "Result":
        return Result.from_dict(d)
    return d

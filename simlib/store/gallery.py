"""The class gallery: every machine's kept results side by side, as one static HTML page.

Per machine (labeled by CPU, and GPU where there is one) it shows the measured roofline point
(best FP32 GEMM rate and streaming bandwidth), the SingleStream p90 latency of the CNN, the
Server capacity (the highest completed rate of a VALID Server run of the CNN) and the INT8
speedup (FP32 median / INT8 median SingleStream latency, same backend), each with its 95%
interval, and the class's spread (median and range across machines). The page is one file with
inline CSS and SVG: no script, font or stylesheet from the network, so it opens from file://.

>>> rows = machine_rows([])
>>> rows
[]
>>> "<svg" in gallery_html([], title="empty class")
False
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from simlib.stats import median_ci, percentile, percentile_ci
from simlib.store.roofline import ROOFLINE_NAME

__all__ = ["METRIC_SPECS", "gallery_fragment", "gallery_html", "machine_key", "machine_rows", "write_gallery"]

#: (key, title, unit, scale from SI to the shown unit, better: "higher" or "lower")
METRIC_SPECS = (
    ("peak_fp32_flops", "Roofline: best FP32 GEMM (measured)", "GFLOP/s", 1e-9, "higher"),
    ("bandwidth_bytes_per_s", "Roofline: streaming bandwidth (measured)", "GB/s", 1e-9, "higher"),
    ("singlestream_p90_s", "CNN SingleStream p90 latency", "ms", 1e3, "lower"),
    ("server_capacity_qps", "CNN Server capacity (highest VALID rate)", "queries/s", 1.0, "higher"),
    ("int8_speedup", "CNN INT8 speedup over FP32 (SingleStream median)", "x", 1.0, "higher"),
)


def machine_key(system: dict[str, Any]) -> str:
    """Fingerprint of a machine: CPU model, cores, memory, GPUs and OS kernel (12 hex digits)."""
    hw = system.get("hardware") or {}
    cpu, mem, gpu = hw.get("cpu") or {}, hw.get("memory") or {}, hw.get("gpu") or {}
    ident = [cpu.get("model"), cpu.get("logical_cores"), mem.get("total_bytes"),
             [d.get("name") for d in gpu.get("devices", []) if isinstance(d, dict)],
             (system.get("software") or {}).get("kernel")]
    return hashlib.sha256(json.dumps(ident, default=str).encode()).hexdigest()[:12]


def _ci(low: float, high: float) -> list[float]:
    return [float(low), float(high)]


def _singlestream(recs: list[dict], precision: str) -> dict | None:
    ok = [r for r in recs if r["model"] == "cnn" and r["scenario"] == "singlestream"
          and (r["precision"] or "fp32") == precision and len(r["samples"]) >= 2]
    return ok[-1] if ok else None


def _metrics(recs: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    roof = [r for r in recs if r["name"] == ROOFLINE_NAME]
    if roof:
        r = roof[-1]
        ivs = (r["payload"].get("extra") or {}).get("intervals_95") or {}
        for key in ("peak_fp32_flops", "bandwidth_bytes_per_s"):
            if r["summary"].get(key) is not None:
                out[key] = {"value": r["summary"][key], "ci": ivs.get(key), "id": r.get("id")}
    fp32 = _singlestream(recs, "fp32")
    if fp32 is not None:
        s = fp32["samples"]
        try:
            ci = percentile_ci(s, 90)
            iv = _ci(ci.low, ci.high)
        except ValueError:
            iv = None
        out["singlestream_p90_s"] = {"value": percentile(s, 90), "ci": iv, "id": fp32.get("id")}
    server = [r for r in recs if r["model"] == "cnn" and r["scenario"] == "server"
              and r["result_type"] == "RunResult" and (r["payload"].get("metrics") or {}).get("verdict") == "VALID"]
    if server:
        best = max(server, key=lambda r: r["summary"].get("qps_completed", 0.0))
        out["server_capacity_qps"] = {"value": best["summary"].get("qps_completed"), "ci": None,
                                      "id": best.get("id"),
                                      "runs": len([r for r in recs if r["scenario"] == "server"])}
    int8 = _singlestream(recs, "int8")
    if fp32 is not None and int8 is not None and fp32["backend"] == int8["backend"]:
        a, b = median_ci(fp32["samples"]), median_ci(int8["samples"])
        out["int8_speedup"] = {"value": percentile(fp32["samples"], 50) / percentile(int8["samples"], 50),
                               "ci": _ci(a.low / b.high, a.high / b.low) if b.low > 0 else None,
                               "id": [fp32.get("id"), int8.get("id")]}
    return out


def machine_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per machine: label, fingerprint, source notes, number of runs and the metrics."""
    groups: dict[str, list[dict]] = {}
    for r in sorted(records, key=lambda r: (r["created_utc"], r.get("id") or 0)):
        if r["kind"] == "measured":  # a reference run never merges with a reader's own runs
            ref = "-ref" if str(r.get("note") or "").startswith("reference set") else ""
            groups.setdefault(machine_key(r["system"]) + ref, []).append(r)
    rows = []
    for key, recs in groups.items():
        notes = sorted({r["note"] for r in recs if r.get("note")})
        rows.append({"machine": recs[-1]["machine"] + (" [reference set]" if key.endswith("-ref") else ""),
                     "key": key, "reference": key.endswith("-ref"), "runs": len(recs), "notes": notes,
                     "latest_utc": recs[-1]["created_utc"], "metrics": _metrics(recs)})
    return sorted(rows, key=lambda r: r["machine"])


def _fmt(v: float | None, scale: float) -> str:
    return "n/a" if v is None else f"{v * scale:.3g}"


def _strip(rows: list[dict], key: str, title: str, unit: str, scale: float, better: str,
           highlight: str | None) -> str:
    pts = [(r, r["metrics"][key]) for r in rows if key in r["metrics"] and r["metrics"][key]["value"]]
    if not pts:
        return f"<h3>{html.escape(title)}</h3><p class='none'>No machine has this result yet.</p>"
    vals = np.array([m["value"] * scale for _, m in pts])
    lows = [m["ci"][0] * scale if m.get("ci") else m["value"] * scale for _, m in pts]
    highs = [m["ci"][1] * scale if m.get("ci") else m["value"] * scale for _, m in pts]
    lo, hi = min(lows), max(highs)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    lo, hi = max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad
    w, left, right, row_h = 760, 270, 20, 26
    h = row_h * len(pts) + 40

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (w - left - right)

    med = float(np.median(vals))
    parts = [f"<svg class='strip' role='img' viewBox='0 0 {w} {h}' width='{w}' height='{h}' "
             f"aria-label='{html.escape(title)}'>",
             f"<line x1='{x(med):.1f}' x2='{x(med):.1f}' y1='4' y2='{h - 30}' class='median'/>"]
    for i, ((r, _m), v, a, b) in enumerate(zip(pts, vals, lows, highs, strict=True)):
        y = 18 + i * row_h
        mine = " mine" if highlight and r["key"] == highlight else ""
        label = html.escape(r["machine"][:42]) + (" (you)" if mine else "")
        parts += [f"<text x='{left - 8}' y='{y + 4}' text-anchor='end' class='lab{mine}'>{label}</text>",
                  f"<line x1='{x(a):.1f}' x2='{x(b):.1f}' y1='{y}' y2='{y}' class='ci'/>",
                  f"<circle cx='{x(v):.1f}' cy='{y}' r='6' class='pt{mine}'>"
                  f"<title>{label}: {v:.4g} {unit} (95% interval {a:.4g} to {b:.4g})</title></circle>"]
    for t in np.linspace(lo, hi, 5):
        parts.append(f"<text x='{x(t):.1f}' y='{h - 12}' text-anchor='middle' class='tick'>{t:.3g}</text>")
    parts.append("</svg>")
    spread = (f"{len(pts)} machine(s): median {med:.3g} {unit}, range {vals.min():.3g} to {vals.max():.3g} "
              f"{unit} ({'higher' if better == 'higher' else 'lower'} is better; bars are 95% intervals "
              "where the run had one; dashed line: class median)")
    return f"<h3>{html.escape(title)} ({unit})</h3><p class='spread'>{spread}</p>" + "".join(parts)


_CSS = """.simlib-gallery{font-family:system-ui,sans-serif;color:#222}
.simlib-gallery table{border-collapse:collapse;font-size:14px}
.simlib-gallery td,.simlib-gallery th{border:1px solid #ccc;padding:3px 6px;text-align:right}
.simlib-gallery td:first-child,.simlib-gallery th:first-child,.simlib-gallery td:last-child{text-align:left}
.simlib-gallery svg{max-width:100%;height:auto}.strip .ci{stroke:#555;stroke-width:2}
.strip .pt{fill:#1f77b4}.strip .pt.mine{fill:#d62728}.strip .median{stroke:#999;stroke-dasharray:4 3}
.strip .lab{font-size:13px}.strip .lab.mine{font-weight:bold;fill:#d62728}.strip .tick{font-size:11px;fill:#555}
.simlib-gallery .kind{font-weight:bold;color:#a60}.simlib-gallery .none{color:#777}"""


def gallery_fragment(records: list[dict[str, Any]], highlight: str | None = None) -> str:
    """The gallery as an HTML fragment (scoped CSS) for a notebook or a book page."""
    rows = machine_rows(records)
    esc = html.escape
    head = "".join(f"<th>{esc(t)} ({esc(u)})</th>" for _, t, u, _, _ in METRIC_SPECS)
    body = ""
    for r in rows:
        cells = "".join(f"<td>{_fmt((r['metrics'].get(k) or {}).get('value'), s)}</td>"
                        for k, _, _, s, _ in METRIC_SPECS)
        body += (f"<tr class='machine' data-key='{r['key']}'><td>{esc(r['machine'])}"
                 f"{' <b>(you)</b>' if r['key'] == highlight else ''}</td>{cells}<td>{r['runs']}</td>"
                 f"<td>{esc('; '.join(r['notes']))}</td></tr>")
    strips = "".join(_strip(rows, *spec, highlight=highlight) for spec in METRIC_SPECS) if rows else ""
    return (f"<div class='simlib-gallery'><style>{_CSS}</style>"
            f"<p><span class='kind'>MEASURED</span> results only, one row per machine (CPU, and GPU "
            f"where there is one), the latest run of each kind. {len(rows)} machine(s), "
            f"{sum(r['runs'] for r in rows)} run(s). Numbers from different machines were taken under "
            "different loads and budgets: read the intervals before ranking.</p>"
            f"<table id='machines'><tr><th>machine</th>{head}<th>runs</th><th>source</th></tr>{body}</table>"
            f"{strips}</div>")


def gallery_html(records: list[dict[str, Any]], title: str = "Class gallery",
                 highlight: str | None = None) -> str:
    """The gallery page for ``records`` (full records); ``highlight`` is a :func:`machine_key`."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
            "</title><style>body{max-width:980px;margin:1em auto;padding:0 1em}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{gallery_fragment(records, highlight)}</body></html>")


def write_gallery(records: list[dict[str, Any]], path: str | os.PathLike, title: str = "Class gallery",
                  highlight: str | None = None) -> Path:
    """Write the gallery page to ``path`` (atomically) and return it."""
    from simlib.atomicfile import write_atomic

    return write_atomic(path, gallery_html(records, title=title, highlight=highlight), owner="write_gallery")

"""The predeployment checklist as code: which release-readiness items a saved result meets.

Each item closes one gap between benchmark conditions and production (the source chapter's
table of benchmark assumptions, production realities and validation steps, plus the rules of
honest measurement the book teaches). :func:`checklist` reads a saved result (a path to the JSON
that ``simlib measure --save`` or ``to_dict()`` writes, or the dict itself) and reports each item
as ``met``, ``missing`` (the result does not show it was checked) or ``failed`` (it was checked
and did not pass), with the reason.

>>> rep = checklist({"kind": "measured", "summary": {"p99_s": 0.01, "p99_ci_s": [0.009, 0.012],
...                  "verdict": "VALID"}, "warnings": [], "settings": {"effective": {"arrivals": None}}})
>>> rep.status("tail-latency"), rep.status("trace-replay"), rep.status("system-description")
('met', 'missing', 'missing')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simlib._validate import invalid
from simlib.protocol import ResultDisplay
from simlib.table import Table

__all__ = ["EVIDENCE", "ITEMS", "STATUS_COLORS", "ChecklistReport", "checklist"]

#: how each status shows in a notebook or the book (CSS colors)
STATUS_COLORS = {"met": "#1a7f37", "missing": "#b35900", "failed": "#a40e26"}

#: (id, what the item asks, the benchmark assumption it retires)
ITEMS = (
    ("measured", "the result is a measurement of the system, not a model's output", "a model stands in for the system"),
    ("system-description", "the hardware and software it ran on are saved with it", "results travel without context"),
    ("tail-latency", "a tail percentile is reported with its confidence interval", "the mean tells the story"),
    ("latency-bound", "the run met its latency bound at the offered load (VALID)", "throughput without a deadline"),
    ("trace-replay", "load followed a recorded or bursty arrival process, not a steady rate",
     "uniform request arrival"),
    ("cold-start", "cold-start time (load and first inference) is measured", "warm system state"),
    ("contention", "the run was repeated beside competing load", "isolated execution"),
    ("production-data", "quality was measured on a sample of production inputs", "clean, preprocessed inputs"),
    ("baseline", "a baseline of the current version is stored for the canary to compare with",
     "a fixed model version"),
    ("clean-run", "the run raised no warnings", "the harness's caveats can be ignored"),
)


@dataclass(frozen=True, eq=False, repr=False)
class ChecklistReport(ResultDisplay):
    """One row per item: ``(id, status, reason)``, status "met", "missing" (the result does not
    show it) or "failed" (it shows it, and it did not pass). ``groups`` maps an item to its group
    where the list has groups; ``title`` names the list. The book's checklists all report this way
    (this one, and the lab-to-deployment gaps of :func:`simlib.design.checklist.deployment_checklist`)."""

    items: list[tuple[str, str, str]]
    source: str
    settings: dict[str, Any]
    warnings: list[str]
    kind: str = "comparison"
    groups: dict[str, str] = field(default_factory=dict)
    title: str = "Predeployment checklist"

    @property
    def summary(self) -> dict[str, Any]:
        st = [s for _, s, _ in self.items]
        return {"n": len(st), "met_count": st.count("met"), "missing_count": st.count("missing"),
                "failed_count": st.count("failed"), "verdict": "READY" if st.count("met") == len(st) else "NOT READY"}

    def status(self, item: str) -> str:
        for i, s, _ in self.items:
            if i == item:
                return s
        raise invalid("item", f"is {item!r}", ", ".join(i for i, _, _ in self.items), owner="ChecklistReport.status")

    def _title(self) -> str:
        return f"{self.title} ({self.source}): {self.summary['verdict']}"

    def _rows(self) -> list[tuple[str, str]]:
        return [(f"{self.groups[i]}: {i}" if i in self.groups else i, f"{s.upper()}: {r}")
                for i, s, r in self.items] + [("verdict", self.summary["verdict"])]

    def as_table(self) -> Table:
        """The items as a :class:`simlib.table.Table`, each status in its color."""
        head = (["group"] if self.groups else []) + ["item", "status", "reason"]
        rows = [([self.groups.get(i, "")] if self.groups else []) + [i, s, r] for i, s, r in self.items]
        return Table(head, rows, caption=self._title(), colors={"status": STATUS_COLORS})

    def _repr_html_(self) -> str:
        import html

        warns = "".join(f"<li>{html.escape(w)}</li>" for w in self._shown_warnings())
        return self.as_table()._repr_html_() + (f"<ul>{warns}</ul>" if warns else "")


def _load(result) -> tuple[dict[str, Any], str]:
    if isinstance(result, dict):
        return result, "a result dict"
    if hasattr(result, "to_dict"):
        return result.to_dict(), type(result).__name__
    p = Path(str(result))
    if not p.is_file():
        raise invalid("result", f"{str(result)!r} is not a file", "a saved result (JSON), a dict or a result",
                      owner="checklist")
    try:
        return json.loads(p.read_text()), p.name
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise invalid("result", f"{p.name} is not JSON ({e.__class__.__name__})", "a saved result (JSON)",
                      owner="checklist") from None


def _summary_of(d: dict[str, Any]) -> dict[str, Any]:
    """The protocol's flat summary; for a result saved by the result store (``metrics`` and
    ``summary_s``), the same keys rebuilt from those."""
    if isinstance(d.get("summary"), dict):
        return d["summary"]
    m, old = d.get("metrics") or {}, d.get("summary_s") or {}
    return {"p99_s": m.get("p99_s", old.get("p99")), "p90_s": m.get("p90_s", old.get("p90")),
            "p99_ci_s": old.get("p99_ci"), "p90_ci_s": m.get("tail_latency_ci_s") if m.get("tail_percentile") == 90
            else None, "verdict": m.get("verdict"), "load_s": m.get("load_s"),
            "first_inference_s": m.get("first_inference_s")}


def _judge(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    s, eff = _summary_of(d), (d.get("settings") or {}).get("effective") or {}
    extra, sysd = d.get("extra") or {}, d.get("system") or {}
    out = []
    kind = d.get("kind")
    out.append(("measured", "met" if kind == "measured" else "failed" if kind == "modeled" else "missing",
                f"kind is {kind!r}"))
    hw = sysd.get("hardware") if isinstance(sysd, dict) else None
    out.append(("system-description", "met" if hw else "missing",
                "hardware and software saved" if hw else "no system description in the result"))
    tail = next((k for k in ("p99_s", "p90_s", "tail_latency_s") if s.get(k) is not None), None)
    ci = s.get("p99_ci_s") if tail == "p99_s" else s.get(f"{tail[:-2]}_ci_s") if tail else None
    out.append(("tail-latency", "met" if tail and ci else "failed" if tail else "missing",
                f"{tail} with a 95% interval" if tail and ci else
                f"{tail} reported without an interval (too few queries for one)" if tail else "no tail percentile"))
    v = s.get("verdict")
    out.append(("latency-bound", "met" if v == "VALID" else "failed" if v == "INVALID" else "missing",
                f"verdict {v}" if v else "no latency bound was judged"))
    arr = eff.get("arrivals")
    out.append(("trace-replay", "met" if arr else "missing",
                f"arrivals {arr}" if arr else "steady (Poisson or fixed) arrivals only: replay a production trace"))
    cold = s.get("load_s") is not None and s.get("first_inference_s") is not None
    cold_note = extra.get("cold_start")
    out.append(("cold-start", "met" if cold or cold_note else "missing",
                f"load {s['load_s'] * 1e3:.1f} ms, first inference {s['first_inference_s'] * 1e3:.2f} ms" if cold
                else f"cold start {cold_note}" if cold_note else "no cold-start measurement"))
    hogs = eff.get("background_load") or extra.get("background_load")
    out.append(("contention", "met" if hogs else "missing",
                f"beside {hogs}" if hogs else "no run beside competing load is recorded"))
    data = extra.get("production_data") or eff.get("production_data")
    out.append(("production-data", "met" if data else "missing",
                f"quality on {data}" if data else "no quality measured on production inputs"))
    base = extra.get("baseline") or eff.get("baseline")
    out.append(("baseline", "met" if base else "missing", f"baseline {base}" if base else "no baseline stored"))
    w = [x for x in d.get("warnings") or [] if not str(x).startswith("energy not measured")]
    out.append(("clean-run", "met" if not w else "failed",
                "no warnings" if not w else f"{len(w)} warning(s): {str(w[0])[:90]}"))
    return out


EVIDENCE = ("background_load", "production_data", "baseline", "cold_start")


def checklist(result, evidence: dict[str, str] | None = None) -> ChecklistReport:
    """Judge a saved result against :data:`ITEMS` (see the module docstring). ``evidence`` adds
    what a single run cannot show, each a short description of where it was checked:
    ``background_load`` (a repeat beside competing load), ``production_data`` (quality on
    production inputs), ``baseline`` (the current version's stored result), ``cold_start`` (a
    cold-start measurement of the same model). A warning that only
    says energy was not metered does not fail the clean-run item (no meter is not a defect of
    the system under test)."""
    d, src = _load(result)
    bad = set(evidence or {}) - set(EVIDENCE)
    if bad:
        raise invalid("evidence", f"has unknown keys {sorted(bad)}", ", ".join(EVIDENCE), owner="checklist")
    if evidence:
        d = {**d, "extra": {**(d.get("extra") or {}), **{k: v for k, v in evidence.items() if v}}}
    if not isinstance(d, dict) or not ("summary" in d or "metrics" in d):
        raise invalid("result", "has no 'summary' (nor stored 'metrics')", "a simlib result (to_dict() or its saved "
                      "JSON)", owner="checklist")
    items = _judge(d)
    return ChecklistReport(items, src, {"requested": {"result": src}, "effective": {"result": src}}, [])

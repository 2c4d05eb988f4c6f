"""The gaps between a lab benchmark and deployment, as a checklist applied to one result file.

The source chapter's four kinds of limitation (statistical, lab-to-deployment, system design,
organizational; seed lines 789-848) become questions a reader asks of a result. Each row's
status is decided by what the file holds: "ok" (the file answers it), "at risk" (it answers it
badly) or "not covered" (nothing in the file can answer it: a further run is needed).

>>> rows = deployment_checklist({"components": {"harness": {"scenario": "singlestream"}}, "metrics": {}})
>>> [r["status"] for r in rows if r["item"] == "traffic pattern"]
['not covered']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simlib.table import Table

__all__ = ["STATUS_COLORS", "checklist_table", "deployment_checklist"]

STATUS_COLORS = {"ok": "#1a7f37", "at risk": "#b35900", "not covered": "#a40e26"}  # CSS colors


def _get(d: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def deployment_checklist(result: str | Path | dict[str, Any], *, fresh_input_checked: bool = False,
                         platforms: int = 1) -> list[dict[str, str]]:
    """Rows ``{"category", "item", "status", "why"}`` for ``result`` (a file or its dict).

    ``fresh_input_checked``: the result was rerun on inputs the system cannot have seen (a
    cache or memorization trick would show). ``platforms``: how many hardware platforms the
    same benchmark ran on (the hardware lottery needs more than one).
    """
    from simlib.design.benchmark import load_result

    d = load_result(result)
    m = d.get("metrics") or {}
    rows: list[dict[str, str]] = []

    def add(cat: str, item: str, status: str, why: str) -> None:
        rows.append({"category": cat, "item": item, "status": status, "why": why})

    ci, n = m.get("p99_ci_s"), m.get("n")
    add("statistical", "intervals on the quoted numbers",
        "ok" if ci else "at risk",
        f"p99 from {n} queries with a 95% interval" if ci else "no interval on the p99: too few or too correlated samples")
    cv = m.get("cv")
    add("statistical", "run-to-run noise",
        "not covered" if cv is None else ("at risk" if m.get("n_runs", 1) < 5 else "ok"),
        "one run: its spread across runs is unknown; repeat it 5 or more times" if m.get("n_runs", 1) < 5
        else f"{m['n_runs']} runs")
    seeds = _get(d, "components.run_rules.seed")
    sysd = _get(d, "components.system")
    add("statistical", "reproducibility", "ok" if seeds is not None and sysd else "at risk",
        "seed, run rules and the system description are in the file" if seeds is not None and sysd
        else "seed or system description missing")
    n_eval = m.get("n_eval")
    add("lab to deployment", "problem coverage", "at risk" if (n_eval or 0) < 10_000 else "ok",
        f"accuracy from {n_eval} held-out images of one small, clean dataset" if n_eval
        else "no accuracy on any dataset")
    scen = _get(d, "components.harness.scenario")
    add("lab to deployment", "traffic pattern", "ok" if scen == "server" else "not covered",
        "random (Poisson) arrivals measured" if scen == "server"
        else f"{scen}: one query at a time; production traffic arrives at random and in bursts")
    add("lab to deployment", "objectives beyond speed",
        "ok" if m.get("energy_kind") == "measured" else "at risk",
        "energy per inference measured" if m.get("energy_kind") == "measured"
        else "energy per inference is modeled, not measured")
    add("system design", "environment (load, temperature)", "at risk",
        "a shared CPU: background load and temperature were not controlled; the warnings list what the run saw")
    add("system design", "hardware lottery", "ok" if platforms > 1 else "not covered",
        f"{platforms} platforms" if platforms > 1 else "one platform: a ranking here may not hold on another")
    add("organizational", "benchmark engineering", "ok" if fresh_input_checked else "not covered",
        "rerun on fresh inputs matched" if fresh_input_checked
        else "no rerun on unseen inputs: a cache or memorization trick would go unnoticed")
    top1 = m.get("top1_fraction")
    add("organizational", "benchmark saturation",
        "at risk" if top1 is not None and top1 > 0.95 else "ok",
        f"top-1 {top1:.1%}: little headroom left to separate good from better" if top1 is not None and top1 > 0.95
        else "headroom left" if top1 is not None else "no accuracy reported")
    return rows


def checklist_table(rows: list[dict[str, str]]) -> Table:
    """The checklist as a :class:`simlib.table.Table`, each status in its color."""
    return Table(["category", "item", "status", "why"],
                 [[r["category"], r["item"], r["status"], r["why"]] for r in rows],
                 colors={"status": STATUS_COLORS})

"""The gaps between a lab benchmark and deployment, as a checklist applied to one result file.

The source chapter's four kinds of limitation (statistical, lab-to-deployment, system design,
organizational; seed lines 789-848) become questions a reader asks of a result. Each row's
status is decided by what the file holds: "met" (the file answers it), "failed" (it answers it
badly) or "missing" (nothing in the file can answer it: a further run is needed). The report is
the predeployment checklist's (:class:`simlib.monitor.checklist.ChecklistReport`), with the four
groups.

>>> rep = deployment_checklist({"components": {"harness": {"scenario": "singlestream"}}, "metrics": {}})
>>> rep.status("traffic pattern"), rep.groups["traffic pattern"]
('missing', 'lab to deployment')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simlib.monitor.checklist import ChecklistReport
from simlib.protocol import given_settings

__all__ = ["deployment_checklist"]


def _get(d: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def deployment_checklist(result: str | Path | dict[str, Any], *, fresh_input_checked: bool = False,
                         platforms: int = 1) -> ChecklistReport:
    """The gaps ``result`` (a file or its dict) leaves between the lab and deployment.

    ``fresh_input_checked``: the result was rerun on inputs the system cannot have seen (a
    cache or memorization trick would show). ``platforms``: how many hardware platforms the
    same benchmark ran on (the hardware lottery needs more than one).
    """
    from simlib.design.benchmark import load_result

    d = load_result(result)
    m = d.get("metrics") or {}
    items: list[tuple[str, str, str]] = []
    groups: dict[str, str] = {}

    def add(group: str, item: str, status: str, why: str) -> None:
        items.append((item, status, why))
        groups[item] = group

    ci, n = m.get("p99_ci_s"), m.get("n")
    add("statistical", "intervals on the quoted numbers",
        "met" if ci else "failed",
        f"p99 from {n} queries with a 95% interval" if ci else "no interval on the p99: too few or too correlated samples")
    cv = m.get("cv")
    add("statistical", "run-to-run noise",
        "missing" if cv is None else ("failed" if m.get("n_runs", 1) < 5 else "met"),
        "one run: its spread across runs is unknown; repeat it 5 or more times" if m.get("n_runs", 1) < 5
        else f"{m['n_runs']} runs")
    seeds = _get(d, "components.run_rules.seed")
    sysd = _get(d, "components.system")
    add("statistical", "reproducibility", "met" if seeds is not None and sysd else "failed",
        "seed, run rules and the system description are in the file" if seeds is not None and sysd
        else "seed or system description missing")
    n_eval = m.get("n_eval")
    add("lab to deployment", "problem coverage", "failed" if (n_eval or 0) < 10_000 else "met",
        f"accuracy from {n_eval} held-out images of one small, clean dataset" if n_eval
        else "no accuracy on any dataset")
    scen = _get(d, "components.harness.scenario")
    add("lab to deployment", "traffic pattern", "met" if scen == "server" else "missing",
        "random (Poisson) arrivals measured" if scen == "server"
        else f"{scen}: one query at a time; production traffic arrives at random and in bursts")
    add("lab to deployment", "objectives beyond speed",
        "met" if m.get("energy_kind") == "measured" else "failed",
        "energy per inference measured" if m.get("energy_kind") == "measured"
        else "energy per inference is modeled, not measured")
    add("system design", "environment (load, temperature)", "failed",
        "a shared CPU: background load and temperature were not controlled; the warnings list what the run saw")
    add("system design", "hardware lottery", "met" if platforms > 1 else "missing",
        f"{platforms} platforms" if platforms > 1 else "one platform: a ranking here may not hold on another")
    add("organizational", "benchmark engineering", "met" if fresh_input_checked else "missing",
        "rerun on fresh inputs matched" if fresh_input_checked
        else "no rerun on unseen inputs: a cache or memorization trick would go unnoticed")
    top1 = m.get("top1_fraction")
    add("organizational", "benchmark saturation",
        "failed" if top1 is not None and top1 > 0.95 else "met",
        f"top-1 {top1:.1%}: little headroom left to separate good from better" if top1 is not None and top1 > 0.95
        else "headroom left" if top1 is not None else "no accuracy reported")
    source = Path(result).name if isinstance(result, str | Path) else "a result dict"
    return ChecklistReport(items, source, given_settings(result=source, fresh_input_checked=fresh_input_checked,
                                                         platforms=platforms),
                           [], groups=groups, title="From the lab to deployment")

"""Benchmark history as data (source chapter, "Historical Foundations", seed lines 55-106).

One data file, ``history.yaml`` beside this module, lists the benchmarks the source's text and
tables name (Whetstone, LINPACK, TOP500, SPEC CPU, SPEC Power, Green500, DAWNBench, MLPerf and its
Training, Inference, Tiny and Power variants), each with its year, what it measures, its metric
and unit, what it missed, the lesson and the source's citation. :func:`load_history` reads and
validates it; :func:`history_table` makes the chapter's tables from it; :func:`timeline_figure`
draws it; :func:`derived_numbers` recomputes the figures the source derives from the tables.

>>> h = load_history()
>>> [b.id for b in h][:3]
['whetstone', 'linpack', 'top500']
>>> d = derived_numbers()
>>> d["spec_power_load_levels_count"], d["linpack_to_top500_years"], d["stage_order"]
(11, 14, [2, 3, 4, 1])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simlib._validate import InvalidParameterError, Options, validate_params
from simlib.table import Table

__all__ = ["CATEGORIES", "DATA", "Benchmark", "derived_numbers", "history_table", "load_history",
           "timeline_figure"]

DATA = Path(__file__).with_name("history.yaml")
CATEGORIES = ("performance", "energy", "domain")
YEAR_BASES = ("source table", "source text", "outside")
_REQUIRED = ("id", "name", "year", "year_basis", "category", "measures", "metric", "unit", "missed", "lesson",
             "citation", "source_lines")
_OPTIONAL = ("year_note", "load_levels_percent", "typical_power_w", "typical_memory_bytes")
_TEXT = ("id", "name", "measures", "metric", "unit", "missed", "lesson", "citation")
#: Columns of the chapter's tables, by the source table they reproduce.
TABLES = {
    "progression": ("name", "year", "measures", "metric", "lesson"),  # the source's Table 2
    "mlperf": ("name", "measures", "metric", "unit"),  # the source's Table 1
    "full": ("name", "year", "category", "measures", "metric", "unit", "missed", "citation"),
    "missed": ("name", "year", "unit", "missed"),  # what each measured in, and what it missed (fits a page)
}
#: Rows of the source's Table 2 and Table 1, in the source's order.
TABLE_ROWS = {
    "progression": ("whetstone", "linpack", "spec_cpu", "spec_power", "green500", "mlperf"),
    "mlperf": ("mlperf_training", "mlperf_inference", "mlperf_tiny", "mlperf_power"),
}


@dataclass(frozen=True)
class Benchmark:
    """One benchmark of the history file (fields as documented at the top of ``history.yaml``)."""

    id: str
    name: str
    year: int
    year_basis: str
    category: str
    measures: str
    metric: str
    unit: str
    missed: str
    lesson: str
    citation: str
    source_lines: tuple[int, ...]
    year_note: str | None = None
    load_levels_percent: tuple[float, ...] | None = None
    typical_power_w: float | None = None
    typical_memory_bytes: float | None = None


def _bad(path: Path, where: str, field_: str, problem: str, allowed: str) -> InvalidParameterError:
    return InvalidParameterError(f"{path.name}: {where}: field {field_!r} {problem}. Allowed: {allowed}.",
                                 parameter=field_, problem=problem, allowed=allowed)


def _check_entry(path: Path, i: int, e: Any, seen: set[str]) -> Benchmark:
    where = f"entry {i}"
    if not isinstance(e, dict):
        raise _bad(path, where, "(entry)", f"is a {type(e).__name__}", "a mapping of the documented fields")
    where = f"entry {i} ({e.get('id', '?')})"
    for k in _REQUIRED:
        if k not in e:
            raise _bad(path, where, k, "is missing", "every field listed at the top of history.yaml")
    unknown = set(e) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise _bad(path, where, sorted(unknown)[0], "is not a known field", ", ".join(_REQUIRED + _OPTIONAL))
    for k in _TEXT:
        if not isinstance(e[k], str) or not e[k].strip():
            raise _bad(path, where, k, f"is {e[k]!r}", "a non-empty string")
    if e["id"] in seen:
        raise _bad(path, where, "id", "repeats an earlier entry's id", "a unique id")
    if not (isinstance(e["year"], int) and not isinstance(e["year"], bool) and 1940 <= e["year"] <= 2100):
        raise _bad(path, where, "year", f"is {e['year']!r}", "an integer year in [1940, 2100]")
    if e["year_basis"] not in YEAR_BASES:
        raise _bad(path, where, "year_basis", f"is {e['year_basis']!r}", f"one of {YEAR_BASES}")
    if e["year_basis"] == "outside" and not e.get("year_note"):
        raise _bad(path, where, "year_note", "is missing for a year from outside the source",
                   "a sentence saying where the year comes from")
    if e["category"] not in CATEGORIES:
        raise _bad(path, where, "category", f"is {e['category']!r}", f"one of {CATEGORIES}")
    lines = e["source_lines"]
    if not (isinstance(lines, list) and lines and all(isinstance(x, int) and x >= 1 for x in lines)):
        raise _bad(path, where, "source_lines", f"is {lines!r}", "a non-empty list of line numbers (>= 1)")
    levels = e.get("load_levels_percent")
    if levels is not None and not (isinstance(levels, list) and len(levels) >= 2
                                   and all(isinstance(x, (int, float)) and 0 <= x <= 100 for x in levels)
                                   and all(a < b for a, b in zip(levels, levels[1:], strict=False))):
        raise _bad(path, where, "load_levels_percent", f"is {levels!r}", "an increasing list of percentages in [0, 100]")
    for k in ("typical_power_w", "typical_memory_bytes"):
        v = e.get(k)
        if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise _bad(path, where, k, f"is {v!r}", "a positive number")
    seen.add(e["id"])
    return Benchmark(**{**e, "source_lines": tuple(lines),
                        "load_levels_percent": tuple(levels) if levels is not None else None})


def load_history(path: str | Path | None = None) -> list[Benchmark]:
    """The benchmarks of ``path`` (default: the packaged ``history.yaml``), validated; a malformed
    file raises :class:`~simlib._validate.InvalidParameterError` naming the file, the entry and the field."""
    p = Path(path) if path is not None else DATA
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InvalidParameterError(f"{p.name}: not valid YAML: {err}", parameter="path") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list) or not doc["benchmarks"]:
        raise _bad(p, "top level", "benchmarks", "is missing or empty", "a non-empty list of benchmark entries")
    seen: set[str] = set()
    return [_check_entry(p, i, e, seen) for i, e in enumerate(doc["benchmarks"])]


def _get(history: list[Benchmark], bid: str) -> Benchmark:
    return next(b for b in history if b.id == bid)


@validate_params({"table": Options(tuple(TABLES)), "category": [Options(CATEGORIES), None]})
def history_table(table: str = "progression", *, category: str | None = None,
                  history: list[Benchmark] | None = None) -> Table:
    """One of the chapter's tables from the history file.

    ``table="progression"``: the source's Table 2 (benchmark, year, focus, metric, lesson);
    ``"mlperf"``: its Table 1 (the MLPerf variants); ``"missed"``: every benchmark with its unit and
    what it missed (sorted by year, narrow enough for a page); ``"full"``: every benchmark with what it
    missed and its citation, optionally only one ``category``, sorted by year.

    >>> t = history_table("mlperf")
    >>> [r[0] for r in t.rows]
    ['MLPerf Training', 'MLPerf Inference', 'MLPerf Tiny', 'MLPerf Power']
    """
    h = history if history is not None else load_history()
    if table in TABLE_ROWS:
        chosen = [_get(h, i) for i in TABLE_ROWS[table]]
    else:
        chosen = sorted((b for b in h if category is None or b.category == category), key=lambda b: (b.year, b.name))
    cols = TABLES[table]
    rows = tuple(tuple(str(getattr(b, c)) + ("*" if c == "year" and b.year_basis == "outside" else "") for c in cols)
                 for b in chosen)
    caption = {"progression": "Benchmark progression (source Table 2)", "mlperf": "MLPerf variants (source Table 1)",
               "full": "Benchmarks named in the source (* year from outside the source)",
               "missed": "What each benchmark measured in, and what it missed (* year from outside the source)"}[table]
    return Table(cols, rows, caption=caption)  # source data, not a result: it has no kind


def derived_numbers(history: list[Benchmark] | None = None) -> dict[str, Any]:
    """The numbers the source derives from its history tables, recomputed from the data file.

    - ``spec_power_load_levels_count``: SPEC Power's load levels, idle to 100% in 10% steps (footnote 5: 11);
    - ``linpack_to_top500_years``: LINPACK (1979) to its adoption by the TOP500 (1993) (footnote 3);
    - ``whetstone_to_spec_cpu_years``, ``whetstone_to_mlperf_years``: spans of the progression (Table 2);
    - ``stage_order``: the self-check's four stages, (1) ML suites, (2) synthetic operations,
      (3) whole applications, (4) energy-first, ordered by the earliest year in each;
    - ``power_orders_of_magnitude``, ``memory_orders_of_magnitude``: MLPerf Training's systems
      against MLPerf Tiny's, from the ASSUMED typical scales in the file (the self-check says nine).
    """
    h = history if history is not None else load_history()
    year = {b.id: b.year for b in h}
    stages = {1: ("mlperf",), 2: ("whetstone", "linpack"), 3: ("spec_cpu",), 4: ("spec_power", "green500")}
    first = {s: min(year[i] for i in ids) for s, ids in stages.items()}
    tiny, train = _get(h, "mlperf_tiny"), _get(h, "mlperf_training")
    return {
        "spec_power_load_levels_count": len(_get(h, "spec_power").load_levels_percent or ()),
        "linpack_to_top500_years": year["top500"] - year["linpack"],
        "whetstone_to_spec_cpu_years": year["spec_cpu"] - year["whetstone"],
        "whetstone_to_mlperf_years": year["mlperf"] - year["whetstone"],
        "stage_order": sorted(stages, key=lambda s: first[s]),
        "power_orders_of_magnitude": math.log10(train.typical_power_w / tiny.typical_power_w),
        "memory_orders_of_magnitude": math.log10(train.typical_memory_bytes / tiny.typical_memory_bytes),
    }


def timeline_figure(history: list[Benchmark] | None = None):
    """A timeline of the benchmarks: year on x, one lane per category, each point labeled
    (a hollow marker: a year from outside the source). Returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    h = sorted(history if history is not None else load_history(), key=lambda b: (b.year, b.name))
    fig = Figure(figsize=(11, 5.5))
    ax = fig.subplots()
    colors = {"performance": "tab:blue", "energy": "tab:green", "domain": "tab:purple"}
    lane = {c: i for i, c in enumerate(CATEGORIES)}
    lane_items: dict[str, list[int]] = {c: [] for c in CATEGORIES}
    for b in h:
        near = sum(1 for yr in lane_items[b.category] if b.year - yr <= 4)  # labels close by in this lane
        same = lane_items[b.category].count(b.year)  # points of the same year, nudged down
        lane_items[b.category].append(b.year)
        y = lane[b.category] - 0.12 * same
        outside = b.year_basis == "outside"
        ax.plot([b.year], [y], "o", ms=11, color=colors[b.category],
                mfc="white" if outside else colors[b.category], mew=2)
        ax.annotate(b.name, (b.year, y), xytext=(b.year, lane[b.category] + 0.16 + 0.15 * near), textcoords="data",
                    fontsize=11, color=colors[b.category], ha="right" if b.year > 2012 else "left", va="bottom",
                    arrowprops={"arrowstyle": "-", "color": colors[b.category], "lw": 0.6})
    ax.set_yticks(range(len(CATEGORIES)), [c.capitalize() for c in CATEGORIES], fontsize=13)
    ax.set_ylim(-0.5, len(CATEGORIES) + 0.1)
    years = [b.year for b in h]
    ax.set_xlim(min(years) - 2, max(years) + 3)
    ax.set_xlabel("year introduced", fontsize=13)
    ax.tick_params(axis="x", labelsize=12)
    ax.set_title("SOURCE DATA: benchmark history (hollow: year from outside the source)", fontsize=13)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig

"""Two short calls for the book's pages: "compare with your last run" and "where this machine falls".

:func:`compare_with_last` never keeps anything unless ``keep=True`` is passed, and never creates
a store file without it: with ``keep=False`` it only reads an existing store. Its text says what
it did. :func:`where_you_fall` places this machine's measured results among other machines'
(the bundled reference set, or a class), metric by metric, with words chosen by the intervals.

>>> import os, tempfile
>>> from simlib.measure.result import Result
>>> r = Result(name="demo", kind="measured", samples_s=[0.01, 0.011] * 20, system={},
...            settings={"requested": {}, "effective": {"model": "cnn"}})
>>> path = os.path.join(tempfile.mkdtemp(), "s.sqlite3")
>>> compare_with_last(r, keep=False, path=path).startswith("Not kept")
True
>>> os.path.exists(path)
False
"""

from __future__ import annotations

import os
from typing import Any

from simlib.store.analysis import compare_stored, compare_text
from simlib.store.db import ResultStore, default_path
from simlib.store.gallery import METRIC_SPECS, machine_key, machine_rows
from simlib.store.records import to_record

__all__ = ["compare_with_last", "machine_of", "measure_for_gallery", "where_you_fall", "where_you_fall_text"]


def _same_config(row: dict[str, Any], rec: dict[str, Any]) -> bool:
    return all(row[k] == rec[k] for k in ("model", "scenario", "precision", "backend", "result_type"))


def compare_with_last(result: Any, keep: bool = False, path: str | os.PathLike | None = None) -> str:
    """Compare ``result`` with the last kept run of the same model, scenario, precision and backend;
    with ``keep=True`` keep it first. Returns what was done and found, in words."""
    path = default_path() if path is None else path
    rec = to_record(result)
    if not keep and not os.path.exists(path):
        return (f"Not kept, and no store yet at {path}: nothing to compare with. Set KEEP = True to keep "
                "this run; the next time you run this page it is compared with this one.")
    with ResultStore(path) as st:
        new_id = st.keep(result) if keep else None
        rows = [r for r in st.list(model=rec["model"], scenario=rec["scenario"])
                if _same_config(r, rec) and r["id"] != new_id]
        head = (f"Kept as result {new_id} in {st.path} (simlib results show {new_id})." if keep
                else f"Not kept (KEEP = False); compared with your store {st.path}.")
        if not rows:
            return head + " No earlier run of this configuration is kept, so there is nothing to compare yet."
        prev = st.get(rows[-1]["id"])
    this = {**rec, "id": new_id}
    return head + f" Your last kept run of it is result {prev['id']} ({prev['created_utc'][:16]}):\n" + \
        compare_text(compare_stored(prev, this), max_diffs=6)


def where_you_fall(mine: list[dict[str, Any]], others: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per gallery metric: this machine's value and interval, the other machines', and in words
    whether this one is higher, lower or not clearly different ("same": the intervals overlap)
    from each, in ``others[i]["this_machine"]``.

    ``mine`` and ``others`` are full records (e.g. ``to_record(result)`` and
    :func:`simlib.store.bundled.reference_records`).
    """
    from simlib.claims import direction
    from simlib.stats import Interval

    def iv(m: dict[str, Any]) -> Interval:
        lo, hi = m.get("ci") or (m["value"], m["value"])
        return Interval(m["value"], lo, hi, 0.95, "")

    my_rows = machine_rows(mine)
    if not my_rows:
        return []
    me = my_rows[0]
    rows = machine_rows(others)
    out = []
    for key, title, unit, scale, better in METRIC_SPECS:
        if key not in me["metrics"]:
            continue
        m = me["metrics"][key]
        cmp = [{"machine": r["machine"], "value": r["metrics"][key]["value"] * scale,
                "this_machine": direction(iv(r["metrics"][key]), iv(m))}
               for r in rows if key in r["metrics"]]
        out.append({"metric": title, "unit": unit, "better": better, "yours": m["value"] * scale,
                    "yours_ci": [x * scale for x in m["ci"]] if m.get("ci") else None, "others": cmp})
    return out


_WORDS = {"higher": "higher", "lower": "lower", "same": "not clearly different: the intervals overlap"}


def where_you_fall_text(table: list[dict[str, Any]]) -> str:
    """:func:`where_you_fall` as lines of text (one per metric)."""
    lines = []
    for t in table:
        ci = f" (95% interval {t['yours_ci'][0]:.3g} to {t['yours_ci'][1]:.3g})" if t["yours_ci"] else ""
        others = "; ".join(f"{o['machine']}: {o['value']:.3g} (this machine {_WORDS[o['this_machine']]})"
                           for o in t["others"]) or "no other machine has this result"
        lines.append(f"{t['metric']}: this machine {t['yours']:.3g} {t['unit']}{ci}; {others}"
                     f" [{t['better']} is better]")
    return "\n".join(lines)


def measure_for_gallery(roofline: Any = None, system: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """This machine's records for the gallery: the measured roofline ``roofline`` (an
    EmpiricalRoofline, if given) and the CNN's SingleStream run in FP32 and INT8 (onnxruntime,
    CPU, the budget's duration). A runtime that is missing is skipped with a printed note."""
    from simlib.measure import BackendUnavailable, measure
    from simlib.store.roofline import roofline_result

    recs = [to_record(roofline_result(roofline, system=system))] if roofline is not None else []
    for precision in ("fp32", "int8"):
        try:
            recs.append(to_record(measure("cnn", "onnxruntime", scenario="singlestream",
                                          precision=precision, progress=False)))
        except BackendUnavailable as err:
            print(f"CNN SingleStream {precision} not measured: {err}")
    return recs


def machine_of(records: list[dict[str, Any]]) -> str | None:
    """The :func:`machine_key` of the first record (to highlight it in a gallery)."""
    return machine_key(records[0]["system"]) if records else None

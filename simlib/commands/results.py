"""``simlib results``: list, show, compare, follow over time, export, import and gallery of kept runs.

    simlib results list --model cnn --since 2026-01-01
    simlib results compare 3 7 --json
    simlib results history --metric p99 --model cnn
    simlib results export out/ ; simlib results import class/ ; simlib results gallery --out class.html

The store is ``$SIMLIB_STORE`` or results.sqlite3 in the user's data folder (``--store`` wins).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from simlib._validate import InvalidParameterError, invalid
from simlib.commands._common import print_json


def _print_json(obj: Any) -> None:
    """Results (dataclasses, numpy values; non-finite numbers as null) as the CLI's strict JSON."""
    from simlib.measure.result import _jsonable  # imports torch: only when printing

    print_json(_jsonable(obj))


def _open(args: argparse.Namespace):
    from simlib.store import ResultStore, StoreWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StoreWarning)
        st = ResultStore(args.store)
    for w in caught:
        print(f"simlib results: note: {w.message}", file=sys.stderr)
    return st


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v * 1e3:.3g}"


def _list(args: argparse.Namespace) -> int:
    with _open(args) as st:
        rows = st.list(model=args.model, scenario=args.scenario, machine=args.machine, kind=args.kind,
                       since=args.since, until=args.until, limit=args.limit)
    if args.json:
        _print_json({"store": str(st.path), "results": rows})
        return 0
    print(f"{len(rows)} result(s) in {st.path}")
    print(f"{'id':>5}  {'taken (UTC)':19}  {'kind':8}  {'model':7} {'scenario':12} {'p50 ms':>8} {'p99 ms':>8}  name / machine")
    for r in rows:
        s = r["summary"]
        print(f"{r['id']:>5}  {r['created_utc'][:19]:19}  {r['kind']:8}  {r['model'] or '-':7} "
              f"{r['scenario'] or '-':12} {_ms(s.get('p50_s')):>8} {_ms(s.get('p99_s')):>8}  "
              f"{r['name']} / {r['machine']}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from simlib.store.records import from_record, to_export_dict

    with _open(args) as st:
        rec = st.get(args.id)
    if args.json:
        d = to_export_dict(rec, store_id=args.id)
        if not args.samples:
            d.pop("samples_s", None)
        _print_json(d)
        return 0
    obj = from_record(rec)
    print(f"result {args.id} [{rec['kind'].upper()}] {rec['result_type']}, taken {rec['created_utc']}")
    print(f"  machine: {rec['machine']}; simlib {rec['simlib_version']}, commit {rec['git_commit'] or 'unknown'}")
    if rec.get("note"):
        print(f"  note: {rec['note']}")
    if isinstance(obj, dict):
        for k, v in rec["summary"].items():
            print(f"  {k}: {v:.6g}")
    else:
        print(repr(obj))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from simlib.store.analysis import compare_stored, compare_text

    with _open(args) as st:
        out = compare_stored(st.get(args.ids[0]), st.get(args.ids[1]))
    if args.json:
        _print_json(out)
        return 0
    print(compare_text(out))
    return 0


def _history(args: argparse.Namespace) -> int:
    from simlib.store import history

    with _open(args) as st:
        rows = st.list(model=args.model, scenario=args.scenario, machine=args.machine, kind=args.kind)
    out = history(rows, args.metric)
    if args.json:
        _print_json(out)
        return 0
    scale, unit = (1e3, "ms") if out["unit"] == "s" else (1.0, "")
    print(f"{args.metric} over {len(out['points'])} run(s)")
    for p in out["points"]:
        flag = "  <- change point" if p["change_point"] else ""
        print(f"  {p['id']:>5}  {p['created_utc'][:19]}  {p['value'] * scale:10.4g} {unit}{flag}")
    if len(out["machines"]) > 1:
        print(f"NOTE: these runs come from {len(out['machines'])} machines; a change may be a change of "
              "machine: add --machine to follow one")
    c = out["change"]
    if c["significant"]:
        print(f"change detected: mean {c['before_mean'] * scale:.4g} -> {c['after_mean'] * scale:.4g} {unit} "
              f"({c['reason']})")
    else:
        print(f"no change detected ({c['reason']})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from simlib.store import export_results

    with _open(args) as st:
        paths = export_results(st, args.folder, ids=args.ids)
    if args.json:
        _print_json({"files": [str(p) for p in paths]})
    else:
        print(f"exported {len(paths)} result file(s) to {args.folder}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from simlib.store import import_results

    with _open(args) as st:
        rep = import_results(st, args.paths)
    if rep["skipped"] and not rep["imported"] and not rep["already"]:
        first = rep["skipped"][0][0]
        raise invalid("paths", f"none of the {len(rep['skipped'])} file(s) is a simlib result "
                      f"(the first: {first})", "result JSON files written by simlib results export or "
                      "Result.save(path)")
    for f, why in rep["skipped"]:  # the CLI prints each as one "warning:" line on stderr
        warnings.warn(f"skipped {f}: {why}", stacklevel=1)
    if args.json:
        _print_json(rep)
    else:
        print(f"imported {len(rep['imported'])}, already in the store {len(rep['already'])}, "
              f"skipped {len(rep['skipped'])}")
    return 0


def _gallery(args: argparse.Namespace) -> int:
    from simlib.store.bundled import reference_records
    from simlib.store.gallery import machine_rows, write_gallery

    if not args.out.strip() or Path(args.out).is_dir():  # a folder: the page would replace nothing, a temp file stays
        raise invalid("--out", f"{args.out!r} is {'empty' if not args.out.strip() else 'a folder'}",
                      "an .html file to write, e.g. --out gallery.html")
    with _open(args) as st:
        recs = [st.get(r["id"]) for r in st.list(kind="measured")]
    if args.reference:
        recs += reference_records()
    path = write_gallery(recs, args.out, title=args.title)
    if args.json:
        _print_json({"file": str(path), "machines": machine_rows(recs)})
    else:
        print(f"gallery of {len(machine_rows(recs))} machine(s) written to {path} (open it in a browser)")
    return 0


def _ids(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidParameterError(f"The '--ids' parameter of simlib results export must be comma-separated "
                                    f"integers. Got {text!r} instead.") from None


def _run(args: argparse.Namespace) -> int:
    if not getattr(args, "action", None):
        args.results_parser.print_help()
        return 0
    return args.action(args)


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", default=None, metavar="FILE",
                        help="the store file (default $SIMLIB_STORE or the user's data folder)")
    common.add_argument("--json", action="store_true", help="print JSON")
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--model", default=None, help="cnn | encoder | digits ...")
    filters.add_argument("--scenario", default=None, help="singlestream | multistream | server | offline")
    filters.add_argument("--machine", default=None, help="part of the machine label (CPU/GPU model)")
    filters.add_argument("--kind", default=None, help="measured | modeled")

    p = sub.add_parser("results", help="kept results: list, show, compare, history, export, import, gallery",
                       description="Read the results kept with --save or simlib.store.keep().")
    rs = p.add_subparsers(dest="results_command", metavar="ACTION")
    q = rs.add_parser("list", parents=[common, filters], help="list kept results")
    q.add_argument("--since", default=None, help="taken on or after this ISO date (YYYY-MM-DD)")
    q.add_argument("--until", default=None, help="taken before this ISO date")
    q.add_argument("--limit", type=int, default=None, help="only the latest N")
    q.set_defaults(action=_list)
    q = rs.add_parser("show", parents=[common], help="one result in full")
    q.add_argument("id", type=int)
    q.add_argument("--samples", action="store_true", help="with --json: include the raw samples")
    q.set_defaults(action=_show)
    q = rs.add_parser("compare", parents=[common], help="two runs: verdict, interval, effect size, system diff")
    q.add_argument("ids", type=int, nargs=2, metavar="ID")
    q.set_defaults(action=_compare)
    q = rs.add_parser("history", parents=[common, filters], help="a metric over time with a change-point flag")
    q.add_argument("--metric", default="p99", help="p99 | p90 | p50 | mean | cv | qps | any summary key")
    q.set_defaults(action=_history)
    q = rs.add_parser("export", parents=[common], help="write one JSON file per result into FOLDER")
    q.add_argument("folder", type=Path)
    q.add_argument("--ids", type=_ids, default=None, help="comma-separated ids (default: all)")
    q.set_defaults(action=_export)
    q = rs.add_parser("import", parents=[common], help="import result JSON files or folders of them")
    q.add_argument("paths", nargs="+")  # str, not Path: Path("") would be the current folder
    q.set_defaults(action=_import)
    q = rs.add_parser("gallery", parents=[common], help="a static HTML page of every machine side by side")
    q.add_argument("--out", default="gallery.html", help="output file (default gallery.html)")  # str: Path("") is "."
    q.add_argument("--reference", action="store_true", help="include the book's bundled reference set")
    q.add_argument("--title", default="Class gallery")
    q.set_defaults(action=_gallery)
    p.set_defaults(func=_run, results_parser=p)

#!/usr/bin/env python3
"""Measure this machine and write the result files of the bundled reference set.

    SIMLIB_BUDGET=quick nice -n 10 .venv/bin/python tools/make_reference_set.py [--out DIR]

Runs, on the CPU with onnxruntime: the empirical roofline, the CNN's SingleStream scenario in
FP32 and INT8, and the CNN's Server scenario at 20/35/50% of the SingleStream rate (the gallery's
"Server capacity" is the highest VALID one). Files are compact JSON with numbers rounded to 9
significant digits (below a nanosecond for any latency under a second), to keep the set small. Each result is written in the export format with
its full system description and a ``stored.note`` that says it is a reference result and where it
came from. Files of the same machine are replaced; other machines' files are kept, so running
this on a second machine adds that machine to the set. Keep the set small (quick budget).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simlib.measure import measure  # noqa: E402
from simlib.measure.roofline import measure_roofline  # noqa: E402
from simlib.store.bundled import REFERENCE_DIR  # noqa: E402
from simlib.store.gallery import machine_key  # noqa: E402
from simlib.store.records import to_export_dict, to_record  # noqa: E402


def _round(obj):
    if isinstance(obj, float):
        return float(f"{obj:.9g}")
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def save_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REFERENCE_DIR)
    ap.add_argument("--label", default="a build machine of this book",
                    help="what the machine is, for the note (e.g. 'shared 2-core CI container')")
    args = ap.parse_args()
    runs = [measure_roofline(sizes=[128, 512], dtypes=("fp32",))]
    fp32 = measure("cnn", "onnxruntime", scenario="singlestream", precision="fp32", progress=False)
    runs += [fp32, measure("cnn", "onnxruntime", scenario="singlestream", precision="int8", progress=False)]
    rate = 1.0 / fp32.summary["p50_s"]
    for u in (0.2, 0.35, 0.5):
        runs.append(measure("cnn", "onnxruntime", scenario="server", qps=round(u * rate, 1), progress=False))
    day = dt.date.today().isoformat()
    recs = [to_record(r) for r in runs]
    key = machine_key(recs[0]["system"])
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob(f"{key}-*.json"):
        old.unlink()
    for i, rec in enumerate(recs):
        rec["note"] = (f"reference set: measured on {args.label} ({rec['machine']}) by "
                       f"tools/make_reference_set.py on {day}, budget {rec['system'].get('budget')}")
        path = args.out / f"{key}-{i:02d}-{rec['name'].replace(' ', '-').lower()}.json"
        text = json.dumps(_round(to_export_dict(rec)), separators=(",", ":"), allow_nan=False)
        save_text(path, text)
        print(f"{path.name}: {rec['summary'].get('p90_s') or rec['summary'].get('bandwidth_bytes_per_s')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

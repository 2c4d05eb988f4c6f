"""``simlib compare``: measured vs modeled p50/p99/QPS at several loads."""

from __future__ import annotations

import argparse
import json
import sys


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from err


def run(args: argparse.Namespace) -> int:
    from simlib.measure import BackendUnavailable, compare

    try:
        c = compare(args.model, args.backend, utilizations=args.utilization, precision=args.precision,
                    duration_s=args.duration, threads=args.threads, seed=args.seed,
                    progress=None if not args.json else False)
    except BackendUnavailable as err:
        print(f"simlib compare: unavailable: {err}", file=sys.stderr)
        return 3
    if args.save:
        from simlib.store import save_or_keep

        print(save_or_keep(c, args.save), file=sys.stderr)
    print(json.dumps(c.table(), indent=2) if args.json else repr(c))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="measured vs modeled latency at several loads",
                       description="Measure isolated service times, calibrate the queueing simulator, "
                                   "run the real Server scenario at each utilization and the simulator "
                                   "on the same arrivals; print both side by side.")
    p.add_argument("--model", default="cnn", help="cnn | encoder | digits")
    p.add_argument("--backend", default="onnxruntime", help="torch | onnxruntime")
    p.add_argument("--precision", default="fp32", help="fp32 | int8")
    p.add_argument("--utilization", type=_floats, default=[0.3, 0.5, 0.7, 0.85],
                   help="comma-separated fractions of measured capacity (default 0.3,0.5,0.7,0.85)")
    p.add_argument("--duration", type=float, default=None, help="seconds per load (default: budget)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=run)

"""``simlib compare``: measured vs modeled p50/p99/QPS at several loads.

Exit 0 when it ran (each row's verdict is in the table: a comparison sweeps loads up to
saturation on purpose, so a row over the bound is a finding, not a failed run), 2 bad input,
3 a runtime that was asked for is missing (:mod:`simlib.cli`).
"""

from __future__ import annotations

import argparse

from simlib._validate import invalid
from simlib.commands._common import (
    LATENCY_BOUND_MS,
    add_allow_large,
    add_duration,
    add_latency_bound,
    emit,
    ms_to_s,
)
from simlib.commands.measure import unavailable

FLAGS = {"latency_bound_ms": "--latency-bound-ms", "batch_timeout_ms": "--batch-timeout-ms",
         "interval_ms": "--interval-ms", "model": "--model", "backend": "--backend", "precision": "--precision",
         "utilizations": "--utilization", "duration_s": "--duration-s", "threads": "--threads",
         "seed": "--seed", "latency_bound_s": "--latency-bound-ms"}


def _floats(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise invalid("--utilization", f"got {text!r}", "comma-separated fractions in (0, 1), e.g. "
                      "0.3,0.5") from None
    return values


def run(args: argparse.Namespace) -> int:
    from simlib.measure import BackendUnavailable, compare

    utilizations = [0.3, 0.5, 0.7, 0.85] if args.utilization is None else _floats(args.utilization)
    try:
        c = compare(args.model, args.backend, utilizations=utilizations, precision=args.precision,
                    duration_s=args.duration_s, threads=args.threads, seed=args.seed,
                    latency_bound_s=ms_to_s("latency_bound_ms", args.latency_bound_ms, LATENCY_BOUND_MS,
                                             "compare"), progress=None if not args.json else False)
    except BackendUnavailable as err:
        raise unavailable(err, "--backend") from None
    emit("compare", c, args, json_obj=c.records())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="measured vs modeled latency at several loads",
                       description="Measure isolated service times, calibrate the queueing simulator, "
                                   "run the real Server scenario at each utilization and the simulator "
                                   "on the same arrivals; print both side by side.")
    p.add_argument("--model", default="cnn", help="cnn | encoder | digits")
    p.add_argument("--backend", default="onnxruntime", help="torch | onnxruntime")
    p.add_argument("--precision", default="fp32", help="fp32 | int8")
    p.add_argument("--utilization", default=None,
                   help="comma-separated fractions of measured capacity (default 0.3,0.5,0.7,0.85)")
    add_duration(p, "seconds per load, (0, 3600] (default: budget)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    add_latency_bound(p, 100.0, "p99 bound for each Server run's verdict, ms (default 100, as measure)")
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the rows as strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)

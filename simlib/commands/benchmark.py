"""``simlib benchmark``: run the design chapter's complete small benchmark and write its result file.

Every component travels in the file (problem, dataset, model, metrics, harness, system
description, run rules, raw samples), as :func:`simlib.design.run_benchmark` writes it:

    simlib benchmark --model digits --duration-s 2 --out digits.json
    simlib verdict digits.json other.json

Exit 0 when it ran (a SingleStream run has no bound to miss), 2 for bad input (including an
``--out`` file that already exists: nothing saved is overwritten).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simlib._validate import invalid
from simlib.commands._common import add_duration, emit

FLAGS = {"model": "--model", "precision": "--precision", "duration_s": "--duration-s", "seed": "--seed"}


def run(args: argparse.Namespace) -> int:
    from simlib.design import BenchmarkSpec, run_benchmark

    out = Path(args.out) if args.out else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise invalid("--out", f"{args.out!r} already exists", "a new file name (nothing saved is overwritten)",
                      owner="benchmark")
    spec = BenchmarkSpec(model=args.model, precision=args.precision, seed=args.seed,
                         **({} if args.duration_s is None else {"duration_s": args.duration_s}))
    r = run_benchmark(spec)
    if out is not None:
        r.save(out)
        print(f"simlib benchmark: saved to {out}", file=sys.stderr)
    emit("benchmark", r, args)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("benchmark", help="run a complete small benchmark and write its result file",
                       description="Accuracy on a held-out split, SingleStream latency and throughput, energy "
                                   "(measured or modeled), accuracy per FLOP and cost per inference, with every "
                                   "component of the benchmark in one strict-JSON file.")
    p.add_argument("--model", default="digits", help="digits | cnn (default digits)")
    p.add_argument("--precision", default="fp32", help="fp32 | int8 (default fp32)")
    add_duration(p, "minimum SingleStream duration, s, in (0, 600] (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, metavar="PATH", help="write the result file here (a new file)")
    p.add_argument("--json", action="store_true", help="print the result as strict JSON")
    p.set_defaults(func=run)

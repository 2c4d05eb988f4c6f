"""``simlib measure``: run one MLPerf scenario against a real model and backend."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from simlib.measure import BackendUnavailable, MeterUnavailable, measure

    try:
        r = measure(args.model, args.backend, scenario=args.scenario, precision=args.precision,
                    qps=args.qps, duration_s=args.duration, threads=args.threads, device=args.device,
                    max_batch=args.max_batch, batch_timeout_s=args.batch_timeout,
                    target_latency_s=args.latency_bound, meter=args.meter, seed=args.seed,
                    progress=None if not args.json else False)
    except (BackendUnavailable, MeterUnavailable) as err:
        print(f"simlib measure: unavailable: {err}", file=sys.stderr)
        return 3
    if args.save:
        from simlib.store import save_or_keep

        print(save_or_keep(r, args.save), file=sys.stderr)
    if args.json:
        print(r.to_json())
    else:
        print(r.summary_text())
        print()
        print(repr(r))
    return 0 if r.valid else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("measure", help="measure a real model under an MLPerf scenario",
                       description="Load a model on a backend, measure its cold start, run one MLPerf "
                                   "scenario with LoadGen's rules, print the verdict and summary. "
                                   "Exit code 1 when the run is INVALID, 3 when a runtime is missing.")
    p.add_argument("--model", default="cnn", help="cnn | encoder | digits (default cnn)")
    p.add_argument("--backend", default="onnxruntime", help="torch | onnxruntime | edgetpu")
    p.add_argument("--precision", default="fp32", help="fp32 | int8 (int8: onnxruntime only)")
    p.add_argument("--scenario", default="singlestream",
                   help="singlestream | multistream | server | offline")
    p.add_argument("--qps", type=float, default=None, help="target queries/s (Server)")
    p.add_argument("--duration", type=float, default=None, help="minimum duration, s (default: budget)")
    p.add_argument("--latency-bound", type=float, default=0.1, help="Server p99 bound, s (default 0.1)")
    p.add_argument("--threads", type=int, default=None, help="model intra-op threads (default cores-1)")
    p.add_argument("--device", default="cpu", help="cpu | cuda")
    p.add_argument("--max-batch", type=int, default=None, help="dynamic batching: max batch size")
    p.add_argument("--batch-timeout", type=float, default=0.0, help="dynamic batching timeout, s")
    p.add_argument("--meter", default="auto", help="auto | none | nvml | rapl")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(func=run)

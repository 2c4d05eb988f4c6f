"""``simlib roofline``: where a workload lands on a device's roofline (a modeled result).

    simlib roofline --device a100-sxm --precision fp16 --flops 22e9 --bytes 440e6
    simlib roofline --device t4 --precision int8 --model mobilenetv2 --batch 8 --json
"""

from __future__ import annotations

import argparse
import json

from simlib.hardware import names
from simlib.roofline import analyze
from simlib.roofline.models import names as model_names


def run(args: argparse.Namespace) -> int:
    if args.model is None and (args.flops is None or args.bytes is None):
        raise_usage(args, "give --model NAME, or both --flops F and --bytes B")
    if args.model is not None and (args.flops is not None or args.bytes is not None):
        raise_usage(args, "give either --model or --flops/--bytes, not both")
    r = analyze(args.device, args.precision, flops=args.flops, bytes=args.bytes, model=args.model,
                batch=args.batch, memory=args.memory, traffic=args.traffic)
    if args.json:
        print(json.dumps({**r.to_dict(full=False), "device": r.device, "precision": r.precision,
                          "memory_level": r.memory_level, "flops": r.flops, "bytes": r.bytes,
                          "batch": r.batch, "peak_flops": r.peak_flops,
                          "bandwidth_bytes_per_s": r.bandwidth_bytes_per_s, "time_s": r.time_s,
                          "modeled": True}, indent=2))
    else:
        print(r)
    return 0


def raise_usage(args: argparse.Namespace, message: str) -> None:
    args.parser.error(message)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "roofline", help="place a workload (FLOP and bytes, or a model) on a device's roofline",
        description="Modeled roofline analysis: intensity, ridge point, bound, attainable FLOP/s.",
        epilog=f"Devices: {', '.join(names())}. Models: {', '.join(model_names())}.")
    p.add_argument("--device", required=True, help="catalog id, e.g. a100-sxm (see `simlib roofline -h`)")
    p.add_argument("--precision", required=True, help="fp32, tf32, fp16, bf16, int8, ... (device-dependent)")
    p.add_argument("--flops", type=float, help="total floating-point operations of the workload")
    p.add_argument("--bytes", type=float, help="total bytes moved to/from the memory level")
    p.add_argument("--model", help="a model counted layer by layer instead of --flops/--bytes")
    p.add_argument("--batch", type=int, default=1, help="batch size for --model (default 1)")
    p.add_argument("--memory", default=None, help="memory level (default: main memory, e.g. hbm)")
    p.add_argument("--traffic", default="weights+activations", choices=["weights", "weights+activations"],
                   help="bytes counted for --model (default weights+activations)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=run, parser=p)

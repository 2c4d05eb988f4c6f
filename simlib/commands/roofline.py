"""``simlib roofline``: where a workload lands on a device's roofline (a modeled result).

    simlib roofline --device a100-sxm --precision fp16 --flops 22e9 --bytes 440e6
    simlib roofline --device t4 --precision int8 --model mobilenetv2 --batch 8 --json

``--batch`` and ``--traffic`` apply to ``--model`` only; with ``--flops/--bytes`` they are refused.
"""

from __future__ import annotations

import argparse

from simlib._validate import invalid
from simlib.commands._common import only_with, print_json

FLAGS = {"device": "--device", "name": "--device", "precision": "--precision", "flops": "--flops", "bytes": "--bytes",
         "model": "--model", "batch": "--batch", "memory": "--memory", "traffic": "--traffic"}


def run(args: argparse.Namespace) -> int:
    from simlib.roofline import analyze

    if args.model is None and (args.flops is None or args.bytes is None):
        raise invalid("--flops" if args.flops is None else "--bytes", "is missing",
                      "--model NAME, or both --flops F and --bytes B")
    if args.model is not None and (args.flops is not None or args.bytes is not None):
        raise invalid("--model", "was given together with --flops/--bytes", "either --model or --flops/--bytes")
    only_with("--batch", args.batch is not None, "--model", args.model is not None)
    only_with("--traffic", args.traffic is not None, "--model", args.model is not None)
    r = analyze(args.device, args.precision, flops=args.flops, bytes=args.bytes, model=args.model,
                batch=1 if args.batch is None else args.batch, memory=args.memory,
                traffic=args.traffic or "weights+activations")
    if args.json:
        print_json(r.to_dict())
    else:
        print(r)
    return 0


def _devices_and_models() -> str:
    """The epilog, built only when ``simlib roofline --help`` is printed."""
    from simlib.hardware import names
    from simlib.roofline.models import model_names

    return f"Devices: {', '.join(names())}. Models: {', '.join(model_names())}."


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "roofline", help="place a workload (FLOP and bytes, or a model) on a device's roofline",
        description="Modeled roofline analysis: intensity, ridge point, bound, attainable FLOP/s.")
    p.lazy_epilog = _devices_and_models
    p.add_argument("--device", required=True, help="catalog id, e.g. a100-sxm (listed below)")
    p.add_argument("--precision", required=True, help="fp32, tf32, fp16, bf16, int8, ... (device-dependent)")
    p.add_argument("--flops", type=float, help="total floating-point operations of the workload, (0, 1e30]")
    p.add_argument("--bytes", type=float, help="total bytes moved to/from the memory level, [1, 1e30]")
    p.add_argument("--model", help="a model counted layer by layer instead of --flops/--bytes")
    p.add_argument("--batch", type=int, default=None, help="with --model: batch size (default 1)")
    p.add_argument("--memory", default=None, help="memory level (default: main memory, e.g. hbm)")
    p.add_argument("--traffic", default=None, choices=["weights", "weights+activations"],
                   help="with --model: bytes counted (default weights+activations)")
    p.add_argument("--json", action="store_true", help="print a strict JSON object")
    p.set_defaults(func=run)

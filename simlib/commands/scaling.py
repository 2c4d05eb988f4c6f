"""``simlib scaling``: the training chapter's data-parallel measurement from a shell.

    simlib scaling                      # 1 and 2 processes (gloo on the CPU, NCCL with a GPU per worker)
    simlib scaling --workers 2,4 --json # 1, 2 and 4 processes, as strict JSON

Trains the digits model data-parallel with ``torch.distributed`` (MEASURED): one process, then
each count in ``--workers``, every step timed in data, compute, waiting and all-reduce; prints
each run and the strong and weak scaling efficiency against one process. An instructor can check
a lab machine before a class. Run lengths follow ``SIMLIB_BUDGET`` unless ``--steps`` is given.
Exit codes: 0 (also when processes could not start: the run says it fell back to one), 2 for bad
input.
"""

from __future__ import annotations

import argparse

from simlib.commands._common import print_json


def _workers(text: str) -> list[int]:
    from simlib._validate import Range, check, invalid

    parts = [p.strip() for p in text.split(",")]
    try:
        counts = [int(p) for p in parts]
    except ValueError:
        raise invalid("--workers", f"is {text!r}", "process counts separated by commas, e.g. 2,4",
                      owner="simlib scaling") from None
    for n in counts:
        check("--workers", n, Range(2, 64, integer=True), owner="simlib scaling")
    if len(set(counts)) != len(counts):
        raise invalid("--workers", f"repeats a count ({text!r})", "distinct process counts, e.g. 2,4",
                      owner="simlib scaling")
    return counts


def run(args: argparse.Namespace) -> int:
    from simlib._validate import Options, Range, check

    counts = _workers(args.workers)
    check("--batch", args.batch, Range(2, 1024, integer=True), owner="simlib scaling")
    if args.steps is not None:
        check("--steps", args.steps, Range(5, 100_000, integer=True), owner="simlib scaling")
    check("--timeout-s", args.timeout_s, Range(5, 3600, unit="s"), owner="simlib scaling")
    check("--backend", args.backend, Options(("auto", "gloo", "nccl")), owner="simlib scaling")

    from simlib.measure.distributed import run_data_parallel
    from simlib.measure.dp_model import efficiencies, efficiency_table

    common = {"batch": args.batch, "steps": args.steps, "backend": args.backend}
    one = run_data_parallel(1, **common)
    runs = [run_data_parallel(n, timeout_s=args.timeout_s, **common) for n in counts]
    if args.json:
        print_json({"one": one.to_dict(), "runs": [r.to_dict() for r in runs], "efficiency": efficiencies(one, runs)})
    else:
        print("\n\n".join([one.table(), *(r.table() for r in runs), str(efficiency_table(one, runs))]))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scaling", help="data-parallel training on 1 and N processes: step parts, efficiency",
                       description="Train the digits model data-parallel with torch.distributed on one "
                                   "process and on each count in --workers (MEASURED), and print each run's "
                                   "step parts and the strong and weak scaling efficiency.")
    p.add_argument("--workers", default="2", metavar="N[,N...]",
                   help="process counts besides the 1-process reference, each in [2, 64] (default 2)")
    p.add_argument("--batch", type=int, default=64, help="global batch of the 1-process reference (default 64)")
    p.add_argument("--steps", type=int, default=None, help="timed steps per phase (default: the budget's)")
    p.add_argument("--backend", default="auto", help="auto | gloo | nccl (default auto: NCCL with a GPU per worker)")
    p.add_argument("--timeout-s", type=float, default=120.0, metavar="S",
                   help="kill the worker processes after this long, s (default 120)")
    p.add_argument("--json", action="store_true", help="print the runs and the efficiencies as strict JSON")
    p.set_defaults(func=run)

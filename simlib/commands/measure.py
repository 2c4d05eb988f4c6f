"""``simlib measure``: run one MLPerf scenario against a real model and backend.

Exit 0 VALID, 1 INVALID (the result is still printed), 2 bad input, 3 a runtime or meter that
was asked for is missing (:mod:`simlib.cli`). ``--qps`` and ``--latency-bound-ms`` belong to
``--scenario server``, ``--batch-timeout-ms`` to ``--max-batch`` > 1: given elsewhere they are
refused.
"""

from __future__ import annotations

import argparse

from simlib.commands._common import (
    BATCH_TIMEOUT_MS,
    LATENCY_BOUND_MS,
    add_allow_large,
    add_duration,
    add_latency_bound,
    add_renamed,
    emit,
    exit_code,
    ms_to_s,
    only_with,
)

FLAGS = {"latency_bound_ms": "--latency-bound-ms", "batch_timeout_ms": "--batch-timeout-ms",
         "interval_ms": "--interval-ms", "model": "--model", "backend": "--backend", "precision": "--precision", "scenario": "--scenario",
         "qps": "--qps", "duration_s": "--duration-s", "latency_bound_s": "--latency-bound-ms", "threads": "--threads", "device": "--device",
         "max_batch": "--max-batch", "batch_timeout_s": "--batch-timeout-ms", "meter": "--meter",
         "seed": "--seed"}
def unavailable(err: Exception, flag: str):
    """The CLI's exit-3 error for a missing runtime or meter."""
    from simlib.cli import Unavailable

    return Unavailable(flag, f"unavailable: {err}", "a runtime/meter installed on this machine "
                                                    "(see `simlib hw`)")


def run(args: argparse.Namespace) -> int:
    from simlib.measure import BackendUnavailable, MeterUnavailable, measure
    from simlib.scenarios import Scenario

    server = Scenario.parse(args.scenario) is Scenario.SERVER
    only_with("--qps", args.qps is not None, "--scenario server", server)
    only_with("--latency-bound-ms", args.latency_bound_ms is not None, "--scenario server", server)
    only_with("--batch-timeout-ms", args.batch_timeout_ms is not None, "--max-batch greater than 1",
              (args.max_batch or 1) > 1)
    bound_s = ms_to_s("latency_bound_ms", args.latency_bound_ms, LATENCY_BOUND_MS, "measure")
    timeout_s = ms_to_s("batch_timeout_ms", args.batch_timeout_ms, BATCH_TIMEOUT_MS, "measure")
    try:
        r = measure(args.model, args.backend, scenario=args.scenario, precision=args.precision,
                    qps=args.qps, duration_s=args.duration_s, threads=args.threads, device=args.device,
                    max_batch=args.max_batch, batch_timeout_s=timeout_s or 0.0,
                    latency_bound_s=0.1 if bound_s is None else bound_s,
                    meter=args.meter, seed=args.seed, progress=None if not args.json else False)
    except BackendUnavailable as err:
        raise unavailable(err, "--backend") from None
    except MeterUnavailable as err:
        raise unavailable(err, "--meter") from None
    emit("measure", r, args, text=f"{r.summary_text()}\n\n{r!r}")
    return exit_code(bool(r.valid))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("measure", help="measure a real model under an MLPerf scenario",
                       description="Load a model on a backend, measure its cold start, run one MLPerf "
                                   "scenario with LoadGen's rules, print the verdict and summary. "
                                   "Exit code 1 when the run is INVALID (the result is still "
                                   "printed), 2 on bad input, 3 when a runtime or meter is missing.")
    p.add_argument("--model", default="cnn", help="cnn | encoder | digits (default cnn)")
    p.add_argument("--backend", default="onnxruntime", help="torch | onnxruntime | edgetpu")
    p.add_argument("--precision", default="fp32", help="fp32 | int8 (int8: onnxruntime only)")
    p.add_argument("--scenario", default="singlestream",
                   help="singlestream | multistream | server | offline")
    p.add_argument("--qps", type=float, default=None, metavar="QPS",
                   help="server: offered queries/s (required there)")
    add_renamed(p, "--rate", "--qps", " (same unit, queries/s)")
    add_duration(p, "minimum duration, s, in (0, 3600] (default: budget)")
    add_latency_bound(p, None, "server: p99 bound, ms (default 100)")
    p.add_argument("--threads", type=int, default=None, help="model intra-op threads (default cores-1)")
    p.add_argument("--device", default="cpu", help="cpu | cuda")
    p.add_argument("--max-batch", type=int, default=None, help="dynamic batching: max batch size, [1, 4096]")
    p.add_argument("--batch-timeout-ms", type=float, default=None, metavar="MS",
                   help="with --max-batch > 1: longest wait to fill a batch, ms (default 0)")
    add_renamed(p, "--batch-timeout", "--batch-timeout-ms",
                ", which takes milliseconds: --batch-timeout 0.002 is --batch-timeout-ms 2")
    p.add_argument("--meter", default="auto", help="auto | none | nvml | rapl")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the full result as strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)

"""``simlib simulate``: run the queueing model of an inference server from the command line.

    simlib simulate --scenario server --rate 80 --service exp:10ms --json

Flags that belong to another scenario are refused (naming both flags), never ignored.
"""

from __future__ import annotations

import argparse
import warnings

from simlib._validate import Range, check, invalid
from simlib.commands._common import add_allow_large, only_with, print_json

SCENARIOS = ("singlestream", "multistream", "server", "offline")
ARRIVALS_HELP = "poisson, deterministic, bursty:FACTOR (FACTOR in [1, 1000]) or trace:FILE"
# library parameter -> the flag it comes from (errors name the flag)
FLAGS = {"qps": "--rate", "rate_qps": "--rate", "rate": "--rate", "arrivals": "--rate", "service": "--service",
         "mean_s": "--service", "time_s": "--service", "cv": "--service", "t0_s": "--service",
         "t1_s": "--service", "samples_s": "--service", "servers": "--servers", "max_batch": "--max-batch",
         "batch_timeout_s": "--batch-timeout-ms", "n_requests": "--requests", "duration_s": "--duration",
         "latency_bound_s": "--latency-bound-ms", "interval_s": "--interval-ms", "seed": "--seed",
         "burst_factor": "--arrival", "path": "--arrival", "search": "--search"}
JSON_REASONS = {
    "throughput_qps": "no time passed between the first counted arrival and the last completion",
    "utilization": "no time passed between the first counted arrival and the last completion",
}


def _arrivals(text: str, rate: float | None):
    from simlib.queueing import Bursty, DeterministicArrivals, Poisson, Trace

    kind, _, arg = text.partition(":")
    kind = kind.strip().lower()
    if kind == "trace":
        if not arg:
            raise invalid("--arrival", "trace: needs a file name", ARRIVALS_HELP)
        return Trace.from_csv(arg)
    if rate is None:
        raise invalid("--rate", f"is required with --arrival {text}", "a rate in requests/s, e.g. --rate 80")
    if kind == "poisson" and not arg:
        return Poisson(rate)
    if kind == "deterministic" and not arg:
        return DeterministicArrivals(rate)
    if kind == "bursty":
        try:
            factor = float(arg) if arg else 4.0
        except ValueError:
            raise invalid("--arrival", f"bursty:FACTOR needs a number, got {text!r}", ARRIVALS_HELP) from None
        return Bursty(rate, factor)
    raise invalid("--arrival", f"got {text!r}", ARRIVALS_HELP)


def _check_flags(args: argparse.Namespace) -> None:
    sc = args.scenario
    only_with("--arrival", args.arrival is not None, "--scenario server", sc == "server")
    only_with("--latency-bound-ms", args.latency_bound_ms is not None, "--scenario server", sc == "server")
    only_with("--search", args.search, "--latency-bound-ms", args.latency_bound_ms is not None)
    only_with("--interval-ms", args.interval_ms is not None, "--scenario multistream", sc == "multistream")
    only_with("--rate", args.rate is not None, "--scenario server or multistream", sc in ("server", "multistream"))
    if args.rate is not None and args.interval_ms is not None:
        raise invalid("--interval-ms", "and --rate both set the MultiStream query interval",
                      "one of --interval-ms or --rate")
    only_with("--batch-timeout-ms", args.batch_timeout_ms is not None, "--max-batch greater than 1",
              args.max_batch > 1)


def run(args: argparse.Namespace) -> int:
    from simlib.queueing import run_scenario
    from simlib.queueing.runner import UnstableQueueWarning

    _check_flags(args)
    timeout_ms = 0.0 if args.batch_timeout_ms is None else args.batch_timeout_ms
    check("batch_timeout_ms", timeout_ms, Range(0, 1e9, unit="ms"), owner="simulate")
    kw = dict(servers=args.servers, max_batch=args.max_batch, batch_timeout_s=timeout_ms / 1e3,
              n_requests=args.requests, duration_s=args.duration, seed=args.seed)
    if args.scenario == "server":
        kw.update(arrivals=_arrivals(args.arrival or "poisson", args.rate))
        if args.latency_bound_ms is not None:
            check("latency_bound_ms", args.latency_bound_ms, Range(0, 1e9, closed="right", unit="ms"),
                  owner="simulate")
            kw.update(latency_bound_s=args.latency_bound_ms / 1e3, search=args.search)
    elif args.scenario == "multistream":
        if args.interval_ms is not None:
            check("interval_ms", args.interval_ms, Range(1e-6, 1e9, unit="ms"), owner="simulate")
            kw.update(interval_s=args.interval_ms / 1e3)
        elif args.rate is not None:
            check("rate", args.rate, Range(1e-9, 1e9, unit="queries/s"), owner="simulate")
            kw.update(interval_s=1.0 / args.rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableQueueWarning)  # it is in result.warnings, printed below
        res = run_scenario(args.scenario, args.service, **kw)
    if args.save:
        import sys

        from simlib.store import save_or_keep

        print(save_or_keep(res, args.save), file=sys.stderr)
    if args.json:
        print_json(res.to_dict(), JSON_REASONS)
    else:
        print(repr(res))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate", help="simulate an inference server (queueing model, MODELED results)",
        description="Simulate requests arriving at c workers with a service-time model, under one of the "
                    "MLPerf scenarios. SPEC: exp:10ms, det:5ms, lognormal:10ms,cv=0.5, gamma:10ms,cv=2, "
                    "batch:t0=2ms,t1=1ms, empirical:FILE. A run larger than SIMLIB_BUDGET allows (see "
                    "simlib.limits) is refused unless --allow-large.")
    p.add_argument("--scenario", choices=SCENARIOS, default="server", help="MLPerf scenario (default server)")
    p.add_argument("--rate", type=float, default=None, metavar="QPS",
                   help="arrival rate, requests/s (server; multistream: queries/s)")
    p.add_argument("--service", default="exp:10ms", metavar="SPEC", help="service-time model (default exp:10ms)")
    p.add_argument("--servers", type=int, default=1, metavar="N", help="identical workers (default 1)")
    p.add_argument("--max-batch", type=int, default=1, metavar="B", help="largest dynamic batch (default 1)")
    p.add_argument("--batch-timeout-ms", type=float, default=None, metavar="T",
                   help="longest wait to fill a batch, ms after the oldest request arrived (default 0; "
                        "needs --max-batch > 1)")
    p.add_argument("--arrival", default=None, metavar="KIND",
                   help=f"server scenario: {ARRIVALS_HELP} (default poisson)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--requests", type=int, default=None, metavar="N", help="requests (queries) to simulate")
    g.add_argument("--duration", type=float, default=None, metavar="S", help="simulated seconds of arrivals")
    p.add_argument("--latency-bound-ms", type=float, default=None, help="server: p99 bound for VALID/INVALID")
    p.add_argument("--search", action="store_true",
                   help="server, with --latency-bound-ms: also find the highest QPS meeting the bound")
    p.add_argument("--interval-ms", type=float, default=None, help="multistream: ms between queries (default 50)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the result as strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)

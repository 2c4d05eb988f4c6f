"""``simlib simulate``: run the queueing model of an inference server from the command line.

    simlib simulate --scenario server --qps 80 --service exp:10ms --latency-bound-ms 100 --json

Flags that belong to another scenario are refused (naming both flags), never ignored. Exit 0
when the run is VALID or has no bound, 1 when it misses ``--latency-bound-ms`` (the result is
still printed), 2 bad input (:mod:`simlib.cli`).
"""

from __future__ import annotations

import argparse
import warnings

from simlib._validate import Range, check, invalid
from simlib.commands._common import (
    BATCH_TIMEOUT_MS,
    LATENCY_BOUND_MS,
    add_allow_large,
    add_duration,
    add_renamed,
    exit_code,
    ms_to_s,
    only_with,
    print_json,
)

SCENARIOS = ("singlestream", "multistream", "server", "offline")
# library parameter -> the flag it comes from (errors name the flag)
FLAGS = {"latency_bound_ms": "--latency-bound-ms", "batch_timeout_ms": "--batch-timeout-ms",
         "interval_ms": "--interval-ms", "qps": "--qps", "rate_qps": "--qps", "rate": "--qps", "arrivals": "--qps", "service": "--service",
         "mean_s": "--service", "time_s": "--service", "cv": "--service", "t0_s": "--service",
         "t1_s": "--service", "samples_s": "--service", "servers": "--servers", "max_batch": "--max-batch",
         "batch_timeout_s": "--batch-timeout-ms", "n_requests": "--requests", "duration_s": "--duration-s",
         "latency_bound_s": "--latency-bound-ms", "interval_s": "--interval-ms", "seed": "--seed",
         "arrival": "--arrival", "burst_factor": "--arrival", "path": "--arrival", "search": "--search"}
JSON_REASONS = {
    "throughput_qps": "no time passed between the first counted arrival and the last completion",
    "utilization": "no time passed between the first counted arrival and the last completion",
}


def _check_flags(args: argparse.Namespace) -> None:
    sc = args.scenario
    only_with("--arrival", args.arrival is not None, "--scenario server", sc == "server")
    only_with("--latency-bound-ms", args.latency_bound_ms is not None, "--scenario server", sc == "server")
    only_with("--search", args.search, "--latency-bound-ms", args.latency_bound_ms is not None)
    only_with("--interval-ms", args.interval_ms is not None, "--scenario multistream", sc == "multistream")
    only_with("--qps", args.qps is not None, "--scenario server or multistream", sc in ("server", "multistream"))
    if args.qps is not None and args.interval_ms is not None:
        raise invalid("--interval-ms", "and --qps both set the MultiStream query interval",
                      "one of --interval-ms or --qps")
    only_with("--batch-timeout-ms", args.batch_timeout_ms is not None, "--max-batch greater than 1",
              args.max_batch > 1)


def _scenario_kwargs(args: argparse.Namespace) -> dict:
    """The library's keyword arguments (SI units) from the flags, for :func:`_run_scenario`."""
    from simlib.queueing.spec import parse_arrivals

    timeout_s = ms_to_s("batch_timeout_ms", args.batch_timeout_ms, BATCH_TIMEOUT_MS, "simulate")
    kw = dict(servers=args.servers, max_batch=args.max_batch, batch_timeout_s=timeout_s or 0.0,
              n_requests=args.requests, duration_s=args.duration_s, seed=args.seed)
    if args.scenario == "server":
        kw.update(arrivals=parse_arrivals(args.arrival or "poisson", args.qps))
        if args.latency_bound_ms is not None:
            kw.update(latency_bound_s=ms_to_s("latency_bound_ms", args.latency_bound_ms, LATENCY_BOUND_MS,
                                              "simulate"), search=args.search)
    elif args.scenario == "multistream":
        if args.interval_ms is not None:
            kw.update(interval_s=ms_to_s("interval_ms", args.interval_ms, Range(1e-6, 1e9, unit="ms"),
                                         "simulate"))
        elif args.qps is not None:
            check("qps", args.qps, Range(1e-9, 1e9, unit="queries/s"), owner="simulate")
            kw.update(interval_s=1.0 / args.qps)
    return kw


def _run_scenario(scenario: str, service: str, kw: dict):
    """Run one MLPerf scenario on the simulator: the one call the load generator swap replaces.

    Returns the result (printed with ``repr`` or ``to_dict``) and its verdict: True VALID, False
    INVALID (it missed ``latency_bound_s``), None when no bound was given.
    """
    from simlib.queueing import run_scenario
    from simlib.queueing.runner import UnstableQueueWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableQueueWarning)  # it is in result.warnings, printed below
        res = run_scenario(scenario, service, **kw)
    return res, res.metric.get("valid")


def run(args: argparse.Namespace) -> int:
    _check_flags(args)
    res, valid = _run_scenario(args.scenario, args.service, _scenario_kwargs(args))
    if args.save:
        import sys

        from simlib.store import save_or_keep

        print(save_or_keep(res, args.save), file=sys.stderr)
    if args.json:
        print_json(res.to_dict(), JSON_REASONS)
    else:
        print(repr(res))
    return exit_code(valid)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate", help="simulate an inference server (queueing model, MODELED results)",
        description="Simulate requests arriving at c workers with a service-time model, under one of the "
                    "MLPerf scenarios. SPEC: exp:10ms, det:5ms, lognormal:10ms,cv=0.5, gamma:10ms,cv=2, "
                    "batch:t0=2ms,t1=1ms, empirical:FILE. A run larger than SIMLIB_BUDGET allows (see "
                    "simlib.limits) is refused unless --allow-large.")
    p.add_argument("--scenario", choices=SCENARIOS, default="server", help="MLPerf scenario (default server)")
    p.add_argument("--qps", type=float, default=None, metavar="QPS",
                   help="offered rate, queries/s (server: arrival rate; multistream: 1/interval)")
    add_renamed(p, "--rate", "--qps", " (same unit, queries/s)")
    p.add_argument("--service", default="exp:10ms", metavar="SPEC", help="service-time model (default exp:10ms)")
    p.add_argument("--servers", type=int, default=1, metavar="N", help="identical workers (default 1)")
    p.add_argument("--max-batch", type=int, default=1, metavar="B", help="largest dynamic batch (default 1)")
    p.add_argument("--batch-timeout-ms", type=float, default=None, metavar="MS",
                   help="longest wait to fill a batch, ms after the oldest request arrived (default 0; "
                        "needs --max-batch > 1)")
    add_renamed(p, "--batch-timeout", "--batch-timeout-ms", ", which takes milliseconds")
    p.add_argument("--arrival", default=None, metavar="KIND",
                   help="server scenario: poisson, deterministic, bursty:FACTOR (FACTOR in [1, 1000]) or "
                        "trace:FILE (default poisson)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--requests", type=int, default=None, metavar="N", help="requests (queries) to simulate")
    add_duration(g, "simulated seconds of arrivals")
    p.add_argument("--latency-bound-ms", type=float, default=None, metavar="MS",
                   help="server: p99 bound, ms; a run over it is INVALID (exit 1)")
    add_renamed(p, "--latency-bound", "--latency-bound-ms", ", which takes milliseconds")
    p.add_argument("--search", action="store_true",
                   help="server, with --latency-bound-ms: also find the highest QPS meeting the bound")
    p.add_argument("--interval-ms", type=float, default=None, metavar="MS",
                   help="multistream: ms between queries (default 50)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the result as strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)

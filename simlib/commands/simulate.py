"""``simlib simulate``: run the queueing model of an inference server from the command line.

    simlib simulate --scenario server --rate 80 --service exp:10ms --json
"""

from __future__ import annotations

import argparse
import json
import math
import warnings

from simlib._validate import InvalidParameterError

SCENARIOS = ("singlestream", "multistream", "server", "offline")


def _arrivals(text: str, rate: float | None):
    from simlib.queueing import Bursty, DeterministicArrivals, Poisson, Trace

    kind, _, arg = text.partition(":")
    kind = kind.strip().lower()
    if kind == "trace":
        if not arg:
            raise InvalidParameterError("The '--arrival' parameter trace:FILE needs a file name. Got 'trace:' instead.")
        return Trace.from_csv(arg)
    if rate is None:
        raise InvalidParameterError(f"The '--rate' parameter is required with --arrival {text} (requests/s).")
    if kind == "poisson" and not arg:
        return Poisson(rate)
    if kind == "deterministic" and not arg:
        return DeterministicArrivals(rate)
    if kind == "bursty":
        try:
            factor = float(arg) if arg else 4.0
        except ValueError:
            factor = None
        if factor is None or not factor >= 1:
            raise InvalidParameterError(f"The '--arrival' parameter bursty:FACTOR needs a factor >= 1. Got {text!r} instead.")
        return Bursty(rate, factor)
    raise InvalidParameterError("The '--arrival' parameter must be poisson, deterministic, bursty:FACTOR or "
                                f"trace:FILE. Got {text!r} instead.")


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def run(args: argparse.Namespace) -> int:
    from simlib.queueing import run_scenario
    from simlib.queueing.runner import UnstableQueueWarning

    if args.requests is not None and args.duration is not None:
        raise InvalidParameterError("The '--requests' and '--duration' parameters cannot both be given.")
    kw = dict(servers=args.servers, max_batch=args.max_batch, batch_timeout_s=args.batch_timeout_ms / 1e3,
              n_requests=args.requests, duration_s=args.duration, seed=args.seed)
    if args.scenario == "server":
        arrivals = _arrivals(args.arrival, args.rate)
        kw.update(arrivals=arrivals)
        if args.latency_bound_ms is not None:
            kw.update(latency_bound_s=args.latency_bound_ms / 1e3, search=args.search)
    elif args.scenario == "multistream":
        if args.interval_ms is not None:
            kw.update(interval_s=args.interval_ms / 1e3)
        elif args.rate is not None:
            kw.update(interval_s=1.0 / args.rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableQueueWarning)  # it is in result.warnings, printed below
        res = run_scenario(args.scenario, args.service, **kw)
    if args.save:
        import sys

        from simlib.store import save_or_keep

        print(save_or_keep(res, args.save), file=sys.stderr)
    if args.json:
        print(json.dumps(_clean(res.to_dict()), indent=2, default=str))
    else:
        print(repr(res))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate", help="simulate an inference server (queueing model, MODELED results)",
        description="Simulate requests arriving at c workers with a service-time model, under one of the "
                    "MLPerf scenarios. SPEC: exp:10ms, det:5ms, lognormal:10ms,cv=0.5, gamma:10ms,cv=2, "
                    "batch:t0=2ms,t1=1ms, empirical:FILE.")
    p.add_argument("--scenario", choices=SCENARIOS, default="server", help="MLPerf scenario (default server)")
    p.add_argument("--rate", type=float, default=None, metavar="QPS",
                   help="arrival rate, requests/s (server; multistream: queries/s)")
    p.add_argument("--service", default="exp:10ms", metavar="SPEC", help="service-time model (default exp:10ms)")
    p.add_argument("--servers", type=int, default=1, metavar="N", help="identical workers (default 1)")
    p.add_argument("--max-batch", type=int, default=1, metavar="B", help="largest dynamic batch (default 1)")
    p.add_argument("--batch-timeout-ms", type=float, default=0.0, metavar="T",
                   help="longest wait to fill a batch, ms after the oldest request arrived (default 0)")
    p.add_argument("--arrival", default="poisson", metavar="KIND",
                   help="poisson | deterministic | bursty:FACTOR | trace:FILE (server scenario)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--requests", type=int, default=None, metavar="N", help="requests (queries) to simulate")
    g.add_argument("--duration", type=float, default=None, metavar="S", help="simulated seconds of arrivals")
    p.add_argument("--latency-bound-ms", type=float, default=None, help="server: p99 bound for VALID/INVALID")
    p.add_argument("--search", action="store_true", help="server: also find the highest QPS meeting the bound")
    p.add_argument("--interval-ms", type=float, default=None, help="multistream: ms between queries (default 50)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)

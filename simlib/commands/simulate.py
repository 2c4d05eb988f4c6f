"""``simlib simulate``: one MLPerf scenario on the queueing model of an inference server.

    simlib simulate --scenario server --qps 80 --service exp:10ms --latency-bound-ms 100 --json

The run goes through the same load generator as ``simlib measure`` (the model is a
:class:`~simlib.queueing.sut.SimulatedSUT` on a simulated clock), so the run rules, the checks, the
verdict and the report are the ones a measured run gets; the result is MODELED. Flags that belong
to another scenario are refused (naming both flags), never ignored. Exit 0 when the run is VALID,
1 when it is INVALID (it missed ``--latency-bound-ms`` or a run rule; the result is still
printed), 2 bad input (:mod:`simlib.cli`).
"""

from __future__ import annotations

import argparse

from simlib._validate import invalid
from simlib.commands._common import (
    BATCH_TIMEOUT_MS,
    LATENCY_BOUND_MS,
    add_allow_large,
    add_duration,
    add_renamed,
    emit,
    exit_code,
    ms_to_s,
    only_with,
)

SCENARIOS = ("singlestream", "multistream", "server", "offline")
# library parameter -> the flag it comes from (errors name the flag)
FLAGS = {"latency_bound_ms": "--latency-bound-ms", "batch_timeout_ms": "--batch-timeout-ms",
         "qps": "--qps", "arrivals": "--arrival", "service": "--service",
         "mean_s": "--service", "time_s": "--service", "cv": "--service", "t0_s": "--service",
         "t1_s": "--service", "samples_s": "--service", "servers": "--servers", "max_batch": "--max-batch",
         "batch_timeout_s": "--batch-timeout-ms", "min_query_count": "--requests", "min_duration_s": "--duration-s",
         "latency_bound_s": "--latency-bound-ms", "seed": "--seed",
         "schedule_seed": "--seed", "arrival": "--arrival", "burst_factor": "--arrival", "path": "--arrival",
         "search": "--search"}


def _check_flags(args: argparse.Namespace) -> None:
    sc = args.scenario
    if args.interval_ms is not None:
        raise invalid("--interval-ms", "was retired: MultiStream is a closed loop, as in LoadGen since MLPerf "
                      "Inference v1.0 (the next query is issued when the previous one completes)",
                      "--scenario multistream without an interval")
    only_with("--qps", args.qps is not None, "--scenario server", sc == "server")
    only_with("--arrival", args.arrival is not None, "--scenario server", sc == "server")
    only_with("--latency-bound-ms", args.latency_bound_ms is not None, "--scenario server", sc == "server")
    only_with("--search", args.search, "--latency-bound-ms", args.latency_bound_ms is not None)
    only_with("--batch-timeout-ms", args.batch_timeout_ms is not None, "--max-batch greater than 1",
              args.max_batch > 1)


def _settings(args: argparse.Namespace):
    """The load generator's Settings from the flags (the same Settings ``simlib measure`` builds)."""
    from simlib.measure.loadgen import Settings
    from simlib.queueing.spec import parse_arrivals

    kw = dict(min_duration_s=args.duration_s, min_query_count=args.requests, schedule_seed=args.seed)
    if args.scenario == "server":
        if args.qps is None and not (args.arrival or "").startswith("trace"):
            raise invalid("--qps", "is required with --scenario server", "an offered rate in queries/s, e.g. 80")
        bound_s = ms_to_s("latency_bound_ms", args.latency_bound_ms, LATENCY_BOUND_MS, "simulate")
        arrivals = None if args.arrival in (None, "poisson") else parse_arrivals(args.arrival, args.qps)
        kw.update(qps=args.qps, arrivals=arrivals, **({} if bound_s is None else {"latency_bound_s": bound_s}))
    return Settings(args.scenario, **kw)


def _run_scenario(args: argparse.Namespace):
    """One MLPerf scenario on the model: the load generator (the one ``simlib measure`` uses) with a
    :class:`~simlib.queueing.sut.SimulatedSUT`. With ``--search``, also the highest QPS meeting the bound."""
    from simlib.measure.loadgen import run_scenario
    from simlib.queueing import SimulatedSUT, find_max_qps

    timeout_s = ms_to_s("batch_timeout_ms", args.batch_timeout_ms, BATCH_TIMEOUT_MS, "simulate") or 0.0
    settings = _settings(args)
    sut = SimulatedSUT(args.service, servers=args.servers, max_batch=args.max_batch, batch_timeout_s=timeout_s,
                       seed=args.seed)
    res = run_scenario(sut, settings, progress=False)
    if args.search:
        best = find_max_qps(sut.service, settings.latency_bound_s, 99.0, servers=args.servers,
                            max_batch=args.max_batch, batch_timeout_s=timeout_s, seed=args.seed)
        res.metrics["max_qps_meeting_bound"] = best.qps
        res.warnings.append(f"search: the highest QPS whose p99 meets {settings.latency_bound_s * 1e3:g} ms "
                            f"is {best.qps:.4g} (MODELED, Poisson arrivals)")
    return res


def run(args: argparse.Namespace) -> int:
    _check_flags(args)
    res = _run_scenario(args)
    emit("simulate", res, args)
    return exit_code(res.valid)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate", help="simulate an inference server (queueing model, MODELED results)",
        description="Simulate requests arriving at c workers with a service-time model, under one of the "
                    "MLPerf scenarios. SPEC: exp:10ms, det:5ms, lognormal:10ms,cv=0.5, gamma:10ms,cv=2, "
                    "batch:t0=2ms,t1=1ms, empirical:FILE. A run larger than SIMLIB_BUDGET allows (see "
                    "simlib.limits) is refused unless --allow-large.")
    p.add_argument("--scenario", choices=SCENARIOS, default="server", help="MLPerf scenario (default server)")
    p.add_argument("--qps", type=float, default=None, metavar="QPS",
                   help="server: offered rate, queries/s (required, except with --arrival trace:FILE)")
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
    p.add_argument("--requests", type=int, default=None, metavar="N",
                   help="minimum queries (the load generator's min_query_count; default from SIMLIB_BUDGET)")
    add_duration(p, "minimum simulated run length, s (min_duration_s; default from SIMLIB_BUDGET; MLPerf: 600)")
    p.add_argument("--latency-bound-ms", type=float, default=None, metavar="MS",
                   help="server: p99 bound, ms (default 100, LoadGen's); a run over it is INVALID (exit 1)")
    add_renamed(p, "--latency-bound", "--latency-bound-ms", ", which takes milliseconds")
    p.add_argument("--search", action="store_true",
                   help="server, with --latency-bound-ms: also find the highest QPS meeting the bound")
    p.add_argument("--interval-ms", type=float, default=None, help=argparse.SUPPRESS)  # retired: refused
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--save", nargs="?", const=":store:", default=None, metavar="PATH",
                   help="keep the result in the store (simlib results); --save PATH writes its JSON to PATH instead")
    p.add_argument("--json", action="store_true", help="print the result as strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)

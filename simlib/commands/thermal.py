"""``simlib thermal``: MODELED thermal throttling of a device (optionally under a Server load).

Without ``--qps`` it runs a workload (``--workload``, ``--dt``); with ``--qps`` a Server scenario
(``--service``, ``--window``). A flag of the other mode is refused, naming both flags.
"""

from __future__ import annotations

import argparse

from simlib.commands._common import add_allow_large, only_with, print_json

FLAGS = {"device": "--device", "workload": "--workload", "duty_fraction": "--workload",
         "duration_s": "--duration", "ambient_c": "--ambient", "governor": "--governor", "dt_s": "--dt",
         "qps": "--qps", "arrival_qps": "--qps", "service": "--service", "mean_s": "--service", "time_s": "--service",
         "cv": "--service", "window_s": "--window", "seed": "--seed", "rate_qps": "--qps"}
JSON_REASONS = {"p50_ms": "no request arrived in this window", "p99_ms": "no request arrived in this window",
                "p99_first_window_ms": "no request arrived in the first window",
                "p99_last_window_ms": "no request arrived in the last window"}


def run(args: argparse.Namespace) -> int:
    from simlib.thermal import simulate_server, simulate_thermal

    server = args.qps is not None
    for flag, value in (("--service", args.service), ("--window", args.window), ("--seed", args.seed)):
        only_with(flag, value is not None, "--qps (the Server scenario)", server)
    only_with("--workload", args.workload is not None, "no --qps (--qps sets the load itself)", not server)
    if server:
        duration = 600.0 if args.duration is None else args.duration
        window = args.window
        if window is None:  # the default: a tenth of the run (valid for any valid duration)
            window = duration / 10 if isinstance(duration, float) and 0 < duration < float("inf") else duration
        r = simulate_server(args.device, args.qps, args.service or "det:20ms", duration,
                            governor=args.governor, ambient_c=args.ambient, window_s=window,
                            seed=args.seed or 0, dt_s=args.dt)
        if args.json:
            print_json(r.summary(), JSON_REASONS)
        else:
            print(repr(r))
        return 0
    r = simulate_thermal(args.device, args.workload or "sustained", 600.0 if args.duration is None else args.duration,
                         governor=args.governor, ambient_c=args.ambient, dt_s=args.dt)
    if args.json:
        print_json(r.json_dict())
    else:
        print(repr(r))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from simlib.thermal.governors import GOVERNORS
    from simlib.thermal.presets import preset_names as names

    p = sub.add_parser(
        "thermal", help="MODELED thermal throttling: temperature, clock, throughput, energy",
        description="Simulate a device's RC thermal network, DVFS and governor under a workload "
                    "(all results MODELED). With --qps, run a Server scenario whose service "
                    "time follows the throttled clock and print p99 per time window. A run larger "
                    "than SIMLIB_BUDGET allows (see simlib.limits) is refused unless --allow-large.")
    p.add_argument("--device", required=True, help=f"device preset: {', '.join(names())}")
    p.add_argument("--workload", default=None, help="without --qps: sustained | burst | duty:FRACTION "
                                                    "(default sustained)")
    p.add_argument("--duration", type=float, default=None, help="simulated seconds (default 600)")
    p.add_argument("--ambient", type=float, default=None, help="ambient temperature, C")
    p.add_argument("--governor", default=None, help=f"{' | '.join(GOVERNORS)} (default: the device's)")
    p.add_argument("--dt", type=float, default=1e-3, help="time step, s (default 0.001)")
    p.add_argument("--qps", type=float, default=None, help="Server scenario: Poisson arrival rate, requests/s")
    p.add_argument("--service", default=None,
                   help="with --qps: service time at f_max (default det:20ms)")
    p.add_argument("--window", type=float, default=None,
                   help="with --qps: p99 window, s, between --dt and --duration (default duration/10)")
    p.add_argument("--seed", type=int, default=None, help="with --qps: random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)


__all__ = ["register", "run"]

"""``simlib thermal``: MODELED thermal throttling of a device (optionally under a Server load)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from simlib.thermal import simulate, simulate_server

    if args.qps is not None:
        r = simulate_server(args.device, args.qps, args.service, args.duration,
                            governor=args.governor, ambient_c=args.ambient,
                            window_s=args.window or max(args.duration / 10, 1e-3), seed=args.seed)
        print(r.to_json(indent=2) if args.json else repr(r))
        return 0
    r = simulate(args.device, args.workload, args.duration, governor=args.governor,
                 ambient_c=args.ambient, dt_s=args.dt)
    print(r.to_json(indent=2) if args.json else repr(r))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from simlib.thermal.governors import GOVERNORS
    from simlib.thermal.presets import names

    p = sub.add_parser(
        "thermal", help="MODELED thermal throttling: temperature, clock, throughput, energy",
        description="Simulate a device's RC thermal network, DVFS and governor under a workload "
                    "(all results MODELED). With --qps, run a Server scenario whose service "
                    "time follows the throttled clock and print p99 per time window.")
    p.add_argument("--device", required=True, help=f"device preset: {', '.join(names())}")
    p.add_argument("--workload", default="sustained", help="sustained | burst | duty:FRACTION")
    p.add_argument("--duration", type=float, default=600.0, help="simulated seconds (default 600)")
    p.add_argument("--ambient", type=float, default=None, help="ambient temperature, C")
    p.add_argument("--governor", default=None, help=f"{' | '.join(GOVERNORS)} (default: the device's)")
    p.add_argument("--dt", type=float, default=1e-3, help="time step, s (default 0.001)")
    p.add_argument("--qps", type=float, default=None, help="Server scenario: Poisson arrival rate, requests/s")
    p.add_argument("--service", default="det:20ms", help="Server scenario: service time at f_max (default det:20ms)")
    p.add_argument("--window", type=float, default=None, help="Server scenario: p99 window, s (default duration/10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


__all__ = ["register", "run"]

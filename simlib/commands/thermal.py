"""``simlib thermal``: MODELED thermal throttling of a device (optionally under a Server load).

Without ``--qps`` it runs a workload (``--workload``); with ``--qps`` a Server scenario
(``--service``, ``--window-s``). A flag of the other mode is refused, naming both flags. There
is no verdict: exit 0 when it ran, 2 on bad input (:mod:`simlib.cli`).
"""

from __future__ import annotations

import argparse

from simlib.commands._common import (
    add_allow_large,
    add_duration,
    add_renamed,
    only_with,
    print_json,
)

FLAGS = {"device": "--device", "workload": "--workload", "duty_fraction": "--workload",
         "duration_s": "--duration-s", "ambient_c": "--ambient-c", "governor": "--governor", "dt_s": "--dt-s",
         "qps": "--qps", "arrival_qps": "--qps", "service": "--service", "mean_s": "--service",
         "time_s": "--service", "cv": "--service", "window_s": "--window-s", "seed": "--seed",
         "rate_qps": "--qps"}
JSON_REASONS = {"p50_ms": "no request arrived in this window", "p99_ms": "no request arrived in this window",
                "p99_first_window_s": "no request arrived in the first window",
                "p99_last_window_s": "no request arrived in the last window"}


def run(args: argparse.Namespace) -> int:
    from simlib.thermal import simulate_server, simulate_thermal

    server = args.qps is not None
    for flag, value in (("--service", args.service), ("--window-s", args.window_s), ("--seed", args.seed)):
        only_with(flag, value is not None, "--qps (the Server scenario)", server)
    only_with("--workload", args.workload is not None, "no --qps (--qps sets the load itself)", not server)
    if server:
        duration = 600.0 if args.duration_s is None else args.duration_s
        window = args.window_s
        if window is None:  # the default: a tenth of the run (valid for any valid duration)
            window = duration / 10 if isinstance(duration, float) and 0 < duration < float("inf") else duration
        r = simulate_server(args.device, args.qps, args.service or "det:20ms", duration,
                            governor=args.governor, ambient_c=args.ambient_c, window_s=window,
                            seed=args.seed or 0, dt_s=args.dt_s)
        if args.json:
            print_json(r.to_dict(), JSON_REASONS)
        else:
            print(repr(r))
        return 0
    r = simulate_thermal(args.device, args.workload or "sustained", 600.0 if args.duration_s is None else args.duration_s,
                         governor=args.governor, ambient_c=args.ambient_c, dt_s=args.dt_s)
    if args.json:
        print_json(r.to_dict())
    else:
        print(repr(r))
    return 0


def _devices_and_governors() -> str:
    """The epilog, built only when ``simlib thermal --help`` is printed (it imports scipy)."""
    from simlib.thermal.governors import GOVERNORS
    from simlib.thermal.presets import preset_names as names

    return f"Devices: {', '.join(names())}. Governors: {', '.join(GOVERNORS)}."


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "thermal", help="MODELED thermal throttling: temperature, clock, throughput, energy",
        description="Simulate a device's RC thermal network, DVFS and governor under a workload "
                    "(all results MODELED). With --qps, run a Server scenario whose service "
                    "time follows the throttled clock and print p99 per time window. A run larger "
                    "than SIMLIB_BUDGET allows (see simlib.limits) is refused unless --allow-large.")
    p.lazy_epilog = _devices_and_governors
    p.add_argument("--device", required=True, help="device preset (listed below)")
    p.add_argument("--workload", default=None, help="without --qps: sustained | burst | duty:FRACTION "
                                                    "(default sustained)")
    add_duration(p, "simulated seconds (default 600)")
    p.add_argument("--ambient-c", type=float, default=None, metavar="C", help="ambient temperature, deg C")
    add_renamed(p, "--ambient", "--ambient-c", " (same unit, deg C)")
    p.add_argument("--governor", default=None, help="a governor (listed below; default: the device's)")
    p.add_argument("--dt-s", type=float, default=1e-3, metavar="S", help="time step, s (default 0.001)")
    add_renamed(p, "--dt", "--dt-s", " (same unit, seconds)")
    p.add_argument("--qps", type=float, default=None, metavar="QPS",
                   help="Server scenario: Poisson arrival rate, queries/s")
    add_renamed(p, "--rate", "--qps", " (same unit, queries/s)")
    p.add_argument("--service", default=None,
                   help="with --qps: service time at f_max (default det:20ms)")
    p.add_argument("--window-s", type=float, default=None, metavar="S",
                   help="with --qps: p99 window, s, between --dt-s and --duration-s (default duration/10)")
    add_renamed(p, "--window", "--window-s", " (same unit, seconds)")
    p.add_argument("--seed", type=int, default=None, help="with --qps: random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print strict JSON")
    add_allow_large(p)
    p.set_defaults(func=run)


__all__ = ["register", "run"]

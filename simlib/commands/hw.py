"""``simlib hw``: the system description of this machine."""

from __future__ import annotations

import argparse

from simlib.sysdesc import system_description, to_json


def _yes(probe: dict) -> str:
    return "yes" if probe.get("available") else f"no ({probe.get('reason', 'unavailable')})"


def format_description(d: dict) -> str:
    """A short human-readable summary of a system description."""
    hw, sw = d["hardware"], d["software"]
    cpu, mem, thr = hw["cpu"], hw["memory"], hw["threads"]
    gib = (mem.get("total_bytes") or 0) / 2**30
    lines = [
        f"CPU        {cpu.get('model')} ({cpu.get('physical_cores')} physical / {cpu.get('logical_cores')} logical cores)",
        f"Frequency  {cpu.get('frequency_mhz') or 'unknown'} MHz, governor {cpu.get('governor') or 'unknown'}",
        f"Memory     {gib:.1f} GiB",
        f"Threads    torch intra-op {thr.get('torch_intra_op')}, inter-op {thr.get('torch_inter_op')}",
        f"GPU        {_yes(hw['gpu'])}",
        f"RAPL       {_yes(hw['rapl'])}",
        f"EdgeTPU    {_yes(hw['edgetpu'])}",
        f"Software   {sw['os_release']}, Python {sw['python']}, "
        + ", ".join(f"{k} {v}" for k, v in sw["packages"].items() if v),
        f"Budget     {d['budget']}  (SIMLIB_BUDGET)",
        f"Taken at   {d['timestamp_utc']}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    d = system_description()
    print(to_json(d) if args.json else format_description(d))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hw", help="describe this machine (hardware, software, budget)",
                       description="Print the system description saved with every measured result.")
    p.add_argument("--json", action="store_true", help="print the full description as JSON")
    p.set_defaults(func=run)

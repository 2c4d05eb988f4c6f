"""``simlib hw``: the system description of this machine."""

from __future__ import annotations

import argparse

from simlib.commands._common import print_json


def run(args: argparse.Namespace) -> int:
    from simlib.sysdesc import summary_text, system_description

    d = system_description()
    if args.json:
        print_json(d)
    else:
        print(summary_text(d))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hw", help="describe this machine (hardware, software, budget)",
                       description="Print the system description saved with every measured result.")
    p.add_argument("--json", action="store_true", help="print the full description as JSON")
    p.set_defaults(func=run)

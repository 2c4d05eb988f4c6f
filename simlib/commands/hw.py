"""``simlib hw``: the system description of this machine."""

from __future__ import annotations

import argparse

from simlib.sysdesc import summary_text, system_description, to_json


def run(args: argparse.Namespace) -> int:
    d = system_description()
    print(to_json(d) if args.json else summary_text(d))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hw", help="describe this machine (hardware, software, budget)",
                       description="Print the system description saved with every measured result.")
    p.add_argument("--json", action="store_true", help="print the full description as JSON")
    p.set_defaults(func=run)

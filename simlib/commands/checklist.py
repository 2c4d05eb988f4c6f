"""``simlib checklist RESULT.json``: the predeployment checklist on a saved result."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from simlib.commands._common import exit_code, print_json
    from simlib.monitor.checklist import checklist

    rep = checklist(args.result)
    if args.json:
        print_json(rep.to_dict())
    else:
        print(rep.table())
    return exit_code(rep.summary["verdict"] == "READY")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("checklist", help="which predeployment checks a saved result meets",
                       description="Reads a result saved with `simlib measure --save FILE` (or any simlib "
                                   "result's to_dict() as JSON) and reports each predeployment item as met, "
                                   "missing or failed, with the reason. Exit 0: every item met; 1: not ready.")
    p.add_argument("result", metavar="RESULT.json", help="a saved simlib result (JSON)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)

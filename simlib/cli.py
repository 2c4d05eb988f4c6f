"""The ``simlib`` command line (also ``python -m simlib``).

Each subcommand lives in its own module under :mod:`simlib.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (returning an exit code).
Commands are discovered, so adding one touches no other file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from simlib import __version__, commands
from simlib._validate import InvalidParameterError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simlib",
        description="Measure, model and compare ML inference performance (the book's toolkit).",
        epilog="Set SIMLIB_BUDGET=quick|standard|full to trade run time for precision.",
    )
    parser.add_argument("--version", action="version", version=f"simlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"simlib.commands.{mod.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except InvalidParameterError as err:
        print(f"simlib {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"simlib {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

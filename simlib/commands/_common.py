"""Helpers shared by the subcommands: exit codes, retired flags, --allow-large, flags that need a
mode, JSON output. Nothing here may import numpy, scipy, torch or simpy (``simlib --help`` builds
every command's parser; see :mod:`simlib.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from simlib._validate import Range, check, invalid

__all__ = ["EXIT_BUG", "EXIT_INTERRUPT", "EXIT_INVALID", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE",
           "BATCH_TIMEOUT_MS", "LATENCY_BOUND_MS", "RenamedFlag", "add_allow_large", "add_duration",
           "add_latency_bound", "add_renamed", "exit_code", "ms_to_s", "only_with", "print_json"]

# The exit codes of every command (documented in simlib.cli and `simlib --help`).
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_BUG, EXIT_INTERRUPT = 0, 1, 2, 3, 70, 130


class RenamedFlag(Exception):
    """A retired flag was given: the parser stops at once, naming the flag that replaced it."""

    def __init__(self, prog: str, old: str, new: str, note: str) -> None:
        super().__init__(f"{old} was renamed {new}{note}")
        self.prog, self.old, self.new, self.note = prog, old, new, note


class _Renamed(argparse.Action):
    def __init__(self, option_strings, dest, new: str = "", note: str = "", **kwargs) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs="?", default=argparse.SUPPRESS,
                         help=argparse.SUPPRESS)
        self.new, self.note = new, note

    def __call__(self, parser, namespace, values, option_string=None):
        raise RenamedFlag(parser.prog, option_string or self.option_strings[0], self.new, self.note)


def add_renamed(p: argparse.ArgumentParser, old: str, new: str, note: str = "") -> None:
    """Refuse the retired flag ``old`` (hidden from --help), naming ``new``; ``note`` says what
    else changed (a unit). A retired spelling never silently means something else.

    >>> p = argparse.ArgumentParser(prog="simlib x")
    >>> add_renamed(p, "--rate", "--qps", " (same unit, queries/s)")
    >>> p.parse_args(["--rate", "5"])
    Traceback (most recent call last):
    ...
    simlib.commands._common.RenamedFlag: --rate was renamed --qps (same unit, queries/s)
    """
    p.add_argument(old, action=_Renamed, new=new, note=note)


LATENCY_BOUND_MS = Range(0, 1e9, closed="right", unit="ms")
BATCH_TIMEOUT_MS = Range(0, 1e9, unit="ms")


def add_duration(p: argparse.ArgumentParser, help_text: str) -> None:
    """``--duration-s`` (seconds); the retired ``--duration`` is refused, naming it."""
    p.add_argument("--duration-s", type=float, default=None, metavar="S", help=help_text)
    add_renamed(p, "--duration", "--duration-s", " (same unit, seconds)")


def add_latency_bound(p: argparse.ArgumentParser, default_ms: float | None, help_text: str) -> None:
    """``--latency-bound-ms``; the retired ``--latency-bound`` (seconds) is refused, naming it."""
    p.add_argument("--latency-bound-ms", type=float, default=default_ms, metavar="MS", help=help_text)
    add_renamed(p, "--latency-bound", "--latency-bound-ms",
                ", which takes milliseconds: --latency-bound 0.1 is --latency-bound-ms 100")


def ms_to_s(name: str, value_ms: float | None, rule: Range, owner: str) -> float | None:
    """Seconds from a flag in milliseconds, checked against ``rule`` (in ms) first."""
    if value_ms is None:
        return None
    check(name, value_ms, rule, owner=owner)
    return value_ms / 1e3


def exit_code(valid: bool | None) -> int:
    """EXIT_INVALID for a run whose verdict is INVALID (it missed its bound), else EXIT_OK.
    ``valid`` is None when the run had no bound to meet."""
    return EXIT_INVALID if valid is False else EXIT_OK


def add_allow_large(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-large", action="store_true",
                   help="run even when the run is larger than SIMLIB_BUDGET allows (see simlib.limits; "
                        "by default such a run is refused at once, saying how large it would be)")


def only_with(flag: str, given: bool, mode: str, in_mode: bool) -> None:
    """Refuse ``flag`` when it was given but does not apply (``in_mode`` is False): name both."""
    if given and not in_mode:
        raise invalid(flag, f"applies only with {mode}", f"{flag} together with {mode}, or leave {flag} out")


def print_json(obj: Any, reasons: dict[str, str] | None = None) -> None:
    """Strict JSON on stdout (no NaN/Infinity; a ``non_finite`` field says why a value is null)."""
    from simlib import strictjson  # imports numpy: only when a command prints JSON

    print(strictjson.dumps(obj, reasons, indent=2))


def report_saved(command: str, result: Any, target: str) -> None:
    """``--save``: keep ``result`` in the store (or write it to the path ``target``) and say where on
    stderr, in the CLI's line shape (``simlib <command>: kept as result 7 in ...``)."""
    import sys

    from simlib.store import save_or_keep

    print(f"simlib {command}: {save_or_keep(result, target)}", file=sys.stderr)


def emit(command: str, result: Any, args: argparse.Namespace, *, json_obj: Any = None,
         text: str | None = None) -> None:
    """What every result-printing command does last: keep or write the result (``--save``), then
    print it: strict JSON with ``--json`` (``json_obj``, default ``result.to_dict()``), else ``text``
    (default ``repr(result)``)."""
    if getattr(args, "save", None):
        report_saved(command, result, args.save)
    if args.json:
        print_json(result.to_dict() if json_obj is None else json_obj)
    else:
        print(repr(result) if text is None else text)

"""Helpers shared by the subcommands: the --allow-large flag, flags that need a mode, JSON output."""

from __future__ import annotations

import argparse
from typing import Any

from simlib import strictjson
from simlib._validate import invalid

__all__ = ["add_allow_large", "only_with", "print_json"]


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
    print(strictjson.dumps(obj, reasons, indent=2))

"""The ``simlib`` command line (also ``python -m simlib``).

Each subcommand lives in its own module under :mod:`simlib.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (returning an exit code).
Commands are discovered, so adding one touches no other file. A module may also define
``FLAGS``, mapping a library parameter name to the flag it comes from, so errors name the flag.

One error shape. Every failure exits 2 with one line on stderr and nothing on stdout::

    simlib <command>: <parameter>: <what is wrong>; allowed: <what would be accepted>

Bad values are refused by the library (:class:`~simlib._validate.InvalidParameterError`) or by
the argument parser; both become that line. Exit 3 means a runtime or meter that was asked for
is missing (``measure``, ``compare``), 130 an interrupt (Ctrl-C; the partial result is
discarded), 70 a bug in simlib (set ``SIMLIB_DEBUG=1`` for the traceback). A reader that closes
stdout early (``simlib ... | head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import pkgutil
import re
import sys
import warnings
from collections.abc import Sequence

from simlib import __version__, commands, limits
from simlib._validate import InvalidParameterError

EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_BUG, EXIT_INTERRUPT = 2, 3, 70, 130


class UsageError(Exception):
    """The argument parser refused the command line (its message, its parser's prog)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Unavailable(Exception):
    """A runtime or meter the user asked for is missing (exit 3)."""

    def __init__(self, parameter: str, problem: str, allowed: str) -> None:
        super().__init__(problem)
        self.parameter, self.problem, self.allowed = parameter, problem, allowed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, raised so main() prints it in the shared shape
        raise UsageError(self.prog, message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simlib",
        description="Measure, model and compare ML inference performance (the book's toolkit).",
        epilog="Set SIMLIB_BUDGET=quick|standard|full to trade run time for precision; runs larger "
               "than the budget allows are refused unless a command is given --allow-large. "
               "Errors: exit 2 and one line on stderr.")
    parser.add_argument("--version", action="version", version=f"simlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"simlib.commands.{mod.name}").register(sub)
    return parser


_ARG = re.compile(r"^argument ([^:]+): (.*)$")
_ALLOWED_FOR = (("invalid float value", "a number"), ("invalid int value", "an integer"),
                ("expected one argument", "a value after the flag"),
                ("not allowed with argument", "only one of the two flags"))


def _usage_line(err: UsageError) -> str:
    command = err.prog.removeprefix("simlib").strip() or "simlib"
    msg = str(err)
    m = _ARG.match(msg)
    parameter, problem = (m.group(1), m.group(2)) if m else ("arguments", msg)
    allowed = next((a for key, a in _ALLOWED_FOR if key in problem), None)
    choices = re.search(r"\(choose from (.*)\)", problem)
    if choices:
        allowed, problem = f"one of {choices.group(1)}", problem[: choices.start()].strip()
    return _line(command, parameter, problem, allowed or f"see `{err.prog} --help`")


def _line(command: str, parameter: str, problem: str, allowed: str) -> str:
    return " ".join(f"simlib {command}: {parameter}: {problem}; allowed: {allowed}".split())


def error_line(command: str, err: InvalidParameterError, flags: dict[str, str] | None = None) -> str:
    """The one-line message for a library error, naming the flag the parameter came from."""
    param = err.parameter or "input"
    flag = (flags or {}).get(param)
    label = f"{flag} ({param})" if flag and flag != param else (flag or param)
    if err.problem is not None and err.allowed is not None:
        problem, allowed = err.problem, err.allowed
    else:
        problem = str(err).strip().rstrip(".")
        allowed = err.allowed or f"see `simlib {command} --help`"
    return _line(command, label, problem, allowed)


def _command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, "lab_command", None)
    return f"{args.command} {sub}" if sub else str(args.command)


def _flags(args: argparse.Namespace) -> dict[str, str]:
    mod = sys.modules.get(getattr(args.func, "__module__", ""), None)
    return getattr(mod, "FLAGS", {})


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # in-process stdout without a file
        pass


def _run(args: argparse.Namespace) -> int:
    """Run the command, capturing its output so a failure prints nothing on stdout."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out):
            if getattr(args, "allow_large", False):
                with limits.allow_large():
                    rc = int(args.func(args) or 0)
            else:
                rc = int(args.func(args) or 0)
    for w in caught:
        print(" ".join(f"simlib {_command_name(args)}: warning: {w.category.__name__}: {w.message}".split()),
              file=sys.stderr)
    sys.stdout.write(out.getvalue())
    sys.stdout.flush()
    return rc


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        return _run(args)
    except UsageError as err:
        print(_usage_line(err), file=sys.stderr)
        return EXIT_USAGE
    except InvalidParameterError as err:
        print(error_line(_command_name(args), err, _flags(args)), file=sys.stderr)
        return EXIT_USAGE
    except Unavailable as err:
        print(_line(_command_name(args), err.parameter, err.problem, err.allowed), file=sys.stderr)
        return EXIT_UNAVAILABLE
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        name = _command_name(args) if args is not None else "simlib"
        print(_line(name, "run", "interrupted (Ctrl-C); the partial result was discarded",
                    "rerun it, smaller or with a lower SIMLIB_BUDGET"), file=sys.stderr)
        return EXIT_INTERRUPT
    except MemoryError:
        print(_line(_command_name(args), "size", "the run ran out of memory",
                    "a smaller run (see `simlib --help` on budgets)"), file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # a file named on the command line cannot be read or written
        where = err.filename or "file"
        print(_line(_command_name(args), str(where), err.strerror or str(err),
                    "an existing, readable path (a writable one for output)"), file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug: one line unless asked for the traceback
        if os.environ.get("SIMLIB_DEBUG"):
            raise
        name = _command_name(args) if args is not None else "simlib"
        print(_line(name, "internal error", f"{type(err).__name__}: {err}",
                    "nothing: this is a bug in simlib, please report it (SIMLIB_DEBUG=1 shows the "
                    "traceback)"), file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``simlib`` command line (also ``python -m simlib``).

Each subcommand lives in its own module under :mod:`simlib.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (returning an exit code).
Commands are discovered, so adding one touches no other file. A module may also define
``FLAGS``, mapping a library parameter name to the flag it comes from, so errors name the flag.

Flag names (one rule for every command):

- The offered arrival rate is ``--qps`` (queries/s), never ``--rate``.
- A flag with a physical unit carries the unit in its name, and takes a plain number in that
  unit: ``--duration-s``, ``--dt-s``, ``--window-s``, ``--timeout-s``, ``--interval-ms``,
  ``--latency-bound-ms``, ``--batch-timeout-ms``, ``--ambient-c``, ``--memory-mb``. Times a
  person types in milliseconds (latency bounds, batch timeouts, intervals) are ``_ms``; run
  lengths and steps are ``_s``. Inside, everything is SI (the library's ``*_s`` parameters).
- Service-time SPECs keep their own units inside the SPEC (``--service exp:10ms``).
- A retired spelling (``--rate``, ``--duration``, ``--latency-bound`` in seconds, ...) is refused
  with exit 2, naming the flag that replaced it (:func:`simlib.commands._common.add_renamed`),
  and flags are never abbreviated (``--latency-bound`` cannot silently mean
  ``--latency-bound-ms``). An unknown flag close to a known one is answered "did you mean".

Exit codes (the same for every command; ``simlib --help`` repeats them):

===  ==========================================================================================
0    it ran, and the run is VALID (or has no verdict to give: roofline, thermal, hw, ...)
1    it ran, the result is printed, and the run is INVALID: it missed its latency bound or a
     run rule (``measure``; ``simulate`` with ``--latency-bound-ms``)
2    bad input: a flag, value, file or size the command refuses (nothing runs)
3    unavailable: a runtime, device or meter that was asked for is missing (``measure``,
     ``compare``: ``--backend``, ``--device``, ``--meter``)
70   a bug in simlib (set ``SIMLIB_DEBUG=1`` for the traceback)
130  interrupted (Ctrl-C); the partial result is discarded
===  ==========================================================================================

One error shape. Every failure prints one line on stderr and nothing on stdout::

    simlib <command>: <parameter>: <what is wrong>; allowed: <what would be accepted>

Bad values are refused by the library (:class:`~simlib._validate.InvalidParameterError`) or by
the argument parser; both become that line. A reader that closes stdout early
(``simlib ... | head``) ends the command quietly.

Startup. ``simlib --help`` builds every command's parser, so registering a command must not
import numpy, scipy, torch or simpy (tests/test_cli_imports.py checks it;
benchmarks/bench_cli.py times it). Import them inside ``run``; help text that needs a heavy
module (a list of presets) goes in ``parser.lazy_epilog``, a function called only when that
command's help is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
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
from simlib.commands._common import (
    EXIT_BUG,
    EXIT_INTERRUPT,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    RenamedFlag,
)

__all__ = ["EXIT_BUG", "EXIT_INTERRUPT", "EXIT_INVALID", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE",
           "Unavailable", "UsageError", "build_parser", "error_line", "main"]
EXIT_CODES_HELP = (f"Exit codes (every command): {EXIT_OK} ran and VALID (or no verdict to give); "
                   f"{EXIT_INVALID} ran but INVALID (missed its latency bound or a run rule; the "
                   f"result is still printed); {EXIT_USAGE} bad input (one line on stderr); "
                   f"{EXIT_UNAVAILABLE} a runtime, device or meter asked for is missing; "
                   f"{EXIT_BUG} a bug in simlib; {EXIT_INTERRUPT} interrupted.")


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
    """Never abbreviates a flag; errors are raised (one line, printed by main); a command's
    ``lazy_epilog`` (a function) fills the epilog only when its help is printed."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # one line, raised so main() prints it in the shared shape
        raise UsageError(self.prog, message)

    def format_help(self) -> str:
        lazy = getattr(self, "lazy_epilog", None)
        if callable(lazy):
            self.epilog = lazy()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simlib",
        description="Measure, model and compare ML inference performance (the book's toolkit).",
        epilog="Set SIMLIB_BUDGET=quick|standard|full to trade run time for precision; runs larger "
               "than the budget allows are refused unless a command is given --allow-large. "
               "Flags carry their unit (--duration-s, --latency-bound-ms); the rate is --qps. "
               + EXIT_CODES_HELP)
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


def _command_parser(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The (sub)parser that the words of ``argv`` select (``simlib lab build`` -> build's)."""
    for word in argv:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            break
        parser = sub.choices.get(word, parser)
    return parser


def _did_you_mean(parser: argparse.ArgumentParser, flag: str) -> str | None:
    """The visible flag of ``parser`` closest to ``flag`` (a typo), or None."""
    options = [o for a in parser._actions if a.help != argparse.SUPPRESS for o in a.option_strings]
    close = difflib.get_close_matches(flag.split("=", 1)[0], options, n=1, cutoff=0.6)
    return close[0] if close else None


def _usage_line(err: UsageError, parser: argparse.ArgumentParser, argv: Sequence[str]) -> str:
    msg = str(err)
    unknown = re.match(r"^unrecognized arguments: (\S+)", msg)
    if unknown:  # raised by the top parser: name the command the flag was given to
        cmd = _command_parser(parser, argv)
        err.prog = cmd.prog
        guess = _did_you_mean(cmd, unknown.group(1))
        if guess:
            return _line(cmd.prog.removeprefix("simlib").strip() or "simlib", unknown.group(1).split("=")[0],
                         "is not a flag of this command", f"did you mean {guess}? (see `{cmd.prog} --help`)")
    command = err.prog.removeprefix("simlib").strip() or "simlib"
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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = None
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_OK
        return _run(args)
    except UsageError as err:
        print(_usage_line(err, parser, argv), file=sys.stderr)
        return EXIT_USAGE
    except RenamedFlag as err:
        command = err.prog.removeprefix("simlib").strip() or "simlib"
        print(_line(command, err.old, f"was renamed {err.new}{err.note}", f"{err.new} (see `{err.prog} --help`)"),
              file=sys.stderr)
        return EXIT_USAGE
    except InvalidParameterError as err:
        print(error_line(_command_name(args), err, _flags(args)), file=sys.stderr)
        return EXIT_USAGE
    except Unavailable as err:
        print(_line(_command_name(args), err.parameter, err.problem, err.allowed), file=sys.stderr)
        return EXIT_UNAVAILABLE
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
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

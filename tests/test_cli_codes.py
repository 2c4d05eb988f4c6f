"""One flag rule and one set of exit codes across every ``simlib`` command (issue 14, item 4).

The rule and the codes are written down in :mod:`simlib.cli`; this file checks each command
against them: 0 ran and VALID (or no verdict), 1 ran but INVALID, 2 bad input, 3 unavailable.
"""

from __future__ import annotations

import argparse
import re

import pytest

from simlib import cli
from simlib.cli import main
from simlib.commands._common import _Renamed

ONE_LINE = re.compile(r"^simlib [a-z]+( [a-z]+)?: [^\n]+: [^\n]+; allowed: [^\n]+\n$")
# Spellings that the rule retired: none may be a visible flag of any command again (roofline's
# --memory names a memory level, not a size, so only grade retires --memory).
RETIRED = {"--rate", "--duration", "--latency-bound", "--batch-timeout", "--dt", "--window", "--ambient",
           "--timeout", "--output"}
# A number with a physical unit carries it in the flag's name; counts and rates named by unit are fine.
UNIT_SUFFIXES = ("-s", "-ms", "-c", "-mb", "--qps")
UNITLESS_NUMBERS = {"--flops", "--bytes"}  # counts of FLOP and bytes: the name is the unit


def _parsers(parser: argparse.ArgumentParser | None = None):
    """(prog, parser) for every command and sub-command parser."""
    parser = parser or cli.build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield sub.prog, sub
                yield from _parsers(sub)


PARSERS = dict(_parsers())
RENAMED = [(prog, a.option_strings[0], a.new) for prog, p in PARSERS.items() for a in p._actions
           if isinstance(a, _Renamed)]


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def refused(capsys, argv: list[str], *needles: str, code: int = 2) -> str:
    rc, out, err = run(capsys, argv)
    assert rc == code and out == "" and ONE_LINE.match(err), (rc, out, err)
    for n in needles:
        assert n in err, (n, err)
    return err


# --- the flag rule ------------------------------------------------------------------------------
@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_visible_flags_follow_the_rule(prog):
    for action in PARSERS[prog]._actions:
        if action.help == argparse.SUPPRESS:
            continue
        for flag in action.option_strings:
            assert flag not in RETIRED, f"{prog} {flag}: a retired spelling"
            if action.type is float:
                assert flag.endswith(UNIT_SUFFIXES) or flag in UNITLESS_NUMBERS, \
                    f"{prog} {flag}: a number flag without its unit in the name"


def test_the_same_concept_has_one_spelling_everywhere():
    spellings = {flag for p in PARSERS.values() for a in p._actions if a.help != argparse.SUPPRESS
                 for flag in a.option_strings}
    assert not spellings & {"--rate", "--latency-bound", "--batch-timeout"}
    assert {"--qps", "--latency-bound-ms", "--batch-timeout-ms", "--duration-s"} <= spellings


def test_every_command_retires_its_old_spellings():
    retired_by = {(prog.split()[1], old) for prog, old, _ in RENAMED}
    assert {("simulate", "--rate"), ("simulate", "--duration"), ("measure", "--latency-bound"),
            ("measure", "--batch-timeout"), ("measure", "--duration"), ("compare", "--latency-bound"),
            ("compare", "--duration"), ("thermal", "--dt"), ("thermal", "--window"), ("thermal", "--duration"),
            ("grade", "--timeout")} <= retired_by


@pytest.mark.parametrize("prog, old, new", RENAMED)
def test_a_retired_flag_fails_naming_the_new_one(capsys, prog, old, new):
    argv = prog.split()[1:] + [old, "5"]
    refused(capsys, argv, old, f"was renamed {new}")
    assert new in PARSERS[prog]._option_string_actions  # the flag it names exists


def test_a_retired_flag_in_seconds_says_the_unit_changed(capsys):
    refused(capsys, ["measure", "--latency-bound", "0.1"], "--latency-bound-ms 100")
    refused(capsys, ["simulate", "--rate=80"], "--qps")


def test_flags_are_never_abbreviated(capsys):
    # with abbreviations "--latency-bound-m 100" would be taken for --latency-bound-ms
    refused(capsys, ["simulate", "--qps", "5", "--latency-bound-m", "100"], "did you mean --latency-bound-ms")


def test_a_typo_gets_did_you_mean(capsys):
    refused(capsys, ["thermal", "--device", "edgetpu", "--dt-ms", "1"], "simlib thermal:", "did you mean --dt-s")


# --- exit codes ---------------------------------------------------------------------------------
def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for code, meaning in ((0, "VALID"), (1, "INVALID"), (2, "bad input"), (3, "missing")):
        assert f"{code} " in text and meaning in text


def test_simulate_exit_codes(capsys):
    base = ["simulate", "--qps", "50", "--service", "exp:10ms", "--requests", "2000", "--seed", "1"]
    assert run(capsys, base)[0] == 0  # no bound: no verdict
    rc, out, _ = run(capsys, [*base, "--latency-bound-ms", "1000"])
    assert rc == 0 and "INVALID" not in out
    rc, out, _ = run(capsys, [*base, "--latency-bound-ms", "1"])  # p99 of M/M/1 at rho 0.5 is ~90 ms
    assert rc == 1 and "INVALID" in out  # the result is still printed
    refused(capsys, ["simulate", "--qps", "-1"], "--qps")


def test_measure_exit_codes(capsys):
    quick = ["measure", "--model", "digits", "--duration-s", "0.2", "--threads", "1", "--meter", "none"]
    assert run(capsys, quick)[0] == 0
    rc, out, _ = run(capsys, [*quick, "--scenario", "server", "--qps", "20", "--latency-bound-ms", "1e-6"])
    assert rc == 1 and "INVALID" in out
    refused(capsys, ["measure", "--latency-bound-ms", "0", "--scenario", "server", "--qps", "5"],
            "latency_bound_ms")
    refused(capsys, ["measure", "--backend", "edgetpu", "--model", "digits"], "--backend", code=3)


def test_compare_exit_codes(capsys):
    refused(capsys, ["compare", "--duration-s", "0"], "--duration-s")
    refused(capsys, ["compare", "--latency-bound-ms", "-5"], "latency_bound_ms")
    refused(capsys, ["compare", "--backend", "edgetpu", "--model", "digits", "--duration-s", "0.2"],
            "--backend", code=3)


def test_no_verdict_commands_exit_0_or_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SIMLIB_STORE", str(tmp_path / "store.sqlite3"))
    assert run(capsys, ["thermal", "--device", "edgetpu", "--duration-s", "2"])[0] == 0
    refused(capsys, ["thermal", "--device", "edgetpu", "--dt-s", "0"], "--dt-s")
    assert run(capsys, ["roofline", "--device", "t4", "--precision", "fp16", "--flops", "1e9",
                        "--bytes", "1e6"])[0] == 0
    refused(capsys, ["roofline", "--device", "t4", "--precision", "fp16", "--flops", "-1", "--bytes", "1"],
            "--flops")
    assert run(capsys, ["hw"])[0] == 0
    assert run(capsys, ["results", "list"])[0] == 0
    refused(capsys, ["results", "show", "x"], "id")
    refused(capsys, ["lab", "build", str(tmp_path / "nope")])
    refused(capsys, ["grade", str(tmp_path / "x.ipynb"), "--lab", "labs/percentiles", "--out",
                     str(tmp_path / "g.csv"), "--timeout-s", "0"], "timeout_s")

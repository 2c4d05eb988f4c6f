"""Fuzz every ``simlib`` command: no input may hang, exhaust memory or crash it.

Hypothesis builds command lines from hostile values (NaN, +-inf, 0, negatives, huge numbers,
empty strings, malformed SPECs and paths) mixed with ordinary ones. Each run happens in-process
(``simlib.cli.main``) under a wall-clock alarm of ``BOUND_S`` seconds and must either

- succeed (exit 0; ``measure`` and ``simulate`` may exit 1 for an INVALID run) and, with
  ``--json``, print strict JSON (no NaN/Infinity), with warnings only as
  ``simlib <command>: warning: ...`` lines; or
- fail with exit 2 (3: a missing runtime), nothing on stdout and exactly one line on stderr:
  ``simlib <command>: <parameter>: <what is wrong>; allowed: <...>``.

``make test`` runs a small number of cases per command (quick budget). Run it longer with::

    SIMLIB_FUZZ_EXAMPLES=2000 SIMLIB_BUDGET=quick .venv/bin/python -m pytest tests/test_fuzz_cli.py \\
        -p no:cacheprovider --hypothesis-show-statistics

(``SIMLIB_FUZZ_EXAMPLES`` scales every command's case count; the slow real-measurement commands
get a tenth of it). ``--hypothesis-seed=N`` replays a run. ``SIMLIB_FUZZ_BOUND_S`` sets the
per-run bound (default 120 s, generous for a shared 2-core box; quick-budget runs take seconds).
``SIMLIB_FUZZ_RELAXED=1`` checks only crashes, hangs and non-strict JSON (to audit an older tree
whose errors have another shape).

Every visible flag of every command appears in a strategy here (``test_every_flag_is_fuzzed``
checks it, apart from ``EXCLUDED``), and every retired spelling (``--rate``, ``--duration``, ...)
is thrown in as a stray flag that must be refused.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import re
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simlib.cli import main

EXAMPLES = int(os.environ.get("SIMLIB_FUZZ_EXAMPLES", "40"))
RELAXED = bool(os.environ.get("SIMLIB_FUZZ_RELAXED"))  # audit an older tree: crashes, hangs, bad JSON only
BOUND_S = float(os.environ.get("SIMLIB_FUZZ_BOUND_S", "120"))  # a 2-core CI box shared by others
ONE_LINE = re.compile(r"^simlib [a-z]+( [a-z]+)?: [^\n]+: [^\n]+; allowed: [^\n]+\n$")
REPO = Path(__file__).resolve().parents[1]
TMP = Path(tempfile.mkdtemp(prefix="simlib-fuzz-"))
(TMP / "good.csv").write_text("0.0\n0.01\n0.02\n0.5\n")
(TMP / "bad.csv").write_text("nan\n-1\ninf\nabc\n")
(TMP / "empty.csv").write_text("")
# result files for verdict and checklist: well-formed, and hostile in each way a file can be
_RESULTS = {
    "runs.json": {"runs_s": [[0.010, 0.011, 0.0105], [0.0102, 0.0099, 0.0101], [0.0100, 0.0104, 0.0103]]},
    "samples.json": {"samples_s": [0.01 + 1e-4 * (i % 7) for i in range(200)]},
    "one.json": {"samples_s": [0.01]},
    "hostile.json": {"samples_s": ["x", None, -1, 1e308, [1, 2]]},
    "ragged.json": {"runs_s": [[0.01], [], [0.02, "a"]]},
    "constant.json": {"samples_s": [0.01] * 50},
    "list.json": [1, 2, 3],
    "measured.json": {"kind": "measured", "scenario": "server", "metrics": {"qps": 10, "p99_s": 0.02},
                      "samples_s": [0.01] * 10, "system": {"machine": "x"}},
}
for _name, _doc in _RESULTS.items():
    (TMP / _name).write_text(json.dumps(_doc))
(TMP / "nan.json").write_text('{"samples_s": [NaN, Infinity, 0.01]}')
(TMP / "broken.json").write_text('{"samples_s": [0.01,')
(TMP / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
RESULT_FILES = [str(TMP / n) for n in (*_RESULTS, "nan.json", "broken.json", "binary.json", "good.csv", "empty.csv")] \
    + ["/nonexistent.json", str(TMP), ""]


class Overtime(BaseException):
    """Raised by the alarm; a BaseException so the CLI's own handlers cannot swallow it."""


def _alarm(signum, frame):
    raise Overtime(f"a command ran longer than {BOUND_S} s")


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, BOUND_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(argv)
            except SystemExit as e:  # --help/--version (and argparse errors in older trees)
                rc = e.code
    except Overtime:
        raise AssertionError(f"simlib {' '.join(argv)} ran longer than {BOUND_S} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return rc, out.getvalue(), err.getvalue()


def _no_constants(name: str):
    raise ValueError(f"not strict JSON: {name}")


OUTCOMES: collections.Counter = collections.Counter()  # (command, exit code): runs, for the report


def check_outcome(argv: list[str], ok_codes=(0,), fail_codes=(2,)) -> None:
    rc, out, err = run_cli(argv)
    OUTCOMES[(argv[0] if argv else "", rc)] += 1
    if RELAXED:  # only what any version must meet: it returned in time, and its JSON is strict
        if rc == 0 and "--json" in argv:
            json.loads(out, parse_constant=_no_constants)
        return
    where = f"simlib {' '.join(map(repr, argv))} -> exit {rc}\nstdout: {out[-500:]}\nstderr: {err[-1500:]}"
    assert "internal error" not in err and "Traceback" not in err, where
    assert "RuntimeWarning" not in err, where  # numpy overflow/invalid: a value escaped validation
    if rc in ok_codes:
        saved = any(a == "--save" or a.startswith("--save=") for a in argv)
        for line in err.splitlines():  # warnings, and where --save put the result
            assert re.match(r"^simlib [a-z]+( build)?: warning: ", line) or \
                (saved and re.match(r"^simlib [a-z]+: (kept as result \d+ in |saved to )", line)), where
        if "--json" in argv:
            json.loads(out, parse_constant=_no_constants)
    else:
        assert rc in fail_codes, where
        assert out == "", where
        assert ONE_LINE.match(err), where


# --- values -------------------------------------------------------------------------------------
HOSTILE = ["nan", "NaN", "inf", "-inf", "Infinity", "0", "-0", "-1", "-1e9", "1e308", "1e400", "1e-320",
           "", " ", "abc", "1,2", "0x10", "1e12", "9" * 30]
ORDINARY_FLOAT = ["0.001", "0.5", "1", "3", "10", "50", "200"]
ORDINARY_INT = ["1", "2", "3", "4", "10", "100", "1000"]


def _mix(ordinary, *hostile):
    """Mostly ordinary values (so whole runs happen too), hostile ones about one time in four."""
    ok = st.sampled_from(ordinary)
    return st.one_of(*[ok] * 8, st.sampled_from(HOSTILE), *hostile)


def number(ordinary=ORDINARY_FLOAT):
    return _mix(ordinary, st.floats(allow_nan=True, allow_infinity=True).map(repr),
                st.integers(-10, 10**15).map(str))


def integer():
    return _mix(ORDINARY_INT, st.integers(-5, 10**12).map(str))


def spec():
    kinds = st.sampled_from(["det", "exp", "lognormal", "gamma", "deterministic", "EXP", "weird", ""])
    units = st.sampled_from(["ms", "s", "us", "ns", "min", "", "kg"])
    composed = st.builds(lambda k, n, u, cv: f"{k}:{n}{u}{cv}", kinds, number(), units,
                         st.sampled_from(["", ",cv=0.5", ",cv=nan", ",cv=inf", ",cv=-1", ",cv=1e308", ",x=1"]))
    fixed = st.sampled_from([
        "exp:10ms", "det:5ms", "lognormal:10ms,cv=0.5", "gamma:10ms,cv=2", "batch:t0=2ms,t1=1ms",
        "det:1e300ms", "det:1e400ms", "exp:", ":", "", "batch:t0=0ms,t1=0ms", "batch:t0=1e308s,t1=1ms",
        "batch:t0=2ms", "empirical:", "empirical:/nonexistent.csv", f"empirical:{TMP / 'good.csv'}",
        f"empirical:{TMP / 'bad.csv'}", f"empirical:{TMP / 'empty.csv'}", "exp:10ms,cv=1"])
    return st.one_of(fixed, composed)


def opt(flag: str, values) -> st.SearchStrategy[list[str]]:
    """``[]`` (flag left out, more often) or ``[flag=value]`` (glued with '=' so '-1' stays a value)."""
    return st.one_of(st.just([]), st.just([]), values.map(lambda v: [f"{flag}={v}"]))


def switch(flag: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [flag]])


def command(name: str, *parts) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda ps: [name] + [x for p in ps for x in p])


def flags(*parts):
    return st.tuples(*parts).map(lambda ps: [x for p in ps for x in p])


def stray(*strategies):
    """Usually nothing; sometimes one more flag, which may not apply to the mode (must be refused)."""
    return st.one_of(st.just([]), st.just([]), st.just([]), *strategies)


def retired(*old: str) -> st.SearchStrategy[list[str]]:
    """A retired spelling, with or without a value: always refused, naming the new flag."""
    return st.tuples(st.sampled_from(old), st.sampled_from(["", "=5", "=0.1", "=nan"])).map(lambda t: [t[0] + t[1]])


def save() -> st.SearchStrategy[list[str]]:
    """``--save`` into the fuzz run's store, or to a path (writable, a folder, unwritable, empty)."""
    return st.sampled_from([[], [], [], ["--save"], [f"--save={TMP / 'saved.json'}"], [f"--save={TMP}"],
                            ["--save=/proc/nope/x.json"], ["--save="]])


SCENARIO_FLAGS = {
    "server": flags(opt("--qps", number()), opt("--arrival", st.sampled_from(
        ["poisson", "deterministic", "bursty:3", "bursty:nan", "bursty:inf", "bursty:0.5", "bursty:", "trace:",
         "trace:/nonexistent.csv", "weird", "", f"trace:{TMP / 'good.csv'}", f"trace:{TMP / 'bad.csv'}",
         f"trace:{TMP / 'empty.csv'}"])),
        st.one_of(st.just([]), flags(opt("--latency-bound-ms", number()), switch("--search")))),
    "multistream": st.one_of(opt("--interval-ms", number()), opt("--qps", number())),
    "offline": st.just([]), "singlestream": st.just([]),
}
SIMULATE_ANY = st.one_of(opt("--qps", number()), opt("--interval-ms", number()), switch("--search"),
                         opt("--latency-bound-ms", number()), opt("--arrival", st.just("poisson")),
                         opt("--batch-timeout-ms", number()), opt("--scenario", st.sampled_from(["x", ""])),
                         retired("--rate", "--duration", "--latency-bound", "--batch-timeout"))
SIMULATE = st.sampled_from(list(SCENARIO_FLAGS)).flatmap(lambda sc: flags(
    st.just(["simulate", f"--scenario={sc}"]), SCENARIO_FLAGS[sc], opt("--service", spec()),
    opt("--servers", integer()),
    st.one_of(st.just([]), flags(opt("--max-batch", integer()), opt("--batch-timeout-ms", number()))),
    st.one_of(st.just([]), opt("--requests", integer()), opt("--duration-s", number(["0.5", "1", "10", "60"]))),
    opt("--seed", integer()), switch("--json"), save(), stray(SIMULATE_ANY)))

THERMAL_COMMON = flags(
    st.sampled_from([["--device", d] for d in ("smartphone-soc", "edgetpu", "cortex-m7")] + [["--device=nope"],
                                                                                            ["--device="]]),
    opt("--duration-s", number(["1", "5", "20", "60"])), opt("--ambient-c", number(["0", "25", "40"])),
    opt("--governor", st.sampled_from(["none", "step_wise", "power_allocator", "pi", "x", ""])),
    opt("--dt-s", number(["0.001", "0.01", "0.1"])), switch("--json"))
THERMAL_ANY = st.one_of(opt("--workload", st.just("burst")), opt("--window-s", number()),
                        opt("--service", spec()), opt("--seed", integer()), opt("--qps", number()),
                        retired("--duration", "--ambient", "--dt", "--window", "--rate"))
THERMAL = st.one_of(
    flags(st.just(["thermal"]), THERMAL_COMMON, opt("--workload", st.sampled_from(
        ["sustained", "burst", "duty:0.5", "duty:nan", "duty:2", "duty:", "x", ""])), stray(THERMAL_ANY)),
    flags(st.just(["thermal"]), THERMAL_COMMON, st.tuples(number(["1", "10", "40", "100"])).map(
        lambda v: [f"--qps={v[0]}"]), opt("--service", spec()), opt("--window-s", number(["0.5", "1", "2"])),
        opt("--seed", integer()), stray(THERMAL_ANY)))

ROOFLINE = flags(
    st.just(["roofline"]),
    _mix(["a100-sxm", "t4", "h100-sxm"], st.sampled_from(["edgetpu", "nope", ""])).map(lambda d: [f"--device={d}"]),
    _mix(["fp16", "int8"], st.sampled_from(["fp32", "tf32", "x", ""])).map(lambda p: [f"--precision={p}"]),
    st.one_of(st.tuples(number(["1e9", "2.2e10", "1e12"]), number(["1", "4.4e8", "1e9"])).map(
                  lambda fb: [f"--flops={fb[0]}", f"--bytes={fb[1]}"]),
              flags(_mix(["mobilenetv2", "bert-base", "resnet50"], st.sampled_from(["x", ""])).map(
                  lambda m: [f"--model={m}"]), opt("--batch", integer()),
                  opt("--traffic", st.sampled_from(["weights", "weights+activations", "x"])))),
    switch("--json"),
    stray(opt("--batch", integer()), opt("--flops", number()), opt("--model", st.just("resnet50")),
          opt("--memory", st.sampled_from(["hbm", "l2", "x", ""]))))

LAB = command(
    "lab", st.just(["build"]),
    st.lists(st.sampled_from(["labs/capacity", "labs/percentiles", "nope", "", "/", str(TMP)]), min_size=0,
             max_size=3),
    st.sampled_from([[f"--out={TMP / 'one.ipynb'}"], [f"--out={TMP / 'dir'}"], ["--out="], [f"--out={TMP / 'good.csv'}"],
                     ["--out=/proc/nope/x.ipynb"]]),
    switch("--force"))

MEASURE = command(
    "measure", opt("--model", st.sampled_from(["digits", "alexnet", ""])),
    opt("--backend", st.sampled_from(["onnxruntime", "edgetpu", "x"])),
    opt("--scenario", st.sampled_from(["singlestream", "server", "offline", "multistream", "x"])),
    opt("--qps", number()), opt("--duration-s", st.sampled_from(["0.2", "nan", "inf", "0", "-1", "1e12", ""])),
    opt("--latency-bound-ms", number()), opt("--threads", st.sampled_from(["1", "0", "-1", "999"])),
    opt("--max-batch", integer()), opt("--batch-timeout-ms", number()),
    opt("--precision", st.sampled_from(["fp32", "int8", "fp64", ""])),
    opt("--device", st.sampled_from(["cpu", "cuda", "tpu", ""])), opt("--seed", integer()),
    opt("--meter", st.sampled_from(["none", "auto", "x"])), switch("--json"), save(),
    stray(retired("--rate", "--duration", "--latency-bound", "--batch-timeout")))

COMPARE = command(
    "compare", opt("--model", st.sampled_from(["digits", "alexnet"])),
    opt("--backend", st.sampled_from(["onnxruntime", "x"])),
    opt("--utilization", st.sampled_from(["0.5", "0.5", "0.5", "", "0.5,", "nan", "inf", "1.5", "0", "a,b", ","])),
    st.sampled_from(["0.2", "0.2", "0.2", "nan", "inf", "0", "-1", "1e12"]).map(lambda d: [f"--duration-s={d}"]),
    opt("--threads", st.sampled_from(["1", "0"])), opt("--precision", st.sampled_from(["fp32", "int8", "x"])),
    opt("--latency-bound-ms", number(["5", "100", "1000"])), opt("--seed", integer()), switch("--json"), save(),
    stray(retired("--duration", "--latency-bound")))

GRADE = command(
    "grade", st.sampled_from([["/nonexistent.ipynb"], [str(TMP / "good.csv")], [""]]),
    st.sampled_from([["--lab=labs/percentiles"], ["--lab=nope"], ["--lab="]]),
    st.sampled_from([[f"--out={TMP / 'grades.csv'}"], ["--out="]]),
    opt("--timeout-s", number()), opt("--memory-mb", integer()), opt("--output-mb", integer()),
    opt("--jobs", integer()), opt("--export", st.sampled_from(["canvas", "moodle", "x", ""])),
    opt("--id-pattern", st.sampled_from([r"^(\d+)_", "(", "no-group", ""])),
    opt("--deadline", st.sampled_from(["2026-12-01T17:00", "tomorrow", ""])),
    opt("--assignment", st.sampled_from(["Lab 1", ""])), switch("--no-feedback"),
    stray(retired("--timeout", "--memory", "--output")))

PROGRESS = command(
    "progress", st.just(["summarize"]),
    st.sampled_from([[str(TMP / "good.csv")], ["/nonexistent.json"], [str(TMP)], [""]]),
    opt("--csv", st.sampled_from([str(TMP / "participation.csv"), str(TMP / "good.csv"), ""])), switch("--json"))


RESULTS = st.one_of(
    command("results", st.just(["list"]), opt("--since", st.sampled_from(["2026-01-01", "yesterday", "", "nan"])),
            opt("--until", st.sampled_from(["2030-01-01", "2026-13-40", ""])), opt("--limit", integer()),
            opt("--model", st.sampled_from(["digits", ""])), opt("--scenario", st.sampled_from(["server", "x"])),
            opt("--machine", st.sampled_from(["cpu", ""])), opt("--kind", st.sampled_from(["measured", "modeled", "x"])),
            opt("--store", st.sampled_from([str(TMP / "other.sqlite3"), str(TMP), "/proc/nope/x", ""])),
            switch("--json")),
    command("results", st.sampled_from([["show"], ["compare"], ["history"]]),
            st.lists(st.sampled_from(["1", "2", "0", "-1", "nan", "1e309", "", "x"]), max_size=2),
            opt("--metric", st.sampled_from(["p50", "p99", "", "x"])), switch("--samples"), switch("--json")),
    command("results", st.sampled_from([["export"], ["import"], ["gallery", "--out"]]),
            st.sampled_from([[str(TMP / "ex")], [str(TMP / "missing")], [""], [str(TMP / "good.csv")]]),
            opt("--ids", st.sampled_from(["1", "1,2", "x", "", "-1"])), switch("--reference"),
            opt("--title", st.sampled_from(["T", "", "<script>"])), switch("--json")),
)

BENCHMARK = command(
    "benchmark", opt("--model", st.sampled_from(["digits", "cnn", "alexnet", ""])),
    opt("--precision", st.sampled_from(["fp32", "int8", "fp64", ""])),
    st.sampled_from(["0.2", "0.2", "0.2", "nan", "inf", "0", "-1", "1e12", ""]).map(lambda d: [f"--duration-s={d}"]),
    opt("--seed", integer()),
    st.sampled_from([[], [], [f"--out={TMP / 'bench.json'}"], [f"--out={TMP / 'good.csv'}"], [f"--out={TMP}"],
                     ["--out=/proc/nope/x.json"], ["--out="]]),
    switch("--json"), stray(retired("--duration")))

VERDICT = command("verdict", st.lists(st.sampled_from(RESULT_FILES), min_size=0, max_size=3), switch("--json"))

CHECKLIST = command("checklist", st.lists(st.sampled_from(RESULT_FILES), min_size=0, max_size=2), switch("--json"))

EVALUATE = command("evaluate", st.sampled_from([["compression"], ["labels"], ["lm"], ["lighthouse"], ["x"], [""], []]),
                   opt("--seed", integer()), switch("--json"))

# real processes: short runs only (every accepted --steps is small), at most 2 workers beyond
# the reference so a run stays within the bound on a 2-core machine
SCALING = command(
    "scaling", opt("--workers", st.sampled_from(["2", "2", "2", "1", "0", "65", "", "a", "2,2", "2,", "nan", "-2"])),
    opt("--batch", st.sampled_from(["64", "32", "0", "1", "-1", "1e3", "nan", "4096"])),
    st.sampled_from(["5", "5", "10", "0", "-1", "nan", "1e12", "4"]).map(lambda v: [f"--steps={v}"]),
    opt("--backend", st.sampled_from(["auto", "gloo", "nccl", "mpi", ""])),
    opt("--timeout-s", st.sampled_from(["60", "120", "0", "-1", "nan", "inf", "1e9"])), switch("--json"))


def fuzz(strategy, examples: int, env: dict | None = None, **codes):
    @settings(max_examples=max(1, examples), deadline=None, derandomize=False, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(argv=strategy)
    def test(argv):
        with _environ(env or {}):
            check_outcome(argv, **codes)

    return test


@contextlib.contextmanager
def _environ(values: dict):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


test_fuzz_simulate = fuzz(SIMULATE, EXAMPLES * 2, env={"SIMLIB_STORE": str(TMP / "store.sqlite3")},
                          ok_codes=(0, 1))
test_fuzz_thermal = fuzz(THERMAL, EXAMPLES)
test_fuzz_roofline = fuzz(ROOFLINE, EXAMPLES)
test_fuzz_lab_build = fuzz(LAB, EXAMPLES // 2)
test_fuzz_measure = fuzz(MEASURE, EXAMPLES // 10, env={"SIMLIB_STORE": str(TMP / "store.sqlite3")},
                         ok_codes=(0, 1), fail_codes=(2, 3))
test_fuzz_compare = fuzz(COMPARE, EXAMPLES // 10, env={"SIMLIB_STORE": str(TMP / "store.sqlite3")},
                         fail_codes=(2, 3))
test_fuzz_grade = fuzz(GRADE, EXAMPLES // 10)
test_fuzz_progress = fuzz(PROGRESS, EXAMPLES // 2)
# the store lives in the fuzz run's own folder, never in the user's data folder
test_fuzz_results = fuzz(RESULTS, EXAMPLES // 2, env={"SIMLIB_STORE": str(TMP / "store.sqlite3")})
test_fuzz_benchmark = fuzz(BENCHMARK, EXAMPLES // 10, fail_codes=(2, 3))
test_fuzz_verdict = fuzz(VERDICT, EXAMPLES)
test_fuzz_checklist = fuzz(CHECKLIST, EXAMPLES // 2, ok_codes=(0, 1))  # 1: not ready
test_fuzz_evaluate = fuzz(EVALUATE, EXAMPLES // 10)
test_fuzz_scaling = fuzz(SCALING, EXAMPLES // 10)


@pytest.mark.parametrize("argv", [["hw"], ["hw", "--json"], [], ["--version"], ["nope"], ["simulate", "--nope"],
                                  ["lab"], ["lab", "nope"]])
def test_top_level(argv):
    check_outcome(argv)


# flags no strategy uses, and why
EXCLUDED = {"-h", "--help", "--version",
            "--allow-large",  # lifts the size limits that keep a fuzz run bounded (tested in test_cli.py)
            # runs submissions without isolation, and prints its UNSAFE warning straight to stderr
            # before any error (a second stderr line); tested in test_grade*.py
            "--unsafe-no-sandbox"}


def _visible_flags(parser, prog="simlib"):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _visible_flags(sub, f"{prog} {name}")
        elif action.help != argparse.SUPPRESS:
            yield from ((prog, flag) for flag in action.option_strings)


def test_every_flag_is_fuzzed():
    """Every visible flag of every command is named in a strategy above (or in EXCLUDED)."""
    from simlib.cli import build_parser

    source = Path(__file__).read_text()
    missing = sorted({(prog, flag) for prog, flag in _visible_flags(build_parser())
                      if flag not in EXCLUDED and not re.search(re.escape(f'"{flag}') + r'[="\]]', source)})
    assert not missing, f"flags no fuzz strategy uses: {missing}"


def test_report_outcomes():
    """Print how many generated runs ended how (``pytest -s`` shows it); runs last in this file."""
    print("\nfuzz outcomes (command, exit code): runs:", dict(sorted(OUTCOMES.items())))

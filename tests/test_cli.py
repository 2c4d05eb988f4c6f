"""The command line's contract (issue 12): bounded work, finite numbers, no ignored flags, one
error shape, strict JSON, a quiet end on a closed pipe, and ``lab build`` that keeps edits."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import pytest

from simlib import limits
from simlib._validate import InvalidParameterError
from simlib.cli import main
from simlib.queueing import analytic

ONE_LINE = re.compile(r"^simlib [a-z]+( build)?: [^\n]+: [^\n]+; allowed: [^\n]+\n$")


def fails(capsys, argv: list[str], *needles: str, code: int = 2) -> str:
    """Run argv; assert exit ``code``, nothing on stdout, one line on stderr naming ``needles``."""
    assert main(argv) == code
    cap = capsys.readouterr()
    assert cap.out == ""
    assert ONE_LINE.match(cap.err), cap.err
    for n in needles:
        assert n in cap.err, (n, cap.err)
    return cap.err


# --- the reproductions listed in the issue --------------------------------------------------------
@pytest.mark.parametrize("argv, needles", [
    (["simulate", "--qps", "10", "--duration-s", "1e12"], ["--duration-s", "memory"]),
    (["simulate", "--qps", "10", "--requests", "1000000000"], ["--requests", "1e+09 simulated requests"]),
    (["thermal", "--device", "smartphone-soc", "--qps", "10", "--window-s", "1e-9", "--duration-s", "5"],
     ["--window-s", "1e-09"]),
    (["thermal", "--device", "smartphone-soc", "--qps", "1e5", "--duration-s", "5"],
     ["--qps", "--allow-large", "SIMLIB_BUDGET=quick"]),
    (["compare", "--utilization", ""], ["--utilization"]),
    (["roofline", "--device", "t4", "--precision", "fp16", "--flops", "inf", "--bytes", "1", "--json"],
     ["--flops", "inf"]),
    (["simulate", "--qps", "inf", "--json"], ["--qps", "inf"]),
    (["simulate", "--qps", "nan"], ["--qps", "nan"]),
    (["thermal", "--device", "smartphone-soc", "--qps", "10", "--window-s", "0", "--duration-s", "5"], ["--window-s"]),
    (["measure", "--model", "digits", "--max-batch", "0"], ["--max-batch", "got 0"]),
    (["roofline", "--device", "t4", "--precision", "fp16", "--flops", "1e9", "--bytes", "1e6", "--batch", "8"],
     ["--batch", "--model"]),
    (["simulate", "--qps", "10", "--search"], ["--search", "--latency-bound-ms"]),
    (["simulate", "--qps", "10", "--service", "det:1e300ms"], ["--service", "1e+297"]),
    (["simulate", "--qps", "10", "--service", "det:1e400ms"], ["--service", "inf"]),
])
def test_issue_reproductions_fail_at_once_in_one_line(capsys, argv, needles):
    fails(capsys, argv, *needles)


@pytest.mark.parametrize("argv, needles", [
    (["thermal", "--device", "edgetpu", "--window-s", "1", "--duration-s", "5"], ["--window-s", "--qps"]),
    (["thermal", "--device", "edgetpu", "--qps", "5", "--workload", "burst"], ["--workload", "--qps"]),
    (["simulate", "--scenario", "offline", "--qps", "5"], ["--qps", "--scenario"]),
    (["simulate", "--qps", "5", "--interval-ms", "5"], ["--interval-ms", "closed loop"]),
    (["simulate", "--scenario", "multistream", "--qps", "5"], ["--qps", "--scenario server"]),
    (["simulate", "--qps", "5", "--batch-timeout-ms", "2"], ["--batch-timeout-ms", "--max-batch"]),
    (["simulate", "--scenario", "singlestream", "--latency-bound-ms", "5"], ["--latency-bound-ms"]),
    (["measure", "--model", "digits", "--qps", "5"], ["--qps", "--scenario server"]),
    (["measure", "--model", "digits", "--batch-timeout-ms", "100"], ["--batch-timeout-ms", "--max-batch"]),
    (["roofline", "--device", "t4", "--precision", "fp16", "--flops", "1", "--bytes", "1", "--traffic",
      "weights"], ["--traffic", "--model"]),
])
def test_flags_that_do_not_apply_are_errors_naming_both(capsys, argv, needles):
    fails(capsys, argv, *needles)


@pytest.mark.parametrize("argv, needle", [
    (["simulate", "--qps", "5", "--servers", "0"], "--servers"),
    (["simulate", "--qps", "5", "--requests", "-1"], "--requests"),
    (["simulate", "--qps", "5", "--max-batch", "0"], "--max-batch"),
    (["thermal", "--device", "edgetpu", "--duration-s", "0"], "--duration-s"),
    (["thermal", "--device", "edgetpu", "--dt-s", "0"], "--dt-s"),
    (["roofline", "--device", "t4", "--precision", "fp16", "--model", "resnet50", "--batch", "-2"], "--batch"),
    (["compare", "--duration-s", "0"], "--duration-s"),
    (["measure", "--duration-s", "0"], "--duration-s"),
])
def test_zero_and_negative_sizes_are_errors(capsys, argv, needle):
    fails(capsys, argv, needle)


def test_argparse_errors_have_the_same_shape(capsys):
    fails(capsys, ["simulate", "--qps", "abc"], "--qps", "a number")
    fails(capsys, ["simulate", "--scenario", "x"], "--scenario", "'server'")
    fails(capsys, ["roofline", "--precision", "fp16"], "--device")


def test_unavailable_runtime_exits_3_in_the_same_shape(capsys):
    fails(capsys, ["measure", "--backend", "edgetpu", "--model", "digits"], "--backend", code=3)


def test_a_bug_is_one_line_and_exit_70(capsys, monkeypatch):
    import simlib.roofline as roofline

    monkeypatch.setattr(roofline, "analyze", lambda *a, **k: 1 / 0)  # the command imports it when it runs
    monkeypatch.delenv("SIMLIB_DEBUG", raising=False)
    assert main(["roofline", "--device", "t4", "--precision", "fp16", "--flops", "1", "--bytes", "1"]) == 70
    err = capsys.readouterr().err
    assert "internal error" in err and "ZeroDivisionError" in err and err.count("\n") == 1


def test_ctrl_c_ends_cleanly_and_discards_the_partial_result(capsys, monkeypatch):
    import simlib.commands.simulate as cmd

    def interrupted(args):
        print("partial output")
        raise KeyboardInterrupt

    monkeypatch.setattr(cmd, "run", interrupted)
    assert main(["simulate", "--qps", "5"]) == 130
    cap = capsys.readouterr()
    assert cap.out == "" and "interrupted" in cap.err and cap.err.count("\n") == 1


# --- bounded work -------------------------------------------------------------------------------
def test_limits_scale_with_the_budget_and_allow_large_lifts_them(capsys):
    from simlib import budget

    with budget.use("quick"):
        small = limits.limit("simpy_requests")
    with budget.use("full"):
        assert limits.limit("simpy_requests") == 50 * small
    with budget.use("quick"), pytest.raises(InvalidParameterError, match="allow-large"):
        limits.check_work("simpy_requests", small * 2, owner="t", parameter="n")
    with budget.use("quick"), limits.allow_large():
        limits.check_work("simpy_requests", small * 2, owner="t", parameter="n")
    with limits.allow_large(), pytest.raises(InvalidParameterError, match="memory"):
        limits.check_work("requests", 1e18, owner="t", parameter="n")  # cannot fit: refused anyway


def test_allow_large_flag_runs_what_the_budget_refuses(capsys):
    argv = ["simulate", "--qps", "50", "--max-batch", "2", "--requests", "120000", "--json"]
    from simlib import budget

    with budget.use("quick"):
        assert limits.limit("simpy_requests") < 120_000
        fails(capsys, argv, "--requests", "--allow-large")
        assert main([*argv, "--allow-large"]) == 0
    assert _strict(capsys.readouterr().out)["settings"]["effective"]["min_query_count"] == 120_000


def test_progress_bar_only_for_long_runs():
    assert limits.show_progress("steps", 10) is True  # disabled
    assert limits.show_progress("steps", 1e8) is None  # tqdm decides: shown on a terminal only


# --- finite numbers, strict JSON ------------------------------------------------------------------
def _strict(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))


def test_simulate_json_is_strict(capsys):
    assert main(["simulate", "--qps", "5", "--requests", "3", "--duration-s", "0.1", "--json"]) == 0
    d = _strict(capsys.readouterr().out)
    assert d["summary"]["n"] == 3 and d["kind"] == "modeled"


def test_thermal_json_is_strict(capsys):
    assert main(["thermal", "--device", "edgetpu", "--qps", "5", "--duration-s", "4", "--window-s", "0.001",
                 "--json"]) == 0
    d = _strict(capsys.readouterr().out)
    assert any("no request arrived" in why for why in d["non_finite"].values())


def test_strictjson_replaces_every_non_finite_value():
    from simlib import strictjson

    text = strictjson.dumps({"a": [1.0, math.inf], "b": {"c": -math.inf}})
    d = _strict(text)
    assert d["a"] == [1.0, None] and d["b"]["c"] is None
    assert set(d["non_finite"]) == {"a/1", "b/c"}


# --- stable closed forms ----------------------------------------------------------------------------
def _erlang_c_log(c: int, lam: float, mu: float) -> float:
    """Independent oracle: the textbook sum in log space (log-sum-exp of a^k / k!)."""
    a = lam / mu
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    last = c * math.log(a) - math.lgamma(c + 1) - math.log(1 - a / c)
    m = max(*logs, last)
    total = sum(math.exp(x - m) for x in logs)
    return math.exp(last - m) / (total + math.exp(last - m))


@pytest.mark.parametrize("c, lam, mu", [(1, 0.5, 1), (4, 300, 100), (50, 45, 1), (171, 160, 1),
                                        (500, 490, 1), (2000, 1500, 1), (2000, 1990, 1), (10_000, 9_990, 1)])
def test_erlang_c_at_many_servers_is_finite_and_right(c, lam, mu):
    value = analytic.erlang_c(c, lam, mu)
    assert math.isfinite(value) and 0 <= value <= 1
    assert value == pytest.approx(_erlang_c_log(c, lam, mu), rel=1e-9, abs=1e-300)
    assert math.isfinite(analytic.mmc_mean_wait(c, lam, mu))


def test_erlang_c_single_server_is_rho():
    assert analytic.erlang_c(1, 30, 100) == pytest.approx(0.3)


# --- a closed stdout ends quietly ----------------------------------------------------------------------
def test_closed_stdout_ends_quietly():
    p = subprocess.Popen([sys.executable, "-m", "simlib", "roofline", "--device", "t4", "--precision", "fp16",
                          "--model", "resnet50", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader is gone before anything is written, as with `| head -0`
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and err == ""


# --- lab build --------------------------------------------------------------------------------------
def test_lab_build_honours_out_and_keeps_a_differing_notebook(capsys, tmp_path, repo):
    lab = str(repo / "labs" / "percentiles")
    out = tmp_path / "nb" / "student.ipynb"
    assert main(["lab", "build", lab, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert main(["lab", "build", lab, "--out", str(out)]) == 0  # same content: left alone, said so
    assert "unchanged" in capsys.readouterr().out
    nb = json.loads(out.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "mine", "metadata": {}, "source": ["my notes"]})
    edited = json.dumps(nb)
    out.write_text(edited)
    fails(capsys, ["lab", "build", lab, "--out", str(out)], str(out), "--force")
    assert out.read_text() == edited  # nothing a student saved is lost
    assert main(["lab", "build", lab, "--out", str(out), "--force"]) == 0
    assert "overwrote" in capsys.readouterr().out and out.read_text() != edited


def test_lab_build_several_labs_into_a_folder(capsys, tmp_path, repo):
    labs = [str(repo / "labs" / n) for n in ("percentiles", "capacity")]
    fails(capsys, ["lab", "build", *labs, "--out", str(tmp_path / "one.ipynb")], "--out")
    assert main(["lab", "build", *labs, "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == ["capacity.ipynb", "percentiles.ipynb"]
    assert not list(tmp_path.glob(".*building"))


class _FakeTerminal:
    """A stderr that says it is a terminal (tqdm draws its bar only there)."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_a_long_thermal_run_draws_a_progress_bar_on_a_terminal(monkeypatch):
    from simlib.thermal import simulate_thermal as simulate

    term = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    simulate("edgetpu", "sustained", 2500.0)  # 2.5e6 steps: long enough for a bar
    assert "thermal steps" in term.text
    term.text = ""
    simulate("edgetpu", "sustained", 20.0)  # short: no bar
    assert term.text == ""

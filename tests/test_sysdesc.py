"""The system description: hardware, software, budget, timestamp; JSON; the `simlib hw` command."""

from __future__ import annotations

import json

import pytest

from simlib import budget
from simlib.cli import main
from simlib.sysdesc import summary_text, system_description, to_json


def test_description_has_hardware_software_budget_and_time():
    d = system_description()
    assert d["budget"] == "quick"  # the suite runs in the quick budget
    assert d["software"]["python"].count(".") == 2
    assert d["software"]["packages"]["numpy"]
    assert d["timestamp_utc"].endswith("+00:00")
    assert json.loads(to_json(d))["hardware"]["cpu"]["logical_cores"] >= 1


def test_summary_text_names_every_part():
    text = summary_text(system_description())
    for word in ("CPU", "Memory", "Threads", "GPU", "RAPL", "EdgeTPU", "Budget"):
        assert word in text


def test_budget_follows_environment_and_override(monkeypatch):
    monkeypatch.setenv("SIMLIB_BUDGET", "full")
    assert budget.current() == "full"
    assert budget.pick(quick=1, standard=2, full=3) == 3
    with budget.use("quick"):
        assert budget.current() == "quick"
    monkeypatch.delenv("SIMLIB_BUDGET")
    assert budget.current() == "standard"


def test_bad_budget_names_the_variable(monkeypatch):
    monkeypatch.setenv("SIMLIB_BUDGET", "turbo")
    with pytest.raises(ValueError, match="SIMLIB_BUDGET.*'quick', 'standard', 'full'.*turbo"):
        budget.current()
    with pytest.raises(ValueError, match="budget"):
        with budget.use("forever"):
            pass


def test_cli_hw_json(capsys):
    assert main(["hw", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"hardware", "software", "budget", "timestamp_utc", "simlib_version"} <= set(d)


def test_cli_hw_text_and_help(capsys):
    assert main(["hw"]) == 0
    assert "CPU" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "hw" in capsys.readouterr().out


@pytest.mark.slow
def test_console_script_installed():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("simlib")
    exe = str(exe) if exe.exists() else shutil.which("simlib")
    assert exe, "the `simlib` console script is not installed (pip install -e .)"
    out = subprocess.run([exe, "hw", "--json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["simlib_version"]
    out = subprocess.run([sys.executable, "-m", "simlib", "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage: simlib" in out

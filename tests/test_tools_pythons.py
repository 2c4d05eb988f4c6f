"""tools/check-pythons (the support matrix) and tools/torch-preflight (which torch build pip takes)."""

from __future__ import annotations

import doctest
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def _load(script: str) -> ModuleType:
    """Import an extension-less script under tools/ as a module."""
    name = "tools_" + script.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(name, str(REPO / "tools" / script))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module  # dataclasses look their module up here
    loader.exec_module(module)
    return module


check_pythons = _load("check-pythons")
preflight = _load("torch-preflight")


@pytest.mark.parametrize("module", [check_pythons, preflight], ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_probe_reports_an_interpreter_that_cannot_start(tmp_path):
    shim = tmp_path / "python3.12"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    found = check_pythons.probe(str(shim))
    assert isinstance(found, str) and "status 127" in found and "command not found" in found
    version, executable = check_pythons.probe(sys.executable)
    assert version == ".".join(map(str, sys.version_info[:3]))


def test_parse_pytest_without_a_summary_and_with_errors():
    assert check_pythons.parse_pytest("ImportError while loading conftest") == ({}, [], None, None)
    counts, failed, _, _ = check_pythons.parse_pytest(
        "ERROR tests/test_a.py - ImportError\n== 3 passed, 1 error in 2.00s ==\n")
    assert counts == {"passed": 3, "errors": 1} and failed == ["tests/test_a.py"]


def test_a_python_that_cannot_start_is_a_row_not_a_crash(tmp_path, capsys):
    broken = tmp_path / "python3"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    status = check_pythons.main(["--python", str(broken), "--workdir", str(tmp_path / "w")])
    out = capsys.readouterr().out
    assert status == 1
    assert "| Python | torch build |" in out and "does not start" in out and "not run" in out
    assert (tmp_path / "w" / "logs" / "matrix.json").exists()


def test_unknown_version_is_refused():
    with pytest.raises(SystemExit, match="--python 3.99: no Python 3.99 found"):
        check_pythons.resolve("3.99")


def test_pinned_torch_reads_requirements():
    assert preflight.pinned_torch().startswith("torch==")


@pytest.mark.parametrize(("url", "machine", "system", "expected"), [
    ("https://x/torch-2.13.0-cp312-cp312-manylinux_2_28_x86_64.whl", "x86_64", "Linux",
     "CUDA build"),
    ("https://x/torch-2.13.0-cp312-cp312-manylinux_2_28_aarch64.whl", "aarch64", "Linux",
     "PyPI's build for Linux aarch64"),
    ("https://x/torch-2.13.0-cp312-none-macosx_11_0_arm64.whl", "arm64", "Darwin",
     "PyPI's build for Darwin arm64"),
    (None, "x86_64", "Linux", "could not tell"),
])
def test_describe_by_platform(url, machine, system, expected):
    assert expected in preflight.describe("torch==2.13.0", url, None, machine, system)


def test_describe_an_installed_cuda_build():
    line = preflight.describe("torch==2.13.0", None, ("2.13.0+cu130", "13.0"))
    assert "CUDA 13.0 build" in line and "keeps it" in line


def test_scripts_are_executable():
    for script in ("check-pythons", "torch-preflight"):
        assert (Path(REPO, "tools", script).stat().st_mode & 0o111), script


def test_table_merges_earlier_runs_sorted_by_version(tmp_path, capsys):
    import json

    rows = [check_pythons.Row("3.12.1", "py312", counts={"passed": 3}),
            check_pythons.Row("3.9.18", "py39", error="does not start: x")]
    for i, row in enumerate(rows):
        (tmp_path / f"{i}.json").write_text(json.dumps(
            {"commit": "abc123", "rows": [check_pythons.asdict(row)]}))
    assert check_pythons.main(["--table", str(tmp_path / "0.json"), str(tmp_path / "1.json")]) == 0
    out = capsys.readouterr().out
    assert "commit abc123" in out and out.index("| 3.9.18 |") < out.index("| 3.12.1 |")


def test_an_existing_clone_folder_is_kept_and_reported(tmp_path):
    """A folder left by an earlier --keep run is never removed or overwritten."""
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    kept = tmp_path / f"clone-{minor}"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    row = check_pythons.measure(sys.executable, "HEAD", tmp_path, tmp_path, keep=False)
    assert "already exists" in row.error and (kept / "notes.txt").read_text() == "mine"

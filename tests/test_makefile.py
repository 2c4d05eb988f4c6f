"""`make` explains a missing, old or venv-less Python instead of failing obscurely."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _fake_python(tmp_path: Path, version: str = "3.12.1", has_venv: bool = True) -> Path:
    """A stand-in interpreter answering only the Makefile's two probes (version, venv)."""
    exe = tmp_path / "python3"
    exe.write_text(f"""#!/bin/sh
case "$2" in
  *version_info*) echo {version} ;;
  *ensurepip*) exit {0 if has_venv else 1} ;;
esac
""")
    exe.chmod(0o755)
    return exe


def _broken_python(tmp_path: Path, script: str) -> Path:
    """A stand-in interpreter that cannot start: `script` is its whole shell body."""
    exe = tmp_path / "python3.12"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    return exe


def _check(python: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "-C", str(REPO), "check-python", f"PYTHON={python}"],
                          capture_output=True, text=True)


def test_missing_python(tmp_path):
    r = _check(str(tmp_path / "no-such-python"))
    assert r.returncode != 0 and "was not found" in r.stdout + r.stderr


@pytest.mark.parametrize("version", ["3.10.13", "3.8.18", "2.7.18", "3.9.0"])
def test_old_python(tmp_path, version):
    r = _check(str(_fake_python(tmp_path, version=version)))
    out = r.stdout + r.stderr
    assert r.returncode != 0 and f"is Python {version};" in out and "3.11 or newer" in out


@pytest.mark.parametrize("version", ["3.11.0", "3.13.0", "3.20.1"])
def test_new_python_passes_the_version_check(tmp_path, version):
    assert _check(str(_fake_python(tmp_path, version=version))).returncode == 0


def test_python_without_venv(tmp_path):
    r = _check(str(_fake_python(tmp_path, has_venv=False)))
    assert r.returncode != 0 and "python3-venv" in r.stdout + r.stderr


def test_python_that_cannot_start_is_reported_with_its_error(tmp_path):
    """A pyenv shim for a version that is not active: exit 127 and a message on stderr."""
    exe = _broken_python(tmp_path, "echo 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    r = _check(str(exe))
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "failed to start (exit status 127)" in out
    assert "pyenv: python3.12: command not found" in out
    assert "is Python ;" not in out and "is Python  " not in out


def test_python_that_answers_nonsense_is_reported(tmp_path):
    r = _check(str(_broken_python(tmp_path, "echo 'Segmentation fault'\n")))
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "did not answer like a Python interpreter" in out and "Segmentation fault" in out


def test_this_python_passes():
    import sys

    assert _check(sys.executable).returncode == 0

"""`make` explains a missing, old or venv-less Python instead of failing obscurely."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _fake_python(tmp_path: Path, version_ok: bool, has_venv: bool) -> Path:
    """A stand-in interpreter answering only the Makefile's three probes."""
    exe = tmp_path / "python3"
    exe.write_text(f"""#!/bin/sh
case "$2" in
  *version_info*) exit {0 if version_ok else 1} ;;
  *python_version*) echo 3.8.18 ;;
  *ensurepip*) exit {0 if has_venv else 1} ;;
esac
""")
    exe.chmod(0o755)
    return exe


def _check(python: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "-C", str(REPO), "check-python", f"PYTHON={python}"],
                          capture_output=True, text=True)


def test_missing_python(tmp_path):
    r = _check(str(tmp_path / "no-such-python"))
    assert r.returncode != 0 and "was not found" in r.stdout + r.stderr


def test_old_python(tmp_path):
    r = _check(str(_fake_python(tmp_path, version_ok=False, has_venv=True)))
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "3.8.18" in out and "3.10 or newer" in out


def test_python_without_venv(tmp_path):
    r = _check(str(_fake_python(tmp_path, version_ok=True, has_venv=False)))
    assert r.returncode != 0 and "python3-venv" in r.stdout + r.stderr


def test_this_python_passes():
    import sys

    assert _check(sys.executable).returncode == 0

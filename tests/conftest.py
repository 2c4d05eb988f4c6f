"""Shared fixtures. The suite runs in the quick budget (make test sets SIMLIB_BUDGET=quick)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("SIMLIB_BUDGET", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items):
    """Skip `gpu` tests on machines without CUDA (run them with `pytest -m gpu` on a GPU box).

    The same with the CPU build of torch and with a CUDA build on a machine without a GPU; the
    skip reason says which (from :func:`simlib.hardware.detect.probe_torch_cuda`).
    """
    from simlib.hardware.detect import probe_torch_cuda

    cuda = probe_torch_cuda()
    if cuda["available"]:
        return
    skip = pytest.mark.skip(reason=f"needs an NVIDIA GPU with CUDA ({cuda['reason']}); "
                                   "run `pytest -m gpu` on a machine with one")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


HOG = "import time\nend = time.monotonic() + 900\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def cpu_hogs(n: int = 2):
    """``n`` busy-looping processes (each one core: a reader's busy laptop), killed by their own
    pids afterwards; each also ends by itself after 15 minutes, so a test killed mid-way leaves
    nothing behind for long."""
    procs = [subprocess.Popen([sys.executable, "-c", HOG], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.fixture(scope="session")
def book_build(tmp_path_factory):
    """Build the whole book once, from a clean _build, in the quick budget, while
    ``SIMLIB_BOOK_HOGS`` (default 2) CPU hogs run: every page must read true on a busy machine,
    so the tests of the built book read a stressed build. Returns the BuildResult."""
    from simlib.bookbuild import build

    out = tmp_path_factory.mktemp("book")
    env_before = os.environ.get("SIMLIB_BUDGET")
    os.environ["SIMLIB_BUDGET"] = "quick"
    hogs = int(os.environ.get("SIMLIB_BOOK_HOGS", "2"))
    (out / "conditions.json").write_text(json.dumps({"hogs": hogs}))  # read by tests/bookpage.build_hogs
    try:
        with cpu_hogs(hogs):
            result = build(REPO, out, clean=True, echo=False)
    finally:
        if env_before is not None:
            os.environ["SIMLIB_BUDGET"] = env_before
    # keep the log next to the build for debugging a CI failure
    (out / "build.log").write_text(result.log)
    return result


@pytest.fixture(scope="session")
def built_book(request) -> Path:
    """The built HTML folder (…/_build/html) of a book build that succeeded. With
    ``SIMLIB_BUILT_BOOK=<dir>/_build/html`` the page checks read that build instead (one made with
    ``make book`` or ``tools/stress-build``) and nothing is built."""
    given = os.environ.get("SIMLIB_BUILT_BOOK")
    if given:
        assert (Path(given) / "index.html").is_file(), f"SIMLIB_BUILT_BOOK={given} has no index.html"
        return Path(given)
    book_build = request.getfixturevalue("book_build")
    if not book_build.ok:
        tail = "\n".join(book_build.log.splitlines()[-60:])
        pytest.fail(f"the book did not build (failed notebooks: {book_build.failed_notebooks}):\n{tail}")
    return book_build.html_dir


@pytest.fixture
def mini_book(tmp_path) -> Path:
    """A two-page book with the real _config.yml, for tests of the build machinery."""
    shutil.copy(REPO / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "book").mkdir()
    shutil.copy(REPO / "book" / "references.bib", tmp_path / "book" / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (tmp_path / "intro.md").write_text("# Mini book\n\nA test book.\n")
    write_notebook(tmp_path / "page.md", "x = 6 * 7\nprint(x)")
    return tmp_path


NOTEBOOK_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

"""


def write_notebook(path: Path, code: str) -> None:
    """Write a one-cell MyST markdown notebook."""
    path.write_text(NOTEBOOK_HEADER + "```{code-cell} ipython3\n" + code + "\n```\n")

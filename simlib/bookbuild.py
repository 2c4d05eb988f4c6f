"""Build the book with Jupyter Book 1 and fail loudly: ``python -m simlib.bookbuild``.

Jupyter Book 1 exits 0 when a notebook cell raises (myst-nb only logs a warning), and an
incremental build may serve a page from its cache without re-running it. This wrapper makes a
broken notebook fail the build, every time:

1. ``jupyter-book build -W --keep-going``: every Sphinx warning (a cell error is one, as is a
   broken cross-reference or a missing glue key) becomes an error, and all pages are still
   built so the reader sees every problem at once;
2. afterwards it reads myst-nb's execution reports (``_build/html/reports/*.err.log``) and the
   jupyter-cache database: any notebook whose last execution failed fails the build, even when
   the page itself came from an older cache entry.

``make book`` calls it; ``tests/test_book.py`` calls :func:`build` on the real book and on a
book with an injected failing notebook.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BuildResult", "build", "main"]


@dataclass
class BuildResult:
    """Outcome of a book build: ``ok`` only if Jupyter Book succeeded and no notebook failed."""

    returncode: int
    html_dir: Path
    seconds: float
    failed_notebooks: list[str] = field(default_factory=list)
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.failed_notebooks


def _failed_from_reports(html_dir: Path) -> list[str]:
    reports = html_dir / "reports"
    return sorted(p.name.removesuffix(".err.log") for p in reports.glob("*.err.log")) if reports.is_dir() else []


def _failed_from_cache(out_dir: Path) -> list[str]:
    """Notebooks whose latest execution in jupyter-cache raised (cache mode only)."""
    cache_dir = out_dir / "_build" / ".jupyter_cache"
    if not cache_dir.is_dir():
        return []
    try:
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        failed = []
        for record in cache.list_project_records():
            if record.traceback:
                failed.append(Path(record.uri).name)
        return sorted(failed)
    except Exception as err:  # an unreadable cache must not hide a failure, nor invent one
        print(f"bookbuild: could not read the notebook cache ({err}); relying on reports", file=sys.stderr)
        return []


def build(source: str | Path = ".", out: str | Path | None = None, *, clean: bool = False,
          extra_args: list[str] | None = None, echo: bool = True) -> BuildResult:
    """Build the book in ``source`` into ``out``/_build/html and report what failed.

    ``clean=True`` removes ``out``/_build first (a from-scratch build, as CI does).
    """
    source = Path(source).resolve()
    out = Path(out).resolve() if out is not None else source
    build_dir = out / "_build"
    if clean and build_dir.exists():
        shutil.rmtree(build_dir)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(source), "--path-output", str(out),
           "--builder", "html", "-W", "--keep-going", *(extra_args or [])]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if echo:
            print(line, end="", flush=True)
    rc = proc.wait()
    html_dir = build_dir / "html"
    failed = sorted(set(_failed_from_reports(html_dir)) | set(_failed_from_cache(out)))
    return BuildResult(rc, html_dir, time.perf_counter() - start, failed, "".join(lines))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simlib.bookbuild", description=__doc__.splitlines()[0])
    p.add_argument("--source", default=".", help="book folder (with _config.yml and _toc.yml)")
    p.add_argument("--out", default=None, help="folder that receives _build/ (default: the source)")
    p.add_argument("--clean", action="store_true", help="remove _build first")
    args = p.parse_args(argv)
    res = build(args.source, args.out, clean=args.clean)
    if res.failed_notebooks:
        print("\nBOOK BUILD FAILED: these notebooks raised (see _build/html/reports/):", file=sys.stderr)
        for name in res.failed_notebooks:
            print(f"  - {name}", file=sys.stderr)
    elif res.returncode != 0:
        print("\nBOOK BUILD FAILED: Jupyter Book reported errors or warnings (see above).", file=sys.stderr)
    else:
        print(f"\nBook built in {res.seconds:.0f} s: {res.html_dir / 'index.html'}")
    return 0 if res.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

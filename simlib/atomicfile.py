"""Write a file atomically: to a temporary file beside it, flushed to disk, then renamed into place.

A reader (or a crash) sees the old file or the new one, never half of one, and no temporary file
is left behind when writing fails. Results, progress, galleries and cached models are saved this way.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(d / "a.txt", "hello").read_text(), sorted(p.name for p in d.iterdir())
('hello', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from simlib._validate import invalid

__all__ = ["write_atomic", "write_atomic_with"]


def write_atomic_with(path: str | os.PathLike, write: Callable[[str], None], *, owner: str = "",
                      durable: bool = False) -> Path:
    """Call ``write(tmp_path)`` (it writes the whole file there), then rename it to ``path``.

    ``durable``: also fsync the file and its folder, so the rename survives a power cut (progress).
    A ``path`` that is a folder, or has no file name, is refused naming ``owner``'s 'path'.
    """
    path = Path(path)
    if not path.name or path.is_dir():
        raise invalid("path", f"is {'a folder' if path.is_dir() else 'not a file name'}: {str(path)!r}",
                      "the path of a file to write", owner=owner)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        if durable:
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    if durable:
        with contextlib.suppress(OSError):
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    return path


def write_atomic(path: str | os.PathLike, text: str, *, owner: str = "", durable: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`write_atomic_with`)."""
    return write_atomic_with(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"),
                             owner=owner, durable=durable)

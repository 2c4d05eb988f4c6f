"""Write the gradebook (CSV) and its review companion so that nothing can replace or forge them.

* :func:`check_new` refuses an output path that exists, even as a dangling symlink, before any
  grading starts;
* :func:`write_new` writes to a temporary file in the same folder (created with ``O_EXCL``),
  flushes it to disk, then links it into place, which fails rather than replace anything that
  appeared meanwhile (a symlink at the path is never followed); the temporary file is then
  removed, or kept and named in the error, so the grades are never lost;
* :func:`cell` escapes spreadsheet formulas (a cell starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return gets a leading ``'``) and :func:`one_line` makes a note one
  bounded line.

>>> cell("=HYPERLINK(\\"http://x\\")"), cell("alice"), cell("-1")
('\\'=HYPERLINK("http://x")', 'alice', "'-1")
>>> one_line("a\\nb\\x00c", 80)
'a b c'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from pathlib import Path

from simlib._validate import InvalidParameterError

__all__ = ["cell", "check_new", "one_line", "write_new"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str, max_chars: int) -> str:
    """``text`` on one line (control characters become spaces), at most ``max_chars`` long."""
    text = " ".join(_CONTROL.sub(" ", str(text)).split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never evaluates as a formula."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def check_new(path: Path, what: str = "out", owner: str = "grade") -> None:
    """Refuse (before grading) an output ``path`` that exists, as a file or a symlink."""
    if os.path.lexists(path):
        raise InvalidParameterError(
            f"The '{what}' parameter of {owner} must be a new file: {path} exists and is never "
            "overwritten. Choose another name (e.g. add the date).")


def write_new(path: Path, text: str) -> Path:
    """Create ``path`` holding ``text`` without ever replacing an existing file or symlink."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # no-clobber: fails with EEXIST, never follows a symlink at path
    except FileExistsError:
        raise InvalidParameterError(
            f"{path} appeared while grading and was left alone; the grades are in {tmp}") from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(path):  # a file system without hard links: check, then rename
            raise InvalidParameterError(
                f"{path} appeared while grading and was left alone; the grades are in {tmp}") from None
        os.rename(tmp, path)
        return path
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    return path

"""A reader's answers and scores, kept in one small JSON file per reader.

The file is ``~/.simlib/progress/<reader>.json`` (the directory can be moved with
``SIMLIB_PROGRESS_DIR``; the reader defaults to ``SIMLIB_READER`` or the login name). Per chapter
and question it keeps the number of attempts, the score of the first attempt, the best score,
the last answer and when it was given.

Nothing is lost:

* every write goes to a temporary file in the same directory, is flushed to disk, then
  atomically renamed over the old file, so a crash leaves either the old or the new file;
* a write holds an exclusive lock (``<file>.lock``, ``fcntl.flock``) while it re-reads the file,
  merges its one answer and writes, so two kernels answering at once keep both answers;
* an unreadable file is renamed to ``<file>.corrupt-<time>`` (never deleted) and a new one starts.

>>> import tempfile
>>> p = Progress(reader="ada", directory=tempfile.mkdtemp())
>>> p.record("howto", "q1", answer=3, score=1.0, correct=True)["attempts"]
1
>>> p.record("howto", "q1", answer=2, score=0.0, correct=False)["best_score"]
1.0
>>> Progress(reader="ada", directory=p.path.parent).get("howto", "q1")["last_answer"]
2
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import json
import numbers
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere writes are still atomic, only the two-kernel merge is unguarded
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from simlib._validate import InvalidParameterError
from simlib.atomicfile import write_atomic
from simlib.strictjson import jsonable as _jsonable  # the one JSON-cleaning helper

__all__ = ["FORMAT", "ChapterSummary", "Progress", "default_reader"]

FORMAT = "simlib-progress/1"
_READER = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")


def default_reader() -> str:
    """``SIMLIB_READER``, else the login name, else 'reader'."""
    name = os.environ.get("SIMLIB_READER")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in some containers
            name = "reader"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "reader"


@dataclass(frozen=True)
class ChapterSummary:
    """Per chapter: how many questions were answered, solved, and the mean first-try score."""

    chapter: str
    total: int
    answered: int
    solved: int
    first_try_score: float

    def __str__(self) -> str:
        return (f"{self.chapter}: {self.answered}/{self.total} answered, {self.solved} solved, "
                f"first-try score {self.first_try_score:.0%}")

    def _repr_html_(self) -> str:
        pct = 100 * self.answered / self.total if self.total else 0
        return (f'<div class="simlib-summary"><b>{self.chapter}</b>: {self.answered} of '
                f'{self.total} answered, {self.solved} solved, first-try score '
                f'{self.first_try_score:.0%}<div style="background:#ddd;height:6px;width:240px">'
                f'<div style="background:#2a7;height:6px;width:{pct:.0f}%"></div></div></div>')


class Progress:
    """Read and record one reader's answers (see the module docstring for the guarantees)."""

    def __init__(self, reader: str | None = None, directory: str | Path | None = None) -> None:
        self.reader = reader or default_reader()
        if not isinstance(self.reader, str) or not _READER.fullmatch(self.reader):
            raise InvalidParameterError(
                "The 'reader' parameter of Progress must be a name of letters, digits, '_', '.' "
                f"and '-' that does not start with '.' (it names a file). Got {self.reader!r}.")
        base = directory or os.environ.get("SIMLIB_PROGRESS_DIR") or Path.home() / ".simlib" / "progress"
        self.path = Path(base) / f"{self.reader}.json"
        self._stuck = False  # an unreadable file could not be moved aside: do not write

    # -- reading ------------------------------------------------------------------------------
    def load(self) -> dict:
        """The whole file as a dict (an empty record if there is none yet)."""
        empty = {"format": FORMAT, "reader": self.reader, "chapters": {}}
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return empty
        try:
            data = json.loads(raw.decode("utf-8"))  # UnicodeDecodeError is a ValueError
            if not isinstance(data, dict) or not isinstance(data.get("chapters"), dict):
                raise ValueError("not a progress file")
            return data
        except (ValueError, RecursionError):
            stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
            keep = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            try:
                os.replace(self.path, keep)
            except OSError as err:
                warnings.warn(f"Progress file {self.path} is unreadable and could not be moved "
                              f"aside ({err}); it is left as it is, and answers given now are "
                              "not saved until it is fixed or removed.", stacklevel=2)
                self._stuck = True
                return empty
            warnings.warn(f"Progress file {self.path} was unreadable; kept it as {keep.name} "
                          "and started a new one.", stacklevel=2)
            return empty

    def get(self, chapter: str, qid: str) -> dict | None:
        return self.load()["chapters"].get(chapter, {}).get(qid)

    def chapter(self, chapter: str) -> dict[str, dict]:
        return self.load()["chapters"].get(chapter, {})

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is None:  # pragma: no cover
            yield
            return
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, data: dict) -> None:
        text = json.dumps(data, indent=1, sort_keys=True)
        write_atomic(self.path, text, owner="Progress", durable=True)

    def record(self, chapter: str, qid: str, *, answer: Any, score: float, correct: bool,
               params: dict | None = None) -> dict:
        """Add one attempt at ``chapter``/``qid`` and return the updated entry."""
        if isinstance(score, bool) or not isinstance(score, numbers.Real) or not 0 <= score <= 1:
            raise InvalidParameterError("The 'score' parameter of Progress.record must be a "
                                        f"number in [0, 1]. Got {score!r} instead.")
        with self._locked():
            data = self.load()
            entry = data["chapters"].setdefault(chapter, {}).get(qid) or {
                "attempts": 0, "first_score": float(score), "best_score": 0.0}
            entry["attempts"] += 1
            entry["best_score"] = max(float(entry["best_score"]), float(score))
            entry["solved"] = bool(entry.get("solved")) or bool(correct)
            entry["last_answer"] = _jsonable(answer)
            entry["last_score"] = float(score)
            if params:
                entry["params"] = _jsonable(params)
            entry["updated"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
            data["chapters"][chapter][qid] = entry
            if not self._stuck:  # never overwrite an unreadable file that could not be kept
                self._write(data)
            return entry

    def reset(self, chapter: str) -> None:
        """Forget the answers of one chapter (the others stay)."""
        with self._locked():
            data = self.load()
            data["chapters"].pop(chapter, None)
            if not self._stuck:
                self._write(data)

    # -- summaries ----------------------------------------------------------------------------
    def summary(self, chapter: str, question_ids: list[str] | None = None) -> ChapterSummary:
        """Answered / solved counts and mean first-try score over ``question_ids`` (default:
        the chapter's bank)."""
        if question_ids is None:
            from .bank import load_bank
            question_ids = list(load_bank(chapter).questions)
        got = self.chapter(chapter)
        entries = [got[q] for q in question_ids if q in got]
        first = sum(e["first_score"] for e in entries) / len(question_ids) if question_ids else 0.0
        return ChapterSummary(chapter, len(question_ids), len(entries),
                              sum(1 for e in entries if e.get("solved")), first)

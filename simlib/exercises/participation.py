"""A class's participation from the readers' progress files (``simlib progress summarize``).

Each reader hands in one progress file: the JupyterLab one (``~/.simlib/progress/<reader>.json``,
:mod:`.progress`) or the one the static book's self-checks download (the same format,
``simlib-progress/1``). :func:`summarize` reads any number of them into one row per file:
questions answered and solved per chapter (out of the chapter's bank when the book has one),
the mean first-try score and the last answer's time. A file that is not a progress file is
named with the reason and left out; the others are still summarized.

>>> import json, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> entry = {"attempts": 2, "first_score": 0.0, "best_score": 1.0, "solved": True,
...          "updated": "2026-11-30T10:00:00+00:00"}
>>> _ = (d / "ada.json").write_text(json.dumps({"format": FORMAT, "reader": "ada",
...                                              "chapters": {"howto": {"littles-law": entry}}}))
>>> _ = (d / "bad.json").write_text("{")
>>> rows, problems = summarize([d / "ada.json", d / "bad.json"])
>>> rows[0].reader, rows[0].answered, rows[0].solved, len(problems)
('ada', 1, 1, 1)
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass, field
from pathlib import Path

from .progress import _READER, FORMAT

__all__ = ["MAX_BYTES", "Row", "read_progress", "summarize", "table"]

#: the largest progress file read, bytes (a class's files are a few kB each)
MAX_BYTES = 5 * 2**20
_ENTRY = {"attempts": int, "first_score": numbers.Real, "best_score": numbers.Real}


@dataclass
class Row:
    """One reader: per chapter (answered, solved), totals, mean first-try score, last update."""

    file: str
    reader: str
    chapters: dict[str, tuple[int, int]] = field(default_factory=dict)
    first_try_score: float = 0.0
    last_update: str = ""

    @property
    def answered(self) -> int:
        return sum(a for a, _ in self.chapters.values())

    @property
    def solved(self) -> int:
        return sum(s for _, s in self.chapters.values())


def read_progress(path: Path) -> dict:
    """The checked contents of one progress file.

    Raises:
        ValueError: why the file is not a progress file (to report with its name).
    """
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 2**20} MB")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"not JSON ({type(err).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a progress file (needs \"format\": \"{FORMAT}\")")
    reader, chapters = data.get("reader"), data.get("chapters")
    if not isinstance(reader, str) or not _READER.fullmatch(reader):
        raise ValueError(f"the reader name {reader!r} is not letters, digits, '_', '.', '-'")
    if not isinstance(chapters, dict):
        raise ValueError("'chapters' is not an object")
    for chapter, questions in chapters.items():
        if not isinstance(questions, dict):
            raise ValueError(f"chapter {chapter!r} is not an object")
        for qid, e in questions.items():
            bad = [k for k, t in _ENTRY.items()
                   if not isinstance(e, dict) or isinstance(e.get(k), bool)
                   or not isinstance(e.get(k), t)]
            if bad:
                raise ValueError(f"answer {chapter}/{qid} lacks a valid {', '.join(bad)}")
            if not 0 <= e["first_score"] <= 1 or not 0 <= e["best_score"] <= 1:
                raise ValueError(f"answer {chapter}/{qid} has a score outside [0, 1]")
    return data


def _bank_ids(chapter: str) -> list[str] | None:
    from .bank import load_bank

    try:
        return list(load_bank(chapter).questions)
    except Exception:  # noqa: BLE001 - a chapter without a bank here: count what was answered
        return None


def summarize(paths: list[Path]) -> tuple[list[Row], list[str]]:
    """One :class:`Row` per readable progress file, and 'file: reason' for each other one."""
    rows, problems = [], []
    for path in paths:
        try:
            data = read_progress(Path(path))
        except (OSError, ValueError) as err:
            problems.append(f"{path}: {err}")
            continue
        row = Row(str(path), data["reader"])
        firsts, total = [], 0
        for chapter, answers in sorted(data["chapters"].items()):
            ids = _bank_ids(chapter)
            got = {q: e for q, e in answers.items() if ids is None or q in ids}
            row.chapters[chapter] = (len(got), sum(bool(e.get("solved")) for e in got.values()))
            firsts += [float(e["first_score"]) for e in got.values()]
            total += len(ids) if ids is not None else len(got)
            row.last_update = max([row.last_update] + [str(e.get("updated", ""))
                                                        for e in got.values()])
        row.first_try_score = sum(firsts) / total if total else 0.0
        rows.append(row)
    return sorted(rows, key=lambda r: (r.reader, r.file)), problems


def table(rows: list[Row]) -> list[dict]:
    """The participation table: one dict per reader (chapter columns: 'answered/total')."""
    chapters = sorted({c for r in rows for c in r.chapters})
    totals = {c: _bank_ids(c) for c in chapters}
    out = []
    for r in rows:
        d = {"reader": r.reader, "file": Path(r.file).name}
        for c in chapters:
            a, _ = r.chapters.get(c, (0, 0))
            d[c] = f"{a}/{len(totals[c])}" if totals[c] is not None else str(a)
        d.update(answered=r.answered, solved=r.solved,
                 first_try_score=round(r.first_try_score, 3), last_update=r.last_update)
        out.append(d)
    return out

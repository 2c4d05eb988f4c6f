"""Results travel as plain JSON files, one per result, in the format results already have.

:func:`export_results` writes each result's own ``to_dict()`` (what ``Result.save`` writes) with
its raw samples and a ``stored`` block (where and when it was taken, simlib version, commit);
``Result.load`` reads such a file. :func:`import_results` reads any result file simlib wrote
(an export, a ``Result.save``, a ``Comparison.save``, ``simlib simulate --save``), from files or
folders, into a store in one transaction; a file it cannot read is reported with the reason and
the rest are imported. Importing the same file twice keeps one row.

>>> import tempfile, pathlib
>>> from simlib.measure.result import Result
>>> from simlib.store.db import ResultStore
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> with ResultStore(tmp / "a.sqlite3") as a, ResultStore(tmp / "b.sqlite3") as b:
...     _ = a.keep(Result(name="demo", kind="measured", samples_s=[0.01, 0.02] * 5, system={}))
...     files = export_results(a, tmp / "out")
...     report = import_results(b, files)
...     len(report["imported"]), b.get(report["imported"][0])["name"]
(1, 'demo')
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from simlib._validate import InvalidParameterError
from simlib.measure.result import save_json
from simlib.store.db import ResultStore
from simlib.store.records import record_from_dict, to_export_dict

__all__ = ["export_results", "import_results", "read_result_file"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text or "result").strip("-").lower()[:60] or "result"


def export_results(store: ResultStore, folder: str | os.PathLike,
                   ids: list[int] | None = None) -> list[Path]:
    """Write one JSON file per result (all of them, or ``ids``) into ``folder``; returns the paths.

    A file that is already there with the same name is left alone when it holds the same result,
    and never overwritten otherwise (the new file gets a numbered name).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameterError(f"The 'folder' parameter of simlib results export must be a folder. "
                                    f"Got {str(folder)!r} (a file) instead.")
    ids = ids if ids is not None else [r["id"] for r in store.list()]
    paths = []
    for rid in ids:
        rec = store.get(rid)
        data = to_export_dict(rec, store_id=rid)
        path = folder / f"{rid:05d}-{_slug(rec['name'])}.json"
        n = 1
        while path.exists():
            try:
                if json.loads(path.read_text(encoding="utf-8")) == data:
                    break
            except (OSError, ValueError):
                pass
            path = folder / f"{rid:05d}-{_slug(rec['name'])}-{n}.json"
            n += 1
        else:
            save_json(data, path)
        paths.append(path)
    return paths


def read_result_file(path: str | os.PathLike) -> dict[str, Any]:
    """A record from one result JSON file; InvalidParameterError naming the file if unreadable."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InvalidParameterError(f"The 'file' parameter of simlib results import must be a readable "
                                    f"JSON result file. Got {str(path)!r} instead ({err}).") from None
    try:
        return record_from_dict(data)
    except InvalidParameterError as err:
        raise InvalidParameterError(f"{err} (file {str(path)!r})") from None


def _files(paths: list[str | os.PathLike]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        if not str(raw).strip():  # Path("") is the current folder: never import a whole tree by accident
            raise InvalidParameterError("The 'paths' parameter of simlib results import must name JSON "
                                        "files or folders. Got an empty path instead.")
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.json") if q.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise InvalidParameterError(f"The 'paths' parameter of simlib results import must name JSON "
                                        f"files or folders that exist. Got {str(p)!r} instead.")
    return out


def import_results(store: ResultStore, paths: list[str | os.PathLike] | str | os.PathLike
                   ) -> dict[str, list]:
    """Import result files (or every ``*.json`` under folders) in one transaction.

    Returns ``{"imported": [ids], "already": [[file, id]], "skipped": [[file, reason]]}``.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    records, skipped, names = [], [], []
    for f in _files(list(paths)):
        try:
            records.append(read_result_file(f))
            names.append(str(f))
        except InvalidParameterError as err:
            skipped.append([str(f), str(err)])
    results = store.add_records(records) if records else []
    return {"imported": [rid for rid, new in results if new],
            "already": [[n, rid] for n, (rid, new) in zip(names, results, strict=True) if not new],
            "skipped": skipped}

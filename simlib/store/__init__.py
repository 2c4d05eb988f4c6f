"""Results that last: a local SQLite store of the runs a reader chooses to keep.

Nothing is kept unless asked: ``simlib.store.keep(result)`` (or ``result.save()`` with no path,
``simlib measure --save``, ``simlib compare --save``, ``simlib simulate --save``) adds one row,
and ``simlib results list|show|compare|history|export|import|gallery`` reads them back. The file
is ``$SIMLIB_STORE`` or ``results.sqlite3`` in the user's data folder (:func:`default_path`).

>>> import os, tempfile
>>> os.environ["SIMLIB_STORE"] = os.path.join(tempfile.mkdtemp(), "results.sqlite3")
>>> from simlib.measure.result import Result
>>> rid = keep(Result(name="demo", kind="measured", samples_s=[0.01] * 5, system={}))
>>> with open_store() as st:
...     st.get(rid)["kind"]
'measured'
>>> del os.environ["SIMLIB_STORE"]
"""

from __future__ import annotations

import os
from typing import Any

from simlib.store.analysis import change_point, compare_stored, history
from simlib.store.db import ResultStore, StoreWarning, default_path
from simlib.store.exchange import export_results, import_results

__all__ = ["ResultStore", "StoreWarning", "change_point", "compare_stored", "default_path",
           "export_results", "history", "import_results", "keep", "open_store", "save_or_keep"]


def open_store(path: str | os.PathLike | None = None) -> ResultStore:
    """The store at ``path`` (default :func:`default_path`), created if missing."""
    return ResultStore(path)


def keep(result: Any, note: str | None = None, path: str | os.PathLike | None = None) -> int:
    """Keep ``result`` in the store; returns its id (``simlib results show ID``)."""
    with ResultStore(path) as st:
        return st.keep(result, note=note)


#: The value of ``--save`` given without a path: keep the result in the store.
STORE_TARGET = ":store:"


def save_or_keep(result: Any, target: str | os.PathLike) -> str:
    """``--save`` of the CLI: keep in the store (``target`` is :data:`STORE_TARGET`) or write
    the result's JSON to the path ``target``; returns the sentence that says where it went."""
    from simlib.measure.result import save_json

    if str(target) == STORE_TARGET:
        with ResultStore() as st:
            rid = st.keep(result)
            return f"kept as result {rid} in {st.path} (simlib results show {rid})"
    path = save_json(result.to_dict(), target)
    return f"saved to {path}"

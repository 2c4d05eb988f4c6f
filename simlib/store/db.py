"""The result store: one SQLite file (Python's own sqlite3), one row per kept run.

Where: ``$SIMLIB_STORE`` if set (a file path), else ``results.sqlite3`` in the user's data folder
(``platformdirs.user_data_dir("simlib")`` when platformdirs is installed, else
``$XDG_DATA_HOME/simlib`` or ``~/.local/share/simlib``).

How it keeps what you saved:

- **Transactions.** Every write is one ``BEGIN IMMEDIATE`` transaction; the file is in WAL mode
  with a 30 s busy timeout, so two processes writing at once both succeed, one after the other.
- **Schema versions.** The schema version is ``PRAGMA user_version``. A store of an older schema
  is migrated in one transaction (its rows are copied into the new layout, none dropped); a store
  written by a *newer* simlib is opened read-only and read as it is.
- **Corruption.** A file that is not an SQLite database, or that fails ``PRAGMA quick_check``,
  is renamed to ``<name>.corrupt-<UTC time>`` (with its -wal/-shm files), a message says where it
  went, and a fresh store is started. Nothing is overwritten.

>>> import tempfile, pathlib
>>> from simlib.measure.result import Result
>>> path = pathlib.Path(tempfile.mkdtemp()) / "results.sqlite3"
>>> with ResultStore(path) as st:
...     rid = st.keep(Result(name="demo", kind="measured", samples_s=[0.01, 0.011] * 5, system={}))
...     [row["name"] for row in st.list()], len(st.get(rid)["samples"])
(['demo'], 10)
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import sqlite3
import subprocess
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from simlib._validate import InvalidParameterError, Options, validate_params
from simlib.store.records import now_utc, to_record

__all__ = ["SCHEMA_VERSION", "ResultStore", "StoreWarning", "default_path", "git_commit"]

SCHEMA_VERSION = 2
ENV_VAR = "SIMLIB_STORE"
_OWN = "ResultStore"
_HEADER = b"SQLite format 3\x00"
_COLUMNS = ("name", "model", "scenario", "precision", "backend", "machine", "simlib_version",
            "git_commit", "note")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,            -- content hash: importing a file twice keeps one row
    created_utc TEXT NOT NULL,           -- when the run was taken
    kept_utc TEXT NOT NULL,              -- when it entered this store
    kind TEXT NOT NULL CHECK (kind IN ('measured', 'modeled')),
    result_type TEXT NOT NULL,
    name TEXT, model TEXT, scenario TEXT, precision TEXT, backend TEXT, machine TEXT,
    system_json TEXT NOT NULL, settings_json TEXT NOT NULL, summary_json TEXT NOT NULL,
    n_samples INTEGER NOT NULL,
    samples BLOB,                        -- zlib(float64 little-endian), seconds
    payload BLOB NOT NULL,               -- zlib(JSON of the result's to_dict() without samples)
    simlib_version TEXT, git_commit TEXT, note TEXT
);
CREATE INDEX IF NOT EXISTS results_by_model ON results (model, scenario, created_utc);
CREATE INDEX IF NOT EXISTS results_by_machine ON results (machine, created_utc);
"""


class StoreWarning(UserWarning):
    """Something happened to the store file that the user must hear about (moved aside, read-only)."""


def default_path() -> Path:
    """The store file: ``$SIMLIB_STORE``, else results.sqlite3 in the user's data folder."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("simlib", appauthor=False))
    except ImportError:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".local" / "share") / "simlib"
    return base / "results.sqlite3"


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the simlib checkout this code runs from, or None (not a checkout, no git)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and len(sha) == 40 else None


def _pack_samples(x: np.ndarray) -> bytes | None:
    return zlib.compress(np.asarray(x, dtype="<f8").tobytes()) if len(x) else None


def _unpack_samples(blob: bytes | None) -> np.ndarray:
    return np.frombuffer(zlib.decompress(blob), dtype="<f8") if blob else np.empty(0)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=False, separators=(",", ":"))


def _uid(rec: dict[str, Any]) -> str:
    h = hashlib.sha256(_dumps({k: rec[k] for k in ("payload", "created_utc", "kind")}).encode())
    h.update(np.asarray(rec["samples"], dtype="<f8").tobytes())
    return h.hexdigest()


def _parse_date(name: str, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        d = _dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"The {name!r} parameter of {_OWN}.list must be an ISO date "
                                    f"(YYYY-MM-DD or YYYY-MM-DDTHH:MM). Got {text!r} instead.") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Schema 1 (one JSON text column per run) -> schema 2: every row is copied, none dropped."""
    old = conn.execute("SELECT id, created_utc, data FROM results ORDER BY id").fetchall()
    conn.execute("ALTER TABLE results RENAME TO results_v1")
    _create(conn, index_prefix="v2_")
    for rid, created, data in old:
        d = json.loads(data)
        d.setdefault("stored", {}).setdefault("created_utc", created)
        _insert(conn, to_record(d), rid=rid, kept=created)
    conn.execute("DROP TABLE results_v1")


_MIGRATIONS = {1: _migrate_1_to_2}


def _create(conn: sqlite3.Connection, index_prefix: str = "") -> None:
    """Create the tables statement by statement (executescript would commit the transaction)."""
    for stmt in _SCHEMA.split(";"):
        if stmt.strip():
            conn.execute(stmt.replace("INDEX IF NOT EXISTS ", f"INDEX IF NOT EXISTS {index_prefix}"))


def _insert(conn: sqlite3.Connection, rec: dict[str, Any], rid: int | None = None,
            kept: str | None = None) -> tuple[int, bool]:
    """Insert one record; returns (id, inserted). A record already present keeps its id."""
    uid = _uid(rec)
    row = conn.execute("SELECT id FROM results WHERE uid = ?", (uid,)).fetchone()
    if row:
        return int(row[0]), False
    cols = {"uid": uid, "created_utc": rec["created_utc"], "kept_utc": kept or now_utc(),
            "kind": rec["kind"], "result_type": rec["result_type"],
            **{c: rec.get(c) for c in _COLUMNS},
            "system_json": _dumps(rec["system"]), "settings_json": _dumps(rec["settings"]),
            "summary_json": _dumps(rec["summary"]), "n_samples": len(rec["samples"]),
            "samples": _pack_samples(rec["samples"]),
            "payload": zlib.compress(_dumps(rec["payload"]).encode())}
    if rid is not None:
        cols["id"] = rid
    cur = conn.execute(f"INSERT INTO results ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       tuple(cols.values()))
    return int(cur.lastrowid), True


class ResultStore:
    """The SQLite result store at ``path`` (default :func:`default_path`); a context manager.

    ``messages`` lists what happened when it was opened (a corrupt file moved aside, a
    migration, a read-only open), each also issued as a :class:`StoreWarning`.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.messages: list[str] = []
        self.readonly = False
        if not create and not self.path.exists():
            raise InvalidParameterError(f"The 'path' parameter of {_OWN} must name an existing store "
                                        f"file. Got {str(self.path)!r} instead.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._move_aside_if_corrupt()
        self.conn = self._connect()
        self._prepare()

    # --- opening ------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.messages.append(text)
        warnings.warn(text, StoreWarning, stacklevel=3)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    def _corrupt_reason(self) -> str | None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        with open(self.path, "rb") as f:
            if f.read(len(_HEADER)) != _HEADER:
                return "it is not an SQLite database"
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30.0)
            try:
                res = conn.execute("PRAGMA quick_check").fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as err:
            return f"SQLite cannot read it ({err})"
        if res != [("ok",)]:
            return f"PRAGMA quick_check reports {res[0][0]!r}"
        return None

    def _move_aside_if_corrupt(self) -> None:
        reason = self._corrupt_reason()
        if reason is None:
            return
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:  # another process moved it first
            return
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        self._say(f"The result store {self.path} was unreadable ({reason}); it was moved to {aside} "
                  "(nothing was deleted) and a new, empty store was started. To recover rows from "
                  f"the old file, try: sqlite3 {aside} .recover")

    def _prepare(self) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.readonly = True
            self.conn.close()
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30.0)
            self._say(f"The result store {self.path} was written by a newer simlib (schema {version}, "
                      f"this simlib knows {SCHEMA_VERSION}); it is opened read-only and left as it is. "
                      "Upgrade simlib to keep new results in it, or set SIMLIB_STORE to another file.")
            return
        if version == SCHEMA_VERSION:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            cols = {r[1] for r in conn.execute("PRAGMA table_info(results)")}
            if version < SCHEMA_VERSION and (tables - {"results", "sqlite_sequence"}
                                             or (tables and not {"id", "created_utc", "data"} <= cols)):
                raise InvalidParameterError(
                    f"The 'path' parameter of {_OWN} must be a simlib result store. Got {str(self.path)!r}, "
                    f"an SQLite database with other tables {sorted(tables)}, instead; it was left as it is. "
                    "Set SIMLIB_STORE to another file.")
            if version == 0 and not tables:
                _create(conn)
            elif version < SCHEMA_VERSION:
                old = version or 1
                for v in range(old, SCHEMA_VERSION):
                    _MIGRATIONS[v](conn)
                self.messages.append(f"migrated the result store {self.path} from schema {old} "
                                     f"to {SCHEMA_VERSION}; every row was kept")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            conn.close()
            raise
        conn.execute("PRAGMA journal_mode = WAL")

    # --- writing ------------------------------------------------------------------------------
    def _write(self, records: list[dict[str, Any]]) -> list[tuple[int, bool]]:
        if self.readonly:
            raise InvalidParameterError(f"The 'path' parameter of {_OWN} names a store written by a newer "
                                        f"simlib, opened read-only. Got {str(self.path)!r} instead.")
        commit = git_commit()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            out = []
            for rec in records:
                rec.setdefault("git_commit", None)
                rec["git_commit"] = rec["git_commit"] or (commit if rec.get("_here") else None)
                out.append(_insert(self.conn, rec))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return out

    @validate_params({"note": [None, str]}, owner=f"{_OWN}.keep")
    def keep(self, result: Any, note: str | None = None) -> int:
        """Keep one result (any simlib result, or its dict); returns its id in this store."""
        rec = to_record(result)
        rec.update(note=note, _here=True, simlib_version=rec["simlib_version"] or _version())
        return self._write([rec])[0][0]

    def add_records(self, records: list[dict[str, Any]]) -> list[tuple[int, bool]]:
        """Insert records in one transaction: (id, inserted) each; a duplicate keeps its old id."""
        return self._write(records)

    # --- reading ------------------------------------------------------------------------------
    def _row(self, row: sqlite3.Row | tuple, names: list[str], full: bool) -> dict[str, Any]:
        d = dict(zip(names, row, strict=True))
        d["summary"] = json.loads(d.pop("summary_json"))
        if full:
            d["system"] = json.loads(d.pop("system_json"))
            d["settings"] = json.loads(d.pop("settings_json"))
            d["samples"] = _unpack_samples(d["samples"])
            d["payload"] = json.loads(zlib.decompress(d["payload"]))
        return d

    @validate_params({"result_id": int}, owner=f"{_OWN}.get")
    def get(self, result_id: int) -> dict[str, Any]:
        """The full record of ``result_id`` (samples as a float array, s)."""
        cur = self.conn.execute("SELECT * FROM results WHERE id = ?", (result_id,))
        row = cur.fetchone()
        if row is None:
            ids = [r[0] for r in self.conn.execute("SELECT id FROM results ORDER BY id DESC LIMIT 5")]
            hint = f"one of the ids in the store (latest: {ids})" if ids else "an id in the store (it is empty)"
            raise InvalidParameterError(f"The 'id' parameter of simlib results must be {hint}. "
                                        f"Got {result_id!r} instead.")
        return self._row(row, [c[0] for c in cur.description], full=True)

    @validate_params({"kind": [None, Options(("measured", "modeled"))], "limit": [None, int]},
                     owner=f"{_OWN}.list")
    def list(self, *, model: str | None = None, scenario: str | None = None, machine: str | None = None,
             kind: str | None = None, since: str | None = None, until: str | None = None,
             limit: int | None = None) -> list[dict[str, Any]]:
        """Rows (without samples) oldest first; ``machine`` matches a substring; dates are ISO."""
        where, args = [], []
        for col, val in (("model", model), ("scenario", scenario)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        if machine is not None:
            where.append("machine LIKE ?")
            args.append(f"%{machine}%")
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        for op, val in ((">=", _parse_date("since", since)), ("<", _parse_date("until", until))):
            if val is not None:
                where.append(f"created_utc {op} ?")
                args.append(val)
        sql = ("SELECT id, created_utc, kind, result_type, name, model, scenario, precision, backend, "
               "machine, n_samples, summary_json, simlib_version, git_commit, note FROM results"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_utc, id")
        cur = self.conn.execute(sql, args)
        names = [c[0] for c in cur.description]
        rows = [self._row(r, names, full=False) for r in cur.fetchall()]
        return rows[-limit:] if limit else rows

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _version() -> str:
    from simlib import __version__

    return __version__

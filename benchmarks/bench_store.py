#!/usr/bin/env python3
"""Write and read 1,000 results: the SQLite store against plain JSON files in a folder.

    nice -n 10 .venv/bin/python benchmarks/bench_store.py [--n 1000] [--samples 500]

Baseline (same run, same results): ``save_json`` of each result's ``to_dict()`` into a folder
(one atomic file per result, what ``Result.save(path)`` does), then ``json.load`` of each file.
Store: ``ResultStore.keep`` of each result (one transaction each, as ``--save`` does), then
``list()`` and ``get()`` of each; and all of them in one transaction (``add_records``, as
``simlib results import`` does). Prints seconds and the store/baseline ratio (lower is faster)
and the bytes on disk. Timings on a shared machine are noisy; the ratio is the number to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simlib.measure.result import Result, save_json  # noqa: E402
from simlib.store import ResultStore  # noqa: E402
from simlib.store.records import to_record  # noqa: E402


def _results(n: int, n_samples: int) -> list[Result]:
    rng = np.random.default_rng(0)
    sysd = {"hardware": {"cpu": {"model": "bench CPU", "logical_cores": 2}}, "software": {}}
    return [Result(name=f"run {i}", kind="measured", samples_s=0.01 * rng.lognormal(0, 0.2, n_samples),
                   system=sysd, settings={"requested": {}, "effective": {"model": "cnn", "i": i}})
            for i in range(n)]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=500)
    args = ap.parse_args()
    results = _results(args.n, args.samples)
    dicts = [r.to_dict() for r in results]  # summaries computed once, outside both timings
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        for i, d in enumerate(dicts):
            save_json(d, tmp / "json" / f"{i:05d}.json")
        t_json_w = time.perf_counter() - t0
        t0 = time.perf_counter()
        loaded = [json.loads(p.read_text()) for p in sorted((tmp / "json").glob("*.json"))]
        t_json_r = time.perf_counter() - t0
        assert len(loaded) == args.n
        with ResultStore(tmp / "db" / "results.sqlite3") as st:
            t0 = time.perf_counter()
            for d in dicts:
                st.keep(d)
            t_db_w = time.perf_counter() - t0
            t0 = time.perf_counter()
            got = [st.get(r["id"]) for r in st.list()]
            t_db_r = time.perf_counter() - t0
            assert len(got) == args.n and len(got[-1]["samples"]) == args.samples
            st.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with ResultStore(tmp / "db2" / "results.sqlite3") as st2:
            t0 = time.perf_counter()
            st2.add_records([to_record(d) for d in dicts])
            t_db_batch = time.perf_counter() - t0
        print(f"{args.n} results x {args.samples} samples")
        print(f"write: JSON files {t_json_w:.2f} s, store {t_db_w:.2f} s, ratio store/JSON {t_db_w / t_json_w:.2f}")
        print(f"write in one transaction (as import does): store {t_db_batch:.2f} s, "
              f"ratio store/JSON {t_db_batch / t_json_w:.2f}")
        print(f"read:  JSON files {t_json_r:.2f} s, store {t_db_r:.2f} s, ratio store/JSON {t_db_r / t_json_r:.2f}")
        print(f"disk:  JSON files {_size(tmp / 'json') / 1e6:.1f} MB, store {_size(tmp / 'db') / 1e6:.1f} MB, "
              f"ratio {_size(tmp / 'db') / _size(tmp / 'json'):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

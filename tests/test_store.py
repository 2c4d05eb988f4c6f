"""The result store: keeping, concurrency, corruption, old and new schemas, export/import, analysis."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from simlib._validate import InvalidParameterError
from simlib.measure.loadgen import RunResult
from simlib.measure.result import Result
from simlib.store import (
    ResultStore,
    StoreWarning,
    change_point,
    compare_stored,
    export_results,
    history,
    import_results,
    keep,
)
from simlib.store.db import SCHEMA_VERSION
from simlib.store.gallery import gallery_html, machine_key, machine_rows

ROOT = Path(__file__).resolve().parents[1]


def system(cpu="Test CPU 9000", cores=8, gpu=None):
    gpu_probe = {"available": bool(gpu), "devices": [{"index": 0, "name": gpu}] if gpu else []}
    return {"timestamp_utc": "2026-01-01T00:00:00+00:00", "simlib_version": "0.1.0", "budget": "quick",
            "hardware": {"cpu": {"model": cpu, "logical_cores": cores}, "memory": {"total_bytes": 2**34},
                         "gpu": gpu_probe},
            "software": {"kernel": "6.1", "python": "3.11.7"}}


def run(scenario="singlestream", precision="fp32", median_s=0.010, n=200, seed=0, sys_desc=None,
        verdict="VALID", qps=None, model="cnn"):
    rng = np.random.default_rng(seed)
    samples = median_s * rng.lognormal(0, 0.1, n)
    metrics = {"scenario": scenario, "verdict": verdict, "qps_completed": qps or 1 / median_s}
    return RunResult(name=f"{scenario} {model} {precision}", kind="measured", samples_s=samples,
                     system=sys_desc or system(), metrics=metrics,
                     settings={"requested": {}, "effective": {"model": model, "precision": precision,
                                                              "backend": "onnxruntime"}})


@pytest.fixture(autouse=True)
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "store" / "results.sqlite3"
    monkeypatch.setenv("SIMLIB_STORE", str(path))
    return path


def test_keep_round_trip_of_each_result_type(store_path):
    from simlib.queueing import Poisson, simulate

    sim = simulate(Poisson(50), "exp:10ms", n_requests=500, seed=1)
    r = run()
    comparison = {"kind": "measured vs modeled", "rows": [{"measured_qps": 40.0, "saturated": False}],
                  "calibration": {"capacity_qps": 90.0}, "settings": {"model": "cnn"}, "system": system(),
                  "findings": [], "warnings": [], "energy": {}}
    ids = [keep(r), keep(sim), keep(comparison, note="from a dict")]
    with ResultStore() as st:
        a, b, c = (st.get(i) for i in ids)
        assert len(st) == 3
    assert a["result_type"] == "RunResult" and a["kind"] == "measured"
    np.testing.assert_array_equal(a["samples"], r.samples_s)
    assert a["system"] == r.system and a["model"] == "cnn" and a["scenario"] == "singlestream"
    assert b["kind"] == "modeled" and b["n_samples"] == sim.completed
    assert b["summary"]["p99_s"] == pytest.approx(sim.percentile(99))
    assert b["system"]["hardware"]  # a modeled result still says which machine computed it
    assert c["result_type"] == "Comparison" and c["summary"]["capacity_qps"] == 90.0 and c["note"] == "from a dict"
    assert keep(r) == ids[0]  # the same run kept twice is one row


def test_result_save_without_path_keeps_it(store_path, tmp_path):
    r = run()
    rid = r.save()
    assert isinstance(rid, int)
    assert Path(r.save(tmp_path / "r.json")).exists()  # a path still writes the JSON file
    with ResultStore() as st:
        assert st.get(rid)["name"] == r.name


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from simlib.measure.result import Result
    from simlib.store import ResultStore
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.005)
    for i in range(40):
        with ResultStore(sys.argv[1]) as st:
            st.keep(Result(name=f"{sys.argv[3]}-{i}", kind="measured", samples_s=[0.01 + i * 1e-4] * 50,
                           system={}))
""")


@pytest.mark.slow
def test_two_processes_write_at_once(tmp_path):
    path, go = tmp_path / "c.sqlite3", tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(go), tag], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    go.touch()
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    with ResultStore(path) as st:
        names = [r["name"] for r in st.list()]
        assert sorted(names) == sorted([f"{t}-{i}" for t in "ab" for i in range(40)])
        assert st.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("damage", ["not a database", "truncated"])
def test_corrupt_store_is_moved_aside_not_overwritten(store_path, damage):
    keep(run())
    if damage == "not a database":
        store_path.write_bytes(b"these are my notes, not a database\n" * 100)
    else:  # a real database whose pages were cut off
        data = store_path.read_bytes()
        for side in ("-wal", "-shm"):
            store_path.with_name(store_path.name + side).unlink(missing_ok=True)
        store_path.write_bytes(data[:100] + b"\x00" * 5000)
    before = store_path.read_bytes()
    with pytest.warns(StoreWarning, match="moved to .*corrupt"):
        st = ResultStore()
    with st:
        assert len(st) == 0 and st.keep(run()) == 1
        assert "nothing was deleted" in st.messages[0]
    aside = list(store_path.parent.glob("results.sqlite3.corrupt-*"))
    assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [before]


def test_old_schema_store_is_migrated_keeping_every_row(store_path):
    store_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(store_path)
    conn.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, created_utc TEXT, data TEXT)")
    old = [run(seed=1), run(seed=2, precision="int8")]
    for i, r in enumerate(old, start=7):
        conn.execute("INSERT INTO results VALUES (?, ?, ?)", (i, f"2025-0{i - 5}-01T00:00:00+00:00", r.to_json()))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with ResultStore() as st:
        assert any("migrated" in m and "every row was kept" in m for m in st.messages)
        assert [r["id"] for r in st.list()] == [7, 8]
        np.testing.assert_array_equal(st.get(8)["samples"], old[1].samples_s)
        assert st.get(7)["created_utc"].startswith("2025-02-01")
        assert st.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert st.keep(run(seed=3)) == 9


def test_store_from_a_newer_simlib_is_read_as_is(store_path):
    keep(run())
    with ResultStore() as st:
        st.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.warns(StoreWarning, match="newer simlib"):
        st = ResultStore()
    with st:
        assert st.readonly and len(st.list()) == 1
        with pytest.raises(InvalidParameterError, match="'path' parameter of ResultStore"):
            st.keep(run(seed=5))


def test_export_import_round_trip(store_path, tmp_path):
    from simlib.measure import Settings, run_scenario
    from simlib.queueing import SimulatedSUT

    ids = [keep(run(seed=i)) for i in range(3)]
    ids.append(keep(run_scenario(SimulatedSUT("exp:10ms", seed=2), Settings("server", qps=40, min_query_count=300),
                                 progress=False)))
    with ResultStore() as st:
        files = export_results(st, tmp_path / "out")
        originals = [st.get(i) for i in ids]
    assert len(files) == 4
    # the usual Result format
    assert np.array_equal(Result.load(files[0]).samples_s, np.asarray(originals[0]["samples"]))
    with ResultStore(tmp_path / "other.sqlite3") as other:
        rep = import_results(other, [tmp_path / "out"])
        assert len(rep["imported"]) == 4 and not rep["skipped"]
        for orig, new_id in zip(originals, rep["imported"], strict=True):
            new = other.get(new_id)
            for k in ("kind", "result_type", "name", "machine", "created_utc", "system", "settings",
                      "summary", "payload", "git_commit", "simlib_version"):
                assert new[k] == orig[k], k
            np.testing.assert_array_equal(new["samples"], orig["samples"])
        again = import_results(other, files)
        assert again["imported"] == [] and len(again["already"]) == 4
    with ResultStore() as st:  # exporting again leaves identical files alone
        assert export_results(st, tmp_path / "out") == files


def test_import_reports_a_bad_file_and_imports_the_rest(store_path, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    run(seed=1).save(folder / "good.json")
    (folder / "broken.json").write_text("{not json")
    (folder / "other.json").write_text(json.dumps({"hello": 1}))
    with ResultStore() as st:
        rep = import_results(st, folder)
    assert len(rep["imported"]) == 1
    reasons = dict(rep["skipped"])
    assert "The 'file' parameter of simlib results import" in reasons[str(folder / "broken.json")]
    assert "The 'result' parameter of simlib.store" in reasons[str(folder / "other.json")]


def test_compare_reports_verdict_interval_effect_and_system_difference(store_path):
    a = keep(run(median_s=0.010, seed=1))
    b = keep(run(median_s=0.012, seed=2, sys_desc=system(cores=16)))
    with ResultStore() as st:
        out = compare_stored(st.get(a), st.get(b))
    assert out["significant"] and out["practical"] and out["cohens_d"] > 1
    assert out["difference_s"]["low"] > 0 and "significant" in out["verdict"]
    assert out["system_differences"] == [{"key": "hardware.cpu.logical_cores", "a": 8, "b": 16}]
    assert out["same_settings"]


def test_change_point_false_alarms_are_rare_and_shifts_are_found():
    rng = np.random.default_rng(3)
    alarms = sum(change_point(rng.normal(10, 1, 12), seed=i, n_permutations=500)["significant"]
                 for i in range(40))
    assert alarms <= 6  # 5% level: ~2 expected of 40; 6 has probability < 2%
    found = [change_point(np.r_[rng.normal(10, 1, 8), rng.normal(13, 1, 8)], seed=i,
                          n_permutations=500) for i in range(10)]
    assert sum(f["significant"] for f in found) >= 9
    assert all(abs(f["index"] - 8) <= 1 for f in found if f["significant"])


def test_history_flags_the_run_where_p99_changed(store_path):
    for i in range(6):
        keep(run(median_s=0.010, seed=i))
    for i in range(6):
        keep(run(median_s=0.014, seed=10 + i))
    with ResultStore() as st:
        out = history(st.list(model="cnn"), "p99")
        with pytest.raises(InvalidParameterError, match="'metric' parameter of simlib results history"):
            history(st.list(), "p42")
    flagged = [p["id"] for p in out["points"] if p["change_point"]]
    assert flagged == [7] and out["change"]["after_mean"] > out["change"]["before_mean"]


def test_list_filters_and_bad_filters(store_path):
    keep(run(seed=1))
    keep(run(seed=2, sys_desc=system(cpu="Other CPU")))
    keep(run(seed=3, scenario="server"))
    with ResultStore() as st:
        assert len(st.list(machine="Other")) == 1 and len(st.list(scenario="server")) == 1
        assert len(st.list(since="2000-01-01")) == 3 and st.list(until="2000-01-01") == []
        with pytest.raises(InvalidParameterError, match="'since' parameter of ResultStore.list must be an ISO date"):
            st.list(since="last tuesday")
        with pytest.raises(InvalidParameterError, match="'kind' parameter"):
            st.list(kind="guessed")
        with pytest.raises(InvalidParameterError, match="'id' parameter of simlib results must be one of the ids"):
            st.get(99)


def _class_records():
    recs = []
    for cpu, med, gpu in (("Laptop CPU A", 0.010, None), ("Desktop CPU B", 0.006, "NVIDIA Test GPU")):
        sd = system(cpu=cpu, gpu=gpu)
        recs += [run(median_s=med, sys_desc=sd, seed=1), run(median_s=med / 2, precision="int8", sys_desc=sd, seed=2),
                 run(scenario="server", qps=0.5 / med, sys_desc=sd, seed=3),
                 run(scenario="server", qps=0.9 / med, sys_desc=sd, seed=4, verdict="INVALID")]
    return recs


def test_gallery_rows_and_page(store_path):
    ids = [keep(r) for r in _class_records()]
    with ResultStore() as st:
        recs = [st.get(i) for i in ids]
    rows = machine_rows(recs)
    assert [r["machine"] for r in rows] == ["Desktop CPU B + NVIDIA Test GPU", "Laptop CPU A"]
    assert not any(r["reference"] for r in rows)
    laptop = rows[1]["metrics"]
    assert laptop["int8_speedup"]["value"] == pytest.approx(2.0, rel=0.1)
    lo, hi = laptop["int8_speedup"]["ci"]
    assert lo < laptop["int8_speedup"]["value"] < hi
    assert laptop["server_capacity_qps"]["value"] == pytest.approx(50.0)  # the VALID run, not the INVALID one
    page = gallery_html(recs, highlight=machine_key(recs[0]["system"]))
    assert page.count("<tr class='machine'") == 2 and "(you)" in page and "http" not in page


def test_bundled_reference_set_is_small_labeled_and_loads():
    from simlib.store.bundled import REFERENCE_DIR, reference_records

    files = list(REFERENCE_DIR.glob("*.json"))
    assert files and sum(f.stat().st_size for f in files) < 400_000
    recs = reference_records()
    assert all(r["note"].startswith("reference set: measured on") and r["system"]["hardware"] for r in recs)
    rows = machine_rows(recs)
    assert rows and all({"singlestream_p90_s", "peak_fp32_flops"} <= set(r["metrics"]) for r in rows)


def cli(capsys, *args):
    """``simlib ARGS`` in this process: (returncode, stdout, stderr)."""
    from types import SimpleNamespace

    from simlib.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def _strict(text):
    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=no_constants)


def test_cli_json_is_strict_and_errors_have_one_shape(store_path, tmp_path, capsys):
    r = run(seed=1)
    r.metrics["energy_j"] = float("nan")  # not finite: must come out as null
    keep(r)
    keep(run(seed=2))
    for args in (["list"], ["show", "1"], ["compare", "1", "2"], ["history", "--metric", "p50"],
                 ["export", str(tmp_path / "ex")], ["gallery", "--out", str(tmp_path / "g.html")]):
        out = cli(capsys, "results", *args, "--json")
        assert out.returncode == 0, out.stderr
        _strict(out.stdout)
    assert _strict(cli(capsys, "results", "show", "1", "--json").stdout)["metrics"]["energy_j"] is None
    bad = cli(capsys, "results", "show", "42")
    assert bad.returncode == 2
    # the CLI's one error shape: one line, "simlib <command>: <parameter>: ...; allowed: ..."
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("simlib results: id: The 'id' parameter")
    assert "; allowed: " in bad.stderr
    bad = cli(capsys, "results", "list", "--since", "yesterday")
    assert bad.returncode == 2 and "The 'since' parameter" in bad.stderr
    bad = cli(capsys, "results", "import", str(tmp_path / "missing"))
    assert bad.returncode == 2 and "The 'paths' parameter of simlib results import" in bad.stderr


def test_simulate_save_keeps_the_modeled_result(store_path, capsys):
    out = cli(capsys, "simulate", "--qps", "40", "--service", "exp:10ms", "--requests", "300", "--save", "--json")
    assert out.returncode == 0, out.stderr
    _strict(out.stdout)  # the kept-message goes to stderr, stdout stays JSON
    assert "kept as result 1" in out.stderr
    with ResultStore() as st:
        (row,) = st.list()
        assert row["kind"] == "modeled" and row["n_samples"] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a healthy store opens without any warning
        ResultStore().close()


def test_compare_with_last_keeps_only_when_asked(store_path):
    from simlib.store.notebook import compare_with_last

    assert "no store yet" in compare_with_last(run(seed=1)) and not store_path.exists()
    first = compare_with_last(run(seed=1), keep=True)
    assert first.startswith("Kept as result 1") and "nothing to compare yet" in first
    second = compare_with_last(run(seed=2, median_s=0.013), keep=True)
    assert second.startswith("Kept as result 2") and "last kept run of it is result 1" in second
    assert "statistically significant change of +" in second
    looked = compare_with_last(run(seed=3, median_s=0.013))
    assert looked.startswith("Not kept") and "result 2" in looked
    with ResultStore() as st:
        assert len(st) == 2  # looking did not keep


def test_where_you_fall_words_follow_the_intervals():
    from simlib.store.notebook import where_you_fall, where_you_fall_text
    from simlib.store.records import to_record

    mine = [to_record(run(median_s=0.020, sys_desc=system(cpu="Mine")))]
    others = [to_record(run(median_s=0.010, sys_desc=system(cpu="Fast"))),
              to_record(run(median_s=0.020, seed=7, sys_desc=system(cpu="Twin")))]
    (row,) = where_you_fall(mine, others)
    verdicts = {o["machine"]: o["this_machine"] for o in row["others"]}
    assert verdicts == {"Fast": "higher", "Twin": "same"} and row["better"] == "lower"
    assert "not clearly different" in where_you_fall_text([row])


def test_a_measured_roofline_can_be_kept(store_path):
    from simlib.measure.roofline import measure_roofline

    rid = keep(measure_roofline(sizes=[64], dtypes=("fp32",)))
    with ResultStore() as st:
        rec = st.get(rid)
    assert rec["name"] == "empirical roofline" and rec["kind"] == "measured"
    assert rec["summary"]["peak_fp32_flops"] > 0 and rec["summary"]["bandwidth_bytes_per_s"] > 0
    assert rec["system"]["hardware"]["cpu"]  # described at keep time, on the machine that measured it
    assert machine_rows([rec])[0]["metrics"]["peak_fp32_flops"]["ci"] is not None


def test_measure_save_keeps_the_run_with_its_description(store_path, capsys):
    out = cli(capsys, "measure", "--model", "digits", "--duration-s", "0.3", "--save", "--json")
    assert out.returncode in (0, 1), out.stderr  # 1: an INVALID run is still a kept run
    printed = _strict(out.stdout)
    with ResultStore() as st:
        (row,) = st.list()
        rec = st.get(row["id"])
    assert (rec["model"], rec["scenario"], rec["precision"], rec["backend"]) == ("digits", "singlestream", "fp32", "onnxruntime")
    assert rec["system"] == printed["system"] and list(rec["samples"]) == printed["samples_s"]
    from simlib import __version__
    from simlib.store.db import git_commit

    assert rec["simlib_version"] == __version__ and rec["git_commit"] == git_commit()
    assert git_commit() is None or len(git_commit()) == 40  # a checkout: its commit is recorded


def test_someone_elses_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "app.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('Ada')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(InvalidParameterError, match="must be a simlib result store.*left as it is"):
        ResultStore(path)
    assert path.read_bytes() == before


def test_import_refuses_an_empty_path_and_a_folder_of_non_results(store_path, tmp_path, capsys):
    (tmp_path / "notes.json").write_text('{"a": 1}')
    bad = cli(capsys, "results", "import", "")
    assert bad.returncode == 2 and "empty path" in bad.stderr  # never the whole current folder
    bad = cli(capsys, "results", "import", str(tmp_path))
    assert bad.returncode == 2 and "none of the 1 file(s) is a simlib result" in bad.stderr

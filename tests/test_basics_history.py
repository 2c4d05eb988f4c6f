"""simlib.basics.history: the benchmark history file, its validation, tables, timeline and derived numbers."""

from __future__ import annotations

import matplotlib
import pytest
import yaml

from simlib._validate import InvalidParameterError
from simlib.basics.history import (
    DATA,
    derived_numbers,
    history_table,
    load_history,
    timeline_figure,
)

matplotlib.use("Agg")

#: The source's Table 2 as printed (seed lines 85-92): benchmark -> (year, key metric).
SOURCE_TABLE_2 = {
    "Whetstone": (1976, "MWIPS"),
    "LINPACK": (1979, "FLOP/s"),
    "SPEC CPU": (1989, "SPECrate, SPECspeed"),
    "SPEC Power": (2007, "ssj_ops/W across load levels"),
    "Green500": (2007, "GFLOP/s per watt"),
    "MLPerf": (2018, "Time-to-quality, QPS, latency, accuracy"),
}
#: The source's Table 1 (seed lines 77-82): variant -> primary metrics.
SOURCE_TABLE_1 = {
    "MLPerf Training": "Time-to-quality, throughput (samples/sec)",
    "MLPerf Inference": "QPS, latency percentiles, accuracy preservation",
    "MLPerf Tiny": "Latency, accuracy, energy per inference",
    "MLPerf Power": "Performance/W, energy per query",
}


def test_history_holds_every_benchmark_the_source_names():
    h = load_history()
    names = {b.name for b in h}
    assert set(SOURCE_TABLE_2) | set(SOURCE_TABLE_1) | {"DAWNBench"} <= names
    assert any(b.id == "top500" for b in h)
    assert len({b.id for b in h}) == len(h)
    assert all(b.citation and b.missed and b.unit for b in h)


def test_tables_reproduce_the_source_tables():
    t2 = history_table("progression")
    assert {r[0]: (int(r[1]), r[3]) for r in t2.rows} == SOURCE_TABLE_2
    assert [r[0] for r in t2.rows] == list(SOURCE_TABLE_2)  # the source's order
    t1 = history_table("mlperf")
    assert {r[0]: r[2] for r in t1.rows} == SOURCE_TABLE_1
    assert "<table>" in t1._repr_html_() and "MLPerf Tiny" in str(t1)


def test_full_table_sorted_and_filtered():
    full = history_table("full")
    years = [int(r[1].rstrip("*")) for r in full.rows]
    assert years == sorted(years)
    assert any(r[1].endswith("*") for r in full.rows)  # years from outside the source are marked
    energy = history_table("full", category="energy")
    assert {r[2] for r in energy.rows} == {"energy"} and len(energy.rows) == 3
    with pytest.raises(InvalidParameterError, match="category"):
        history_table("full", category="gaming")


def test_derived_numbers():
    d = derived_numbers()
    assert d["spec_power_load_levels_count"] == len(range(0, 101, 10)) == 11  # footnote 5: 11 load levels
    assert d["linpack_to_top500_years"] == 1993 - 1979  # footnote 3
    assert d["whetstone_to_mlperf_years"] == 2018 - 1976
    assert d["stage_order"] == [2, 3, 4, 1]  # the self-check's order of the four stages
    assert d["power_orders_of_magnitude"] == pytest.approx(9.0)  # "nine orders of magnitude" (assumed scales)


def test_timeline_figure_shows_every_benchmark():
    h = load_history()
    fig = timeline_figure(h)
    ax = fig.axes[0]
    assert ax.get_title().startswith("SOURCE DATA") and "year" in ax.get_xlabel()
    points = [line for line in ax.lines if len(line.get_xdata()) == 1]
    assert len(points) == len(h)
    lo, hi = ax.get_xlim()
    assert all(lo < line.get_xdata()[0] < hi for line in points)
    assert {t.get_text() for t in ax.texts} == {b.name for b in h}


def _write(tmp_path, entries):
    p = tmp_path / "h.yaml"
    p.write_text(yaml.safe_dump({"benchmarks": entries}))
    return p


def _entry(**over):
    doc = yaml.safe_load(DATA.read_text())["benchmarks"][0]
    doc.update(over)
    return doc


@pytest.mark.parametrize("over,field", [
    ({"year": "1976"}, "year"),
    ({"year": 1850}, "year"),
    ({"category": "gaming"}, "category"),
    ({"citation": ""}, "citation"),
    ({"year_basis": "outside"}, "year_note"),
    ({"load_levels_percent": [0, 50, 40]}, "load_levels_percent"),
    ({"typical_power_w": "1.0e6"}, "typical_power_w"),  # YAML 1.1 reads 1.0e6 as a string
    ({"colour": "red"}, "colour"),
])
def test_malformed_entries_name_file_entry_and_field(tmp_path, over, field):
    with pytest.raises(InvalidParameterError, match=rf"h\.yaml: entry 0 \(whetstone\): field '{field}'"):
        load_history(_write(tmp_path, [_entry(**over)]))


def test_missing_field_and_duplicate_id(tmp_path):
    e = _entry()
    del e["missed"]
    with pytest.raises(InvalidParameterError, match="'missed' is missing"):
        load_history(_write(tmp_path, [e]))
    with pytest.raises(InvalidParameterError, match="repeats"):
        load_history(_write(tmp_path, [_entry(), _entry()]))
    (tmp_path / "e.yaml").write_text("benchmarks: []\n")
    with pytest.raises(InvalidParameterError, match="benchmarks"):
        load_history(tmp_path / "e.yaml")

"""``simlib benchmark`` and ``simlib verdict``: exit codes, the one-line refusal, nothing overwritten."""

from __future__ import annotations

import json
import re

import pytest

from simlib.cli import main

ONE_LINE = re.compile(r"^simlib \w+: [^\n]+\n$")


def _files(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"runs_s": [[1.0, 1.1], [1.2, 1.0], [1.0, 1.0], [1.1, 1.1], [1.05, 1.0]]}))
    b.write_text(json.dumps({"runs_s": [[2.0, 2.1], [2.2, 2.0], [2.0, 2.0], [2.1, 2.1], [2.05, 2.0]]}))
    return a, b


def test_verdict_text_and_json(tmp_path, capsys):
    a, b = _files(tmp_path)
    assert main(["verdict", str(a), str(b)]) == 0
    assert "B is slower than A" in capsys.readouterr().out
    assert main(["verdict", str(a), str(b), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["faster"] == "A" and d["kind"] == "comparison"


@pytest.mark.parametrize("content", [None, "not json", json.dumps({"summary": {}})])
def test_verdict_bad_input(tmp_path, capsys, content):
    a, _ = _files(tmp_path)
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert main(["verdict", str(a), str(bad)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and ONE_LINE.match(cap.err), cap.err


def test_benchmark_refuses_to_overwrite_and_bad_model(tmp_path, capsys):
    out = tmp_path / "mine.json"
    out.write_text("keep me")
    assert main(["benchmark", "--out", str(out)]) == 2
    assert out.read_text() == "keep me"
    assert ONE_LINE.match(capsys.readouterr().err)
    assert main(["benchmark", "--model", "resnet"]) == 2
    assert ONE_LINE.match(capsys.readouterr().err)


def test_benchmark_writes_a_file_verdict_reads(tmp_path, capsys):
    out = tmp_path / "d.json"
    assert main(["benchmark", "--duration-s", "0.2", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed["components"]["model"]["name"] == "digits" and saved["samples_s"]
    assert set(saved["components"]) >= {"problem", "dataset", "model", "metrics", "harness", "system", "run_rules"}
    assert main(["verdict", str(out), str(out)]) == 0

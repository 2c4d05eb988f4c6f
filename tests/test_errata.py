"""Errata: each entry recomputes its value with the simlib function the chapters use."""

from __future__ import annotations

import pytest

from simlib import errata


@pytest.mark.parametrize("e", errata.ERRATA, ids=lambda e: e.id)
def test_each_entry_is_a_real_slip(e):
    assert e.is_slip, f"{e.id}: printed {e.printed} matches the computed {e.correct}"
    assert "seed line" in e.where and e.note and e.unit


def test_bert_batch32_uses_roofline():
    assert errata.get("bert-roofline-batch32").correct == pytest.approx(265.2)


def test_bert_fp16_weight_bytes():
    assert errata.get("bert-roofline-fp16-bytes").correct == pytest.approx(100.0)


def test_mobilenetv2_flop_count():
    # ~300.9 M multiply-accumulates -> ~602 MFLOP
    assert errata.get("mobilenetv2-compute-flop").correct == pytest.approx(602, rel=0.01)


def test_unknown_and_duplicate():
    with pytest.raises(KeyError, match="known"):
        errata.get("nope")
    with pytest.raises(ValueError, match="duplicate"):
        errata.register(errata.ERRATA[0])


@pytest.mark.parametrize("e", errata.ERRATA, ids=lambda e: e.id)
def test_notes_fill_in_their_computed_numbers(e):
    text = e.note_text
    assert "{" not in text and "}" not in text

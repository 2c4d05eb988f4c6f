"""Every bank parses and is sound; a malformed entry names the file, the question and the field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from simlib.exercises.bank import BANK_DIR, BankError, giveaways, validate_bank
from simlib.exercises.questions import Choice, Numeric

BANKS = sorted(BANK_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_bank_is_valid(path):
    bank = validate_bank(path, seeds=20)  # parses, computes every numeric answer for 20 readers
    assert bank.chapter == path.stem, "a bank file is named after its chapter id"
    for q in bank:
        assert q.explanation and q.objective
        if isinstance(q, Choice):
            assert len(q.correct) == 1 or q.multiple
        if isinstance(q, Numeric):
            inst = q.instantiate(seed=7)
            assert q.check(inst.answer, inst).correct


def test_howto_bank_has_every_type():
    types = {q.type for q in validate_bank(BANK_DIR / "howto.yaml")}
    assert types == {"choice", "truefalse", "numeric", "fill", "ordering", "short"}


GOOD = {"id": "q1", "type": "choice", "objective": "o", "prompt": "p", "explanation": "e",
        "choices": [{"text": "a", "correct": True}, "b"]}


def write(tmp_path: Path, *questions: dict) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"chapter": "bad", "questions": list(questions)}))
    return path


@pytest.mark.parametrize("change, field", [
    ({"explanation": ""}, "explanation"),
    ({"type": "essay"}, "type"),
    ({"choices": ["a", "b"]}, "choices"),  # no correct key
    ({"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "choices"),
    ({"select": "many", "choices": ["a", "b"]}, "choices"),
    ({"hints": "one"}, "hints"),
    ({"colour": "red"}, "colour"),
    ({"type": "truefalse", "choices": None, "answer": "yes"}, "choices"),
])
def test_malformed_entry_names_file_question_and_field(tmp_path, change, field):
    q = {**GOOD, **change}
    with pytest.raises(BankError) as err:
        validate_bank(write(tmp_path, q))
    assert err.value.field == field and err.value.question == "q1"
    assert "bad.yaml" in str(err.value) and "'q1'" in str(err.value) and repr(field) in str(err.value)


NUM = {"id": "n1", "type": "numeric", "objective": "o", "prompt": "{x} ms?", "explanation": "e",
       "units": "ms", "tolerance": {"rel": 0.01}, "params": {"x": {"low": 1, "high": 9}},
       "function": "simlib.exercises.answers:tail_ratio"}


@pytest.mark.parametrize("change, field", [
    ({"tolerance": {"rel": 0}}, "tolerance"),
    ({"units": None}, "units"),
    ({"function": "simlib.nope:f"}, "function"),
    ({"params": {"x": {"low": 5, "high": 1}}}, "params.x"),
    ({"prompt": "{y} ms?"}, "prompt"),
    ({"function": None, "params": None, "answer": "12"}, "answer"),
    ({}, "function"),  # tail_ratio needs median_us and p99_us: computing it fails
])
def test_malformed_numeric(tmp_path, change, field):
    q = {k: v for k, v in {**NUM, **change}.items() if v is not None}
    with pytest.raises(BankError) as err:
        validate_bank(write(tmp_path, q))
    assert (err.value.question, err.value.field) == ("n1", field)


def test_tolerance_too_tight_for_displayed_values(tmp_path):
    q = {**NUM, "prompt": "{median_us} and {p99_us}", "tolerance": {"rel": 1e-9},
         "params": {"median_us": {"low": 1.00001, "high": 1.00009, "step": 0.00001},
                    "p99_us": {"value": 3.0}}}
    with pytest.raises(BankError, match="too tight"):
        validate_bank(write(tmp_path, q))


def test_duplicate_ids(tmp_path):
    with pytest.raises(BankError, match="duplicate"):
        validate_bank(write(tmp_path, GOOD, GOOD))


def test_not_yaml(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("questions: [unclosed")
    with pytest.raises(BankError, match="x.yaml"):
        validate_bank(p)


def test_correct_must_be_a_boolean(tmp_path):
    q = {**GOOD, "choices": [{"text": "a", "correct": "yes"}, {"text": "b", "correct": True}]}
    with pytest.raises(BankError) as err:
        validate_bank(write(tmp_path, q))
    assert err.value.field == "choices[0].correct" and err.value.question == "q1"
    assert "'yes'" in str(err.value)


def test_duplicate_key_in_one_question_is_an_error(tmp_path):
    text = write(tmp_path, GOOD).read_text()
    path = tmp_path / "dup.yaml"
    path.write_text(text.replace("  prompt:", "  explanation: first\n  prompt:", 1))
    with pytest.raises(BankError) as err:
        validate_bank(path)
    assert err.value.field == "explanation" and err.value.question == "q1"
    assert "dup.yaml" in str(err.value) and "twice" in str(err.value)


def test_missing_bank_path_is_a_clear_error(tmp_path):
    from simlib.exercises.bank import load_bank

    with pytest.raises(ValueError, match="'chapter' parameter.*does not exist"):
        load_bank(tmp_path / "nowhere.yaml")


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_no_right_answer_gives_itself_away_by_length(path):
    assert giveaways(validate_bank(path, seeds=1)) == []


def test_a_long_right_answer_is_flagged():
    bank = validate_bank(BANK_DIR / "howto.yaml", seeds=1)  # a fresh copy, not the cached bank
    q = next(q for q in bank if isinstance(q, Choice) and not q.multiple)
    right = min(q.correct)
    long = tuple(c + " because" * 40 if i == right else c for i, c in enumerate(q.choices))
    bank.questions[q.id] = dataclasses.replace(q, choices=long)
    assert len(giveaways(bank)) == 1 and q.id in giveaways(bank)[0]

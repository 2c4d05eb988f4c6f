"""Self-check banks: one YAML file per chapter, parsed and validated into questions.

A bank lives in ``simlib/exercises/banks/<chapter>.yaml``::

    chapter: howto                 # the id chapters pass to show()
    title: How self-checks work
    questions:
      - id: dimension-low-light    # unique in the bank
        type: choice               # choice | truefalse | numeric | fill | ordering | short
        section: dimensions        # groups questions for show_section()
        objective: Tell system, model and data benchmarking apart.
        prompt: Which dimension diagnoses ...?
        select: one                # one (default) | many
        choices:
          - System benchmarking    # a plain string is a wrong choice
          - {text: Data benchmarking, correct: true, feedback: optional, per choice}
        explanation: Shown after answering.
        hints: [optional, shown on request]

Per type: ``truefalse`` has ``answer: true|false``; ``numeric`` has ``units``, ``tolerance:
{abs: x, rel: y}`` and either ``answer: number`` or ``function: module:name`` plus ``params``
(``{low, high, step}``, ``{choices: [...]}`` or ``{value: v}``, used as ``{name}`` in the
prompt); ``fill`` has ``answers: [accepted variants]`` (``case_sensitive: false`` by default);
``ordering`` has ``items`` in the correct order; ``short`` has ``model_answer`` and ``rubric``.

A malformed entry raises :class:`BankError` naming the file, the question id and the field.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simlib._validate import InvalidParameterError

from .questions import TYPES, Choice, FillIn, Numeric, Ordering, Question, ShortAnswer, TrueFalse

__all__ = ["BANK_DIR", "Bank", "BankError", "bank_path", "giveaways", "load_bank", "validate_bank"]

#: A right answer longer than this times its longest distractor gives itself away.
GIVEAWAY_LENGTH_RATIO = 1.4

BANK_DIR = Path(__file__).parent / "banks"
_COMMON = {"id", "type", "prompt", "objective", "explanation", "hints", "section"}
_EXTRA = {
    "choice": {"choices", "select"},
    "truefalse": {"answer"},
    "numeric": {"answer", "units", "tolerance", "params", "function"},
    "fill": {"answers", "case_sensitive"},
    "ordering": {"items"},
    "short": {"model_answer", "rubric"},
}


class BankError(InvalidParameterError):
    """A malformed bank entry: ``file``, ``question`` id and ``field`` say where."""

    def __init__(self, file: str | Path, question: str, field: str, problem: str) -> None:
        self.file, self.question, self.field = str(file), question, field
        super().__init__(f"{file}: question {question!r}, field {field!r}: {problem}")


@dataclass
class Bank:
    """The questions of one chapter, in file order."""

    chapter: str
    title: str
    path: Path
    questions: dict[str, Question]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions.values())

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, qid: str) -> Question:
        try:
            return self.questions[qid]
        except KeyError:
            raise InvalidParameterError(
                f"The 'question' parameter of show must be an id in bank {self.chapter!r} "
                f"({', '.join(self.questions)}). Got {qid!r} instead.") from None

    def section(self, name: str) -> list[Question]:
        qs = [q for q in self if q.section == name]
        if not qs:
            names = sorted({q.section for q in self})
            raise InvalidParameterError(
                f"The 'section' parameter of show_section must be one of {names} in bank "
                f"{self.chapter!r}. Got {name!r} instead.")
        return qs


def bank_path(chapter: str) -> Path:
    """The YAML file of ``chapter`` (an id in ``banks/`` or a path to a .yaml file)."""
    p = Path(chapter)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_file():
            raise InvalidParameterError(
                f"The 'chapter' parameter must be a bank id or an existing .yaml file. "
                f"Got {chapter!r}, which does not exist.")
        return p
    path = BANK_DIR / f"{chapter}.yaml"
    if not path.exists():
        known = sorted(f.stem for f in BANK_DIR.glob("*.yaml"))
        raise InvalidParameterError(
            f"The 'chapter' parameter must be a bank in {BANK_DIR} ({', '.join(known)}) or a "
            f"path to a .yaml file. Got {chapter!r} instead.")
    return path


_CACHE: dict[tuple[str, float], Bank] = {}


def load_bank(chapter: str | Path) -> Bank:
    """Parse and validate the bank of ``chapter`` (cached until the file changes).

    >>> bank = load_bank("howto")
    >>> bank.chapter, len(bank) >= 6
    ('howto', True)
    """
    path = bank_path(str(chapter))
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = _parse(path)
    return _CACHE[key]


def validate_bank(path: str | Path, seeds: int = 5) -> Bank:
    """Parse ``path`` and also compute every numeric answer for ``seeds`` readers.

    Checks that each computed answer is a finite number and that it falls within its own
    tolerance when recomputed from the values as the prompt displays them (rounded).
    """
    bank = _parse(Path(path))
    for q in bank:
        if isinstance(q, Numeric):
            _check_numeric_values(bank.path, q, seeds)
    return bank


def giveaways(bank: Bank, ratio: float = GIVEAWAY_LENGTH_RATIO) -> list[str]:
    """Choice questions whose right answer stands out by length: one line each, naming the
    question and the lengths (characters). A reader who guesses "the longest" must not win.

    >>> giveaways(load_bank("howto"))
    []
    """
    found = []
    for q in bank:
        if not isinstance(q, Choice):
            continue
        wrong = [len(c) for i, c in enumerate(q.choices) if i not in q.correct]
        for i in sorted(q.correct):
            if wrong and len(q.choices[i]) > ratio * max(wrong):
                found.append(f"{bank.chapter}/{q.id}: the right answer has {len(q.choices[i])} characters, "
                             f"the longest distractor {max(wrong)} (limit: {ratio:g} times)")
    return found


class _Duplicate(Exception):
    def __init__(self, owner: str, key: object, line: int) -> None:
        super().__init__(owner, key, line)
        self.owner, self.key, self.line = owner, key, line


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error."""


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int | float | bool) and key in seen:
            owner = next((v.value for k, v in node.value if getattr(k, "value", None) == "id"
                          and isinstance(v, yaml.ScalarNode)), f"line {node.start_mark.line + 1}")
            raise _Duplicate(owner, key, key_node.start_mark.line + 1)
        if isinstance(key, str | int | float | bool):
            seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _parse(path: Path) -> Bank:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    except _Duplicate as dup:
        raise BankError(path, dup.owner, str(dup.key), f"given twice (line {dup.line}); YAML "
                        "would silently keep only the last") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise BankError(path, "-", "-", f"not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise BankError(path, "-", "-", "the file must be a mapping with 'chapter' and 'questions'")
    chapter = data.get("chapter")
    if not isinstance(chapter, str) or not chapter:
        raise BankError(path, "-", "chapter", "must be a non-empty string")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        raise BankError(path, "-", "questions", "must be a non-empty list")
    questions: dict[str, Question] = {}
    for n, raw in enumerate(items, 1):
        q = _question(path, chapter, n, raw)
        if q.id in questions:
            raise BankError(path, q.id, "id", f"duplicate id (question #{n})")
        questions[q.id] = q
    return Bank(chapter, str(data.get("title", chapter)), path, questions)


def _text(path: Path, qid: str, raw: dict, key: str, required: bool = True) -> str:
    v = raw.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise BankError(path, qid, key, "is required and must be non-empty text"
                        + (f" (got {v!r})" if v is not None else ""))
    return v.strip()


def _strings(path: Path, qid: str, raw: dict, key: str, min_n: int) -> tuple[str, ...]:
    v = raw.get(key)
    if not isinstance(v, list) or len(v) < min_n or not all(isinstance(s, str | int | float) for s in v):
        raise BankError(path, qid, key, f"must be a list of at least {min_n} strings (got {v!r})")
    return tuple(str(s).strip() for s in v)


def _question(path: Path, chapter: str, n: int, raw: Any) -> Question:
    if not isinstance(raw, dict):
        raise BankError(path, f"#{n}", "-", "each question must be a mapping")
    qid = raw.get("id")
    if not isinstance(qid, str) or not qid.strip() or any(c.isspace() for c in qid):
        raise BankError(path, f"#{n}", "id", f"must be a non-empty string without spaces (got {qid!r})")
    kind = raw.get("type")
    if kind not in TYPES:
        raise BankError(path, qid, "type", f"must be one of {sorted(TYPES)} (got {kind!r})")
    unknown = set(raw) - _COMMON - _EXTRA[kind]
    if unknown:
        raise BankError(path, qid, sorted(unknown)[0],
                        f"unknown field for a {kind} question (allowed: {sorted(_COMMON | _EXTRA[kind])})")
    hints = raw.get("hints") or []
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        raise BankError(path, qid, "hints", "must be a list of strings")
    common = dict(id=qid, prompt=_text(path, qid, raw, "prompt"),
                  objective=_text(path, qid, raw, "objective"),
                  explanation=_text(path, qid, raw, "explanation"),
                  hints=tuple(hints), section=str(raw.get("section") or ""), chapter=chapter)
    return _BUILDERS[kind](path, qid, raw, common)


def _choice(path: Path, qid: str, raw: dict, common: dict) -> Choice:
    items = raw.get("choices")
    if not isinstance(items, list) or len(items) < 2:
        raise BankError(path, qid, "choices", f"must be a list of at least 2 choices (got {items!r})")
    texts, feedback, correct = [], [], set()
    for i, c in enumerate(items):
        if isinstance(c, str | int | float):
            c = {"text": str(c)}
        if not isinstance(c, dict) or not str(c.get("text", "")).strip():
            raise BankError(path, qid, f"choices[{i}]", "must be text or {text, correct, feedback}")
        texts.append(str(c["text"]).strip())
        feedback.append(str(c.get("feedback") or ""))
        if not isinstance(c.get("correct", False), bool):
            raise BankError(path, qid, f"choices[{i}].correct",
                            f"must be true or false (got {c['correct']!r})")
        if c.get("correct") is True:
            correct.add(i)
    select = raw.get("select", "one")
    if select not in ("one", "many"):
        raise BankError(path, qid, "select", f"must be 'one' or 'many' (got {select!r})")
    if select == "one" and len(correct) != 1:
        raise BankError(path, qid, "choices", f"select: one needs exactly 1 correct choice, "
                        f"found {len(correct)}")
    if select == "many" and not correct:
        raise BankError(path, qid, "choices", "select: many needs at least 1 correct choice")
    if len(set(texts)) != len(texts):
        raise BankError(path, qid, "choices", "two choices have the same text")
    return Choice(**common, choices=tuple(texts), correct=frozenset(correct),
                  feedback=tuple(feedback), multiple=select == "many")


def _truefalse(path: Path, qid: str, raw: dict, common: dict) -> TrueFalse:
    if not isinstance(raw.get("answer"), bool):
        raise BankError(path, qid, "answer", f"must be true or false (got {raw.get('answer')!r})")
    return TrueFalse(**common, answer=raw["answer"])


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _numeric(path: Path, qid: str, raw: dict, common: dict) -> Numeric:
    if "units" not in raw or not isinstance(raw["units"], str):
        raise BankError(path, qid, "units", "is required: a string such as 'ms' ('' if dimensionless)")
    tol = raw.get("tolerance")
    if not isinstance(tol, dict) or not tol or set(tol) - {"abs", "rel"} \
            or not all(_number(v) and v >= 0 for v in tol.values()) or not any(tol.values()):
        raise BankError(path, qid, "tolerance", f"must be {{abs: x}} and/or {{rel: y}} with a "
                        f"positive value (got {tol!r})")
    params = raw.get("params") or {}
    function = raw.get("function") or ""
    if not isinstance(params, dict):
        raise BankError(path, qid, "params", "must be a mapping of name to spec")
    for name, spec in params.items():
        ok = isinstance(spec, dict) and (
            ("value" in spec and _number(spec["value"]))
            or (isinstance(spec.get("choices"), list) and spec["choices"]
                and all(_number(c) for c in spec["choices"]))
            or (_number(spec.get("low")) and _number(spec.get("high")) and spec["low"] <= spec["high"]
                and _number(spec.get("step", 1)) and spec.get("step", 1) > 0))
        if not ok:
            raise BankError(path, qid, f"params.{name}", "must be {low, high, step}, "
                            f"{{choices: [numbers]}} or {{value: number}} (got {spec!r})")
    if function:
        if raw.get("answer") is not None:
            raise BankError(path, qid, "answer", "give either 'answer' or 'function', not both")
        if not isinstance(function, str) or ":" not in function:
            raise BankError(path, qid, "function", f"must be 'module:name' (got {function!r})")
        placeholders = {f for _, f, _, _ in string.Formatter().parse(common["prompt"]) if f}
        if placeholders - set(params):
            raise BankError(path, qid, "prompt", f"uses {sorted(placeholders - set(params))} "
                            "which are not in params")
    elif not _number(raw.get("answer")):
        raise BankError(path, qid, "answer", f"must be a number, or give 'function' and 'params' "
                        f"(got {raw.get('answer')!r})")
    elif params:
        raise BankError(path, qid, "params", "needs 'function' to compute the answer")
    q = Numeric(**common, answer=raw.get("answer"), units=raw["units"],
                abs_tol=float(tol.get("abs", 0)), rel_tol=float(tol.get("rel", 0)),
                params=params, function=function)
    if function:
        try:
            q.resolve_function()
        except (ImportError, AttributeError) as err:
            raise BankError(path, qid, "function", f"cannot import {function!r}: {err}") from None
    return q


def _check_numeric_values(path: Path, q: Numeric, seeds: int) -> None:
    for seed in range(seeds if q.parameterized else 1):
        try:
            inst = q.instantiate(seed)
        except Exception as err:  # noqa: BLE001 - any failure of the author's function
            raise BankError(path, q.id, "function", f"failed for seed {seed}: {err!r}") from None
        if not math.isfinite(inst.answer):
            raise BankError(path, q.id, "function", f"gave {inst.answer} for seed {seed}")
        if not q.check(inst.answer, inst).correct:
            raise BankError(path, q.id, "tolerance", "the answer is not within its own tolerance")
        if q.parameterized:  # the reader computes from the rounded values the prompt shows
            shown = {k: float(f"{v:.4g}") for k, v in inst.params.items()}
            redo = float(q.resolve_function()(**shown))
            if not inst.low <= redo <= inst.high:
                raise BankError(path, q.id, "tolerance",
                                f"too tight: from the displayed values {shown} the answer is "
                                f"{redo:.6g}, outside [{inst.low:.6g}, {inst.high:.6g}]")


def _fill(path: Path, qid: str, raw: dict, common: dict) -> FillIn:
    cs = raw.get("case_sensitive", False)
    if not isinstance(cs, bool):
        raise BankError(path, qid, "case_sensitive", "must be true or false")
    return FillIn(**common, answers=_strings(path, qid, raw, "answers", 1), case_sensitive=cs)


def _ordering(path: Path, qid: str, raw: dict, common: dict) -> Ordering:
    items = _strings(path, qid, raw, "items", 2)
    if len(set(items)) != len(items):
        raise BankError(path, qid, "items", "two items have the same text")
    return Ordering(**common, items=items)


def _short(path: Path, qid: str, raw: dict, common: dict) -> ShortAnswer:
    return ShortAnswer(**common, model_answer=_text(path, qid, raw, "model_answer"),
                       rubric=_strings(path, qid, raw, "rubric", 1))


_BUILDERS = {"choice": _choice, "truefalse": _truefalse, "numeric": _numeric, "fill": _fill,
             "ordering": _ordering, "short": _short}

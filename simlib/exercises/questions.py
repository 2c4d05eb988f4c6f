"""Question types of the self-check bank and how each one checks an answer.

Six types, each a small dataclass with ``check(response) -> Result``:

============  ==========================================  ===================================
type          response                                    correct when
============  ==========================================  ===================================
choice        index, or set of indices if several correct the chosen set equals the keys
truefalse     bool                                        it equals ``answer``
numeric       number                                      within ``tolerance`` of the answer
fill          string                                      it matches an accepted variant
                                                          (case and spacing ignored)
ordering      list of item indices, first to last         it is the listed order
short         list of rubric items the reader ticked      self-assessed: score = ticked share
============  ==========================================  ===================================

Numeric questions may be *parameterized*: values drawn from a seed (one per reader or student)
and an answer computed by a simlib function, see :meth:`Numeric.instantiate`.

>>> q = FillIn(id="q", prompt="Benchmarks are ____ for deployment.", objective="o",
...            explanation="e", answers=("proxies", "a proxy"))
>>> q.check("  Proxies ").correct
True
>>> q.check("ground truth").correct
False
"""

from __future__ import annotations

import hashlib
import importlib
import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "Choice", "FillIn", "Instance", "Numeric", "Ordering", "Question", "Result", "ShortAnswer",
    "TrueFalse", "normalize_text", "seed_for",
]


@dataclass(frozen=True)
class Result:
    """The verdict on one answer: ``score`` in [0, 1] and a message for the reader."""

    correct: bool
    score: float
    message: str


def normalize_text(text: str) -> str:
    """Lower case, Unicode-normalized, spacing collapsed, outer punctuation stripped.

    >>> normalize_text("  Fallacy  of   PEAK. ")
    'fallacy of peak'
    """
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    t = re.sub(r"\s+", " ", t).strip()
    return t.strip(" .,;:!?\"'`")


def seed_for(*parts: object) -> int:
    """A stable 32-bit seed from any parts (reader id, chapter, question id, ...).

    >>> seed_for("ada", "howto", "q1") == seed_for("ada", "howto", "q1")
    True
    """
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(h[:4], "big")


@dataclass
class Question:
    """Fields every question has. ``hints`` are shown on request, ``explanation`` after answering."""

    id: str
    prompt: str
    objective: str
    explanation: str
    hints: tuple[str, ...] = ()
    section: str = ""
    chapter: str = ""
    type: ClassVar[str] = ""

    def check(self, response: Any) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def static_spec(self) -> dict:
        """The JSON given to the static (browser) renderer."""
        return {"id": self.id, "type": self.type, "prompt": self.prompt,
                "objective": self.objective, "explanation": self.explanation,
                "hints": list(self.hints), "section": self.section}


@dataclass
class Choice(Question):
    """Multiple choice; several correct keys make it 'select all that apply'."""

    choices: tuple[str, ...] = ()
    correct: frozenset[int] = frozenset()
    feedback: tuple[str, ...] = ()  # optional, one per choice ("" for none)
    multiple: bool = False  # "select all that apply"
    type: ClassVar[str] = "choice"

    def check(self, response: int | Sequence[int]) -> Result:
        chosen = {int(response)} if isinstance(response, int | float) else {int(i) for i in response}
        ok = chosen == set(self.correct)
        if ok:
            return Result(True, 1.0, "Correct.")
        if self.multiple:
            hit = len(chosen & self.correct)
            wrong = len(chosen - self.correct)
            score = max(0.0, (hit - wrong) / len(self.correct))
            return Result(False, score, f"Not quite: {hit} of {len(self.correct)} correct "
                                        f"choices selected, {wrong} wrong.")
        one = next(iter(chosen)) if chosen else None
        fb = self.feedback[one] if one is not None and one < len(self.feedback) else ""
        return Result(False, 0.0, fb or "Not this one.")

    def static_spec(self) -> dict:
        return super().static_spec() | {
            "choices": list(self.choices), "correct": sorted(self.correct),
            "multiple": self.multiple, "feedback": list(self.feedback)}


@dataclass
class TrueFalse(Question):
    answer: bool = True
    type: ClassVar[str] = "truefalse"

    def check(self, response: bool) -> Result:
        ok = bool(response) == self.answer
        return Result(ok, float(ok), "Correct." if ok else f"No: the statement is {self.answer}.")

    def static_spec(self) -> dict:
        return super().static_spec() | {"answer": self.answer}


@dataclass(frozen=True)
class Instance:
    """A numeric question with its values filled in: the prompt the reader sees and the answer."""

    prompt: str
    answer: float
    params: dict
    low: float
    high: float


@dataclass
class Numeric(Question):
    """A number with a tolerance (``abs_tol`` and/or ``rel_tol``) and units.

    Either ``answer`` is fixed, or ``function`` ("module:name", a simlib function) computes it from
    ``params``: each param spec is ``{"low", "high", "step"}`` (a seeded draw), ``{"choices": [...]}``
    or ``{"value": v}``; the prompt refers to them as ``{name}``.
    """

    answer: float | None = None
    units: str = ""
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    function: str = ""
    type: ClassVar[str] = "numeric"

    @property
    def parameterized(self) -> bool:
        return bool(self.params)

    def resolve_function(self) -> Callable[..., float]:
        module, _, name = self.function.partition(":")
        return getattr(importlib.import_module(module), name)

    def draw(self, seed: int) -> dict:
        """Parameter values for one reader (deterministic in ``seed``)."""
        rng = random.Random(seed)
        values = {}
        for name, spec in self.params.items():
            if "value" in spec:
                values[name] = spec["value"]
            elif "choices" in spec:
                values[name] = rng.choice(list(spec["choices"]))
            else:
                step = spec.get("step", 1)
                n = int(round((spec["high"] - spec["low"]) / step))
                v = spec["low"] + step * rng.randint(0, n)
                values[name] = int(v) if float(step).is_integer() and float(spec["low"]).is_integer() else round(v, 10)
        return values

    def instantiate(self, seed: int = 0, params: Mapping[str, Any] | None = None) -> Instance:
        """The question with values drawn from ``seed``; ``params`` override drawn values.

        >>> q = Numeric(id="n", prompt="{qps} req/s for {latency_ms} ms: how many in flight?",
        ...             objective="o", explanation="e", abs_tol=0.01,
        ...             params={"qps": {"low": 10, "high": 90, "step": 10},
        ...                     "latency_ms": {"choices": [20, 50]}},
        ...             function="simlib.exercises.answers:littles_law_in_flight")
        >>> inst = q.instantiate(params={"qps": 100, "latency_ms": 50})
        >>> inst.prompt, inst.answer
        ('100 req/s for 50 ms: how many in flight?', 5.0)
        >>> q.check(5.001, inst).correct, q.check(6, inst).correct
        (True, False)
        """
        values = self.draw(seed) if self.params else {}
        values.update({k: v for k, v in (params or {}).items() if k in self.params})
        if self.function:
            fn = self.resolve_function()
            answer = float(fn(**values))
        else:
            answer = float(self.answer)  # type: ignore[arg-type]
        prompt = self.prompt.format_map(_Fmt(values)) if values else self.prompt
        tol = self.tolerance(answer)
        return Instance(prompt, answer, values, answer - tol, answer + tol)

    def tolerance(self, answer: float) -> float:
        return max(self.abs_tol, self.rel_tol * abs(answer))

    def check(self, response: float, instance: Instance | None = None) -> Result:
        inst = instance or self.instantiate()
        try:
            x = float(response)
        except (TypeError, ValueError):
            return Result(False, 0.0, f"Please enter a number (in {self.units})." if self.units
                          else "Please enter a number.")
        if not math.isfinite(x):
            return Result(False, 0.0, "Please enter a finite number.")
        ok = inst.low <= x <= inst.high
        unit = f" {self.units}" if self.units else ""
        if ok:
            return Result(True, 1.0, f"Correct: {_fmt(inst.answer)}{unit}.")
        hint = "too high" if x > inst.high else "too low"
        return Result(False, 0.0, f"Not within tolerance ({hint}).")

    def static_spec(self) -> dict:
        return super().static_spec() | {"units": self.units}


class _Fmt(dict):
    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__({k: _fmt(v) if isinstance(v, float) else v for k, v in values.items()})


def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1e6 else f"{x:.4e}"


@dataclass
class FillIn(Question):
    answers: tuple[str, ...] = ()
    case_sensitive: bool = False
    type: ClassVar[str] = "fill"

    def matches(self, text: str) -> bool:
        if self.case_sensitive:
            got = re.sub(r"\s+", " ", str(text)).strip()
            return any(got == re.sub(r"\s+", " ", a).strip() for a in self.answers)
        return normalize_text(text) in {normalize_text(a) for a in self.answers}

    def check(self, response: str) -> Result:
        ok = self.matches(response)
        return Result(ok, float(ok), "Correct." if ok else "Not the word we are looking for.")

    def static_spec(self) -> dict:
        return super().static_spec() | {"answers": list(self.answers),
                                        "case_sensitive": self.case_sensitive}


@dataclass
class Ordering(Question):
    """Put ``items`` (listed here in the correct order) in order; the reader sees them shuffled."""

    items: tuple[str, ...] = ()
    type: ClassVar[str] = "ordering"

    def shuffled(self, seed: int = 0) -> list[int]:
        order = list(range(len(self.items)))
        rng = random.Random(seed)
        while order == sorted(order) and len(order) > 1:
            rng.shuffle(order)
        return order

    def check(self, response: Sequence[int]) -> Result:
        got = [int(i) for i in response]
        ok = got == list(range(len(self.items)))
        placed = sum(1 for pos, i in enumerate(got) if pos == i)
        score = 1.0 if ok else placed / len(self.items)
        return Result(ok, score, "Correct order." if ok else
                      f"{placed} of {len(self.items)} items are in the right place.")

    def static_spec(self) -> dict:
        return super().static_spec() | {"items": list(self.items)}


@dataclass
class ShortAnswer(Question):
    """Free text, self-assessed: the reader compares with ``model_answer`` and ticks ``rubric`` items."""

    model_answer: str = ""
    rubric: tuple[str, ...] = ()
    type: ClassVar[str] = "short"

    def check(self, response: Sequence[int]) -> Result:
        ticked = {int(i) for i in response} & set(range(len(self.rubric)))
        score = len(ticked) / len(self.rubric)
        return Result(score == 1.0, score,
                      f"Self-assessed: {len(ticked)} of {len(self.rubric)} rubric points.")

    def static_spec(self) -> dict:
        return super().static_spec() | {"model_answer": self.model_answer,
                                        "rubric": list(self.rubric)}


TYPES: dict[str, type[Question]] = {
    c.type: c for c in (Choice, TrueFalse, Numeric, FillIn, Ordering, ShortAnswer)}

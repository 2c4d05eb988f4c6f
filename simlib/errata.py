"""Errata against the source chapter: each slip with the value the book computes instead.

The errata page of the book renders :data:`ERRATA`; ``tests/test_errata.py`` recomputes each
entry and checks that the chapter's printed value really differs from the correct one. To add
an entry, append an :class:`Erratum` whose ``compute`` calls the simlib function that the
chapters use for the same figure, so the page and the chapters cannot disagree.

>>> e = get("bert-roofline-batch32")
>>> round(e.correct, 1), e.printed
(265.2, 16.5)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ERRATA", "Erratum", "get", "register"]


@dataclass(frozen=True)
class Erratum:
    """One numeric slip in the source chapter.

    ``where`` names the section or worked example (and the line in ``seed/benchmarking-chapter.txt``);
    ``quantity`` says what is computed; ``printed`` is the value the chapter prints; ``compute``
    returns the correct value in the same ``unit``; ``note`` explains the slip in one or two lines.
    """

    id: str
    where: str
    quantity: str
    printed: float
    unit: str
    compute: Callable[[], float]
    note: str
    rel_tol: float = 0.01  # the printed value counts as right within this relative tolerance

    @property
    def correct(self) -> float:
        return float(self.compute())

    @property
    def is_slip(self) -> bool:
        return not math.isclose(self.printed, self.correct, rel_tol=self.rel_tol)


ERRATA: list[Erratum] = []


def register(erratum: Erratum) -> Erratum:
    """Add an entry (ids are unique)."""
    if any(e.id == erratum.id for e in ERRATA):
        raise ValueError(f"duplicate erratum id {erratum.id!r}")
    ERRATA.append(erratum)
    return erratum


def get(erratum_id: str) -> Erratum:
    for e in ERRATA:
        if e.id == erratum_id:
            return e
    raise KeyError(f"no erratum {erratum_id!r}; known: {[e.id for e in ERRATA]}")


def _bert_batch32_attainable_tflops() -> float:
    # Napkin Math 1.3, step 4: 85% of the A100's 312 TFLOP/s FP16 tensor-core peak.
    peak_tflops, utilization = 312.0, 0.85
    return utilization * peak_tflops


register(Erratum(
    id="bert-roofline-batch32",
    where="Napkin Math 1.3 (Roofline analysis for BERT inference), step 4; seed line 187",
    quantity="achievable throughput of BERT-base at batch 32 on an A100 (85% of FP16 peak)",
    printed=16.5,
    unit="TFLOP/s",
    compute=_bert_batch32_attainable_tflops,
    note="0.85 x 312 TFLOP/s is 265.2 TFLOP/s; the printed 16.5 is off by a factor of about 16. "
         "The conclusion (batch 32 is compute bound at ~85% utilization) stands.",
))

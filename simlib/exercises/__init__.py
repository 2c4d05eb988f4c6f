"""Self-checks, progress and labs for the book.

For chapter authors, the whole API is::

    from simlib.exercises import show, show_section, summary
    show("howto", "littles-law")                        # one question
    show("howto", "tail-ratio", params={"median_us": m, "p99_us": p99})  # the reader's numbers
    show_section("howto", "types")                      # every question of a section
    summary("howto")                                    # this reader's progress in the chapter

Questions live in ``simlib/exercises/banks/<chapter>.yaml`` (format: :mod:`.bank`).

What a call displays depends on where it runs:

* in JupyterLab (an interactive front end), ipywidgets that check the answer in Python and save
  it to the reader's progress file (:mod:`.progress`); the static HTML travels along as fallback;
* anywhere else (the book build, nbconvert), self-contained HTML+JS that needs no kernel and no
  network (:mod:`.render_html`), keeping progress in the browser.

``SIMLIB_EXERCISES=static`` or ``widget`` forces one of the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simlib.frontend import interactive_frontend

from .bank import Bank, BankError, load_bank, validate_bank
from .progress import ChapterSummary, Progress
from .questions import Question, Result

__all__ = ["Bank", "BankError", "ChapterSummary", "LiveSummary", "Progress", "Question", "Result", "SelfCheck",
           "load_bank", "show", "show_section", "summary", "validate_bank"]


class SelfCheck:
    """What :func:`show` returns: displays as widgets or static HTML (see the module docstring)."""

    def __init__(self, bank: Bank, questions: Sequence[Question], params: Mapping[str, Any] | None,
                 reader: str | None, title: str = "") -> None:
        self.bank, self.questions, self.params, self.title = bank, list(questions), params, title
        self.progress = Progress(reader)
        self._widget = None

    @property
    def widget(self):  # noqa: ANN201 - ipywidgets is imported lazily
        if self._widget is None:
            import ipywidgets as w

            from .widgets import CheckWidget

            self._widget = w.VBox([CheckWidget(q, self.progress, params=self.params)
                                   for q in self.questions])
        return self._widget

    def html(self) -> str:
        from .render_html import quiz_html

        return quiz_html(self.bank, self.questions, params=self.params, title=self.title)

    def __repr__(self) -> str:
        ids = ", ".join(q.id for q in self.questions)
        return f"SelfCheck({self.bank.chapter!r}: {ids})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        bundle = {"text/plain": repr(self), "text/html": self.html()}
        if interactive_frontend():
            bundle.update(self.widget._repr_mimebundle_())
            bundle["text/plain"] = repr(self)
        return bundle


def show(chapter: str, question: str, params: Mapping[str, Any] | None = None,
         reader: str | None = None) -> SelfCheck:
    """Display one self-check; ``params`` fixes values of a parameterized numeric question.

    >>> show("howto", "littles-law")
    SelfCheck('howto': littles-law)
    """
    bank = load_bank(chapter)
    return SelfCheck(bank, [bank.get(question)], params, reader)


def show_section(chapter: str, section: str, params: Mapping[str, Any] | None = None,
                 reader: str | None = None) -> SelfCheck:
    """Display every self-check of ``section`` in ``chapter``, in bank order.

    >>> len(show_section("howto", "types").questions)
    8
    """
    bank = load_bank(chapter)
    return SelfCheck(bank, bank.section(section), params, reader, title="")


class LiveSummary:
    """What :func:`summary` returns: the counts of a :class:`ChapterSummary` (``answered``,
    ``solved``, ...), displayed in JupyterLab as a widget that each checked answer updates."""

    def __init__(self, chapter: str, reader: str | None = None) -> None:
        self.chapter, self.progress = chapter, Progress(reader)
        self.question_ids = list(load_bank(chapter).questions)

    @property
    def current(self) -> ChapterSummary:
        return self.progress.summary(self.chapter, self.question_ids)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.current, name)

    def __str__(self) -> str:
        return str(self.current)

    def _repr_html_(self) -> str:
        return self.current._repr_html_()

    def __repr__(self) -> str:
        return str(self.current)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        bundle = {"text/plain": str(self), "text/html": self._repr_html_()}
        if interactive_frontend():
            from .widgets import summary_widget

            bundle.update(summary_widget(self.progress, self.chapter, self.question_ids)._repr_mimebundle_())
            bundle["text/plain"] = str(self)
        return bundle


def summary(chapter: str, reader: str | None = None) -> LiveSummary:
    """This reader's progress in ``chapter`` (answered, solved, first-try score); in JupyterLab
    it updates as the reader answers."""
    return LiveSummary(chapter, reader)

"""Self-checks as ipywidgets, for JupyterLab: Python checks the answer and records it in the
reader's progress file (:mod:`.progress`), so answers survive kernel restarts.

One :class:`CheckWidget` per question: an input suited to the type, a Check button, feedback,
hints on request, the explanation once solved (or on request after an attempt), and a status
line with attempts and score taken from the progress file.

Choices are listed in an order shuffled per reader and stable for that reader (seeded from the
reader id of :mod:`.progress`, the chapter and the question), wrap at any width, and show which
one is selected; a reader's last saved answer is put back into the inputs when the widget is
created again (after a kernel restart). :func:`summary_widget` is a progress summary that
updates each time the reader checks an answer in the same kernel.
"""

from __future__ import annotations

import html
import random
import weakref
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from .progress import Progress
from .questions import (
    Choice,
    FillIn,
    Instance,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    TrueFalse,
    _fmt,
    seed_for,
)

__all__ = ["CheckWidget", "choice_order", "summary_widget"]

# Long options wrap under their own text, the chosen one is highlighted, the radio stays visible.
_STYLE = """<style>
.simlib-choices .widget-radio-box label, .simlib-choices .widget-checkbox label {
  white-space: normal; height: auto; line-height: 1.35; align-items: flex-start;
  overflow: visible; text-overflow: clip; padding: 3px 6px; margin: 1px 0; border-radius: 4px;
  border: 1px solid transparent; width: 100%; box-sizing: border-box; }
.simlib-choices .widget-radio-box input, .simlib-choices .widget-checkbox input {
  flex: none; margin: 0.2em 0.5em 0 0; visibility: visible; appearance: auto; opacity: 1; }
.simlib-choices .widget-radio-box label:has(input:checked),
.simlib-choices .widget-checkbox:has(input:checked) label {
  background: #e3edf7; border-color: #5b8fc7; font-weight: 600; }
.simlib-choices .widget-radio-box, .simlib-choices .widget-checkbox { height: auto; width: 100%; }
.simlib-choices .widget-radio { width: 100%; }
</style>"""
_SUMMARIES: weakref.WeakSet = weakref.WeakSet()


def choice_order(reader: str, chapter: str, qid: str, n: int) -> list[int]:
    """The order (original indexes) in which ``reader`` sees the ``n`` options of a question:
    shuffled, and the same every time for that reader.

    >>> choice_order("ada", "howto", "q1", 4) == choice_order("ada", "howto", "q1", 4)
    True
    >>> sorted(choice_order("ada", "howto", "q1", 4))
    [0, 1, 2, 3]
    """
    order = list(range(n))
    random.Random(seed_for(reader, chapter, qid, "choices")).shuffle(order)
    return order


def _p(text: str, cls: str = "") -> str:
    return f'<div class="{cls}" style="line-height:1.4">{html.escape(text)}</div>'


class CheckWidget(w.VBox):
    """The interactive check of one question (see the module docstring)."""

    def __init__(self, q: Question, progress: Progress, params: Mapping[str, Any] | None = None,
                 seed: int | None = None) -> None:
        self.q, self.progress = q, progress
        self.instance: Instance | None = None
        if isinstance(q, Numeric):
            s = seed if seed is not None else seed_for(progress.reader, q.chapter, q.id)
            self.instance = q.instantiate(s, params=params)
        prompt = self.instance.prompt if self.instance else q.prompt
        units = f" ({q.units})" if isinstance(q, Numeric) and q.units else ""
        head = w.HTML(f'<div style="font-size:0.8em;color:#2d4a6b;font-weight:600">{q.type.upper()}'
                      f' <span style="font-weight:400;color:#555">— {html.escape(q.objective)}'
                      f'</span></div>' + _p(prompt + units))
        self.feedback = w.HTML()
        self.explanation = w.HTML()
        self.status = w.HTML()
        self.check_button = w.Button(description="Check", button_style="primary")
        self.check_button.on_click(lambda _b: self.submit())
        self.reveal = w.Button(description="Show answer and explanation",
                                layout={"display": "none", "width": "auto"})
        self.reveal.on_click(lambda _b: self.explain())
        hints = []
        for i, h in enumerate(q.hints):
            hb, hh = w.Button(description=f"Hint {i + 1}" if len(q.hints) > 1 else "Hint"), w.HTML()
            hb.on_click(lambda _b, hh=hh, h=h: setattr(hh, "value", _p(h)))
            hints += [hb, hh]
        self.input = self._make_input()
        tools = w.HBox([self.check_button, self.reveal] + hints[::2])
        super().__init__([head, self.input, tools, *hints[1::2], self.feedback, self.explanation,
                          self.status], layout={"border": "1px solid #c8d0da", "padding": "6px",
                                                "margin": "8px 0"})
        saved = self.progress.get(q.chapter, q.id)
        self._show_status(saved)
        if saved and "last_answer" in saved:
            self._restore(saved["last_answer"])

    def choose(self, text: str) -> None:
        """Select the option labelled ``text`` (a choice or True/False question), as a click would."""
        q = self.q
        if isinstance(q, Choice) and q.multiple:
            self._boxes[q.choices.index(text)].value = True
        elif isinstance(q, Choice):
            self._radio.value = q.choices.index(text)
        elif isinstance(q, TrueFalse):
            self._radio.value = text
        else:
            raise TypeError(f"choose() needs a choice or true/false question; {q.id!r} is {q.type}")

    @property
    def _radio(self) -> w.RadioButtons:
        return self.input.children[1]

    def _restore(self, answer: Any) -> None:
        """Put a saved answer back into the inputs (a later kernel shows what was answered)."""
        q = self.q
        try:
            if isinstance(q, Choice) and q.multiple:
                for i, box in self._boxes.items():
                    box.value = i in set(answer)
            elif isinstance(q, Choice):
                self._radio.value = int(answer)
            elif isinstance(q, TrueFalse):
                self._radio.value = "True" if answer else "False"
            elif isinstance(q, Ordering):
                if sorted(answer) == list(range(len(q.items))):
                    self._order = list(answer)
                    self._draw_order()
            elif isinstance(q, ShortAnswer):
                self._text.value = str(answer.get("text", "")) if isinstance(answer, dict) else ""
            else:
                self.input.value = str(answer)
        except (TypeError, ValueError, KeyError):  # a saved answer from an older bank: leave blank
            return

    # -- inputs per type ----------------------------------------------------------------------
    def _make_input(self) -> w.Widget:
        q = self.q
        if isinstance(q, Choice):
            self._order = choice_order(self.progress.reader, q.chapter, q.id, len(q.choices))
        if isinstance(q, Choice) and q.multiple:
            self._boxes = {i: w.Checkbox(description=q.choices[i], indent=False,
                                         layout={"width": "100%"}) for i in self._order}
            return w.VBox([w.HTML(_STYLE), *self._boxes.values()], layout={"width": "100%"}).add_class("simlib-choices")
        if isinstance(q, Choice):
            return w.VBox([w.HTML(_STYLE), w.RadioButtons(options=[(q.choices[i], i) for i in self._order],
                                                  value=None, layout={"width": "100%"})],
                          layout={"width": "100%"}).add_class("simlib-choices")
        if isinstance(q, TrueFalse):
            return w.VBox([w.HTML(_STYLE), w.RadioButtons(options=["True", "False"], value=None)]).add_class("simlib-choices")
        if isinstance(q, Numeric | FillIn):
            return w.Text(placeholder="a number" if isinstance(q, Numeric) else "your answer",
                          continuous_update=False)
        if isinstance(q, Ordering):
            self._order = Ordering.shuffled(q, seed_for(self.progress.reader, q.chapter, q.id))
            self._order_box = w.VBox()
            self._draw_order()
            return self._order_box
        assert isinstance(q, ShortAnswer)
        self.check_button.description = "Compare with the model answer"
        self._text = w.Textarea(placeholder="Write your answer first.", layout={"width": "95%"})
        self._rubric = [w.Checkbox(description=r, indent=False, layout={"width": "auto"})
                        for r in q.rubric]
        self._model = w.VBox()
        return w.VBox([self._text, self._model])

    def _draw_order(self) -> None:
        rows = []
        for pos, item in enumerate(self._order):
            up, dn = w.Button(icon="arrow-up", layout={"width": "36px"}), \
                w.Button(icon="arrow-down", layout={"width": "36px"})
            up.disabled, dn.disabled = pos == 0, pos == len(self._order) - 1
            up.on_click(lambda _b, p=pos: self._move(p, -1))
            dn.on_click(lambda _b, p=pos: self._move(p, +1))
            rows.append(w.HBox([up, dn, w.Label(f"{pos + 1}. {self.q.items[item]}")]))  # type: ignore[attr-defined]
        self._order_box.children = rows

    def _move(self, pos: int, step: int) -> None:
        o = self._order
        o[pos], o[pos + step] = o[pos + step], o[pos]
        self._draw_order()

    # -- answering ----------------------------------------------------------------------------
    def response(self) -> Any:
        """The reader's current answer in the form ``Question.check`` takes."""
        q = self.q
        if isinstance(q, Choice) and q.multiple:
            return sorted(i for i, b in self._boxes.items() if b.value)
        if isinstance(q, Choice):
            return self._radio.value
        if isinstance(q, TrueFalse):
            return None if self._radio.value is None else self._radio.value == "True"
        if isinstance(q, Ordering):
            return list(self._order)
        if isinstance(q, ShortAnswer):
            return [i for i, b in enumerate(self._rubric) if b.value]
        return self.input.value

    def submit(self, response: Any = None) -> Any:
        """Check ``response`` (default: what the inputs hold), record it and show feedback."""
        q = self.q
        if isinstance(q, ShortAnswer) and not self._model.children and response is None:
            self._model.children = [w.HTML(_p("Model answer: " + q.model_answer)),
                                    w.HTML("<i>Tick what your answer covers:</i>"), *self._rubric]
            self.check_button.description = "Record my self-assessment"
            return None
        if isinstance(q, ShortAnswer) and not self._model.children:
            self._model.children = [w.HTML(_p("Model answer: " + q.model_answer)), *self._rubric]
        response = self.response() if response is None else response
        if response is None or response == "":
            self.feedback.value = _p("Choose or enter an answer first.")
            return None
        result = q.check(response, self.instance) if isinstance(q, Numeric) else q.check(response)
        colour = "#087f23" if result.correct else "#b00020"
        self.feedback.value = f'<b style="color:{colour}">{html.escape(result.message)}</b>'
        answer = {"text": self._text.value, "rubric": response} if isinstance(q, ShortAnswer) \
            else response
        entry = self.progress.record(q.chapter, q.id, answer=answer, score=result.score,
                                     correct=result.correct,
                                     params=self.instance.params if self.instance else None)
        self._show_status(entry)
        _refresh_summaries(self.progress, q.chapter)
        if result.correct:
            self.explain()
        return result

    def explain(self) -> None:
        q, extra = self.q, ""
        if self.instance:
            extra = f"Answer: {_fmt(self.instance.answer)} {q.units}. "  # type: ignore[attr-defined]
        elif isinstance(q, Choice):
            extra = "Correct: " + "; ".join(q.choices[i].rstrip(".") for i in sorted(q.correct)) + ". "
        elif isinstance(q, TrueFalse):
            extra = f"Answer: {q.answer}. "
        elif isinstance(q, FillIn):
            extra = "Accepted: " + ", ".join(q.answers) + ". "
        elif isinstance(q, Ordering):
            extra = "Order: " + " → ".join(q.items) + ". "
        self.explanation.value = ('<div style="background:#eef5ee;border-left:3px solid #087f23;'
                                  f'padding:4px 8px">{html.escape(extra + q.explanation)}</div>')

    def _show_status(self, entry: dict | None) -> None:
        if not entry:
            return
        self.status.value = (f'<small>Saved in {html.escape(str(self.progress.path))}: '
                             f'{entry["attempts"]} attempt(s), '
                             f'{"solved" if entry.get("solved") else "not solved yet"}, '
                             f'first-try score {entry["first_score"]:.0%}</small>')
        if not isinstance(self.q, ShortAnswer):
            self.reveal.layout.display = None


def summary_widget(progress: Progress, chapter: str, question_ids: list[str]) -> w.HTML:
    """The reader's progress in ``chapter`` as a widget that every check in this kernel
    refreshes (no need to re-run its cell)."""
    box = w.HTML(progress.summary(chapter, question_ids)._repr_html_())
    box._simlib = (progress, chapter, list(question_ids))
    _SUMMARIES.add(box)
    return box


def _refresh_summaries(progress: Progress, chapter: str) -> None:
    for box in list(_SUMMARIES):
        p, ch, ids = box._simlib
        if ch == chapter and p.path == progress.path:
            box.value = p.summary(ch, ids)._repr_html_()

"""Self-checks as ipywidgets, for JupyterLab: Python checks the answer and records it in the
reader's progress file (:mod:`.progress`), so answers survive kernel restarts.

One :class:`CheckWidget` per question: an input suited to the type, a Check button, feedback,
hints on request, the explanation once solved (or on request after an attempt), and a status
line with attempts and score taken from the progress file.
"""

from __future__ import annotations

import html
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

__all__ = ["CheckWidget"]


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
        self.reveal = w.Button(description="Show answer and explanation", layout={"display": "none"})
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
        self._show_status(self.progress.get(q.chapter, q.id))

    # -- inputs per type ----------------------------------------------------------------------
    def _make_input(self) -> w.Widget:
        q = self.q
        if isinstance(q, Choice) and q.multiple:
            self._boxes = [w.Checkbox(description=c, indent=False, layout={"width": "auto"})
                           for c in q.choices]
            return w.VBox(self._boxes)
        if isinstance(q, Choice):
            return w.RadioButtons(options=list(q.choices), value=None, layout={"width": "auto"})
        if isinstance(q, TrueFalse):
            return w.RadioButtons(options=["True", "False"], value=None)
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
            return [i for i, b in enumerate(self._boxes) if b.value]
        if isinstance(q, Choice):
            return None if self.input.value is None else q.choices.index(self.input.value)
        if isinstance(q, TrueFalse):
            return None if self.input.value is None else self.input.value == "True"
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
        if result.correct:
            self.explain()
        return result

    def explain(self) -> None:
        q, extra = self.q, ""
        if self.instance:
            extra = f"Answer: {_fmt(self.instance.answer)} {q.units}. "  # type: ignore[attr-defined]
        elif isinstance(q, Choice):
            extra = "Correct: " + "; ".join(q.choices[i] for i in sorted(q.correct)) + ". "
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

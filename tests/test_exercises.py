"""show()/show_section(): static HTML for the book, ipywidgets that save progress in JupyterLab."""

from __future__ import annotations

import json
import re

import pytest

from simlib.exercises import load_bank, show, show_section
from simlib.exercises.questions import Choice, FillIn, Numeric, Ordering, ShortAnswer, TrueFalse


@pytest.fixture
def reader_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMLIB_PROGRESS_DIR", str(tmp_path))
    monkeypatch.setenv("SIMLIB_READER", "tester")
    return tmp_path


def test_static_bundle_is_self_contained(monkeypatch):
    monkeypatch.setenv("SIMLIB_EXERCISES", "static")
    bundle = show_section("howto", "types")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    page = bundle["text/html"]
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|https?://cdn", page), "no external assets"
    data = json.loads(re.search(r'class="simlib-quiz-data">(.*?)</script>', page, re.S).group(1)
                      .replace("<\\/", "</"))
    little = next(q for q in data["questions"] if q["id"] == "littles-law")
    assert len(little["variants"]) == 12
    assert len({v["prompt"] for v in little["variants"]}) > 6, "readers get different numbers"
    for v in little["variants"]:
        assert v["low"] <= v["answer"] <= v["high"]


def test_params_from_a_measurement():
    html = show("howto", "tail-ratio", params={"median_us": 40.0, "p99_us": 100.0}).html()
    data = json.loads(re.search(r'class="simlib-quiz-data">(.*?)</script>', html, re.S).group(1))
    (v,) = data["questions"][0]["variants"]
    assert "median of 40 µs" in v["prompt"] and v["answer"] == 2.5


def test_widget_mode_and_progress_survive_restart(reader_dir, monkeypatch):
    monkeypatch.setenv("SIMLIB_EXERCISES", "widget")
    check = show_section("howto", "types")
    assert "application/vnd.jupyter.widget-view+json" in check._repr_mimebundle_()
    widgets = {w.q.id: w for w in check.widget.children}
    answers = {
        "proxy-dimension": 2, "honest-report": [0, 1, 3], "kernel-speedup": False,
        "proxy-word": "  PROXIES ", "benchmark-scopes": [0, 1, 2, 3], "single-run": [0, 1, 2]}
    for qid, ans in answers.items():
        assert widgets[qid].submit(ans).correct, qid
    little = widgets["littles-law"]
    assert not little.submit(str(little.instance.answer * 2)).correct
    assert little.submit(str(little.instance.answer)).correct
    assert "Little" in little.explanation.value and "Answer:" in little.explanation.value
    # a new kernel: a fresh SelfCheck reads the same file
    again = show("howto", "littles-law").widget.children[0]
    assert "2 attempt(s), solved" in again.status.value
    assert again.instance.answer == little.instance.answer, "the same reader keeps the same numbers"
    from simlib.exercises import summary
    assert summary("howto").solved == 7


def test_widget_inputs_drive_the_check(reader_dir):
    bank = load_bank("howto")
    from simlib.exercises.progress import Progress
    from simlib.exercises.widgets import CheckWidget

    w = CheckWidget(bank.get("proxy-dimension"), Progress())
    w.choose("Data benchmarking")
    assert w.submit().correct
    w = CheckWidget(bank.get("single-run"), Progress())
    assert w.submit() is None  # first click shows the model answer and the rubric
    w._rubric[0].value = True
    r = w.submit()
    assert r.score == pytest.approx(1 / 3) and "1 of 3" in w.feedback.value


def test_question_checks():
    c = Choice(id="c", prompt="p", objective="o", explanation="e", choices=("a", "b", "c"),
               correct=frozenset({0, 2}), multiple=True)
    assert c.check([0, 2]).correct and c.check([0]).score == 0.5 and c.check([0, 1]).score == 0
    assert TrueFalse(id="t", prompt="p", objective="o", explanation="e", answer=False).check(False).correct
    f = FillIn(id="f", prompt="p", objective="o", explanation="e", answers=("Peak FLOPS",),
               case_sensitive=True)
    assert f.check(" Peak   FLOPS").correct and not f.check("peak flops").correct
    o = Ordering(id="o", prompt="p", objective="o", explanation="e", items=("a", "b", "c"))
    assert o.shuffled(1) != [0, 1, 2] and o.check([0, 2, 1]).score == pytest.approx(1 / 3)
    s = ShortAnswer(id="s", prompt="p", objective="o", explanation="e", model_answer="m",
                    rubric=("x", "y"))
    assert s.check([1]).score == 0.5
    n = Numeric(id="n", prompt="p", objective="o", explanation="e", answer=10, units="ms", abs_tol=0.5)
    assert n.check("10.4").correct and not n.check("nan").correct and "number" in n.check("ten").message


def test_choices_shuffled_per_reader_and_saved_answers_restored(reader_dir):
    from simlib.exercises.progress import Progress
    from simlib.exercises.widgets import CheckWidget, choice_order

    q = load_bank("howto").get("proxy-dimension")
    n = len(q.choices)
    orders = {tuple(choice_order(r, "howto", q.id, n)) for r in ("ada", "bo", "cy", "di", "ed")}
    assert len(orders) > 1, "every reader saw the options in the same order"
    assert choice_order("ada", "howto", q.id, n) == choice_order("ada", "howto", q.id, n)
    w = CheckWidget(q, Progress())
    labels = [label for label, _ in w._radio.options]
    assert labels == [q.choices[i] for i in choice_order(Progress().reader, "howto", q.id, n)]
    w.choose("System benchmarking")
    w.submit()
    again = CheckWidget(q, Progress())  # a new kernel builds the widget again
    assert again._radio.value == q.choices.index("System benchmarking")


def test_progress_summary_widget_updates_when_an_answer_is_checked(reader_dir):
    from simlib.exercises import summary
    from simlib.exercises.progress import Progress
    from simlib.exercises.widgets import CheckWidget, summary_widget

    s = summary("howto")
    box = summary_widget(s.progress, "howto", s.question_ids)
    assert f"0 of {s.total} answered" in box.value
    w = CheckWidget(load_bank("howto").get("proxy-dimension"), Progress())
    w.choose("Data benchmarking")
    w.submit()
    assert f"1 of {s.total} answered" in box.value


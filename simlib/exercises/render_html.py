"""Self-checks as one self-contained block of HTML, CSS and JavaScript.

The block works without a kernel and without network (the built book opened from a file://
URL): everything it needs is inlined, and parameterized numeric questions carry a table of
pre-computed variants (values and answers computed here, in Python, by the bank's simlib
function), from which the browser picks one per reader. Scores and progress are kept in the
browser's localStorage; ``assets/progress.js`` adds a button that downloads them as a progress
file in JupyterLab's format (:mod:`.progress`), for ``simlib progress summarize``.

Choice, true/false and numeric questions are drawn by jupyterquiz's JavaScript (kept as is,
inlined once per block and scoped so that it defines no globals); ``assets/quiz.js`` adds the
other types, variants, hints, explanations, scoring and progress.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .bank import Bank
from .questions import Numeric, Question, seed_for

__all__ = ["N_VARIANTS", "quiz_html", "static_spec"]

#: How many pre-computed variants a parameterized question carries into the static page.
N_VARIANTS = 12
_ASSETS = Path(__file__).parent / "assets"
_JQ_FILES = ("helpers.js", "multiple_choice.js", "numeric.js", "string.js", "show_questions.js")


@functools.cache
def _library() -> tuple[str, str]:
    """(css, js): our assets plus jupyterquiz's, the JS wrapped so it runs once per page."""
    jq = importlib.resources.files("jupyterquiz")
    jq_js = "\n".join((jq / "js" / name).read_text(encoding="utf-8") for name in _JQ_FILES)
    css = (_ASSETS / "quiz.css").read_text(encoding="utf-8") + "\n/* jupyterquiz (MIT) */\n" + \
        (jq / "styles.css").read_text(encoding="utf-8")
    # jupyterquiz may inject MathJax from a CDN when a page has a MathJax without typeset():
    # keep the page offline by making that branch unreachable.
    jq_js = jq_js.replace("script.src = 'https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js';",
                          "/* simlib: no CDN */")
    ours = "\n".join((_ASSETS / f).read_text(encoding="utf-8") for f in ("quiz.js", "progress.js"))
    js = ("(function(){\nif (window.SimlibQuiz) return;\n"
          "var JQ = (function(){\n/* jupyterquiz 2.9.6.4, MIT License, (c) John M. Shea */\n"
          f"{jq_js}\nreturn {{show_questions: show_questions}};\n}})();\n{ours}\n}})();\n")
    return css, js


def static_spec(q: Question, reader: str = "", params: Mapping[str, Any] | None = None) -> dict:
    """The JSON of one question for the browser; numeric questions get their variants."""
    spec = q.static_spec()
    if isinstance(q, Numeric):
        params = {k: v for k, v in (params or {}).items() if k in q.params}
        if q.parameterized and not params:
            insts = [q.instantiate(seed_for(reader, q.chapter, q.id, k)) for k in range(N_VARIANTS)]
        else:
            insts = [q.instantiate(seed_for(reader, q.chapter, q.id), params=params)]
        spec["variants"] = [{"prompt": i.prompt, "answer": i.answer, "low": i.low, "high": i.high,
                             "params": {k: float(v) for k, v in i.params.items()}} for i in insts]
    return spec


def _script_json(data: Any) -> str:
    return json.dumps(data).replace("</", "<\\/").replace("<!--", "<\\!--")


def quiz_html(bank: Bank, questions: Sequence[Question], *, reader: str = "",
              params: Mapping[str, Any] | None = None, title: str = "") -> str:
    """One self-contained HTML block that renders ``questions`` of ``bank`` in a browser."""
    css, js = _library()
    div = f"simlib-quiz-{secrets.token_hex(6)}"
    data = {"chapter": bank.chapter, "all_ids": list(bank.questions),
            "questions": [static_spec(q, reader, params) for q in questions]}
    head = f'<div class="sq-title">{html.escape(title)}</div>' if title else ""
    return (f'<style>{css}</style>\n'
            f'<div class="simlib-quiz" id="{div}">{head}'
            f'<noscript>These self-checks need JavaScript.</noscript>'
            f'<script type="application/json" class="simlib-quiz-data">{_script_json(data)}</script>'
            f'</div>\n<script>{js}\nwindow.SimlibQuiz.mount("{div}");'
            f'window.SimlibQuiz.exportButton("{div}");</script>\n')

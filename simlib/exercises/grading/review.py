"""The review companion of a gradebook (``<out>.review.md``): what manual tasks need a human for.

For each student and each manual task (``"manual": True`` in HIDDEN_TESTS) it lists the free
text the task's probes returned (at most :data:`TEXT_CHARS` characters, in a fenced block that
the text cannot close) beside the values of the task's ``show`` expressions from the same run
(one escaped line each). Everything in it comes from untrusted submissions and is escaped so
that the file renders as text (no HTML, links or formatting from a student).

>>> md("<b>*x*</b> | y")
'&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| y'
"""

from __future__ import annotations

import html
import json
import re

from .gradebook import one_line

__all__ = ["TEXT_CHARS", "md", "render"]

#: the longest free text shown per probe, characters
TEXT_CHARS = 4000
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: str) -> str:
    """``text`` escaped for markdown on one line: HTML and markdown punctuation are literal."""
    return _SPECIAL.sub(r"\\\1", html.escape(one_line(text, 300), quote=False))


def _text(value: dict | None) -> str:
    if value is None:
        return "(no value)"
    if "error" in value:
        return f"(error: {value['error']})"
    v = value["ok"]
    return v if isinstance(v, str) else json.dumps(v)


def _block(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text)
    if len(text) > TEXT_CHARS:
        text = text[:TEXT_CHARS] + f"\n[... cut at {TEXT_CHARS} characters]"
    fence = "~" * max(4, 1 + max((len(m) for m in re.findall(r"~+", text)), default=0))
    return f"{fence}text\n{text}\n{fence}"


def render(lab_name: str, tasks: list, grades: list) -> str:
    """Markdown for the manual ``tasks`` (TaskSpec) of ``grades`` (Grade, with ``review``)."""
    points = sum(t.points for t in tasks)
    out = [f"# Review: lab {md(lab_name)}", "",
           f"Tasks to score by hand: {', '.join(md(t.name) for t in tasks)} ({points:g} points "
           "per student, marked `review` in the gradebook). Free text is shown as written "
           "(escaped); the values next to it come from the grader's own run of that submission.",
           ""]
    for g in sorted(grades, key=lambda g: g.student):
        out += [f"## {md(g.student)}", ""]
        for t in tasks:
            values = g.review.get(t.name, {})
            out += [f"### {md(t.name)} ({t.points:g} points)", ""]
            if not values:
                out += [f"(not run: {md('; '.join(g.notes)) or 'no values'})", ""]
                continue
            for p in t.probes:
                out += [f"{md(p)}:", "", _block(_text(values.get(p))), ""]
            if t.show:
                out += ["| value | this submission's run |", "|---|---|"]
                out += [f"| {md(e)} | {md(_text(values.get(e)))} |" for e in t.show]
                out.append("")
    return "\n".join(out)

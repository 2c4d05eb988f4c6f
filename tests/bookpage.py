"""Reading one page of a built book: the values its cells glued and the text a reader sees.

Used by the page checks (tests/test_book_*.py) on the shared book build, and by hand on a build
made with ``make book``: ``read_glue(Path("_build/html"), "chapters/<page>")``.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

__all__ = ["page_html", "read_glue", "rendered_text", "value"]

_TYPOGRAPHY = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"),
               ("\u2014", "--"))


def value(text: str):
    """A glued value from its ``text/plain`` form (numbers, strings, tuples; nan and inf too)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return float(text)


def read_glue(html_dir, page: str) -> dict:
    """The glued values of one built page, by name (myst-nb's ``<page>.glue.json`` beside the
    executed notebook)."""
    path = Path(html_dir).parent / "jupyter_execute" / f"{page}.glue.json"
    assert path.exists(), f"no glue record at {path}"
    return {k: value(v["data"]["text/plain"]) for k, v in json.loads(path.read_text()).items()}


def page_html(html_dir, page: str) -> str:
    return (Path(html_dir) / f"{page}.html").read_text(encoding="utf-8")


def rendered_text(raw: str) -> str:
    """The text a reader sees in a built page's HTML, with Sphinx's typographic quotes and dashes
    undone and whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    for a, b in _TYPOGRAPHY:
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text)


def execution_seconds(html_dir) -> dict[str, float]:
    """Each executed page's run time in its build (s), from myst-nb's record in the Sphinx
    environment (``<out>/_build/.doctrees/environment.pickle``), by page name."""
    import pickle

    env_file = Path(html_dir).parent / ".doctrees" / "environment.pickle"
    assert env_file.exists(), f"no Sphinx environment at {env_file}"
    with env_file.open("rb") as f:
        env = pickle.load(f)  # noqa: S301 - our own build's file
    return {page: float(meta["exec_data"]["runtime"]) for page, meta in env.nb_metadata.items()
            if meta.get("exec_data") and meta["exec_data"].get("runtime") is not None}


def build_hogs(html_dir) -> int:
    """How many CPU hogs ran beside the build (``<out>/conditions.json``, written by the test
    suite's build and by tools/stress-build; a build without it, e.g. ``make book``, had none)."""
    path = Path(html_dir).parents[1] / "conditions.json"
    return int(json.loads(path.read_text())["hogs"]) if path.exists() else 0


"""Sphinx extension: the prose's ``{eval}`live["name:format"]``` read from glued values.

A chapter writes its live numbers once, as MyST inline expressions (:mod:`simlib.prose`). In
JupyterLab, jupyterlab-myst evaluates them in the kernel. In the book, myst-nb evaluates
``{eval}`` only in its inline execution mode, which cannot use the notebook cache: every edit of
a page's prose runs the whole page again (measured on the 2-core build machine, quick budget,
whole book: after a one-word prose edit in the inference chapter, 70 s to rebuild with inline
execution against 6 s with this extension; full builds 90 s and 73 s, glue before either 101 s
and 5 s; timings noisy). This extension keeps the cached build: it replaces the ``eval`` role so that
an expression of the form ``live["name"]`` or ``live["name:spec"]`` is read from the value the
page glued under ``name`` (``LiveNumbers`` glues every value it stores) and formatted with
``spec`` exactly as ``{glue:text}`name:spec``` would; any other ``{eval}`` keeps myst-nb's
behaviour. A missing name is a build warning, which ``-W`` (simlib.bookbuild) makes an error.

Enabled in ``_config.yml`` (``sphinx: extra_extensions: [simlib.bookeval]``), after myst-nb.
"""

from __future__ import annotations

import re

from myst_nb.ext.eval import EvalRoleAny
from myst_nb.ext.glue.roles import PasteTextRole

__all__ = ["LIVE_EXPRESSION", "LiveEvalRole", "glue_reference", "setup"]

#: what a live number looks like in the prose: live["name"] or live["name:format spec"]
LIVE_EXPRESSION = re.compile(r'^live\["([A-Za-z_][A-Za-z0-9_]*)(?::([^"\]]*))?"\]$')


def glue_reference(expression: str) -> str | None:
    """The ``{glue:text}`` reference that reads the same value, or None for other expressions.

    >>> glue_reference('live["ss_p50_ms:.3f"]'), glue_reference('live["budget"]'), glue_reference("x")
    ('ss_p50_ms:.3f', 'budget', None)
    """
    m = LIVE_EXPRESSION.match(expression.strip())
    if m is None:
        return None
    name, spec = m.groups()
    return name if spec is None else f"{name}:{spec}"


class LiveEvalRole(PasteTextRole):
    """``{eval}``: a live number from the page's glue data; anything else as myst-nb does."""

    def run(self):
        ref = glue_reference(self.text)
        if ref is None:
            return EvalRoleAny.run(self)
        self.text = ref
        return super().run()


def setup(app):
    app.setup_extension("myst_nb")
    app.add_role("eval", LiveEvalRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

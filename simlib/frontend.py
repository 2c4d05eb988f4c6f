"""Where is this code running: a live notebook UI, or a build/script with no one to click?

Widgets only make sense in a live front end (JupyterLab, Notebook 7, VS Code). The book build
(nbclient) and nbconvert have no one to move a slider, so pages show static figures there.
:func:`interactive_frontend` tells the two apart; :func:`demo` shows the widget (with its live
figure) where it can be used, and its static figure everywhere else.

``SIMLIB_EXERCISES=static`` or ``widget`` forces the answer (the name is historical: the
self-checks were the first user).

>>> interactive_frontend()   # plain Python, no notebook UI
False
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["demo", "interactive_frontend"]


def interactive_frontend() -> bool:
    """True inside a kernel driven by a notebook UI (JupyterLab, Notebook 7, VS Code).

    Those UIs send the cell id in the metadata of each execute request; nbclient (used by the
    book build and nbconvert) sends none.
    """
    mode = os.environ.get("SIMLIB_EXERCISES", "auto")
    if mode in ("static", "widget"):
        return mode == "widget"
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        if kernel is None:
            return False
        try:
            parent = kernel.get_parent("shell")
        except TypeError:  # older ipykernel
            parent = kernel.get_parent()
        return "cellId" in (parent.get("metadata") or {})
    except Exception:  # noqa: BLE001 - no IPython, no widgets: static is always safe
        return False


def demo(widget: Callable[[], Any], static_figure: Callable[[], Any], *, caption: str = "") -> Any:
    """Display ``widget()`` in a live front end, else ``static_figure()`` with a note.

    In JupyterLab the reader sees one figure, the live one, which follows the controls; where no
    one can move a slider (the book build, nbconvert) the figure at the widget's defaults is shown
    instead. Returns the static figure (or None in a live front end), so the last line of a cell
    can be ``demo(...)``.
    """
    from IPython.display import HTML, display

    if interactive_frontend():
        display(widget())
        return None
    fig = static_figure()
    display(HTML("<p><small><b>Static figure at the default settings.</b> Open this page in "
                 "JupyterLab (<code>make lab</code>) to move the sliders"
                 + (f": {caption}" if caption else "") + ".</small></p>"))
    return fig

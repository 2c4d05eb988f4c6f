"""Where is this code running: a live notebook UI, or a build/script with no one to click?

Widgets only make sense in a live front end (JupyterLab, Notebook 7, VS Code). The book build
(nbclient) and nbconvert have no one to move a slider, so pages show static figures there.
:func:`interactive_frontend` tells the two apart; :func:`demo` shows a widget's static figure
always, and the widget itself only where it can be used.

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
    """Display ``static_figure()`` (always) and ``widget()`` (only in a live front end).

    Returns the figure, so the last line of a cell can be ``demo(...)``; the book shows the
    figure at the widget's defaults, a reader in JupyterLab also gets the sliders.
    """
    from IPython.display import HTML, display

    fig = static_figure()
    if interactive_frontend():
        display(widget())
    else:
        display(HTML("<p><small><b>Static figure at the default settings.</b> Open this page in "
                     "JupyterLab (<code>make lab</code>) to move the sliders"
                     + (f": {caption}" if caption else "") + ".</small></p>"))
    return fig

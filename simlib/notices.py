"""Warnings once per page: a warning that every result repeats is shown in full once.

A page that measures ten times on a machine without a power meter would print "energy not
measured: ..." ten times, and "noisy run: CV ...% exceeds 5%" as often; a reader stops reading
warnings after the third. :func:`for_display` decides, per result, which of its warnings to show
in full: the first time a warning appears on the page (the running kernel: one per notebook in
the book and in JupyterLab) it is shown whole; a later result with the same warning (compared
with its numbers masked, so "CV 18.3%" and "CV 22.0%" are the same warning) shows one short line
with the count instead, keeping its own numbers. A warning that differs is shown in full.

Only inside IPython (a notebook kernel): a script, a test or the CLI always sees every warning in
full. The decision is kept per result object, so its text and HTML views agree and re-displaying
a result does not count again.

>>> page = Page()
>>> page.for_display(object(), ["noisy run: CV 18.3% exceeds 5%; close other programs"])
['noisy run: CV 18.3% exceeds 5%; close other programs']
>>> page.for_display(object(), ["noisy run: CV 22.0% exceeds 5%; close other programs"])
['noisy run: CV 22.0% exceeds 5% (as above; 2nd time on this page)']
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

__all__ = ["Page", "for_display", "reset"]

_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _short(warning: str, count: int) -> str:
    """One line for a repeated warning: its first clause (with this result's numbers), the count."""
    clause = re.split(r";|\. ", warning, maxsplit=1)[0].strip()
    if len(clause) > 80:
        clause = clause[:80].rsplit(" ", 1)[0] + " ..."
    return f"{clause} (as above; {_ordinal(count)} time on this page)"


class Page:
    """The warnings already shown on one page, and how often each came back."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._decided: dict[int, tuple[weakref.ref | None, list[str]]] = {}

    def for_display(self, owner: object, warnings: Sequence[str]) -> list[str]:
        """The lines to show for ``owner``'s ``warnings`` (see the module docstring)."""
        key = id(owner)
        kept = self._decided.get(key)
        if kept is not None and (kept[0] is None or kept[0]() is owner):
            return list(kept[1])
        lines = []
        for warning in dict.fromkeys(warnings):  # a result that lists a warning twice shows it once
            shape = _NUMBER.sub("#", warning)
            self._counts[shape] = self._counts.get(shape, 0) + 1
            count = self._counts[shape]
            lines.append(warning if count == 1 else _short(warning, count))
        try:
            ref = weakref.ref(owner)
        except TypeError:  # objects without weak references are decided each time
            return lines
        self._decided[key] = (ref, lines)
        return list(lines)


_PAGE = Page()


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def for_display(owner: object, warnings: Sequence[str]) -> list[str]:
    """What a result's text or HTML view shows of its ``warnings``: each in full outside a
    notebook kernel; in one, each repeated warning as one short line with its count."""
    if not _in_kernel():
        return list(dict.fromkeys(warnings))
    return _PAGE.for_display(owner, warnings)


def reset() -> None:
    """Forget what this page has shown (a fresh page; used by tests)."""
    global _PAGE
    _PAGE = Page()

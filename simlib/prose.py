"""Numbers computed on a page, written into its prose: one source for the book and JupyterLab.

A chapter cell stores each value it computed, ``live["ss_p50_ms"] = p50_s * 1e3``, and the
prose reads it back with a MyST inline expression, ``{eval}`live["ss_p50_ms:.3f"]```: the part
after the colon is a :func:`format` spec. The same text gives the number in both places:

- in JupyterLab, the jupyterlab-myst extension (requirements.txt; ``make lab``) evaluates the
  expression in the kernel when the Markdown cell is run (Run All runs it), so the reader's own
  numbers appear in the sentence;
- in the built book, :mod:`simlib.bookeval` reads the value the page glued under that name
  (every value stored here is also glued with myst-nb, not displayed) and formats it like
  ``{glue:text}`name:spec```, so the build keeps its notebook cache.

The page's ``<page>.glue.json`` keeps the raw values that tests/test_book_claims.py checks the
prose against. A value must be computed in a cell above the sentence that reads it (JupyterLab
evaluates in page order).

>>> live = LiveNumbers(glue=False)
>>> live["p50_ms"] = 1.23456
>>> live["p50_ms:.2f"]
1.23
>>> live["p50_ms"]
1.23456
>>> live["p90_ms:.2f"]
Traceback (most recent call last):
...
KeyError: "live['p90_ms']: no value of that name was computed on this page (known: p50_ms)"
"""

from __future__ import annotations

import re

__all__ = ["LiveNumbers", "Shown"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Shown(str):
    """A formatted value whose ``repr`` is the text itself (no quotes), so that an inline
    expression shows ``1.23``, not ``'1.23'``, in every renderer."""

    def __repr__(self) -> str:
        return str(self)


class LiveNumbers:
    """Name -> value store that formats on read (``live["name:spec"]``) for inline expressions.

    ``glue=True`` (the default) also glues every value with myst-nb (``display=False``) when
    myst-nb is importable, so a built page records the raw numbers beside its prose.
    """

    def __init__(self, *, glue: bool = True) -> None:
        self._values: dict[str, object] = {}
        self._glue = None
        if glue:
            try:
                from myst_nb import glue as myst_glue
            except ImportError:  # outside a book build the store still works
                myst_glue = None
            self._glue = myst_glue

    def __setitem__(self, name: str, value: object) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"The 'name' of a live number must be a Python identifier. Got {name!r} instead.")
        if hasattr(value, "item") and getattr(value, "shape", None) == ():
            value = value.item()  # numpy scalar -> Python number, as glue and format expect
        self._values[name] = value
        if self._glue is not None:
            self._glue(name, value, display=False)

    def __getitem__(self, ref: str) -> Shown:
        name, _, spec = ref.partition(":")
        if name not in self._values:
            known = ", ".join(sorted(self._values)) or "none yet"
            raise KeyError(f"live[{name!r}]: no value of that name was computed on this page (known: {known})")
        return Shown(format(self._values[name], spec))

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __repr__(self) -> str:
        return f"LiveNumbers({len(self._values)} values)"

"""Small tables for the page: HTML in a notebook or the book (wraps in the page column), text
elsewhere. No pandas needed.

>>> t = Table(["metric", "value"], [["p99", "1.2 ms"]])
>>> print(t)
metric  value
p99     1.2 ms
>>> "<td>1.2 ms</td>" in t._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

__all__ = ["Table", "columns_table"]


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


class Table:
    """``header`` and ``rows`` (lists of cells); floats are shown with 4 significant digits."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.header = [str(h) for h in header]
        self.rows = [[_cell(v) for v in r] for r in rows]

    def __repr__(self) -> str:
        widths = [max(len(x) for x in col) for col in zip(self.header, *self.rows, strict=True)]
        lines = [self.header, *self.rows]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def columns_table(columns: dict[str, dict[str, Any]], corner: str = "") -> Table:
    """A table whose columns are ``columns`` (name -> {row label: value}); row labels from the
    first column, in order.

    >>> print(columns_table({"a": {"x": 1}, "b": {"x": 2}}, corner="row"))
    row  a  b
    x    1  2
    """
    labels = list(next(iter(columns.values())))
    return Table([corner, *columns], [[lab, *(c.get(lab) for c in columns.values())] for lab in labels])

"""The one display table of the book: text in a terminal, an HTML table (scrolling sideways inside
the page column, never overflowing it) in a notebook and in the built book. No pandas needed.

A :class:`Table` holds cells already computed (a source table, a comparison of results); it is
not a result (results follow :mod:`simlib.protocol`). Floats show ``digits`` significant digits.

>>> t = Table(["metric", "value"], [["p99", 1.23456e-3]], caption="One run")
>>> print(t)
One run
metric  value
p99     0.001235
>>> "0.001235</td>" in t._repr_html_() and "overflow-x:auto" in t._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Table", "columns_table"]


class Table:
    """``columns`` (the header) and ``rows`` (lists of cells, one per column); ``index`` adds a
    first column of row labels; ``caption`` is shown above the table; ``align`` is "left" or
    "right" for every cell; ``colors`` maps a column's header to {cell text: CSS color}, and a cell
    of that column whose text is a key shows in bold in that color (HTML only; a status column).

    >>> "color:#a40e26" in Table(["status"], [["bad"]], colors={"status": {"bad": "#a40e26"}})._repr_html_()
    True
    """

    def __init__(self, columns: Sequence[Any], rows: Sequence[Sequence[Any]], *, digits: int = 4,
                 index: Sequence[Any] | None = None, caption: str = "", align: str = "left",
                 colors: Mapping[str, Mapping[str, str]] | None = None) -> None:
        if align not in ("left", "right"):
            raise ValueError(f"align must be 'left' or 'right', got {align!r}")
        unknown = set(colors or {}) - {str(c) for c in columns}
        if unknown:
            raise ValueError(f"colors: keys must be column headers {[str(c) for c in columns]}, got {sorted(unknown)}")
        self.colors = {str(k): dict(v) for k, v in (colors or {}).items()}
        self.digits, self.caption, self.align = digits, caption, align
        self.columns = [str(c) for c in columns]
        self.rows = [[self._cell(v) for v in r] for r in rows]
        if index is not None:
            self.columns = [""] + self.columns
            self.rows = [[str(i), *r] for i, r in zip(index, self.rows, strict=True)]
        for r in self.rows:
            if len(r) != len(self.columns):
                raise ValueError(f"rows: every row needs {len(self.columns)} cells, got {len(r)}: {r!r}")

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[Any]], **kwargs: Any) -> Table:
        """A table from ``columns`` (header -> the column's cells, all of one length).

        >>> print(Table.from_columns({"a": [1, 2], "b": ["x", "y"]}, index=["r1", "r2"]))
            a  b
        r1  1  x
        r2  2  y
        """
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns: every column needs the same length; got {sorted(lengths)}")
        return cls(list(columns), [list(r) for r in zip(*columns.values(), strict=True)], **kwargs)

    def _cell(self, v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.{self.digits}g}"
        return "" if v is None else str(v)

    def __str__(self) -> str:
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c)
                  for i, c in enumerate(self.columns)]
        lines = [self.caption] if self.caption else []
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in [self.columns, *self.rows]]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e, style = html.escape, f" style='text-align:{self.align}'"
        caption = f"<caption>{e(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th{style}>{e(c)}</th>" for c in self.columns)

        def td(column: str, text: str) -> str:
            color = self.colors.get(column, {}).get(text)
            extra = f";color:{e(color)};font-weight:bold" if color else ""
            return f"<td style='text-align:{self.align}{extra}'>{e(text)}</td>"

        body = "".join("<tr>" + "".join(td(c, t) for c, t in zip(self.columns, r, strict=True)) + "</tr>"
                       for r in self.rows)
        return (f"<div style='overflow-x:auto'><table>{caption}<thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>")


def columns_table(columns: Mapping[str, Mapping[str, Any]], corner: str = "") -> Table:
    """A table whose columns are ``columns`` (name -> {row label: value}); the row labels are
    those of the first column, in order.

    >>> print(columns_table({"a": {"x": 1}, "b": {"x": 2}}, corner="row"))
    row  a  b
    x    1  2
    """
    labels = list(next(iter(columns.values())))
    return Table([corner, *columns], [[lab, *(c.get(lab) for c in columns.values())] for lab in labels])

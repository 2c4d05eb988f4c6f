"""A small HTML table for the chapter's text tables (they wrap to the page width; text tables do not).

>>> t = html_table({"a": [1, 2]}, index=["x", "y"], caption="demo")
>>> "<caption>demo</caption>" in t._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

__all__ = ["HtmlTable", "html_table"]


class HtmlTable:
    """Columns of text shown as an HTML table in a notebook (and as plain text elsewhere)."""

    def __init__(self, columns: Mapping[str, Sequence[object]], index: Sequence[str] | None, caption: str) -> None:
        lengths = {len(v) for v in columns.values()} | ({len(index)} if index is not None else set())
        if len(lengths) > 1:
            raise ValueError(f"html_table: every column (and the index) needs the same length; got {sorted(lengths)}")
        self.columns, self.index, self.caption = dict(columns), list(index) if index is not None else None, caption

    def _rows(self) -> list[list[str]]:
        n = len(next(iter(self.columns.values()), []))
        return [([self.index[i]] if self.index is not None else []) + [str(c[i]) for c in self.columns.values()]
                for i in range(n)]

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{e(h)}</th>" for h in ([""] if self.index is not None else []) + list(self.columns))
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in self._rows())
        cap = f"<caption>{e(self.caption)}</caption>" if self.caption else ""
        return f"<table class='simlib-table table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        header = ([""] if self.index is not None else []) + list(self.columns)
        return "\n".join(" | ".join(r) for r in [header, *self._rows()])


def html_table(columns: Mapping[str, Sequence[object]], *, index: Sequence[str] | None = None,
               caption: str = "") -> HtmlTable:
    """``columns`` (name -> values) as a table; ``index`` labels the rows."""
    return HtmlTable(columns, index, caption)

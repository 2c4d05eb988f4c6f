"""Student ids from file names, late flags, and gradebooks a course site imports.

* :func:`id_rule` compiles the instructor's ``--id-pattern`` (a regular expression with one
  group, or a group named ``id``, searched in the submission's file name, or in its folder's
  name when the file is named after the lab); a name it does not match keeps the default id and
  is reported, never dropped.
* :func:`late_flag` compares a submission's modification time with a deadline.
* :func:`canvas_csv` and :func:`moodle_csv` write the layouts the two systems import
  (references in ``book/instructors.md``): Canvas needs the columns ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID`` and ``Section`` (one of the first three identifies the
  student) followed by one column per assignment; Moodle's CSV import maps any column to a
  user field (here ``ID number`` -> the user's ID number) and any other to a grade item or its
  feedback.

>>> rule = id_rule(r"_(?P<id>\\d{6})_")
>>> rule("smith_123456_capacity.ipynb"), rule("notes.ipynb")
('123456', None)
>>> late_flag(100.0, 50.0), late_flag(10.0, 50.0), late_flag(10.0, None)
('late', 'on time', '')
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from simlib._validate import InvalidParameterError

from . import gradebook

__all__ = ["FORMATS", "canvas_csv", "id_rule", "late_flag", "moodle_csv"]

#: course-site formats ``--export`` accepts
FORMATS = ("canvas", "moodle")


def id_rule(pattern: str | None) -> Callable[[str], str | None]:
    """A function name -> student id (None when ``pattern`` does not match the name).

    Raises:
        InvalidParameterError: ``pattern`` is not a valid regular expression, or has no group
            (or more than one without one named ``id``).
    """
    if pattern is None:
        return lambda name: name
    try:
        rx = re.compile(pattern)
    except re.error as err:
        raise InvalidParameterError(f"The 'id_pattern' parameter of grade must be a regular "
                                    f"expression. Got {pattern!r}: {err}.") from None
    if "id" not in rx.groupindex and rx.groups != 1:
        raise InvalidParameterError(
            "The 'id_pattern' parameter of grade must have one group (or a group named 'id') "
            f"that captures the student id, e.g. '^(\\w+)_'. Got {pattern!r} with {rx.groups} "
            "groups.")
    group = "id" if "id" in rx.groupindex else 1

    def rule(name: str) -> str | None:
        m = rx.search(name)
        return gradebook.one_line(m.group(group), 100) if m and m.group(group) else None

    return rule


def late_flag(mtime_s: float, deadline_s: float | None) -> str:
    """'late', 'on time', or '' without a deadline (both times: seconds since the epoch)."""
    if deadline_s is None:
        return ""
    return "late" if mtime_s > deadline_s else "on time"


def _write(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([[gradebook.cell(c) for c in r] for r in rows])
    return buf.getvalue()


def canvas_csv(assignment: str, rows: list[tuple[str, float]]) -> str:
    """Canvas gradebook import: one row per (SIS user id, score) for the column ``assignment``."""
    return _write(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment],
                  [["", "", sid, "", "", f"{score:g}"] for sid, score in rows])


def moodle_csv(assignment: str, rows: list[tuple[str, float, str]]) -> str:
    """Moodle grade import: ``ID number``, the score, and a feedback text per student."""
    return _write(["ID number", assignment, f"{assignment} feedback"],
                  [[sid, f"{score:g}", gradebook.one_line(note, 300)] for sid, score, note in rows])

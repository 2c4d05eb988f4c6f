"""Feedback a student can read: one Markdown file per submission, beside the gradebook.

``<gradebook>.feedback/<student>.md`` holds the lab's name, the total, one row per task (score,
points, why points were lost), the public check messages, the sandbox's notes (time used, the
time, CPU, memory, output or process limit that stopped the run) and the command that runs the
public checks before submitting.

What it never shows: the hidden tests' expressions (they may hold hidden inputs), their expected
values, and any text the submission's code produced while the probes were evaluated (that code
sees the probe expressions, so its printed output or error messages could carry them). A lost
point is explained by counts and exception *types* only ("2 of 3 hidden checks gave a
different value; 1 raised ZeroDivisionError"). The public check messages are the lines the
grader's run printed while running the cells, before the probes were sent to the sandbox
(:mod:`._child`), so no hidden input existed in that process yet.

>>> safe_type("ZeroDivisionError: division by zero")
'ZeroDivisionError'
>>> safe_type("cell 3: NameError: name 'x' is not defined")
'NameError'
>>> safe_type("<html>")
'an error'
"""

from __future__ import annotations

import re

from .review import _block, md

__all__ = ["CHECK_LINE", "public_messages", "render", "safe_type", "sandbox_note", "summary"]

#: a public check's printed line (simlib.exercises.lab.Task): "task: ✔ ...", "task: not done yet"
CHECK_LINE = re.compile(r"^[\w.-]{1,60}: (✔|✘|not done yet)")
_TYPE = re.compile(r"(?:cell \d+: )?([A-Za-z_][A-Za-z0-9_]{0,40}(?:Error|Exception|Exit|Warning|"
                   r"Interrupt|Iteration))\b")
#: how the grader's own failure messages start -> what a student is told (no submission text)
_LIMITS = (("time limit", "the wall-clock time limit stopped it"),
           ("CPU time limit", "the CPU time limit stopped it"),
           ("memory limit", "the memory limit stopped it"),
           ("output limit", "the output limit (largest file or printed output) stopped it"),
           ("process limit", "the process limit stopped it"),
           ("reply larger", "its answers were larger than the grader accepts"),
           ("not graded: the submission is a symbolic link", "not graded: a symbolic link"),
           ("unreadable notebook", "not graded: the file is not a readable notebook"))


def safe_type(error: str) -> str:
    """The exception type named at the start of ``error`` (nothing else), or 'an error'."""
    m = _TYPE.match(error.strip())
    return m.group(1) if m else "an error"


def sandbox_note(failure: str) -> str:
    """A grader failure message as a student may read it (no text from the submission)."""
    for prefix, said in _LIMITS:
        if failure.startswith(prefix):
            return said + (f" ({failure[len(prefix):].strip(' :()')})"
                           if prefix.endswith("limit") else "")
    return "the notebook stopped without answering (it crashed or exited)" if failure else ""


def public_messages(printed: str) -> list[str]:
    r"""The public check lines in what the cells printed (at most 200).

    >>> public_messages("p99: ✔ p99_ms is a float (yours: 3.1)\nother\nlittles-law: not done yet")
    ['p99: ✔ p99_ms is a float (yours: 3.1)', 'littles-law: not done yet']
    """
    return [ln.strip() for ln in printed.splitlines() if CHECK_LINE.match(ln.strip())][:200]


def render(lab, grade, limits, late: str = "") -> str:  # noqa: ANN001 - Lab, Grade, Limits
    """The Markdown feedback of one ``grade`` (a :class:`.grader.Grade`) of ``lab``."""
    out = [f"# Feedback: lab {md(lab.name)}, {md(grade.student)}", "",
           f"**Total: {grade.total:g} of {lab.max_points:g} points** scored automatically"
           + (f", plus {lab.review_points:g} points the instructor scores by reading your "
              "explanation" if lab.review_points else "") + ".", ""]
    if late:
        out += [f"Submitted: {md(late)}", ""]
    out += ["| task | score | points | why points were lost |", "|---|---|---|---|"]
    for t in lab.tasks:
        if t.manual:
            out.append(f"| {md(t.name)} | to be read | {t.points:g} | scored by the instructor |")
            continue
        lost = grade.lost.get(t.name)
        why = "" if not lost else _why(lost)
        out.append(f"| {md(t.name)} | {grade.scores.get(t.name, 0):g} | {t.points:g} | {why} |")
    out += ["", "## Public checks (the grader's run of your notebook)", ""]
    msgs = grade.public or []
    out += [_block("\n".join(msgs))] if msgs else [
        "(none printed: the run stopped before the public checks, or they were removed)"]
    out += ["", "## The grader's run", "",
            f"- time used: {grade.seconds:.1f} s (limit {limits.timeout_s:g} s; memory limit "
            f"{limits.memory_mb} MB; output limit {limits.output_mb} MB)"]
    note = sandbox_note(grade.failure)
    if note:
        out.append(f"- stopped: {md(note)}; tasks it had not reached scored 0")
    if grade.cell_errors:
        out.append("- cells that raised: " + ", ".join(md(e) for e in grade.cell_errors))
    if not note and not grade.cell_errors:
        out.append("- every cell ran without an error, within every limit")
    out += ["", "## Check before you submit", "",
            "Run every cell (JupyterLab: Run > Run All Cells): the cell after each task prints "
            "✔ or ✘ with your value. From a terminal:", "",
            "```bash",
            f"jupyter nbconvert --to markdown --execute --stdout {lab.name}.ipynb "
            "| grep -E '✔|✘|not done yet'",
            "```", "",
            "The grade comes from hidden tests with other inputs; passing the public checks is "
            "necessary, not sufficient.", ""]
    return "\n".join(out)


def _why(lost: dict) -> str:
    failed = lost["total"] - lost["passed"]
    parts = [f"{failed} of {lost['total']} hidden checks failed"]
    raised = lost.get("raised") or {}
    if raised:
        parts.append(", ".join(f"{n} raised {md(k)}" for k, n in sorted(raised.items())))
    wrong = failed - sum(raised.values())
    if wrong:
        parts.append(f"{wrong} gave a different value")
    return ": ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def summary(lab, grade) -> str:  # noqa: ANN001 - Lab, Grade
    """One line a student may read (a course site's feedback cell): total and lost points."""
    parts = [f"{grade.total:g}/{lab.max_points:g}"]
    parts += [f"{name}: {_why(lost)}" for name, lost in grade.lost.items()]
    note = sandbox_note(grade.failure)
    return "; ".join(parts + ([f"stopped: {note}"] if note else []))

"""Write the student version of a lab: solutions replaced by placeholders, hidden tests removed.

>>> strip_solution("p99 = percentile(x, 99)  # SOLUTION")
'p99 = ...  # YOUR CODE HERE'
>>> print(strip_solution("def f(x):\\n    # BEGIN SOLUTION\\n    return 2 * x\\n    # END SOLUTION"))
def f(x):
    ...  # YOUR CODE HERE
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .labfile import Lab, LabError, load_lab, tags

__all__ = ["build_student", "solution_notebook", "strip_solution"]

_LINE = re.compile(r"^(\s*)([\w\[\], .]+?)\s*=\s*.*#\s*SOLUTION\s*$")


def strip_solution(source: str) -> str:
    out, skipping = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == "# BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}...  # YOUR CODE HERE")
            skipping = True
        elif stripped == "# END SOLUTION":
            skipping = False
        elif not skipping:
            m = _LINE.match(line)
            out.append(f"{m.group(1)}{m.group(2)} = ...  # YOUR CODE HERE" if m else line)
    if skipping:
        raise LabError("a '# BEGIN SOLUTION' block has no '# END SOLUTION'")
    return "\n".join(out)


def build_student(lab: str | Path | Lab, out: str | Path | None = None) -> Path:
    """Write the student notebook of ``lab`` (default ``labs/<lab>/student/<lab>.ipynb``)."""
    lab = lab if isinstance(lab, Lab) else load_lab(lab)
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    for cell in lab.notebook.cells:
        t = tags(cell)
        if "hidden-tests" in t or "instructor" in t:
            continue
        if cell.cell_type == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source))
        elif cell.cell_type == "code":
            src = strip_solution(cell.source) if "solution" in t else cell.source
            if "SOLUTION" in src:
                raise LabError(f"{lab.source}: a solution marker outside a cell tagged 'solution'")
            keep = sorted(t & {"check", "solution"})
            nb.cells.append(nbformat.v4.new_code_cell(src, metadata={"tags": keep} if keep else {}))
    path = Path(out) if out else lab.student_path
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def solution_notebook(lab: str | Path | Lab) -> nbformat.NotebookNode:
    """The lab as a perfect student would hand it in: solutions kept, hidden tests removed.

    Useful to check a lab end to end (``simlib grade`` should give it full marks) and as the
    base of sample submissions in tests.
    """
    lab = lab if isinstance(lab, Lab) else load_lab(lab)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.source) if c.cell_type == "code"
                else nbformat.v4.new_markdown_cell(c.source)
                for c in lab.notebook.cells if "hidden-tests" not in tags(c)]
    return nb

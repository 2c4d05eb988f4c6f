"""A lab's source notebook: what the instructor writes (format: labs/README.md).

``labs/<lab>/source.md`` is a MyST markdown notebook. Cells tagged ``solution`` hold solution
code marked with ``# SOLUTION`` (one line) or ``# BEGIN SOLUTION`` / ``# END SOLUTION`` (a
block); cells tagged ``check`` hold public checks; the one cell tagged ``hidden-tests`` holds a
dict literal::

    HIDDEN_TESTS = {
        "littles-law": {"points": 3, "probes": ["in_flight(200, 50)", "in_flight(0, 10)"]},
        "p99": {"points": 2, "probes": ["p99_ms"], "rtol": 1e-3},
    }

Each probe is an expression evaluated after the notebook ran; a probe scores when its value
equals the value from the solution (numbers and arrays within ``rtol``/``atol``). A task scores
``points`` times the share of its probes that match.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from simlib._validate import InvalidParameterError

__all__ = ["Lab", "LabError", "TaskSpec", "load_lab", "read_notebook"]


class LabError(InvalidParameterError):
    """A malformed lab source (names the file and what is wrong)."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    points: float
    probes: tuple[str, ...]
    rtol: float = 1e-6
    atol: float = 1e-9


@dataclass(frozen=True)
class Lab:
    name: str
    directory: Path
    source: Path
    notebook: Any  # nbformat.NotebookNode
    tasks: tuple[TaskSpec, ...]
    #: default sandbox limits for this lab (front matter ``grading:``), e.g. a lab that exports a
    #: model needs a larger ``output_mb`` (the file-size limit) and ``timeout_s``
    limits: dict = field(default_factory=dict)

    @property
    def student_path(self) -> Path:
        return self.directory / "student" / f"{self.name}.ipynb"

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tasks)


def read_notebook(path: Path) -> Any:
    """An .ipynb, or a MyST markdown notebook (.md), as an nbformat notebook."""
    if path.suffix == ".md":
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=False)
    return nbformat.read(str(path), as_version=4)


def tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def load_lab(directory: str | Path) -> Lab:
    """Read ``directory/source.md`` (or ``source.ipynb``) and its hidden tests."""
    d = Path(directory)
    source = next((d / n for n in ("source.md", "source.ipynb") if (d / n).exists()), None)
    if source is None:
        raise LabError(f"The 'lab' parameter must be a lab directory with source.md or "
                       f"source.ipynb. Got {str(d)!r} instead.")
    nb = read_notebook(source)
    hidden = [c for c in nb.cells if "hidden-tests" in tags(c)]
    if len(hidden) != 1:
        raise LabError(f"{source}: needs exactly one cell tagged 'hidden-tests', found {len(hidden)}")
    try:
        tree = ast.parse(hidden[0].source)
        assign = next(n for n in tree.body if isinstance(n, ast.Assign)
                      and getattr(n.targets[0], "id", "") == "HIDDEN_TESTS")
        spec = ast.literal_eval(assign.value)
    except (SyntaxError, StopIteration, ValueError) as err:
        raise LabError(f"{source}: the hidden-tests cell must assign a dict literal to "
                       f"HIDDEN_TESTS ({err!r})") from None
    tasks = []
    for name, t in spec.items():
        if not isinstance(t, dict) or not isinstance(t.get("probes"), list) or not t["probes"]:
            raise LabError(f"{source}: task {name!r}, field 'probes': must be a non-empty list")
        if not isinstance(t.get("points"), int | float) or t["points"] <= 0:
            raise LabError(f"{source}: task {name!r}, field 'points': must be a positive number")
        for p in t["probes"]:
            try:
                ast.parse(p, mode="eval")
            except SyntaxError:
                raise LabError(f"{source}: task {name!r}, field 'probes': {p!r} is not an "
                               "expression") from None
        tasks.append(TaskSpec(name, float(t["points"]), tuple(t["probes"]),
                              float(t.get("rtol", 1e-6)), float(t.get("atol", 1e-9))))
    limits = dict(nb.metadata.get("grading") or {})
    allowed = {"timeout_s", "cpu_s", "memory_mb", "output_mb"}
    for key, value in limits.items():
        if key not in allowed or isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise LabError(f"{source}: front matter 'grading', field {key!r}: must be one of "
                           f"{sorted(allowed)} with a positive number. Got {value!r}.")
    return Lab(d.name, d, source, nb, tuple(tasks), limits)

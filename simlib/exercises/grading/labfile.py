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
``points`` times the share of its probes that match. A task with ``"manual": True`` is never
scored automatically: its probes (free text, e.g. ``"explanation"``) and its ``"show"``
expressions are evaluated in the sandbox and listed for the instructor to review.

The front matter's ``grading:`` sets the sandbox limits (``timeout_s``, ``cpu_s``,
``memory_mb``, ``output_mb``, ``processes``) and the measurement ``budget`` the submissions run
under (``quick``, ``standard`` or ``full``; default ``standard``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from simlib._validate import InvalidParameterError

__all__ = ["BUDGETS", "Lab", "LabError", "TaskSpec", "load_lab", "read_notebook"]

#: measurement budgets a lab may ask for (``SIMLIB_BUDGET`` in the sandbox)
BUDGETS = ("quick", "standard", "full")


class LabError(InvalidParameterError):
    """A malformed lab source (names the file and what is wrong)."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    points: float
    probes: tuple[str, ...]
    rtol: float = 1e-6
    atol: float = 1e-9
    #: scored by the instructor: probes and ``show`` values are listed for review, never compared
    manual: bool = False
    show: tuple[str, ...] = ()

    @property
    def expressions(self) -> tuple[str, ...]:
        """Every expression the child evaluates for this task."""
        return self.probes + self.show


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
    #: SIMLIB_BUDGET the submissions (and the solution) run under (front matter ``grading.budget``)
    budget: str = "standard"

    @property
    def student_path(self) -> Path:
        return self.directory / "student" / f"{self.name}.ipynb"

    @property
    def max_points(self) -> float:
        """Points scored automatically (manual tasks excluded: see :attr:`review_points`)."""
        return sum(t.points for t in self.tasks if not t.manual)

    @property
    def review_points(self) -> float:
        """Points of the tasks the instructor scores by hand."""
        return sum(t.points for t in self.tasks if t.manual)


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
        tasks.append(_task(source, name, t))
    limits = dict(nb.metadata.get("grading") or {})
    budget = limits.pop("budget", "standard")
    if budget not in BUDGETS:
        raise LabError(f"{source}: front matter 'grading', field 'budget': must be one of "
                       f"{list(BUDGETS)}. Got {budget!r}.")
    allowed = {"timeout_s", "cpu_s", "memory_mb", "output_mb", "processes"}
    for key, value in limits.items():
        if key not in allowed or isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise LabError(f"{source}: front matter 'grading', field {key!r}: must be 'budget' "
                           f"or one of {sorted(allowed)} with a positive number. Got {value!r}.")
    return Lab(d.name, d, source, nb, tuple(tasks), limits, budget)


_TASK_KEYS = {"points", "probes", "rtol", "atol", "manual", "show"}


def _expressions(source: Path, name: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or (key == "probes" and not value) or \
            not all(isinstance(p, str) for p in value):
        raise LabError(f"{source}: task {name!r}, field {key!r}: must be a "
                       f"{'non-empty ' if key == 'probes' else ''}list of expressions (strings)")
    for p in value:
        try:
            ast.parse(p, mode="eval")
        except SyntaxError:
            raise LabError(f"{source}: task {name!r}, field {key!r}: {p!r} is not an "
                           "expression") from None
    return tuple(value)


def _task(source: Path, name: str, t: object) -> TaskSpec:
    if not isinstance(t, dict):
        raise LabError(f"{source}: task {name!r}: must be a dict with 'points' and 'probes'")
    unknown = sorted(set(t) - _TASK_KEYS)
    if unknown:
        raise LabError(f"{source}: task {name!r}, field {unknown[0]!r}: unknown (allowed: "
                       f"{sorted(_TASK_KEYS)})")
    probes = _expressions(source, name, "probes", t.get("probes"))
    if isinstance(t.get("points"), bool) or not isinstance(t.get("points"), int | float) \
            or t["points"] <= 0:
        raise LabError(f"{source}: task {name!r}, field 'points': must be a positive number")
    manual = t.get("manual", False)
    if not isinstance(manual, bool):
        raise LabError(f"{source}: task {name!r}, field 'manual': must be True or False. "
                       f"Got {manual!r}.")
    if "show" in t and not manual:
        raise LabError(f"{source}: task {name!r}, field 'show': only a manual task "
                       "(\"manual\": True) shows values for review")
    show = _expressions(source, name, "show", t["show"]) if "show" in t else ()
    return TaskSpec(name, float(t["points"]), probes, float(t.get("rtol", 1e-6)),
                    float(t.get("atol", 1e-9)), manual, show)

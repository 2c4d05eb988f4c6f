"""Labs: build the student version of a lab and grade submitted notebooks.

* :mod:`.labfile` reads a lab's source notebook: its tasks, solutions and hidden tests.
* :mod:`.build` writes the student version (no solutions, no hidden tests).
* :mod:`.sandbox` runs one notebook in an operating-system sandbox (:mod:`.bwrap`, the
  bubblewrap command line); the threat model, what is and is not covered, is there.
* :mod:`.grader` grades a folder of submissions into a CSV gradebook (:mod:`.gradebook`:
  written safely; :mod:`.review`: the companion file for manual tasks), ``jobs`` at once;
  :mod:`.feedback` writes what each student may read, :mod:`.lms` the student ids, late flags
  and the Canvas and Moodle import files.
"""

from .build import build_student, solution_notebook
from .grader import grade_submissions
from .labfile import Lab, LabError, load_lab

__all__ = ["Lab", "LabError", "build_student", "grade_submissions", "load_lab", "solution_notebook"]

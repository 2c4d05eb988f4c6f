"""The child process of :mod:`.sandbox` (run as ``python -m``): executes a submission's cells.

Reads the job (cells, limits; never expected values) as one line from stdin, copies the
model-cache seed into its own folder, writes the submission's notebook there, runs each cell
(an exception ends that cell only), then writes :data:`CELLS_DONE` to the reply descriptor
given on the command line. Only then does the grader send the probe expressions (a second line
on stdin): what the cells printed (the public checks, shown in the student's feedback) was
printed before any probe existed in this process. It evaluates the probes and writes one JSON
reply after the marker. Everything here runs inside the sandbox; the grader trusts nothing in
the reply beyond the values of the probes it asked for.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import traceback
from pathlib import Path

#: written to the reply descriptor when the cells have run (before the probes are sent)
CELLS_DONE = "\x1e"


def _encode(value: object) -> object:
    """JSON-safe form of a probe value (arrays and numpy scalars become lists and numbers)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    return {"__repr__": repr(value)[:200]}


def _seed_cache(seed: str, home: str) -> None:
    """Copy the instructor's cached models (read-only at ``seed``) into this sandbox's cache."""
    from simlib.exercises.grading.bwrap import seed_files

    files = seed_files(Path(seed)) if seed else []
    dst = Path(home) / ".cache" / "simlib"
    dst.mkdir(parents=True, exist_ok=True)
    for f in files:
        try:
            shutil.copyfile(f, dst / f.name)
        except OSError:  # a full folder: the submission exports its own copy
            break


def _hook(forbidden: list[str]):  # noqa: ANN202 - only with --unsafe-no-sandbox
    """Audit hook refusing to open the grader's folders (the weak, in-process fallback)."""
    prefixes = [p.rstrip("/") + "/" for p in forbidden]

    def hook(event: str, args: tuple) -> None:
        if event == "open" and args and isinstance(args[0], str | bytes):
            path = os.path.abspath(os.fsdecode(args[0]))
            if any((path + "/").startswith(p) for p in prefixes):
                raise PermissionError(f"grading sandbox: {path} is out of reach")
    return hook


def main() -> None:
    fd = int(sys.argv[1])
    job = json.loads(sys.stdin.buffer.readline())
    probes_in = os.dup(0)  # the probes come later, on the same pipe
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if job.get("processes"):  # counted per sandbox: it has its own user namespace
        resource.setrlimit(resource.RLIMIT_NPROC, (job["processes"], job["processes"]))
    _seed_cache(job.get("cache_seed") or "", os.environ.get("HOME", "."))
    if job.get("notebook_name"):
        Path(job["notebook_name"]).write_text(job["notebook_text"], encoding="utf-8")
    reply_pipe = os.fdopen(fd, "w")
    if job.get("forbidden"):
        sys.addaudithook(_hook(job["forbidden"]))
    ns: dict = {"__name__": "__main__", "display": print}
    errors = []
    for i, src in enumerate(job["cells"]):
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in src.splitlines())
        try:
            exec(compile(code, f"<cell {i + 1}>", "exec"), ns)  # noqa: S102 - sandboxed
        except (Exception, SystemExit) as err:  # noqa: BLE001 - a cell's error is the student's
            errors.append(f"cell {i + 1}: {type(err).__name__}: {str(err)[:200]}")
    sys.stdout.flush()
    sys.stderr.flush()
    reply_pipe.write(CELLS_DONE)
    reply_pipe.flush()
    with os.fdopen(probes_in, "rb") as f:
        line = f.readline()
    probes = json.loads(line) if line else []
    values = {}
    for probe in probes:
        try:
            values[probe] = {"ok": _encode(eval(probe, ns))}  # noqa: S307 - sandboxed
        except BaseException as err:  # noqa: BLE001
            values[probe] = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
    reply_pipe.write(json.dumps({"values": values, "cell_errors": errors}))
    reply_pipe.close()
    sys.stdout.flush()
    os._exit(0)  # do not wait for threads a submission may have started


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        os._exit(3)

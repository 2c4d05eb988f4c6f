"""The child process of :mod:`.sandbox` (run as ``python -m``): executes a submission's cells.

Reads the job (cells, probes, forbidden paths) and deletes it, installs the audit hook, runs
each cell (an exception ends that cell only), evaluates the probes and writes one JSON reply
to the pipe given on the command line.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

_BLOCKED_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                   "os.fork", "os.forkpty", "socket.connect", "socket.bind", "pty.spawn")


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


def main() -> None:
    job_path, fd = sys.argv[1], int(sys.argv[2])
    with open(job_path) as f:
        job = json.load(f)
    os.unlink(job_path)
    forbidden = [p.rstrip("/") + "/" for p in job["forbidden"]]
    attempts: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event == "open" and args and isinstance(args[0], str | bytes):
            path = os.path.abspath(os.fsdecode(args[0]))
            if any((path + "/").startswith(p) for p in forbidden):
                attempts.append(f"tried to open {path}")
                raise PermissionError(f"grading sandbox: {path} is out of reach")
        elif event.startswith(_BLOCKED_EVENTS):
            attempts.append(f"tried {event}")
            raise PermissionError(f"grading sandbox: {event} is not allowed")

    reply_pipe = os.fdopen(fd, "w")
    sys.addaudithook(hook)
    ns: dict = {"__name__": "__main__", "display": print}
    errors = []
    for i, src in enumerate(job["cells"]):
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in src.splitlines())
        try:
            exec(compile(code, f"<cell {i + 1}>", "exec"), ns)  # noqa: S102 - sandboxed
        except (Exception, SystemExit) as err:  # noqa: BLE001 - a cell's error is the student's
            errors.append(f"cell {i + 1}: {type(err).__name__}: {str(err)[:200]}")
    values = {}
    for probe in job["probes"]:
        try:
            values[probe] = {"ok": _encode(eval(probe, ns))}  # noqa: S307 - sandboxed
        except BaseException as err:  # noqa: BLE001
            values[probe] = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
    reply_pipe.write(json.dumps({"values": values, "cell_errors": errors, "tampering": attempts}))
    reply_pipe.close()
    sys.stdout.flush()
    os._exit(0)  # do not wait for threads a submission may have started


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        os._exit(3)

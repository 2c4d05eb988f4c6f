"""Run one notebook's code in a separate, limited process and return probe values as data.

Threat model (a submission is untrusted code written by someone who wants a better grade):

* **Scores are never computed where student code runs.** The child process executes the
  submission's code cells, then evaluates the probe expressions (test *inputs*, e.g.
  ``in_flight(200, 50)``) and sends back their values as JSON on a private pipe. Expected
  values, points and comparisons live only in the grader process, which parses the reply with
  :func:`json.loads` (never pickle), so a submission can at worst report wrong values for its own
  answers. The reference values come from running the instructor's solution the same way.
* **Limits**: ``RLIMIT_CPU`` (CPU seconds), ``RLIMIT_AS`` (memory), ``RLIMIT_FSIZE`` (output:
  the student's stdout/stderr go to a file, so a flood of output kills the child with SIGXFSZ),
  ``RLIMIT_CORE`` 0, plus a wall-clock timeout after which the whole process group is killed.
  An infinite loop, a memory bomb or huge output cost that one submission, nothing else.
* **Out of reach**: the child starts in an empty temporary directory with a scrubbed
  environment and never receives the lab's path. A Python audit hook (PEP 578, cannot be removed)
  refuses to open files under the lab directory or the submissions directory and to start
  processes or open sockets; any attempt is reported and the grader scores the submission zero
  for tampering.
* **Not covered** (use a container or a separate user for that): native code (ctypes, a C
  extension) can bypass the audit hook; probe expressions are visible to a determined
  submission (they are inputs, not answers). Keep instructor sources unreadable by the grading
  user on shared machines.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "RunResult", "run_notebook_code"]


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: ``timeout_s`` wall clock, ``cpu_s``, ``memory_mb``, ``output_mb``."""

    timeout_s: float = 60.0
    cpu_s: int = 60
    memory_mb: int = 2048
    output_mb: int = 5

    @classmethod
    def for_lab(cls, lab_limits: dict, **overrides: float | None) -> Limits:
        """The lab's defaults (front matter ``grading:``), then explicit ``overrides`` (None: keep)."""
        values = {**lab_limits, **{k: v for k, v in overrides.items() if v is not None}}
        if "timeout_s" in values and "cpu_s" not in values:
            values["cpu_s"] = int(values["timeout_s"]) + 1
        return cls(**{k: (int(v) if k != "timeout_s" else float(v)) for k, v in values.items()})


@dataclass
class RunResult:
    """What came back from the child: probe values (JSON), cell errors and why it stopped."""

    values: dict[str, dict] = field(default_factory=dict)
    cell_errors: list[str] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)
    failure: str = ""  # empty when the child finished normally
    seconds: float = 0.0


def _preexec(limits: Limits):
    def apply() -> None:
        os.setsid()
        mem = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        out = limits.output_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (out, out))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_notebook_code(cells: list[str], probes: list[str], limits: Limits,
                      forbidden: list[Path]) -> RunResult:
    """Execute ``cells`` then evaluate ``probes`` in a limited child (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="simlib-grade-") as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"cells": cells, "probes": probes,
                                   "forbidden": [str(p.resolve()) for p in forbidden]}))
        work = Path(tmp) / "work"
        work.mkdir()
        read_fd, write_fd = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "MPLBACKEND": "Agg",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "SIMLIB_BUDGET": "quick", "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}
        start = time.monotonic()
        with open(Path(tmp) / "output.txt", "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "simlib.exercises.grading._child", str(job), str(write_fd)],
                cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                pass_fds=(write_fd,), preexec_fn=_preexec(limits))
        os.close(write_fd)
        chunks, timed_out = [], False
        os.set_blocking(read_fd, False)
        while True:
            try:
                b = os.read(read_fd, 1 << 16)
                if b:
                    chunks.append(b)
                    if sum(map(len, chunks)) > 8 * 2**20:
                        break
                    continue
                if proc.poll() is not None:
                    break
            except BlockingIOError:
                pass
            if time.monotonic() - start > limits.timeout_s:
                timed_out = True
                break
            time.sleep(0.02)
        if proc.poll() is None:
            with_group_kill(proc)
        os.close(read_fd)
        result = RunResult(seconds=time.monotonic() - start)
        rc = proc.returncode
        if timed_out:
            result.failure = f"time limit: still running after {limits.timeout_s:g} s"
        elif rc == -signal.SIGXCPU or rc == -signal.SIGKILL and result.seconds >= limits.cpu_s:
            result.failure = f"CPU time limit ({limits.cpu_s} s) exceeded"
        elif rc == -signal.SIGXFSZ:
            result.failure = f"output limit ({limits.output_mb} MB) exceeded"
        try:
            reply = json.loads(b"".join(chunks).decode("utf-8")) if chunks else None
        except (UnicodeDecodeError, ValueError):
            reply = None
        if isinstance(reply, dict):
            result.values = {k: v for k, v in reply.get("values", {}).items() if isinstance(v, dict)}
            result.cell_errors = [str(e) for e in reply.get("cell_errors", [])][:20]
            result.tampering = [str(e) for e in reply.get("tampering", [])][:20]
        elif not result.failure:
            tail = (Path(tmp) / "output.txt").read_bytes()[-400:].decode("utf-8", "replace")
            if "MemoryError" in tail:
                result.failure = f"memory limit ({limits.memory_mb} MB) exceeded"
            else:
                result.failure = f"the notebook process died (exit status {rc}): {tail.strip()[-200:]}"
        return result


def with_group_kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()

"""Run one notebook's code in an operating-system sandbox and return probe values as data.

Threat model: a submission is untrusted code written by someone who wants a better grade, or
to hurt the grader. Covered:

* **Isolation by the operating system** (:mod:`.bwrap`): each submission runs under bubblewrap
  in new user, PID, IPC, network, UTS and mount namespaces. It sees read-only only the system
  libraries, the Python interpreter, the virtual environment and simlib; its working folder
  (``/submission``, holding only its own notebook) and ``/tmp`` are private, in memory and
  size-limited. The lab folder, the solution, the other submissions, the gradebook's folder and
  the home directory do not exist in its view, whatever path it tries (``..``, ``/proc/<pid>``,
  symlinks it creates). It has no network. ``--die-with-parent`` and the PID namespace
  guarantee that every process it started is gone when it ends, times out or the grader dies.
  Nothing is detected or flagged: what a library does on import (``ctypes.util.find_library``
  running ``ldconfig``, CPU probes, thread pools) is simply contained, never counted against
  the student.
* **Limits**: ``RLIMIT_CPU`` (CPU seconds), ``RLIMIT_DATA`` (memory the code allocates,
  ``memory_mb``) and ``RLIMIT_AS`` (everything mapped: ``memory_mb`` plus
  :data:`LIBRARY_HEADROOM_MB` for large libraries such as the CUDA build of torch, which maps
  more than 3 GB before doing any work), ``RLIMIT_FSIZE`` (largest
  file, and the student's stdout/stderr, which go to a file: a flood of output ends the child
  with SIGXFSZ), ``RLIMIT_CORE`` 0, ``RLIMIT_NPROC`` (processes and threads, counted inside the
  sandbox's own user namespace), a watchdog that counts the processes of the sandbox's PID
  namespace (the kernel does not apply ``RLIMIT_NPROC`` to processes of the host's root, so a
  grader run as root relies on it), and a wall-clock timeout after which the sandbox is killed.
* **Scores are never computed where student code runs; expected values never enter the
  sandbox.** The child receives the cells on stdin, runs them and says so on its reply pipe;
  the grader then copies what the cells printed (the public checks, for the student's feedback:
  no hidden input existed in the process yet) and only then sends the probe expressions (test
  *inputs*, e.g. ``in_flight(200, 50)``); the child writes one JSON reply. The grader reads at
  most :data:`REPLY_BYTES`, parses it with :func:`json.loads` (never pickle) and keeps only
  well-formed values for the probes it asked for (and at most 20 one-line cell errors, which
  only fill its own notes). Probe values can only be computed in the process that holds the
  student's objects, so no channel from that process is out of the student code's reach; the
  guarantee comes from what the grader accepts: whatever the submission writes to that pipe (a
  forged reply included) can at most change the values of its own answers, which it controls
  anyway. It cannot claim a score, a clean run after a failure, or another student's values.

Not covered: kernel exploits (bubblewrap is as strong as the kernel's namespaces); reading what
every submission may read (the interpreter, the installed packages, the probe expressions,
which are inputs, not answers); CPU-time side channels between parallel jobs. With
``sandbox=False`` (``simlib grade --unsafe-no-sandbox``, for machines without bubblewrap) the
child is only a limited process in an empty temporary folder, with an audit hook refusing to
open the grader's folders: native code, another process or a determined script can get around
that.
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

from . import bwrap
from ._child import CELLS_DONE

__all__ = ["REPLY_BYTES", "Limits", "RunResult", "run_notebook_code"]

#: the largest reply (probe values) the grader reads from a child, bytes
REPLY_BYTES = 8 * 2**20


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: ``timeout_s`` wall clock, ``cpu_s``, ``memory_mb``, ``output_mb``
    (largest file and printed output, MB), ``processes`` (processes and threads at once)."""

    timeout_s: float = 60.0
    cpu_s: int = 60
    memory_mb: int = 2048
    output_mb: int = 5
    #: thread pools grow with the cores (onnxruntime, torch), so the default does too
    processes: int = field(default_factory=lambda: 128 + 4 * (os.cpu_count() or 1))

    @classmethod
    def for_lab(cls, lab_limits: dict, **overrides: float | None) -> Limits:
        """The lab's defaults (front matter ``grading:``), then explicit ``overrides`` (None: keep)."""
        values = {**lab_limits, **{k: v for k, v in overrides.items() if v is not None}}
        values.pop("budget", None)
        if "timeout_s" in values and "cpu_s" not in values:
            values["cpu_s"] = int(values["timeout_s"]) + 1
        return cls(**{k: (int(v) if k != "timeout_s" else float(v)) for k, v in values.items()})


@dataclass
class RunResult:
    """What came back from the child: probe values (JSON), cell errors and why it stopped."""

    values: dict[str, dict] = field(default_factory=dict)
    cell_errors: list[str] = field(default_factory=list)
    failure: str = ""  # empty when the child finished normally
    seconds: float = 0.0
    #: what the cells printed before the probes were sent (at most OUTPUT_KEEP bytes)
    output: str = ""


#: the most of a run's printed output kept for its feedback, bytes
OUTPUT_KEEP = 256 * 1024


#: address space granted beyond ``memory_mb`` for the libraries a lab imports: the CUDA build of
#: torch maps >3 GB of shared libraries and reservations before any work (measured: `import torch`
#: fails under a 3 GB address-space limit, succeeds under 4 GB); mapped files are not memory in use
LIBRARY_HEADROOM_MB = 4096


def _preexec(limits: Limits):
    def apply() -> None:
        mem = limits.memory_mb * 2**20
        # memory the code allocates (heap, private anonymous mappings: numpy arrays, bytearrays)
        resource.setrlimit(resource.RLIMIT_DATA, (mem, mem))
        # and everything it maps, with room for large libraries: a correct solution must not fail
        # because the instructor's torch is the CUDA build (issue 25); shared anonymous mappings,
        # which RLIMIT_DATA does not count, stay bounded by this
        total = mem + LIBRARY_HEADROOM_MB * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (total, total))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
        out = limits.output_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (out, out))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _env(budget: str, home: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": home, "MPLBACKEND": "Agg", "TMPDIR": "/tmp",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "SIMLIB_BUDGET": budget, "PYTHONHASHSEED": "0", "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1"}


def parse_reply(raw: bytes, probes: list[str]) -> dict | None:
    """The child's reply, keeping only well-formed values of the requested ``probes``.

    >>> parse_reply(b'{"values": {"x": {"ok": 1}, "y": {"ok": 2}}, "cell_errors": []}', ["x"])
    {'values': {'x': {'ok': 1}}, 'cell_errors': []}
    >>> parse_reply(b'not json', ["x"]) is None
    True
    """
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(reply, dict) or not isinstance(reply.get("values"), dict):
        return None
    values = {}
    for p in probes:
        v = reply["values"].get(p)
        if isinstance(v, dict) and len(v) == 1 and ("ok" in v or isinstance(v.get("error"), str)):
            values[p] = v
    errors = reply.get("cell_errors")
    errors = [str(e)[:300] for e in errors[:20]] if isinstance(errors, list) else []
    return {"values": values, "cell_errors": errors}


class _Watch:
    """Counts the processes of a sandbox's PID namespace (from bwrap's ``--info-fd``)."""

    def __init__(self, fd: int | None) -> None:
        self.fd, self.buf, self.pid1 = fd, b"", None
        if fd is not None:
            os.set_blocking(fd, False)

    def count(self) -> int:
        if self.pid1 is None and self.fd is not None:
            try:
                self.buf += os.read(self.fd, 4096)
                self.pid1 = json.loads(self.buf).get("child-pid")
            except (BlockingIOError, ValueError, OSError):
                return 0
        if self.pid1 is None:
            return 0
        try:
            proc = f"/proc/{self.pid1}/root/proc"
            if os.stat(proc).st_dev == os.stat("/proc").st_dev:
                return 0  # still setting up: its root is not the sandbox's yet
            return sum(n.isdigit() for n in os.listdir(proc))
        except OSError:
            return 0

    def kill(self) -> None:
        if self.pid1 is not None:  # PID 1 of the namespace: the kernel kills all the others
            try:
                os.kill(self.pid1, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def run_notebook_code(cells: list[str], probes: list[str], limits: Limits, *,
                      budget: str = "standard", sandbox: bool = True, hidden: list[Path] = (),
                      cache: Path | None = None, notebook: tuple[str, str] | None = None
                      ) -> RunResult:
    """Execute ``cells`` then evaluate ``probes`` in a sandbox (see the module docstring).

    ``hidden``: host folders the submission must not see (the lab, the submissions, the
    gradebook's folder). ``cache``: the instructor's model cache, copied into the sandbox.
    ``notebook``: (file name, text) of the submission, placed in its working folder.
    ``sandbox=False`` runs without bubblewrap (weaker; see the module docstring).
    """
    job: dict = {"cells": cells}  # the probes follow once the cells have run (see _child)
    if notebook:
        job["notebook_name"], job["notebook_text"] = os.path.basename(notebook[0]), notebook[1]
    with tempfile.TemporaryDirectory(prefix="simlib-grade-") as tmp:
        child = _launch(job, limits, budget, sandbox, hidden, cache, Path(tmp))
        try:
            stop = _collect(child, probes, limits, sandbox)
        finally:
            if child.printed is None:
                _send_probes(child.proc, None)
            if child.proc.poll() is None:
                child.watch.count()
                child.watch.kill()
                _group_kill(child.proc)
            child.watch.close()
            os.close(child.read_fd)
        return _outcome(child, stop, probes, limits, sandbox)


@dataclass
class _Child:
    """One running submission: its process, the pipe it answers on, the watch on its processes,
    when it started (monotonic s), its output file, and what it printed by the time its cells ran."""

    proc: subprocess.Popen
    read_fd: int
    watch: _Watch
    start: float
    output: Path
    chunks: list[bytes] = field(default_factory=list)
    printed: bytes | None = None


def _launch(job: dict, limits: Limits, budget: str, sandbox: bool, hidden, cache, tmp: Path) -> _Child:
    """Start the child (in bubblewrap unless ``sandbox`` is False) and hand it the job."""
    read_fd, write_fd = os.pipe()
    info_r = info_w = None
    if sandbox:
        info_r, info_w = os.pipe()
        job.update(processes=limits.processes, cache_seed=bwrap.CACHE_SEED)
        argv = bwrap.command(["-m", "simlib.exercises.grading._child", str(write_fd)],
                             work_mb=max(64, 4 * limits.output_mb), hidden=list(hidden),
                             cache=cache, env=_env(budget, bwrap.WORK), info_fd=info_w)
        cwd = tmp
    else:
        cwd = tmp / "work"
        cwd.mkdir()
        job["forbidden"] = _forbidden(hidden, tmp)
        argv = [sys.executable, "-m", "simlib.exercises.grading._child", str(write_fd)]
    start = time.monotonic()
    with open(tmp / "output.txt", "wb") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=_env(budget, str(cwd)), stdin=subprocess.PIPE, stdout=out,
            stderr=out, pass_fds=tuple(f for f in (write_fd, info_w) if f is not None),
            preexec_fn=_preexec(limits), start_new_session=True)
    os.close(write_fd)
    if info_w is not None:
        os.close(info_w)
    child = _Child(proc, read_fd, _Watch(info_r), start, tmp / "output.txt")
    try:
        proc.stdin.write(json.dumps(job).encode() + b"\n")
        proc.stdin.flush()
    except BrokenPipeError:
        pass
    return child


def _collect(child: _Child, probes: list[str], limits: Limits, sandbox: bool) -> str:
    """Read the child's reply until it exits or breaks a limit; send the probes once its cells
    have run (after copying what they printed). Returns why it was stopped ("" if it was not)."""
    size, next_count = 0, child.start
    os.set_blocking(child.read_fd, False)
    while True:
        try:
            b = os.read(child.read_fd, 1 << 16)
            if b:
                child.chunks.append(b)
                size += len(b)
                if size > REPLY_BYTES:
                    return f"reply larger than {REPLY_BYTES // 2**20} MB"
                if child.printed is None and CELLS_DONE.encode() in b:
                    with open(child.output, "rb") as f:
                        child.printed = f.read(OUTPUT_KEEP)
                    _send_probes(child.proc, probes)
                continue
            if child.proc.poll() is not None:
                return ""
        except BlockingIOError:  # no data yet; a process it left may hold the pipe open
            if child.proc.poll() is not None:
                child.chunks += _drain(child.read_fd, REPLY_BYTES - size)
                return ""
        now = time.monotonic()
        if now - child.start > limits.timeout_s:
            return f"time limit: still running after {limits.timeout_s:g} s"
        if sandbox and now >= next_count:
            next_count = now + 0.05
            if child.watch.count() > limits.processes:
                return f"process limit ({limits.processes} processes) exceeded"
        time.sleep(0.02)


def _outcome(child: _Child, stop: str, probes: list[str], limits: Limits, sandbox: bool) -> RunResult:
    """The run's answers, or the limit it hit, or why it returned no answers."""
    result = RunResult(seconds=time.monotonic() - child.start, failure=stop,
                       output=(child.printed or b"").decode("utf-8", "replace"))
    rc = child.proc.returncode
    if sandbox and rc is not None and rc > 128:  # bwrap reports a signal as 128 + number
        rc = -(rc - 128)
    if stop:
        pass
    elif rc == -signal.SIGXCPU or rc == -signal.SIGKILL and result.seconds >= limits.cpu_s:
        result.failure = f"CPU time limit ({limits.cpu_s} s) exceeded"
    elif rc == -signal.SIGXFSZ:
        result.failure = f"output limit ({limits.output_mb} MB) exceeded"
    raw = b"".join(child.chunks).partition(CELLS_DONE.encode())[2] if child.printed is not None else b""
    reply = parse_reply(raw, probes) if raw and not stop else None
    if reply is not None:
        result.values, result.cell_errors = reply["values"], reply["cell_errors"]
    elif not result.failure:
        tail = child.output.read_bytes()[-400:].decode("utf-8", "replace")
        if "MemoryError" in tail:
            result.failure = f"memory limit ({limits.memory_mb} MB) exceeded"
        else:
            result.failure = ("the notebook process returned no answers (exit status "
                              f"{rc}): {tail.strip()[-200:]}")
    return result


def _send_probes(proc: subprocess.Popen, probes: list[str] | None) -> None:
    """Send the probe expressions (None: none, the run is over) and close the child's stdin."""
    try:
        if probes is not None:
            proc.stdin.write(json.dumps(probes).encode() + b"\n")
        proc.stdin.close()
    except (BrokenPipeError, OSError, ValueError):  # the child is gone or closed it
        pass


def _drain(fd: int, limit: int) -> list[bytes]:
    """What is left in the non-blocking pipe ``fd`` (at most ``limit`` bytes)."""
    out: list[bytes] = []
    while limit > 0:
        try:
            b = os.read(fd, min(1 << 16, limit))
        except BlockingIOError:
            break
        if not b:
            break
        out.append(b)
        limit -= len(b)
    return out


def _forbidden(hidden: list[Path], tmp: Path) -> list[str]:
    """The hidden folders the unsafe mode's audit hook refuses (not those holding Python or tmp)."""
    needed = [Path(p) for p in bwrap.visible_paths()] + [tmp.resolve()]
    return [str(h) for h in (Path(p).resolve() for p in hidden)
            if not any(n == h or h in n.parents for n in needed)]


def _group_kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()

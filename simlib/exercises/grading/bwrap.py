"""The operating-system sandbox of one submission: a bubblewrap (``bwrap``) command line.

:func:`command` builds the argv that runs the grading child in new user, PID, IPC, network,
UTS and mount namespaces, seeing only:

* read-only: ``/usr`` (and the ``/bin``, ``/lib``, ``/sbin`` links or folders), a short list of
  files from ``/etc`` (the dynamic-linker cache, time zone, passwd/group, fonts), the CPU
  topology and cgroup limits from ``/sys`` (without them onnxruntime and torch size their
  thread pools wrongly and measured tails grow several-fold), the Python
  interpreter (``sys.base_prefix``), the virtual environment (``sys.prefix``), the simlib
  package, and, at ``/cache-seed``, the instructor's model cache if it is at most
  :data:`SEED_LIMIT_MB` (the child copies it into its own folder, so an exported model is
  reused but never written back);
* writable, in memory and size-limited: ``/submission`` (the working folder and ``HOME``,
  holding only this submission's notebook), ``/tmp`` and ``/dev/shm``; everything else
  (``/``, ``/dev``) is read-only;
* a fresh ``/proc`` of its own PID namespace and a minimal ``/dev``.

The lab folder, the submissions folder, the gradebook's folder and the home directory are not
in that view. :func:`check_available` refuses, naming what is missing, where bubblewrap is not
installed or cannot create namespaces (macOS, a kernel without user namespaces).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from simlib._validate import InvalidParameterError

__all__ = ["SandboxUnavailable", "check_available", "command", "seed_files", "seed_mb",
           "unavailable_reason", "visible_paths"]

#: where the submission runs inside the sandbox (its working folder and HOME)
WORK = "/submission"
#: where the instructor's model cache is visible (read-only) inside the sandbox
CACHE_SEED = "/cache-seed"
#: the largest model cache copied into each sandbox, MB (a larger one is not shown at all)
SEED_LIMIT_MB = 512
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
        "passwd", "group", "fonts", "mime.types", "alternatives", "os-release", "hosts")
_SYS = ("/sys/devices/system/cpu", "/sys/devices/system/node", "/sys/fs/cgroup")
_TOP = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_HOW = ("Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
        "bubblewrap), or, where that is impossible (macOS), grade with --unsafe-no-sandbox "
        "(weaker isolation; see book/instructors.md).")


class SandboxUnavailable(InvalidParameterError):
    """bubblewrap is missing or cannot create the namespaces the sandbox needs."""


@functools.cache
def _bwrap() -> str:
    path = shutil.which("bwrap") or next(
        (p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap") if os.access(p, os.X_OK)), None)
    if path is None:
        raise SandboxUnavailable("simlib grade runs every submission in an operating-system "
                                 "sandbox and needs bubblewrap ('bwrap'), which was not found "
                                 f"on PATH. {_HOW}")
    return path


def visible_paths() -> list[str]:
    """Host folders the sandbox shows read-only (besides /usr, /etc files and the cache seed)."""
    import simlib

    found = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
             os.path.abspath(sys.prefix), str(Path(simlib.__file__).resolve().parent)}
    return sorted(p for p in found if not p.startswith("/usr/"))


def seed_files(folder: Path) -> list[Path]:
    """The cached models copied into a sandbox: regular files of ``folder``, no temporaries."""
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir()
                  if f.is_file() and not f.is_symlink() and not f.name.endswith(".tmp"))


def seed_mb(folder: Path | None) -> int | None:
    """Size of :func:`seed_files`, MB rounded up (None: over :data:`SEED_LIMIT_MB`)."""
    total = sum(f.stat().st_size for f in seed_files(folder)) if folder else 0
    mb = -(-total // 2**20)
    return mb if mb <= SEED_LIMIT_MB else None


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in _TOP:
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    for sys_dir in _SYS:  # CPU topology: thread pools size themselves from it
        if os.path.isdir(sys_dir):
            args += ["--ro-bind", sys_dir, sys_dir]
    for name in _ETC:
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _check_not_exposed(binds: list[str], hidden: list[Path]) -> None:
    for b in binds:
        for h in hidden:
            h = h.resolve()
            if h == Path(b) or Path(b) in h.parents:
                raise SandboxUnavailable(
                    f"The sandbox must show {b} (the Python installation or simlib) to every "
                    f"submission, and {h} is inside it. Move the lab, the submissions and the "
                    "gradebook out of the Python installation.")


def command(python_args: list[str], *, work_mb: int, hidden: list[Path], cache: Path | None,
            env: dict[str, str], info_fd: int | None = None) -> list[str]:
    """The bwrap argv running ``python -m ...`` (``python_args``) in a fresh sandbox.

    ``work_mb``: size of each writable in-memory folder (``/submission``, ``/tmp``), MB; the
    working folder also gets room for the model cache it receives.
    ``hidden``: host paths that must not be visible (the lab, the submissions, the gradebook's
    folder); a read-only bind that would contain one is refused. ``cache``: the host model
    cache, shown read-only at ``/cache-seed`` (None: none). ``info_fd``: a pipe bwrap writes
    its JSON status to (the sandbox's PID 1 as ``child-pid``).
    """
    binds = visible_paths()
    _check_not_exposed(binds, hidden)
    size = str(int(work_mb) * 2**20)
    # the private /tmp comes before the read-only binds: a venv or a checkout that lives under the
    # host's /tmp (a CI clone, say) is then bound on top of it instead of being hidden by it
    args = [_bwrap(), "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--proc", "/proc", "--dev", "/dev", *_system_binds(), "--size", size, "--tmpfs", "/tmp"]
    for b in binds:
        args += ["--ro-bind", b, b]
    seed = seed_mb(cache) if cache is not None and cache.is_dir() else None
    if seed is not None:
        _check_not_exposed([str(cache.resolve())], hidden)
        args += ["--ro-bind", str(cache), CACHE_SEED]
    args += ["--size", str((int(work_mb) + (seed or 0)) * 2**20),
             "--tmpfs", WORK, "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
             "--remount-ro", "/", "--chdir", WORK, "--clearenv"]
    for k, v in env.items():
        args += ["--setenv", k, v]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return [*args, os.path.abspath(sys.executable), *python_args]


@functools.cache
def check_available() -> None:
    """Raise :class:`SandboxUnavailable` (saying what is missing) unless a sandbox starts."""
    argv = [_bwrap(), "--unshare-all", "--unshare-user", "--die-with-parent", *_system_binds(),
            "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SandboxUnavailable(f"bubblewrap ({argv[0]}) could not start: {err}. {_HOW}") from None
    if r.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap ({argv[0]}) cannot create the sandbox's namespaces on this machine: "
            f"{r.stderr.strip()[-300:] or f'exit status {r.returncode}'}. Enable unprivileged "
            "user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
            "an AppArmor profile for bwrap), or run the grader where they work. " + _HOW)


def unavailable_reason() -> str:
    """Why the sandbox cannot run here ('' when it can); tests use it to skip with a message."""
    try:
        check_available()
    except SandboxUnavailable as err:
        return str(err)
    return ""

"""Helper programs that die with the run, and private folders that go with them.

A helper program (LibreOffice, its UNO helper) is started in a session of its own, so the terminal's Ctrl-C
does not reach it half-way through a document and its whole process group can be killed at once. What kills
it when the run ends is a watchdog (io/watchdog.py): a small process started on first need, one per process,
that holds a pipe from the run. Whatever ends the run (return, a handled signal, SIGKILL, a worker killed
with its batch), the kernel closes the pipe and the watchdog kills every group and removes every folder the
run registered. A process forked from the run (a pool's worker) forgets its parent's watchdog and starts its
own when it needs one: it must not hold the parent's pipe open.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

_WATCHDOG = Path(__file__).with_name("watchdog.py")
_lock = threading.Lock()
_watchdog: subprocess.Popen[bytes] | None = None
_WINDOWS = sys.platform.startswith("win")


def _say(line: str) -> None:
    """Send one line to the watchdog, starting it on first need."""
    global _watchdog
    with _lock:
        if _watchdog is None or _watchdog.poll() is not None:
            _watchdog = subprocess.Popen(
                [sys.executable, "-I", "-S", str(_WATCHDOG)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, **_own_session())
        assert _watchdog.stdin is not None
        if line:
            _watchdog.stdin.write(line.encode("utf-8", "surrogateescape") + b"\n")
            _watchdog.stdin.flush()


def _own_session() -> dict[str, Any]:
    if _WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    return {"start_new_session": True}


def start(argv: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start `argv` in a session of its own, registered with the watchdog: killed with its process group
    when the run ends, if it has not ended before (`end`)."""
    _say("")  # the watchdog first: then only one write separates the child's start from its registration
    proc = subprocess.Popen(argv, **popen, **_own_session())
    try:
        _say(f"+g {proc.pid}")
    except BaseException:
        _kill(proc)
        raise
    return proc


def _kill(proc: subprocess.Popen[Any]) -> None:
    if _WINDOWS:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    else:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()


def end(proc: subprocess.Popen[Any], *, wait_s: float = 0.0) -> None:
    """End `proc` and its group: after `wait_s` seconds for it to exit by itself, killed."""
    if wait_s > 0:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait_s)
    _kill(proc)  # its group too: a helper's own children (soffice) may outlive it
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.wait(5)
    with contextlib.suppress(OSError, ValueError):
        _say(f"-g {proc.pid}")


def private_folder(prefix: str) -> Path:
    """A new folder (mode 0700) in the temporary folder, removed by the watchdog when the run ends (or by
    `remove`). Registered before it is made, so no moment exists where it is there and unknown."""
    parent = Path(tempfile.gettempdir())
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(6)}"
        _say(f"+d {folder}")
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # someone else's: not ours to remove
            _say(f"-d {folder}")
            continue
        return folder


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError, ValueError):
        _say(f"-d {folder}")


def stop_watchdog() -> None:
    """Close the pipe (the watchdog cleans up what is still registered and exits) and reap it."""
    global _watchdog
    with _lock:
        dog, _watchdog = _watchdog, None
    if dog is None:
        return
    with contextlib.suppress(OSError, ValueError):
        assert dog.stdin is not None
        dog.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        dog.wait(10)


_orphans: list[Any] = []  # a forked child's copies of its parent's pipe objects, never closed nor collected


def detach(stream: Any) -> None:
    """In a forked child: let go of a pipe end inherited from the parent, without touching the stream object.
    Its descriptor number is pointed at the null device (the pipe end is closed in this process only), and the
    object is kept alive: closing or collecting it could wait forever on a lock a parent's thread held at the
    fork (a reader blocked on the pipe)."""
    if stream is None:
        return
    _orphans.append(stream)
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_RDWR)
    except (OSError, ValueError):
        return
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def _forget_after_fork() -> None:
    """In a forked child: the parent's watchdog pipe is let go of here (only the parent's end keeps it open)
    and the child starts its own watchdog when it needs one."""
    global _watchdog, _lock
    _lock = threading.Lock()
    dog, _watchdog = _watchdog, None
    if dog is not None:
        detach(dog.stdin)
        _orphans.append(dog)
        dog.returncode = 0  # not this process's child: nothing to wait for


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)

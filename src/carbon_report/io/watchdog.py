"""The watchdog of a run's children: run as a script (`python -I watchdog.py`), never imported by the run.

A run that starts helper programs (LibreOffice, its UNO helper) starts this small process first, in a
session of its own, with a pipe as its standard input. The run writes one line per thing to clean up:

    +g PID      the process group PID (a child started in its own session) is to be killed
    -g PID      that group has ended; forget it
    +d PATH     the folder PATH (the child's profile and the client's documents) is to be removed
    -d PATH     that folder is removed; forget it

When the pipe closes (the run ended: returned, handled a signal, was killed with SIGKILL, or its worker
died), every remembered group is killed with SIGKILL and every remembered folder removed, then the watchdog
exits. Only the end of the pipe ends it: the terminal's Ctrl-C and hang-up reach the run, not this process
(its own session), and are ignored anyway. Standard library only: it runs before anything else is loaded
and must stay a few megabytes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time

GRACE_S = 5.0  # how long the folders' removal waits for killed processes to let go of their files


def _kill_group(pid: int) -> None:
    if sys.platform.startswith("win"):  # no process groups: the child and its descendants by tree
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(pid)], capture_output=True, check=False)
        return
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def _group_alive(pid: int) -> bool:
    if sys.platform.startswith("win"):
        return False
    try:
        os.killpg(pid, 0)
    except OSError:
        return False
    return True


def clean(groups: set[int], folders: set[str]) -> None:
    for pid in groups:
        _kill_group(pid)
    deadline = time.monotonic() + GRACE_S
    while any(_group_alive(pid) for pid in groups) and time.monotonic() < deadline:
        time.sleep(0.05)  # zombies waiting for their parent count as alive: bounded by the grace period
    for folder in folders:
        while True:
            shutil.rmtree(folder, ignore_errors=True)
            if not os.path.lexists(folder) or time.monotonic() > deadline:
                break
            time.sleep(0.1)


def main() -> int:
    for name in ("SIGINT", "SIGHUP", "SIGQUIT", "SIGTSTP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    groups: set[int] = set()
    folders: set[str] = set()

    def on_term(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    stdin = os.fdopen(0, "rb", buffering=0)
    buffer = b""
    try:
        while True:
            chunk = stdin.read(65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                op, _, arg = line.decode("utf-8", "surrogateescape").partition(" ")
                if op == "+g" and arg.isdigit():
                    groups.add(int(arg))
                elif op == "-g" and arg.isdigit():
                    groups.discard(int(arg))
                elif op == "+d" and arg:
                    folders.add(arg)
                elif op == "-d":
                    folders.discard(arg)
    finally:
        clean(groups, folders)
    return 0


if __name__ == "__main__":
    sys.exit(main())

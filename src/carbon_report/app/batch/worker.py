"""A batch worker's life: how a worker process starts (dies with its parent, quiet, capped, warm), runs one file
under its time limit, and ends. Used by both kinds of worker: the local pool's (pool.py) and the subprocess
workers of a Dask worker (children.py).

    process_one(path, out_subdir, options) -> FileRecord     one workbook through pipeline.process_file
    call(worker, path, out_subdir, options, timeout)          the above under a per-file alarm (None: timed out)
    init_worker(memory_limit, parent)                         a worker process's start
    close_worker()                                            a worker process's end
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from carbon_report.core.record import FileRecord

T = TypeVar("T")

WORKER_MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per worker
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_POLL = 1.0  # seconds between a watchdog's looks at its parent, where there is no parent-death signal


def process_one(path: str, out_subdir: str, options: Any) -> FileRecord:
    """One workbook through pipeline.process_file; only its small, picklable record goes back."""
    from carbon_report.app.batch.records import record_of
    from carbon_report.app.pipeline import process_file

    return record_of(process_file(Path(path), Path(out_subdir), options))


class WorkerTimeout(BaseException):
    """Raised inside a worker when its file runs past the time limit (BaseException, so that no
    `except Exception` in the pipeline swallows it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise WorkerTimeout()


def call(worker: Callable[[str, str, Any], T], path: str, out_subdir: str, options: Any,
         timeout: float | None) -> T | None:
    """Run `worker` under a per-file alarm, interruptible by Ctrl-C; None means it ran out of time. The alarm is
    a signal, so it only ever runs in a worker process's main thread: never in a thread of somebody else's
    process (a Dask worker's event loop), where a thread pool (a test's) runs it without one."""
    main = threading.current_thread() is threading.main_thread()
    alarm = main and bool(timeout) and hasattr(signal, "setitimer")
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler) if main else None
    previous_alarm = signal.signal(signal.SIGALRM, _on_alarm) if alarm else None
    try:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        return worker(path, out_subdir, options)
    except WorkerTimeout:
        return None
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_alarm)
        if main:
            signal.signal(signal.SIGINT, previous_int)


def init_worker(memory_limit: int | None, parent: int | None = None, report: bool = True) -> None:
    """A worker process's start. It dies with the batch (parent-death signal or watchdog), does not hold the
    caller's stdout and stderr open, ignores Ctrl-C when idle (the batch stops it; no traceback from its
    loop), has its address space capped where the platform allows, and is warmed before its first file."""
    if parent is not None:
        die_with_parent(parent)
    release_caller_pipes()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm(report=report)
    if memory_limit:
        cap_memory(memory_limit)


def close_worker() -> None:
    """A worker process's end: the long-lived office program it started for its reports' 目录 and PDFs ends with
    it (outputs/convert; also registered at exit there, which a killed worker never reaches: their watchdog)."""
    from carbon_report.outputs.convert import close_default

    close_default()


def cap_memory(memory_limit: int) -> None:
    """A runaway file ends in MemoryError for that file instead of the OOM killer (RLIMIT_AS)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            memory_limit = min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass  # Windows, or a platform without RLIMIT_AS


def die_with_parent(parent: int) -> None:
    """Killing the batch (SIGKILL, SIGTERM, a crash) must not leave its workers running, re-parented to
    PID 1 and holding the caller's pipes. Linux: the kernel sends SIGKILL to this process when the thread that
    started it ends (prctl PR_SET_PDEATHSIG: its parent process's main thread, or the spawning thread of
    children.py, which lives as long as its process). Elsewhere: a thread that ends the process once the
    parent is gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the call: nobody will signal us
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass  # no libc prctl (an unusual libc): the watchdog below

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_POLL)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="carbon-report-parent-watchdog", daemon=True).start()


def release_caller_pipes() -> None:
    """A worker writes nothing to stdout or stderr (its lines go back in its record, and the batch prints
    them), so it points both at the null device: a caller reading the batch's output to its end waits for
    the batch only, never for a worker. CARBON_REPORT_DEBUG keeps the worker's stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    for fd in (1,) if os.environ.get("CARBON_REPORT_DEBUG") else (1, 2):
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    os.close(devnull)


def warm(*, report: bool = True) -> None:
    """Load once, before the first file, what every file needs: the pipeline's imports, the factor library,
    the unit table and (`report`) the report template (parsed and compiled). Otherwise the first file of each
    worker pays for them (about a second) inside its time limit."""
    try:
        from carbon_report.app import pipeline
        from carbon_report.core import units
        from carbon_report.outputs import workbook  # noqa: F401 - imported for its import cost

        pipeline.load_library()
        units.factor("t", "kg")  # reads the alias and conversion tables
        if report:
            from carbon_report.outputs.report import render

            render.warm()
    except Exception:  # noqa: BLE001 - only a head start: a real problem is reported on the file it concerns
        pass

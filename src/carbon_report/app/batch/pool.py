"""The batch loop: files through a pool of worker processes, at most `jobs` at a time.

    run_batch(files, out_dir, options, *, jobs, executor_factory=None, timeout=300, root=None,
              worker=process_one, on_result=None, on_tick=None) -> BatchResult

The loop maps `call(process_one, …)` (worker.py: a top-level, picklable function around
pipeline.process_file) over the files through a `concurrent.futures.Executor`: by default a
ProcessPoolExecutor of warm workers (here, on the user's machine, from a command's main thread); a ChildPool of
subprocess workers (children.py) from any other thread (the page's server) and on a Dask worker; or a thread
pool in a test, through `executor_factory(max_workers)`.

Robustness, kept small:
- at most `jobs` files are in flight, so every submitted file is really running and has a start time;
- a per-file time limit: SIGALRM inside the worker ends a slow file cleanly; a worker that does not return
  `KILL_GRACE` seconds later is killed, and the pool is rebuilt;
- a worker that dies (os._exit, native abort, the OOM killer) breaks the pool and fails every file in flight
  with BrokenExecutor: the pool is rebuilt, those files are retried one at a time, and a file that breaks the
  pool while running alone is marked failed (E-BATCH-WORKER-CRASH);
- each worker gets an address-space cap (RLIMIT_AS) where the platform allows, so a runaway file ends in
  MemoryError for that file instead of the OOM killer;
- Ctrl-C (SIGINT to the parent alone, or to its whole process group) kills the workers at once and removes
  their temporary files; nothing more is written;
- max_tasks_per_child is not used (it can deadlock on Python 3.11, gh-115634).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from carbon_report.app.batch import worker as _worker
from carbon_report.app.batch.children import ChildPool, started
from carbon_report.app.batch.plan import Task, link_years, plan_tasks
from carbon_report.app.batch.records import BatchResult, assemble, failed, timed_out
from carbon_report.core.findings import Code
from carbon_report.core.record import FileRecord

KILL_GRACE = 5.0  # seconds past the time limit before a worker that ignores its alarm is killed
POLL = 0.2  # seconds between looks at deadlines and progress

Worker = Callable[[str, str, Any], FileRecord]


def default_executor(max_workers: int, *, memory_limit: int | None = _worker.WORKER_MEMORY_LIMIT,
                     report: bool = True) -> Executor:
    """The local pool: forked workers, each dying with this process, capped and warm (`report`: with the report
    template prepared; a batch without reports does not load the report's libraries at all)."""
    return ProcessPoolExecutor(max_workers, initializer=_worker.init_worker,
                               initargs=(memory_limit, os.getpid(), report))


def _workers_fork() -> bool:
    import multiprocessing

    return multiprocessing.get_start_method() == "fork"


def default_jobs() -> int:
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def run_batch(files: Iterable[Path], out_dir: Path, options: Any, *, jobs: int | None = None,
              executor_factory: Callable[[int], Executor] | None = None, timeout: float | None = 300.0,
              root: Path | None = None, worker: Worker = _worker.process_one,
              on_result: Callable[[FileRecord], None] | None = None,
              on_tick: Callable[[], None] | None = None, link: bool = True,
              flag_duplicates: bool = True, links: dict[Path, tuple[Path, ...]] | None = None) -> BatchResult:
    """Process `files` into `out_dir` (mirroring their folders below `root`, when given) and return one
    record per file, in input order. `worker` must be a top-level function when the executor runs it in
    other processes. `on_result` sees each record as it completes; `on_tick` is called a few times a second.
    `flag_duplicates=False`: a shard of a cluster batch, whose client flags duplicates over every file."""
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    records: dict[int, FileRecord] = {}

    def finish(task: Task, record: FileRecord) -> None:
        records[task.index] = record
        if on_result:
            on_result(record)

    report = bool(getattr(options, "report", True))
    main_thread = threading.current_thread() is threading.main_thread()
    if executor_factory is not None:
        factory = executor_factory
    elif main_thread:
        factory = functools.partial(default_executor, report=report)
    else:
        # A batch in a server's thread (the page, two uploads at once): forking a process whose other threads
        # may hold a lock (an import, logging, a socket) can leave the child waiting on it forever, so the
        # workers are subprocess children (children.py), started warm by `subprocess` from any thread.
        factory = functools.partial(ChildPool, memory_limit=_worker.WORKER_MEMORY_LIMIT)
    if executor_factory is None and _workers_fork() and main_thread:
        # Warm once, here: the workers forked below inherit the imports, factor library, unit table and
        # prepared template (copy-on-write), instead of each loading them again before its first file.
        _worker.warm(report=report)
    executor: Executor | None = None
    inflight: dict[Future[FileRecord | None], tuple[Task, float]] = {}
    abandoned = False
    try:
        # the pipeline's Options (not a test's stand-in): link each company's years, unless the caller gave history
        if links is None:  # given: a cluster shard of one file, whose company's years the client linked
            links = link_years(files) if link and hasattr(options, "history") and not options.history else {}
        tasks = plan_tasks(files, out_dir, root, finish, links=links, options=options)
        jobs = max(1, min(jobs or default_jobs(), len(tasks) or 1))
        queue = deque(tasks)
        while queue or inflight:
            if executor is None:
                executor = factory(jobs)
            broken = _submit(executor, queue, inflight, jobs, worker, options, timeout)
            if not broken:
                done, _ = wait(list(inflight), timeout=POLL, return_when=FIRST_COMPLETED)
                for fut in done:
                    if isinstance(fut.exception(), BrokenExecutor):
                        broken = True
                        continue
                    task, _ = inflight.pop(fut)
                    finish(task, _result_of(fut, task, timeout))
            if broken:  # a worker died: every file still in flight is suspect, and retried alone
                for task in reversed(_drain(inflight, finish, timeout)):
                    task.strikes += 1
                    if task.strikes >= 2:
                        finish(task, failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH,
                                            error="BrokenProcessPool", limit=_worker.WORKER_MEMORY_LIMIT // 1024**2))
                    else:
                        queue.appendleft(task)
                discard(executor)
                executor = None
            elif timeout:
                late = [f for f, (_, t0) in inflight.items()
                        if time.monotonic() - started(f, t0) > timeout + KILL_GRACE]
                for fut in late:  # the worker ignored its alarm (stuck in native code, or signals blocked)
                    task, _ = inflight.pop(fut)
                    finish(task, timed_out(task.path, timeout))
                if late:
                    if kill_workers(executor):  # the others were innocent: retried without a strike
                        for task in reversed(_drain(inflight, finish, timeout)):
                            queue.appendleft(task)
                        discard(executor)
                        executor = None
                    else:
                        abandoned = True  # an executor we cannot kill in: leave its worker behind
            if on_tick:
                on_tick()
    except BaseException:  # Ctrl-C above all: stop the workers now, write nothing more
        if executor is not None:
            kill_workers(executor)
            discard(executor)
        # A worker killed mid-write cannot clean up after itself: its temporary file goes here.
        with contextlib.suppress(OSError):
            for leftover in Path(out_dir).rglob(".~tmp_*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise
    if executor is not None:
        executor.shutdown(wait=not abandoned, cancel_futures=True)

    return assemble(records, len(files), flag_duplicates=flag_duplicates)


def _submit(executor: Executor, queue: deque[Task], inflight: dict[Future[Any], tuple[Task, float]],
            jobs: int, worker: Worker, options: Any, timeout: float | None) -> bool:
    """Fill free slots; a suspect file (one that was running when the pool broke) runs alone.
    True when the executor turned out to be broken."""
    while queue and len(inflight) < jobs:
        if inflight and (queue[0].strikes or any(t.strikes for t, _ in inflight.values())):
            break
        task = queue.popleft()
        try:
            fut = executor.submit(_worker.call, worker, str(task.path), str(task.out_subdir),
                                  task.options or options, timeout)
        except BrokenExecutor:
            queue.appendleft(task)
            return True
        inflight[fut] = (task, time.monotonic())
        if task.strikes:
            break
    return False


def _drain(inflight: dict[Future[Any], tuple[Task, float]], finish: Callable[[Task, FileRecord], None],
           timeout: float | None) -> list[Task]:
    """Empty `inflight` after the pool broke: keep the results that made it, return the other tasks."""
    unfinished = []
    for fut, (task, _) in sorted(inflight.items(), key=lambda kv: kv[1][0].index):
        if fut.done() and not fut.cancelled() and not isinstance(fut.exception(), BrokenExecutor):
            finish(task, _result_of(fut, task, timeout))
        else:
            unfinished.append(task)
    inflight.clear()
    return unfinished


def _result_of(fut: Future[FileRecord | None], task: Task, timeout: float | None) -> FileRecord:
    exc = fut.exception()
    if exc is None:
        record = fut.result()
        return timed_out(task.path, timeout) if record is None else record
    if isinstance(exc, _worker.WorkerTimeout):  # the alarm rang just as the worker returned
        return timed_out(task.path, timeout)
    return failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH, error=f"{type(exc).__name__}: {exc}".rstrip(": "),
                  limit=_worker.WORKER_MEMORY_LIMIT // 1024**2)


def kill_workers(executor: Executor) -> bool:
    """Kill the processes of a pool at once (False for an executor without processes of its own)."""
    kill = getattr(executor, "kill", None)
    if callable(kill):  # children.ChildPool
        kill()
        return True
    processes = getattr(executor, "_processes", None)
    if processes is None:
        return isinstance(executor, ProcessPoolExecutor)
    procs = list(processes.values())
    for p in procs:
        with contextlib.suppress(Exception):  # a process that just ended
            if p.is_alive():
                p.kill()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(2)
    return True


def discard(executor: Executor) -> None:
    with contextlib.suppress(Exception):  # a broken pool may complain while shutting down; it is gone anyway
        executor.shutdown(wait=False, cancel_futures=True)

"""Worker processes started with `subprocess`, for hosts where multiprocessing may not start children.

A Dask worker of a default `LocalCluster`, of `dask worker`, dask-jobqueue or dask-kubernetes is a daemonic
process: Python's multiprocessing refuses to start a child there. `subprocess` is allowed, so a Dask worker
runs its files in these: each child is `python -m carbon_report.app.batch.children`, started warm once and then
fed one task at a time over its stdin, its answer read from its stdout (length-prefixed pickles). The file's
time limit is a signal in the child's own main thread (worker.call), never in the Dask worker's threads,
whose event loop an interrupt would hit.

    pool = ChildPool(max_workers, keep=KEEP)   # a concurrent.futures.Executor, as ProcessPoolExecutor
    pool.submit(fn, *args) -> Future           # fn: a top-level function, pickled by reference
    pool.kill()                                # every child killed now (time limit passed, Ctrl-C)
    started(future, default)                   # when the task reached a warm child (its time limit counts from then)
    pool.shutdown()                            # idle healthy children go back to `keep` for the next pool

A child that dies (os._exit, a native abort, the OOM killer, a kill) breaks the pool as a dead process breaks a
ProcessPoolExecutor: every pending future fails with BrokenProcessPool and the pool's other children are killed,
so the batch loop (pool.py) treats both alike. Children die with their host: the parent-death signal is tied to
the thread that started them (Linux), so they are all started by one thread that lives as long as the process;
a child whose stdin closes (its host ended) leaves its loop and ends.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any

_HEADER = struct.Struct("!Q")


# ---- the child's side --------------------------------------------------------------------------------------


def _read_message(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return pickle.loads(body)


def _write_message(stream: IO[bytes], obj: Any) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def child_main(parent: int, memory_limit: int) -> None:
    """The child's loop: (fn, args) in, ("ok", value) or ("error", exception) out, until stdin closes."""
    from carbon_report.app.batch import worker

    # the task pipes are kept aside; fds 0, 1, 2 then point at the null device (worker.init_worker)
    tasks = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
    worker.init_worker(memory_limit or None, parent)
    _write_message(answers, ("ready", os.getpid()))
    while True:
        try:
            fn, args = _read_message(tasks)
        except (EOFError, OSError):  # the host closed the pipe (pool shut down) or ended
            worker.close_worker()
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except BaseException as e:  # noqa: BLE001 - the parent decides; a child never dies of its task's error
            answer = ("error", e)
        try:
            _write_message(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            _write_message(answers, ("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


# ---- the parent's side -------------------------------------------------------------------------------------


def started(fut: Future[Any], default: float) -> float:
    """When the task of `fut` reached a warm child (time.monotonic; now, while its child is still warming up:
    that second or so is not the file's time); `default` (its submission) for another executor's future."""
    if not hasattr(fut, "started"):
        return default
    return fut.started or time.monotonic()


class _Spawner:
    """One thread of the host process starts every child (see the module's docstring: the parent-death
    signal follows the starting thread, and a Dask worker's task threads may end before their children)."""

    def __init__(self) -> None:
        self.requests: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        threading.Thread(target=self._run, name="carbon-report-child-spawner", daemon=True).start()

    def _run(self) -> None:
        while True:
            make, fut = self.requests.get()
            try:
                fut.set_result(make())
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                fut.set_exception(e)

    def call(self, make: Callable[[], Any]) -> Any:
        fut: Future[Any] = Future()
        self.requests.put((make, fut))
        return fut.result()


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def _spawn(memory_limit: int) -> subprocess.Popen[bytes]:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
        spawner = _spawner
    cmd = [sys.executable, "-m", "carbon_report.app.batch.children", str(os.getpid()), str(memory_limit or 0)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the host's modules, as fork has them
    return spawner.call(lambda: subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                 stderr=None if os.environ.get("CARBON_REPORT_DEBUG")
                                                 else subprocess.DEVNULL, env=env, close_fds=True))


class Child:
    """One subprocess worker: its process, and whether it is ready for a task."""

    def __init__(self, memory_limit: int) -> None:
        self.proc = _spawn(memory_limit)
        self.ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        assert self.proc.stdin is not None
        _write_message(self.proc.stdin, (fn, args))

    def wait_ready(self) -> None:
        """A new child's first message says it is warm (imports, library, template loaded); EOFError when it
        died first."""
        assert self.proc.stdout is not None
        if not self.ready:
            kind, _ = _read_message(self.proc.stdout)
            self.ready = kind == "ready"

    def receive(self) -> tuple[str, Any]:
        """The next answer; EOFError when the child died."""
        assert self.proc.stdout is not None
        kind, value = _read_message(self.proc.stdout)
        return kind, value

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self._reap()

    def close(self) -> None:
        """End an idle child: its stdin closes, it leaves its loop (and ends what it keeps, worker.py)."""
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._reap()

    def _reap(self) -> None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()


class Keep:
    """Idle children kept between pools (a Dask worker runs many shards: each must not start cold)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[Child] = []

    def take(self) -> Child | None:
        with self.lock:
            while self.idle:
                child = self.idle.pop()
                if child.alive():
                    return child
        return None

    def give(self, child: Child) -> None:
        with self.lock:
            self.idle.append(child)

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for child in idle:
            child.close()


class ChildPool(Executor):
    """A concurrent.futures.Executor of up to `max_workers` subprocess children (see the module's docstring)."""

    def __init__(self, max_workers: int, *, memory_limit: int = 0, keep: Keep | None = None) -> None:
        self.max_workers = max(1, max_workers)
        self.memory_limit = memory_limit
        self.keep = keep
        self.lock = threading.Lock()
        self.children: list[Child] = []
        self.idle: list[Child] = []
        self.pending: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.running: dict[Child, Future[Any]] = {}
        self.broken = False
        self.closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("ChildPool.submit takes positional arguments only")
        with self.lock:
            if self.broken:
                raise BrokenProcessPool("a child process of the pool died")
            if self.closed:
                raise RuntimeError("cannot submit after shutdown")
            fut: Future[Any] = Future()
            fut.started = None  # type: ignore[attr-defined] - set when a warm child takes it (started())
            self.pending.append((fut, fn, args))
        self._dispatch()
        return fut

    def _dispatch(self) -> None:
        """Give pending tasks to idle children, starting children up to max_workers."""
        while True:
            with self.lock:
                if self.broken or not self.pending:
                    return
                child = self.idle.pop() if self.idle else None
                if child is None and len(self.children) >= self.max_workers:
                    return
                fut, fn, args = self.pending.pop(0)
                if not fut.set_running_or_notify_cancel():
                    if child is not None:
                        self.idle.append(child)
                    continue
            if child is None:
                child = (self.keep.take() if self.keep else None) or Child(self.memory_limit)
                with self.lock:
                    self.children.append(child)
            with self.lock:
                self.running[child] = fut
            try:
                child.send(fn, args)
            except (OSError, ValueError):
                self._break()
                return
            threading.Thread(target=self._wait_for, args=(child, fut), name="carbon-report-child-reader",
                             daemon=True).start()

    def _wait_for(self, child: Child, fut: Future[Any]) -> None:
        try:
            child.wait_ready()
            # the task's own clock starts now, not while a new child was warming (see `started`)
            fut.started = time.monotonic()  # type: ignore[attr-defined]
            kind, value = child.receive()
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            self._break()
            return
        with self.lock:
            self.running.pop(child, None)
            if not self.broken:
                self.idle.append(child)
        if kind == "ok":
            fut.set_result(value)
        else:
            fut.set_exception(value)
        self._dispatch()

    def _break(self) -> None:
        """A child died: the pool is broken (as a ProcessPoolExecutor is), its other children killed."""
        with self.lock:
            if self.broken:
                return
            self.broken = True
            futures = list(self.running.values()) + [f for f, _, _ in self.pending]
            self.running.clear()
            self.pending.clear()
            children = list(self.children)
        for child in children:
            child.kill()
        for fut in futures:
            with contextlib.suppress(Exception):  # a future that finished or was cancelled meanwhile
                if not fut.running():
                    fut.set_running_or_notify_cancel()
                fut.set_exception(BrokenProcessPool("a child process of the pool died"))

    def kill(self) -> None:
        """Every child killed now (a time limit passed, Ctrl-C): the pool is broken."""
        self._break()

    @property
    def pids(self) -> list[int]:
        with self.lock:
            return [c.pid for c in self.children]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self.lock:
            self.closed = True
            if cancel_futures:
                for fut, _, _ in self.pending:
                    fut.cancel()
                self.pending.clear()
            running = list(self.running.values())
        if wait:
            for fut in running:
                with contextlib.suppress(Exception):
                    fut.exception()
        with self.lock:
            idle, busy = list(self.idle), [c for c in self.children if c in self.running]
            self.idle.clear()
            broken = self.broken
        for child in busy:  # not waited for: not reusable either
            child.kill()
        for child in idle:
            if broken or not child.alive():
                child.kill()
            elif self.keep is not None:
                self.keep.give(child)
            else:
                child.close()


if __name__ == "__main__":
    child_main(int(sys.argv[1]), int(sys.argv[2]))

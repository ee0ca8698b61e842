"""`carbon-report batch`: every workbook of a folder through one pipeline function, in parallel.

    find_workbooks(in_dir, recursive, out_dir=...) -> (workbooks, skipped)
    run_batch(files, out_dir, options, *, jobs, executor_factory=None, timeout=300, root=None,
              worker=process_one, on_result=None, on_tick=None) -> BatchResult
    run_batch_cli(args, options) -> exit code

The batch maps `process_one` (a top-level, picklable function around pipeline.process_file) over the files
through a `concurrent.futures.Executor`; `executor_factory(max_workers)` may supply another one (a thread
pool in a test, Dask distributed's client.get_executor() later) without touching the pipeline.

Robustness, kept small:
- at most `jobs` files are in flight, so every submitted file is really running and has a start time;
- a per-file time limit: SIGALRM inside the worker (where the platform has it) ends a slow file cleanly;
  a worker that does not return `KILL_GRACE` seconds later is killed, and the pool is rebuilt;
- a worker that dies (os._exit, native abort, the OOM killer) breaks a ProcessPoolExecutor and fails every
  file in flight with BrokenProcessPool: the pool is rebuilt, those files are retried one at a time, and a
  file that breaks the pool while running alone is marked failed (E-BATCH-WORKER-CRASH);
- each worker of the default pool gets an address-space cap (RLIMIT_AS) where the platform allows, so a
  runaway file ends in MemoryError for that file instead of the OOM killer;
- max_tasks_per_child is not used (it can deadlock on Python 3.11, gh-115634).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_report.core import contract  # plain data: keeps the batch parent's start-up light
from carbon_report.core.findings import Code

SUMMARY_NAME = "汇总.xlsx"
WORKER_MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per worker of the default pool
KILL_GRACE = 5.0  # seconds past the time limit before a worker that ignores its alarm is killed
POLL = 0.2  # seconds between looks at deadlines and progress

Record = dict[str, Any]  # {"outcome": Outcome.to_json(), "exit_code": int, "lines": [str], "summary_line": str}


# ---- finding the workbooks ---------------------------------------------------------------------------------


def find_workbooks(in_dir: Path, recursive: bool = False, *,
                   out_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The .xlsx/.xlsm files of `in_dir` (sorted, subfolders with `recursive`) and the files skipped:
    Excel's `~$` lock files, hidden files and folders, and this tool's own outputs inside `out_dir`."""
    in_dir = Path(in_dir)
    out_root = Path(out_dir).resolve() if out_dir is not None else None
    found: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, files in os.walk(in_dir):
        dirs[:] = sorted(d for d in dirs if recursive and not _hidden(Path(folder) / d))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() not in contract.WORKBOOK_EXTENSIONS:
                continue
            if name.startswith("~$") or _hidden(path) or _our_output(path, out_root):
                skipped.append(path)
            else:
                found.append(path)
    return found, skipped


def _hidden(path: Path) -> bool:
    if path.name.startswith("."):
        return True
    attrs = getattr(_stat(path), "st_file_attributes", 0)  # Windows only
    return bool(attrs & 2)  # FILE_ATTRIBUTE_HIDDEN


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _our_output(path: Path, out_root: Path | None) -> bool:
    """A computed workbook or 汇总.xlsx written by an earlier batch into the folder being read."""
    if out_root is None or not (path.stem.endswith(contract.WORKBOOK_OUTPUT_SUFFIX) or path.name == SUMMARY_NAME):
        return False
    return path.resolve().is_relative_to(out_root)


# ---- the worker (runs in the pool) -------------------------------------------------------------------------


def process_one(path: str, out_subdir: str, options: Any) -> Record:
    """One workbook through pipeline.process_file; only a small picklable summary goes back."""
    from carbon_report.app.pipeline import process_file

    return record_of(process_file(Path(path), Path(out_subdir), options))


def record_of(outcome: Any) -> Record:
    from carbon_report.app.messages import finding_lines, summary_line

    return {"outcome": outcome.to_json(), "exit_code": outcome.exit_code,
            "lines": finding_lines(outcome) + [f"{outcome.input.name}: {n}" for n in outcome.notices],
            "summary_line": summary_line(outcome)}


class WorkerTimeout(BaseException):
    """Raised inside a worker when its file runs past the time limit (BaseException, so that no
    `except Exception` in the pipeline swallows it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise WorkerTimeout()


def _call(worker: Callable[[str, str, Any], Record], path: str, out_subdir: str, options: Any,
          timeout: float | None) -> Record | None:
    """Run `worker` under a per-file alarm, interruptible by Ctrl-C; None means it ran out of time."""
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


def _init_worker(memory_limit: int | None, parent: int | None = None) -> None:
    """Pool initializer. A worker dies with the batch (parent-death signal or watchdog), does not hold the
    caller's stdout and stderr open, ignores Ctrl-C when idle (the batch stops it; no traceback from its
    loop), has its address space capped where the platform allows, and is warmed before its first file."""
    if parent is not None:
        _die_with_parent(parent)
    _release_caller_pipes()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_worker()
    if not memory_limit:
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            memory_limit = min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass  # Windows, or a platform without RLIMIT_AS


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_POLL = 1.0  # seconds between a watchdog's looks at its parent, where there is no parent-death signal


def _die_with_parent(parent: int) -> None:
    """Killing the batch (SIGKILL, SIGTERM, a crash) must not leave its workers running, re-parented to
    PID 1 and holding the caller's pipes. Linux: the kernel sends SIGKILL to this process when its parent
    dies (prctl PR_SET_PDEATHSIG). Elsewhere: a thread that ends the process once the parent is gone."""
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


def _release_caller_pipes() -> None:
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


def _warm_worker() -> None:
    """Load once, before the first file, what every file needs: the pipeline's imports, the factor library,
    the unit table and the report template (parsed and compiled). Otherwise the first
    file of each worker pays for them (about a second) inside its time limit."""
    try:
        from carbon_report.app import pipeline
        from carbon_report.core import units
        from carbon_report.outputs import workbook  # noqa: F401 - imported for its import cost
        from carbon_report.outputs.report import render

        pipeline.load_library()
        units.factor("t", "kg")  # reads the alias and conversion tables
        render.warm()
    except Exception:  # noqa: BLE001 - only a head start: a real problem is reported on the file it concerns
        pass


def default_executor(max_workers: int, *, memory_limit: int | None = WORKER_MEMORY_LIMIT) -> Executor:
    return ProcessPoolExecutor(max_workers, initializer=_init_worker, initargs=(memory_limit, os.getpid()))


def default_jobs() -> int:
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# ---- the batch ---------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    records: list[Record]  # in the order of the input files
    exit_code: int
    skipped: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines found once every file was in (duplicates)

    @property
    def files(self) -> list[dict[str, Any]]:
        return [r["outcome"] for r in self.records]

    def summary(self) -> dict[str, Any]:
        statuses = [r["outcome"]["status"] for r in self.records]
        return {"workbooks": len(statuses), "ok": statuses.count("ok"), "invalid": statuses.count("invalid"),
                "unreadable": statuses.count("unreadable"), "failed": statuses.count("failed"),
                "skipped": [str(p) for p in self.skipped],
                "exit_code": self.exit_code}


@dataclass
class _Task:
    index: int
    path: Path
    out_subdir: Path
    strikes: int = 0  # times the pool broke while this file was running
    options: Any = None  # this file's own options (its earlier years as history), else the batch's


def company_years(files: list[Path]) -> dict[Path, tuple[str, int]]:
    """统一社会信用代码 and 核算年度 of each file that gives both (read from 企业信息 alone)."""
    from carbon_report.io.reader import peek_company

    return {f: got for f in files if (got := peek_company(f)) is not None}


def link_years(files: list[Path], seen: dict[Path, tuple[str, int]] | None = None) -> dict[Path, tuple[Path, ...]]:
    """Workbooks of one 统一社会信用代码 and different years: each gets the earlier years as history. The
    same code and year twice is left alone here (W-BATCH-DUPLICATE-COMPANY says so after the run).
    `seen`: company_years(files), when the caller has it already."""
    if seen is None:
        seen = company_years(files)
    out: dict[Path, tuple[Path, ...]] = {}
    for f, (uscc, year) in seen.items():
        earlier: dict[int, Path] = {}
        for g, (u, y) in seen.items():
            if u == uscc and y < year:
                earlier.setdefault(y, g)  # the first file of a year; a second one is a duplicate
        if earlier:
            out[f] = tuple(earlier[y] for y in sorted(earlier))
    return out


def run_batch(files: Iterable[Path], out_dir: Path, options: Any, *, jobs: int | None = None,
              executor_factory: Callable[[int], Executor] | None = None, timeout: float | None = 300.0,
              root: Path | None = None, worker: Callable[[str, str, Any], Record] = process_one,
              on_result: Callable[[Record], None] | None = None,
              on_tick: Callable[[], None] | None = None, link: bool = True,
              flag_duplicates: bool = True, links: dict[Path, tuple[Path, ...]] | None = None) -> BatchResult:
    """Process `files` into `out_dir` (mirroring their folders below `root`, when given) and return one
    record per file, in input order. `worker` must be a top-level function when the executor runs it in
    other processes. `on_result` sees each record as it completes; `on_tick` is called a few times a second.
    `flag_duplicates=False`: a shard of a cluster batch, whose client flags duplicates over every file."""
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    records: dict[int, Record] = {}

    def finish(task: _Task, record: Record) -> None:
        records[task.index] = record
        if on_result:
            on_result(record)

    # the pipeline's Options (not a test's stand-in): link each company's years, unless the caller gave history
    if links is None:  # given: a cluster shard of one file, whose company's years the client linked
        links = link_years(files) if link and hasattr(options, "history") and not options.history else {}
    tasks = plan_tasks(files, out_dir, root, finish, links=links, options=options)
    jobs = max(1, min(jobs or default_jobs(), len(tasks) or 1))
    factory = executor_factory or default_executor
    queue = deque(tasks)
    inflight: dict[Future[Record | None], tuple[_Task, float]] = {}
    executor: Executor | None = None
    abandoned = False
    try:
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
                        finish(task, _failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH,
                                             error="BrokenProcessPool", limit=WORKER_MEMORY_LIMIT // 1024**2))
                    else:
                        queue.appendleft(task)
                _discard(executor)
                executor = None
            elif timeout:
                late = [f for f, (_, t0) in inflight.items() if time.monotonic() - t0 > timeout + KILL_GRACE]
                for fut in late:  # the worker ignored its alarm (stuck in native code, or signals blocked)
                    task, _ = inflight.pop(fut)
                    finish(task, _timed_out(task.path, timeout))
                if late:
                    if _kill_workers(executor):  # the others were innocent: retried without a strike
                        for task in reversed(_drain(inflight, finish, timeout)):
                            queue.appendleft(task)
                        _discard(executor)
                        executor = None
                    else:
                        abandoned = True  # an executor we cannot kill in: leave its worker behind
            if on_tick:
                on_tick()
    except BaseException:  # Ctrl-C above all: stop the workers now, write nothing more
        if executor is not None:
            wait(list(inflight), timeout=1.0)  # interrupted workers remove their temporary files
            _kill_workers(executor)
            _discard(executor)
        # A worker killed mid-write cannot clean up after itself: its temporary file goes here.
        for leftover in Path(out_dir).rglob(".~tmp_*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    if executor is not None:
        executor.shutdown(wait=not abandoned, cancel_futures=True)

    return assemble(records, len(files), flag_duplicates=flag_duplicates)


def plan_tasks(files: list[Path], out_dir: Path, root: Path | None, finish: Callable[[_Task, Record], None], *,
               links: dict[Path, tuple[Path, ...]] | None = None, options: Any = None) -> list[_Task]:
    """One task per file, its output folder mirroring its folder below `root`; a file whose outputs would
    replace another's is finished at once (E-BATCH-OUTPUT-CONFLICT) and not returned. A file in `links`
    gets its company's earlier years as history (link_years)."""
    tasks: list[_Task] = []
    claimed: dict[str, Path] = {}
    links = links or {}
    for i, path in enumerate(files):
        sub = out_dir / path.parent.relative_to(root) if root is not None else out_dir
        own = dataclasses.replace(options, history=links[path]) if path in links else None
        task = _Task(i, path, sub, options=own)
        first = _claim(claimed, path, sub)
        if first is None:
            tasks.append(task)
        else:
            finish(task, _failed(path, "invalid", Code.E_BATCH_OUTPUT_CONFLICT, other=first.name, path=first))
    return tasks


def assemble(records: dict[int, Record], n: int, *, flag_duplicates: bool = True) -> BatchResult:
    """The records in input order, duplicates flagged, the batch's exit code."""
    ordered = [records[i] for i in range(n)]
    notes = _flag_duplicates(ordered) if flag_duplicates else []
    code = max((r["exit_code"] for r in ordered), default=0)
    return BatchResult(ordered, code, notes=notes)


def _submit(executor: Executor, queue: deque[_Task], inflight: dict[Future[Any], tuple[_Task, float]],
            jobs: int, worker: Callable[..., Record], options: Any, timeout: float | None) -> bool:
    """Fill free slots; a suspect file (one that was running when the pool broke) runs alone.
    True when the executor turned out to be broken."""
    while queue and len(inflight) < jobs:
        if inflight and (queue[0].strikes or any(t.strikes for t, _ in inflight.values())):
            break
        task = queue.popleft()
        try:
            fut = executor.submit(_call, worker, str(task.path), str(task.out_subdir), task.options or options,
                                  timeout)
        except BrokenExecutor:
            queue.appendleft(task)
            return True
        inflight[fut] = (task, time.monotonic())
        if task.strikes:
            break
    return False


def _drain(inflight: dict[Future[Any], tuple[_Task, float]], finish: Callable[[_Task, Record], None],
           timeout: float | None) -> list[_Task]:
    """Empty `inflight` after the pool broke: keep the results that made it, return the other tasks."""
    unfinished = []
    for fut, (task, _) in sorted(inflight.items(), key=lambda kv: kv[1][0].index):
        if fut.done() and not fut.cancelled() and not isinstance(fut.exception(), BrokenExecutor):
            finish(task, _result_of(fut, task, timeout))
        else:
            unfinished.append(task)
    inflight.clear()
    return unfinished


def _result_of(fut: Future[Record | None], task: _Task, timeout: float | None) -> Record:
    exc = fut.exception()
    if exc is None:
        record = fut.result()
        return _timed_out(task.path, timeout) if record is None else record
    if isinstance(exc, WorkerTimeout):  # the alarm rang just as the worker returned
        return _timed_out(task.path, timeout)
    return _failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH, error=f"{type(exc).__name__}: {exc}".rstrip(": "),
                   limit=WORKER_MEMORY_LIMIT // 1024**2)


def _timed_out(path: Path, timeout: float | None) -> Record:
    return _failed(path, "unreadable", Code.E_BATCH_TIMEOUT, seconds=f"{timeout:g}")


def _failed(path: Path, status: str, code: Code, /, **fields: object) -> Record:
    from carbon_report.app.pipeline import Outcome
    from carbon_report.core.model import Finding

    return record_of(Outcome(Path(path), status, [Finding.of(code, **fields)]))  # type: ignore[arg-type]


def _claim(claimed: dict[str, Path], path: Path, out_subdir: Path) -> Path | None:
    """Reserve the output names of `path`; the input that already holds one of them, if any."""
    from carbon_report.app.pipeline import output_paths

    keys = [os.path.normcase(str(p)).casefold() for p in output_paths(path, out_subdir)]
    for key in keys:
        if key in claimed:
            return claimed[key]
    for key in keys:
        claimed[key] = path
    return None


def _kill_workers(executor: Executor) -> bool:
    """Kill the processes of a ProcessPoolExecutor (False for an executor without them)."""
    processes = getattr(executor, "_processes", None)
    if processes is None:
        return isinstance(executor, ProcessPoolExecutor)
    procs = list(processes.values())
    for p in procs:
        if p.is_alive():
            p.kill()
    for p in procs:
        p.join(2)
    return True


def _discard(executor: Executor) -> None:
    with contextlib.suppress(Exception):  # a broken pool may complain while shutting down; it is gone anyway
        executor.shutdown(wait=False, cancel_futures=True)


def _flag_duplicates(records: list[Record]) -> list[str]:
    """The same 统一社会信用代码 and year in two workbooks: a warning on the later one. Returns its lines."""
    from carbon_report.app.messages import finding_lines
    from carbon_report.app.pipeline import Outcome
    from carbon_report.core.model import Finding

    seen: dict[tuple[str, int], str] = {}
    notes: list[str] = []
    for rec in records:
        company = rec["outcome"].get("company") or {}
        if not company.get("uscc") or not company.get("year"):
            continue
        key = (company["uscc"].upper(), company["year"])
        first = seen.setdefault(key, rec["outcome"]["input"])
        if first == rec["outcome"]["input"]:
            continue
        finding = Finding.of(Code.W_BATCH_DUPLICATE_COMPANY, uscc=key[0], year=key[1], other=first)
        rec["outcome"]["issues"].append(finding.as_dict())
        lines = finding_lines(Outcome(Path(rec["outcome"]["input"]), "ok", [finding]))
        rec["lines"] += lines
        notes += lines
    return notes


# ---- the command line --------------------------------------------------------------------------------------


def run_batch_cli(args: Any, options: Any) -> int:
    """`carbon-report batch IN_DIR --out DIR [--jobs N] [--recursive] [--timeout SEC] [--json]`."""
    from carbon_report.app.messages import code_line

    in_dir, out_dir = Path(args.input), Path(args.out)
    if not in_dir.is_dir():
        print(code_line(Code.E_BATCH_NOT_A_FOLDER, path=in_dir), file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print(f"--jobs {args.jobs}: {Code.E_USAGE.text(detail='进程数至少为 1')} must be at least 1 [{Code.E_USAGE}]",
              file=sys.stderr)
        return 2
    dask = getattr(args, "dask", None)
    if dask:
        from carbon_report.app import cluster
        from carbon_report.core.errors import ClusterError

        try:
            cluster.require_dask()
        except ClusterError as e:
            print(f"--dask: {e.message} [{e.code}]", file=sys.stderr)
            return 2
    files, skipped = find_workbooks(in_dir, args.recursive, out_dir=out_dir)
    summary_path: Path | None = None
    if not files:
        print(code_line(Code.W_BATCH_EMPTY, in_dir), file=sys.stderr)
        result = BatchResult([], 0, skipped)
    else:
        with _Progress(len(files)) as progress:
            if dask:
                try:
                    result = cluster.run_on_cluster(
                        files, out_dir, options, address=dask, ship_inputs=args.ship_inputs, jobs=args.jobs,
                        timeout=args.timeout or None, root=in_dir, on_result=progress.done, on_tick=progress.tick)
                except ClusterError as e:
                    progress.line(f"--dask {dask}: {e.message} [{e.code}]")
                    return 2
            else:
                result = run_batch(files, out_dir, options, jobs=args.jobs, timeout=args.timeout or None,
                                   root=in_dir, on_result=progress.done, on_tick=progress.tick)
            for line in result.notes:
                progress.line(line)
        result.skipped = skipped
        summary_path = _write_summary(result, out_dir / SUMMARY_NAME, in_dir)
    if args.json:
        json.dump({"files": result.files, "summary": {**result.summary(), "summary_workbook":
                   str(summary_path) if summary_path else None}}, sys.stdout, ensure_ascii=False, indent=2,
                  allow_nan=False)  # NaN and Infinity are not JSON: validation keeps every number finite
        print()
    else:
        s = result.summary()
        print(f"共 {s['workbooks']} 个工作簿：通过 {s['ok']} 个，有错误 {s['invalid']} 个，无法读取 {s['unreadable']} 个"
              + (f"，无法写出 {s['failed']} 个" if s["failed"] else "")
              + (f"；汇总：{summary_path}" if summary_path else ""))
    return max(result.exit_code, 0 if summary_path or not files else 1)


def _write_summary(result: BatchResult, dest: Path, in_dir: Path) -> Path | None:
    from carbon_report.core.errors import OutputError
    from carbon_report.io.atomic import output_error
    from carbon_report.outputs.summary import write_summary

    try:
        write_summary(result.files, dest, root=in_dir)
    except (OutputError, OSError) as e:
        err = e if isinstance(e, OutputError) else output_error(e, dest)
        print(f"{dest}: 汇总工作簿无法写出 cannot write the summary: {err.message} [{err.code}]", file=sys.stderr)
        return None
    return dest


class _Progress:
    """A rich progress bar on stderr when it is a terminal, plain `[i/n]` lines otherwise."""

    def __init__(self, total: int) -> None:
        from rich.console import Console

        self.total, self.count = total, 0
        self.console = Console(stderr=True, highlight=False)
        self.bar: Any = None
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            # auto_refresh off: no extra thread in this process while the pool forks its workers
            self.bar = Progress("处理中", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                                console=self.console, auto_refresh=False, redirect_stdout=False,
                                redirect_stderr=False)
            self.task = self.bar.add_task("batch", total=total)

    def __enter__(self) -> _Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def line(self, text: str) -> None:
        if self.bar:
            self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def done(self, record: Record) -> None:
        self.count += 1
        for line in record["lines"]:
            self.line(line)
        self.line(f"[{self.count}/{self.total}] {record['summary_line']}")
        if self.bar:
            self.bar.update(self.task, completed=self.count, refresh=True)

    def tick(self) -> None:
        if self.bar:
            self.bar.refresh()

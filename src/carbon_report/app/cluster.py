"""`carbon-report batch IN_DIR --out DIR --dask ADDRESS|local`: the same batch on a Dask distributed cluster.

    require_dask()                       -> None, or ClusterError E-DASK-MISSING
    run_on_cluster(files, out_dir, options, *, address, ship_inputs, jobs, timeout, root,
                   on_result, on_tick)   -> BatchResult (as run_batch)
    run_shard(shard)                     -> ShardOutput (runs on a Dask worker)

Shards, not files: a Dask task cannot be interrupted, so each task runs the existing batch loop (run_batch) over
a slice of the files on its worker, in a process pool of its own. The per-file time limit, crash isolation and
memory cap therefore hold on the worker exactly as in a local batch. This needs workers that may start child
processes: non-daemonic workers (`DASK_DISTRIBUTED__WORKER__DAEMON=False`); `--dask local` sets it.

The worker writes into a scratch folder and sends every output back as bytes; the client writes them with the
same atomic writes (and the same rule for an edited report) into DIR, so DIR looks as a local batch leaves it.
Inputs are read from a path all workers share, or sent as bytes with `--ship-inputs` (each workbook with the
other files of its folder: pictures and evidence).

A worker lost while running a shard (the scheduler gives up on the task after its allowed-failures: Dask's
KilledWorker) is one strike for the shard's files: they are run again, each alone; a file whose shard is
lost a second time is reported failed (E-DASK-WORKER), as a file that breaks the local pool twice is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import multiprocessing
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbon_report.app import batch
from carbon_report.app.batch import BatchResult, Record
from carbon_report.core import contract
from carbon_report.core.errors import ClusterError
from carbon_report.core.findings import Code

if TYPE_CHECKING:  # the pipeline itself is imported where a file is processed, on the worker
    from carbon_report.app.pipeline import Options

SHARDS_PER_THREAD = 4  # shards per worker thread: the last ones balance the load, a lost one costs little
SHARD_MAX = 20  # files per shard at most
POLL = 0.2  # seconds between looks at the futures


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as e:
        raise ClusterError(Code.E_DASK_MISSING) from e


# ---- what travels -------------------------------------------------------------------------------------------


@dataclass
class Shard:
    indices: list[int]  # positions in the batch's file list
    paths: list[str]  # the client's paths of the workbooks
    root: str  # the client's IN_DIR
    out_dir: str  # the client's DIR: paths in the records are given as there
    options: Options
    timeout: float | None
    shipped: dict[str, bytes] | None = None  # path below root (posix) -> bytes, with --ship-inputs
    template: bytes | None = None  # the --report-template, with --ship-inputs
    strikes: int = 0  # times a shard holding these files was lost with its worker
    # A file run again alone (its shard was lost): the client's paths of its company's earlier years, which a
    # shard of one file cannot find by itself (with --ship-inputs they are shipped too).
    history: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ShardOutput:
    records: list[tuple[int, Record]]
    files: dict[str, bytes] = field(default_factory=dict)  # path below DIR (posix) -> bytes


# ---- the worker's side ------------------------------------------------------------------------------------


def run_shard(shard: Shard) -> ShardOutput:
    """The files of `shard` through run_batch in a scratch folder of this worker; the outputs as bytes."""
    if multiprocessing.current_process().daemon:
        raise ClusterError(Code.E_DASK_WORKER, daemonic=contract.YES, lost=0)
    with tempfile.TemporaryDirectory(prefix="carbon_report_shard_", dir=_scratch_parent()) as scratch:
        tmp_out = Path(scratch) / "out"
        root = Path(shard.root)
        options = shard.options
        if shard.shipped is not None:
            root = Path(scratch) / "in"
            for rel, data in shard.shipped.items():
                dest = root / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
            files = [root / Path(p).relative_to(shard.root) for p in shard.paths]
            if options.report_template is not None:
                template = Path(scratch) / "template" / Path(options.report_template).name
                template.parent.mkdir()
                template.write_bytes(shard.template or b"")
                options = dataclasses.replace(options, report_template=template)
        else:
            files = [Path(p) for p in shard.paths]
            for p in files:
                if not os.access(p, os.R_OK):
                    raise ClusterError(Code.E_DASK_INPUT, node=platform.node(), path=p)
        def here(client_path: str) -> Path:
            return root / Path(client_path).relative_to(shard.root) if shard.shipped is not None else Path(client_path)

        links = {f: tuple(here(h) for h in shard.history[p]) for f, p in zip(files, shard.paths, strict=True)
                 if shard.history.get(p)} if shard.history else None
        result = batch.run_batch(files, tmp_out, options, jobs=1, executor_factory=_shard_executor,
                                 timeout=shard.timeout, root=root, flag_duplicates=False, links=links)
        swaps = [(str(tmp_out), shard.out_dir), (str(root), shard.root)]
        records = [(i, _swap_paths(r, swaps)) for i, r in zip(shard.indices, result.records, strict=True)]
        produced = {p.relative_to(tmp_out).as_posix(): p.read_bytes() for p in sorted(tmp_out.rglob("*"))
                    if p.is_file() and not p.name.startswith(".~tmp_")} if tmp_out.is_dir() else {}
        return ShardOutput(records, produced)


def _scratch_parent() -> str | None:
    """The Dask worker's own folder (Dask removes a dead worker's folder), else the system's temp folder."""
    try:
        from distributed import get_worker

        return str(get_worker().local_directory)
    except (ImportError, ValueError):
        return None


def _shard_executor(max_workers: int) -> Executor:
    """The shard's pool: as the local batch's, but forked from a forkserver where there is one, since the
    Dask worker has threads running (forking a threaded process can deadlock the child). The forkserver lives
    as long as the Dask worker and is warmed once (app/warm.py), so a shard's pool starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["carbon_report.app.warm"])  # the forkserver is started warm, once
    else:
        ctx = multiprocessing.get_context()
    return ProcessPoolExecutor(max_workers, mp_context=ctx, initializer=batch._init_worker,
                               initargs=(batch.WORKER_MEMORY_LIMIT,))


def _swap_paths(record: Record, swaps: list[tuple[str, str]]) -> Record:
    """Every path of the worker's scratch folder in the record, written as the client's path."""
    text = json.dumps(record, ensure_ascii=False)
    for old, new in swaps:
        text = text.replace(json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1])
    swapped: Record = json.loads(text)
    return swapped


# ---- the client's side ------------------------------------------------------------------------------------


def run_on_cluster(files: list[Path], out_dir: Path, options: Options, *, address: str, ship_inputs: bool = False,
                   jobs: int | None = None, timeout: float | None = 300.0, root: Path,
                   on_result: Callable[[Record], None] | None = None,
                   on_tick: Callable[[], None] | None = None) -> BatchResult:
    """Process `files` (below `root`) on the cluster at `address` ("local": a LocalCluster of `jobs` worker
    processes on this machine) into `out_dir`. Raises ClusterError."""
    require_dask()
    from distributed import KilledWorker

    files = [Path(f) for f in files]
    out_dir, root = Path(out_dir), Path(root)
    records: dict[int, Record] = {}

    def finish(task: Any, record: Record) -> None:
        records[task.index] = record
        if on_result:
            on_result(record)

    tasks = batch.plan_tasks(files, out_dir, root, finish)
    link = not getattr(options, "history", ())
    seen = batch.company_years([t.path for t in tasks]) if link else {}
    links = batch.link_years([t.path for t in tasks], seen) if link else {}
    template = Path(options.report_template) if options.report_template else None
    with _client(address, jobs) as client:
        threads = sum(client.nthreads().values()) or 1
        size = max(1, min(SHARD_MAX, math.ceil(len(tasks) / (threads * SHARDS_PER_THREAD))))

        def make(chunk: list[Any], strikes: int) -> Shard:
            shard = Shard([t.index for t in chunk], [str(t.path) for t in chunk], str(root), str(out_dir), options,
                          timeout, strikes=strikes)
            earlier: list[Path] = []
            if strikes:  # run again alone: its earlier years go with it
                shard.history = {str(t.path): [str(h) for h in links.get(t.path, ())] for t in chunk}
                earlier = [h for t in chunk for h in links.get(t.path, ())]
            if ship_inputs:
                shard.shipped = _ship([t.path for t in chunk] + earlier, root, out_dir)
                if template is not None:
                    shard.template = template.read_bytes()
            return shard

        by_index = {t.index: t for t in tasks}
        futures: dict[Any, Shard] = {}

        def submit(shard: Shard) -> None:
            with warnings.catch_warnings():  # shipped workbooks make a large task: meant, not a mistake
                warnings.simplefilter("ignore", UserWarning)
                futures[client.submit(run_shard, shard, pure=False)] = shard

        try:
            for chunk in _chunks(tasks, size, seen if link else None):
                submit(make(chunk, 0))
            while futures:
                done = [f for f in futures if f.done()]
                for fut in done:
                    shard = futures.pop(fut)
                    if fut.status == "finished":
                        output: ShardOutput = fut.result()
                        for i, record in output.records:
                            finish(by_index[i], _write_outputs(record, output.files, out_dir, options))
                        continue
                    exc = _exception(fut)
                    if isinstance(exc, ClusterError):
                        raise exc
                    if exc is None or isinstance(exc, KilledWorker):  # its worker was lost (or the task with it)
                        for i in shard.indices:
                            task = by_index[i]
                            if shard.strikes + 1 >= 2:
                                finish(task, batch._failed(task.path, "unreadable", Code.E_DASK_WORKER,
                                                           daemonic=contract.NO, lost=shard.strikes + 1))
                            else:
                                submit(make([task], shard.strikes + 1))
                        continue
                    for i in shard.indices:  # a failure of the shard's own code: its files fail, not the batch
                        task = by_index[i]
                        finish(task, batch._failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH,
                                                   error=f"{type(exc).__name__}: {exc}".rstrip(": "),
                                                   limit=batch.WORKER_MEMORY_LIMIT // 1024**2))
                if on_tick:
                    on_tick()
                if not done:
                    time.sleep(POLL)
        except BaseException:  # Ctrl-C above all: nothing more runs, and nothing more is written
            with contextlib.suppress(Exception):
                client.cancel(list(futures), force=True)
            raise
    return batch.assemble(records, len(files))


def _chunks(tasks: list[Any], size: int, seen: dict[Path, tuple[str, int]] | None) -> list[list[Any]]:
    """Shards of about `size` files. With `seen` (batch.company_years), one company's workbooks (one
    统一社会信用代码) stay in one shard, so that the shard's batch links each year to its earlier ones as a
    local batch does."""
    if seen is None:
        return [tasks[i:i + size] for i in range(0, len(tasks), size)]
    groups: dict[object, list[Any]] = {}
    for t in tasks:
        got = seen.get(t.path)
        groups.setdefault(got[0] if got else t.index, []).append(t)
    chunks: list[list[Any]] = [[]]
    for group in groups.values():
        if chunks[-1] and len(chunks[-1]) + len(group) > size:
            chunks.append([])
        chunks[-1].extend(group)
    return [c for c in chunks if c]


def _exception(fut: Any) -> BaseException | None:
    try:
        return fut.exception(timeout=5)  # type: ignore[no-any-return]
    except Exception as e:  # noqa: BLE001 - a cancelled or lost future has no exception of its own
        return None if type(e).__name__ in ("CancelledError", "FutureCancelledError") else e


@contextlib.contextmanager
def _client(address: str, jobs: int | None) -> Iterator[Any]:
    """A client of the scheduler at `address`, or of a LocalCluster started here for "local"."""
    import dask
    from distributed import Client, LocalCluster

    if address == "local":
        # the config holds for the whole run: a worker that its nanny restarts reads it again
        with dask.config.set({"distributed.worker.daemon": False, "logging.distributed": "error"}):
            cluster = LocalCluster(n_workers=jobs or batch.default_jobs(), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            try:
                with Client(cluster, set_as_default=False) as client:
                    yield client
            finally:
                cluster.close()
        return
    try:
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ClusterError(Code.E_DASK_CONNECT, address=address, why=why) from e
    try:
        yield client
    finally:
        client.close()


def _ship(paths: list[Path], root: Path, out_dir: Path) -> dict[str, bytes]:
    """The workbooks at `paths` and the other files of their folders (pictures, evidence), below `root`."""
    shipped: dict[str, bytes] = {}
    out_root = out_dir.resolve()
    for path in paths:
        shipped[path.relative_to(root).as_posix()] = path.read_bytes()
        for folder, dirs, names in os.walk(path.parent):
            here = Path(folder)
            dirs[:] = [d for d in dirs if not d.startswith(".") and not (here / d).resolve().is_relative_to(out_root)]
            for name in names:
                p = here / name
                if name.startswith(".") or p.suffix.lower() in contract.WORKBOOK_EXTENSIONS:
                    continue
                rel = p.relative_to(root).as_posix()
                if rel not in shipped:
                    with contextlib.suppress(OSError):
                        shipped[rel] = p.read_bytes()
    return shipped


def _write_outputs(record: Record, produced: dict[str, bytes], out_dir: Path, options: Options) -> Record:
    """Write a file's outputs into DIR as a local batch does: atomically, an edited report kept."""
    from carbon_report.core.errors import OutputLocked
    from carbon_report.io.atomic import write_bytes
    from carbon_report.outputs.report.fingerprint import report_output_path

    outputs = record["outcome"]["outputs"]
    name = Path(record["outcome"]["input"]).name
    try:
        for key in ("workbook", "report", "pdf"):
            if not outputs.get(key):
                continue
            desired = Path(outputs[key])
            data = produced[desired.relative_to(out_dir).as_posix()]
            target = desired
            if key == "report":
                target, notice = report_output_path(desired, options.force)
                if notice:
                    record["lines"].append(f"{name}: {notice}")
            elif key == "pdf" and outputs.get("report"):
                target = Path(outputs["report"]).with_suffix(".pdf")
            write_bytes(target, data)
            outputs[key] = str(target)
    except OutputLocked as e:
        from carbon_report.core.model import Finding

        finding = Finding.raised(e)
        record["outcome"]["issues"].append(finding.as_dict())
        record["lines"].append(f"{name}: {finding.message} [{finding.code}]")
        record["exit_code"] = max(record["exit_code"], 1)
    return record

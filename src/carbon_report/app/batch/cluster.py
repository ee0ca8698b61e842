"""`carbon-report batch IN_DIR --out DIR --dask ADDRESS|local`: the same batch on a Dask distributed cluster.

    require_dask()                       -> None, or ClusterError E-DASK-MISSING
    run_on_cluster(files, out_dir, options, *, address, ship_inputs, jobs, timeout, root,
                   on_result, on_tick)   -> BatchResult (as run_batch)
    run_shard(shard)                     -> ShardOutput (runs on a Dask worker)

Shards, not files: a Dask task cannot be interrupted, so each task runs the batch loop (pool.run_batch) over a
slice of the files on its worker, each file in a subprocess worker (children.py: started with `subprocess`,
which a daemonic Dask worker may do, kept warm between shards, killed on its time limit). The per-file time
limit, crash isolation and memory cap therefore hold on the worker exactly as in a local batch, on any Dask
worker as it comes (a default LocalCluster, `dask worker`, dask-jobqueue, dask-kubernetes).

The worker writes into a scratch folder and sends every output back as bytes; the client writes them with the
same atomic writes (and the same rule for an edited report) into DIR, so DIR looks as a local batch leaves it.
Inputs are read from a path all workers share, or sent as bytes with `--ship-inputs`: each workbook with the
pictures, evidence and history workbooks it names, after the checks a local run makes (ship.py).

A worker lost while running a shard (the scheduler gives up on the task after its allowed-failures: Dask's
KilledWorker) is one strike for the shard's files: they are run again, each alone; a file whose shard is
lost a second time is reported failed (E-DASK-WORKER), as a file that breaks the local pool twice is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbon_report.app.batch import plan
from carbon_report.app.batch.children import ChildPool, Keep
from carbon_report.app.batch.pool import default_jobs, run_batch
from carbon_report.app.batch.records import BatchResult, assemble, failed, unreadable
from carbon_report.app.batch.ship import SHIP_EVENT, Cargo, history_name, references
from carbon_report.app.batch.worker import WORKER_MEMORY_LIMIT, call
from carbon_report.core.errors import ClusterError
from carbon_report.core.findings import Code
from carbon_report.core.record import FileRecord

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
    cargo: Cargo | None = None  # with --ship-inputs: the workbooks and the files they name (ship.py)
    template: bytes | None = None  # the --report-template, with --ship-inputs
    history_names: list[str] = field(default_factory=list)  # with --ship-inputs: --history, as shipped
    strikes: int = 0  # times a shard holding these files was lost with its worker
    # A file run again alone (its shard was lost): the client's paths of its company's earlier years, which a
    # shard of one file cannot find by itself (with --ship-inputs they are shipped too).
    history: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ShardOutput:
    records: list[tuple[int, FileRecord]]
    files: dict[str, bytes] = field(default_factory=dict)  # path below DIR (posix) -> bytes


# ---- the worker's side ------------------------------------------------------------------------------------


def run_shard(shard: Shard) -> ShardOutput:
    """The files of `shard` through run_batch in a scratch folder of this worker; the outputs as bytes."""
    with tempfile.TemporaryDirectory(prefix="carbon_report_shard_", dir=_scratch_parent()) as scratch:
        tmp_out = Path(scratch) / "out"
        root = Path(shard.root)
        options = shard.options
        if shard.cargo is not None:
            root = Path(scratch) / "in"
            root.mkdir()
            shard.cargo.unpack(root)
            _log_event(SHIP_EVENT, {"root": shard.root, **shard.cargo.manifest()})
            files = [root / Path(p).relative_to(shard.root) for p in shard.paths]
            if shard.history_names:
                options = dataclasses.replace(options, history=tuple(root / n for n in shard.history_names))
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
            return root / Path(client_path).relative_to(shard.root) if shard.cargo is not None else Path(client_path)

        links = {f: tuple(here(h) for h in shard.history[p]) for f, p in zip(files, shard.paths, strict=True)
                 if shard.history.get(p)} if shard.history else None
        result = run_batch(files, tmp_out, options, jobs=1, executor_factory=_shard_executor,
                           timeout=shard.timeout, root=root, flag_duplicates=False, links=links)
        swaps = [(str(tmp_out), shard.out_dir), (str(root), shard.root)]
        records = [(i, _swap_paths(r, swaps)) for i, r in zip(shard.indices, result.records, strict=True)]
        produced = {p.relative_to(tmp_out).as_posix(): p.read_bytes() for p in sorted(tmp_out.rglob("*"))
                    if p.is_file() and not p.name.startswith(".~tmp_")} if tmp_out.is_dir() else {}
        return ShardOutput(records, produced)


def _log_event(topic: str, message: dict[str, Any]) -> None:
    """An entry in the scheduler's event log (Client.get_events(topic)), from a Dask worker; nothing elsewhere."""
    try:
        from distributed import get_worker

        get_worker().log_event(topic, message)
    except (ImportError, ValueError):
        return


def _scratch_parent() -> str | None:
    """The Dask worker's own folder (Dask removes a dead worker's folder), else the system's temp folder."""
    try:
        from distributed import get_worker

        return str(get_worker().local_directory)
    except (ImportError, ValueError):
        return None


_KEEP = Keep()  # this Dask worker's idle subprocess workers, warm, between its shards


def _shard_executor(max_workers: int) -> Executor:
    """The shard's pool: subprocess workers (children.py) that a daemonic Dask worker may start, taken warm
    from those its earlier shards left idle; they end with the Dask worker."""
    return ChildPool(max_workers, memory_limit=WORKER_MEMORY_LIMIT, keep=_KEEP)


def _swap_paths(record: FileRecord, swaps: list[tuple[str, str]]) -> FileRecord:
    """Every path of the worker's scratch folder in the record, written as the client's path."""
    def swap(text: str, quoted: bool) -> str:
        for old, new in swaps:
            if quoted:
                old, new = json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1]
            text = text.replace(old, new)
        return text

    return FileRecord.from_json(json.loads(swap(record.json_text, True)),
                                lines=[swap(line, False) for line in record.lines],
                                summary_line=swap(record.summary_line, False))


# ---- the client's side ------------------------------------------------------------------------------------


def run_on_cluster(files: list[Path], out_dir: Path, options: Options, *, address: str, ship_inputs: bool = False,
                   jobs: int | None = None, timeout: float | None = 300.0, root: Path,
                   on_result: Callable[[FileRecord], None] | None = None,
                   on_tick: Callable[[], None] | None = None) -> BatchResult:
    """Process `files` (below `root`) on the cluster at `address` ("local": a LocalCluster of `jobs` worker
    processes on this machine) into `out_dir`. Raises ClusterError."""
    require_dask()
    from distributed import KilledWorker

    files = [Path(f) for f in files]
    out_dir, root = Path(out_dir), Path(root)
    records: dict[int, FileRecord] = {}

    def finish(task: Any, record: FileRecord) -> None:
        records[task.index] = record
        if on_result:
            on_result(record)

    tasks = plan.plan_tasks(files, out_dir, root, finish)
    link = not getattr(options, "history", ())
    seen = plan.company_years([t.path for t in tasks]) if link else {}
    links = plan.link_years([t.path for t in tasks], seen) if link else {}
    readers = _References(tasks, jobs, timeout) if ship_inputs else None
    history = _history_cargo(options) if ship_inputs else {}
    template = _template_bytes(Path(options.report_template)) if ship_inputs and options.report_template else None
    with contextlib.ExitStack() as stack:
        if readers is not None:
            stack.callback(readers.close)
        client = stack.enter_context(_client(address, jobs))
        threads = sum(client.nthreads().values()) or 1
        size = max(1, min(SHARD_MAX, math.ceil(len(tasks) / (threads * SHARDS_PER_THREAD))))

        def make(chunk: list[Any], strikes: int) -> Shard | None:
            earlier: list[Path] = []
            history_of: dict[str, list[str]] = {}
            if strikes:  # run again alone: its earlier years go with it
                history_of = {str(t.path): [str(h) for h in links.get(t.path, ())] for t in chunk}
                earlier = [h for t in chunk for h in links.get(t.path, ())]
            cargo = None
            if readers is not None:
                paths = [t.path for t in chunk]
                cargo, refused = Cargo.pack(paths + [h for h in earlier if h not in paths], readers.of(paths), root,
                                            extra=history)
                for t in [t for t in chunk if t.path in refused]:  # refused as a local run refuses it
                    finish(t, unreadable(t.path, refused[t.path]))
                chunk = [t for t in chunk if t.path not in refused]
                if not chunk:
                    return None
            return Shard([t.index for t in chunk], [str(t.path) for t in chunk], str(root), str(out_dir), options,
                         timeout, cargo=cargo, template=template, strikes=strikes, history=history_of,
                         history_names=list(history))

        by_index = {t.index: t for t in tasks}
        futures: dict[Any, Shard] = {}

        def submit(shard: Shard | None) -> None:
            if shard is None:  # every file of it was refused on the client
                return
            with warnings.catch_warnings():  # shipped workbooks make a large task: meant, not a mistake
                warnings.simplefilter("ignore", UserWarning)
                futures[client.submit(run_shard, shard, pure=False)] = shard

        try:
            for chunk in plan.shards(tasks, size, seen if link else None):
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
                                finish(task, failed(task.path, "unreadable", Code.E_DASK_WORKER,
                                                    lost=shard.strikes + 1))
                            else:
                                submit(make([task], shard.strikes + 1))
                        continue
                    for i in shard.indices:  # a failure of the shard's own code: its files fail, not the batch
                        task = by_index[i]
                        finish(task, failed(task.path, "unreadable", Code.E_BATCH_WORKER_CRASH,
                                            error=f"{type(exc).__name__}: {exc}".rstrip(": "),
                                            limit=WORKER_MEMORY_LIMIT // 1024**2))
                if on_tick:
                    on_tick()
                if not done:
                    time.sleep(POLL)
        except BaseException:  # Ctrl-C above all: nothing more runs, and nothing more is written
            with contextlib.suppress(Exception):
                client.cancel(list(futures), force=True)
            raise
    return assemble(records, len(files))


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
        with dask.config.set({"logging.distributed": "error"}):
            cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True,
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


class _References:
    """The files each workbook names, read for --ship-inputs in subprocess workers of the client (the memory
    cap and time limit of any worker: a workbook is untrusted), all submitted at once, taken in order."""

    def __init__(self, tasks: list[Any], jobs: int | None, timeout: float | None) -> None:
        self.pool = ChildPool(min(jobs or 2, 2), memory_limit=WORKER_MEMORY_LIMIT)
        self.futures = {t.path: self.pool.submit(call, references, str(t.path), "", None, timeout) for t in tasks}

    def of(self, paths: list[Path]) -> dict[Path, tuple[str, ...]]:
        out: dict[Path, tuple[str, ...]] = {}
        for p in paths:
            fut = self.futures.get(p)
            try:
                out[p] = (fut.result() or ()) if fut is not None else ()
            except Exception:  # noqa: BLE001 - a reader that died names nothing: its worker reports the file
                out[p] = ()
        return out

    def close(self) -> None:
        self.pool.kill()


def _history_cargo(options: Options) -> dict[str, Path]:
    """--history's workbooks (folders expanded as a local run expands them), under the names they travel as."""
    from carbon_report.app.pipeline import history_files

    return {history_name(i, p): p for i, p in enumerate(history_files(tuple(options.history or ())))}


def _template_bytes(template: Path) -> bytes:
    """The --report-template to send: a regular file only, of at most a workbook's size limit."""
    from carbon_report.core.errors import PathRefused
    from carbon_report.io.filecheck import MAX_FILE_BYTES
    from carbon_report.io.paths import open_regular

    try:
        with open_regular(template, follow_links=True) as opened:
            return opened.file.read(MAX_FILE_BYTES) if opened.size <= MAX_FILE_BYTES else b""
    except PathRefused:
        return b""  # the worker's template check then says what a local run says of an empty template


def _write_outputs(record: FileRecord, produced: dict[str, bytes], out_dir: Path, options: Options) -> FileRecord:
    """Write a file's outputs into DIR as a local batch does: atomically, an edited report kept; the product
    footprints' reports and PACT files (`--pcf`) too."""
    from carbon_report.core.errors import OutputLocked
    from carbon_report.core.model import Finding
    from carbon_report.io.atomic import write_bytes
    from carbon_report.outputs.report.fingerprint import report_output_path

    written = dataclasses.asdict(record.outputs)
    notices: list[str] = []
    locked: Finding | None = None
    try:
        for key in ("workbook", "report", "pdf"):
            if not written.get(key):
                continue
            desired = Path(written[key])
            data = produced[desired.relative_to(out_dir).as_posix()]
            target = desired
            if key == "report":
                target, notice = report_output_path(desired, options.force)
                if notice:
                    notices.append(f"{record.name}: {notice}")
            elif key == "pdf" and written.get("report"):
                target = Path(written["report"]).with_suffix(".pdf")
            write_bytes(target, data)
            written[key] = str(target)
        for key, named in record.to_json().get("outputs", {}).items():  # several files of one kind (--pcf)
            if key in written or not isinstance(named, dict):
                continue
            for path in named.values():
                data = produced.get(Path(path).relative_to(out_dir).as_posix()) if path else None
                if data is not None:
                    write_bytes(Path(path), data)
    except OutputLocked as e:
        locked = Finding.raised(e)
    record = record.with_outputs(**written).with_lines(*notices)
    if locked is not None:
        record = record.with_finding(locked, f"{record.name}: {locked.message} [{locked.code}]")
    return record

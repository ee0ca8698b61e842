"""The page's uploads as batch jobs: files saved and checked here, then the batch (app/batch.py) runs them in
its worker pool from a coordinator thread. No pipeline step runs in a server thread (a time limit there would
interrupt the server) and none runs twice: the page is one more way into the same batch.

    Jobs(root, out_dir, pdf).add(uploads, pcf=False) -> Job  # saves, unpacks, refuses; starts the batch
    Jobs.get(job_id) -> Job | None
    job_json(job, token) -> dict                       # what the page polls
"""

from __future__ import annotations

import secrets
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal
from urllib.parse import quote

from carbon_report.app.web.uploads import UploadRefused, safe_name, save_stream, unpack_zip
from carbon_report.core.findings import Code
from carbon_report.io.filecheck import MAX_FILE_BYTES

FileStatus = Literal["refused", "queued", "done"]
OUTPUT_KINDS = ("workbook", "report", "pdf")
# With product footprints (`batch --pcf`): per product, its report and its PACT file. A download names one by
# kind and index ("pcf_reports-0"), never by the product's name, which is the client's text.
PRODUCT_KINDS = ("pcf_reports", "pact")
FILE_TIMEOUT = 300.0  # seconds per workbook, as `batch` (--timeout default)


@dataclass
class JobFile:
    id: str
    name: str  # as the user knows it: the upload's name, or "压缩包.zip / 子文件夹/企业.xlsx"
    path: Path | None  # the workbook to run (None: refused before the batch)
    status: FileStatus = "queued"
    refused: list[str] = field(default_factory=list)  # the CLI's lines for a file refused at upload
    record: dict[str, Any] | None = None  # batch.Record: outcome JSON, exit code, lines, summary line


@dataclass
class Job:
    id: str
    folder: Path
    out_dir: Path
    files: list[JobFile] = field(default_factory=list)
    done: bool = False
    error: str = ""  # the job as a whole failed (the profile unreadable …): one line
    pcf: bool = False  # product footprints asked for, as `batch --pcf`
    lock: threading.Lock = field(default_factory=threading.Lock)


class Jobs:
    """Every job of this page's session. `root` is the session's private folder (removed when the server
    stops); outputs go to `out_dir` when given (as `batch --out`), else into the job's own folder."""

    def __init__(self, root: Path, out_dir: Path | None = None, *, pdf: bool = False,
                 jobs: int | None = None, run: Callable[..., Any] | None = None) -> None:
        self.root = root
        self.out_dir = out_dir
        self.pdf = pdf
        self.jobs = jobs
        self._run = run  # a test may hand another batch runner in; default app.batch.run_batch
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def add(self, uploads: Iterable[tuple[str, BinaryIO]], *, pcf: bool = False) -> Job:
        job_id = secrets.token_hex(6)
        folder = self.root / "jobs" / job_id
        (folder / "in").mkdir(parents=True)
        job = Job(job_id, folder, self.out_dir or folder / "out", pcf=pcf)
        taken: set[str] = set()
        for n, (filename, stream) in enumerate(uploads, start=1):
            job.files.extend(self._save(job, n, safe_name(filename), stream, taken))
        with self._lock:
            self._jobs[job_id] = job
        thread = threading.Thread(target=self._run_job, args=(job,), name=f"carbon-report-job-{job_id}",
                                  daemon=True)
        self.threads.append(thread)
        thread.start()
        return job

    def _save(self, job: Job, n: int, name: str, stream: BinaryIO, taken: set[str]) -> list[JobFile]:
        """One upload: a workbook into in/ (checked as the CLI checks it, so a refused one never reaches
        the pool), a zip unpacked into in/<n>/ and each workbook in it."""
        from carbon_report.core.errors import UnreadableWorkbook
        from carbon_report.io.filecheck import check_size, check_workbook_file

        suffix = Path(name).suffix.lower()
        fid = f"f{n}"
        if suffix == ".zip":
            raw = job.folder / f"upload{n}.zip"
            save_stream(stream, raw, 1 << 62)
            try:
                found = unpack_zip(raw, job.folder / "in" / f"z{n}", name)
            except UploadRefused as e:
                return [JobFile(fid, name, None, "refused", [f"{name}: {e.message} [{e.code}]"])]
            finally:
                raw.unlink(missing_ok=True)
            return [JobFile(f"{fid}_{i}", f"{name} / {p.relative_to(job.folder / 'in' / f'z{n}').as_posix()}", p)
                    for i, p in enumerate(found, start=1)]
        dest_dir = job.folder / "in" if name.lower() not in taken else job.folder / "in" / f"d{n}"
        dest_dir.mkdir(parents=True, exist_ok=True)
        taken.add(name.lower())
        dest = dest_dir / name
        size = save_stream(stream, dest, MAX_FILE_BYTES)
        try:
            if size > MAX_FILE_BYTES:
                dest.unlink()  # only the first 50 MB were kept, to say how large it was
                check_size(size)
            check_workbook_file(dest)  # also refuses any extension but .xlsx/.xlsm, as the CLI does
        except UnreadableWorkbook as e:
            dest.unlink(missing_ok=True)
            return [JobFile(fid, name, None, "refused", [self._cli_line(name, e)])]
        return [JobFile(fid, name, dest)]

    @staticmethod
    def _cli_line(name: str, e: Any) -> str:
        """The line `carbon-report process` prints for this file (app/messages.finding_lines)."""
        from carbon_report.app.messages import finding_lines
        from carbon_report.app.pipeline import Outcome
        from carbon_report.core.model import Finding

        return finding_lines(Outcome(Path(name), "unreadable", [Finding.raised(e)]))[0]

    def _run_job(self, job: Job) -> None:
        """The coordinator: the profile's share for this job (report numbers given out here, in the server
        process), then the batch over the job's workbooks in its own worker pool."""
        from carbon_report.app import log
        from carbon_report.app.batch import run_batch
        from carbon_report.app.pipeline import Options
        from carbon_report.app.profile import companies_of, load_profile, profile_run, report_template
        from carbon_report.core.errors import CarbonReportError

        todo = [f for f in job.files if f.path is not None]
        try:
            if todo:
                profile = load_profile()
                paths = [f.path for f in todo if f.path is not None]
                options = Options(pdf=self.pdf, pcf=job.pcf, report_template=report_template(profile),
                                  profile=profile_run(companies_of(paths), profile=profile))
                by_input = {str(f.path): f for f in todo}

                def finished(record: Any) -> None:
                    plain = _plain(record)
                    f = by_input.get(plain["outcome"]["input"])
                    if f is not None:
                        with job.lock:
                            f.record, f.status = plain, "done"

                run = self._run or run_batch
                result = run(paths, job.out_dir, options, jobs=self.jobs, timeout=FILE_TIMEOUT, on_result=finished)
                for f, record in zip(todo, result.records, strict=True):
                    plain = _plain(record)
                    with job.lock:
                        f.record, f.status = plain, "done"
                    log.outcome_event(_OutcomeView(plain))
        except CarbonReportError as e:
            job.error = f"{e.message} [{e.code}]"
        except Exception as e:  # noqa: BLE001 - a bug: the page says one line, the log keeps the traceback
            job.error = (f"内部错误：{type(e).__name__}: {e}；{log.path_note(log.internal_error(e))} "
                         f"[{Code.E_INTERNAL}]")
        finally:
            with job.lock:
                for f in todo:
                    if f.status != "done":
                        f.status = "done"
                job.done = True
            log.event("web-job", files=len(job.files), refused=sum(f.status == "refused" for f in job.files),
                      error=bool(job.error))

    def output(self, job: Job, file_id: str, kind: str) -> Path | None:
        """The output file behind a download link: only one this job's batch reported writing."""
        f = next((x for x in job.files if x.id == file_id), None)
        if f is None or f.record is None:
            return None
        outputs = f.record["outcome"]["outputs"]
        if kind in OUTPUT_KINDS:
            value = outputs.get(kind)
        else:
            group, _, index = kind.partition("-")
            paths = list((outputs.get(group) or {}).values()) if group in PRODUCT_KINDS else []
            value = paths[int(index)] if index.isdigit() and int(index) < len(paths) else None
        path = Path(value) if isinstance(value, str) and value else None
        return path if path is not None and path.is_file() else None

    def zip_all(self, job: Job) -> Path:
        """One zip of every output of the job (built once, into the job's folder)."""
        from carbon_report.io.atomic import write_bytes

        dest = job.folder / "全部结果.zip"
        if dest.is_file():
            return dest
        import io

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            used: set[str] = set()
            for f in job.files:
                for kind in (*OUTPUT_KINDS, *_product_kinds(f)):
                    p = self.output(job, f.id, kind)
                    if p is not None and p.name not in used:
                        used.add(p.name)
                        z.write(p, p.name)
        write_bytes(dest, buf.getvalue())
        return dest


def _product_kinds(f: JobFile) -> list[str]:
    """The download kinds of a file's product outputs ("pcf_reports-0", "pact-0", …)."""
    outputs = f.record["outcome"]["outputs"] if f.record is not None else {}
    return [f"{g}-{i}" for g in PRODUCT_KINDS for i in range(len(outputs.get(g) or {}))]


def _products(job: Job, f: JobFile, token: str) -> list[dict[str, Any]]:
    """Each product's footprint as the page shows it: name, kgCO2e per declared unit, its two downloads."""
    assert f.record is not None
    o = f.record["outcome"]
    out = []
    for p in o.get("products") or []:
        links = {}
        for g in PRODUCT_KINDS:
            names = list(o["outputs"].get(g) or {})
            if p["name"] in names and o["outputs"][g][p["name"]]:
                links[g] = link(job, f"{f.id}/{g}-{names.index(p['name'])}", token)
        out.append({"name": p["name"], "declared_unit": p["declared_unit"], "per_unit_kgco2e": p["per_unit_kgco2e"],
                    "links": links})
    return out


def _plain(record: Any) -> dict[str, Any]:
    """A batch record as {"outcome": the contract's JSON, "lines": [...], "summary_line": str}, whether the
    batch hands a dict or a typed FileRecord (core/record.py)."""
    if isinstance(record, dict):
        return record
    return {"outcome": record.to_json(), "lines": list(record.lines), "summary_line": record.summary_line}


@dataclass(frozen=True)
class _Finding:
    severity: str
    sheet: str
    cell: str
    code: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class _OutcomeView:
    """A batch record seen as the log's outcome_event reads an Outcome (codes and cells only)."""

    record: dict[str, Any]

    @property
    def input(self) -> str:
        return self.record["outcome"]["input"]

    @property
    def status(self) -> str:
        return self.record["outcome"]["status"]

    @property
    def findings(self) -> list[_Finding]:
        return [_Finding(i["severity"], i["sheet"], i["cell"], i["code"]) for i in self.record["outcome"]["issues"]]


def _summary(line: str) -> str:
    """The batch's summary line without the output paths (the page links them instead)."""
    parts = line.split("；")
    return "；".join(p for p in parts if not p.startswith(("计算结果：", "评价报告：", "PDF：")))


def link(job: Job, path: str, token: str) -> str:
    return f"/download/{job.id}/{path}?token={quote(token)}"


def job_json(job: Job, token: str) -> dict[str, Any]:
    """What the page shows: each file's status, findings (级别, 工作表!单元格, 代码, 说明), links, the
    years used as history; and a link to one zip of everything once the job is done."""
    files = []
    with job.lock:
        for f in job.files:
            item: dict[str, Any] = {"id": f.id, "name": f.name, "status": f.status, "lines": list(f.refused)}
            if f.status == "refused":
                code = f.refused[0].rsplit("[", 1)[-1].rstrip("]") if f.refused else ""
                message = f.refused[0].split(": ", 1)[-1].rsplit(" [", 1)[0] if f.refused else ""
                item["findings"] = [{"severity": "error", "where": "", "code": code, "message": message}]
            if f.record is not None:
                o = f.record["outcome"]
                item.update({
                    "state": o["status"], "summary": _summary(f.record["summary_line"]),
                    "company": o.get("company"), "total_tco2e": o.get("total_tco2e"),
                    "findings": [{"severity": i["severity"], "where": f"{i['sheet']}!{i['cell']}" if i["sheet"] else "",
                                  "code": i["code"], "message": i["message"]}
                                 for i in sorted(o["issues"], key=lambda i: i["severity"] != "error")],
                    "links": {k: link(job, f"{f.id}/{k}", token) for k in OUTPUT_KINDS if o["outputs"].get(k)},
                    "history": [{"year": y["year"], "source": y["source"]} for y in (o.get("history") or [])],
                    "products": _products(job, f, token),
                    "notices": [x for x in f.record["lines"] if not x.endswith("]")],
                })
            files.append(item)
    done = job.done
    out = {"id": job.id, "done": done, "error": job.error, "files": files}
    if done and any(f.get("links") for f in files):
        out["zip"] = link(job, "all.zip", token)
    return out

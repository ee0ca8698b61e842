"""The batch's records: one `FileRecord` (core/record.py) per workbook, and the `BatchResult` of them all.

    record_of(outcome)                     -> FileRecord (in the worker: the pipeline's Outcome → plain data)
    failed(path, status, code, message)    -> FileRecord of a file the batch itself had to give up on
    assemble(records, n)                   -> BatchResult, input order, duplicates flagged
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbon_report.core.findings import Code
from carbon_report.core.model import Finding
from carbon_report.core.record import FileRecord, Status

if TYPE_CHECKING:
    from carbon_report.app.pipeline import Outcome
    from carbon_report.core.errors import CarbonReportError

__all__ = ["BatchResult", "FileRecord", "assemble", "failed", "record_of"]


@dataclass
class BatchResult:
    records: list[FileRecord]  # in the order of the input files
    exit_code: int
    skipped: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines found once every file was in (duplicates)

    @property
    def files(self) -> list[dict[str, Any]]:
        """The contract's JSON object of each file (`--json`'s "files")."""
        return [r.to_json() for r in self.records]

    def summary(self) -> dict[str, Any]:
        """`--json`'s "summary"."""
        statuses = [r.status for r in self.records]
        return {"workbooks": len(statuses), "ok": statuses.count("ok"), "invalid": statuses.count("invalid"),
                "unreadable": statuses.count("unreadable"), "failed": statuses.count("failed"),
                "skipped": [str(p) for p in self.skipped],
                "exit_code": self.exit_code}


def record_of(outcome: Outcome) -> FileRecord:
    """The record of one pipeline run, with the console lines it shows."""
    from carbon_report.app.messages import finding_lines, summary_line

    return FileRecord.from_json(outcome.to_json(),
                                lines=finding_lines(outcome) + [f"{outcome.input.name}: {n}" for n in outcome.notices],
                                summary_line=summary_line(outcome))


def failed(path: Path, status: Status, code: Code, /, **fields: object) -> FileRecord:
    """A file the batch gave up on (timed out, crashed its worker, clashed with another's outputs …): one
    finding of `code`, its text the catalogue's with `fields`."""
    from carbon_report.app.pipeline import Outcome

    return record_of(Outcome(Path(path), status, [Finding.of(code, **fields)]))


def unreadable(path: Path, error: CarbonReportError) -> FileRecord:
    """A file refused before any worker saw it (the file check a local run makes, run by the client)."""
    from carbon_report.app.pipeline import Outcome

    return record_of(Outcome(Path(path), "unreadable", [Finding.raised(error)]))


def timed_out(path: Path, timeout: float | None) -> FileRecord:
    return failed(path, "unreadable", Code.E_BATCH_TIMEOUT, seconds=f"{timeout:g}")


def assemble(records: dict[int, FileRecord], n: int, *, flag_duplicates: bool = True) -> BatchResult:
    """The records in input order, duplicates flagged, the batch's exit code."""
    ordered = [records[i] for i in range(n)]
    notes = _flag_duplicates(ordered) if flag_duplicates else []
    code = max((r.exit_code for r in ordered), default=0)
    return BatchResult(ordered, code, notes=notes)


def _flag_duplicates(records: list[FileRecord]) -> list[str]:
    """The same 统一社会信用代码 and year in two workbooks: a warning on the later one (replaced in
    `records`). Returns its lines."""
    from carbon_report.app.messages import one_line

    seen: dict[tuple[str, int], str] = {}
    notes: list[str] = []
    for k, rec in enumerate(records):
        company = rec.company
        if company is None or not company.uscc or not company.year:
            continue
        key = (company.uscc.upper(), company.year)
        first = seen.setdefault(key, rec.input)
        if first == rec.input:
            continue
        finding = Finding.of(Code.W_BATCH_DUPLICATE_COMPANY, uscc=key[0], year=key[1], other=first)
        line = f"{one_line(rec.name)}: 警告 {one_line(finding.message)} [{finding.code}]"
        records[k] = rec.with_finding(finding, line)
        notes.append(line)
    return notes

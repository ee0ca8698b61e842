"""`carbon-report export IN.xlsx|DIR --out DIR [--format csv|xlsx] [--jobs N] [--recursive]`, and the batch of
full results behind the API's batch(): workbooks through the batch's pool (app/batch.py: time limits, crashed
workers, a company's years linked), each coming back with its frozen WorkbookResult.

    check_with_result(path, out_subdir, options)    a batch worker: check_file, nothing written
    process_with_result(path, out_subdir, options)  a batch worker: process_file, as `batch` does
    results_of(batch)                               -> [WorkbookResult] in input order
    run_export_cli(args)                            -> exit status
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from carbon_report.core.findings import Code
from carbon_report.core.model import Finding
from carbon_report.outputs.results import WorkbookResult


def _sha256(path: Path) -> str:
    from carbon_report.io.evidence import file_sha256

    try:
        return file_sha256(path) if path.is_file() else ""
    except OSError:
        return ""


def check_with_result(path: str, out_subdir: str, options: Any) -> Any:
    """One workbook validated and computed, nothing written; its record carries the full result."""
    from carbon_report.app.batch import record_of
    from carbon_report.app.pipeline import check_file

    outcome = check_file(Path(path), today=options.today, options=options)
    return _with_result(record_of(outcome), outcome.to_result(_sha256(Path(path))))


def process_with_result(path: str, out_subdir: str, options: Any) -> Any:
    """One workbook through process_file (as `batch` runs it); its record carries the full result."""
    from carbon_report.app.batch import record_of
    from carbon_report.app.pipeline import process_file

    sha = _sha256(Path(path))
    outcome = process_file(Path(path), Path(out_subdir), options)
    return _with_result(record_of(outcome), outcome.to_result(sha))


def _with_result(record: Any, result: WorkbookResult) -> Any:
    record["result"] = result
    return record


def results_of(batch: Any) -> list[WorkbookResult]:
    """Every file's result, in input order. A file the batch gave up on (timed out, crashed its worker, an
    output name taken) has no computed result: its status and findings are the record's. Findings the batch
    added afterwards (W-BATCH-DUPLICATE-COMPANY) are in both."""
    from dataclasses import replace

    out = []
    for rec in batch.records:
        doc = rec["outcome"]
        findings = tuple(Finding.from_dict(i) for i in doc["issues"])
        result = rec.get("result")
        if result is None:
            result = WorkbookResult(Path(doc["input"]), doc["status"], findings, outputs=dict(doc["outputs"]))
        elif result.findings != findings:
            result = replace(result, findings=findings)
        out.append(result)
    return out


# ---- the command line --------------------------------------------------------------------------------------


def run_export_cli(args: Any) -> int:
    from carbon_report.app.batch import find_workbooks, run_batch
    from carbon_report.app.messages import finding_lines
    from carbon_report.app.pipeline import Options, check_file
    from carbon_report.core.errors import OutputError, OutputExists
    from carbon_report.outputs.tables import build_tables, output_names, write_tables

    source, out_dir = Path(args.input), Path(args.out)
    if args.jobs is not None and args.jobs < 1:
        print(f"--jobs {args.jobs}: 进程数至少为 1 must be at least 1 [{Code.E_USAGE}]", file=sys.stderr)
        return 2
    if not args.force:  # before any work: an existing table is never replaced without --force
        taken = [out_dir / n for n in output_names(args.format) if (out_dir / n).exists()]
        if taken:
            print(f"{taken[0]}: 文件已存在，未覆盖。如需覆盖请加 --force file exists, not overwritten (use --force) "
                  f"[{Code.E_OUTPUT_EXISTS}]", file=sys.stderr)
            return 2
    options = Options(report=False)
    if source.is_dir():
        files, _ = find_workbooks(source, args.recursive, out_dir=out_dir)
        if not files:
            print(f"{source}: 警告 文件夹中没有 .xlsx 或 .xlsm 工作簿 no workbooks found [{Code.W_BATCH_EMPTY}]",
                  file=sys.stderr)
        batch = run_batch(files, out_dir, options, jobs=args.jobs, root=source, worker=check_with_result,
                          on_result=lambda rec: _print_lines(rec["lines"])) if files else None
        results = results_of(batch) if batch is not None else []
        for line in batch.notes if batch is not None else []:
            print(line, file=sys.stderr)
    else:
        outcome = check_file(source)
        _print_lines(finding_lines(outcome))
        results = [outcome.to_result(_sha256(source))]
    tables = build_tables(results)
    try:
        written = write_tables(tables, out_dir, args.format, force=args.force)
    except OutputExists as e:
        print(f"{e.path}: 文件已存在，未覆盖。如需覆盖请加 --force file exists (use --force) [{e.code}]", file=sys.stderr)
        return 2
    except OutputError as e:
        print(f"carbon-report: {e.message} [{e.code}]", file=sys.stderr)
        return 2
    statuses = [r.status for r in results]
    print(f"共 {len(results)} 个工作簿：通过 {statuses.count('ok')} 个，有错误 {statuses.count('invalid')} 个，"
          f"无法读取 {statuses.count('unreadable') + statuses.count('failed')} 个；"
          f"已写出 {len(tables)} 张表 tables written（{', '.join(p.name for p in written)}）：{out_dir}")
    return max((_exit_code(r) for r in results), default=0)


def _exit_code(r: WorkbookResult) -> int:
    if r.status in ("unreadable", "failed"):
        return 2
    return 1 if r.errors else 0


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)

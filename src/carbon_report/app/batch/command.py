"""`carbon-report batch IN_DIR --out DIR [--jobs N] [--recursive] [--timeout SEC] [--json] [--dask ADDRESS]`:
the command line of the batch: find the workbooks, run them here (pool.py) or on a Dask cluster
(cluster.py), show progress, write 汇总.xlsx, print the summary or the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from carbon_report.app.batch.plan import SUMMARY_NAME, find_workbooks
from carbon_report.app.batch.pool import run_batch
from carbon_report.app.batch.records import BatchResult
from carbon_report.core.findings import Code
from carbon_report.core.record import FileRecord


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
        from carbon_report.app.batch import cluster
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
        write_summary(result.records, dest, root=in_dir)
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

    def done(self, record: FileRecord) -> None:
        self.count += 1
        for line in record.lines:
            self.line(line)
        self.line(f"[{self.count}/{self.total}] {record.summary_line}")
        if self.bar:
            self.bar.update(self.task, completed=self.count, refresh=True)

    def tick(self) -> None:
        if self.bar:
            self.bar.refresh()

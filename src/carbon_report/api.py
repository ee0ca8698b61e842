"""The Python API: the same pipeline as `carbon-report check / process / batch`, returning frozen dataclasses.

    import carbon_report

    r = carbon_report.process("企业A.xlsx", out="输出")       # WorkbookResult
    r.status, r.total_tco2e, r.stage("production").tco2e, r.lines, r.findings
    r.to_json()                                                # exactly what `--json` prints
    r.to_frame("lines")                                        # pandas (pip install carbon-report[pandas])

A workbook's own problems are never raised: the result's status is "invalid" or "unreadable" and its findings
say where (sheet, cell, code, message). Only wrong usage raises, and always a CarbonReportError
(core/errors.py): UsageError for an argument that cannot be used, SameAsInput when an output would replace the
input. docs/api.md has the examples; its code blocks run in the tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from carbon_report.core.errors import CarbonReportError, PandasMissing, UsageError
from carbon_report.core.findings import Code
from carbon_report.core.model import (
    BaseYearCheck,
    Company,
    Finding,
    HistoryYear,
    Intensity,
    Stage,
    TargetResult,
)
from carbon_report.outputs.results import (
    BatchResult,
    CategoryTotal,
    Line,
    ScopeTotal,
    SiteTotal,
    StageTotal,
    Status,
    WorkbookResult,
)
from carbon_report.outputs.tables import TABLES

__all__ = [
    "check", "process", "batch",
    "WorkbookResult", "BatchResult", "StageTotal", "ScopeTotal", "CategoryTotal", "SiteTotal", "Line", "Finding",
    "Company", "Intensity", "TargetResult", "HistoryYear", "BaseYearCheck", "Stage", "Status",
    "CarbonReportError", "UsageError", "PandasMissing", "TABLES",
]

PathLike = str | os.PathLike[str]
F = TypeVar("F", bound=Callable[..., Any])


def _ours(fn: F) -> F:
    """What escapes the API is the package's own exception: arguments that do not fit the signature are a
    UsageError; a library's exception (a bug) becomes a CarbonReportError with code E-INTERNAL, the original
    chained as its cause for the bug report."""

    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as e:  # an argument too many, a keyword misspelt: the caller's mistake
            raise UsageError(f"{fn.__name__}(): {e}") from None
        try:
            return fn(*args, **kwargs)
        except CarbonReportError:
            raise
        except Exception as e:
            raise CarbonReportError.of(Code.E_INTERNAL, error=f"{type(e).__name__}: {e}") from e

    return call  # type: ignore[return-value]


@_ours
def check(path: PathLike, *, history: PathLike | Iterable[PathLike] = (), recalc_threshold: float | None = None,
          pcf: bool = False, today: dt.date | None = None) -> WorkbookResult:
    """Validate and compute one workbook; nothing is written (`carbon-report check`). `history`: earlier
    years' workbooks (files or folders), as `process --history`. `pcf`: compute the product footprints
    (result.products). `today`: the day blank dates follow."""
    from carbon_report.app.pipeline import Options, check_file

    p = _path(path, "path")
    options = Options(history=_paths(history), recalc_threshold_pct=_threshold(recalc_threshold), today=today,
                      pcf=bool(pcf))
    return check_file(p, today=today, options=options).to_result(_sha256(p))


@_ours
def process(path: PathLike, out: PathLike, *, history: PathLike | Iterable[PathLike] = (), report: bool = True,
            pdf: bool = False, template: PathLike | None = None, time_limit: float | None = None,
            force: bool = False, recalc_threshold: float | None = None, pcf: bool = False,
            today: dt.date | None = None) -> WorkbookResult:
    """Validate, compute and write `out/<name>_计算结果.xlsx` and, without errors, the Word report
    (`carbon-report process`). The input is never modified.

    history: earlier years' workbooks (files or folders), each computed as reported and recalculated.
    report / pdf: write the Word report / also a PDF through LibreOffice. template: another report .docx.
    time_limit: seconds for the whole run (status "failed", E-TIME-LIMIT, when passed). force: overwrite a
    report edited since it was written (otherwise _v2 is written and the notice says so). pcf: product
    footprints, a report and a PACT file per product (`--pcf`; result.products, outputs["pcf_reports"]).
    """
    from carbon_report.app.pipeline import Options, process_file

    p = _path(path, "path")
    out_dir = _path(out, "out")
    tpl = _template(template, report, pdf)
    limit = _seconds(time_limit, "time_limit")
    if limit and threading.current_thread() is not threading.main_thread():
        # The pipeline's limit is SIGALRM (a timer interrupting the main thread on Windows): from another
        # thread it would stop the main thread, not this run. A platform running files in threads limits
        # them by process (batch's timeout).
        raise UsageError("time_limit 只能在主线程中使用（在其他线程中请用进程限时，如 batch 的 timeout）")
    options = Options(force=bool(force), report=bool(report), pdf=bool(pdf), report_template=tpl, today=today,
                      history=_paths(history), recalc_threshold_pct=_threshold(recalc_threshold), time_limit=limit,
                      pcf=bool(pcf))
    sha = _sha256(p)
    return process_file(p, out_dir, options).to_result(sha)


@_ours
def batch(folder: PathLike, out: PathLike, *, jobs: int | None = None, recursive: bool = False,
          report: bool = True, pdf: bool = False, template: PathLike | None = None, timeout: float | None = 300,
          force: bool = False, recalc_threshold: float | None = None, summary: bool = True, pcf: bool = False,
          today: dt.date | None = None) -> BatchResult:
    """Every .xlsx / .xlsm of `folder` (its subfolders with recursive, mirrored under `out`) through process,
    in `jobs` worker processes (default: the CPU count), as `carbon-report batch` does: Excel's ~$ lock files
    and hidden files skipped, one company's years linked as history, a file that runs past `timeout`
    seconds (None: no limit) or crashes its worker marked and the rest going on, and out/汇总.xlsx written
    (summary=False: not). Returns every file's result in input order."""
    from carbon_report.app.batch import SUMMARY_NAME, find_workbooks, run_batch
    from carbon_report.app.export import process_with_result, results_of
    from carbon_report.app.pipeline import Options

    src = _path(folder, "folder")
    if not src.is_dir():
        raise UsageError(f"参数 folder 需要文件夹：{src} 不是文件夹或不存在")
    out_dir = _path(out, "out")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise UsageError(f"参数 jobs 需要至少为 1 的整数，得到的是 {jobs!r}")
    tpl = _template(template, report, pdf)
    per_file = _seconds(timeout, "timeout")
    options = Options(force=bool(force), report=bool(report), pdf=bool(pdf), report_template=tpl, today=today,
                      recalc_threshold_pct=_threshold(recalc_threshold), pcf=bool(pcf))
    files, skipped = find_workbooks(src, bool(recursive), out_dir=out_dir)
    if not files:
        return BatchResult((), tuple(skipped), (f"{src}: 文件夹中没有 .xlsx 或 .xlsm 工作簿 [{Code.W_BATCH_EMPTY}]",))
    ran = run_batch(files, out_dir, options, jobs=jobs, timeout=per_file, root=src, worker=process_with_result)
    results = tuple(results_of(ran))
    notes = list(ran.notes)
    written = None
    if summary:
        from carbon_report.core.errors import OutputError
        from carbon_report.io.atomic import output_error
        from carbon_report.outputs.summary import write_summary

        dest = out_dir / SUMMARY_NAME
        try:
            write_summary(ran.files, dest, root=src)
            written = dest
        except (OutputError, OSError) as e:
            err = e if isinstance(e, OutputError) else output_error(e, dest)
            notes.append(f"{dest}: 汇总工作簿无法写出：{err.message} [{err.code}]")
    return BatchResult(results, tuple(skipped), tuple(notes), written)


# ---- arguments ---------------------------------------------------------------------------------------------


def _path(value: object, name: str) -> Path:
    if isinstance(value, str | os.PathLike) and not isinstance(value, bytes):
        text = os.fspath(value)
        if isinstance(text, str) and text.strip():
            return Path(text)
    raise UsageError(f"参数 {name} 需要文件路径（str 或 Path），得到的是 {value!r}")


def _paths(value: PathLike | Iterable[PathLike] | None) -> tuple[Path, ...]:
    """One path or several: history="2022.xlsx" is one workbook, not its letters."""
    if value is None:
        return ()
    if isinstance(value, str | os.PathLike):
        return (_path(value, "history"),)
    try:
        items = list(value)
    except TypeError:
        raise UsageError(f"参数 history 需要路径或路径的列表，得到的是 {value!r}") from None
    return tuple(_path(v, "history") for v in items)


def _seconds(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise UsageError(f"参数 {name} 需要大于 0 的有限秒数，得到的是 {value!r}")
    return float(value)


def _template(template: PathLike | None, report: bool, pdf: bool) -> Path | None:
    tpl = _path(template, "template") if template is not None else None
    if tpl is not None and report and not tpl.is_file():
        raise UsageError(f"报告模板不存在或不是文件：{tpl}")
    if pdf and not report:
        raise UsageError("pdf=True 需要 report=True：PDF 由 Word 报告转换而来")
    return tpl


def _threshold(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 100:
        raise UsageError(f"参数 recalc_threshold 应在 0–100（%）之间，得到的是 {value!r}")
    return float(value)


def _sha256(path: Path) -> str:
    """The input's SHA-256 ("" when it cannot be read: the result then says why, as unreadable)."""
    from carbon_report.io.evidence import file_sha256

    try:
        return file_sha256(path) if path.is_file() else ""
    except OSError:
        return ""

"""What the ribbon buttons do, on a LiveBook (adapter.py) so that all of it runs on Linux in the tests.

生成报告 (process): Excel saves a copy of the open workbook → the one pipeline (pipeline.process_copy, so the
numbers are the CLI's) → the computed sheets written into the open workbook through xlwings → the Word
report beside the workbook when there are no errors → a message box with the total and the counts.
校验 (check): the same without the report. Each step shows in Excel's status bar, which is given back to
Excel at the end whatever happened. Any failure ends in a message box with one line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from carbon_report import __version__
from carbon_report.app.excel.adapter import LiveBook
from carbon_report.app.excel.sheets import write_computed
from carbon_report.core import contract
from carbon_report.core.errors import ENVIRONMENT_CODES, NeedsSave
from carbon_report.core.findings import Code

TITLE = "碳排放报告"
# What the status bar says while a pipeline step runs (pipeline.Progress names the steps).
STEPS = {"copy": "读取工作簿……", "read": "读取工作簿……", "validate": "校验……", "calculate": "计算……",
         "workbook": "写入计算表……", "report": "生成报告……"}
# Formats Excel saves that the reader cannot open: each gets its own way out (save as .xlsx).
_OTHER_FORMATS = {
    ".xlsb": ("Excel 二进制工作簿（.xlsb）", Code.E_FILE_XLSB),
    ".xls": ("旧版 Excel 97-2003 工作簿（.xls）", Code.E_FILE_XLS),
}


@dataclass
class ExcelRun:
    """What a click did (returned for tests; Excel only sees the message box and the sheets)."""

    message: str
    critical: bool
    outcome: object | None = None  # pipeline.Outcome
    sheets_written: list[str] = field(default_factory=list)


class Stop(Exception):
    """An expected end with a message for the user (not a bug)."""


def run_on_book(live: LiveBook, check_only: bool, *, today: dt.date | None = None,
                addin: tuple[str, str] | None = None) -> ExcelRun:
    """`addin`: the (carbon-report, xlwings) versions the add-in was built with, as its buttons pass them."""
    written: list[str] = []
    with _quiet():
        try:
            run = _run(live, check_only, today, written)
        except Stop as e:
            run = ExcelRun(str(e), critical=True)
        except Exception as e:  # never a traceback window: one line in a message box (the traceback: the log)
            from carbon_report.app import log

            done = "计算结果已写入本工作簿（尚未保存），但随后" if written else ""
            where = log.path_note(log.internal_error(e))
            run = ExcelRun(f"{done}运行出错：{one_line(e)}\n\n请把这句话、日志和工作簿发给技术支持。{where}",
                           critical=True, sheets_written=list(written))
        finally:
            live.status(None)
    _log_click(run, check_only)
    stale = version_notice(addin)
    if stale:
        run.message += "\n\n" + stale
    try:
        live.alert(run.message, TITLE, critical=run.critical)
    except Exception as e:
        fail(f"{run.message} ({one_line(e)})")
    return run


def _run(live: LiveBook, check_only: bool, today: dt.date | None, written: list[str]) -> ExcelRun:
    from carbon_report.app.pipeline import Options, output_paths, process_copy

    name = live.name
    suffix = Path(name).suffix.lower()
    if suffix in _OTHER_FORMATS:
        kind, code = _OTHER_FORMATS[suffix]
        raise Stop(f"“{name}”是{kind}，本工具只能读取 .xlsx / .xlsm。请点“文件 → 另存为”，保存类型选"
                   f"“Excel 工作簿(*.xlsx)”，然后在另存的新文件中再点按钮。[{code}]")
    if suffix and suffix not in contract.WORKBOOK_EXTENSIONS:
        raise Stop(f"“{name}”不是 Excel 工作簿（.xlsx/.xlsm）。请先“另存为” Excel 工作簿（.xlsx），再点按钮。"
                   f"[{Code.E_FILE_EXTENSION}]")
    path, where = live.local_path()

    def write_tables(tables: list) -> None:  # noqa: ANN001 (computed.SheetTable)
        write_computed(live, tables)
        written[:] = [t.name for t in tables]

    live.status(STEPS["copy"])
    with tempfile.TemporaryDirectory(prefix="carbon_report_") as tmp:
        copy = Path(tmp) / (Path(name).stem + (suffix or ".xlsx"))
        try:
            live.save_copy(copy)
        except NeedsSave as e:
            raise Stop(str(e)) from None
        report_to = output_paths(path, path.parent)[1] if path is not None and not check_only else None
        options = with_profile(Options(today=today, report=not check_only), copy if report_to else None)
        outcome = process_copy(copy, path or Path(name), folder=path.parent if path else None,
                               write_tables=write_tables, report_to=report_to, options=options,
                               progress=lambda step: live.status(STEPS.get(step, "")))
    if outcome.status == "unreadable":
        raise Stop(f"无法读取工作簿：{outcome.findings[0].message} [{outcome.findings[0].code}]")
    if path is None and not check_only and outcome.status == "ok":
        outcome.notices.append(f"未生成报告：{where}")
    outcome.outputs["workbook"] = None  # the results went into the open workbook, not a file
    errors = len(outcome.errors)
    live.activate(contract.SHEET_FINDINGS if errors or check_only else contract.SHEET_SUMMARY)
    return ExcelRun(message(outcome, check_only), critical=bool(errors), outcome=outcome,
                    sheets_written=list(written))


def with_profile(options, copy: Path | None):  # noqa: ANN001, ANN201 (pipeline.Options)
    """The consultancy profile for a click: its fields, its template, and a report number given out here
    (this process started the run) when the workbook's 报告编号 is blank and a report is written."""
    import dataclasses

    from carbon_report.app.profile import companies_of, load_profile, profile_run, report_template
    from carbon_report.core.errors import ProfileError

    try:
        profile = load_profile()
        template = report_template(profile) if copy is not None else None
        run = profile_run(companies_of([copy]) if copy is not None else [], today=options.today, profile=profile)
    except ProfileError as e:
        raise Stop(f"{e.message} [{e.code}]") from None
    return dataclasses.replace(options, profile=run, report_template=template)


def _log_click(run: ExcelRun, check_only: bool) -> None:
    from carbon_report.app import log

    if run.outcome is not None:
        log.outcome_event(run.outcome)
    log.event("excel", button="check" if check_only else "process", critical=run.critical)


def version_notice(addin: tuple[str, str] | None) -> str:
    """A line when the add-in was built by another carbon-report or xlwings than the one now installed
    (its VBA is then another xlwings', and on macOS names another AppleScript file)."""
    if not addin:
        return ""
    from importlib.metadata import version

    built = (addin[0], addin[1])
    now = (__version__, version("xlwings"))
    if built == now:
        return ""
    text = Code.W_ADDIN_VERSION.text(version=built[0], xlwings=built[1], now=now[0], now_xlwings=now[1])
    return f"{text}[{Code.W_ADDIN_VERSION}]"


def message(outcome, check_only: bool) -> str:  # noqa: ANN001
    errors, warnings_ = len(outcome.errors), len(outcome.warnings)
    counts = f"错误 {errors} 个，警告 {warnings_} 个"
    lines: list[str] = []
    if outcome.result is None:
        lines.append(f"{'校验' if check_only else '处理'}完成：{counts}。")
        lines.append("存在错误，未计算排放总量" + ("。" if check_only else "，未生成报告。"))
        lines.append("请按“校验结果”表逐条修改（点“单元格”可跳到出错的位置），再点按钮。")
    else:
        c = outcome.intake.company
        lines.append(f"{c.name}　{c.year} 年")
        lines.append(f"排放总量：{outcome.result.total:,.2f} tCO2e")
        lines.append(f"{counts}（详见“校验结果”）。")
        if check_only:
            lines.append("校验通过。未生成报告；需要报告时请点“生成报告”。")
        elif outcome.outputs.get("report"):
            lines.append(f"报告：{outcome.outputs['report']}")
    lines.append("计算结果已写入本工作簿的“校验结果”“计算明细”“排放汇总”“减排目标测算”表（尚未保存）。")
    for f in outcome.errors:
        if f.code in ENVIRONMENT_CODES:  # the file open in Excel or Word, the folder read-only …
            lines.append(f.message)
    lines += outcome.notices
    return "\n".join(lines)


def one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def fail(line: str) -> None:
    """Last resort when not even a message box can be shown: one line on stderr and exit status 1, which
    xlwings' VBA shows in its own error box (Windows: a non-zero exit; macOS: any stderr text)."""
    print(line.replace("\n", " "), file=sys.__stderr__)
    raise SystemExit(1)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """On macOS xlwings shows anything written to stderr as an error box: keep warnings and stray output
    of libraries away from it."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield

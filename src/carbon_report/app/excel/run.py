"""What the ribbon buttons do, on a LiveBook (adapter.py) so that all of it runs on Linux in the tests.

生成报告 (process): a copy of the open workbook → the pipeline's reader and analysis (pipeline.analyse, so
the numbers are the CLI's) → the computed sheets written into the open workbook through xlwings → the Word
report beside the workbook when there are no errors → a message box with the total and the counts.
校验 (check): the same without the report. Any failure ends in a message box with one line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from carbon_report.app.excel.adapter import LiveBook
from carbon_report.app.excel.sheets import write_computed
from carbon_report.core import contract
from carbon_report.core.errors import NeedsSave
from carbon_report.core.findings import Code

TITLE = "碳排放报告"
SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class ExcelRun:
    """What a click did (returned for tests; Excel only sees the message box and the sheets)."""

    message: str
    critical: bool
    outcome: object | None = None  # pipeline.Outcome
    sheets_written: list[str] = field(default_factory=list)


class Stop(Exception):
    """An expected end with a message for the user (not a bug)."""


def run_on_book(live: LiveBook, check_only: bool, *, today: dt.date | None = None) -> ExcelRun:
    with _quiet():
        try:
            run = _run(live, check_only, today)
        except Stop as e:
            run = ExcelRun(str(e), critical=True)
        except Exception as e:  # never a traceback window: one line in a message box
            run = ExcelRun(f"运行出错：{one_line(e)}\n\n请把这句话和工作簿发给技术支持。", critical=True)
    try:
        live.alert(run.message, TITLE, critical=run.critical)
    except Exception as e:
        fail(f"{run.message} ({one_line(e)})")
    return run


def _run(live: LiveBook, check_only: bool, today: dt.date | None) -> ExcelRun:
    from carbon_report.app.pipeline import Options, Outcome, analyse, output_paths
    from carbon_report.core.errors import UnreadableWorkbook
    from carbon_report.core.factors import load_library
    from carbon_report.io.reader import read_workbook
    from carbon_report.outputs.computed import computed_tables

    name = live.name
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in SUFFIXES:
        raise Stop(f"“{name}”不是 Excel 工作簿（.xlsx/.xlsm）。请先“另存为” Excel 工作簿（.xlsx），再点按钮。")
    path, where = live.local_path()
    with tempfile.TemporaryDirectory(prefix="carbon_report_") as tmp:
        copy = Path(tmp) / (Path(name).stem + (suffix or ".xlsx"))
        try:
            live.save_copy(copy)
        except NeedsSave as e:
            raise Stop(str(e)) from None
        try:
            raw = read_workbook(copy)
        except UnreadableWorkbook as e:
            raise Stop(f"无法读取工作簿：{e.message}") from None
    # Messages name the open workbook; pictures are looked up beside it, not beside the temporary copy.
    raw = dataclasses.replace(raw, name=name, folder=path.parent if path else None)
    intake, result, findings = analyse(raw, today=today)
    outcome = Outcome(path or Path(name), "ok" if result is not None else "invalid", findings, intake, result,
                      library_version=load_library().version)
    outcome.outputs["workbook"] = None  # the results go into the open workbook, not a file

    if not check_only and outcome.status == "ok":
        if path is None:
            outcome.notices.append(f"未生成报告：{where}")
        else:
            # The CLI's own report step: fingerprints (never overwrite an edited report), _v2, locked files.
            from carbon_report.app.pipeline import write_report

            try:
                write_report(outcome, output_paths(path, path.parent)[1], Options(today=today))
            except Exception as e:  # the computed sheets are still written
                outcome.notices.append(f"报告生成失败：{one_line(e)}")

    tables = computed_tables(outcome.findings, outcome.intake, outcome.result, outcome.library_version)
    write_computed(live, tables)
    errors = len(outcome.errors)
    if errors:
        live.activate(contract.SHEET_FINDINGS)
    else:
        live.activate(contract.SHEET_FINDINGS if check_only else contract.SHEET_SUMMARY)
    return ExcelRun(message(outcome, check_only), critical=bool(errors), outcome=outcome,
                    sheets_written=[t.name for t in tables])


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
        if f.code == Code.E_OUTPUT_LOCKED:
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

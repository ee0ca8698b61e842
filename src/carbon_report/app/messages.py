"""The lines a person reads on the console, shared by `check`, `process` and `batch`.

One place so that the CLI and the batch print a finding the same way and never import each other.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carbon_report.app.pipeline import Outcome
    from carbon_report.core.findings import Code


_BREAKING = ("Cc", "Zl", "Zp")  # control characters (\n, \r, \t …), line and paragraph separators


def one_line(text: str) -> str:
    """Text with its line breaks and other control characters escaped (`\\n`), so that a file or sheet named
    with a newline cannot split a finding into two lines (a program reading stderr counts lines)."""
    if text.isprintable():
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _BREAKING else ch
                   for ch in text)


def finding_lines(outcome: Outcome) -> list[str]:
    """`文件: 工作表!单元格: 消息 [CODE]`, errors first; each finding exactly one line."""
    name = one_line(outcome.input.name or str(outcome.input))
    lines = []
    for f in sorted(outcome.findings, key=lambda f: 0 if f.is_error else 1):
        where = f"{one_line(f.sheet)}!{f.cell}: " if f.sheet else ""
        prefix = "" if f.is_error else "警告 "
        lines.append(f"{name}: {where}{prefix}{one_line(f.message)} [{f.code}]")
    return lines



def code_line(code: Code, where: object = "", /, **fields: object) -> str:
    """One console line for a code that is about no workbook cell (a folder, an option, a bug): its catalogue
    text in Chinese, the English gloss, the code, as a finding line reads."""
    prefix = f"{one_line(str(where))}: " if where != "" else ""
    warning = "警告 " if code.severity == "warning" else ""
    return f"{prefix}{warning}{one_line(code.text(**fields))} {code.en} [{code}]"


def summary_line(outcome: Outcome) -> str:
    name = outcome.input.name
    if outcome.status == "unreadable":
        return f"{name}: 无法读取 unreadable"
    n_err, n_warn = len(outcome.errors), len(outcome.warnings)
    parts = [f"{name}: 错误 {n_err} 个，警告 {n_warn} 个"]
    if outcome.status == "failed":  # the environment refused an output, or --time-limit passed
        parts[0] = f"{name}: 未完成 failed（见上一行）；错误 {n_err} 个，警告 {n_warn} 个"
    if outcome.result is not None:
        parts.append(f"企业碳排放量合计 {outcome.result.total:,.4f} tCO2e")
    for key, label in (("workbook", "计算结果"), ("report", "评价报告"), ("pdf", "PDF")):
        if outcome.outputs.get(key):
            parts.append(f"{label}：{outcome.outputs[key]}")
    reports = outcome.outputs.get("pcf_reports") or {}
    if reports:
        pact = [v for v in (outcome.outputs.get("pact") or {}).values() if v]
        folder = Path(next(iter(reports.values()))).parent
        parts.append(f"产品碳足迹报告 {len(reports)} 份、PACT 数据文件 {len(pact)} 份：{folder}")
    if n_err and outcome.outputs.get("workbook"):
        parts.append("未生成报告，请查看“校验结果”工作表")
    return "；".join(parts)

"""`carbon-report codes [CODE] [--json]`: the catalogue of finding codes, or one entry (as `ruff rule E501`).

docs/codes.md is `markdown()` written by scripts/build_codes_doc.py, so the docs and the program say the same.
"""

from __future__ import annotations

import json
import sys

from carbon_report.core.findings import Code, lookup

SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def as_json(codes: list[Code]) -> list[dict[str, str]]:
    return [{"code": c.value, "severity": c.severity, "message": c.message, "en": c.en} for c in codes]


def explain(code: Code) -> str:
    return (f"{code.value}（{SEVERITY_ZH[code.severity]} {code.severity}）\n"
            f"  {code.message}\n"
            f"  {code.en}")


def table(codes: list[Code]) -> str:
    width = max(len(c.value) for c in codes)
    return "\n".join(f"{c.value:<{width}}  {SEVERITY_ZH[c.severity]}  {c.message}  — {c.en}" for c in codes)


def markdown() -> str:
    lines = ["# 校验代码 Finding codes", "",
             "由 `carbon-report codes` 的同一目录生成（scripts/build_codes_doc.py），请勿手改。",
             "Generated from the same catalogue as `carbon-report codes` (scripts/build_codes_doc.py); do not edit.",
             "",
             "说明列就是每条校验结果显示的全文：花括号 {…} 处填入该文件自己的值（名称、单元格内容、数字）。",
             "The message column is the whole text a finding shows, each {field} filled with the file's own value.",
             "", "| 代码 code | 级别 severity | 说明（中文） | English |", "| --- | --- | --- | --- |"]
    for c in Code:
        lines.append(f"| `{c.value}` | {SEVERITY_ZH[c.severity]} {c.severity} | {c.message} | {c.en} |")
    return "\n".join(lines) + "\n"


def run(text: str | None, want_json: bool) -> int:
    if text is None:
        codes = list(Code)
    else:
        found = lookup(text)
        if found is None:
            # One line on stdout, where a user who typed the command looks; stderr stays empty.
            print(f"{Code.E_USAGE.text(detail=f'未知的代码“{text}”，可用 carbon-report codes 列出全部')} unknown code "
                  f"[{Code.E_USAGE}]")
            return 2
        codes = [found]
    if want_json:
        json.dump(as_json(codes), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif text is None:
        print(table(codes))
    else:
        print(explain(codes[0]))
    return 0

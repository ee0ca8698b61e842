"""carbon-report: 绿色低碳现代数智企业评价报告 from a company's intake workbook.

`main()` and `check()` are the Excel add-in's entry points (xlwings RunPython calls
`import carbon_report; carbon_report.main()`); they import the Excel layer only when called.
"""

from __future__ import annotations

__version__ = "0.1.0"


def main() -> None:
    """The add-in's 生成报告 button: run the pipeline on the workbook open in Excel."""
    from carbon_report.app.excel import run_from_excel

    run_from_excel(check_only=False)


def check() -> None:
    """The add-in's 校验 button: validate the open workbook only."""
    from carbon_report.app.excel import run_from_excel

    run_from_excel(check_only=True)

"""carbon-report: 绿色低碳现代数智企业评价报告 from a company's intake workbook.

`main()` and `check()` are the Excel add-in's entry points (xlwings RunPython calls
`import carbon_report; carbon_report.main('<carbon-report version>', '<xlwings version>')` with the versions
the add-in was built with); they import the Excel layer only when called.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"


def main(addin_version: str = "", addin_xlwings: str = "") -> None:
    """The add-in's 生成报告 button: run the pipeline on the workbook open in Excel."""
    _run(False, addin_version, addin_xlwings)


def check(addin_version: str = "", addin_xlwings: str = "") -> None:
    """The add-in's 校验 button: validate the open workbook only."""
    _run(True, addin_version, addin_xlwings)


def _run(check_only: bool, addin_version: str, addin_xlwings: str) -> None:
    # `python -c` (how RunPython starts us) puts the current folder first on sys.path, and so does xlwings'
    # prepare_sys_path for an empty PYTHONPATH setting. When Excel's current folder is the client's, a
    # docx.py or pint.py there would shadow the real package: nothing is imported from it.
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]
    from carbon_report.app.excel import run_from_excel

    run_from_excel(check_only, addin=(addin_version, addin_xlwings) if addin_version else None)

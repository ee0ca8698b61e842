"""carbon-report: 绿色低碳现代数智企业评价报告 from a company's intake workbook.

The Python API (carbon_report/api.py, docs/api.md) — `carbon_report.check(path)`, `process(path, out)` and
the result types — is imported on first use, so `import carbon_report` stays light (a worker or the CLI pays
nothing for it).

The Excel add-in's buttons: `excel_process(...)` (生成报告) and `excel_check(...)` (校验). xlwings RunPython calls
`import carbon_report; carbon_report.excel_process('<carbon-report version>', '<xlwings version>')` with the
versions the add-in was built with; they import the Excel layer only when called. Add-ins written before
these names call `main(...)` and `check(...)` with the same two version strings and keep working: `main` is
still the 生成报告 button, and `check` with version strings that name no file is the 校验 button.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

__version__ = "0.1.0"

# What the API module exports, looked up on first use (PEP 562).
_API_NAMES = frozenset({
    "process", "batch", "WorkbookResult", "BatchResult", "StageTotal", "ScopeTotal", "CategoryTotal",
    "SiteTotal", "Line", "Finding", "Company", "Intensity", "TargetResult", "HistoryYear", "BaseYearCheck",
    "Stage", "Status", "CarbonReportError", "UsageError", "PandasMissing", "TABLES",
})
# A version as the add-in's buttons write it ('0.1.0', '0.37.8', '0.38.0rc1').
_VERSION = re.compile(r"\d+(\.\d+)*([.+-]?[A-Za-z0-9]+)*")


def __getattr__(name: str) -> Any:
    if name in _API_NAMES:
        from carbon_report import api

        return getattr(api, name)
    raise AttributeError(f"module 'carbon_report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API_NAMES})


def check(*args: Any, **kwargs: Any) -> Any:
    """`carbon_report.check(path)`: validate and compute one workbook, write nothing (api.check; returns a
    WorkbookResult). Called as an add-in already installed calls it — no argument, or its version strings
    (`check('0.1.0', '0.37.8')`) that name no file — it is the 校验 button."""
    if _addin_call(args, kwargs):
        _run(True, *args)
        return None
    from carbon_report.api import check as api_check

    return api_check(*args, **kwargs)


def excel_process(addin_version: str = "", addin_xlwings: str = "") -> None:
    """The add-in's 生成报告 button: run the pipeline on the workbook open in Excel."""
    _run(False, addin_version, addin_xlwings)


def excel_check(addin_version: str = "", addin_xlwings: str = "") -> None:
    """The add-in's 校验 button: validate the open workbook only."""
    _run(True, addin_version, addin_xlwings)


def main(addin_version: str = "", addin_xlwings: str = "") -> None:
    """The 生成报告 button of add-ins written before excel_process (kept so they keep working)."""
    _run(False, addin_version, addin_xlwings)


def _addin_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """An installed add-in's call: no arguments at all, or one or two version strings, the first of which
    names no file (a workbook called '0.1.0' is still a workbook)."""
    if kwargs:
        return False
    if not args:
        return True
    return (len(args) <= 2 and all(isinstance(a, str) and (a == "" or _VERSION.fullmatch(a)) for a in args)
            and bool(args[0]) and not os.path.exists(args[0]))


def _run(check_only: bool, addin_version: str = "", addin_xlwings: str = "") -> None:
    # `python -c` (how RunPython starts us) puts the current folder first on sys.path, and so does xlwings'
    # prepare_sys_path for an empty PYTHONPATH setting. When Excel's current folder is the client's, a
    # docx.py or pint.py there would shadow the real package: nothing is imported from it.
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]
    from carbon_report.app.excel import run_from_excel

    run_from_excel(check_only, addin=(addin_version, addin_xlwings) if addin_version else None)

"""The Excel add-in (carbon_report.xlam) and what its buttons run.

    run_from_excel(check_only, book=None)   # the buttons: carbon_report.excel_process() / excel_check()
    write_addin(dir) -> Path                # `carbon-report addin DIR` (addin.py)
    install_addin(xlstart=None) -> Path     # `carbon-report addin --install`

Layers: run.py (the steps, on a LiveBook) → sheets.py (computed sheets as 2-D values) → adapter.py (the only
code that calls xlwings). xlwings is imported only when Excel calls in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["run_from_excel"]


def run_from_excel(check_only: bool, book: Any = None, *, today: dt.date | None = None,
                   platform: str | None = None, addin: tuple[str, str] | None = None) -> Any:
    """Run the pipeline on the workbook open in Excel (`book`: an xlwings Book; default
    xw.Book.caller()) and tell the user in a message box. `addin`: the (carbon-report, xlwings) versions
    the add-in was built with. Returns run.ExcelRun."""
    from carbon_report.app.excel.run import fail, one_line, run_on_book

    if book is None:
        try:
            import xlwings as xw

            book = xw.Book.caller()
        except Exception as e:  # not called from Excel, or Excel unreachable: no box to show it in
            fail(f"carbon-report: 无法连接 Excel 中的工作簿（{one_line(e)}）")
    from carbon_report.app.excel.adapter import LiveBook

    return run_on_book(LiveBook(book, platform), check_only, today=today, addin=addin)

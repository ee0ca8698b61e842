"""Loaded (through PYTHONPATH) by the Python that tests/test_excel_command_line.py starts with the exact
command line the add-in's VBA builds. There is no Excel on Linux, so the one thing replaced is what Excel
would answer: xw.Book.caller() returns a FakeBook of the workbook file in CR_TEST_BOOK, found by the name the
command line passes in --wb= as xlwings' own Book.caller() finds it. What the product shows (message boxes,
status bar) is written to CR_TEST_OUT as JSON when the process ends.
"""

import atexit
import json
import os
import sys
from pathlib import Path

sys.path.append(os.environ["CR_TEST_FAKE_DIR"])  # tests/, for excel_fake and its openpyxl reading

import xlwings  # noqa: E402

from excel_fake import FakeBook  # noqa: E402

_seen: dict = {"argv": sys.argv, "alerts": [], "status": [], "sheets": []}
_books: list = []


def _caller(cls=None):  # noqa: ANN001, ANN202
    names = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--wb=")]
    book = FakeBook(Path(os.environ["CR_TEST_BOOK"]), fullname=os.environ["CR_TEST_FULLNAME"])
    if names != [book.name]:  # xlwings finds the open workbook by this name
        raise xlwings.XlwingsError(f"no open workbook named {names}")
    _books.append(book)
    return book


xlwings.Book.caller = classmethod(_caller)

# Excel's platform decides how the copy is taken (SaveCopyAs on Windows, the saved file on macOS).
import carbon_report.app.excel.adapter as _adapter  # noqa: E402

_init = _adapter.LiveBook.__init__
_adapter.LiveBook.__init__ = lambda self, book, platform=None: _init(self, book, os.environ["CR_TEST_PLATFORM"])


@atexit.register
def _dump() -> None:
    for book in _books:
        _seen["alerts"] += book.app.alerts
        _seen["status"] += book.app.status_history
        _seen["sheets"] += [s.name for s in book.sheets]
    _seen["sys_path"] = sys.path
    _seen["executable"] = sys.executable
    _seen["modules"] = {m: getattr(sys.modules[m], "__file__", None) for m in ("docx", "pint") if m in sys.modules}
    Path(os.environ["CR_TEST_OUT"]).write_text(json.dumps(_seen, ensure_ascii=False, default=str), encoding="utf-8")

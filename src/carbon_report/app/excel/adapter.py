"""The thin xlwings layer: everything the Excel button does to the open workbook goes through LiveBook.

Only these xlwings calls are used (tests/test_excel.py checks a fake that makes exactly these against
xlwings' real signatures): Book.name, Book.fullname, Book.sheets (iterate, [index or name], .active,
.add(name=, after=)), Sheet.name, Sheet.clear(), Sheet.activate(), Sheet.range(cell[, cell2]),
Range.value, Range.number_format, Range.column_width, Book.app.alert(prompt, title=, mode=),
Book.app.status_bar (set), and Book.api
for the one thing xlwings has no call for: a copy of the workbook that leaves the open one where it is
(Windows: Excel's Workbook.SaveCopyAs; macOS: the saved file itself, see save_copy).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from carbon_report.core.errors import NeedsSave

ONEDRIVE_HINT = ("工作簿的位置是网址（OneDrive/SharePoint 同步且开启了“自动保存”），xlwings 无法把它对应到本机的同步文件夹。"
                 "请按使用说明 docs/excel.md 的“OneDrive”一节设置 ONEDRIVE_CONSUMER_WIN/MAC 等，"
                 "或把工作簿另存到本机文件夹后再点按钮。")
UNSAVED_HINT = "工作簿尚未保存到磁盘。请先保存工作簿，再点按钮。"


class LiveBook:
    def __init__(self, book: Any, platform: str | None = None) -> None:
        self.book = book
        self.platform = platform or sys.platform
        self._status: str | None = None

    @property
    def name(self) -> str:
        return str(self.book.name)

    def local_path(self) -> tuple[Path | None, str]:
        """The workbook's file on this computer, or None and why not (never saved; a OneDrive/SharePoint
        web address that xlwings cannot map to the synced folder)."""
        try:
            full = str(self.book.fullname)
        except Exception as e:  # xlwings raises XlwingsError when a OneDrive address has no local folder
            return None, f"{ONEDRIVE_HINT}（{_first_line(e)}）"
        if "://" in full:
            return None, ONEDRIVE_HINT
        path = Path(full)
        if not path.is_absolute() or not path.is_file():
            return None, UNSAVED_HINT
        return path, ""

    def save_copy(self, dest: Path) -> None:
        """Write the workbook as Excel has it now to `dest`, leaving the open workbook as it is (xlwings'
        Book.save(path) would be a Save As that moves Excel to the copy)."""
        if self.platform.startswith("win"):
            self.book.api.SaveCopyAs(str(dest))
            return
        # Excel for Mac's scripting has no SaveCopyAs; when nothing is unsaved, the file on disk is
        # exactly the open workbook, so it is copied (the open workbook is never saved by us).
        path, why = self.local_path()
        if path is None:
            raise NeedsSave(why)
        if not bool(self.book.api.saved.get()):
            raise NeedsSave("工作簿有未保存的修改。请先保存（⌘S），再点按钮：在 Mac 上读取的是已保存的文件。")
        shutil.copyfile(path, dest)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def active_sheet_name(self) -> str:
        return str(self.book.sheets.active.name)

    def write_sheet(self, name: str, values: list[list[Any]], *, first_data_row: int,
                    number_formats: dict[int, str], widths: Sequence[float]) -> None:
        """Replace sheet `name` (created after the last sheet if missing, else cleared) by `values` in one
        2-D write from A1; then number formats by column over the data rows, and column widths."""
        sheets = self.book.sheets
        names = [s.name for s in sheets]
        if name in names:
            sheet = sheets[name]
            sheet.clear()
        else:
            sheet = sheets.add(name=name, after=sheets[len(names) - 1])
        sheet.range("A1").value = values
        last_row = len(values)
        if last_row >= first_data_row:
            for col, fmt in number_formats.items():
                sheet.range((first_data_row, col + 1), (last_row, col + 1)).number_format = fmt
        for col, width in enumerate(widths):
            sheet.range((1, col + 1)).column_width = width

    def activate(self, name: str) -> None:
        self.book.sheets[name].activate()

    def status(self, text: str | None) -> None:
        """Excel's status bar line, or None to give the status bar back to Excel."""
        if text == self._status:
            return
        self._status = text
        with contextlib.suppress(Exception):  # feedback only: a status bar Excel refuses must not end the run
            self.book.app.status_bar = text if text else False

    def alert(self, text: str, title: str, critical: bool = False) -> None:
        self.book.app.alert(text, title=title, mode="critical" if critical else "info")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__

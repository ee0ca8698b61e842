"""FakeBook: an in-memory stand-in for a workbook open in Excel, offering exactly the xlwings calls
adapter.LiveBook makes, with xlwings' real signatures (tests/test_excel.py checks them against xlwings).

Used in-process by the Excel tests and, through excel_sitecustomize.py, by the tests that run the command
line the add-in's VBA builds in a real Python subprocess.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from lxml import etree

# ---- FakeBook: the xlwings calls LiveBook makes, nothing more ----------------------------------------------


def _coords(a1: str) -> tuple[int, int]:
    col, row = openpyxl.utils.cell.coordinate_from_string(a1)
    return row, openpyxl.utils.column_index_from_string(col)


class FakeRange:
    def __init__(self, sheet: FakeSheet, cell1: str | tuple[int, int], cell2: str | tuple[int, int] | None = None):
        self.sheet = sheet
        self.top_left = _coords(cell1) if isinstance(cell1, str) else cell1
        end = cell2 if cell2 is not None else cell1
        self.bottom_right = _coords(end) if isinstance(end, str) else end

    @property
    def value(self) -> Any:
        return self.sheet.cells.get(self.top_left)

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.writes += 1
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        if len({len(r) for r in rows}) > 1:
            raise ValueError("ragged 2-D write")
        r0, c0 = self.top_left
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(r0 + i, c0 + j)] = v

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get(self.top_left, "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r in range(self.top_left[0], self.bottom_right[0] + 1):
            for c in range(self.top_left[1], self.bottom_right[1] + 1):
                self.sheet.formats[(r, c)] = fmt

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.top_left[1], 8.43)

    @column_width.setter
    def column_width(self, width: float) -> None:
        for c in range(self.top_left[1], self.bottom_right[1] + 1):
            self.sheet.widths[c] = width


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, cells: dict[tuple[int, int], Any] | None = None) -> None:
        self.book = book
        self._name = name
        self.cells: dict[tuple[int, int], Any] = dict(cells or {})
        self.formats: dict[tuple[int, int], str] = {}
        self.widths: dict[int, float] = {}
        self.writes = 0
        self.clears = 0

    @property
    def name(self) -> str:
        return self._name

    def range(self, cell1: str | tuple[int, int], cell2: str | tuple[int, int] | None = None) -> FakeRange:
        return FakeRange(self, cell1, cell2)

    def clear(self) -> None:
        self.clears += 1
        self.cells.clear()
        self.formats.clear()

    def activate(self) -> None:
        self.book.sheets._active = self

    def grid(self) -> list[list[Any]]:
        if not self.cells:
            return []
        rows = max(r for r, _ in self.cells)
        cols = max(c for _, c in self.cells)
        return [[self.cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []
        self._active: FakeSheet | None = None

    def __iter__(self):  # noqa: ANN204
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    @property
    def active(self) -> FakeSheet:
        assert self._active is not None
        return self._active

    def add(self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        if name is not None and name.lower() in (s.name.lower() for s in self):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = FakeSheet(self.book, name or f"Sheet{len(self._sheets) + 1}")
        index = len(self._sheets)
        if after is not None:
            index = self._sheets.index(after) + 1
        elif before is not None:
            index = self._sheets.index(before)
        self._sheets.insert(index, sheet)
        self._active = sheet  # as in Excel: a new sheet becomes the active one
        return sheet


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.status_history: list[str | bool] = []  # every value the status bar was set to, in order

    @property
    def status_bar(self) -> str | bool:
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.status_history.append(value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str | None:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return "ok"


class _Saved:
    def __init__(self, api: FakeApi) -> None:
        self.api = api

    def get(self) -> bool:  # appscript: book.api.saved.get()
        return self.api.Saved


class FakeApi:
    """Book.api: Excel's own object (Windows: COM Workbook; macOS: appscript reference)."""

    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self.Saved = True
        self.saved = _Saved(self)
        self.copies: list[str] = []

    def SaveCopyAs(self, path: str) -> None:  # noqa: N802 (Excel's name)
        self.copies.append(path)
        shutil.copyfile(self.book.disk_file, path)


class FakeBook:
    """A workbook open in "Excel": its input sheets hold the file's values."""

    def __init__(self, path: Path, fullname: str | None = None) -> None:
        self.disk_file = path
        self._name = path.name
        self._fullname = str(path) if fullname is None else fullname
        self.app = FakeApp()
        self.api = FakeApi(self)
        self.sheets = FakeSheets(self)
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
            self.sheets._sheets.append(FakeSheet(self, ws.title, cells))
        self.sheets._active = self.sheets._sheets[0]

    @property
    def name(self) -> str:
        return self._name

    @property
    def fullname(self) -> str:
        if isinstance(self._fullname, Exception):
            raise self._fullname
        return self._fullname


# ---- the add-in file as xlwings' VBA reads it ---------------------------------------------------------------


def settings_of(addin: Path) -> dict[str, str]:
    """The add-in's settings sheet as xlwings' VBA reads it: the sheet named carbon_report.conf, A → B."""
    with zipfile.ZipFile(addin) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                   for s in wb.iter(f"{main}sheet") if s.get("name") == "carbon_report.conf")
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        sheet = etree.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))
    rows = {}
    for row in sheet.iter(f"{main}row"):
        cells = ["".join(c.itertext()) for c in row.iter(f"{main}c")]
        rows[cells[0]] = cells[1]
    return rows

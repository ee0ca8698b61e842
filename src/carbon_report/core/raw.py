"""What a reader hands to validation: every value of the workbook with its sheet and cell, judged not yet.

io/reader.py fills these from openpyxl; core/validate reads them. They live in core so that validation
never needs to know how a workbook is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_report.core.model import CellRef, Finding


@dataclass(frozen=True, slots=True)  # one per cell read: slots keep a 20,000-row workbook's cells small
class RawCell:
    value: Any
    ref: CellRef
    number_format: str = "General"
    problem: str | None = None  # "error:#DIV/0!" or "uncached-formula"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row. Only cells holding something are stored (`filled`); a blank cell is made when asked
    for, with its own reference: a 20,000-row sheet of 30 columns, mostly blank, held ~140 MB of blank cells."""

    row: int
    filled: dict[str, RawCell]  # column key → cell with a value or a problem
    hidden: bool = False
    sheet: str = ""
    letters: dict[str, str] = field(default_factory=dict)  # every column key of the sheet → its letter

    @property
    def cells(self) -> dict[str, RawCell]:
        """Column key → cell, for every column the sheet has, blanks included."""
        return {k: self.filled.get(k) or RawCell(None, CellRef(self.sheet, f"{letter}{self.row}"))
                for k, letter in self.letters.items()} if self.letters else dict(self.filled)

    def cell(self, key: str) -> RawCell | None:
        """The cell of column `key` (a blank one when nothing is in it); None when the sheet has no such column."""
        c = self.filled.get(key)
        if c is not None or key not in self.letters:
            return c
        return RawCell(None, CellRef(self.sheet, f"{self.letters[key]}{self.row}"))

    def value(self, key: str) -> Any:
        c = self.filled.get(key)
        return None if c is None else c.value

    def ref(self, key: str) -> CellRef | None:
        c = self.filled.get(key)
        if c is not None:
            return c.ref
        letter = self.letters.get(key)
        return None if letter is None else CellRef(self.sheet, f"{letter}{self.row}")


@dataclass(frozen=True)
class RawTable:
    sheet: str
    header_row: int
    columns: dict[str, str]  # column key → column letter
    rows: tuple[RawRow, ...]


@dataclass
class RawWorkbook:
    name: str  # the file's name, for messages
    folder: Path | None  # where relative picture paths start
    sheet_names: list[str]
    labels: dict[str, RawCell] = field(default_factory=dict)  # label key → its value cell
    label_cells: dict[str, CellRef] = field(default_factory=dict)  # label key → the label's own cell
    tables: dict[str, RawTable] = field(default_factory=dict)  # sheet name → table
    findings: list[Finding] = field(default_factory=list)  # shape problems: missing sheets, columns


def column_number(letters: str) -> int:
    """'A' → 1, 'AB' → 28: column order without a spreadsheet library."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n

"""What a reader hands to validation: every value of the workbook with its sheet and cell, judged not yet.

io/reader.py fills these from openpyxl; core/validate reads them. They live in core so that validation
never needs to know how a workbook is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_report.core.model import CellRef, Finding


@dataclass(frozen=True)
class RawCell:
    value: Any
    ref: CellRef
    number_format: str = "General"
    problem: str | None = None  # "error:#DIV/0!" or "uncached-formula"


@dataclass(frozen=True)
class RawRow:
    row: int
    cells: dict[str, RawCell]  # column key → cell (every column the sheet has, blanks included)
    hidden: bool = False

    def value(self, key: str) -> Any:
        c = self.cells.get(key)
        return None if c is None else c.value

    def ref(self, key: str) -> CellRef | None:
        c = self.cells.get(key)
        return None if c is None else c.ref


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

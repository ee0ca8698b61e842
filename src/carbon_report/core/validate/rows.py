"""Shared row handling: findings said once, rows to read (合计 and 注 rows skipped), cell addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import CellRef, Finding, Stage
from carbon_report.core.raw import RawCell, RawRow, RawTable, RawWorkbook, column_number
from carbon_report.core.values import fold_text, parse_percent, text_of

_NOTE_ROW = re.compile(r"^注(\s*$|\s*[:：0-9１-９一二三四五①②③])")


@dataclass
class Findings:
    items: list[Finding] = field(default_factory=list)
    _seen: set[Finding] = field(default_factory=set)

    def add(self, finding: Finding) -> None:
        if finding not in self._seen:  # one cell, one problem, said once (a factor used by many rows)
            self._seen.add(finding)
            self.items.append(finding)

    def error(self, ref: CellRef, code: Code, /, **fields: object) -> None:
        """An E- code's finding on `ref`, its text the catalogue's template filled with `fields`."""
        assert code.severity == "error", code
        self.add(Finding.of(code, ref, **fields))

    def warn(self, ref: CellRef, code: Code, /, **fields: object) -> None:
        assert code.severity == "warning", code
        self.add(Finding.of(code, ref, **fields))

    def row_ok(self, row: RawRow) -> bool:
        """Every cell of the row checked (each problem reported, not just the first)."""
        oks = [self.cell_ok(c) for c in row.filled.values()]  # a blank cell has no problem
        return all(oks)

    def cell_ok(self, cell: RawCell | None) -> bool:
        """False (with a finding) for an Excel error value or a formula Excel never calculated."""
        if cell is None or not cell.problem:
            return True
        if cell.problem == "uncached-formula":
            self.error(cell.ref, Code.E_FORMULA_UNCACHED)
        else:
            self.error(cell.ref, Code.E_CELL_ERROR, value=cell.problem.split(":", 1)[1])
        return False


def data_rows(table: RawTable, f: Findings, name_key: str, stage_key: str | None = None):
    """Rows to read: 合计/小计/总计 rows and notes (注…) are skipped with a warning."""
    for row in table.rows:
        name = squash(row.value(name_key))
        first_cell = next((c for c in _in_column_order(row, table) if not blank_value(c.value)), None)
        first = squash(first_cell.value) if first_cell else ""
        where = first_cell.ref if first_cell else CellRef(table.sheet, f"A{row.row}")
        if name in contract.TOTAL_ROW_NAMES or first in contract.TOTAL_ROW_NAMES:
            if name in contract.TOTAL_ROW_NAMES:
                where = ref(row, table, name_key)
            f.warn(where, Code.W_TOTAL_ROW_SKIPPED, row=row.row)
            continue
        if first_cell is not None and _NOTE_ROW.match(fold_text(first_cell.value)):
            f.warn(where, Code.W_NOTE_ROW_SKIPPED, row=row.row)
            continue
        if row.hidden:
            f.warn(where, Code.W_HIDDEN_ROW, row=row.row)
        yield row


def squash(value: object) -> str:
    """Text without any spaces or a trailing colon, for matching words such as 合计 or 小 计："""
    return "".join(fold_text(text_of(value)).split()).rstrip(":：")


def blank_value(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _in_column_order(row: RawRow, table: RawTable) -> list[RawCell]:
    order = sorted(table.columns, key=lambda k: column_number(table.columns[k]))
    cells = row.cells
    return [cells[k] for k in order if k in cells]


def ref(row: RawRow, table: RawTable, key: str) -> CellRef:
    r = row.ref(key)
    if r is not None:
        return r
    return CellRef(table.sheet, f"A{row.row}")


def percent_cell(cell: RawCell, f: Findings, label: str, code: Code, *, zero_ok: bool = True) -> float | None:
    """A percentage cell (8, 8 %, or 0.08 formatted as a percentage) as a number 0–100, or None with an error.
    Every percentage of the contract goes through here, so all read the same and warn the same."""
    pp = parse_percent(cell.value, cell.number_format)
    low_ok = (pp.pct >= 0) if zero_ok else (pp.pct > 0)
    if not pp.ok or not low_ok or pp.pct > 100:
        f.error(cell.ref, code, label=label, value=text_of(cell.value))
        return None
    if pp.fraction_warning:
        f.warn(cell.ref, Code.W_PERCENT_FRACTION,
               label=label, value=text_of(cell.value), pct=f"{pp.pct:g}", pct100=f"{pp.pct * 100:g}")
    return pp.pct


def checked_rows(raw: RawWorkbook, spec: contract.TableSheet, f: Findings,
                 name_key: str) -> tuple[RawTable, list[RawRow]] | None:
    """One input table's rows to read: 合计/注 rows skipped (a warning each), and rows holding an Excel error
    value or an uncalculated formula left out (an error each). None when the workbook has no such sheet."""
    table = raw.tables.get(spec.name)
    if table is None:
        return None
    return table, [r for r in data_rows(table, f, name_key=name_key) if f.row_ok(r)]


def stage_of(row: RawRow, table: RawTable, f: Findings) -> tuple[Stage | None, bool]:
    """The row's 阶段 (None when blank); False, with an error on the cell, when it names no stage."""
    st = text_of(row.value("stage"))
    if not st:
        return None, True
    stage = Stage.parse(st)
    if stage is None:
        f.error(ref(row, table, "stage"), Code.E_STAGE_UNKNOWN, value=st)
        return None, False
    return stage, True

"""Read an intake workbook with openpyxl into plain data, every value with its sheet and cell.

The reader finds tables and labels by text as the contract says, never by position, and reads only the
columns the contract names. Values are what Excel last calculated (data_only). It judges nothing except
the workbook's shape (missing sheets and columns); validate.py judges the values.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report import contract
from carbon_report.filecheck import UnreadableWorkbook, check_workbook_file
from carbon_report.model import CellRef, Finding
from carbon_report.values import header_key

HEADER_SEARCH_ROWS = 10
MAX_TABLE_ROWS = 100_000


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


def read_workbook(path: Path) -> RawWorkbook:
    """Raise UnreadableWorkbook for a file that is not a workbook; otherwise read what is there."""
    check_workbook_file(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False, keep_links=False)
    except UnreadableWorkbook:
        raise
    except Exception as e:  # openpyxl raises a zoo of types for damaged parts (field notes list six)
        raise UnreadableWorkbook("E-FILE-CORRUPT", f"工作簿已损坏，无法读取（{type(e).__name__}）") from None
    formulas = _uncached_formulas(path) if _has_formulas(path) else set()
    try:
        return read_loaded(wb, path.name, path.parent, formulas)
    finally:
        wb.close()


def read_loaded(wb: openpyxl.Workbook, name: str, folder: Path | None,
                uncached: set[tuple[str, str]] | None = None) -> RawWorkbook:
    raw = RawWorkbook(name=name, folder=folder, sheet_names=list(wb.sheetnames))
    ctx = _Sheets(wb, uncached or set())
    if contract.COMPANY_SHEET in wb.sheetnames:
        _read_labels(ctx, wb[contract.COMPANY_SHEET], raw)
    else:
        raw.findings.append(Finding("error", contract.COMPANY_SHEET, "A1", "E-SHEET-MISSING",
                                    f"缺少工作表“{contract.COMPANY_SHEET}”"))
    for spec in contract.TABLE_SHEETS:
        if spec.name not in wb.sheetnames:
            if spec.required_sheet:
                raw.findings.append(Finding("error", spec.name, "A1", "E-SHEET-MISSING", f"缺少工作表“{spec.name}”"))
            continue
        table = _read_table(ctx, wb[spec.name], spec, raw.findings)
        if table is not None:
            raw.tables[spec.name] = table
    return raw


class _Sheets:
    def __init__(self, wb: openpyxl.Workbook, uncached: set[tuple[str, str]]) -> None:
        self.wb = wb
        self.uncached = uncached

    def cell(self, ws: Worksheet, row: int, col: int, merged: dict[tuple[int, int], tuple[int, int]]) -> RawCell:
        src = merged.get((row, col), (row, col))
        # ws._cells holds only cells that exist; ws.cell() would create empty ones across a huge range.
        c = ws._cells.get(src)  # noqa: SLF001
        coord = f"{get_column_letter(col)}{row}"
        ref = CellRef(ws.title, coord)
        if c is None:
            return RawCell(None, ref)
        value, problem = c.value, None
        if c.data_type == "e" or (isinstance(value, str) and value.startswith("#") and value in _EXCEL_ERRORS):
            problem, value = f"error:{value}", None
        elif value is None and (ws.title, f"{get_column_letter(src[1])}{src[0]}") in self.uncached:
            problem = "uncached-formula"
        return RawCell(value, ref, c.number_format or "General", problem)


_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!",
                 "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


def _merged_map(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        if (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1) > 100_000:
            continue  # a merge over a whole column carries no table values worth the memory
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    out[(r, c)] = (rng.min_row, rng.min_col)
    return out


def _present_rows(ws: Worksheet) -> list[int]:
    return sorted({r for (r, _c) in ws._cells})  # noqa: SLF001


def _read_labels(ctx: _Sheets, ws: Worksheet, raw: RawWorkbook) -> None:
    wanted = {header_key(lab.text): lab for lab in contract.LABELS}
    merged = _merged_map(ws)
    merged_right_edge: dict[tuple[int, int], int] = {}
    for rng in ws.merged_cells.ranges:
        merged_right_edge[(rng.min_row, rng.min_col)] = rng.max_col
    for (r, c) in sorted(ws._cells, key=lambda rc: (rc[0], rc[1])):  # noqa: SLF001
        v = ws._cells[(r, c)].value  # noqa: SLF001
        if not isinstance(v, str):
            continue
        lab = wanted.get(header_key(v))
        if lab is None or lab.key in raw.labels:
            continue
        right = merged_right_edge.get((r, c), c) + 1
        raw.labels[lab.key] = ctx.cell(ws, r, right, merged)
        raw.label_cells[lab.key] = CellRef(ws.title, f"{get_column_letter(c)}{r}")


def _read_table(ctx: _Sheets, ws: Worksheet, spec: contract.TableSheet, findings: list[Finding]) -> RawTable | None:
    known = {header_key(c.header): c.key for c in spec.columns}
    required = {header_key(h) for h in spec.required_headers}
    best: tuple[int, int, dict[str, int]] | None = None  # (score, row, key → col)
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        cols: dict[str, int] = {}
        for c in range(1, min(ws.max_column, 200) + 1):
            cell = ws._cells.get((r, c))  # noqa: SLF001
            if cell is None or cell.value is None:
                continue
            key = known.get(header_key(cell.value))
            if key and key not in cols:
                cols[key] = c
        has_required = required <= {header_key(spec.column(k).header) for k in cols}
        score = (1000 if has_required else 0) + len(cols)
        if cols and (best is None or score > best[0]):
            best = (score, r, cols)
    if best is None or best[0] < 1000:
        row = best[1] if best else 1
        present = set(best[2]) if best else set()
        for col in spec.columns:
            if col.required and col.key not in present:
                findings.append(Finding("error", ws.title, f"A{row}", "E-COLUMN-MISSING",
                                        f"工作表“{ws.title}”缺少必填列“{col.header}”（在前 {HEADER_SEARCH_ROWS} 行中未找到）"))
        return None
    _, header_row, cols = best
    if ws.max_row - header_row > MAX_TABLE_ROWS:
        # The declared extent, not the cells: a stray cell at row 1,048,576 is enough to make this huge.
        rows_present = [r for r in _present_rows(ws) if r > header_row]
        if len(rows_present) > MAX_TABLE_ROWS:
            findings.append(Finding("error", ws.title, f"A{header_row}", "E-SHEET-TOO-LARGE",
                                    f"工作表“{ws.title}”数据行超过 {MAX_TABLE_ROWS} 行，无法处理"))
            return None
    merged = _merged_map(ws)
    merged_rows = {r for (r, _c) in merged}
    rows: list[RawRow] = []
    for r in sorted(set(_present_rows(ws)) | merged_rows):
        if r <= header_row:
            continue
        cells = {key: ctx.cell(ws, r, c, merged) for key, c in cols.items()}
        if all(_blank(cell) for cell in cells.values()):
            continue
        dim = ws.row_dimensions.get(r) if r in ws.row_dimensions else None
        rows.append(RawRow(r, cells, hidden=bool(dim is not None and dim.hidden)))
    return RawTable(ws.title, header_row, {k: get_column_letter(c) for k, c in cols.items()}, tuple(rows))


def _blank(cell: RawCell) -> bool:
    if cell.problem:
        return False
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _has_formulas(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        if b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk or b":f " in chunk:
                            return True
    return False


def _uncached_formulas(path: Path) -> set[tuple[str, str]]:
    """Cells holding a formula that Excel never calculated (a <f> without a <v>): data_only shows them as
    blank, so they are found in the sheet XML itself, streamed, without entity expansion."""
    out: set[tuple[str, str]] = set()
    with zipfile.ZipFile(path) as z:
        for title, part in _sheet_parts(z).items():
            if title in contract.COMPUTED_SHEETS or part not in z.namelist():
                continue
            with z.open(part) as f:
                for _ev, el in etree.iterparse(f, events=("end",), tag=f"{{{_MAIN}}}c", resolve_entities=False,
                                               no_network=True, huge_tree=False):
                    v = el.find(f"{{{_MAIN}}}v")
                    if el.find(f"{{{_MAIN}}}f") is not None and (v is None or not v.text):
                        out.add((title, el.get("r", "")))
                    el.clear()
    return out


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its part name inside the package."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    wb = etree.fromstring(z.read("xl/workbook.xml"), parser)
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), parser)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG_REL}}}Relationship")}
    out = {}
    for sh in wb.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sh.get(f"{{{_REL}}}id"), "")
        out[sh.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out

"""Read an intake workbook with openpyxl into plain data, every value with its sheet and cell.

The reader finds tables and labels by text as the contract says, never by position, and reads only the
columns the contract names. Values are what Excel last calculated (data_only). It judges nothing except
the workbook's shape (missing sheets and columns); validate.py judges the values.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report.core import contract
from carbon_report.core.findings import Code
from carbon_report.core.model import CellRef, Finding
from carbon_report.core.raw import RawCell, RawRow, RawTable, RawWorkbook
from carbon_report.core.values import header_key
from carbon_report.io.filecheck import MAX_FILE_BYTES, UnreadableWorkbook, check_workbook_file
from carbon_report.io.package import BAD_ZIP, NS, Package, rels_part

HEADER_SEARCH_ROWS = 10
MAX_TABLE_ROWS = 100_000
MAX_MERGED_CELLS = 100_000  # every merged cell costs openpyxl an object: 100,000 take about a second
# Rows holding data, all input tables together. Measured (benchmarks/adversarial.py, `process` with the report,
# peak RSS of the command): 3,000 activity rows ≈ 270 MB, 20,000 rows 1.18 GB in about 21 s; issue 12 wants
# 20,000 rows processed, so the bound sits above that, within a batch worker's 3 GiB address space, and a
# 30,000-row workbook (≈ 1.6–1.8 GB) is refused with one line before openpyxl loads it (issue 19).
MAX_DATA_ROWS = 25_000
_TABLE_SHEET_NAMES = frozenset(spec.name for spec in contract.TABLE_SHEETS)
# The sheets the contract reads. Any other sheet (填写说明, 因子库, the client's own) is never parsed: an
# 8 MB 填写说明 of 300,000 rows took 100 s and 690 MB to load, for nothing.
READ_SHEETS = _TABLE_SHEET_NAMES | {contract.COMPANY_SHEET}


class _ContractSheetsReader(ExcelReader):
    """openpyxl's reader, parsing only the READ_SHEETS; every other sheet becomes an empty sheet of the same
    name, state and place, so the sheet names and the indices defined names refer to are unchanged."""

    def read_worksheets(self) -> None:
        find_sheets = self.parser.find_sheets

        def wanted() -> Iterator[tuple[Any, Any]]:
            for sheet, rel in find_sheets():
                if sheet.name in READ_SHEETS:
                    yield sheet, rel
                elif rel.target in self.valid_files:
                    self.wb.create_sheet(sheet.name).sheet_state = sheet.state

        self.parser.find_sheets = wanted  # type: ignore[method-assign]
        try:
            super().read_worksheets()
        finally:
            del self.parser.find_sheets


def _load_contract_sheets(package: Package) -> openpyxl.Workbook:
    """openpyxl.load_workbook(data_only=True, keep_links=False) of the package's bytes (never the path again:
    what was checked is what is parsed), parsing only the READ_SHEETS."""
    reader = _ContractSheetsReader(io.BytesIO(package.data), read_only=False, keep_vba=False, data_only=True,
                                   keep_links=False)
    reader.read()
    return reader.wb


def read_workbook(path: Path) -> RawWorkbook:
    """Raise UnreadableWorkbook for a file that is not a workbook; otherwise read what is there."""
    package = check_workbook_file(path)
    uncached = scan_package(package)  # before openpyxl: it expands merged ranges cell by cell
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported and will be removed" and its kin concern saving;
            # the input is never saved (workbook_writer copies its parts untouched).
            warnings.simplefilter("ignore", UserWarning)
            wb = _load_contract_sheets(package)
    except Exception as e:  # openpyxl raises a zoo of types for damaged parts (field notes list six)
        if _caused_by(e, DefusedXmlException):  # openpyxl wraps it in a ValueError
            raise UnreadableWorkbook(Code.E_FILE_XML_ENTITY) from None
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, error=type(e).__name__) from None
    try:
        return read_loaded(wb, path.name, path.parent, uncached)
    finally:
        wb.close()


def _caused_by(e: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, kind):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def read_loaded(wb: openpyxl.Workbook, name: str, folder: Path | None,
                uncached: set[tuple[str, str]] | None = None) -> RawWorkbook:
    raw = RawWorkbook(name=name, folder=folder, sheet_names=list(wb.sheetnames))
    ctx = _Sheets(wb, uncached or set())
    if _worksheet(wb, contract.COMPANY_SHEET, raw) is not None:
        _read_labels(ctx, wb[contract.COMPANY_SHEET], raw)
    elif contract.COMPANY_SHEET not in wb.sheetnames:
        raw.findings.append(Finding.of(Code.E_SHEET_MISSING, CellRef(contract.COMPANY_SHEET, "A1"),
                                       sheet=contract.COMPANY_SHEET))
    for spec in contract.TABLE_SHEETS:
        if spec.name not in wb.sheetnames:
            if spec.required_sheet:
                raw.findings.append(Finding.of(Code.E_SHEET_MISSING, CellRef(spec.name, "A1"), sheet=spec.name))
            continue
        ws = _worksheet(wb, spec.name, raw)
        if ws is None:
            continue
        table = _read_table(ctx, ws, spec, raw.findings)
        if table is not None:
            raw.tables[spec.name] = table
    return raw


def _worksheet(wb: openpyxl.Workbook, name: str, raw: RawWorkbook) -> Worksheet | None:
    """The sheet of that name when it is a grid of cells; a chart sheet of that name is an error."""
    if name not in wb.sheetnames:
        return None
    ws = wb[name]
    if isinstance(ws, Worksheet):
        return ws
    raw.findings.append(Finding.of(Code.E_SHEET_NOT_GRID, CellRef(name, "A1"), sheet=name))
    return None


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
        elif (ws.title, f"{get_column_letter(src[1])}{src[0]}") in self.uncached:
            # No cached value, or a placeholder that no spreadsheet program computed (never_calculated)
            problem, value = "uncached-formula", None
        return RawCell(value, ref, c.number_format or "General", problem)


_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!",
                 "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


def _merged_map(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        if (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1) + len(out) > MAX_MERGED_CELLS:
            continue  # scan_package refuses such files; this guards workbooks built in memory
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
    known = {header_key(h): c.key for c in spec.columns for h in (c.header, *c.aliases)}
    required = {header_key(h) for h in spec.required_headers}
    best: tuple[int, int, dict[str, int]] | None = None  # (score, row, key → col)
    # The cells that exist in the first rows, in column order, however far right (a header in column 300
    # is found): no lookup per empty column up to XFD.
    top = sorted(rc for rc in ws._cells if rc[0] <= HEADER_SEARCH_ROWS)  # noqa: SLF001
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        cols: dict[str, int] = {}
        for c in (c for (row, c) in top if row == r):
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
                findings.append(Finding.of(Code.E_COLUMN_MISSING, CellRef(ws.title, f"A{row}"), sheet=ws.title,
                                           column=col.header, rows=HEADER_SEARCH_ROWS))
        return None
    _, header_row, cols = best
    if ws.max_row - header_row > MAX_TABLE_ROWS:
        # The declared extent, not the cells: a stray cell at row 1,048,576 is enough to make this huge.
        rows_present = [r for r in _present_rows(ws) if r > header_row]
        if len(rows_present) > MAX_TABLE_ROWS:
            findings.append(Finding.of(Code.E_SHEET_TOO_LARGE, CellRef(ws.title, f"A{header_row}"), sheet=ws.title,
                                       limit=MAX_TABLE_ROWS))
            return None
    merged = _merged_map(ws)
    merged_rows = {r for (r, _c) in merged}
    rows: list[RawRow] = []
    letters = {k: get_column_letter(c) for k, c in cols.items()}
    for r in sorted(set(_present_rows(ws)) | merged_rows):
        if r <= header_row:
            continue
        cells = {key: ctx.cell(ws, r, c, merged) for key, c in cols.items()}
        if all(_blank(cell) for cell in cells.values()):
            continue
        filled = {k: c for k, c in cells.items() if c.value is not None or c.problem is not None}
        dim = ws.row_dimensions.get(r) if r in ws.row_dimensions else None
        rows.append(RawRow(r, filled, hidden=bool(dim is not None and dim.hidden), sheet=ws.title, letters=letters))
    return RawTable(ws.title, header_row, letters, tuple(rows))


def _blank(cell: RawCell) -> bool:
    if cell.problem:
        return False
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


_MAIN = NS.MAIN
_PROLOG_BYTES = 16 * 1024


def scan_package(package: Package) -> set[tuple[str, str]]:
    """One streamed pass over the package before openpyxl parses it.

    Refuses XML with a DOCTYPE (entity expansion) and sheets whose merged ranges cover more than
    MAX_MERGED_CELLS cells (openpyxl creates an object for every merged cell: one merge over A1:XFD1048576
    in a 5 KB file would never finish). Returns the cells holding a formula that Excel never calculated
    (a <f> without a cached <v>): data_only shows them as blank, so only the sheet XML tells.
    """
    try:
        for info in package.infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with package.stream(info.filename) as f:
                    prolog = f.read(_PROLOG_BYTES)
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise UnreadableWorkbook(Code.E_FILE_XML_ENTITY)
        parts = _sheet_parts(package)
        merged_total = 0
        data_rows = [0]  # rows holding data in the input tables so far
        uncached: set[tuple[str, str]] = set()
        cached: set[tuple[str, str]] = set()
        for title, part in parts.items():
            if not package.has(part) or title not in READ_SHEETS:  # the others are never parsed
                continue
            merged_total = _scan_sheet(package, part, title, merged_total, uncached, data_rows, cached)
        if cached and never_calculated(package):
            uncached |= cached
        return uncached
    except UnreadableWorkbook:
        raise
    except etree.XMLSyntaxError as e:
        if "entity" in str(e).lower():
            raise UnreadableWorkbook(Code.E_FILE_XML_ENTITY) from None
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, error=type(e).__name__) from None
    except (KeyError, zlib.error, OSError, *BAD_ZIP) as e:
        raise UnreadableWorkbook(Code.E_FILE_CORRUPT, error=type(e).__name__) from None


# Evaluated once per row (in C), not once per cell in Python: the pre-scan costs about half as much.
_NS = {"m": _MAIN}
_FORMULA_CELLS = etree.XPath("m:c[m:f]", namespaces=_NS)
_ROW_HAS_DATA = etree.XPath("boolean(m:c/m:v | m:c/m:is)", namespaces=_NS)


def _scan_sheet(package: Package, part: str, title: str, merged_total: int,
                uncached: set[tuple[str, str]], data_rows: list[int], cached: set[tuple[str, str]]) -> int:
    merge_tag, row_tag = f"{{{_MAIN}}}mergeCell", f"{{{_MAIN}}}row"
    read_formulas = title not in contract.ALL_COMPUTED_SHEETS
    count_rows = title in _TABLE_SHEET_NAMES
    with package.stream(part) as f:
        for _ev, el in etree.iterparse(f, events=("end",), tag=(merge_tag, row_tag),
                                       resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False):
            if el.tag == row_tag:
                if read_formulas:
                    for cell in _FORMULA_CELLS(el):
                        (uncached if _uncached(cell) else cached).add((title, cell.get("r", "")))
                if count_rows and _ROW_HAS_DATA(el):
                    data_rows[0] += 1
                    if data_rows[0] > MAX_DATA_ROWS:
                        raise UnreadableWorkbook(Code.E_FILE_TOO_MANY_ROWS, limit=f"{MAX_DATA_ROWS:,}", sheet=title,
                                                 row=el.get("r", "?"))
                el.clear()
                while el.getprevious() is not None:  # keep memory flat on long sheets
                    del el.getparent()[0]
            else:
                merged_total += _range_size(el.get("ref", ""))
                if merged_total > MAX_MERGED_CELLS:
                    raise UnreadableWorkbook(Code.E_FILE_MERGED_TOO_LARGE, sheet=title, limit=f"{MAX_MERGED_CELLS:,}")
    return merged_total


# Programs that calculate formulas when they save, as docProps/app.xml names them. Excel writes an
# <AppVersion> beside its name; openpyxl writes "Microsoft Excel Compatible / Openpyxl" and none.
_SPREADSHEETS = ("libreoffice", "openoffice", "wps", "kingsoft", "金山")
_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]*)</(?:\w+:)?Application>")
_APP_VERSION = re.compile(rb"<(?:\w+:)?AppVersion>[^<]+</(?:\w+:)?AppVersion>")
# "Calculate everything when the file is opened": the writer says its stored results are not results.
# xlsxwriter and openpyxl set it (xlsxwriter also names itself "Microsoft Excel", AppVersion 12.0000);
# Excel and LibreOffice do not write it when they save.
_FULL_CALC_ON_LOAD = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=\"(?:1|true)\"")


def never_calculated(package: Package) -> bool:
    """True when no spreadsheet program has calculated this package: no calcChain.xml (Excel writes one for
    any workbook with formulas) and either the workbook asks for a full calculation on load or
    docProps/app.xml names no spreadsheet program. Writers such as xlsxwriter store 0 as every formula's
    "cached" result, which would silently read as an amount of 0 (issue 12)."""
    if any(n.lower().endswith("calcchain.xml") for n in package.names):
        return False
    workbook_part = package.main_part()
    if package.has(workbook_part) and _FULL_CALC_ON_LOAD.search(package.part(workbook_part)):
        return True
    try:
        app = package.part("docProps/app.xml")[:_PROLOG_BYTES]
    except KeyError:
        return True
    m = _APPLICATION.search(app)
    name = m.group(1).decode("utf-8", "replace").strip().lower() if m else ""
    if any(s in name for s in _SPREADSHEETS):
        return False
    return not ("excel" in name and "compatible" not in name and _APP_VERSION.search(app))


def _uncached(c: etree._Element) -> bool:
    v = c.find(f"{{{_MAIN}}}v")
    if v is None:
        return True
    # Excel writes <v></v> for a formula whose result is the empty string (t="str"); openpyxl writes an
    # empty <v/> with no type for every formula it stores, which Excel has never calculated.
    return not (v.text or "") and c.get("t") not in ("str", "s", "inlineStr")


def _range_size(ref: str) -> int:
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0
    if None in (min_col, min_row, max_col, max_row):
        return 0
    return (max_row - min_row + 1) * (max_col - min_col + 1)  # type: ignore[operator]


def _sheet_parts(package: Package) -> dict[str, str]:
    """Sheet title → its part name inside the package, through the main part _rels/.rels names."""
    wb_part = package.main_part()
    wb = package.xml(wb_part)
    targets = {r.id: r.part for r in package.relationships(wb_part) if not r.external}
    out = {}
    for sh in wb.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sh.get(f"{{{NS.R}}}id", ""), "")
        if target:
            out[sh.get("name", "")] = target
    return out


def peek_company(path: Path, package: Package | None = None) -> tuple[str, int] | None:
    """统一社会信用代码 and 核算年度 of a workbook, read from 企业信息 alone (the batch links the years of one
    company before it processes them); None when either is missing or the file cannot be read. The sheet's
    XML is read straight from the package: openpyxl took ~20 ms a file, in the batch's parent, before any
    worker could start. Only a bounded prefix of the sheet (and of its shared strings) is read (PEEK_MAX_BYTES,
    PEEK_MAX_ROWS): a 企业信息 part inflating to hundreds of MB, below the package limits, leaves the batch's
    parent as small as ever (issue 23); its worker reads the whole file under its own memory cap.
    `package`: the file as check_workbook_file read it (then the file is not read again)."""
    from carbon_report.core.values import fold_text, parse_year

    wanted = {header_key(lab.text): lab.key for lab in contract.LABELS if lab.key in ("uscc", "year")}
    found: dict[str, object] = {}
    try:
        for cells in _company_rows(Path(path), package):
            for i, v in enumerate(cells[:-1]):
                key = wanted.get(header_key(v)) if isinstance(v, str) else None
                if key and key not in found:
                    found[key] = next((x for x in cells[i + 1:] if x not in (None, "")), None)
            if len(found) == len(wanted):
                break
    except Exception:  # noqa: BLE001 - the full read reports what is wrong with the file
        return None
    uscc = fold_text(found["uscc"]).upper() if isinstance(found.get("uscc"), str) else ""
    year = parse_year(found.get("year"))
    return (uscc, year) if uscc and year else None


def peek_labels(path: Path, keys: tuple[str, ...]) -> dict[str, object]:
    """The values of these 企业信息 labels (contract.LABELS keys) found in a workbook, read as peek_company
    reads them; a label missing or blank is left out, and an unreadable file gives {}."""
    wanted = {header_key(lab.text): lab.key for lab in contract.LABELS if lab.key in keys}
    found: dict[str, object] = {}
    try:
        for cells in _company_rows(Path(path)):
            for i, v in enumerate(cells[:-1]):
                key = wanted.get(header_key(v)) if isinstance(v, str) else None
                if key and key not in found:
                    found[key] = cells[i + 1]  # the value is the cell right of its label (reader._read_labels)
    except Exception:  # noqa: BLE001 - the full read reports what is wrong with the file
        return {}
    return {k: v for k, v in found.items() if v is not None and (not isinstance(v, str) or v.strip())}


_SHARED_STRINGS_TYPE = "/sharedStrings"
# What a peek reads at most: of 企业信息's XML and of the shared strings, each, and rows of 企业信息 (the template
# has about 40 labels, all in its first rows). A part the peek parses whole (the main part, its relationships)
# is not parsed when it declares more than this.
PEEK_MAX_BYTES = 4 * 1024 * 1024
PEEK_MAX_ROWS = 500
_CHUNK = 64 * 1024


def _company_rows(path: Path, package: Package | None = None) -> Iterator[list[object]]:
    """The values of 企业信息's first rows (at most PEEK_MAX_ROWS, from at most PEEK_MAX_BYTES of its XML), in
    column order (blanks as None), from the sheet's own XML."""
    if package is None:
        with Package.read(path, max_bytes=MAX_FILE_BYTES) as package:
            rows = _peek_rows(package)
    else:
        rows = _peek_rows(package)
    yield from rows


def _peek_rows(package: Package) -> list[list[object]]:
    wb_part = package.main_part()
    sizes = {i.filename: i.file_size for i in package.infos}
    if any(sizes.get(name, 0) > PEEK_MAX_BYTES for name in (wb_part, rels_part(wb_part))):
        return []
    part = _sheet_parts(package).get(contract.COMPANY_SHEET)
    if part is None:
        return []
    sst_part = next((r.part for r in package.relationships(wb_part)
                     if r.type.endswith(_SHARED_STRINGS_TYPE) and not r.external), None)
    rows: list[dict[int, tuple[str | None, str]]] = []
    for row in _stream(package, part, "row"):
        values: dict[int, tuple[str | None, str]] = {}
        for c in row.iter(f"{{{_MAIN}}}c"):
            col = column_index_from_string("".join(ch for ch in c.get("r", "") if ch.isalpha()) or "A")
            kind, v = c.get("t"), c.find(f"{{{_MAIN}}}v")
            if kind == "inlineStr":
                values[col] = ("inlineStr", "".join(t.text or "" for t in c.iter(f"{{{_MAIN}}}t")))
            elif v is not None and v.text is not None:
                values[col] = (kind, v.text)
        if values:
            rows.append(values)
        if len(rows) >= PEEK_MAX_ROWS:
            break
    needed = {int(text) for values in rows for kind, text in values.values() if kind == "s"}
    strings: dict[int, str] = {}
    if needed and sst_part is not None:
        last = max(needed)
        for i, si in enumerate(_stream(package, sst_part, "si")):
            if i in needed:
                strings[i] = "".join(t.text or "" for t in si.iter(f"{{{_MAIN}}}t"))
            if i >= last:
                break
    return [[_peek_value(values[i], strings) if i in values else None for i in range(1, max(values) + 1)]
            for values in rows]


def _peek_value(cell: tuple[str | None, str], strings: dict[int, str]) -> object:
    kind, text = cell
    if kind == "s":
        return strings.get(int(text))  # a string beyond the bytes read: unknown, as a blank
    if kind in ("str", "e", "inlineStr"):
        return text
    if kind == "b":
        return text == "1"
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _stream(package: Package, part: str, tag: str) -> Iterator[etree._Element]:
    """The `tag` elements of `part` (SpreadsheetML), each whole and then freed, from at most PEEK_MAX_BYTES of
    the part's XML: the part is inflated as it is read, never whole."""
    parser = etree.XMLPullParser(events=("end",), tag=f"{{{_MAIN}}}{tag}", resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
    read = 0
    with package.stream(part) as f:
        while read < PEEK_MAX_BYTES and (chunk := f.read(min(_CHUNK, PEEK_MAX_BYTES - read))):
            read += len(chunk)
            parser.feed(chunk)
            for _event, el in parser.read_events():
                yield el
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]

"""Write the computed sheets into a copy of the input workbook without rewriting the input's own parts.

Why not openpyxl load + save: it drops cached formula results, dropdowns fed from other sheets (x14
extensions), shapes, threaded comments, sparklines and more. Instead the computed sheets are drawn by
openpyxl in a fresh workbook, and their parts are grafted into a byte-for-byte copy of the input package:
every input part stays identical except workbook.xml, its rels, [Content_Types].xml and styles.xml, which
gain entries (styles are appended, never changed). Computed sheets from an earlier run are replaced.
The one other change: the input's selected tab loses its "selected" flag (an attribute of its sheetView,
edited in place), because the workbook opens on 校验结果 or 排放汇总 and two selected tabs would make Excel
group the sheets, so that typing into one would write into both.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from copy import copy
from pathlib import Path, PurePosixPath

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report.core import contract
from carbon_report.io.atomic import OutputLocked, write_bytes

__all__ = ["OutputLocked", "draw_tables", "graft", "write_workbook"]
from carbon_report.outputs.computed import NO_VALUE, SheetTable

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
_M = f"{{{NS['m']}}}"
_R = f"{{{NS['r']}}}"
_PR = f"{{{NS['pr']}}}"
_CT = f"{{{NS['ct']}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
_WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_SHEET_TYPES = (_WS_TYPE, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet")
_TAB_SELECTED = re.compile(rb'(<(?:[A-Za-z_][\w.-]*:)?sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')


# ---- drawing the computed sheets ---------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_ERROR_FONT = Font(color="C00000", bold=True)
_WARN_FONT = Font(color="9C5700")
_LINK_FONT = Font(color="0563C1", underline="single")


_FONTS = {"link": _LINK_FONT, "error": _ERROR_FONT, "warning": _WARN_FONT}
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")  # rows grow tall where text wraps: every cell of a row starts at its top
_CENTRE = Alignment(horizontal="center", vertical="top")  # "/" (no value) in a column of numbers

# Page geometry for printing: A4 landscape, narrow side margins. Column widths are in digit widths of the
# workbook's default font: 7.4 px at 96 dpi for Calibri 11 (Excel, WPS), 9.3 px where LibreOffice replaces
# Calibri by DejaVu Sans (measured on its PDF). A page must hold its columns in either, so the wider counts.
# A CJK character is about two Calibri digits wide; CJK lines are taller than Latin ones.
_A4_LANDSCAPE_IN = 11.69
_SIDE_MARGIN_IN = 0.4
_PX_PER_CHAR = 9.5
_LINE_PT = 16.5


def _style(c: Cell, cache: dict[tuple[str | None, str | None, bool, bool], StyleArray], fmt: str | None,
           font: str | None, wrap: bool, centre: bool = False) -> None:
    """Style a body cell. openpyxl hashes Border/Font objects on every assignment, which made styling
    most of draw_tables' time; each distinct style is built once and its index array copied after that."""
    key = (fmt, font, wrap, centre)
    if key in cache:
        c._style = copy(cache[key])  # noqa: SLF001
        return
    c.border = _BORDER
    if fmt:
        c.number_format = fmt
    if font:
        c.font = _FONTS[font]
    c.alignment = _CENTRE if centre else _WRAP if wrap else _TOP
    cache[key] = copy(c._style)  # noqa: SLF001


def print_landscape(ws: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide, header row repeated: consultants print these sheets."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def print_pages_wide(ws: Worksheet, t: SheetTable, header_row: int) -> None:
    """A table too wide for one page prints over several, split at `t.page_starts`, with its first
    `t.repeat_cols` columns and its header row on every page, at one scale that fits the widest page.
    (Fit-to-width would shrink all 21 columns of 计算明细 onto one A4 width, about 4 pt, and Excel ignores
    manual page breaks under fit-to-width, so the scale is worked out here.)"""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = _SIDE_MARGIN_IN
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_title_rows = f"{header_row}:{header_row}"
    if t.repeat_cols:
        ws.print_title_cols = f"A:{get_column_letter(t.repeat_cols)}"
    starts = [*sorted(t.page_starts), len(t.widths)]
    widest = 0.0
    for k, (a, b) in enumerate(zip(starts, starts[1:], strict=False)):
        cols = list(range(a, b)) if k == 0 else [*range(t.repeat_cols), *range(max(a, t.repeat_cols), b)]
        widest = max(widest, sum(t.widths[j] for j in cols) * _PX_PER_CHAR)
        if k:
            ws.col_breaks.append(Break(id=a))
    printable = (_A4_LANDSCAPE_IN - 2 * _SIDE_MARGIN_IN) * 96
    ws.page_setup.scale = max(10, min(100, math.floor(100 * printable / widest))) if widest else 100


def _text_width(text: str) -> float:
    """Width of text in digit widths: CJK and full-width characters count about two."""
    return sum(2.05 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def _lines(value: object, width: float) -> int:
    """Lines a wrapped cell needs: Excel keeps the height of rows it did not draw itself, so rows with
    wrapped text are given their height here (generously: a clipped last line would hide text)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1.0, width - 1)
    return sum(max(1, math.ceil(_text_width(part) / per_line)) for part in value.split("\n"))


def draw_tables(tables: list[SheetTable]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.name)
        ws.sheet_view.tabSelected = t.active
        if t.active:
            wb.active = ws
        top = 1
        if t.title:
            ws.cell(1, 1, t.title).font = Font(bold=True)
            top = 2
        for j, h in enumerate(t.header):
            c = ws.cell(top, j + 1, h)
            c.font = Font(bold=True)
            c.fill = _HEAD_FILL
            c.border = _BORDER
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_lines = max((_lines(h, t.widths[j]) for j, h in enumerate(t.header) if j < len(t.widths)), default=1)
        if header_lines > 1:
            ws.row_dimensions[top].height = header_lines * _LINE_PT
        styles: dict[tuple[str | None, str | None, bool, bool], StyleArray] = {}
        for i, row in enumerate(t.rows):
            lines = 1
            for j, v in enumerate(row):
                c = ws.cell(top + 1 + i, j + 1)
                if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
                    # Text copied from input cells must stay text: openpyxl would store "=…" as a formula.
                    c.value = v
                    c.data_type = "s"
                else:
                    c.value = v
                number = isinstance(v, int | float) and not isinstance(v, bool)
                # General would print 3865000 as 3.865E+06 in a narrow column: every number gets a format.
                fmt = (t.cell_formats.get((i, j)) or t.number_formats.get(j) or "#,##0.####") if number else None
                font = None
                if (i, j) in t.links:
                    c.hyperlink = Hyperlink(ref=c.coordinate, location=t.links[(i, j)])
                    font = "link"
                elif t.name == contract.SHEET_FINDINGS and j == 1:
                    font = "error" if v == "错误" else "warning"
                wrap = j in t.wrap
                if wrap and j < len(t.widths):
                    lines = max(lines, _lines(v, t.widths[j]))
                _style(c, styles, fmt, font, wrap, centre=v == NO_VALUE)
            if lines > 1:
                ws.row_dimensions[top + 1 + i].height = lines * _LINE_PT
        for j, w in enumerate(t.widths):
            ws.column_dimensions[get_column_letter(j + 1)].width = w
        ws.freeze_panes = ws.cell(top + 1, 1)
        if t.page_starts:
            print_pages_wide(ws, t, top)
        else:
            print_landscape(ws, top)
        if t.chart:
            _pie(ws, t, top)
    return wb


def _pie(ws, t: SheetTable, top: int) -> None:  # noqa: ANN001
    ch = t.chart or {}
    first, last = top + 1 + int(ch["first"]), top + 1 + int(ch["last"])  # type: ignore[call-overload]
    pie = PieChart()
    pie.title = str(ch["title"])
    pie.add_data(Reference(ws, min_col=int(ch["value_col"]) + 1, min_row=first, max_row=last))  # type: ignore[call-overload]
    pie.set_categories(Reference(ws, min_col=int(ch["label_col"]) + 1, min_row=first, max_row=last))  # type: ignore[call-overload]
    pie.series[0].tx = SeriesLabel(v="排放量 tCO2e")
    pie.dataLabels = DataLabelList(showPercent=True, showVal=False, showCatName=False, showSerName=False,
                                   showLegendKey=False)
    pie.height, pie.width = 9, 16
    ws.add_chart(pie, f"A{top + len(t.rows) + 3}")


# ---- grafting into the input package -----------------------------------------------------------------------


def write_workbook(source: Path, tables: list[SheetTable], dest: Path) -> None:
    """Write `dest` = `source` + computed sheets, via a temporary file renamed into place."""
    generated = io.BytesIO()
    draw_tables(tables).save(generated)
    data = graft(source.read_bytes(), generated.getvalue())
    write_bytes(dest, data)


def graft(original: bytes, generated: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(original))
    gen = zipfile.ZipFile(io.BytesIO(generated))
    parts: dict[str, bytes] = {}  # replaced or added parts
    dropped: set[str] = set()

    wb_xml = etree.fromstring(src.read("xl/workbook.xml"), _PARSER)
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = etree.fromstring(src.read(rels_name), _PARSER)
    ct = etree.fromstring(src.read("[Content_Types].xml"), _PARSER)
    _drop_old_computed(src, wb_xml, rels, ct, dropped)

    styles_name = _styles_part(src, rels)
    xf_map = _merge_styles(src, gen, styles_name, parts)
    strings = _shared_strings(gen)

    gen_wb = etree.fromstring(gen.read("xl/workbook.xml"), _PARSER)
    gen_rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(gen.read(rels_name), _PARSER)}
    sheets_el = wb_xml.find(f"{_M}sheets")
    next_sheet_id = max([int(s.get("sheetId", "0")) for s in sheets_el] + [0]) + 1
    existing = set(src.namelist())
    rel_ids = {r.get("Id") for r in rels}
    active_el: etree._Element | None = None
    added: dict[int, etree._Element] = {}  # generated sheet index → its <sheet> in the output
    for i, gsheet in enumerate(gen_wb.find(f"{_M}sheets")):
        target = gen_rels[gsheet.get(f"{_R}id")]
        gpart = _resolve("xl/workbook.xml", target)
        new_part = _free_name(f"xl/worksheets/cr_sheet{i + 1}.xml", existing | set(parts))
        xml = _restyle_sheet(gen.read(gpart), xf_map, strings)
        parts[new_part] = xml
        _copy_sheet_rels(gen, gpart, new_part, parts, existing, ct)
        rid = _free_rid(rel_ids)
        rel_ids.add(rid)
        etree.SubElement(rels, f"{_PR}Relationship", Id=rid, Type=_WS_TYPE,
                         Target="/" + new_part)
        el = etree.SubElement(sheets_el, f"{_M}sheet", name=gsheet.get("name"), sheetId=str(next_sheet_id))
        el.set(f"{_R}id", rid)
        added[i] = el
        if gsheet_is_active(gen, gpart):
            active_el = el
        next_sheet_id += 1
        etree.SubElement(ct, f"{_CT}Override", PartName="/" + new_part, ContentType=_WS_CT)

    _copy_print_names(gen_wb, wb_xml, {i: list(sheets_el).index(el) for i, el in added.items()})
    if active_el is not None:
        _open_on(wb_xml, list(sheets_el).index(active_el))
        _unselect_input_tabs(src, rels, dropped, parts)
    parts["xl/workbook.xml"] = _xml_bytes(wb_xml)
    parts[rels_name] = _xml_bytes(rels)
    parts["[Content_Types].xml"] = _xml_bytes(ct)

    out = io.BytesIO()
    written: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for first in src.infolist():
            # A name twice (openpyxl and zipfile read the last one) is written once, with what was read; a
            # name that is no part name (../x, /x, C:x, a backslash) is not carried into the output at all,
            # where an unzip tool could write it outside its folder.
            if first.filename in dropped or first.filename in written or not _part_name(first.filename):
                continue
            written.add(first.filename)
            info = src.getinfo(first.filename)
            if info.filename in parts:
                z.writestr(info, parts.pop(info.filename), compress_type=zipfile.ZIP_DEFLATED)
            else:
                z.writestr(info, src.read(info), compress_type=info.compress_type)
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


_DRIVE = re.compile(r"^[A-Za-z]:")


def _part_name(name: str) -> bool:
    """Whether a zip member's name can be a part of the package (no traversal, no absolute path)."""
    return bool(name) and not (name.startswith("/") or "\\" in name or _DRIVE.match(name)
                               or ".." in name.split("/"))


def gsheet_is_active(gen: zipfile.ZipFile, gpart: str) -> bool:
    """Whether draw_tables marked this generated sheet as the one to open on."""
    view = etree.fromstring(gen.read(gpart), _PARSER).find(f"{_M}sheetViews/{_M}sheetView")
    return view is not None and view.get("tabSelected") in ("1", "true")


_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def _copy_print_names(gen_wb: etree._Element, wb_xml: etree._Element, index: dict[int, int]) -> None:
    """Carry the computed sheets' print titles (sheet-scoped _xlnm names) over, re-pointed at the sheets'
    positions in the output: without them no header row repeats on printed pages."""
    gen_names = gen_wb.find(f"{_M}definedNames")
    if gen_names is None:
        return
    names = wb_xml.find(f"{_M}definedNames")
    for dn in gen_names:
        lid = dn.get("localSheetId")
        if lid is None or int(lid) not in index or not (dn.get("name") or "").startswith("_xlnm."):
            continue
        if names is None:
            names = etree.Element(f"{_M}definedNames")
            anchor = next((wb_xml.find(f"{_M}{t}") for t in _AFTER_NAMES if wb_xml.find(f"{_M}{t}") is not None),
                          None)
            if anchor is not None:
                anchor.addprevious(names)
            else:
                wb_xml.append(names)
        copy_el = etree.SubElement(names, f"{_M}definedName", name=dn.get("name", ""),
                                   localSheetId=str(index[int(lid)]))
        copy_el.text = dn.text


def _open_on(wb_xml: etree._Element, index: int) -> None:
    """Make sheet `index` (its position in <sheets>, found by element, so a user sheet that shares a
    computed sheet's name cannot shift it) the active tab, and keep it in the visible part of the tab bar."""
    views = wb_xml.find(f"{_M}bookViews")
    if views is None:
        views = etree.Element(f"{_M}bookViews")
        wb_xml.find(f"{_M}sheets").addprevious(views)
    if len(views) == 0:
        etree.SubElement(views, f"{_M}workbookView")
    for v in views:
        v.set("activeTab", str(index))
        if int(v.get("firstSheet", "0")) > index:
            v.set("firstSheet", str(index))


def _unselect_input_tabs(src: zipfile.ZipFile, rels: etree._Element, dropped: set[str],
                         parts: dict[str, bytes]) -> None:
    """Clear tabSelected on the input's own sheets, editing only that attribute's bytes."""
    for r in rels:
        if r.get("Type") not in _SHEET_TYPES or r.get("TargetMode") == "External":
            continue
        part = _resolve("xl/workbook.xml", r.get("Target", ""))
        if part in dropped or part in parts or part not in src.namelist():
            continue
        data = src.read(part)
        head = data[:data.find(b"<sheetData") if b"<sheetData" in data else len(data)]
        cleared = _TAB_SELECTED.sub(rb"\1", head, count=0)
        if cleared != head:
            parts[part] = cleared + data[len(head):]


def _xml_bytes(el: etree._Element) -> bytes:
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True)


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    base = PurePosixPath(base_part).parent
    parts: list[str] = []
    for p in (base / target).parts:
        if p == "..":
            parts.pop()
        elif p != ".":
            parts.append(p)
    return "/".join(parts)


def _rels_of(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def _free_name(name: str, taken: set[str]) -> str:
    stem, _, ext = name.rpartition(".")
    n, out = 1, name
    while out in taken:
        n += 1
        out = f"{stem}_{n}.{ext}"
    return out


def _free_rid(taken: set[str | None]) -> str:
    n = 1
    while f"rIdCR{n}" in taken:
        n += 1
    return f"rIdCR{n}"


def _styles_part(src: zipfile.ZipFile, rels: etree._Element) -> str:
    for r in rels:
        if r.get("Type") == _STYLES_TYPE:
            return _resolve("xl/workbook.xml", r.get("Target", ""))
    return "xl/styles.xml"


def _drop_old_computed(src: zipfile.ZipFile, wb_xml: etree._Element, rels: etree._Element, ct: etree._Element,
                       dropped: set[str]) -> None:
    """Remove computed sheets from an earlier run (they are replaced, never read)."""
    sheets_el = wb_xml.find(f"{_M}sheets")
    targets = {r.get("Id"): r for r in rels}
    views = wb_xml.find(f"{_M}bookViews")
    for index, sheet in reversed(list(enumerate(sheets_el))):
        if sheet.get("name") not in contract.COMPUTED_SHEETS:
            continue
        # The tab bar's first tab and the active tab count sheets by position: a user's own sheet named
        # 校验结果 dropped before them must not shift them onto the next sheet.
        for v in views if views is not None else []:
            for attr in ("activeTab", "firstSheet"):
                if v.get(attr) is not None and int(v.get(attr, "0")) > index:
                    v.set(attr, str(int(v.get(attr, "0")) - 1))
        rel = targets.get(sheet.get(f"{_R}id"))
        if rel is not None:
            part = _resolve("xl/workbook.xml", rel.get("Target", ""))
            dropped.add(part)
            dropped.add(_rels_of(part))
            rels.remove(rel)
            for o in list(ct):
                if o.get("PartName", "").lstrip("/") == part:
                    ct.remove(o)
        sheets_el.remove(sheet)
        # Sheet-scoped names and the active tab count sheets by position.
        names = wb_xml.find(f"{_M}definedNames")
        if names is not None:
            for dn in list(names):
                lid = dn.get("localSheetId")
                if lid is None:
                    continue
                if int(lid) == index:
                    names.remove(dn)
                elif int(lid) > index:
                    dn.set("localSheetId", str(int(lid) - 1))
            if len(names) == 0:
                wb_xml.remove(names)
    if views is not None:
        for v in views:
            for attr in ("activeTab", "firstSheet"):
                if v.get(attr) is not None and int(v.get(attr, "0")) >= len(sheets_el):
                    v.set(attr, "0")


def _shared_strings(gen: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in gen.namelist():
        return []
    sst = etree.fromstring(gen.read("xl/sharedStrings.xml"), _PARSER)
    return ["".join(si.itertext()) for si in sst.findall(f"{_M}si")]


def _restyle_sheet(xml: bytes, xf_map: dict[int, int], strings: list[str]) -> bytes:
    """Point style indices at the merged styles.xml and make shared strings inline (the input's
    sharedStrings.xml is left untouched)."""
    root = etree.fromstring(xml, _PARSER)
    for el in root.iter(f"{_M}c", f"{_M}row", f"{_M}col"):
        attr = "style" if el.tag == f"{_M}col" else "s"
        if el.get(attr) is not None:
            el.set(attr, str(xf_map.get(int(el.get(attr)), 0)))
    for c in root.iter(f"{_M}c"):
        if c.get("t") == "s":
            v = c.find(f"{_M}v")
            text = strings[int(v.text)] if v is not None and v.text else ""
            c.remove(v)
            c.set("t", "inlineStr")
            is_ = etree.SubElement(c, f"{_M}is")
            t = etree.SubElement(is_, f"{_M}t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return _xml_bytes(root)


def _copy_sheet_rels(gen: zipfile.ZipFile, gpart: str, new_part: str, parts: dict[str, bytes], existing: set[str],
                     ct: etree._Element) -> None:
    """Carry a generated sheet's drawing and chart along, renamed so they cannot clash with input parts."""
    rels_name = _rels_of(gpart)
    if rels_name not in gen.namelist():
        return
    gen_ct = {o.get("PartName", "").lstrip("/"): o.get("ContentType")
              for o in etree.fromstring(gen.read("[Content_Types].xml"), _PARSER) if o.get("PartName")}
    rels = etree.fromstring(gen.read(rels_name), _PARSER)
    for r in rels:
        if r.get("TargetMode") == "External":
            continue
        child = _resolve(gpart, r.get("Target", ""))
        folder, name = child.rsplit("/", 1)
        new_child = _free_name(f"{folder}/cr_{name}", existing | set(parts))
        parts[new_child] = gen.read(child)
        r.set("Target", "/" + new_child)
        if child in gen_ct:
            etree.SubElement(ct, f"{_CT}Override", PartName="/" + new_child, ContentType=gen_ct[child])
        _copy_sheet_rels(gen, child, new_child, parts, existing, ct)
    parts[_rels_of(new_part)] = _xml_bytes(rels)


def _merge_styles(src: zipfile.ZipFile, gen: zipfile.ZipFile, styles_name: str, parts: dict[str, bytes]) -> dict[int, int]:
    """Append the generated workbook's fonts, fills, borders, number formats and cell formats to the
    input's styles.xml; return generated xf index → merged xf index."""
    g = etree.fromstring(gen.read("xl/styles.xml"), _PARSER)
    if styles_name not in src.namelist():
        parts[styles_name] = gen.read("xl/styles.xml")
        return {i: i for i in range(len(g.find(f"{_M}cellXfs")))}
    s = etree.fromstring(src.read(styles_name), _PARSER)

    def section(root: etree._Element, tag: str, before: tuple[str, ...]) -> etree._Element:
        el = root.find(f"{_M}{tag}")
        if el is None:
            el = etree.Element(f"{_M}{tag}", count="0")
            anchor = next((root.find(f"{_M}{b}") for b in before if root.find(f"{_M}{b}") is not None), None)
            if anchor is not None:
                anchor.addprevious(el)
            else:
                root.append(el)
        return el

    order = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
             "colors", "extLst")
    offsets: dict[str, int] = {}
    for tag in ("fonts", "fills", "borders"):
        dst = section(s, tag, order[order.index(tag) + 1:])
        offsets[tag] = len(dst)
        for child in list(g.find(f"{_M}{tag}") if g.find(f"{_M}{tag}") is not None else []):
            dst.append(child)
        dst.set("count", str(len(dst)))
    fmt_map: dict[int, int] = {}
    gfmts = g.find(f"{_M}numFmts")
    if gfmts is not None and len(gfmts):
        dst = section(s, "numFmts", order[1:])
        used = [int(n.get("numFmtId", "0")) for n in dst]
        next_id = max([163, *used]) + 1
        for nf in list(gfmts):
            old = int(nf.get("numFmtId", "0"))
            same = next((d for d in dst if d.get("formatCode") == nf.get("formatCode")), None)
            if same is not None:
                fmt_map[old] = int(same.get("numFmtId", "0"))
                continue
            nf.set("numFmtId", str(next_id))
            fmt_map[old] = next_id
            next_id += 1
            dst.append(nf)
        dst.set("count", str(len(dst)))
    xfs = section(s, "cellXfs", order[6:])
    base = len(xfs)
    mapping: dict[int, int] = {}
    for i, xf in enumerate(list(g.find(f"{_M}cellXfs"))):
        for attr, tag in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            xf.set(attr, str(int(xf.get(attr, "0")) + offsets[tag]))
        nid = int(xf.get("numFmtId", "0"))
        xf.set("numFmtId", str(fmt_map.get(nid, nid)))
        xf.set("xfId", "0")
        xfs.append(xf)
        mapping[i] = base + i
    xfs.set("count", str(len(xfs)))
    if s.find(f"{_M}cellStyleXfs") is None:
        csx = section(s, "cellStyleXfs", order[5:])
        etree.SubElement(csx, f"{_M}xf", numFmtId="0", fontId="0", fillId="0", borderId="0")
        csx.set("count", "1")
    parts[styles_name] = _xml_bytes(s)
    return mapping


def computed_sheet_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"), _PARSER)
    return [s.get("name", "") for s in wb.iter(f"{_M}sheet") if s.get("name") in contract.COMPUTED_SHEETS]



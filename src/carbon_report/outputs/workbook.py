"""Write the computed sheets into a copy of the input workbook without rewriting the input's own parts.

Why not openpyxl load + save: it drops cached formula results, dropdowns fed from other sheets (x14
extensions), shapes, threaded comments, sparklines and more. Instead the computed sheets are written by
computed_xml.py as SpreadsheetML text, and their parts are grafted into a byte-for-byte copy of the input package:
every input part stays identical except workbook.xml, its rels, [Content_Types].xml and styles.xml, which
gain entries (styles are appended, never changed). Computed sheets from an earlier run are replaced.
The one other change: the input's selected tab loses its "selected" flag (an attribute of its sheetView,
edited in place), because the workbook opens on 校验结果 or 排放汇总 and two selected tabs would make Excel
group the sheets, so that typing into one would write into both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from carbon_report.core import contract
from carbon_report.io.atomic import OutputLocked, write_bytes
from carbon_report.io.filecheck import MAX_FILE_BYTES
from carbon_report.io.package import (
    CONTENT_TYPES,
    NS,
    RT,
    WORKBOOK_PART,
    Package,
    opened,
    parse_xml,
    rels_part,
    resolve,
    with_standard_main_part,
    xml_bytes,
)
from carbon_report.outputs.computed import SheetTable
from carbon_report.outputs.computed_xml import (
    CHART_CT,
    CHART_TYPE,
    DRAWING_CT,
    DRAWING_TYPE,
    SheetPart,
    Styles,
    sheet_part,
)

__all__ = ["OutputLocked", "graft", "write_workbook"]

_M = f"{{{NS.MAIN}}}"
_R = f"{{{NS.R}}}"
_PR = f"{{{NS.PKG_REL}}}"
_CT = f"{{{NS.CT}}}"
_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_SHEET_TYPES = (RT.WORKSHEET, RT.CHARTSHEET)
_TAB_SELECTED = re.compile(rb'(<(?:[A-Za-z_][\w.-]*:)?sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')


# ---- grafting into the input package -----------------------------------------------------------------------


def write_workbook(source: Path, tables: list[SheetTable], dest: Path) -> None:
    """Write `dest` = `source` + computed sheets, via a temporary file renamed into place."""
    with Package.read(source, max_bytes=MAX_FILE_BYTES) as package:
        write_bytes(dest, graft(package.data, tables))


def graft(original: bytes, tables: list[SheetTable]) -> bytes:
    with opened(original) as src0:
        src = with_standard_main_part(src0)  # the main part _rels/.rels names, where openpyxl read it
        return _graft(src, tables)


def _graft(src: Package, tables: list[SheetTable]) -> bytes:
    parts: dict[str, bytes] = {}  # replaced or added parts
    dropped: set[str] = set()

    wb_xml = src.xml(WORKBOOK_PART)
    rels_name = rels_part(WORKBOOK_PART)
    rels = src.xml(rels_name)
    ct = src.xml(CONTENT_TYPES)
    _drop_old_computed(src, wb_xml, rels, ct, dropped)

    styles_name = _styles_part(rels)
    style_root = parse_xml(src.part(styles_name) if src.has(styles_name) else _EMPTY_STYLES)
    styles = _styles_after(style_root)
    sheets = [sheet_part(t, styles) for t in tables]
    if not src.has(styles_name):
        etree.SubElement(rels, f"{_PR}Relationship", Id=_free_rid({r.get("Id") for r in rels}), Type=RT.STYLES,
                         Target="/" + styles_name)
        etree.SubElement(ct, f"{_CT}Override", PartName="/" + styles_name, ContentType=_STYLES_CT)

    sheets_el = wb_xml.find(f"{_M}sheets")
    next_sheet_id = max([int(s.get("sheetId", "0")) for s in sheets_el] + [0]) + 1
    existing = set(src.names)
    rel_ids = {r.get("Id") for r in rels}
    active_el: etree._Element | None = None
    added: list[tuple[SheetPart, etree._Element]] = []
    streams: dict[str, SheetPart] = {}  # new part name → the sheet whose XML is written there
    for i, sheet in enumerate(sheets):
        new_part = _free_name(f"xl/worksheets/cr_sheet{i + 1}.xml", existing | set(parts) | set(streams))
        streams[new_part] = sheet
        if sheet.drawing and sheet.chart:
            _add_chart_parts(sheet, new_part, parts, existing, ct)
        rid = _free_rid(rel_ids)
        rel_ids.add(rid)
        etree.SubElement(rels, f"{_PR}Relationship", Id=rid, Type=RT.WORKSHEET, Target="/" + new_part)
        el = etree.SubElement(sheets_el, f"{_M}sheet", name=sheet.name, sheetId=str(next_sheet_id))
        el.set(f"{_R}id", rid)
        added.append((sheet, el))
        if sheet.active:
            active_el = el
        next_sheet_id += 1
        etree.SubElement(ct, f"{_CT}Override", PartName="/" + new_part, ContentType=_WS_CT)

    _add_print_titles(wb_xml, [(sheet.print_titles, list(sheets_el).index(el)) for sheet, el in added])
    if active_el is not None:
        _open_on(wb_xml, list(sheets_el).index(active_el))
        _unselect_input_tabs(src, rels, dropped, parts)
    parts[WORKBOOK_PART] = xml_bytes(wb_xml)
    parts[rels_name] = xml_bytes(rels)
    parts[CONTENT_TYPES] = xml_bytes(ct)

    def styles_xml() -> bytes:
        # Called once the computed sheets are streamed: their cell formats complete the styles part.
        _append_styles(style_root, styles)
        return xml_bytes(style_root)

    replace: dict[str, bytes | Callable[[], bytes]] = {**parts, styles_name: styles_xml}
    chunks = {name: (chunk.encode("utf-8") for chunk in sheet.chunks) for name, sheet in streams.items()}
    return src.rewrite(replace, drop=dropped, stream_first=chunks)


def _rels_xml(rid: str, rel_type: str, target: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS.PKG_REL}"><Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
            "</Relationships>").encode()


def _add_chart_parts(sheet: SheetPart, sheet_part_name: str, parts: dict[str, bytes], existing: set[str],
                     ct: etree._Element) -> None:
    """A sheet's pie chart: sheet → drawing → chart, named so they cannot clash with input parts."""
    drawing = _free_name("xl/drawings/cr_drawing1.xml", existing | set(parts))
    parts[drawing] = (sheet.drawing or "").encode("utf-8")
    chart = _free_name("xl/charts/cr_chart1.xml", existing | set(parts))
    parts[chart] = (sheet.chart or "").encode("utf-8")
    parts[rels_part(sheet_part_name)] = _rels_xml("rId1", DRAWING_TYPE, "/" + drawing)
    parts[rels_part(drawing)] = _rels_xml("rId1", CHART_TYPE, "/" + chart)
    etree.SubElement(ct, f"{_CT}Override", PartName="/" + drawing, ContentType=DRAWING_CT)
    etree.SubElement(ct, f"{_CT}Override", PartName="/" + chart, ContentType=CHART_CT)


_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def _add_print_titles(wb_xml: etree._Element, titles: list[tuple[str, int]]) -> None:
    """The computed sheets' print titles (sheet-scoped _xlnm names at their positions in the output):
    without them no header row repeats on printed pages."""
    names = wb_xml.find(f"{_M}definedNames")
    for formula, index in titles:
        if not formula:
            continue
        if names is None:
            names = etree.Element(f"{_M}definedNames")
            anchor = next((wb_xml.find(f"{_M}{t}") for t in _AFTER_NAMES if wb_xml.find(f"{_M}{t}") is not None),
                          None)
            if anchor is not None:
                anchor.addprevious(names)
            else:
                wb_xml.append(names)
        el = etree.SubElement(names, f"{_M}definedName", name="_xlnm.Print_Titles", localSheetId=str(index))
        el.text = formula


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


def _unselect_input_tabs(src: Package, rels: etree._Element, dropped: set[str],
                         parts: dict[str, bytes]) -> None:
    """Clear tabSelected on the input's own sheets, editing only that attribute's bytes."""
    for r in rels:
        if r.get("Type") not in _SHEET_TYPES or r.get("TargetMode") == "External":
            continue
        part = resolve(WORKBOOK_PART, r.get("Target", ""))
        if part in dropped or part in parts or not src.has(part):
            continue
        data = src.part(part)
        head = data[:data.find(b"<sheetData") if b"<sheetData" in data else len(data)]
        cleared = _TAB_SELECTED.sub(rb"\1", head, count=0)
        if cleared != head:
            parts[part] = cleared + data[len(head):]


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


def _styles_part(rels: etree._Element) -> str:
    for r in rels:
        if r.get("Type") == RT.STYLES:
            return resolve(WORKBOOK_PART, r.get("Target", ""))
    return "xl/styles.xml"


def _drop_old_computed(src: Package, wb_xml: etree._Element, rels: etree._Element, ct: etree._Element,
                       dropped: set[str]) -> None:
    """Remove computed sheets from an earlier run (they are replaced, never read)."""
    sheets_el = wb_xml.find(f"{_M}sheets")
    targets = {r.get("Id"): r for r in rels}
    views = wb_xml.find(f"{_M}bookViews")
    for index, sheet in reversed(list(enumerate(sheets_el))):
        if sheet.get("name") not in contract.ALL_COMPUTED_SHEETS:
            continue
        # The tab bar's first tab and the active tab count sheets by position: a user's own sheet named
        # 校验结果 dropped before them must not shift them onto the next sheet.
        for v in views if views is not None else []:
            for attr in ("activeTab", "firstSheet"):
                if v.get(attr) is not None and int(v.get(attr, "0")) > index:
                    v.set(attr, str(int(v.get(attr, "0")) - 1))
        rel = targets.get(sheet.get(f"{_R}id"))
        if rel is not None:
            part = resolve(WORKBOOK_PART, rel.get("Target", ""))
            dropped.add(part)
            dropped.add(rels_part(part))
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


_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
                "colors", "extLst")
_EMPTY_STYLES = (f'<styleSheet xmlns="{NS.MAIN}"><fonts count="1"><font/></fonts><fills count="2"><fill><patternFill/>'
                 '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders>'
                 '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                 '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
                 "</styleSheet>").encode()


def _section(root: etree._Element, tag: str) -> etree._Element:
    el = root.find(f"{_M}{tag}")
    if el is None:
        el = etree.Element(f"{_M}{tag}", count="0")
        later = _STYLE_ORDER[_STYLE_ORDER.index(tag) + 1:]
        anchor = next((root.find(f"{_M}{b}") for b in later if root.find(f"{_M}{b}") is not None), None)
        if anchor is not None:
            anchor.addprevious(el)
        else:
            root.append(el)
    return el


def _styles_after(root: etree._Element) -> Styles:
    """The computed sheets' styles, numbered after the input's own fonts, fills, borders and cell formats."""
    fmts = root.find(f"{_M}numFmts")
    codes = {} if fmts is None else {n.get("formatCode", ""): int(n.get("numFmtId", "0")) for n in fmts}
    count = {tag: 0 if root.find(f"{_M}{tag}") is None else len(root.find(f"{_M}{tag}"))
             for tag in ("fonts", "fills", "borders", "cellXfs")}
    return Styles(count["fonts"], count["fills"], count["borders"], count["cellXfs"], codes,
                  max([163, *codes.values()]) + 1)


def _append_styles(root: etree._Element, styles: Styles) -> None:
    """Append the computed sheets' styles to the input's styles.xml (nothing of the input's changes)."""
    for tag, items in (("numFmts", styles.format_xml()), ("fonts", styles.font_xml()), ("fills", styles.fill_xml()),
                       ("borders", styles.border_xml()), ("cellXfs", styles.xf_xml())):
        if not items:
            continue
        el = _section(root, tag)
        wrapper = parse_xml(f'<w xmlns="{NS.MAIN}">{"".join(items)}</w>'.encode())
        el.extend(list(wrapper))
        el.set("count", str(len(el)))
    if root.find(f"{_M}cellStyleXfs") is None:
        csx = _section(root, "cellStyleXfs")
        etree.SubElement(csx, f"{_M}xf", numFmtId="0", fontId="0", fillId="0", borderId="0")
        csx.set("count", "1")

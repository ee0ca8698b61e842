"""Write the computed sheets into a copy of the input workbook without rewriting the input's own parts.

Why not openpyxl load + save: it drops cached formula results, dropdowns fed from other sheets (x14
extensions), shapes, threaded comments, sparklines and more. Instead the computed sheets are drawn by
openpyxl in a fresh workbook, and their parts are grafted into a byte-for-byte copy of the input package:
every input part stays identical except workbook.xml, its rels, [Content_Types].xml and styles.xml, which
gain entries (styles are appended, never changed). Computed sheets from an earlier run are replaced.
"""

from __future__ import annotations

import io
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
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report.core import contract
from carbon_report.io.atomic import OutputLocked, write_bytes

__all__ = ["OutputLocked", "draw_tables", "graft", "write_workbook"]
from carbon_report.outputs.computed import SheetTable

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


# ---- drawing the computed sheets ---------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_ERROR_FONT = Font(color="C00000", bold=True)
_WARN_FONT = Font(color="9C5700")
_LINK_FONT = Font(color="0563C1", underline="single")


_FONTS = {"link": _LINK_FONT, "error": _ERROR_FONT, "warning": _WARN_FONT}


def _style(c: Cell, cache: dict[tuple[str | None, str | None], StyleArray], fmt: str | None,
           font: str | None) -> None:
    """Style a body cell. openpyxl hashes Border/Font objects on every assignment, which made styling
    most of draw_tables' time; each distinct style is built once and its index array copied after that."""
    key = (fmt, font)
    if key in cache:
        c._style = copy(cache[key])  # noqa: SLF001
        return
    c.border = _BORDER
    if fmt:
        c.number_format = fmt
    if font:
        c.font = _FONTS[font]
    cache[key] = copy(c._style)  # noqa: SLF001


def print_landscape(ws: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide, header row repeated: consultants print these sheets."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def draw_tables(tables: list[SheetTable]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.name)
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
        styles: dict[tuple[str | None, str | None], StyleArray] = {}
        for i, row in enumerate(t.rows):
            for j, v in enumerate(row):
                c = ws.cell(top + 1 + i, j + 1)
                if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
                    # Text copied from input cells must stay text: openpyxl would store "=…" as a formula.
                    c.value = v
                    c.data_type = "s"
                else:
                    c.value = v
                fmt = t.number_formats.get(j) if isinstance(v, int | float) else None
                font = None
                if (i, j) in t.links:
                    c.hyperlink = Hyperlink(ref=c.coordinate, location=t.links[(i, j)])
                    font = "link"
                elif t.name == contract.SHEET_FINDINGS and j == 1:
                    font = "error" if v == "错误" else "warning"
                _style(c, styles, fmt, font)
        for j, w in enumerate(t.widths):
            ws.column_dimensions[get_column_letter(j + 1)].width = w
        ws.freeze_panes = ws.cell(top + 1, 1)
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
        next_sheet_id += 1
        etree.SubElement(ct, f"{_CT}Override", PartName="/" + new_part, ContentType=_WS_CT)

    parts["xl/workbook.xml"] = _xml_bytes(wb_xml)
    parts[rels_name] = _xml_bytes(rels)
    parts["[Content_Types].xml"] = _xml_bytes(ct)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename in dropped:
                continue
            if info.filename in parts:
                z.writestr(info, parts.pop(info.filename), compress_type=zipfile.ZIP_DEFLATED)
            else:
                z.writestr(info, src.read(info.filename), compress_type=info.compress_type)
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


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
    for index, sheet in reversed(list(enumerate(sheets_el))):
        if sheet.get("name") not in contract.COMPUTED_SHEETS:
            continue
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
    views = wb_xml.find(f"{_M}bookViews")
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



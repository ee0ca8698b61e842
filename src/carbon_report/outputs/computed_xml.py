"""The computed sheets (computed.SheetTable) as SpreadsheetML parts, written as text.

workbook.py grafts these parts into a copy of the input package. They used to be drawn by openpyxl in a
workbook of their own, saved, and parsed back to be restyled: two thirds of the write time of a 300-row
workbook (issue 19). Here each cell is one string, its style an index into the styles the graft appends to
the input's styles.xml, and strings are inline, so the input's sharedStrings.xml is never touched.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from carbon_report.core import contract
from carbon_report.io.package import NS
from carbon_report.outputs.computed import NO_VALUE, SheetTable

MAIN_NS = NS.MAIN
REL_NS = NS.R
DRAWING_TYPE = f"{REL_NS}/drawing"
CHART_TYPE = f"{REL_NS}/chart"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

# The look of the computed sheets. Colours are ARGB as openpyxl wrote them (alpha 00).
_BODY_FONT = '<font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/><scheme val="minor"/></font>'
_FONTS = {
    None: _BODY_FONT,
    "bold": '<font><b val="1"/><name val="Calibri"/><family val="2"/><sz val="11"/></font>',
    "link": '<font><name val="Calibri"/><family val="2"/><color rgb="000563C1"/><sz val="11"/><u val="single"/></font>',
    "error": '<font><b val="1"/><name val="Calibri"/><family val="2"/><color rgb="00C00000"/><sz val="11"/></font>',
    "warning": '<font><name val="Calibri"/><family val="2"/><color rgb="009C5700"/><sz val="11"/></font>',
}
_HEAD_FILL = '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/><bgColor rgb="00000000"/></patternFill></fill>'
_SIDE = '<{0} style="thin"><color rgb="00A6A6A6"/></{0}>'
_BORDER = "<border>" + "".join(_SIDE.format(s) for s in ("left", "right", "top", "bottom")) + "<diagonal/></border>"
_ALIGN = {
    "head": '<alignment horizontal="center" vertical="center" wrapText="1"/>',
    "top": '<alignment vertical="top"/>',
    "wrap": '<alignment vertical="top" wrapText="1"/>',
    "centre": '<alignment horizontal="center" vertical="top"/>',  # "/" (no value) in a column of numbers
}
# Excel's built-in number formats (ECMA-376 §18.8.30) need no <numFmt> of their own.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_DEFAULT_NUMBER_FORMAT = "#,##0.####"  # General would print 3865000 as 3.865E+06 in a narrow column

# Page geometry for printing: A4 landscape, narrow side margins. Column widths are in digit widths of the
# workbook's default font: 7.4 px at 96 dpi for Calibri 11 (Excel, WPS), 9.3 px where LibreOffice replaces
# Calibri by DejaVu Sans (measured on its PDF). A page must hold its columns in either, so the wider counts.
# A CJK character is about two Calibri digits wide; CJK lines are taller than Latin ones.
_A4_LANDSCAPE_IN = 11.69
_SIDE_MARGIN_IN = 0.4
_PX_PER_CHAR = 9.5
_LINE_PT = 16.5
_PIE_EMU = (5760000, 3240000)  # 16 cm × 9 cm
_LINE_EMU = (5760000, 2880000)  # 16 cm × 8 cm
_ROWS_PER_CHUNK = 500

# Characters XML 1.0 cannot hold (openpyxl refused them with IllegalCharacterError).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Styles:
    """The fonts, fill, border, number formats and cell formats the computed sheets add to the input's
    styles.xml, numbered after what the input already has (`*_base`, from the input's styles.xml)."""

    font_base: int
    fill_base: int
    border_base: int
    xf_base: int
    format_ids: dict[str, int]  # format code → numFmtId already in the input
    next_format_id: int
    fonts: list[str | None] = field(default_factory=list)
    new_formats: dict[str, int] = field(default_factory=dict)
    xfs: dict[tuple[str, str | None, bool, str], int] = field(default_factory=dict)  # (fmt, font, body, align)

    def _font(self, key: str | None) -> int:
        if key not in self.fonts:
            self.fonts.append(key)
        return self.font_base + self.fonts.index(key)

    def _format(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code in self.format_ids:
            return self.format_ids[code]
        if code not in self.new_formats:
            self.new_formats[code] = self.next_format_id
            self.next_format_id += 1
        return self.new_formats[code]

    def xf(self, fmt: str = "General", font: str | None = None, *, body: bool = True, align: str = "top") -> int:
        """The index in the merged cellXfs of a body cell (bordered), a header cell (bordered, filled) or a
        title (`body=False`, `align=""`: bold text only)."""
        key = (fmt, font, body, align)
        if key not in self.xfs:
            self._font(font)
            self._format(fmt)
            self.xfs[key] = self.xf_base + len(self.xfs)
        return self.xfs[key]

    def font_xml(self) -> list[str]:
        return [_FONTS[f] for f in self.fonts]

    def fill_xml(self) -> list[str]:
        return [_HEAD_FILL]

    def border_xml(self) -> list[str]:
        return [_BORDER]

    def format_xml(self) -> list[str]:
        return [f"<numFmt numFmtId=\"{i}\" formatCode={quoteattr(c)}/>" for c, i in self.new_formats.items()]

    def xf_xml(self) -> list[str]:
        out = []
        for fmt, font, body, align in self.xfs:
            fill = self.fill_base if align == "head" else 0
            border = self.border_base if body else 0
            attrs = (f'numFmtId="{self._format(fmt)}" fontId="{self._font(font)}" fillId="{fill}" '
                     f'borderId="{border}" xfId="0"')
            if fmt != "General":
                attrs += ' applyNumberFormat="1"'
            attrs += ' applyFont="1"' + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if body else "")
            if align:
                out.append(f'<xf {attrs} applyAlignment="1">{_ALIGN[align]}</xf>')
            else:
                out.append(f"<xf {attrs}/>")
        return out


@dataclass(frozen=True)
class SheetPart:
    """One computed sheet: its worksheet XML, and its pie chart's drawing and chart parts when it has one."""

    name: str
    chunks: Iterator[str]  # the worksheet XML, read once, as graft writes it
    active: bool
    print_titles: str  # the _xlnm.Print_Titles formula
    drawing: str | None = None  # wsDr XML, whose chart relationship is rId1
    chart: str | None = None


@cache
def _char_width(ch: str) -> float:
    return 2.05 if unicodedata.east_asian_width(ch) in "WF" else 1.0


@lru_cache(maxsize=8192)
def _text_width(text: str) -> float:
    """Width of text in digit widths: CJK and full-width characters count about two. (The same stage
    names, units and sources recur on every row: a third of writing a sheet went here before the caches.)"""
    return float(len(text)) if text.isascii() else sum(map(_char_width, text))


def _lines(value: object, width: float) -> int:
    """Lines a wrapped cell needs: Excel keeps the height of rows it did not draw itself, so rows with
    wrapped text are given their height here (generously: a clipped last line would hide text)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1.0, width - 1)
    return sum(max(1, math.ceil(_text_width(part) / per_line)) for part in value.split("\n"))


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _cell(ref: str, style: int, value: object) -> str:
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'  # str of a float is its shortest repr
    # Text copied from input cells stays text ("=…" is never a formula here: there is no <f>).
    text = escape(_ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def sheet_part(t: SheetTable, styles: Styles) -> SheetPart:
    """The sheet's XML comes as a stream of chunks (a few hundred rows each), written into the zip as they are
    made: a 20,000-row 计算明细 held whole as text was ~200 MB at once. Its cell formats reach `styles` as the
    stream is read, so the styles part is written after the sheets."""
    letters = [get_column_letter(j + 1) for j in range(max([len(t.header), len(t.widths), *map(len, t.rows)], default=1))]
    top = 2 if t.title else 1
    last_row = top + len(t.rows)
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>' for j, w in enumerate(t.widths))
    name = _quote_sheet(t.name)
    titles = f"{name}!${top}:${top}"
    wide = bool(t.page_starts)
    if wide:
        margins = f'<pageMargins left="{_SIDE_MARGIN_IN}" right="{_SIDE_MARGIN_IN}" top="1" bottom="1" header="0.5" footer="0.5"/>'
        scale, breaks = _pages_wide(t)
        setup = f'<pageSetup orientation="landscape" paperSize="9" scale="{scale}"/>'
        if breaks:
            setup += (f'<colBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">'
                      + "".join(f'<brk id="{b}" min="0" max="16383" man="1"/>' for b in breaks) + "</colBreaks>")
        if t.repeat_cols:
            titles += f",{name}!$A:${letters[t.repeat_cols - 1]}"
    else:
        margins = '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        setup = '<pageSetup orientation="landscape" paperSize="9" fitToWidth="1" fitToHeight="0"/>'
    selected = ' tabSelected="1"' if t.active else ""
    first = f"A{top + 1}"
    head_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                f'<sheetPr><pageSetUpPr fitToPage="{0 if wide else 1}"/></sheetPr>'
                f'<dimension ref="A1:{letters[-1]}{last_row}"/>'
                f'<sheetViews><sheetView{selected} workbookViewId="0">'
                f'<pane ySplit="{top}" topLeftCell="{first}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{first}" sqref="{first}"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
    tail_xml = margins + setup + ('<drawing r:id="rId1"/>' if t.chart else "") + "</worksheet>"

    def chunks() -> Iterator[str]:
        rows: list[str] = [head_xml]
        if t.title:
            # merged over the table's columns and wrapped there: left to overflow, a long note widened the
            # fit-to-page print area and shrank the whole sheet (范围汇总, 历年对比 printed unreadably small)
            lines = _lines(str(t.title), sum(t.widths) if t.widths else 60)
            ht = f' ht="{lines * _LINE_PT:g}" customHeight="1"' if lines > 1 else ""
            rows.append(f'<row r="1"{ht}>{_cell("A1", styles.xf(font="bold", body=False, align="wrap"), t.title)}</row>')
        head = styles.xf(font="bold", align="head")
        header_lines = max((_lines(h, t.widths[j]) for j, h in enumerate(t.header) if j < len(t.widths)), default=1)
        ht = f' ht="{header_lines * _LINE_PT:g}" customHeight="1"' if header_lines > 1 else ""
        rows.append(f'<row r="{top}"{ht}>' + "".join(_cell(f"{letters[j]}{top}", head, h)
                                                     for j, h in enumerate(t.header)) + "</row>")
        findings = t.name == contract.SHEET_FINDINGS
        links: list[str] = []
        merges = [f"A1:{letters[-1]}1"] if t.title and len(letters) > 1 else []
        full_width = sum(t.widths[:len(letters)]) if t.widths else 60
        for i, row in enumerate(t.rows):
            r = top + 1 + i
            if _is_note(row, t):  # "注：…" under a table: wrapped within the table's width, as the title
                lines = _lines(row[0], full_width)
                ht = f' ht="{lines * _LINE_PT:g}" customHeight="1"' if lines > 1 else ""
                rows.append(f'<row r="{r}"{ht}>{_cell(f"A{r}", styles.xf(body=False, align="wrap"), row[0])}</row>')
                merges.append(f"A{r}:{letters[-1]}{r}")
                continue
            lines = 1
            cells = []
            for j, v in enumerate(row):
                ref = f"{letters[j]}{r}"
                fmt = (t.cell_formats.get((i, j)) or t.number_formats.get(j) or _DEFAULT_NUMBER_FORMAT) \
                    if _is_number(v) else "General"
                font = None
                if (i, j) in t.links:
                    links.append(f"<hyperlink ref=\"{ref}\" location={quoteattr(t.links[(i, j)])}/>")
                    font = "link"
                elif findings and j == 1:
                    font = "error" if v == "错误" else "warning"
                wrap = j in t.wrap
                if wrap and j < len(t.widths):
                    lines = max(lines, _lines(v, t.widths[j]))
                align = "centre" if v == NO_VALUE else "wrap" if wrap else "top"
                cells.append(_cell(ref, styles.xf(fmt, font, align=align), v))
            ht = f' ht="{lines * _LINE_PT:g}" customHeight="1"' if lines > 1 else ""
            rows.append(f'<row r="{r}"{ht}>' + "".join(cells) + "</row>")
            if len(rows) >= _ROWS_PER_CHUNK:
                yield "".join(rows)
                rows = []
        rows.append("</sheetData>")
        if merges:
            rows.append(f'<mergeCells count="{len(merges)}">'
                        + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
        if links:
            rows.append(f"<hyperlinks>{''.join(links)}</hyperlinks>")
        rows.append(tail_xml)
        yield "".join(rows)

    drawing = chart = None
    if t.chart:
        drawing, chart = _line(t, top) if t.chart.get("kind") == "line" else _pie(t, top)
    return SheetPart(t.name, chunks(), t.active, titles, drawing, chart)


def _is_note(row: list[object], t: SheetTable) -> bool:
    """A row holding only a long text in its first cell (a note under the table), wider than that column."""
    return (len(row) > 1 and isinstance(row[0], str) and all(v is None or v == "" for v in row[1:])
            and bool(t.widths) and _text_width(row[0]) > t.widths[0])


def _pages_wide(t: SheetTable) -> tuple[int, list[int]]:
    """A table too wide for one page prints over several, split at `t.page_starts`, with its first
    `t.repeat_cols` columns and its header row on every page, at one scale that fits the widest page.
    (Fit-to-width would shrink all 21 columns of 计算明细 onto one A4 width, about 4 pt, and Excel ignores
    manual page breaks under fit-to-width, so the scale is worked out here.)"""
    starts = [*sorted(t.page_starts), len(t.widths)]
    widest = 0.0
    breaks = []
    for k, (a, b) in enumerate(zip(starts, starts[1:], strict=False)):
        cols = list(range(a, b)) if k == 0 else [*range(t.repeat_cols), *range(max(a, t.repeat_cols), b)]
        widest = max(widest, sum(t.widths[j] for j in cols) * _PX_PER_CHAR)
        if k:
            breaks.append(a)
    printable = (_A4_LANDSCAPE_IN - 2 * _SIDE_MARGIN_IN) * 96
    scale = max(10, min(100, math.floor(100 * printable / widest))) if widest else 100
    return scale, breaks


_A_NS = f'xmlns:a="{NS.A}"'


@dataclass(frozen=True)
class _Series:
    """The cells a table's chart draws: its `label_col` and `value_col` over rows `first`…`last`."""

    sheet: str  # quoted and escaped for a formula in XML
    label: str  # column letters
    value: str
    first: int
    last: int

    def cells(self, col: str) -> str:
        return f"{self.sheet}!${col}${self.first}:${col}${self.last}"


def _series(t: SheetTable, top: int) -> _Series:
    ch = t.chart or {}
    return _Series(escape(_quote_sheet(t.name)), get_column_letter(int(ch["label_col"]) + 1),  # type: ignore[call-overload]
                   get_column_letter(int(ch["value_col"]) + 1),  # type: ignore[call-overload]
                   top + 1 + int(ch["first"]), top + 1 + int(ch["last"]))  # type: ignore[call-overload]


def _str_cache(values: list[object]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>' for i, v in enumerate(values))
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _num_cache(values: list[object]) -> str:
    """Cached numbers (a "/" or blank cell is left out: no point, as Excel caches it)."""
    pts = "".join(f'<c:pt idx="{i}"><c:v>{float(v)!r}</c:v></c:pt>' for i, v in enumerate(values)
                  if _is_number(v))
    return f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>{pts}</c:numCache>'


def _column(t: SheetTable, key: str) -> list[object]:
    ch = t.chart or {}
    col, first, last = int(ch[key]), int(ch["first"]), int(ch["last"])  # type: ignore[call-overload]
    return [r[col] if col < len(r) else None for r in t.rows[first:last + 1]]


def _chart_space(title: object, plot: str, legend: str = "") -> str:
    """A chart part: its title, the plot area `plot`, an optional legend."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<c:chartSpace xmlns:c="{NS.C}" {_A_NS}><c:chart>'
            f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{escape(str(title))}</a:t>'
            '</a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
            f"<c:plotArea>{plot}</c:plotArea>{legend}"
            '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def _pie(t: SheetTable, top: int) -> tuple[str, str]:
    s = _series(t, top)
    chart = _chart_space(
        (t.chart or {})["title"],
        '<c:pieChart><c:varyColors val="1"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        '<c:tx><c:v>排放量 tCO2e</c:v></c:tx>'
        f"<c:cat><c:strRef><c:f>{s.cells(s.label)}</c:f>{_str_cache(_column(t, 'label_col'))}</c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>{s.cells(s.value)}</c:f>{_num_cache(_column(t, 'value_col'))}</c:numRef></c:val>"
        "</c:ser>"
        '<c:dLbls><c:showLegendKey val="0"/><c:showVal val="0"/><c:showCatName val="0"/><c:showSerName val="0"/>'
        '<c:showPercent val="1"/><c:showBubbleSize val="0"/></c:dLbls><c:firstSliceAng val="0"/></c:pieChart>',
        '<c:legend><c:legendPos val="r"/><c:overlay val="0"/></c:legend>')
    return _drawing(top + len(t.rows) + 2, _PIE_EMU), chart


def _line(t: SheetTable, top: int) -> tuple[str, str]:
    """A line over the table's rows (历年对比: each year's total), the series named by its column's header."""
    s = _series(t, top)
    axis_title = ('<c:title><c:tx><c:rich><a:bodyPr rot="-5400000" vert="horz"/><a:p><a:pPr><a:defRPr/></a:pPr>'
                  '<a:r><a:t>tCO2e</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>')
    chart = _chart_space(
        (t.chart or {})["title"],
        '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/><c:ser><c:idx val="0"/>'
        f'<c:order val="0"/><c:tx><c:strRef><c:f>{s.sheet}!${s.value}${top}</c:f>'
        f'{_str_cache([t.header[int((t.chart or {})["value_col"])]])}</c:strRef></c:tx>'  # type: ignore[call-overload]
        '<c:marker><c:symbol val="circle"/><c:size val="6"/></c:marker>'
        f"<c:cat><c:numRef><c:f>{s.cells(s.label)}</c:f>{_num_cache(_column(t, 'label_col'))}</c:numRef></c:cat>"
        f"<c:val><c:numRef><c:f>{s.cells(s.value)}</c:f>{_num_cache(_column(t, 'value_col'))}</c:numRef></c:val>"
        '<c:smooth val="0"/></c:ser><c:marker val="1"/><c:axId val="10"/><c:axId val="100"/></c:lineChart>'
        '<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="100"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="100"/><c:scaling><c:orientation val="minMax"/><c:min val="0"/></c:scaling>'
        '<c:delete val="0"/>'
        f'<c:axPos val="l"/><c:majorGridlines/>{axis_title}<c:numFmt formatCode="#,##0" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>')
    return _drawing(top + len(t.rows) + 2, _LINE_EMU), chart


def _drawing(anchor_row: int, size: tuple[int, int]) -> str:
    """A sheet's drawing holding one chart (relationship rId1), its top-left corner at column A of the
    0-based `anchor_row`."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{NS.XDR}" '
        f'{_A_NS}><xdr:oneCellAnchor>'
        f"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{anchor_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f'<xdr:ext cx="{size[0]}" cy="{size[1]}"/>'
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="1" name="Chart 1"/><xdr:cNvGraphicFramePr/>'
        '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        f'<a:graphicData uri="{NS.C}">'
        f'<c:chart xmlns:c="{NS.C}" '
        f'xmlns:r="{REL_NS}" r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
        "</xdr:oneCellAnchor></xdr:wsDr>")

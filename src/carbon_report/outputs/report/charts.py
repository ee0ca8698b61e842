"""Native Word charts: DrawingML chart parts (`word/charts/chartN.xml`) with their data in an embedded
workbook, so a consultant can restyle a chart and use Word's 编辑数据, and LibreOffice draws it for the PDF.

    spec = ChartSpec(kind="bar", title="2024 年各阶段碳排放占比", categories=[...],
                     series=[ChartSeries("占比", [58.99, 40.22, ...])], number_format='0.00"%"')
    run = add_chart(document_part, spec)      # a ChartRun for a `{{r … }}` tag

Every chart of the report goes through `add_chart`; a new view (scopes, sites, months, years) adds a chart
by building a ChartSpec from its data. Category and series names are the data's own Chinese text, written
into the chart part's caches and the embedded workbook: no font lookup can turn them into another language.

Why the XML is written here and not by python-pptx (evaluated 2026-12-02 with python-pptx 1.0.2): its
`pptx.chart.xmlwriter.ChartXmlWriter` + `ChartData.xlsx_blob` produce the same `c:chartSpace` schema and a
correct embedded workbook, but
- importing them costs about 0.5 s (they import the whole `pptx` package; measured 0.50–0.53 s on top of
  docx, docxtpl and openpyxl already imported), more than rendering a whole report took with two charts;
- its XML is a PowerPoint skeleton that Word needs changed anyway: no `c:lang`, no `c:roundedCorners`
  (Word then draws rounded corners), 18 pt default text, no title, no data labels, no East-Asian font
  (`a:ea`), no reversed category order; setting those through python-pptx's object model needs a
  PowerPoint package (`ChartPart`), so it would be lxml edits on its output;
- it adds two dependencies (python-pptx, XlsxWriter) for ~150 lines of XML that the ECMA-376 schema fixes.
So the chart XML is written here in schema order, and the embedded workbook with openpyxl, which the
product already depends on.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# the chart as data lives in core (the report views carry it); drawn here
from carbon_report.core.report.charts import GREEN as GREEN
from carbon_report.core.report.charts import GREY as GREY
from carbon_report.core.report.charts import GRID, ChartSpec
from carbon_report.core.report.charts import ChartSeries as ChartSeries
from carbon_report.io.package import NS, RT

C_NS = NS.C
A_NS = NS.A
R_NS = NS.R
WP_NS = NS.WP
RT_CHART = RT.CHART
RT_PACKAGE = RT.PACKAGE
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EMU_PER_MM = 36000
SHEET = "Sheet1"
# The report's fonts (the template's 宋体 / 黑体); LibreOffice maps them to installed CJK fonts (pdf.py).
BODY_FONT, TITLE_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
_FIRST_DOCPR_ID = 10_000  # far above the ids python-docx gives pictures, so the two never meet


# ---- chart XML -------------------------------------------------------------------------------------------


def _rpr(size_pt: float, font: str, *, bold: bool = False, tag: str = "a:defRPr", color: str = "000000") -> str:
    return (f'<{tag} lang="zh-CN" sz="{round(size_pt * 100)}" b="{1 if bold else 0}">'
            f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
            f'<a:latin typeface="{LATIN_FONT}"/><a:ea typeface={quoteattr(font)}/><a:cs typeface="{LATIN_FONT}"/>'
            f"</{tag}>")


def _txpr(size_pt: float, font: str = BODY_FONT, *, bold: bool = False) -> str:
    return (f"<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>{_rpr(size_pt, font, bold=bold)}</a:pPr>"
            '<a:endParaRPr lang="zh-CN"/></a:p></c:txPr>')


def _title(text: str, size_pt: float, font: str = TITLE_FONT) -> str:
    return (f"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>{_rpr(size_pt, font)}</a:pPr>"
            f"<a:r>{_rpr(size_pt, font, tag='a:rPr')}<a:t>{escape(text)}</a:t></a:r></a:p></c:rich></c:tx>"
            '<c:overlay val="0"/></c:title>')


def _fill(color: str) -> str:
    return f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>'


def _line(color: str | None, width_emu: int = 9525) -> str:
    inner = f'<a:ln w="{width_emu}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>' if color \
        else "<a:ln><a:noFill/></a:ln>"
    return f"<c:spPr>{inner}</c:spPr>"


def column_letter(index: int) -> str:
    """0 → A, 1 → B … (the embedded sheet has a handful of columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _num(v: float) -> str:
    return repr(float(v))


def chart_xml(spec: ChartSpec, *, workbook_rid: str | None = "rId1") -> bytes:
    """The `c:chartSpace` part, elements in ECMA-376 schema order."""
    n = len(spec.categories)
    cat_ref = f"{SHEET}!$A$2:$A${n + 1}"
    cat_cache = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(c))}</c:v></c:pt>' for i, c in enumerate(spec.categories))
    values = [v for s in spec.series for v in s.values if v is not None]
    top = max(values + [0.0])
    series_xml = []
    for k, s in enumerate(spec.series):
        col = column_letter(k + 1)
        pts = "".join(f'<c:pt idx="{i}"><c:v>{_num(v)}</c:v></c:pt>' for i, v in enumerate(s.values) if v is not None)
        dpts = "".join(f'<c:dPt><c:idx val="{i}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>{_fill(c)}</c:dPt>'
                       for i, c in enumerate(s.colors) if c)
        series_xml.append(
            f'<c:ser><c:idx val="{k}"/><c:order val="{k}"/>'
            f"<c:tx><c:strRef><c:f>{SHEET}!${col}$1</c:f><c:strCache><c:ptCount val=\"1\"/>"
            f'<c:pt idx="0"><c:v>{escape(s.name)}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
            f'{_fill(s.color)}<c:invertIfNegative val="0"/>{dpts}'
            f'<c:dLbls><c:numFmt formatCode={quoteattr(spec.number_format)} sourceLinked="0"/>'
            '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
            f'{_txpr(9)}<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/>'
            '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
            "</c:dLbls>"
            f"<c:cat><c:strRef><c:f>{cat_ref}</c:f><c:strCache><c:ptCount val=\"{n}\"/>{cat_cache}</c:strCache>"
            "</c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{SHEET}!${col}$2:${col}${n + 1}</c:f><c:numCache>"
            f"<c:formatCode>{escape(spec.number_format)}</c:formatCode><c:ptCount val=\"{n}\"/>{pts}</c:numCache>"
            "</c:numRef></c:val></c:ser>")
    horizontal = spec.kind == "bar"
    # horizontal bars read top-down in the data's order: categories reversed, value axis at the bottom
    cat_orientation = "maxMin" if horizontal else "minMax"
    val_crosses = "max" if horizontal else "autoZero"
    legend = ('<c:legend><c:legendPos val="b"/><c:overlay val="0"/>' + _txpr(9) + "</c:legend>"
              if len(spec.series) > 1 else "")
    val_max = f'<c:max val="{_num(top * spec.headroom)}"/>' if top > 0 else ""
    val_title = _title(spec.value_axis_title, 9, BODY_FONT) if spec.value_axis_title else ""
    external = (f'<c:externalData r:id="{workbook_rid}"><c:autoUpdate val="0"/></c:externalData>'
                if workbook_rid else "")
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:date1904 val="0"/><c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        f"<c:chart>{_title(spec.title, 10.5) if spec.show_title else ''}"
        f'<c:autoTitleDeleted val="{0 if spec.show_title else 1}"/>'
        "<c:plotArea><c:layout/>"
        f'<c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/><c:grouping val="clustered"/>'
        f'<c:varyColors val="0"/>{"".join(series_xml)}<c:gapWidth val="60"/>'
        '<c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>'
        '<c:catAx><c:axId val="500000001"/>'
        f'<c:scaling><c:orientation val="{cat_orientation}"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"l" if horizontal else "b"}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{_line("808080")}{_txpr(9)}<c:crossAx val="500000002"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="500000002"/>'
        f'<c:scaling><c:orientation val="minMax"/>{val_max}<c:min val="0"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"b" if horizontal else "l"}"/>'
        f"<c:majorGridlines>{_line(GRID)}</c:majorGridlines>{val_title}"
        f'<c:numFmt formatCode={quoteattr(spec.axis_format)} sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{_line(None)}{_txpr(8)}<c:crossAx val="500000001"/><c:crosses val="{val_crosses}"/>'
        '<c:crossBetween val="between"/></c:valAx>'
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>'
        f'{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
        f"{_txpr(9)}{external}</c:chartSpace>")
    return xml.encode("utf-8")


def chart_workbook(spec: ChartSpec) -> bytes:
    """The embedded workbook behind 编辑数据: categories in column A, one column per series, the same cells
    the chart part's formulas (`Sheet1!$A$2:$A$N` …) point at."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(1, 1, "")
    for k, s in enumerate(spec.series, start=2):
        ws.cell(1, k, s.name)
    for i, c in enumerate(spec.categories, start=2):
        ws.cell(i, 1, str(c)).data_type = "s"
        for k, s in enumerate(spec.series, start=2):
            v = s.values[i - 2] if i - 2 < len(s.values) else None
            if v is not None:
                ws.cell(i, k, float(v)).number_format = spec.number_format
    ws.column_dimensions["A"].width = max([12] + [2.2 * len(str(c)) + 2 for c in spec.categories])
    for k in range(2, len(spec.series) + 2):
        ws.column_dimensions[column_letter(k - 1)].width = max(12, 2.2 * len(spec.series[k - 2].name) + 2)
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "carbon-report"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- into the .docx --------------------------------------------------------------------------------------


class ChartRun:
    """A chart as a whole run for a `{{r … }}` tag (render.py prints a ChartSpec through it)."""

    def __init__(self, xml: str, spec: ChartSpec, partname: str):
        self.xml, self.spec, self.partname = xml, spec, partname

    def __html__(self) -> str:
        return self.xml

    __str__ = __html__

    def __bool__(self) -> bool:
        return True


def inline_xml(rid: str, spec: ChartSpec, docpr_id: int) -> str:
    cx, cy = round(spec.width_mm * EMU_PER_MM), round(spec.height() * EMU_PER_MM)
    name = escape(spec.name or spec.title, {'"': "&quot;"})
    return (f'<w:r><w:drawing><wp:inline xmlns:wp="{WP_NS}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{docpr_id}" name="{name}"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic xmlns:a="{A_NS}"><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="{rid}"/>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>")


def add_chart(document_part: Any, spec: ChartSpec) -> ChartRun:
    """Add the chart part and its embedded workbook to a python-docx document part; the run that shows it."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document_part.package
    chart_name = package.next_partname("/word/charts/chart%d.xml")
    xlsx_name = package.next_partname("/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx")
    xlsx_part = Part(PackURI(xlsx_name), CT_XLSX, chart_workbook(spec), package)
    # the chart part's own relationship to its workbook is rId1 (a fresh part has no other)
    chart_part = Part(PackURI(chart_name), CT_CHART, b"", package)
    rid_wb = chart_part.relate_to(xlsx_part, RT_PACKAGE)
    chart_part._blob = chart_xml(spec, workbook_rid=rid_wb)  # noqa: SLF001 - generic Part keeps its bytes here
    rid = document_part.relate_to(chart_part, RT_CHART)
    number = int("".join(ch for ch in chart_name.rsplit("/", 1)[-1] if ch.isdigit()) or 1)
    return ChartRun(inline_xml(rid, spec, _FIRST_DOCPR_ID + number), spec, str(chart_name))

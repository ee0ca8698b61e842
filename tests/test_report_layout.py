"""What WPS and Word need of the template's layout, read from the committed .docx, and one chart part on its
own (the XML and the embedded workbook behind 编辑数据)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
from lxml import etree

from carbon_report.outputs.report.charts import ChartSeries, ChartSpec, chart_workbook, chart_xml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "report_template.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# A4 210 mm less 31.7 mm margins each side = 146.6 mm = 8312 twips (1 mm = 1440 / 25.4 twips)
TEXT_WIDTH_TWIPS = 8312


def document() -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(TEMPLATE).read("word/document.xml"))


def test_every_table_has_grid_widths_that_fit_the_text_block():
    tables = list(document().iter(f"{W}tbl"))
    assert len(tables) >= 15  # row loops keep one template table per kind
    for tbl in tables:
        cols = [int(g.get(f"{W}w")) for g in tbl.find(f"{W}tblGrid").findall(f"{W}gridCol")]
        assert cols and all(w > 500 for w in cols), cols  # no collapsed column (WPS lays out by gridCol)
        assert TEXT_WIDTH_TWIPS - 5 <= sum(cols) <= TEXT_WIDTH_TWIPS + 2, sum(cols)
        tblw = tbl.find(f"{W}tblPr/{W}tblW")
        assert tblw.get(f"{W}type") == "dxa" and int(tblw.get(f"{W}w")) == sum(cols)
        for tc in tbl.iter(f"{W}tc"):
            assert tc.find(f"{W}tcPr/{W}tcW").get(f"{W}type") == "dxa"


def test_no_theme_fonts_anywhere():
    with zipfile.ZipFile(TEMPLATE) as z:
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml") and "theme" not in name:
                text = z.read(name).decode("utf-8")
                assert not re.search(r'w:(ascii|hAnsi|eastAsia|cs)Theme=', text, re.I), name


def test_headers_break_before_a_bracket_never_inside():
    broken = 0
    for tbl in document().iter(f"{W}tbl"):
        first_row = tbl.find(f"{W}tr")
        for p in first_row.iter(f"{W}p"):
            parts = []
            for r in p.iter(f"{W}r"):
                if r.find(f"{W}br") is not None:
                    parts.append("\n")
                parts += [t.text or "" for t in r.iter(f"{W}t")]
            text = "".join(parts)
            if "\n" in text:
                broken += 1
                before, after = text.split("\n", 1)
                assert after.startswith("（") and "（" not in before, text
    assert broken >= 5  # e.g. 排放量 / （tCO2e）


def test_sign_off_block_is_kept_with_table_a1():
    body = list(document().find(f"{W}body"))
    texts = ["".join(t.text or "" for t in el.iter(f"{W}t")) for el in body]
    a1 = next(i for i, t in enumerate(texts) if "seq_field('表', 'A', '.')" in t)  # the caption of 表 A.1
    sign_off = next(i for i, t in enumerate(texts) if t.startswith("组长"))
    for el in body[a1:sign_off]:  # caption, table rows, note: each paragraph keeps with the next
        for p in ([el] if el.tag == f"{W}p" else el.iter(f"{W}p")):
            ppr = p.find(f"{W}pPr")
            style = ppr.find(f"{W}pStyle").get(f"{W}val") if ppr is not None and ppr.find(f"{W}pStyle") is not None \
                else ""
            keep = ppr is not None and ppr.find(f"{W}keepNext") is not None
            assert keep or style in ("TableCaption", "TableHead"), etree.tostring(p, encoding="unicode")[:200]


def test_a_chart_part_and_its_workbook_carry_the_data():
    spec = ChartSpec(kind="bar", title="2023 年各阶段碳排放占比",
                     categories=["低碳原材料获取", "数智化生产", "数智化采购"],
                     series=[ChartSeries("占比（%）", [98.35, 1.65, None])], number_format='0.00"%"')
    root = etree.fromstring(chart_xml(spec))
    assert root.find(f"{C}lang").get("val") == "zh-CN" and root.find(f"{C}roundedCorners").get("val") == "0"
    cats = [v.text for v in root.iter(f"{C}cat") for v in v.iter(f"{C}v")]
    assert cats == ["低碳原材料获取", "数智化生产", "数智化采购"]
    pts = {p.get("idx"): p.find(f"{C}v").text for p in root.find(f".//{C}val").iter(f"{C}pt")}
    assert pts == {"0": "98.35", "1": "1.65"}  # no point for "no data"
    assert root.find(f".//{C}dLbls/{C}showVal").get("val") == "1"
    assert {e.get("typeface") for e in root.iter(f"{A}ea")} == {"宋体"}  # an explicit East-Asian font
    assert root.find(f"{C}externalData") is not None
    ws = openpyxl.load_workbook(io.BytesIO(chart_workbook(spec))).active
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=4, max_col=2)] == [
        [None, "占比（%）"], ["低碳原材料获取", 98.35], ["数智化生产", 1.65], ["数智化采购", None]]
    f = root.find(f".//{C}cat//{C}f").text
    assert f == "Sheet1!$A$2:$A$4" and ws.title == "Sheet1"

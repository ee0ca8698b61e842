"""Both sample workbooks through the real pipeline (process_file) into a Word report, read back as a signing
consultant would check it: native charts, client-facing wording, gases, targets, cover fields, the 目录.

Expected values are worked out by hand from the samples (samples/*.xlsx) in the comments beside them.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from carbon_report.app.pipeline import Options, check_file, process_file
from carbon_report.outputs import convert
from carbon_report.outputs.report.pdf import find_soffice, find_uno_python

ROOT = Path(__file__).resolve().parents[1]
HUADONG = ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx"
HENAN = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
STAGES_ZH = ["低碳原材料获取", "数智化生产", "数智化采购", "绿色运输", "绿色包装", "绿色回收"]
COMPUTED_SHEET_NAMES = ["计算明细", "校验结果", "排放汇总", "减排目标测算"]
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
R_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
R_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
HAS_LIBREOFFICE = bool(find_soffice() and find_uno_python(find_soffice()))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """Both samples processed with the product's defaults, the 目录 filled when LibreOffice is here."""
    out = tmp_path_factory.mktemp("samples")
    mp = pytest.MonkeyPatch()
    mp.setenv("CARBON_REPORT_TOC", "1")
    try:
        made = {}
        for key, path in (("huadong", HUADONG), ("henan", HENAN)):
            outcome = process_file(path, out, Options())
            assert outcome.status == "ok", [f.message for f in outcome.errors]
            made[key] = Path(outcome.outputs["report"])
        return made
    finally:
        mp.undo()


def paragraphs_text(path: Path) -> list[str]:
    """Each paragraph of the body (tables included) as a reader sees it."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in root.iter(qn("w:p"))]


def rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, name = part.rsplit("/", 1)
    root = etree.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
    return {r.get("Id"): (r.get("Type"), r.get("Target")) for r in root}


def charts_of(path: Path) -> list[dict]:
    """Every chart the document body shows: its categories, values and embedded workbook's categories."""
    z = zipfile.ZipFile(path)
    doc = etree.fromstring(z.read("word/document.xml"))
    doc_rels = rels(z, "word/document.xml")
    found = []
    for ref in doc.iter(f"{C}chart"):
        rtype, target = doc_rels[ref.get(qn("r:id"))]
        assert rtype == R_CHART
        part = f"word/{target}"
        chart = etree.fromstring(z.read(part))
        cats = [v.text for v in chart.find(f".//{C}cat").iter(f"{C}v")]
        vals = {int(pt.get("idx")): float(pt.find(f"{C}v").text) for pt in chart.find(f".//{C}val").iter(f"{C}pt")}
        ext = chart.find(f"{C}externalData")
        rtype, xlsx = rels(z, part)[ext.get(qn("r:id"))]
        assert rtype == R_PACKAGE
        wb = openpyxl.load_workbook(io.BytesIO(z.read(posixpath.normpath(f"word/charts/{xlsx}"))))
        ws = wb.active
        found.append({"categories": cats, "values": vals,
                      "workbook_categories": [ws.cell(r, 1).value for r in range(2, len(cats) + 2)],
                      "workbook_values": [ws.cell(r, 2).value for r in range(2, len(cats) + 2)]})
    return found


@pytest.mark.parametrize("key", ["huadong", "henan"])
def test_charts_are_native_chart_parts_with_chinese_stage_names(reports, key):
    path = reports[key]
    names = zipfile.ZipFile(path).namelist()
    assert "word/charts/chart1.xml" in names and "word/charts/chart2.xml" in names
    assert not any(n.startswith("word/media/") and "chart" in n for n in names)
    charts = charts_of(path)
    # stage shares, then (issue 16) the monthly electricity and fuel chart where the sample gives months, then
    # the target path
    assert len(charts) == (3 if key == "huadong" else 2)
    shares, target = charts[0], charts[-1]
    if key == "huadong":
        monthly = charts[1]
        assert monthly["categories"] == [f"{i}月" for i in range(1, 13)]
        # the power bills: 31.5 万kWh in January, 30 in February, at one factor → the same ratio in tCO2e
        assert monthly["values"][0] / monthly["values"][1] == pytest.approx(31.5 / 30)
    assert shares["categories"] == STAGES_ZH == shares["workbook_categories"]
    assert sum(shares["values"].values()) == pytest.approx(100.0, abs=0.001)  # the shares the tables print
    assert target["categories"][0].endswith("（基准年）")
    # 编辑数据 opens the same numbers the chart shows
    assert [shares["values"].get(i) for i in range(6)] == shares["workbook_values"]


def test_target_chart_shows_every_target_year(reports):
    huadong = charts_of(reports["huadong"])[-1]
    # 2024 base; 2027 a total target (10 %); 2030 only stage targets, so the implied total
    assert huadong["categories"] == ["2024 年（基准年）", "2027 年", "2030 年（隐含）"]
    assert huadong["values"][1] == pytest.approx(6322.14 * 0.9, abs=0.01)
    henan = charts_of(reports["henan"])[-1]
    assert henan["categories"] == ["2023 年（基准年）", "2025 年", "2030 年", "2050 年"]
    assert henan["values"][3] == 0.0  # 100 % by 2050


@pytest.mark.parametrize("key", ["huadong", "henan"])
def test_report_text_is_client_facing(reports, key):
    z = zipfile.ZipFile(reports[key])
    text = "\n".join(paragraphs_text(reports[key]))
    for part in z.namelist():
        if re.match(r"word/(header|footer)\d*\.xml", part):
            text += "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", z.read(part).decode()))
    assert not re.search(r"!\$?[A-Z]{1,3}\$?\d+", text), re.search(r".{20}!\$?[A-Z]{1,3}\$?\d+", text)
    # the company's own texts are printed as written (the 华东 sample's profile says it was made up to
    # demonstrate the tool); everything else is the report's
    own = check_file(HUADONG if key == "huadong" else HENAN).intake.company.texts.values()
    ours = "\n".join(p for p in text.split("\n") if not any(p.strip() and p.strip() in t for t in own))
    assert "本工具" not in ours and "单元格" not in ours
    for name in COMPUTED_SHEET_NAMES:
        assert name not in text, name
    assert "“活动数据”表" not in text and "“排放因子”表" not in text and "无活动数据行" not in text
    method = next(p for p in paragraphs_text(reports[key]) if p.startswith("报告采用"))
    assert re.search(r"排放因子库 \d{4}\.\d+ 版（\d{4}年\d{1,2}月\d{1,2}日）", method), method


def test_gas_sentences_agree_with_the_result(reports):
    # 华东: refrigerant R-410A (an HFC blend), diesel (CO2, CH4, N2O), CO2e material factors
    summary = next(p for p in paragraphs_text(reports["huadong"]) if "按气体核算的温室气体为" in p)
    gases = summary.split("，按")[0]
    assert "R-410A（氢氟碳化物混合制冷剂" in gases
    assert "二氧化碳（CO2）" in gases and "甲烷（CH4）" in gases and "氧化亚氮（N2O）" in gases
    assert "当量" not in gases and "CO2e" not in gases  # CO2e factors are not a gas
    absent = summary[summary.index("未涉及"):]
    assert "氢氟碳化物" not in absent and "全氟化碳（PFCs）" in absent
    # 河南: electricity (CO2) and CO2e material factors only
    summary = next(p for p in paragraphs_text(reports["henan"]) if "按气体核算的温室气体为" in p)
    assert "本报告按气体核算的温室气体为二氧化碳（CO2），" in summary
    assert "甲烷（CH4）、氧化亚氮（N2O）、氢氟碳化物（HFCs）" in summary[summary.index("未涉及"):]
    assert not any("以CO2当量给出的排放因子（CO2e）" in p for p in paragraphs_text(reports["huadong"]))


def table_after(doc, caption_part: str):
    body = list(doc.element.body.iterchildren())
    for i, el in enumerate(body):
        if el.tag == qn("w:p") and caption_part in "".join(t.text or "" for t in el.iter(qn("w:t"))):
            tbl = next(x for x in body[i:] if x.tag == qn("w:tbl"))
            return [["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
                    for tr in tbl.iter(qn("w:tr"))]
    raise AssertionError(caption_part)


def test_implied_total_target_row(reports):
    doc = Document(str(reports["huadong"]))
    rows = table_after(doc, "2030 年绿色低碳数智化碳减排目标")
    implied = next(r for r in rows if r[0].startswith("企业碳排放量合计"))
    assert "隐含" in implied[0]
    stage_targets = [float(r[4].replace(",", "")) for r in rows[1:7] if r[4] != "/"]
    # 3,734.60 × 85 % + 2,543.06 × 70 % + 10.53 × 80 % + 22.14 × 90 % + 11.80 × 90 % ≈ 4,993.52
    assert float(implied[4].replace(",", "")) == pytest.approx(sum(stage_targets), abs=0.03)
    assert float(implied[4].replace(",", "")) == pytest.approx(4993.52, abs=0.02)
    assert implied[2] == "6,322.14" and implied[3] == "21.02%"  # 1 − 4,993.5 / 6,322.14
    text = "\n".join(paragraphs_text(reports["huadong"]))
    assert "企业未直接设定 2030 年企业碳排放总量目标" in text
    assert "2030 年各阶段目标合计 4,993.5" in text


def test_measures_table_has_a_total_row(reports):
    rows = table_after(Document(str(reports["henan"])), "附表 2-1 企业碳减排技术清单")
    total = rows[-1]
    assert total[1] == "企业碳排放量合计" and total[2] == "2,502.53"
    # the seed's investment estimates 2-3, 0.5-1 and four of 0-0.5 add up to 2.5-6 (万元)
    assert total[5] == "2.5-6"


def _blank_cover_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "blank_cover.xlsx"
    shutil.copy(HENAN, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb["企业信息"]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value in ("报告编号", "报告日期", "技术服务机构名称", "组长", "技术复核人", "批准人", "复核日期",
                            "批准日期"):
            row[1].value = None
    for sheet in ("产品产量", "减排技术"):
        wb[sheet].delete_rows(2, wb[sheet].max_row)
    wb.save(copy)
    return copy


def test_blank_cover_fields_give_placeholders_and_warnings(tmp_path):
    outcome = process_file(_blank_cover_copy(tmp_path), tmp_path / "out", Options())
    assert outcome.status == "ok", [f.message for f in outcome.errors]
    blank = [f for f in outcome.findings if f.code == "W-COVER-FIELD-BLANK"]
    assert sorted(f.cell for f in blank) == ["B11", "B12", "B13", "B17", "B19", "B21"]
    assert all(f.sheet == "企业信息" and f.severity == "warning" for f in blank)
    assert [f.code for f in outcome.findings].count("W-PRODUCTS-EMPTY") == 1
    assert [f.code for f in outcome.findings].count("W-MEASURES-EMPTY") == 1
    path = Path(outcome.outputs["report"])
    paras = paragraphs_text(path)
    for line in ("报告编号：【待填写：报告编号】", "编制单位：【待填写：技术服务机构名称】", "日　　期：【待填写：报告日期】"):
        assert line in paras
    conclusion = next(p for p in paras if "委托第三方技术服务机构" in p)
    assert "委托第三方技术服务机构【待填写：技术服务机构名称】编制其 2023 年度" in conclusion
    for who in ("组长", "技术复核人", "批准人"):
        assert f"【待填写：{who}】" in paras
    doc = Document(str(path))
    marked = [r for p in doc.paragraphs for r in p.runs if r.text == "【待填写：报告编号】"]
    assert marked and marked[0]._r.find(qn("w:rPr")).find(qn("w:highlight")).get(qn("w:val")) == "yellow"
    assert "单位产品碳排放强度（" not in "\n".join(paras)  # no product, no per-product intensity


def test_filled_cover_fields_give_no_such_warning(reports):
    outcome = process_file(HENAN, reports["henan"].parent / "again", Options(report=False))
    assert not [f for f in outcome.findings if f.code in ("W-COVER-FIELD-BLANK", "W-PRODUCTS-EMPTY",
                                                            "W-MEASURES-EMPTY")]


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason="LibreOffice with UNO is not installed")
@pytest.mark.parametrize("key", ["huadong", "henan"])
def test_docx_contents_page_is_filled(reports, key):
    doc = Document(str(reports[key]))
    entries = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert len(entries) >= 40  # every heading of levels 1–3
    assert re.fullmatch(r"1 概论\t1", entries[0])
    assert any(re.fullmatch(r"2\.3\.3 计算结果\t\d+", e) for e in entries)
    assert all(re.search(r"\t\d+$", e) for e in entries)
    body = doc.element.body
    instr = "".join(t.text for t in body.iter(qn("w:instrText")))
    assert "TOC" in instr  # still a field: 右键“更新域” refreshes it
    # filled, so Word need not ask to update fields on every open; each entry links to its heading (\\h)
    assert doc.settings.element.find(qn("w:updateFields")) is None
    assert not any(fc.get(qn("w:dirty")) == "true" for fc in body.iter(qn("w:fldChar")))
    anchors = [h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))]
    marks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    assert len(anchors) == len(entries) and set(anchors) <= marks


def test_without_libreoffice_the_field_is_kept_and_said_once(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CARBON_REPORT_SOFFICE", raising=False)
    monkeypatch.setenv("CARBON_REPORT_TOC", "1")
    monkeypatch.setattr(convert, "_said", False)
    first = process_file(HENAN, tmp_path / "a", Options())
    second = process_file(HENAN, tmp_path / "b", Options())
    said = [n for o in (first, second) for n in o.notices if "目录" in n]
    assert len(said) == 1 and "未找到 LibreOffice" in said[0]
    paras = paragraphs_text(Path(first.outputs["report"]))
    assert any("目录将在打开文档时更新" in p for p in paras)

"""From the sample workbook through the pipeline to the Word report."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from carbon_report.app.pipeline import Options, process_file
from carbon_report.outputs.report import fingerprint

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
NAME = "河南云乔电力通讯设施有限公司"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="sample workbook missing")


def _table_rows(doc, caption_start: str):
    body = doc.element.body
    seen = False
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(child.itertext()).startswith(caption_start):
            seen = True
        elif seen and tag == "tbl":
            from docx.table import Table

            return [[c.text.strip() for c in r.cells] for r in Table(child, doc).rows]
    raise AssertionError(caption_start)


def test_sample_to_report(tmp_path):
    outcome = process_file(SAMPLE, tmp_path, Options())
    assert outcome.status == "ok", outcome.errors
    report = Path(outcome.outputs["report"])
    assert report.name == f"{SAMPLE.stem}_评价报告.docx" and fingerprint.is_unedited(report)
    doc = Document(str(report))
    text = "\n".join(p.text for p in doc.paragraphs)
    with zipfile.ZipFile(report) as z:
        xml = z.read("word/document.xml").decode()
    assert "{{" not in xml and "{%" not in xml
    a1 = {r[1]: r for r in _table_rows(doc, "表 A.1")[1:]}
    assert a1["企业碳排放量合计（1+2+3+4+5+6）"][3:5] == ["2,502.53", "100.00%"]
    assert a1["数智化生产阶段碳排放量"][3] == "41.39"
    assert a1["绿色运输阶段碳排放量"][3] == "/"
    assert a1["单位产品碳排放强度（非预应力电杆）"][3] == "0.5359"
    assert "【评价结论待填写】" in text  # the sample leaves 评价结论 to the consultant
    assert f"报告编号：{outcome.intake.company.text('report_no')}" in text
    assert outcome.library_version in text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for section in ("核算边界", "排除的排放源及数据缺口", "2030 年碳减排目标", "附件 2：企业碳减排技术清单"):
        assert section in headings  # numbered by the heading list (tests/test_report_native.py)


def test_rerun_keeps_an_edited_report(tmp_path):
    first = process_file(SAMPLE, tmp_path, Options())
    report = Path(first.outputs["report"])
    again = process_file(SAMPLE, tmp_path, Options())
    assert again.outputs["report"] == str(report) and not again.notices  # unedited: replaced

    doc = Document(str(report))  # a consultant edits and saves in Word
    doc.paragraphs[0].add_run("修改")
    doc.save(str(report))
    edited = report.read_bytes()
    third = process_file(SAMPLE, tmp_path, Options())
    assert Path(third.outputs["report"]).name.endswith("_评价报告_v2.docx")
    assert any("_v2.docx" in n for n in third.notices)
    assert report.read_bytes() == edited
    forced = process_file(SAMPLE, tmp_path, Options(force=True))
    assert forced.outputs["report"] == str(report) and fingerprint.is_unedited(report)

"""Pieces of the report on their own: runs, caption numbers, base year from history."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from carbon_report.core.model import HistoryRow
from carbon_report.outputs.report.context import Sequence
from carbon_report.outputs.report.render import render_bytes
from carbon_report.outputs.report.rich import Rich, clean, placeholder
from report_fixtures import calc, seed_intake


def test_rich_subscripts_escapes_and_highlight():
    r = Rich("tCO2e/MWh & <CH4>")
    assert r.plain == "tCO2e/MWh & <CH4>"
    assert '<w:vertAlign w:val="subscript"/></w:rPr><w:t xml:space="preserve">2</w:t>' in r.xml
    assert "&amp;" in r.xml and "&lt;" in r.xml
    assert "HFC-134a" in Rich("HFC-134a").xml and "subscript" not in Rich("HFC-134a").xml
    assert '<w:highlight w:val="yellow"/>' in placeholder("【评价结论待填写】").xml
    assert clean("a\x07b\x0cc\x00") == "abc"


def test_sequence_numbers_each_kind_and_chapter():
    seq = Sequence()
    assert [seq("表", 2), seq("表", 2), seq("图", 2), seq("表", 3), seq("表", "A", "."), seq("表", 2, key="f")] == \
        ["2-1", "2-2", "2-1", "3-1", "A.1", "2-3"]
    assert seq.ref("f") == "表 2-3" and seq.ref("nope") == "下表"


def test_base_year_from_history(tmp_path: Path):
    history = (HistoryRow(2022, None, 3000.0, 2), HistoryRow(2022, None, 0.0, 3))
    intake = seed_intake(base_year=2022, history=history)
    data, ctx = render_bytes(intake, calc(intake), [], workbook_dir=tmp_path)
    out = tmp_path / "r.docx"
    out.write_bytes(data)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "基准年：设定为 2022 年" in text
    assert "取自企业提供的 2022 年排放数据（合计 3,000.00 tCO2e）" in text
    assert "2030 年企业碳排放总量较基准年降低 50%（目标值 1,500.00 tCO2e）" in text

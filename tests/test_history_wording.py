"""Issue 26, item 3: the history in client wording. A base year recalculated for a factor change, a method
change and a boundary change: the report states each reason by the factor's name, value (four significant
digits, unit) and edition year and by the year, and nowhere names a file, an ISO date or a code.

Every figure below is worked out by hand:
  2023 (the base year's workbook, 报告日期 2024-07-20):
    电力 900 MWh, code blank: the grid default published by 2024-07-20 is 全国电力平均二氧化碳排放因子（2021年）
      0.5568 kgCO2/kWh (library.csv, published 2024-04-12)                       → 501.12 t
    钢筋 100 t at the library's 热轧碳钢钢筋 2340 kgCO2e/t (GB/T 51366-2019)       → 234.00 t
    水泥 100 t at 二厂, the client's own T-ONE 1 tCO2e/t                            → 100.00 t
    as reported 835.12 t
  2024 (this report, 报告日期 2026-03-01): 电力 800 MWh (default now the 2023 average 0.5306, published
    2025-12-31), 钢筋 90 t at the client's own supplier factor T-REBAR 2.1 tCO2e/t, no 二厂.
  2023 recalculated under 2024's methodology and boundary:
    电力: the grid average of 2023's own data year, 0.5306: 900 × (0.5306 − 0.5568) = −23.58 (a factor change)
    钢筋: the client's own factor for a library one (a change of method): 100 × (2.1 − 2.34) = −24.00
    水泥 at 二厂: the site is outside 2024's boundary (a boundary change): −100.00
    recalculated 835.12 − 147.58 = 687.54; Σ|effect| 147.58 / 835.12 = 17.67 % ≥ 5 %: the base year is recalculated.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from carbon_report.core import contract
from workbooks import SEED_COMPANY, build

FACTORS = [
    ["T-ONE", "水泥（供应商）", "CO2e", 1, "tCO2e/t", "供应商声明"],
    ["T-REBAR", "钢筋（供应商声明）", "CO2e", 2.1, "tCO2e/t", "供应商声明"],
]

FACTOR_CHANGE = ("2023 年排放量按本年度因子重算：生产“电力”的全国电力平均二氧化碳排放因子由 0.5568 kgCO2/kWh（2021 年版）"
                 "调整为 0.5306 kgCO2/kWh（2023 年版），影响 -23.58 tCO2e")
METHOD_CHANGE = ("2023 年排放量按本年度方法重算：原材料获取“钢筋”的排放因子由“热轧碳钢钢筋”2,340 kgCO2e/t（2019 年版）"
                 "调整为“钢筋（供应商声明）”2.100 tCO2e/t（企业提供），影响 -24.00 tCO2e")
BOUNDARY_CHANGE = ("2023 年排放量按本年度边界重算：场所“二厂”不在本年度边界内，扣除其原材料获取“水泥”在 2023 年原报告中的 "
                   "100.00 tCO2e，影响 -100.00 tCO2e")
STATEMENT = ("基准年 2023 年：原报告排放量 835.12 tCO2e，按本年度的方法和边界重算为 687.54 tCO2e（相差 -17.67%）。"
             f"变化原因及其影响：（1）{FACTOR_CHANGE}；（2）{METHOD_CHANGE}；（3）{BOUNDARY_CHANGE}。"
             "各项变化影响的绝对值合计 147.58 tCO2e，为原报告基准年排放量的 17.67%（累计显著性），达到 5% 的重算阈值"
             "（达到或超过即重算）；基准年已重新计算，减排目标按重算后的基准年排放量测算。")


def row(stage: str, name: str, amount: Any, unit: str, code: str | None, *, site: str | None = None) -> list[Any]:
    cells = {"stage": stage, "type": "原材料" if stage == "原材料获取" else "能源", "name": name, "amount": amount,
             "unit": unit, "factor_code": code, "source": "台账", "site": site}
    return [cells.get(c.key) for c in contract.ACTIVITIES.columns]


def workbook(folder: Path, year: int, day: dt.date, rows: list[list[Any]]) -> Path:
    company = {**SEED_COMPANY, "核算年度": year, "基准年": 2023, "报告日期": day}
    return build(folder / f"云乔往年_{year}.xlsx", company=company, activities=rows, factors=FACTORS,
                 targets=[[2025, 8, None, None]])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    from carbon_report.app.cli import main

    folder = tmp_path_factory.mktemp("wording")
    base = workbook(folder, 2023, dt.date(2024, 7, 20), [
        row("生产", "电力", 900_000, "kWh", None), row("原材料获取", "钢筋", 100, "t", "EF-STEEL-REBAR"),
        row("原材料获取", "水泥", 100, "t", "T-ONE", site="二厂")])
    now = workbook(folder, 2024, dt.date(2026, 3, 1), [
        row("生产", "电力", 800_000, "kWh", None), row("原材料获取", "钢筋", 90, "t", "T-REBAR")])
    assert main(["process", str(now), "--out", str(folder / "out"), "--history", str(base)]) == 0
    doc = Document(str(next((folder / "out").glob("*评价报告.docx"))))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(paragraphs + cells), paragraphs


def test_each_reason_names_factor_value_edition_and_year(report: tuple[str, list[str]]) -> None:
    text, paragraphs = report
    # 3.1 states the base year with every reason, numbered, once
    assert STATEMENT in paragraphs
    for reason in (FACTOR_CHANGE, METHOD_CHANGE, BOUNDARY_CHANGE):
        assert text.count(reason) == 1
    # the base year's source is said in words, and 2.3.3.2 points to 3.1 instead of repeating the reasons
    assert "基准年：设定为 2023 年。基准年排放量取自企业 2023 年度的核算数据，按本年度的方法和边界重新计算（合计 687.54 tCO2e）。" \
        in paragraphs
    assert "2023 年（基准年）的重算原因见 3.1 节。" in text


def test_the_years_table_says_where_each_year_comes_from_in_words(report: tuple[str, list[str]]) -> None:
    text, paragraphs = report
    assert "表 2-" in text and "历年各阶段碳排放量（tCO2e，往年按本年度方法和边界重算）" in text
    assert "按本报告因子口径" not in text
    # 2024: 800 × 0.5306 + 90 × 2.1 = 424.48 + 189 = 613.48; change against 687.54: −10.77 %
    assert "往年核算，重算后" in text and "本年核算" in text
    assert "613.48" in text and "-10.77%" in text


def test_no_file_name_iso_date_or_code_in_the_report(report: tuple[str, list[str]]) -> None:
    text, _ = report
    assert ".xlsx" not in text and "云乔往年" not in text
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", text), re.search(r".{30}\d{4}-\d{1,2}-\d{1,2}.{30}", text)
    assert not re.search(r"\b[EW]-[A-Z]+(?:-[A-Z]+)*\b", text)  # finding codes
    # factor codes: none in running text (the factor table's code column is item 1's, tests/client_text.py)
    _, paragraphs = report
    assert not any(re.search(r"EF-[A-Z]|T-REBAR|T-ONE", p) for p in paragraphs)


def test_years_typed_in_the_history_sheet_are_said_not_recalculated(tmp_path: Path) -> None:
    """Years given only as numbers (历史排放 rows) cannot be recalculated: the section says so in words,
    and the 来源 column says the company gave them."""
    from carbon_report.app.cli import main

    company = {**SEED_COMPANY, "核算年度": 2024, "基准年": 2024, "报告日期": dt.date(2026, 3, 1)}
    wb = build(tmp_path / "云乔往年_2024.xlsx", company=company, factors=FACTORS, targets=[[2025, 8, None, None]],
               activities=[row("原材料获取", "钢筋", 90, "t", "T-REBAR")], history=[[2022, None, 200.5]])
    assert main(["process", str(wb), "--out", str(tmp_path / "out")]) == 0
    doc = Document(str(next((tmp_path / "out").glob("*评价报告.docx"))))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    # 2024: 90 t × 2.1 = 189.00; against 2022's 200.5: (189 − 200.5) / 200.5 = −5.74 %
    assert "2022—2024 年企业碳排放总量（往年为企业提供的数值，未重算）由 200.50 tCO2e 变为 189.00 tCO2e，累计变化 -5.74%" in text
    assert "历年各阶段碳排放量（tCO2e，往年为企业提供的数值，未重算）" in text
    assert "企业提供的往年数据" in text and "“重算”指" not in text and "历史排放" not in text


def test_sources_added_without_an_earlier_amount_are_said_once(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Three sources counted in 2024 that 2023's data lacks, with no 2023 amount given: each adds 0 t, so 3.1
    says them in one sentence naming all three, not three sentences; the JSON keeps one reason each (with its
    row) so a program can still tell them apart."""
    import json

    from carbon_report.app.cli import main

    base = workbook(tmp_path, 2023, dt.date(2024, 7, 20), [row("生产", "电力", 900_000, "kWh", None)])
    now = workbook(tmp_path, 2024, dt.date(2026, 3, 1), [
        row("生产", "电力", 900_000, "kWh", None), row("原材料获取", "钢筋", 90, "t", "EF-STEEL-REBAR"),
        row("原材料获取", "水泥", 10, "t", "T-ONE"), row("原材料获取", "石子", 5, "t", "T-ONE")])
    out = tmp_path / "out"
    assert main(["process", str(now), "--out", str(out), "--history", str(base), "--json"]) == 0
    text = "\n".join(p.text for p in Document(str(next(out.glob("*评价报告.docx")))).paragraphs)
    said = ("2023 年排放量按本年度边界重算：原材料获取“钢筋”、原材料获取“水泥”、原材料获取“石子”（共 3 个排放源）本年度计入，"
            "2023 年的数据中没有该排放源，且未补充提供该年数量，按 0 计，影响 +0.00 tCO2e")
    assert said in text and text.count("本年度计入") == 1
    year = json.loads(capsys.readouterr().out)["history"][0]
    added = [r for r in year["reasons"] if "本年度计入" in r["description"]]
    assert [r["effect_tco2e"] for r in added] == [0.0, 0.0, 0.0]
    assert ["钢筋" in added[0]["description"], "水泥" in added[1]["description"], "石子" in added[2]["description"]] \
        == [True, True, True]

"""Issue 26, item 2: every data gap and every exclusion reported once and counted, each in its own list —
in the report's 2.3.5 (two tables), counted in 2.4, and in the same words on the computed sheet 数据缺口.

The workbook has one row of each kind; the expected lists and counts are worked out here by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from carbon_report.core import contract
from workbooks import build

KEYS = [c.key for c in contract.ACTIVITIES.columns]
ELEC = "EF-ELEC-CN-ENTERPRISE-2022"


def row(**cells: Any) -> list[Any]:
    return [cells.get(k) for k in KEYS]


def rows() -> list[list[Any]]:
    return [
        # 生产: electricity by month, March and July blank (W-MONTH-GAP), its bill named but not there
        row(stage="生产", name="电力", unit="kWh", factor_code=ELEC, evidence="bills/missing.pdf",
            **{f"m{i}": 1000 for i in range(1, 13) if i not in (3, 7)}),
        # 原材料获取: steel typed "/" — no activity data
        row(stage="原材料获取", name="钢筋", amount="/", unit="t", factor_code="EF-STEEL-REBAR"),
        # 运输: outside the boundary, with its reason
        row(stage="运输", name="原材料运输", amount="不适用", unit="t·km", factor_code="EF-ROAD-DIESEL-30T",
            note="原材料由供应商送货上门，运输不在企业核算边界内"),
    ]


# By hand: 采购, 包装, 回收 have no row at all (3 stage gaps); 运输's only row is 不适用 (an exclusion, not a
# gap). Gaps in stage order: 钢筋 "/", 电力's months, 电力's evidence, then the three stages → 6.
# 表 A.1 and 排放汇总 agree with the lists: a stage with no rows, or only "/" rows, is 数据缺失 (a gap); the
# stage whose only source is 不适用 is 无相关活动 (the exclusion); 生产 has a number (its gaps are inside it).
# 生产: 10 months × 1000 kWh = 10,000 kWh at the 2022 enterprise grid factor 0.5703 tCO2/MWh = 5.703 t, the
# only stage with a number: 100.00 %.
EXPECTED_A1 = {
    "低碳原材料获取阶段碳排放量": ["/", "/", "数据缺失"],
    "数智化生产阶段碳排放量": ["5.70", "100.00%", ""],
    "数智化采购阶段碳排放量": ["/", "/", "数据缺失"],
    "绿色运输阶段碳排放量": ["/", "/", "无相关活动"],
    "绿色包装阶段碳排放量": ["/", "/", "数据缺失"],
    "绿色回收阶段碳排放量": ["/", "/", "数据缺失"],
}
EXPECTED_GAPS = [
    ["1", "低碳原材料获取", "钢筋", "缺少活动数据", "未提供活动数据，按 0 计入，报告中以“/”表示"],
    ["2", "数智化生产", "电力", "缺少月份数据", "3 月、7 月未填写，按 0 计入全年活动数据"],
    ["3", "数智化生产", "电力", "证明材料缺失", "所列证明材料未找到，该项活动数据未经凭证核对"],
    ["4", "数智化采购", "—", "阶段无活动数据", "未填报该阶段的活动，报告中以“/”表示"],
    ["5", "绿色包装", "—", "阶段无活动数据", "未填报该阶段的活动，报告中以“/”表示"],
    ["6", "绿色回收", "—", "阶段无活动数据", "未填报该阶段的活动，报告中以“/”表示"],
]
EXPECTED_COUNT = ("数据缺口 6 项（缺少活动数据 1 项、缺少月份数据 1 项、证明材料缺失 1 项、阶段无活动数据 3 项）；"
                  "排除的排放源 1 项（经企业确认不适用，已说明原因）")


def _blocks(doc):
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield Table(child, doc)


def _table_after(doc, caption_end: str) -> list[list[str]]:
    found = False
    for b in _blocks(doc):
        if isinstance(b, Paragraph) and b.style.name == "表题" and b.text.endswith(caption_end):
            found = True
        elif found and isinstance(b, Table):
            return [[c.text.strip() for c in r.cells] for r in b.rows]
    raise AssertionError(caption_end)


def test_gaps_and_exclusions_each_listed_once_and_counted(cli, tmp_path: Path) -> None:
    wb = build(tmp_path / "缺口.xlsx", activities=rows())
    ran = cli("process", wb, "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    assert "W-MONTH-GAP" in ran.stdout + ran.stderr and "W-EVIDENCE-MISSING" in ran.stdout + ran.stderr

    doc = Document(str(next((tmp_path / "out").glob("*评价报告.docx"))))
    gaps = _table_after(doc, "数据缺口清单")
    assert gaps[0] == ["序号", "阶段", "名称", "缺口类型", "说明"]
    assert gaps[1:] == EXPECTED_GAPS
    excluded = _table_after(doc, "排除的排放源")
    assert excluded == [["序号", "阶段", "名称", "排除原因"],
                        ["1", "绿色运输", "原材料运输", "原材料由供应商送货上门，运输不在企业核算边界内"]]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{EXPECTED_COUNT}，详见 2.3.5 节" in text  # 2.4 counts both lists
    assert text.count(EXPECTED_COUNT) == 1

    book = openpyxl.load_workbook(next((tmp_path / "out").glob("*计算结果.xlsx")), read_only=True)
    sheet = [[("" if v is None else str(v)) for v in r] for r in book[contract.SHEET_GAPS].iter_rows(values_only=True)]
    assert sheet[0][0].startswith(EXPECTED_COUNT)  # the same count line as 2.4
    header = sheet.index(["序号", "清单", "阶段", "名称", "类型", "说明", "活动数据行"])
    body = [r for r in sheet[header + 1:] if any(r)]
    assert [r[2:6] for r in body[:6]] == [g[1:] for g in EXPECTED_GAPS]  # the report's words
    assert [r[1] for r in body] == ["数据缺口"] * 6 + ["排除的排放源"]
    assert body[6][2:6] == ["绿色运输", "原材料运输", "不适用", "原材料由供应商送货上门，运输不在企业核算边界内"]
    assert len(body) == 7  # each gap and each exclusion once

    # 表 A.1 says of each stage what the lists say: 数据缺失 for a gap, 无相关活动 for the exclusion
    a1 = {r[1]: r[3:6] for r in _table_after(doc, "评价主要指标")[1:]}
    assert {k: v for k, v in a1.items() if k in EXPECTED_A1} == EXPECTED_A1
    # 排放汇总 (the sheet of 表 A.1) has the same 备注
    a1_sheet = [[("" if v is None else str(v)) for v in r] for r in book[contract.SHEET_SUMMARY].iter_rows(values_only=True)]
    notes = {r[1]: r[-1] for r in a1_sheet if len(r) > 1 and r[1] in EXPECTED_A1}
    assert notes == {k: v[2] for k, v in EXPECTED_A1.items()}

    # 1.4's coverage and 2.2: the 不适用 stage is not covered, the stages without rows are named as gaps
    assert ("覆盖范围：低碳原材料获取阶段+数智化生产阶段（数智化采购、绿色包装、绿色回收阶段未填报活动数据，列为数据缺口，"
            "见 2.3.5 节，报告中以“/”表示；绿色运输阶段的排放源经确认不在核算边界内，原因见 2.3.5 节）") in text
    assert text.count("企业未填报数智化采购阶段 2023 年度的活动数据，该阶段列为数据缺口（见 2.3.5 节），报告中以“/”表示。") == 1
    assert "未发生" not in text

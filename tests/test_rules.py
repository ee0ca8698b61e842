"""Issue 3: every validation rule, planted alone in an otherwise good workbook, named by code, sheet and cell.

Cells in the default build (tests/workbooks.py): 企业信息 labels in column A and values in column B, one
per row in SEED_COMPANY's order (企业名称 B1, 统一社会信用代码 B2, 生产经营地址 B3, 核算年度 B4, 报告编号
B5, 报告日期 B6, 技术服务机构名称 B7, 评价结论 B8, added labels from B9); every table's header in row 1 and
its data from row 2, columns in contract order (活动数据: A 阶段, B 类型, C 名称, D 活动数据, E 单位,
F 排放因子编码, G 数据来源, H 备注).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import workbooks
from carbon_report.app.pipeline import Outcome, check_file
from carbon_report.core import contract
from carbon_report.core.factors import load_library
from carbon_report.core.validate import validate
from carbon_report.io import reader
from carbon_report.io.reader import read_workbook
from workbooks import (
    SEED_ACTIVITIES,
    SEED_FACTORS,
    SEED_PRODUCTS,
    SEED_TARGETS,
    activities_with,
    company_with,
    rows_with,
    set_cell,
    tweaks,
)

TODAY = dt.date(2024, 8, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
# the seed's three transport gaps; the good workbook also has no reduction measures and no sign-off names
# (组长, 技术复核人, 批准人 rows absent: said at 企业信息!A1), which the report shows as placeholders
SEED_WARNINGS = {("W-AMOUNT-NO-DATA", f"活动数据!D{r}") for r in (7, 8, 9)} | {
    ("W-MEASURES-EMPTY", "减排技术!A2"), ("W-COVER-FIELD-BLANK", "企业信息!A1"),
    ("W-REPORT-PLACEHOLDER", "企业信息!A1")}  # the test workbook has no paragraph labels: each on A1


def check(tmp_path: Path, **kw: Any) -> Outcome:
    return check_file(workbooks.build(tmp_path / "in.xlsx", **kw), today=TODAY)


def where(outcome: Outcome, code: str) -> list[str]:
    return [f"{f.sheet}!{f.cell}" for f in outcome.findings if f.code == code]


def test_the_good_workbook_has_only_the_seed_gaps(tmp_path: Path) -> None:
    o = check(tmp_path)
    assert o.status == "ok"
    assert {(f.code, f"{f.sheet}!{f.cell}") for f in o.findings} == SEED_WARNINGS


def _drop_column_header(sheet: str, coord: str):  # noqa: ANN202
    return set_cell(sheet, coord, "备用列")


def _hide_row(sheet: str, row: int):  # noqa: ANN202
    def tweak(wb: openpyxl.Workbook) -> None:
        wb[sheet].row_dimensions[row].hidden = True

    return tweak


NF3_FACTOR = ["X-NF3", "三氟化氮", "NF3", 1, "kgNF3/t", "测试", 2023, None]
NF3_ACTIVITY = ["生产", "工艺", "三氟化氮清洗", 1, "t", "X-NF3", "台账", None]

# (code, "工作表!单元格", severity, build() arguments)
CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    # required labels, sheets, columns
    ("E-LABEL-MISSING", "企业信息!A1", "error", {"company": company_with(企业名称=...)}),
    ("E-REQUIRED-MISSING", "企业信息!B1", "error", {"company": company_with(企业名称=None)}),
    ("E-REQUIRED-MISSING", "企业信息!B4", "error", {"company": company_with(核算年度="  ")}),
    ("E-SHEET-MISSING", "活动数据!A1", "error", {"drop_sheets": ("活动数据",)}),
    ("E-SHEET-MISSING", "产品产量!A1", "error", {"drop_sheets": ("产品产量",)}),
    ("E-SHEET-MISSING", "企业信息!A1", "error", {"drop_sheets": ("企业信息",)}),
    ("E-COLUMN-MISSING", "活动数据!A1", "error", {"tweak": _drop_column_header("活动数据", "D1")}),
    ("E-COLUMN-MISSING", "排放因子!A1", "error", {"tweak": _drop_column_header("排放因子", "C1")}),
    ("E-REQUIRED-MISSING", "活动数据!A2", "error", {"activities": activities_with(0, 0, None)}),
    ("E-REQUIRED-MISSING", "活动数据!C2", "error", {"activities": activities_with(0, 2, None)}),
    ("E-REQUIRED-MISSING", "活动数据!D2", "error", {"activities": activities_with(0, 3, None)}),
    ("E-REQUIRED-MISSING", "排放因子!D2", "error", {"factors": rows_with(SEED_FACTORS, 0, 3, None)}),
    ("E-REQUIRED-MISSING", "产品产量!B2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 1, None)}),
    ("E-REQUIRED-MISSING", "减排目标!B2", "error", {"targets": rows_with(SEED_TARGETS, 0, 1, None)}),
    # 统一社会信用代码
    ("E-USCC-CHECK", "企业信息!B2", "error", {"company": company_with(统一社会信用代码="91410326MA3X43L73X")}),
    ("E-USCC-CHECK", "企业信息!B2", "error", {"company": company_with(统一社会信用代码="91410326MA3X43L7")}),
    ("E-USCC-CHECK", "企业信息!B2", "error", {"company": company_with(统一社会信用代码="91410326MA3X43LI3Y")}),
    ("E-USCC-NUMBER", "企业信息!B2", "error", {"company": company_with(统一社会信用代码=914103261234567000)}),
    # years and dates
    ("E-YEAR-INVALID", "企业信息!B4", "error", {"company": company_with(核算年度=2099)}),
    ("E-YEAR-INVALID", "企业信息!B4", "error", {"company": company_with(核算年度=1890)}),
    ("E-YEAR-INVALID", "企业信息!B4", "error", {"company": company_with(核算年度="去年")}),
    ("E-BASE-YEAR-INVALID", "企业信息!B9", "error", {"company": company_with(基准年=2025)}),
    ("E-BASE-YEAR-INVALID", "企业信息!B9", "error", {"company": company_with(基准年=1900)}),
    ("E-TARGET-YEAR", "减排目标!A2", "error", {"targets": rows_with(SEED_TARGETS, 0, 0, 2023)}),
    ("E-TARGET-YEAR", "减排目标!A2", "error", {"targets": rows_with(SEED_TARGETS, 0, 0, 2020)}),
    ("E-YEAR-INVALID", "减排目标!A2", "error", {"targets": rows_with(SEED_TARGETS, 0, 0, "明年")}),
    ("E-DATE-INVALID", "企业信息!B6", "error", {"company": company_with(报告日期="七月底")}),
    ("E-BASE-YEAR-HISTORY", "企业信息!B9", "error", {"company": company_with(基准年=2020)}),
    # activities
    ("E-STAGE-UNKNOWN", "活动数据!A2", "error", {"activities": activities_with(0, 0, "火星阶段")}),
    ("E-STAGE-UNKNOWN", "减排目标!C2", "error", {"targets": rows_with(SEED_TARGETS, 0, 2, "火星")}),
    ("E-AMOUNT-NOT-NUMBER", "活动数据!D2", "error", {"activities": activities_with(0, 3, "约七百")}),
    ("E-AMOUNT-NOT-NUMBER", "活动数据!D2", "error", {"activities": activities_with(0, 3, "1,85")}),
    ("E-AMOUNT-NOT-NUMBER", "活动数据!D2", "error", {"activities": activities_with(0, 3, dt.date(2023, 1, 1))}),
    ("E-AMOUNT-NEGATIVE", "活动数据!D2", "error", {"activities": activities_with(0, 3, -766.76)}),
    ("E-AMOUNT-NEGATIVE", "活动数据!D2", "error", {"activities": activities_with(0, 3, "－766")}),
    ("W-AMOUNT-NO-DATA", "活动数据!D2", "warning", {"activities": activities_with(0, 3, "/")}),
    ("W-AMOUNT-NO-DATA", "活动数据!D2", "warning", {"activities": activities_with(0, 3, "——")}),
    ("W-AMOUNT-NO-DATA", "活动数据!D2", "warning", {"activities": activities_with(0, 3, "无")}),
    ("E-NOT-APPLICABLE-REASON", "活动数据!H2", "error", {"activities": activities_with(0, 3, "不适用")}),
    ("E-UNIT-MISSING", "活动数据!E2", "error", {"activities": activities_with(0, 4, None)}),
    ("E-UNIT-UNKNOWN", "活动数据!E2", "error", {"activities": activities_with(0, 4, "桶")}),
    ("E-UNIT-MISMATCH", "活动数据!E2", "error", {"activities": activities_with(0, 4, "kWh")}),  # per-tonne factor
    ("E-UNIT-MISMATCH", "活动数据!E6", "error", {"activities": activities_with(4, 4, "t")}),  # electricity in t
    ("E-UNIT-UNKNOWN", "活动数据!D6", "error",  # the unit written in the amount cell is the cell to fix
     {"activities": rows_with(activities_with(4, 3, "72584 桶"), 4, 4, None)}),
    ("W-AMOUNT-WITH-UNIT", "活动数据!D6", "warning", {"activities": activities_with(4, 3, "72584 kWh")}),
    ("W-AMOUNT-WITH-UNIT", "活动数据!D6", "warning", {"activities": activities_with(4, 3, "72,584千瓦时")}),
    ("W-AMOUNT-WITH-UNIT", "活动数据!D6", "warning",
     {"activities": rows_with(activities_with(4, 3, "72584 kWh"), 4, 4, None)}),
    ("E-AMOUNT-UNIT-CONFLICT", "活动数据!D6", "error", {"activities": activities_with(4, 3, "72584 MWh")}),
    ("E-FACTOR-UNKNOWN", "活动数据!F2", "error", {"activities": activities_with(0, 5, "EF-NO-SUCH")}),
    ("W-FACTOR-BY-NAME", "活动数据!F6", "warning", {"activities": activities_with(4, 5, None)}),
    ("E-FACTOR-NO-MATCH", "活动数据!F2", "error",
     {"activities": rows_with(activities_with(0, 5, None), 0, 2, "神秘材料")}),
    ("W-DUPLICATE-ROW", "活动数据!A10", "warning", {"activities": [*SEED_ACTIVITIES, SEED_ACTIVITIES[0]]}),
    ("E-NO-ACTIVITIES", "活动数据!A1", "error", {"activities": []}),
    ("E-NO-ACTIVITIES", "活动数据!A1", "error", {"activities": [[None, None, "合计", 1, "t", None, None, None]]}),
    ("W-TOTAL-ROW-SKIPPED", "活动数据!C10", "warning",
     {"activities": [*SEED_ACTIVITIES, ["生产", None, "合计", 2500, "t", None, None, None]]}),
    ("W-TOTAL-ROW-SKIPPED", "活动数据!A10", "warning",
     {"activities": [*SEED_ACTIVITIES, ["小 计：", None, None, 2500, "t", None, None, None]]}),
    ("W-NOTE-ROW-SKIPPED", "活动数据!A10", "warning",
     {"activities": [*SEED_ACTIVITIES, ["注：石子单位原报告未写", None, None, None, None, None, None, None]]}),
    ("W-DOUBLE-COUNT", "活动数据!C10", "warning",
     {"activities": [*SEED_ACTIVITIES, ["采购", "原材料", "钢筋", 5, "t", "EF-STEEL-REBAR", "台账", None]]}),
    ("W-DOUBLE-COUNT", "活动数据!F10", "warning",
     {"activities": [*SEED_ACTIVITIES, ["采购", "能源", "办公用电", 500, "kWh", "EF-ELEC-CN-ENTERPRISE-2022",
                                        "电费单", None]]}),
    ("W-HIDDEN-ROW", "活动数据!A3", "warning", {"tweak": _hide_row("活动数据", 3)}),
    ("W-HIDDEN-ROW", "产品产量!A2", "warning", {"tweak": _hide_row("产品产量", 2)}),
    # Excel error values and formulas never calculated, in any cell that is read
    ("E-CELL-ERROR", "活动数据!D2", "error", {"tweak": set_cell("活动数据", "D2", "#DIV/0!")}),
    ("E-CELL-ERROR", "活动数据!G2", "error", {"tweak": set_cell("活动数据", "G2", "#N/A")}),
    ("E-CELL-ERROR", "企业信息!B4", "error", {"tweak": set_cell("企业信息", "B4", "#REF!")}),
    ("E-FORMULA-UNCACHED", "活动数据!D2", "error", {"tweak": set_cell("活动数据", "D2", "=700+66.76")}),
    ("E-FORMULA-UNCACHED", "企业信息!B4", "error", {"tweak": set_cell("企业信息", "B4", "=2022+1")}),
    ("E-FORMULA-UNCACHED", "减排目标!B2", "error", {"tweak": set_cell("减排目标", "B2", "=4*2")}),
    # 排放因子
    ("E-FACTOR-GAS-MISMATCH", "排放因子!E2", "error", {"factors": rows_with(SEED_FACTORS, 0, 4, "kgCH4/t·km")}),
    ("E-FACTOR-GAS-MISMATCH", "排放因子!E2", "error", {"factors": rows_with(SEED_FACTORS, 0, 2, "N2O")}),
    ("E-FACTOR-GAS-UNKNOWN", "排放因子!C2", "error", {"factors": rows_with(SEED_FACTORS, 0, 2, "水蒸气")}),
    ("E-FACTOR-VALUE", "排放因子!D2", "error", {"factors": rows_with(SEED_FACTORS, 0, 3, 0)}),
    ("E-FACTOR-VALUE", "排放因子!D2", "error", {"factors": rows_with(SEED_FACTORS, 0, 3, -0.074)}),
    ("E-FACTOR-VALUE", "排放因子!D2", "error", {"factors": rows_with(SEED_FACTORS, 0, 3, "待定")}),
    ("E-UNIT-UNKNOWN", "排放因子!E2", "error", {"factors": rows_with(SEED_FACTORS, 0, 4, "kgCO2")}),
    ("E-FACTOR-DUPLICATE", "排放因子!C3", "error", {"factors": [*SEED_FACTORS, SEED_FACTORS[0]]}),
    ("W-FACTOR-YEAR", "排放因子!G2", "warning", {"factors": rows_with(SEED_FACTORS, 0, 6, "近年")}),
    ("E-GWP-MISSING", "排放因子!C3", "error",
     {"company": company_with(GWP版本="SAR"), "factors": [*SEED_FACTORS, NF3_FACTOR],
      "activities": [*SEED_ACTIVITIES, NF3_ACTIVITY]}),
    ("E-GWP-VERSION", "企业信息!B9", "error", {"company": company_with(GWP版本="AR7")}),
    ("W-FACTOR-SCALE", "排放因子!D3", "warning",  # kWh/MWh slip: 0.5703 t per kWh
     {"factors": [*SEED_FACTORS, ["EF-ELEC-CN-ENTERPRISE-2022", "电网", "CO2", 0.5703, "tCO2/kWh", "", 2022, ""]]}),
    ("W-FACTOR-SCALE", "排放因子!D3", "warning",
     {"factors": [*SEED_FACTORS, ["EF-ELEC-CN-ENTERPRISE-2022", "电网", "CO2", 570.3, "kgCO2/kWh", "", 2022, ""]]}),
    # 产品产量
    ("E-OUTPUT-NONPOSITIVE", "产品产量!B2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 1, 0)}),
    ("E-OUTPUT-NONPOSITIVE", "产品产量!B2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 1, -4670)}),
    ("E-AMOUNT-NOT-NUMBER", "产品产量!B2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 1, "很多")}),
    ("E-AMOUNT-NEGATIVE", "产品产量!B2", "error",
     {"products": [["废料", -3, "吨", "否", None], ["非预应力电杆", 4670, "根", "是", None]]}),
    ("W-AMOUNT-WITH-UNIT", "产品产量!B2", "warning", {"products": rows_with(SEED_PRODUCTS, 0, 1, "4,670 根")}),
    ("E-AMOUNT-UNIT-CONFLICT", "产品产量!B2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 1, "4670 吨")}),
    ("E-YESNO-INVALID", "产品产量!D2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 3, "也许")}),
    ("E-ALLOCATION-RANGE", "产品产量!E2", "error", {"products": rows_with(SEED_PRODUCTS, 0, 4, 150)}),
    ("W-ALLOCATION-SUM", "产品产量!A1", "warning",
     {"products": [["电杆", 4670, "根", "是", 80], ["管桩", 100, "根", "是", 40]]}),
    # 减排目标, 减排技术
    ("E-REDUCTION-RANGE", "减排目标!B2", "error", {"targets": rows_with(SEED_TARGETS, 0, 1, 120)}),
    ("E-REDUCTION-RANGE", "减排目标!B2", "error", {"targets": rows_with(SEED_TARGETS, 0, 1, -8)}),
    ("E-REDUCTION-RANGE", "减排目标!B2", "error", {"targets": rows_with(SEED_TARGETS, 0, 1, "150%")}),
    ("E-REDUCTION-RANGE", "减排技术!C2", "error", {"measures": [["生产", "光伏发电", 150, "2-3", None]]}),
    ("W-PERCENT-FRACTION", "减排目标!B2", "warning", {"targets": rows_with(SEED_TARGETS, 0, 1, 0.5)}),
    ("W-PERCENT-FRACTION", "减排技术!C2", "warning", {"measures": [["生产", "光伏发电", 0.04, "2-3", None]]}),
    ("W-PERCENT-FRACTION", "产品产量!E2", "warning", {"products": rows_with(SEED_PRODUCTS, 0, 4, 0.6)}),
    ("E-YEAR-INVALID", "减排目标!A4", "error", {"targets": rows_with(SEED_TARGETS, 2, 0, 2500)}),
    ("E-TARGET-KIND", "减排目标!D2", "error", {"targets": rows_with(SEED_TARGETS, 0, 3, "比例")}),
    ("E-TARGET-NO-PRODUCT", "减排目标!D2", "error",
     {"targets": rows_with(SEED_TARGETS, 0, 3, "强度"), "products": rows_with(SEED_PRODUCTS, 0, 3, "否")}),
    ("E-TARGET-CONFLICT", "减排目标!B5", "error", {"targets": [*SEED_TARGETS, [2025, 10, None, None]]}),
    ("W-TARGET-INTENSITY-BASE", "减排目标!D2", "warning",
     {"company": company_with(基准年=2022), "targets": [[2025, 8, None, "强度"]]}),
    ("W-MEASURES-SHORT", "减排目标!B2", "warning",  # the seed: 4 %/yr from 2023 is 7.84 % by 2025 < 8 %
     {"measures": [["生产", "光伏发电", 4, "2-3", None]]}),
    ("W-MEASURES-SHORT", "减排目标!B2", "warning", {"measures": [[None, "综合节能", "4%", "2-3", None]]}),
    # 企业信息
    ("W-CONCLUSION-BLANK", "企业信息!B8", "warning", {"company": company_with(评价结论=None)}),
    ("W-CONCLUSION-BLANK", "企业信息!A1", "warning", {"company": company_with(评价结论=...)}),
    ("W-PHONE-NUMBER", "企业信息!B9", "warning", {"company": company_with(联系方式=13800000000)}),
    ("E-OUTPUT-VALUE-INVALID", "企业信息!B9", "error", {"company": company_with(工业总产值=-5)}),
    ("W-AMOUNT-WITH-UNIT", "企业信息!B9", "warning", {"company": company_with(工业总产值="1,200万元")}),
    ("W-TEMPLATE-VERSION", "企业信息!B9", "warning", {"company": company_with(模板版本="2")}),
    # 设备清单, 图片与附件, 历史排放
    ("W-EQUIPMENT-FUEL", "设备清单!E2", "warning", {"equipment": [["叉车", "CPCD30", "台", 2, "柴油"]]}),
    ("W-EQUIPMENT-FUEL", "设备清单!E3", "warning",
     {"equipment": [["搅拌机", "JS750", "台", 2, "电能"], ["锅炉", "WNS2", "台", 1, "天然气"]]}),
    ("W-EQUIPMENT-QUANTITY", "设备清单!D2", "warning", {"equipment": [["搅拌机", "JS750", "台", "两", "电能"]]}),
    ("W-PICTURE-MISSING", "图片与附件!C2", "warning", {"pictures": [["图2-1 企业概貌", "厂区", "no_such.png"]]}),
    # W-PICTURE-TYPE is judged by the file's content: tests/test_untrusted.py plants a GIF named .png.
    ("E-REQUIRED-MISSING", "图片与附件!C2", "error", {"pictures": [["图2-1 企业概貌", "厂区", None]]}),
    ("E-AMOUNT-NOT-NUMBER", "历史排放!C2", "error", {"history": [[2022, None, "很多"]]}),
    ("E-STAGE-UNKNOWN", "历史排放!B2", "error", {"history": [[2022, "火星", 100]]}),
]


@pytest.mark.parametrize(("code", "cell", "severity", "kw"), CASES,
                         ids=[f"{c[0]}@{c[1]}#{i}" for i, c in enumerate(CASES)])
def test_each_rule_names_its_cell(tmp_path: Path, code: str, cell: str, severity: str, kw: dict[str, Any]) -> None:
    o = check(tmp_path, **kw)
    hits = [f for f in o.findings if f.code == code]
    assert cell in where(o, code), f"{code} expected at {cell}; got {[(f.code, f.sheet, f.cell) for f in o.findings]}"
    assert all(f.severity == severity for f in hits)
    assert all(CJK.search(f.message) for f in o.findings), "messages are in Chinese"
    if severity == "error":
        assert o.status == "invalid" and o.exit_code == 1 and o.result is None
    else:
        # a warning alone never stops the run, and the planted fault brings no error with it
        assert o.errors == [], [(f.code, f.cell, f.message) for f in o.errors]
        assert o.status == "ok" and o.result is not None


def test_codes_in_the_contract_keep_their_names(tmp_path: Path) -> None:
    contract_codes = {"E-USCC-CHECK", "E-STAGE-UNKNOWN", "E-AMOUNT-NOT-NUMBER", "E-AMOUNT-NEGATIVE", "W-AMOUNT-NO-DATA",
                      "E-UNIT-MISSING", "E-UNIT-UNKNOWN", "E-UNIT-MISMATCH", "E-FACTOR-UNKNOWN", "E-REQUIRED-MISSING"}
    assert contract_codes <= {c[0] for c in CASES}
    for code, *_ in CASES:
        assert re.fullmatch(r"[EW]-[A-Z0-9]+(-[A-Z0-9]+)*", code)


def test_sheet_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_TABLE_ROWS", 3)
    o = check(tmp_path)
    assert "活动数据!A1" in where(o, "E-SHEET-TOO-LARGE")


def test_ambiguous_default_factor_asks_for_a_code(tmp_path: Path) -> None:
    lib = load_library()
    names = {**lib._names, "钢筋": ("EF-STEEL-REBAR", "EF-CEMENT-PO")}  # noqa: SLF001
    twin = dataclasses.replace(lib, _names=names)
    raw = read_workbook(workbooks.build(tmp_path / "in.xlsx", activities=activities_with(0, 5, None)))
    _, findings = validate(raw, twin, today=TODAY)
    assert [(f.code, f.sheet, f.cell) for f in findings if f.code == "E-FACTOR-AMBIGUOUS"] == \
        [("E-FACTOR-AMBIGUOUS", "活动数据", "F2")]


def test_several_problems_in_one_row_are_each_reported(tmp_path: Path) -> None:
    o = check(tmp_path, tweak=tweaks(set_cell("排放因子", "D2", "#VALUE!"), set_cell("排放因子", "E2", "#N/A"),
                                     set_cell("减排目标", "A2", "#REF!"), set_cell("减排目标", "B2", "#NAME?")))
    assert {"排放因子!D2", "排放因子!E2", "减排目标!A2", "减排目标!B2"} <= set(where(o, "E-CELL-ERROR"))
    # the factor row is wrong: activities that use its code are not told the code does not exist
    assert where(o, "E-FACTOR-UNKNOWN") == []


def test_a_broken_factor_row_is_reported_once_not_on_every_activity(tmp_path: Path) -> None:
    o = check(tmp_path, factors=rows_with(SEED_FACTORS, 0, 3, 0))
    assert where(o, "E-FACTOR-VALUE") == ["排放因子!D2"]
    assert where(o, "E-FACTOR-UNKNOWN") == []


def test_a_missing_gwp_is_said_once_for_many_rows(tmp_path: Path) -> None:
    o = check(tmp_path, company=company_with(GWP版本="SAR"), factors=[*SEED_FACTORS, NF3_FACTOR],
              activities=[*SEED_ACTIVITIES, NF3_ACTIVITY, [*NF3_ACTIVITY[:2], "另一台设备", *NF3_ACTIVITY[3:]]])
    assert where(o, "E-GWP-MISSING") == ["排放因子!C3"]


def test_nf3_under_ar6_is_fine(tmp_path: Path) -> None:
    o = check(tmp_path, factors=[*SEED_FACTORS, NF3_FACTOR], activities=[*SEED_ACTIVITIES, NF3_ACTIVITY])
    assert o.errors == []


def test_measures_short_uses_the_reduction_column_wherever_it_is(tmp_path: Path) -> None:
    def swap(wb: openpyxl.Workbook) -> None:
        ws = wb["减排目标"]
        for row in ws.iter_rows(min_col=1, max_col=2):
            row[0].value, row[1].value = row[1].value, row[0].value

    o = check(tmp_path, measures=[["生产", "光伏发电", 4, "2-3", None]], tweak=swap)
    assert "减排目标!A2" in where(o, "W-MEASURES-SHORT")
    msg = next(f.message for f in o.findings if f.code == "W-MEASURES-SHORT" and f.cell == "A2")
    assert "7.84%" in msg and "8%" in msg


def test_measures_that_reach_the_target_are_quiet(tmp_path: Path) -> None:
    o = check(tmp_path, targets=[[2025, 7, None, None]], measures=[["生产", "光伏发电", 4, "2-3", None]])
    assert where(o, "W-MEASURES-SHORT") == []


def test_not_applicable_with_a_reason_is_an_exclusion(tmp_path: Path) -> None:
    acts = rows_with(activities_with(0, 3, "不适用"), 0, 7, "钢筋由甲方供应，不在边界内")
    o = check(tmp_path, activities=acts)
    assert o.status == "ok"
    steel = next(a for a in o.intake.activities if a.name == "钢筋")
    assert steel.amount_kind == "not_applicable" and steel.amount == 0


def test_no_data_counts_as_zero_and_stays_listed(tmp_path: Path) -> None:
    o = check(tmp_path, activities=activities_with(0, 3, "／"))
    steel = next(a for a in o.intake.activities if a.name == "钢筋")
    assert steel.amount_kind == "no_data" and steel.amount == 0


def test_equipment_whose_fuel_has_an_activity_is_quiet(tmp_path: Path) -> None:
    acts = [*SEED_ACTIVITIES, ["生产", "能源", "0号柴油", 1.2, "t", None, "台账", None]]
    o = check(tmp_path, activities=acts, equipment=[["叉车", "CPCD30", "台", 2, "柴油"]])
    assert o.errors == []
    assert where(o, "W-EQUIPMENT-FUEL") == []


# ---- findings reach the user: stderr lines, JSON, the 校验结果 sheet ------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}  # a Chinese Windows console, output redirected
    return subprocess.run([sys.executable, "-m", "carbon_report.app.cli", *args], capture_output=True, env=env,
                          timeout=300)


MANY_FAULTS: dict[str, Any] = {
    "company": company_with(统一社会信用代码="91410326MA3X43L73X"),
    "activities": rows_with(rows_with(activities_with(0, 0, "火星"), 1, 3, "abc"), 4, 4, "kWh₂"),
    "factors": rows_with(SEED_FACTORS, 0, 3, 0),
}


def test_check_prints_one_line_per_finding_in_utf8(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业C.xlsx", **MANY_FAULTS)
    expected = check_file(src).findings
    p = cli("check", str(src))
    assert p.returncode == 1
    err = p.stderr.decode("utf-8")  # strict UTF-8 although the console claims GBK
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(expected)
    pattern = re.compile(r"^企业C\.xlsx: (?P<sheet>[^!]+)!(?P<cell>[A-Z]{1,3}[0-9]+): (警告 )?.+ \[(?P<code>[EW]-[A-Z0-9-]+)\]$")
    got = set()
    for line in lines:
        m = pattern.match(line)
        assert m, line
        got.add((m["code"], m["sheet"], m["cell"]))
    assert got == {(f.code, f.sheet, f.cell) for f in expected}
    assert {("E-USCC-CHECK", "企业信息", "B2"), ("E-STAGE-UNKNOWN", "活动数据", "A2"),
            ("E-AMOUNT-NOT-NUMBER", "活动数据", "D3"), ("E-UNIT-UNKNOWN", "活动数据", "E6"),
            ("E-FACTOR-VALUE", "排放因子", "D2")} <= got
    assert sorted(tmp_path.iterdir()) == [src]  # check writes nothing


def test_check_json_lists_every_issue(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "j.xlsx", **MANY_FAULTS)
    p = cli("check", str(src), "--json")
    assert p.returncode == 1
    js = json.loads(p.stdout.decode("utf-8"))
    assert js["status"] == "invalid" and js["total_tco2e"] is None
    assert {(i["code"], i["sheet"], i["cell"]) for i in js["issues"]} >= {("E-USCC-CHECK", "企业信息", "B2")}
    assert all(i["severity"] in ("error", "warning") and CJK.search(i["message"]) for i in js["issues"])


def test_process_with_errors_writes_findings_with_links_and_no_report(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业C.xlsx", **MANY_FAULTS)
    expected = check_file(src).findings
    out = tmp_path / "out"
    p = cli("process", str(src), "--out", str(out))
    assert p.returncode == 1
    assert "Traceback" not in p.stderr.decode("utf-8")
    assert sorted(x.name for x in out.iterdir()) == ["企业C_计算结果.xlsx"]
    wb = openpyxl.load_workbook(out / "企业C_计算结果.xlsx")
    ws = wb[contract.SHEET_FINDINGS]
    header_row = next(r for r in range(1, 4) if ws.cell(r, 4).value == "单元格")
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        level, sheet, cell, code, message = (ws.cell(r, c).value for c in range(2, 7))
        link = ws.cell(r, 4).hyperlink
        rows.append((level, sheet, cell, code, message, link.location if link else None))
    assert len(rows) == len(expected)
    assert {(r[3], r[1], r[2]) for r in rows} == {(f.code, f.sheet, f.cell) for f in expected}
    for level, sheet, cell, code, _message, location in rows:
        assert level == ("错误" if code.startswith("E-") else "警告")
        assert location == f"'{sheet}'!{cell}"
        assert sheet in wb.sheetnames  # the link lands on a sheet of this workbook
    levels = [r[0] for r in rows]
    assert levels == sorted(levels, key=lambda x: x != "错误")  # errors first


def test_process_of_a_good_workbook_lists_its_warnings(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "好.xlsx")
    p = cli("process", str(src), "--out", str(tmp_path / "out"), "--no-report")
    assert p.returncode == 0
    ws = openpyxl.load_workbook(tmp_path / "out" / "好_计算结果.xlsx")[contract.SHEET_FINDINGS]
    codes = [c.value for c in ws["E"] if isinstance(c.value, str) and c.value.startswith("W-")]
    assert sorted(codes) == (["W-AMOUNT-NO-DATA"] * 3 + ["W-COVER-FIELD-BLANK"] * 3 + ["W-MEASURES-EMPTY"]
                             + ["W-REPORT-PLACEHOLDER"] * 13)


def test_company_name_is_kept_as_registered(tmp_path: Path) -> None:
    name = "河南云乔电力通讯设施有限公司（汝阳分公司）"
    o = check(tmp_path, company=company_with(企业名称=f" {name} "))
    assert o.intake is not None and o.intake.company.name == name

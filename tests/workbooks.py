"""Build intake workbooks for tests: a good seed-like workbook, with any part replaced or broken."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from carbon_report.core import contract

SEED_COMPANY: dict[str, Any] = {
    "企业名称": "河南云乔电力通讯设施有限公司",
    "统一社会信用代码": "91410326MA3X43L73Y",
    "生产经营地址": "汝阳县小店镇小寺村",
    "核算年度": 2023,
    "报告编号": "WD-HC-202407200223",
    "报告日期": dt.date(2024, 7, 20),
    "技术服务机构名称": "万鼎认证（河南）有限公司",
    "评价结论": "（测试用结论）",
}

# The report's paragraphs (企业简介 … 建议): a workbook that fills them has no W-REPORT-PLACEHOLDER.
REPORT_PARAGRAPHS: dict[str, Any] = {
    "组织边界": "本公司持有运营控制权的厂区", "企业简介": "（测试用企业简介）", "主要产品": "（测试用主要产品）",
    "绿色环保改造升级情况": "（测试）", "制度及体系建设情况": "（测试）", "绿色低碳建设情况": "（测试）",
    "数智化建设情况": "（测试）", "管理机构设置": "（测试）", "主要职责": "（测试）", "披露方式": "（测试）",
    "披露时间": "（测试）", "披露负责机构": "（测试）", "建议": "（测试用建议）",
}

SEED_PRODUCTS = [["非预应力电杆", 4670, "根", "是", None]]

SEED_ACTIVITIES: list[list[Any]] = [
    # 阶段, 类型, 名称, 活动数据, 单位, 排放因子编码, 数据来源, 备注
    ["原材料获取", "原材料", "钢筋", 766.76, "t", "EF-STEEL-REBAR", "实际数据", None],
    ["原材料获取", "原材料", "水泥", 891.13, "t", "EF-CEMENT-PO", "实际数据", None],
    ["原材料获取", "原材料", "河沙", 2068.24, "t", "EF-SAND", "实际数据", None],
    ["原材料获取", "原材料", "石子", 3095.1, "t", "EF-CRUSHED-STONE", "实际数据", "原报告未写单位，按 t"],
    ["生产", "能源", "电力", 72584, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", "市政供电", None],
    ["运输", "原材料运输", "原材料运输", "/", "t·km", "SEED-TRUCK", "实际数据", None],
    ["运输", "产品运输", "产品运输", "/", "t·km", "SEED-TRUCK", "实际数据", None],
    ["包装", "包装材料运输", "包装材料运输", "/", "t·km", "SEED-TRUCK", "实际数据", None],
]

SEED_FACTORS = [["SEED-TRUCK", "货车运输", "CO2", 0.074, "kgCO2/t·km", "原报告所引，未核实", 2023, "未核实"]]

SEED_TARGETS = [[2025, 8, None, None], [2030, 50, None, None], [2050, 100, None, None]]


def headers(spec: contract.TableSheet) -> list[str]:
    return [c.header + ("*" if c.required else "") for c in spec.columns]


def build(path: Path, *, company: dict[str, Any] | None = None, products: list[list[Any]] | None = None,
          activities: list[list[Any]] | None = None, factors: list[list[Any]] | None = None,
          targets: list[list[Any]] | None = None, measures: list[list[Any]] | None = None,
          equipment: list[list[Any]] | None = None, history: list[list[Any]] | None = None,
          pictures: list[list[Any]] | None = None, drop_sheets: tuple[str, ...] = (),
          tweak: Any = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(contract.COMPANY_SHEET)
    comp = dict(SEED_COMPANY if company is None else company)
    for i, (k, v) in enumerate(comp.items()):
        ws.cell(i + 1, 1, k)
        c = ws.cell(i + 1, 2, v)
        if isinstance(v, str):
            c.number_format = "@"
    data = {
        contract.PRODUCTS.name: SEED_PRODUCTS if products is None else products,
        contract.ACTIVITIES.name: SEED_ACTIVITIES if activities is None else activities,
        contract.FACTORS.name: SEED_FACTORS if factors is None else factors,
        contract.TARGETS.name: SEED_TARGETS if targets is None else targets,
        contract.MEASURES.name: measures or [],
        contract.EQUIPMENT.name: equipment or [],
        contract.HISTORY.name: history or [],
        contract.PICTURES.name: pictures or [],
    }
    for spec in contract.TABLE_SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append(headers(spec))
        for row in copy.deepcopy(data[spec.name]):
            ws.append(row)
    for name in drop_sheets:
        del wb[name]
    if tweak:
        tweak(wb)
    wb.save(path)
    return path


# ---- helpers for planting one fault in an otherwise good workbook (issue 3) ----------------------------------


def company_with(base: dict[str, Any] | None = None, /, **changes: Any) -> dict[str, Any]:
    """`base` (SEED_COMPANY by default) with labels changed; a value of `...` removes the label altogether."""
    out = dict(SEED_COMPANY if base is None else base)
    for k, v in changes.items():
        if v is ...:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def rows_with(rows: list[list[Any]], row: int, col: int, value: Any) -> list[list[Any]]:
    """A copy of `rows` with one cell replaced (row and col 0-based in the data rows)."""
    out = copy.deepcopy(rows)
    out[row][col] = value
    return out


def activities_with(row: int, col: int, value: Any) -> list[list[Any]]:
    return rows_with(SEED_ACTIVITIES, row, col, value)


def set_cell(sheet: str, coord: str, value: Any, *, as_text: bool = False, number_format: str | None = None) -> Any:
    """A `tweak` for build(): write one cell (as_text keeps '=…' a string instead of a formula)."""

    def tweak(wb: openpyxl.Workbook) -> None:
        c = wb[sheet][coord]
        c.value = value
        if as_text:
            c.data_type = "s"
        if number_format:
            c.number_format = number_format

    return tweak


def tweaks(*fns: Any) -> Any:
    """Several tweaks in order."""

    def tweak(wb: openpyxl.Workbook) -> None:
        for fn in fns:
            fn(wb)

    return tweak

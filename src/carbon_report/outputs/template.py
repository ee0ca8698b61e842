"""The empty intake template v1 (`carbon-report template OUT.xlsx`).

Every sheet name, header and label comes from `contract.py`, so a header is spelled in one place; this module
only decides how the workbook looks: a guide sheet, styled headers with notes, input cells, dropdowns,
number formats, print setup, and a read-only copy of the built-in factor library.

The file is deterministic: the same code and factor library give the same bytes (fixed document
timestamps, fixed zip entry times), so the committed copy in workbook_templates/ can be checked.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report.core import contract, units
from carbon_report.core.contract import Column, Label, TableSheet
from carbon_report.core.errors import OutputExists
from carbon_report.core.factors import load_library
from carbon_report.core.model import STAGES
from carbon_report.io.atomic import write_bytes
from carbon_report.io.package import opened

GUIDE_SHEET = "填写说明"
LIBRARY_SHEET = "因子库"
LISTS_SHEET = "_lists"
INPUT_ROWS = 200  # prepared (styled, validated) rows below each table's header
HEADER_ROW = 1
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)  # document properties: keeps the file deterministic
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

LIBRARY_HEADERS = ("编码", "名称", "英文名称", "温室气体", "因子值", "单位", "来源", "发布日期", "数据年份")
COMPANY_HEADERS = ("项目", "填写内容", "说明")

# ---- styles ------------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="9E9E9E")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="1F6F5C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
FIXED_FILL = PatternFill("solid", fgColor="EDEDED")
HELP_FONT = Font(color="595959", size=10)
TITLE_FONT = Font(bold=True, size=16, color="1F6F5C")
SECTION_FONT = Font(bold=True, size=12, color="1F6F5C")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


# ---- what the workbook offers in dropdowns ------------------------------------------------------------------

STAGE_NAMES: tuple[str, ...] = tuple(s.short_zh for s in STAGES)
STAGE_LONG_NAMES: tuple[str, ...] = tuple(s.long_zh for s in STAGES)
BASE_GASES = ("CO2", "CO2e", "CH4", "CH4-fossil", "CH4-non-fossil", "N2O", "SF6", "NF3")
PRODUCT_UNITS = ("根", "个", "件", "套", "台", "只", "张", "吨", "平方米", "立方米")
EQUIPMENT_UNITS = ("台", "套", "个", "辆", "条")
ENERGY_TYPES = ("电能", "柴油", "汽油", "天然气", "液化石油气", "蒸汽", "热力", "煤")
ACTIVITY_TYPES = ("原材料", "能源", "燃料", "制冷剂", "原材料运输", "产品运输", "废弃物运输", "包装材料")
DATA_SOURCES = ("实际数据", "电费单", "燃料发票", "台账", "计量表", "估算")
PICTURE_POSITIONS = ("图2-1 企业概貌", "图2-2 产品概貌", "图2-3 工艺流程", "图2-4 设备照片",
                     "附件1 营业执照", "附件3 证书")

# Defined names the dropdowns draw on (ranges in the hidden list sheet).
NAME_UNITS = "cr_units"
NAME_FACTOR_CODES = "cr_factor_codes"
NAME_GASES = "cr_gases"


def unit_spellings() -> list[str]:
    """Every unit spelling the reader accepts, in aliases.csv order (one per case-folded spelling)."""
    return [a.alias for a in units.aliases().values()]


def gas_names() -> list[str]:
    lib = load_library()
    extra = sorted({g for table in lib.gwp.values() for g in table} | set(lib.blends), key=str.casefold)
    return list(BASE_GASES) + [g for g in extra if g not in BASE_GASES]


def library_rows() -> list[tuple[object, ...]]:
    """The built-in library as rows of the 因子库 sheet (code order, then the library's gas order)."""
    lib = load_library()
    rows: list[tuple[object, ...]] = []
    for code in lib.codes():
        for f in lib.factors[code]:
            rows.append((f.code, f.name, f.name_en, f.gas, f.value, f.unit, f.source, f.published, f.data_year))
    return rows


# ---- per-column layout -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnLayout:
    width: float = 14
    number_format: str = "General"
    suffix: str = ""  # shown between the header and its *, e.g. "（%）"; the reader cuts from the bracket
    validation: str | None = None  # a key of _validation()
    wrap: bool = False


_LAYOUT: dict[tuple[str, str], ColumnLayout] = {
    ("产品产量", "name"): ColumnLayout(28),
    ("产品产量", "output"): ColumnLayout(14, validation="non_negative"),
    ("产品产量", "unit"): ColumnLayout(10, validation="product_unit"),
    ("产品产量", "for_intensity"): ColumnLayout(16, validation="yes_no"),
    ("产品产量", "allocation"): ColumnLayout(16, suffix="（%）", validation="percent"),
    ("产品产量", "unit_mass"): ColumnLayout(14, suffix="(kg)", validation="positive"),
    ("产品产量", "output_value"): ColumnLayout(14, suffix="(万元)", validation="non_negative"),
    ("产品产量", "boundary"): ColumnLayout(16),
    ("产品产量", "cpc"): ColumnLayout(12, "@"),
    ("产品产量", "product_id"): ColumnLayout(30, "@"),
    ("产品产量", "base_output"): ColumnLayout(14, validation="non_negative"),
    ("活动数据", "stage"): ColumnLayout(14, validation="stage"),
    ("活动数据", "type"): ColumnLayout(16, validation="activity_type"),
    ("活动数据", "name"): ColumnLayout(22),
    ("活动数据", "amount"): ColumnLayout(14),
    ("活动数据", "unit"): ColumnLayout(11, validation="unit"),
    ("活动数据", "factor_code"): ColumnLayout(26, "@", validation="factor_code"),
    ("活动数据", "source"): ColumnLayout(14, validation="data_source"),
    ("活动数据", "note"): ColumnLayout(44, wrap=True),
    ("活动数据", "scope"): ColumnLayout(8, validation="scope"),
    ("活动数据", "iso_category"): ColumnLayout(10, validation="iso_category"),
    ("活动数据", "site"): ColumnLayout(16),
    **{("活动数据", k): ColumnLayout(9, validation="non_negative") for k in contract.MONTH_KEYS},
    ("活动数据", "evidence"): ColumnLayout(30),
    ("活动数据", "quality"): ColumnLayout(10, validation="quality"),
    ("活动数据", "uncertainty"): ColumnLayout(12, suffix="(%)", validation="non_negative"),
    ("活动数据", "product"): ColumnLayout(18),
    ("活动数据", "recalc_only"): ColumnLayout(12, validation="yes_no"),
    ("排放因子", "code"): ColumnLayout(22, "@"),
    ("排放因子", "name"): ColumnLayout(22),
    ("排放因子", "gas"): ColumnLayout(13, validation="gas"),
    ("排放因子", "value"): ColumnLayout(12, validation="positive"),
    ("排放因子", "unit"): ColumnLayout(15),
    ("排放因子", "source"): ColumnLayout(48, wrap=True),
    ("排放因子", "year"): ColumnLayout(8, "0", validation="year"),
    ("排放因子", "note"): ColumnLayout(36, wrap=True),
    ("排放因子", "scope"): ColumnLayout(8, validation="scope"),
    ("排放因子", "iso_category"): ColumnLayout(10, validation="iso_category"),
    ("排放因子", "uncertainty"): ColumnLayout(12, suffix="(%)", validation="non_negative"),
    ("排放因子", "supplier_data"): ColumnLayout(12, validation="yes_no"),
    ("排放因子", "evidence"): ColumnLayout(30),
    ("设备清单", "name"): ColumnLayout(30),
    ("设备清单", "model"): ColumnLayout(18, "@"),
    ("设备清单", "unit"): ColumnLayout(8, validation="equipment_unit"),
    ("设备清单", "quantity"): ColumnLayout(8, validation="non_negative"),
    ("设备清单", "energy"): ColumnLayout(14, validation="energy"),
    ("减排目标", "year"): ColumnLayout(12, "0", validation="year"),
    ("减排目标", "reduction"): ColumnLayout(16, suffix="（%）", validation="percent"),
    ("减排目标", "stage"): ColumnLayout(14, validation="stage"),
    ("减排目标", "kind"): ColumnLayout(12, validation="target_kind"),
    ("减排技术", "stage"): ColumnLayout(14, validation="stage"),
    ("减排技术", "measure"): ColumnLayout(50, wrap=True),
    ("减排技术", "annual_rate"): ColumnLayout(18, suffix="（%）", validation="percent"),
    ("减排技术", "investment"): ColumnLayout(18, "@", suffix="（万元）"),
    ("减排技术", "note"): ColumnLayout(30, wrap=True),
    ("图片与附件", "position"): ColumnLayout(22, validation="picture_position"),
    ("图片与附件", "title"): ColumnLayout(30),
    ("图片与附件", "file"): ColumnLayout(50),
    ("历史排放", "year"): ColumnLayout(10, "0", validation="year"),
    ("历史排放", "stage"): ColumnLayout(14, validation="stage"),
    ("历史排放", "emissions"): ColumnLayout(18, suffix="（tCO2e）", validation="non_negative"),
}

@dataclass(frozen=True)
class LabelLayout:
    number_format: str = "General"
    suffix: str = ""
    validation: str | None = None


_LABEL_LAYOUT: dict[str, LabelLayout] = {
    "uscc": LabelLayout("@"),
    "phone": LabelLayout("@"),
    "report_no": LabelLayout("@"),
    "year": LabelLayout("0", validation="year"),
    "base_year": LabelLayout("0", validation="year"),
    "gwp_version": LabelLayout(validation="gwp"),
    "template_version": LabelLayout("0"),
    "report_date": LabelLayout("yyyy-mm-dd"),
    "review_date": LabelLayout("yyyy-mm-dd"),
    "approval_date": LabelLayout("yyyy-mm-dd"),
    "output_value": LabelLayout(suffix="（万元）", validation="non_negative"),
}

_TEXT_HEIGHT = 60  # row height (points) of a paragraph label


def header_text(sheet: TableSheet, col: Column) -> str:
    layout = _LAYOUT.get((sheet.name, col.key), ColumnLayout())
    return f"{col.header}{layout.suffix}{'*' if col.required else ''}"


def label_text(label: Label) -> str:
    layout = _LABEL_LAYOUT.get(label.key, LabelLayout())
    return f"{label.text}{layout.suffix}{'*' if label.required else ''}"


# ---- data validations -------------------------------------------------------------------------------------


def _quoted_list(items: tuple[str, ...] | list[str]) -> str:
    text = '"' + ",".join(items) + '"'
    assert len(text) <= 257, "an inline list is limited to 255 characters"
    return text


def _validation(kind: str) -> DataValidation:
    """A fresh DataValidation of one kind. 'stop' refuses other values; 'warning' asks and lets them pass;
    a suggestion list (showErrorMessage False) only offers choices."""

    def dv(type_: str, formula1: str | None = None, *, style: str | None = "stop", title: str = "",
           error: str = "", operator: str | None = None, formula2: str | None = None) -> DataValidation:
        return DataValidation(type=type_, formula1=formula1, formula2=formula2, operator=operator,
                              allow_blank=True, showErrorMessage=style is not None, errorStyle=style,
                              errorTitle=title or None, error=error or None)

    stages_help = "、".join(f"{s}（{lng}）" for s, lng in zip(STAGE_NAMES, STAGE_LONG_NAMES, strict=True))
    match kind:
        case "stage":
            return dv("list", _quoted_list(STAGE_NAMES), style="warning", title="阶段",
                      error=f"建议从下拉列表选择。可用的写法：{stages_help}。其他写法无法识别。")
        case "unit":
            return dv("list", NAME_UNITS, style="warning", title="单位",
                      error="这个单位不在常用单位列表中，可能无法识别。请确认，或从下拉列表选择。")
        case "factor_code":
            return dv("list", NAME_FACTOR_CODES, style="warning", title="排放因子编码",
                      error="该编码不在内置因子库中。若已在“排放因子”表中定义，请点“是”继续。")
        case "gas":
            return dv("list", NAME_GASES, style="warning", title="温室气体",
                      error="这个气体名称不在列表中，请确认拼写。")
        case "yes_no":
            return dv("list", _quoted_list([contract.YES, contract.NO]), title="是/否", error="请填写 是 或 否。")
        case "target_kind":
            return dv("list", _quoted_list(list(contract.TARGET_KINDS)), title="目标类型",
                      error="请填写 总量 或 强度；留空为 总量。")
        case "gwp":
            return dv("list", _quoted_list(contract.GWP_VERSIONS), title="GWP版本",
                      error="请选择 SAR、AR4、AR5 或 AR6；留空为 AR6。")
        case "scope":
            return dv("list", _quoted_list(contract.SCOPE_VALUES), title="范围",
                      error="请填写 1、2 或 3；留空按排放因子自动归类。")
        case "quality":
            return dv("list", _quoted_list(contract.QUALITY_TIERS), title="数据质量",
                      error="请填写 实测、计算、估算 或 缺省；可以留空。")
        case "iso_category":
            return dv("list", _quoted_list(contract.ISO_CATEGORY_VALUES), title="ISO类别",
                      error="请填写 1 到 6；留空按排放因子自动归类。")
        case "year":
            return dv("whole", "1990", formula2="2100", operator="between", style="warning", title="年份",
                      error="请填写四位数年份，如 2023。")
        case "percent":
            return dv("decimal", "0", formula2="100", operator="between", style="warning", title="百分比",
                      error="请填写 0 到 100 之间的数字，8 表示 8%。")
        case "non_negative":
            return dv("decimal", "0", operator="greaterThanOrEqual", style="warning", title="数字",
                      error="请填写不小于 0 的数字。")
        case "positive":
            return dv("decimal", "0", operator="greaterThan", style="warning", title="因子值",
                      error="因子值应为大于 0 的数字。")
        case "product_unit":
            return dv("list", _quoted_list(PRODUCT_UNITS), style=None)
        case "equipment_unit":
            return dv("list", _quoted_list(EQUIPMENT_UNITS), style=None)
        case "energy":
            return dv("list", _quoted_list(ENERGY_TYPES), style=None)
        case "activity_type":
            return dv("list", _quoted_list(ACTIVITY_TYPES), style=None)
        case "data_source":
            return dv("list", _quoted_list(DATA_SOURCES), style=None)
        case "picture_position":
            return dv("list", _quoted_list(PICTURE_POSITIONS), style=None)
    raise ValueError(kind)


# ---- sheets ----------------------------------------------------------------------------------------------


def _print_setup(ws: Worksheet, *, title_rows: str | None = "1:1", landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A  第 &P 页，共 &N 页"


def _style_header(cell, text: str, note: str) -> None:
    cell.value = text
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = _BORDER
    cell.alignment = _CENTER
    if note:
        cell.comment = _note(note)


def _note(text: str) -> Comment:
    c = Comment(text, "carbon-report")
    c.width = 260
    c.height = max(70, 18 * (len(text) // 18 + 2))
    return c


def _style_input(cell, number_format: str = "General", wrap: bool = False) -> None:
    cell.fill = INPUT_FILL
    cell.border = _BORDER
    cell.number_format = number_format
    cell.alignment = _WRAP_TOP if wrap else Alignment(vertical="top")


def _table_sheet(wb: Workbook, spec: TableSheet) -> Worksheet:
    ws = wb.create_sheet(spec.name)
    ws.sheet_properties.tabColor = "2E8B57" if spec.required_sheet else "8FBC8F"
    last_row = HEADER_ROW + INPUT_ROWS
    validations: dict[str, DataValidation] = {}
    for i, col in enumerate(spec.columns, start=1):
        layout = _LAYOUT.get((spec.name, col.key), ColumnLayout())
        letter = get_column_letter(i)
        note = col.help
        if col.required:
            note = f"必填。{note}" if note else "必填。"
        _style_header(ws.cell(HEADER_ROW, i), header_text(spec, col), note)
        ws.column_dimensions[letter].width = layout.width
        for r in range(HEADER_ROW + 1, last_row + 1):
            _style_input(ws.cell(r, i), layout.number_format, layout.wrap)
        if layout.validation:
            dv = validations.get(layout.validation)
            if dv is None:
                dv = validations[layout.validation] = _validation(layout.validation)
                ws.add_data_validation(dv)
            dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{last_row}")
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1).coordinate
    _print_setup(ws)
    return ws


def _company_sheet(wb: Workbook) -> Worksheet:
    ws = wb.create_sheet(contract.COMPANY_SHEET)
    ws.sheet_properties.tabColor = "2E8B57"
    notes = ("报告中出现的项目名称（带 * 的必须填写）", "请在本列填写", "填写要求")
    for i, (text, note) in enumerate(zip(COMPANY_HEADERS, notes, strict=True), start=1):
        _style_header(ws.cell(HEADER_ROW, i), text, note)
    validations: dict[str, DataValidation] = {}
    for r, label in enumerate(contract.LABELS, start=HEADER_ROW + 1):
        layout = _LABEL_LAYOUT.get(label.key, LabelLayout())
        a = ws.cell(r, 1, label_text(label))
        a.font = Font(bold=label.required)
        a.border = _BORDER
        a.alignment = Alignment(vertical="top", wrap_text=True)
        b = ws.cell(r, 2)
        _style_input(b, layout.number_format, wrap=True)
        if label.key == "template_version":
            b.value = contract.TEMPLATE_VERSION
            b.fill = FIXED_FILL
            b.alignment = Alignment(horizontal="left", vertical="top")
        c = ws.cell(r, 3, label.help or None)
        c.font = HELP_FONT
        c.border = _BORDER
        c.alignment = _WRAP_TOP
        if label.long_text:
            ws.row_dimensions[r].height = _TEXT_HEIGHT
        if layout.validation:
            dv = validations.get(layout.validation)
            if dv is None:
                dv = validations[layout.validation] = _validation(layout.validation)
                ws.add_data_validation(dv)
            dv.add(b.coordinate)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 64
    ws.column_dimensions["C"].width = 46
    ws.row_dimensions[HEADER_ROW].height = 24
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False)
    return ws


def _library_sheet(wb: Workbook) -> tuple[Worksheet, int]:
    ws = wb.create_sheet(LIBRARY_SHEET)
    ws.sheet_properties.tabColor = "9E9E9E"
    notes = ("在“活动数据”表的“排放因子编码”列填写此编码", "", "", "", "", "因子的单位：分子为气体质量，分母为活动数据单位",
             "", "", "")
    for i, (text, note) in enumerate(zip(LIBRARY_HEADERS, notes, strict=True), start=1):
        _style_header(ws.cell(HEADER_ROW, i), text, note)
    rows = library_rows()
    widths = (28, 34, 34, 12, 12, 14, 60, 12, 10)
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        lines = 1
        for i, value in enumerate(row, start=1):
            cell = ws.cell(r, i, value)
            cell.border = _BORDER
            cell.alignment = _WRAP_TOP
            if i == 8:
                cell.number_format = "yyyy-mm-dd"
            elif i == 9:
                cell.number_format = "0"
            if isinstance(value, str):
                lines = max(lines, -(-_display_width(value) // int(widths[i - 1] * 1.15)))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines + 1
    for letter, width in zip("ABCDEFGHI", widths, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B2"
    last = HEADER_ROW + max(len(rows), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:I{last}"
    # Read-only without a password: the clerk can look, filter and copy, not edit.
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    _print_setup(ws)
    return ws, len(rows)


def _lists_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    lib = load_library()
    columns = {
        NAME_UNITS: ("单位", unit_spellings()),
        NAME_FACTOR_CODES: ("排放因子编码", lib.codes()),
        NAME_GASES: ("温室气体", gas_names()),
    }
    for i, (name, (title, values)) in enumerate(columns.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(1, i, title).font = Font(bold=True)
        for r, v in enumerate(values, start=2):
            ws.cell(r, i, v).number_format = "@"
        ws.column_dimensions[letter].width = 24
        last = 1 + max(len(values), 1)
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{LISTS_SHEET}'!${letter}$2:${letter}${last}")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _guide_lines() -> list[tuple[str, tuple[str, ...]]]:
    """The guide as (kind, cells): kind is title, text, section, head (a table header), row, input."""
    stage_rows = [
        ("row", (s.short_zh, s.long_zh, desc))
        for s, desc in zip(STAGES, (
            "外购原材料在其生产过程中的排放，如钢材、水泥、砂石",
            "厂内生产用电、燃料（天然气、柴油等）、制冷剂泄漏等",
            "采购环节发生的能源消耗等（如有）",
            "原材料、产品、废弃物的运输，一般按吨公里（t·km）填写",
            "包装材料及其运输、包装废弃物",
            "产品和废弃物的回收处理",
        ), strict=True)
    ]
    sheet_desc = {
        contract.COMPANY_SHEET: "企业基本信息、报告信息和报告各章的文字",
        "产品产量": "核算年度的产品和产量，用于计算单位产品排放强度",
        "活动数据": "六个阶段的物料、能源、运输等数量，一种一行",
        "排放因子": "企业自己的排放因子（与因子库同编码时以此为准），须注明来源",
        "设备清单": "主要耗能设备（报告表 2-1）",
        "减排目标": "目标年份和与基准年相比的减排比例",
        "减排技术": "减排技术措施清单（报告附表 2-1）",
        "图片与附件": "报告中的图片：企业概貌、工艺流程、营业执照等",
        "历史排放": "往年的排放量；基准年不是核算年度时必须填写基准年",
    }
    sheet_rows = [("row", (contract.COMPANY_SHEET, "是", sheet_desc[contract.COMPANY_SHEET]))]
    for spec in contract.TABLE_SHEETS:
        sheet_rows.append(("row", (spec.name, "是" if spec.required_sheet else "否", sheet_desc.get(spec.name, ""))))
    sheet_rows.append(("row", (LIBRARY_SHEET, "—", "内置排放因子（只读），可查阅来源并选择编码")))
    version = load_library().version
    return [
        ("title", (f"企业碳排放数据填报模板（模板版本 {contract.TEMPLATE_VERSION}）",)),
        ("text", ("请按本说明填写各工作表，填好后将文件发回技术服务机构。黄色单元格是填写区；带 * 的项目必须填写；"
                  "表头右上角的红色小三角是批注，鼠标移到表头上即可看到填写要求和单位。",)),
        ("section", ("一、填写步骤",)),
        ("text", ("1. 在“企业信息”表的 B 列填写企业基本情况和各段文字（可从 Word 直接粘贴；单元格内换行按 Alt+Enter）。",)),
        ("text", ("2. 在“产品产量”表填写核算年度的产品和产量。",)),
        ("text", ("3. 在“活动数据”表逐行填写各阶段的原材料、能源、运输、包装等数量：一种物料或能源一行，不要填写合计行或小计行。",)),
        ("text", ("4. “排放因子编码”可从下拉列表选择（各编码的含义和来源见“因子库”表）；留空时按名称自动匹配默认因子。"
                  "使用自己的因子时，先在“排放因子”表登记编码、数值、单位和来源。",)),
        ("text", ("   “活动数据”和“排放因子”表最右侧的“范围”“ISO类别”两列可以不填：程序按排放因子的类型自动归入 GHG Protocol "
                  "范围（1–3）和 ISO 14064-1 类别（1–6）；需要改写时从下拉列表选择。",)),
        ("text", ("   以下各列可选：“场所”填厂区或工厂名称（留空计入主厂区，按“生产经营地址”命名），报告和汇总按场所分列；"
                  "“1月”…“12月”按月填写电费单、燃气单等的数量，填写后年度活动数据为各月之和（“活动数据”列可留空，"
                  "若也填写，两者相差不得超过 0.5%），未填的月份按 0 计并提示数据缺口；",)),
        ("text", ("   “证明材料”填电费单、发票等扫描件或 PDF 的路径（相对于本工作簿所在文件夹，如 证明材料/1月电费单.pdf，"
                  "不能指向文件夹之外），程序记录文件的 SHA-256 校验值和大小，不嵌入文件；“数据质量”选 实测、计算、估算、缺省，"
                  "“不确定度(%)”填 95% 置信区间的半宽（5 表示 ±5%），留空按数据质量等级取缺省值，"
                  "报告据此按 IPCC 2006 方法 1 估算排放量的不确定度。",)),
        ("text", ("5. 设备清单、减排目标、减排技术、图片与附件、历史排放按实际情况填写，没有的可以留空。",)),
        ("text", ("6. 不要修改工作表名称和表头文字，不要删除表头行；可以在表头下方增删数据行，也可以在右侧增加自己的列。",)),
        ("section", ("二、数字、单位和日期",)),
        ("text", ("• 数量只填数字，如 72584；单位填在“单位”列，不要写进数量单元格。不要填写公式计算的合计。",)),
        ("text", ("• 常用单位：t（吨）、kg、kWh（千瓦时、度）、万kWh、MWh、m3、万m3、Nm3、L（升）、GJ、t·km（吨公里）等，"
                  "可从下拉列表选择，大小写不限。",)),
        ("text", ("• 百分比填数字：8 表示 8%（写成 8% 也可以）。",)),
        ("text", ("• 日期写成 2024-07-20 或 2024年7月20日；年份写四位数字，如 2023。",)),
        ("text", ("• 统一社会信用代码和电话号码所在单元格已设为文本格式，请勿改为数字格式，否则会丢失数字。",)),
        ("section", ("三、“/”和“不适用”",)),
        ("text", ("• /：该项有发生，但没有数据。计算时按 0 处理，报告中列为数据缺口。也可以写 —、- 或 无。",)),
        ("text", ("• 不适用：该项不在本企业的核算边界内。必须在“备注”列写明原因；计算时按 0 处理，报告中列为排除的排放源。",)),
        ("text", ("• 没有发生的活动不必填写；某个阶段一行也没有时，报告中该阶段显示为 /。",)),
        ("section", ("四、六个阶段（“阶段”列填简称或报告中的名称均可）",)),
        ("head", ("阶段（简称）", "报告中的名称", "典型内容")),
        *stage_rows,
        ("section", ("五、工作表一览",)),
        ("head", ("工作表", "必填", "填写内容")),
        *sheet_rows,
        ("text", (f"内置因子库版本：{version}",)),
        ("section", ("六、联系方式",)),
        ("text", ("填写中有疑问，请联系技术服务机构：",)),
        ("input", ("联系人",)),
        ("input", ("电话",)),
        ("input", ("电子邮箱",)),
    ]


_GUIDE_WIDTHS = (16, 28, 64)
_GUIDE_CHARS_PER_LINE = 58  # Chinese characters on one line of the merged A:C text area


def _guide_sheet(wb: Workbook) -> Worksheet:
    ws = wb.active
    ws.title = GUIDE_SHEET
    ws.sheet_properties.tabColor = "1F6F5C"
    for letter, width in zip("ABC", _GUIDE_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    r = 1
    for kind, cells in _guide_lines():
        if kind in ("title", "text", "section"):
            cell = ws.cell(r, 1, cells[0])
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
            if kind == "title":
                cell.font = TITLE_FONT
                ws.row_dimensions[r].height = 30
                cell.alignment = Alignment(vertical="center")
            elif kind == "section":
                cell.font = SECTION_FONT
                ws.row_dimensions[r].height = 24
                cell.alignment = Alignment(vertical="bottom")
            else:
                cell.alignment = _WRAP_TOP
                lines = -(-_display_width(cells[0]) // (2 * _GUIDE_CHARS_PER_LINE))
                ws.row_dimensions[r].height = 16 * max(lines, 1) + 2
        elif kind in ("head", "row"):
            lines = 1
            for i, text in enumerate(cells, start=1):
                cell = ws.cell(r, i, text)
                cell.border = _BORDER
                cell.alignment = _WRAP_TOP
                if kind == "head":
                    cell.font = HEADER_FONT
                    cell.fill = HEADER_FILL
                lines = max(lines, -(-_display_width(text) // int(_GUIDE_WIDTHS[i - 1] - 2)))
            if lines > 1:
                ws.row_dimensions[r].height = 16 * lines + 2
        elif kind == "input":
            ws.cell(r, 1, cells[0]).alignment = Alignment(horizontal="right")
            _style_input(ws.cell(r, 2), "@")
        r += 1
    _print_setup(ws, title_rows=None, landscape=False)
    ws.sheet_view.showGridLines = False
    return ws


def _display_width(text: str) -> int:
    """Half-width columns: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def fit_row_heights(ws: Worksheet, *, line_height: float = 16.5) -> None:
    """Give rows whose wrapped text needs several lines a height that shows it all (neither Excel nor
    LibreOffice re-measures rows of a generated file reliably). Rows never shrink below their height."""
    for row in ws.iter_rows():
        lines = 1
        for c in row:
            if not (isinstance(c.value, str) and c.alignment.wrap_text):
                continue
            width = ws.column_dimensions[c.column_letter].width or 8.43
            per_line = max(int(width), 1)
            lines = max(lines, sum(max(1, -(-_display_width(p) // per_line)) for p in c.value.split("\n")))
        if lines > 1:
            r = row[0].row
            current = ws.row_dimensions[r].height or 0
            ws.row_dimensions[r].height = max(current, line_height * lines + 3)


def build_template() -> Workbook:
    """The empty intake workbook: guide, input sheets in contract order, 因子库 and the hidden lists."""
    wb = Workbook()
    _guide_sheet(wb)
    _company_sheet(wb)
    for spec in contract.TABLE_SHEETS:
        _table_sheet(wb, spec)
    _library_sheet(wb)
    _lists_sheet(wb)
    wb.active = 0
    props = wb.properties
    props.creator = "carbon-report"
    props.lastModifiedBy = "carbon-report"
    props.title = "企业碳排放数据填报模板"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


# ---- writing --------------------------------------------------------------------------------------------


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes that depend only on its content: openpyxl stamps the save time into
    docProps/core.xml and every zip entry; both are replaced by fixed values."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = wb.properties.created or FIXED_TIME
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with opened(raw.getvalue()) as src:
        core = src.part("docProps/core.xml") if src.has("docProps/core.xml") else None
        replace = {} if core is None else {"docProps/core.xml": _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", core)}
        return src.rewrite(replace, fixed_time=_ZIP_TIME, file_mode=0o600)


def write_workbook(wb: Workbook, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then os.replace (an existing file is replaced)."""
    write_bytes(Path(path), workbook_bytes(wb))


def write_template(path: Path, *, force: bool = False) -> None:
    """`carbon-report template OUT.xlsx`: the empty template, written atomically. An existing file (very
    likely a filled workbook of the same name) is left as it is unless `force`: raises OutputExists."""
    path = Path(path)
    if not force and (path.exists() or path.is_symlink()):
        raise OutputExists(path)
    write_workbook(build_template(), path)

"""The computed sheets as plain 2-D tables.

Both the openpyxl writer (workbook_writer.py) and the Excel add-in's adapter (excel/) draw these same
tables, so a number in 排放汇总 is the same whichever way the consultant ran the tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carbon_report.core import contract
from carbon_report.core.calculate import OUTPUT_VALUE_PRODUCT
from carbon_report.core.model import Activity, EmissionLine, Finding, Intake, Result, Stage

TCO2E = "tCO2e"
_KIND_ZH = {"value": "实测", "no_data": "无数据", "not_applicable": "不适用"}


@dataclass
class SheetTable:
    name: str
    header: list[str]
    rows: list[list[object]]
    widths: list[float]
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → Excel number format
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) in rows → "'表'!D7"
    chart: dict[str, object] | None = None  # {"kind": "pie", "title", "label_col", "value_col", "first", "last"}
    title: str = ""  # a line above the header


def sheet_link(sheet: str, cell: str) -> str:
    return f"'{sheet}'!{cell}"


def computed_tables(findings: list[Finding], intake: Intake | None, result: Result | None,
                    library_version: str) -> list[SheetTable]:
    tables = [findings_table(findings)]
    if intake is not None and result is not None:
        tables += [details_table(intake, result, library_version), summary_table(intake, result, library_version),
                   targets_table(intake, result)]
    else:
        note = "存在错误，未计算。请先修正“校验结果”中的错误。"
        for name in (contract.SHEET_DETAILS, contract.SHEET_SUMMARY, contract.SHEET_TARGETS):
            tables.append(SheetTable(name, ["说明"], [[note]], [60]))
    return tables


def findings_table(findings: list[Finding]) -> SheetTable:
    order = sorted(findings, key=lambda x: (0 if x.is_error else 1))
    rows: list[list[object]] = []
    links = {}
    for i, x in enumerate(order):
        rows.append([i + 1, "错误" if x.is_error else "警告", x.sheet, x.cell, x.code, x.message])
        if x.sheet and x.cell and x.code != "E-SHEET-MISSING":  # no link into a sheet that is not there
            links[(i, 3)] = sheet_link(x.sheet, x.cell)
    if not rows:
        rows.append(["", "", "", "", "", "未发现问题"])
    errors = sum(1 for x in findings if x.is_error)
    title = f"错误 {errors} 个，警告 {len(findings) - errors} 个。点击“单元格”列可跳转到对应位置。"
    return SheetTable(contract.SHEET_FINDINGS, ["序号", "级别", "工作表", "单元格", "代码", "说明"], rows,
                      [6, 6, 12, 8, 26, 90], links=links, title=title)


def details_table(intake: Intake, result: Result, library_version: str) -> SheetTable:
    header = ["序号", "阶段", "类型", "名称", "来源单元格", "活动数据", "单位", "数据性质", "单位换算", "因子编码", "因子名称",
              "温室气体", "因子值", "因子单位", "因子来源", "发布日期", "数据年份", "因子出处", "GWP", "气体排放量（t）",
              f"排放量（{TCO2E}）", "说明"]
    entries: list[tuple[Activity, list[object]]] = []
    covered: set[int] = set()
    for line in result.lines:
        f = line.factor
        covered.add(id(line.activity))
        origin = f"因子库 {library_version}" if f.origin == "library" else f"本工作簿 {f.ref}" if f.ref else "本工作簿"
        if f.biogenic:
            origin += "（生物质 CO2，单独报告，不计入合计）"
        entries.append((line.activity, [line.conversion, f.code, f.name, f.gas, f.value, f.unit, f.source,
                                        f.published.isoformat() if f.published else "", f.data_year or "", origin,
                                        line.gwp, line.gas_tonnes, 0.0 if f.biogenic else line.tco2e,
                                        _line_note(line)]))
    for a in intake.activities:
        if id(a) not in covered:
            entries.append((a, ["", a.factor_code, "", "", None, "", "", "", "", "", None, 0.0, 0.0, ""]))
    entries.sort(key=lambda e: (list(Stage).index(e[0].stage), e[0].row))
    rows: list[list[object]] = []
    links: dict[tuple[int, int], str] = {}
    for i, (a, cells) in enumerate(entries):
        rows.append([i + 1, a.stage.short_zh, a.type, a.name, str(a.amount_cell), _amount(a), a.unit,
                     _KIND_ZH[a.amount_kind], *cells])
        links[(i, 4)] = sheet_link(a.amount_cell.sheet, a.amount_cell.cell)
    total_row = ["", "合计", "", "", "", None, "", "", "", "", "", "", None, "", "", "", "", "", None, None, result.total, ""]
    rows.append(total_row)
    return SheetTable(contract.SHEET_DETAILS, header, rows,
                      [6, 10, 12, 18, 14, 14, 8, 8, 24, 22, 26, 10, 12, 14, 50, 11, 9, 20, 8, 14, 16, 50],
                      number_formats={5: "#,##0.####", 12: "0.######", 18: "#,##0.###", 19: "#,##0.000000",
                                      20: "#,##0.000000"},
                      links=links, title=f"每行为一项活动 × 一种温室气体。因子库版本 {library_version}；GWP 取值 {intake.company.gwp_version}。"
                      + _factor_date_text(intake))


def _line_note(line: EmissionLine) -> str:
    """The CH4 class, implicit readings and the date basis of a dated factor, for an auditor."""
    f = line.factor
    parts = [line.notes] if line.notes else []
    if f.date_basis:
        parts.append(f"发布日期为{f.date_basis}")
    return "；".join(parts)


def _factor_date_text(intake: Intake) -> str:
    if intake.factor_date is None:
        return ""
    how = "报告日期" if intake.company.report_date else "报告日期为空，按运行日期"
    return f"默认因子选取日期 {intake.factor_date.isoformat()}（{how}）。"


def _amount(a: Activity) -> object:
    if a.amount_kind == "no_data":
        return "/"
    if a.amount_kind == "not_applicable":
        return contract.NOT_APPLICABLE
    return a.amount


def summary_table(intake: Intake, result: Result, library_version: str) -> SheetTable:
    rows: list[list[object]] = []
    for i, s in enumerate(Stage):
        has = result.stage_has_rows(s) or any(a.stage == s for a in intake.activities)
        share = result.shares[s] if result.shares is not None else None
        rows.append([i + 1, s.indicator_zh, TCO2E, result.stage_totals[s] if has else "/", share,
                     "" if has else "无活动数据"])
    rows.append([7, "企业碳排放量合计（1+2+3+4+5+6）", TCO2E, result.total, 1.0 if result.shares is not None else None, ""])
    n = 8
    if result.biogenic_co2_t:
        rows.append([n, "生物质燃烧 CO2（单独报告，不计入合计）", "tCO2", result.biogenic_co2_t, None,
                     "GB/T 32150-2015：生物质燃料燃烧的 CO2 单独报告"])
        n += 1
    for it in result.intensities:
        label = f"单位{'产值' if it.product == OUTPUT_VALUE_PRODUCT else '产品'}碳排放强度（{it.product}）"
        basis = (f"企业合计 ÷ 工业总产值 {it.output:,.4g} 万元" if it.product == OUTPUT_VALUE_PRODUCT else
                 f"企业合计 × 分配比例 {it.allocation_pct:g}% ÷ 产量 {it.output:,.10g} {it.unit}")
        rows.append([n, label, f"{TCO2E}/{it.unit}", it.tco2e_per_unit, None, basis])
        n += 1
    c = intake.company
    meta = f"{c.name}　核算年度 {c.year}　GWP {c.gwp_version}　因子库版本 {library_version}"
    return SheetTable(contract.SHEET_SUMMARY, ["序号", "清单", "单位", "数量", "占比", "备注"], rows,
                      [6, 44, 14, 18, 10, 48], number_formats={3: "#,##0.0000", 4: "0.00%"},
                      chart={"kind": "pie", "title": "各阶段碳排放占比", "label_col": 1, "value_col": 3,
                             "first": 0, "last": 5} if result.total > 0 else None,
                      title=meta)


def targets_table(intake: Intake, result: Result) -> SheetTable:
    rows: list[list[object]] = []
    for t in result.targets:
        if t.kind == "intensity":
            rows.append([t.year, f"单位产品（{t.product}）", "强度", t.base_year, t.base_value, t.reduction_pct / 100,
                         t.target_value, f"{TCO2E}/{t.unit}"])
        else:
            name = "企业碳排放量合计" if t.stage is None else t.stage.indicator_zh
            rows.append([t.year, name, "总量", t.base_year, t.base_value, t.reduction_pct / 100, t.target_value, TCO2E])
    if not rows:
        rows.append(["", "未填写减排目标", "", "", None, None, None, ""])
    return SheetTable(contract.SHEET_TARGETS, ["目标年份", "阶段", "目标类型", "基准年", "基准年排放量", "减排比例",
                                               "目标排放量", "单位"], rows, [10, 34, 10, 8, 18, 10, 18, 14],
                      number_formats={4: "#,##0.0000", 5: "0.00%", 6: "#,##0.0000"},
                      title="目标排放量 = 基准年排放量 ×（1 − 减排比例）")

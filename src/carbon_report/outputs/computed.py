"""The computed sheets as plain 2-D tables.

Both the openpyxl writer (workbook_writer.py) and the Excel add-in's adapter (excel/) draw these same
tables, so a number in 排放汇总 is the same whichever way the consultant ran the tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from carbon_report.core import contract
from carbon_report.core.calculate import OUTPUT_VALUE_PRODUCT
from carbon_report.core.factors import load_library
from carbon_report.core.factors.scopes import class_names
from carbon_report.core.findings import Code
from carbon_report.core.gaps import KIND_ZH as GAP_KIND_ZH
from carbon_report.core.gaps import find_gaps
from carbon_report.core.model import (
    SCOPE_KEYS,
    Activity,
    EmissionLine,
    Finding,
    Intake,
    LineUncertainty,
    RecalcReason,
    Result,
    Stage,
    UncertaintyFamilyUse,
)
from carbon_report.core.report.notes import GAP_NOTE as GAP_NOTE  # the sheets' word, as the report's
from carbon_report.core.report.notes import NO_ACTIVITY_NOTE as NO_ACTIVITY_NOTE
from carbon_report.core.report.notes import stage_note
from carbon_report.core.rounding import plain_number, share_percentages, significant_decimals

TCO2E = "tCO2e"
NO_VALUE = "/"
# 数据性质 of a row: its 数据质量 tier (实测/计算/估算/缺省, 未填 when blank); a gap reads 数据缺失 in the sheets
# as in the report, a row outside the boundary 不适用.
_KIND_ZH = {"no_data": GAP_NOTE, "not_applicable": contract.NOT_APPLICABLE}
QUALITY_BLANK = "未填"


def data_nature(a: Activity) -> str:
    return _KIND_ZH.get(a.amount_kind) or a.quality or QUALITY_BLANK


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
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → format, over the column's
    wrap: frozenset[int] = frozenset()  # columns whose text wraps (long sources and messages)
    # Printing a table wider than a page: each printed page starts at one of these columns, and the first
    # `repeat_cols` columns are repeated on every page (so each page says which row it is).
    page_starts: tuple[int, ...] = ()
    repeat_cols: int = 0
    active: bool = False  # the workbook opens on this sheet


@dataclass(frozen=True)
class StageDisplay:
    """How one stage reads in 排放汇总, in the report's 表 A.1 and in the JSON's display fields."""

    quantified: bool  # at least one row with a number; otherwise the quantity reads "/"
    share_pct: Decimal | None  # largest-remainder percentage; None reads "/"
    note: str  # 数据缺失 / 部分数据缺失 / 无相关活动 / "" (core/report/notes.py)

    @property
    def share_text(self) -> str:
        return NO_VALUE if self.share_pct is None else f"{self.share_pct:.2f}%"


def decimals_format(decimals: int, *, grouping: bool = True) -> str:
    """An Excel number format with exactly `decimals` decimals: never General (which turns 3865000 into
    3.865E+06 in a narrow column) and never "0.####" (which leaves "1,250." for a whole number)."""
    base = "#,##0" if grouping else "0"
    return base + ("." + "0" * decimals if decimals > 0 else "")


def exact_decimals(value: float, most: int = 6) -> int:
    """Decimals a value as written needs (766.76 → 2, 72584 → 0), at most `most`."""
    d = Decimal(repr(float(value))).normalize()
    exponent = d.as_tuple().exponent
    return min(most, max(0, -exponent)) if isinstance(exponent, int) else 0


def stage_display(intake: Intake, result: Result) -> dict[Stage, StageDisplay]:
    """Quantity, share and note of every stage as a reader sees them. Shares are shared out by largest
    remainder over the stages that carry a number, so they add up to 100.00 % exactly, as in the report."""
    acts = {s: [a for a in intake.activities if a.stage == s] for s in Stage}
    quantified = {s: any(a.amount_kind == "value" for a in acts[s]) for s in Stage}
    parts = {s: result.stage_totals.get(s, 0.0) for s in Stage if quantified[s]}
    shares = share_percentages(parts) if result.total > 0 else {}
    return {s: StageDisplay(quantified[s], shares.get(s) if quantified[s] else None, stage_note(acts[s]))
            for s in Stage}


def sheet_link(sheet: str, cell: str) -> str:
    return f"'{sheet}'!{cell}"


def computed_tables(findings: list[Finding], intake: Intake | None, result: Result | None,
                    library_version: str) -> list[SheetTable]:
    tables = [findings_table(findings)]
    if intake is not None and result is not None:
        tables += [details_table(intake, result, library_version), summary_table(intake, result, library_version),
                   scopes_table(intake, result), targets_table(intake, result), years_table(intake, result)]
        tables += [t for t in (monthly_table(intake), sites_table(intake, result), gaps_table(intake))
                   if t is not None]
        if result.pcf is not None:
            from carbon_report.outputs.pcf.sheet import pcf_table  # it builds on this module's SheetTable

            tables.append(pcf_table(intake, result.pcf))
    else:
        note = "存在错误，未计算。请先修正“校验结果”中的错误。"
        for name in (contract.SHEET_DETAILS, contract.SHEET_SUMMARY, contract.SHEET_SCOPES, contract.SHEET_TARGETS,
                     contract.SHEET_YEARS):
            tables.append(SheetTable(name, ["说明"], [[note]], [60]))
    # The workbook opens where the reader should look first: the findings when there are any, else the totals.
    opening = contract.SHEET_FINDINGS if findings else contract.SHEET_SUMMARY
    for t in tables:
        t.active = t.name == opening
    return tables


def findings_table(findings: list[Finding]) -> SheetTable:
    order = sorted(findings, key=lambda x: (0 if x.is_error else 1))
    rows: list[list[object]] = []
    links = {}
    for i, x in enumerate(order):
        rows.append([i + 1, "错误" if x.is_error else "警告", x.sheet, x.cell, x.code, x.message])
        if x.sheet and x.cell and x.code != Code.E_SHEET_MISSING:  # no link into a sheet that is not there
            links[(i, 3)] = sheet_link(x.sheet, x.cell)
    if not rows:
        rows.append(["", "", "", "", "", "未发现问题"])
    errors = sum(1 for x in findings if x.is_error)
    title = f"错误 {errors} 个，警告 {len(findings) - errors} 个。点击“单元格”列可跳转到对应位置。"
    return SheetTable(contract.SHEET_FINDINGS, ["序号", "级别", "工作表", "单元格", "代码", "说明"], rows,
                      [6, 6, 12, 8, 26, 90], number_formats={0: "0"}, links=links, title=title,
                      wrap=frozenset({2, 5}))


DETAILS_HEADER = ["序号", "阶段", "类型", "名称", "来源单元格", "活动数据", "单位", "数据性质", "单位换算", "因子编码",
                  "因子名称", "温室气体", "因子值", "因子单位", "因子来源", "发布日期", "数据年份", "因子出处", "GWP",
                  "气体排放量（t）", f"排放量（{TCO2E}）", "范围", "ISO 14064-1 类别", "范围三类别（GHG Protocol）", "说明"]
SCOPE_DETAIL_HEADER = DETAILS_HEADER[21:24]
SCOPE_DETAIL_WIDTHS = [6, 9, 16]
# Printed, 计算明细 is three A4 landscape pages wide: the activity and its factor, the factor's source and
# the result, then the line's scope, category and notes; 序号 … 名称 repeat on both, so every printed row says which activity it is.
_DETAILS_WIDTHS = [6, 8, 9, 14, 10, 11, 7, 8, 14, 14, 14, 9, 10, 11, 36, 11, 7, 13, 7, 12, 13, *SCOPE_DETAIL_WIDTHS, 36]
_DETAILS_WRAP = frozenset({1, 2, 3, 6, 8, 9, 10, 13, 14, 17, 23, 24})
_DETAILS_PAGE_2 = DETAILS_HEADER.index("因子来源")
_DETAILS_PAGE_3 = DETAILS_HEADER.index("范围")  # classification and notes: the auditor's page


def details_table(intake: Intake, result: Result, library_version: str) -> SheetTable:
    entries: list[tuple[Activity, list[object]]] = []
    covered: set[int] = set()
    for line in result.lines:
        f = line.factor
        covered.add(id(line.activity))
        origin = f"因子库 {library_version}" if f.origin == "library" else f"本工作簿 {f.ref}" if f.ref else "本工作簿"
        if f.biogenic:
            origin += "（生物质 CO2，单独报告，不计入合计）"
        counted = line.activity.amount_kind == "value"
        entries.append((line.activity, [line.conversion, f.code, f.name, f.gas, f.value, f.unit, f.source,
                                        f.published.isoformat() if f.published else "", f.data_year or "", origin,
                                        line.gwp, line.gas_tonnes if counted else _amount(line.activity),
                                        (0.0 if f.biogenic else line.tco2e) if counted else _amount(line.activity),
                                        *scope_detail_cells(line), _line_note(line)]))
    for a in intake.activities:
        if id(a) not in covered:
            nothing = 0.0 if a.amount_kind == "value" else _amount(a)
            entries.append((a, ["", a.factor_code, "", "", None, "", "", "", "", "", None, nothing, nothing,
                                *[""] * len(SCOPE_DETAIL_HEADER), ""]))
    extras = uses_extras(intake)
    if extras:  # issue 16's columns, appended so a v1 workbook's 计算明细 keeps its shape
        per_line = {id(u.line): u for u in result.uncertainty.lines} if result.uncertainty else {}
        families = {f.family: f for f in result.uncertainty.families} if result.uncertainty else {}
        lines_by_entry = [line for line in result.lines] + [None] * (len(entries) - len(result.lines))
        for (a, cells), line in zip(entries, lines_by_entry, strict=True):
            cells += extra_cells(a, per_line.get(id(line)) if line is not None else None, families)
    entries.sort(key=lambda e: (list(Stage).index(e[0].stage), e[0].row))
    rows: list[list[object]] = []
    links: dict[tuple[int, int], str] = {}
    for i, (a, cells) in enumerate(entries):
        rows.append([i + 1, a.stage.short_zh, a.type, a.name, str(a.amount_cell), _amount(a), a.unit,
                     data_nature(a), *cells])
        links[(i, 4)] = sheet_link(a.amount_cell.sheet, a.amount_cell.cell)
    total_row = ["", "合计", "", "", "", None, "", "", "", "", "", "", None, "", "", "", "", "", None, None, result.total,
                 *[""] * len(SCOPE_DETAIL_HEADER), "", *([""] * len(EXTRA_HEADER) if extras else [])]
    rows.append(total_row)
    formats = {0: "0", 16: "0"}
    cell_formats: dict[tuple[int, int], str] = {}
    for i, row in enumerate(rows):
        for j, digits in ((5, None), (12, None), (18, None), (19, 4), (20, 4)):
            v = row[j]
            if isinstance(v, int | float) and not isinstance(v, bool):
                decimals = (exact_decimals(v, 8) if digits is None
                            else significant_decimals(v, digits, least=4))
                cell_formats[(i, j)] = decimals_format(decimals)
    n = len(DETAILS_HEADER)
    extra_formats = {n + 3: "#,##0", n + 5: "0.0#", n + 6: "0.0#", n + 7: "0.0#", n + 8: "0.0#"} if extras else {}
    return SheetTable(contract.SHEET_DETAILS, DETAILS_HEADER + (EXTRA_HEADER if extras else []), rows,
                      _DETAILS_WIDTHS + (EXTRA_WIDTHS if extras else []),
                      # by column for writers that take no per-cell format (the Excel add-in)
                      number_formats={**formats, 5: "#,##0.0###", 12: "#,##0.0#####", 18: "#,##0.0##",
                                      19: "#,##0.000000", 20: "#,##0.000000", **extra_formats},
                      links=links, cell_formats=cell_formats,
                      wrap=_DETAILS_WRAP | (frozenset({n, n + 1, n + 2, n + 9}) if extras else frozenset()),
                      page_starts=(0, _DETAILS_PAGE_2, _DETAILS_PAGE_3, *((n,) if extras else ())), repeat_cols=4,
                      title=f"每行为一项活动 × 一种温室气体。因子库版本 {library_version}；GWP 取值 {intake.company.gwp_version}。"
                      + _factor_date_text(intake))


# ---- issue 16: months, sites, evidence, data quality and uncertainty ---------------------------------------

EXTRA_HEADER = ["场所", "证明材料", "证明材料 SHA-256", "证明材料大小（字节）", "数据质量", "活动数据不确定度（%）",
                "因子不确定度（%）", "合成不确定度（%）", "GWP 不确定度（%）", "不确定度依据"]
EXTRA_WIDTHS = [12, 18, 28, 11, 10, 10, 10, 10, 8, 22]
CITED_ZH, ASSUMED_ZH = "引用", "假设值"
DEFAULT_MARK = "（缺省）"


def uses_extras(intake: Intake) -> bool:
    """Whether 计算明细 carries issue 16's columns: some row names a 场所, an evidence file or a data quality."""
    main = main_site(intake)
    return any(a.evidence or a.quality or a.uncertainty_basis or a.site != main for a in intake.activities)


def main_site(intake: Intake) -> str:
    return intake.company.text("address") or contract.MAIN_SITE_DEFAULT


def extra_cells(a: Activity, u: LineUncertainty | None, families: dict[str, UncertaintyFamilyUse] | None = None
                ) -> list[object]:
    ev = a.evidence
    evidence = [ev.file, ev.sha256 or "未找到文件", ev.size if ev.size is not None else ""] if ev else ["", "", ""]
    quality = a.quality + (DEFAULT_MARK if a.uncertainty_basis == "default" else "")
    if u is None:
        return [a.site, *evidence, quality, a.uncertainty_pct if a.uncertainty_pct is not None else "", "", "", "",
                uncertainty_basis_text(a, None, families or {})]
    u_ef: object = u.u_factor if u.factor_basis else "未计入"
    return [a.site, *evidence, quality, u.u_activity, u_ef, u.u_line, u.u_gwp if u.gwp_basis else "",
            uncertainty_basis_text(a, u, families or {})]


def uncertainty_basis_text(a: Activity, u: LineUncertainty | None, families: dict[str, UncertaintyFamilyUse]) -> str:
    """Where each part of a row's uncertainty comes from: given, or a default that is cited or assumed."""
    parts = []
    if a.uncertainty_basis == "given":
        parts.append("活动数据：企业填写")
    elif a.uncertainty_basis == "default":
        tier = load_library().uncertainty_tiers.get(a.quality or "缺省")
        if tier is not None:
            how = CITED_ZH if tier.status == "verified" else ASSUMED_ZH
            parts.append(f"活动数据：“{tier.tier}”等级缺省 ±{tier.pct:g}%（{how}）")
    if u is not None:
        if u.factor_basis == "given":
            parts.append("因子：来源所给")
        elif u.factor_basis in families:
            fam = families[u.factor_basis]
            parts.append(f"因子：{fam.label}缺省 ±{fam.pct:g}%（{CITED_ZH if fam.cited else ASSUMED_ZH}）")
        else:
            parts.append("因子：来源未给出，未计入")
        if u.gwp_basis in families:
            fam = families[u.gwp_basis]
            parts.append(f"GWP：{fam.label} ±{fam.pct:g}%（{CITED_ZH if fam.cited else ASSUMED_ZH}）")
    return "；".join(parts)


MONTHS_ZH = [f"{i}月" for i in range(1, 13)]


def monthly_table(intake: Intake) -> SheetTable | None:
    """月度数据: every row given by month, in its own unit, with its sum and the months left blank."""
    acts = [a for a in intake.activities if a.months is not None]
    if not acts:
        return None
    rows: list[list[object]] = []
    links: dict[tuple[int, int], str] = {}
    for i, a in enumerate(sorted(acts, key=lambda a: (list(Stage).index(a.stage), a.row))):
        months = a.months or ()
        gaps = "、".join(f"{m}月" for m in a.month_gaps)
        rows.append([i + 1, a.stage.short_zh, a.name, a.site, a.unit, *[None if m in a.month_gaps else v
                                                                          for m, v in enumerate(months, start=1)],
                     a.amount, str(a.amount_cell), gaps])
        links[(i, 18)] = sheet_link(a.amount_cell.sheet, a.amount_cell.cell)
    header = ["序号", "阶段", "名称", "场所", "单位", *MONTHS_ZH, "全年合计", "活动数据单元格", "未填月份（数据缺口）"]
    return SheetTable(contract.SHEET_MONTHLY, header, rows, [6, 8, 14, 16, 8, *[10] * 12, 12, 10, 16],
                      number_formats={0: "0", **{j: "#,##0.####" for j in range(5, 18)}}, links=links,
                      wrap=frozenset({2, 3, 19}), title="按月填写的活动数据：全年合计 = 1–12 月之和（未填月份按 0 计）。")


def gaps_table(intake: Intake) -> SheetTable | None:
    """数据缺口: the report's two lists of 2.3.5 in the same words (core/gaps.py), the data gaps first, then
    the sources marked 不适用 with their reasons; the title is the count line of the report's 2.4."""
    found = find_gaps(intake)
    if not found.gaps and not found.exclusions:
        return None
    rows: list[list[object]] = []
    for g in found.gaps:
        rows.append([len(rows) + 1, "数据缺口", g.stage.long_zh, g.name or "—", GAP_KIND_ZH[g.kind], g.detail,
                     g.row or ""])
    for x in found.exclusions:
        rows.append([len(rows) + 1, "排除的排放源", x.stage.long_zh, x.name, "不适用", x.reason or "/", x.row])
    header = ["序号", "清单", "阶段", "名称", "类型", "说明", "活动数据行"]
    return SheetTable(contract.SHEET_GAPS, header, rows, [6, 12, 14, 24, 14, 50, 10],
                      number_formats={0: "0", 6: "0"}, wrap=frozenset({3, 5}),
                      title=f"{found.summary()}。　{intake.company.name}　核算年度 {intake.company.year}")


def sites_table(intake: Intake, result: Result) -> SheetTable | None:
    """场所汇总: tCO2e by site × stage, from the same lines as 排放汇总 (biogenic CO2 apart)."""
    if not any(a.site != main_site(intake) for a in intake.activities) and len(result.sites) < 2:
        return None
    rows: list[list[object]] = []
    for i, (name, by_stage) in enumerate(result.sites.items()):
        rows.append([i + 1, name, *(by_stage[s] for s in Stage), sum(by_stage.values())])
    rows.append(["", "合计", *(result.stage_totals[s] for s in Stage), result.total])
    header = ["序号", "场所", *(s.long_zh for s in Stage), f"合计（{TCO2E}）"]
    return SheetTable(contract.SHEET_SITES, header, rows, [6, 30, *[13] * 6, 15],
                      number_formats={0: "0", **{j: "#,##0.0000" for j in range(2, 9)}}, wrap=frozenset({1}),
                      title=f"单位 {TCO2E}。“场所”留空的活动计入主厂区（{main_site(intake)}）。"
                      f"　{intake.company.name}　核算年度 {intake.company.year}")


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
        return NO_VALUE
    if a.amount_kind == "not_applicable":
        return contract.NOT_APPLICABLE
    return a.amount


def summary_table(intake: Intake, result: Result, library_version: str) -> SheetTable:
    rows: list[list[object]] = []
    shown = stage_display(intake, result)
    for i, s in enumerate(Stage):
        d = shown[s]
        rows.append([i + 1, s.indicator_zh, TCO2E, result.stage_totals[s] if d.quantified else NO_VALUE,
                     float(d.share_pct / 100) if d.share_pct is not None else NO_VALUE, d.note])
    any_share = any(d.share_pct is not None for d in shown.values())
    rows.append([7, "企业碳排放量合计（1+2+3+4+5+6）", TCO2E,
                 result.total if any(d.quantified for d in shown.values()) else NO_VALUE,
                 1.0 if any_share else NO_VALUE, ""])
    n = 8
    cell_formats: dict[tuple[int, int], str] = {}
    if result.biogenic_co2_t:
        rows.append([n, "生物质燃烧 CO2（单独报告，不计入合计）", "tCO2", result.biogenic_co2_t, None,
                     "GB/T 32150-2015：生物质燃料燃烧的 CO2 单独报告"])
        n += 1
    for it in result.intensities:
        label = f"单位{'产值' if it.product == OUTPUT_VALUE_PRODUCT else '产品'}碳排放强度（{it.product}）"
        basis = (f"企业合计 ÷ 工业总产值 {plain_number(it.output, 12)} 万元" if it.product == OUTPUT_VALUE_PRODUCT else
                 f"企业合计 × 分配比例 {plain_number(it.allocation_pct, 12)}% ÷ 产量 {plain_number(it.output, 12)} {it.unit}")
        cell_formats[(len(rows), 3)] = decimals_format(significant_decimals(it.tco2e_per_unit, 4, least=4))
        rows.append([n, label, f"{TCO2E}/{it.unit}", it.tco2e_per_unit, None, basis])
        n += 1
    for i, row in enumerate(rows[:7]):
        if isinstance(row[3], float) and 0 < abs(row[3]) < 0.001:  # a small real source never reads 0.0000
            cell_formats[(i, 3)] = decimals_format(significant_decimals(row[3], 3, least=4))
    c = intake.company
    meta = f"{c.name}　核算年度 {c.year}　GWP {c.gwp_version}　因子库版本 {library_version}"
    return SheetTable(contract.SHEET_SUMMARY, ["序号", "清单", "单位", "数量", "占比", "备注"], rows,
                      [6, 44, 14, 18, 10, 48], number_formats={0: "0", 3: "#,##0.0000", 4: "0.00%"},
                      cell_formats=cell_formats, wrap=frozenset({1, 5}),
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
                      number_formats={0: "0", 3: "0", 4: "#,##0.0000", 5: "0.00%", 6: "#,##0.0000"},
                      wrap=frozenset({1}), title="目标排放量 = 基准年排放量 ×（1 − 减排比例）")


# ---- 范围汇总 and the scope columns of 计算明细 ------------------------------------------------------------

SCOPE_HEADINGS = {"scope1": "范围一", "scope2_location": "范围二（位置法）", "scope2_market": "范围二（市场法）",
                  "scope3": "范围三"}
ISO_SHORT = {1: "类别1 直接排放", 2: "类别2 输入能源", 3: "类别3 运输", 4: "类别4 使用的产品", 5: "类别5 产品的使用",
             6: "类别6 其他"}


def scope_detail_cells(line: EmissionLine) -> list[object]:
    """范围, ISO 类别 and (where the factor kind decides it) the GHG Protocol Scope 3 category of one line."""
    s3 = class_names().get(("scope3", line.scope3_category)) if line.scope3_category else ""
    return [line.scope, line.iso_category, s3 or ""]


def scopes_table(intake: Intake, result: Result) -> SheetTable:
    """范围汇总: the six stages by GHG Protocol scope (Scope 2 both ways) and by ISO 14064-1 category, from the
    same lines as 排放汇总; the market-based figure is the one in every total."""
    sc = result.scopes
    assert sc is not None, "calculate() always classifies"
    header = ["序号", "阶段", *SCOPE_HEADINGS.values(), *ISO_SHORT.values(), f"合计（{TCO2E}）"]
    rows: list[list[object]] = []
    for i, s in enumerate(Stage):
        rows.append([i + 1, s.long_zh, *(sc.by_stage[s][k] for k in SCOPE_KEYS),
                     *(sc.iso_by_stage[s][n] for n in ISO_SHORT), result.stage_totals[s]])
    rows.append(["", "合计", *(sc.totals[k] for k in SCOPE_KEYS), *(sc.iso[n] for n in ISO_SHORT), result.total])
    names = class_names()
    for n, t in sc.scope3_categories.items():
        rows.append(["", f"范围三中：{names.get(('scope3', n), n)}", None, None, None, t, *[None] * 6, None])
    if sc.unclassified_scope3:
        rows.append(["", "范围三中：未细分类别", None, None, None, sc.unclassified_scope3, *[None] * 6, None])
    if result.biogenic_co2_t:
        rows.append(["", "生物质燃烧 CO2（tCO2，单独报告，不计入以上各项）", None, None, None, None, *[None] * 6,
                     result.biogenic_co2_t])
    numbers = {j: "#,##0.0000" for j in range(2, len(header))}
    title = (f"单位 {TCO2E}。合计 = 范围一 + 范围二（市场法）+ 范围三 = 类别1–6 之和；范围二位置法按电网平均因子计全部外购电力"
             "（含绿电），仅供对照，不计入合计。范围和类别由排放因子的类型决定，可在“排放因子”或“活动数据”表的“范围”“ISO类别”列改写。"
             f"　{intake.company.name}　核算年度 {intake.company.year}")
    return SheetTable(contract.SHEET_SCOPES, header, rows, [6, 30, *[13] * 4, *[13] * 6, 15],
                      number_formats=numbers, title=title)


# ---- 历年对比 -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """One year of the trend, as 历年对比, the report and 汇总.xlsx show it."""

    year: int
    source: str
    stages: dict[Stage, float] | None  # comparable basis: recalculated when there is a recalculation
    reported_total: float
    recalculated_total: float | None
    comparable_total: float
    change_pct: float | None  # of the comparable total against the year before; None for the first
    intensity: float | None  # tCO2e per unit of the current year's first intensity product
    current: bool = False
    quantified: frozenset[Stage] | None = None  # stages with a number that year (None: not known)


CURRENT_SOURCE = "本年度"
FACTOR_CHOICES_SHOWN = 30  # rows of 历年对比's note on the factors a history year took


def year_rows(intake: Intake, result: Result) -> list[YearRow]:
    """Earlier years oldest first, then this year. Totals compare on the recalculated basis (this run's
    factors) where a history workbook was recalculated; 历史排放 rows stay as typed."""
    h = result.history
    product = next((i for i in result.intensities if i.product != OUTPUT_VALUE_PRODUCT), None)
    rows: list[YearRow] = []
    for y in (h.years if h else ()):
        stages = y.recalculated_stages if y.recalculated_stages is not None else y.reported_stages
        it = next((i.tco2e_per_unit for i in y.intensities if product and i.product == product.product), None)
        rows.append(YearRow(y.year, y.source, stages, y.reported_total, y.recalculated_total, y.comparable_total,
                            None, it, quantified=y.quantified))
    rows.append(YearRow(intake.company.year, CURRENT_SOURCE, dict(result.stage_totals), result.total, result.total,
                        result.total, None, product.tco2e_per_unit if product else None, current=True,
                        quantified=frozenset(a.stage for a in intake.activities if a.amount_kind == "value")))
    out = []
    for i, r in enumerate(rows):
        before = rows[i - 1].comparable_total if i else None
        change = (r.comparable_total - before) / before * 100 if before else None
        out.append(replace(r, change_pct=change))
    return out


RECALCULATED_MEANS = ("“重算”指按本年度的方法和边界重新计算往年：同一排放源改用本年度选用的排放因子（含其出处和版本）、GWP 取值和"
                      "计算方法；本年度新增或不再纳入的场所和排放源相应计入或扣除（《温室气体核算体系：企业核算与报告标准》"
                      "第 5 章、ISO 14064-1 第 6.4.2 条的重算触发条件）。电网等按年度发布的因子取该年自身数据年份的数值，"
                      "其年度间差异是实际变化，不作为重算原因。")


def reasons_text(reasons: tuple[RecalcReason, ...]) -> str:
    """The reasons with their effects, numbered, in the wording a client reads (core/history.py writes each
    one with its year and kind: no codes, no file names)."""
    said: list[str] = []
    alike: dict[str, list[str]] = {}  # a sentence said alike of several sources: once, naming them all
    for x in reasons:
        if not x.shared:
            said.append(x.description)
            continue
        if x.shared not in alike:
            alike[x.shared] = []
            said.append(x.shared)
        alike[x.shared].append(x.subject)
    texts = [t.format("、".join(alike[t]) + (f"（共 {len(alike[t])} 个排放源）" if len(alike[t]) > 1 else ""))
             if t in alike else t for t in said]
    if len(texts) == 1:
        return texts[0]
    return "；".join(f"（{i}）{t}" for i, t in enumerate(texts, start=1))


def base_year_statement(result: Result) -> str:
    """The sentence about the base year both sheets and the report print: both totals, every reason with its
    effect, the cumulative significance test with its figures and what the targets use."""
    h = result.history
    b = h.base if h else None
    if b is None:
        return ""
    diff = "—" if b.difference_pct is None else f"{b.difference_pct:+.2f}%"
    # two decimals, as table A.1 and the report print tonnes
    text = (f"基准年 {b.year} 年：原报告排放量 {b.reported_total:,.2f} tCO2e，按本年度的方法和边界重算为 "
            f"{b.recalculated_total:,.2f} tCO2e（相差 {diff}）。")
    if b.effects:
        text += f"变化原因及其影响：{reasons_text(b.effects)}。"
    else:
        text += "两年之间没有结构变化或方法变化。"
    moved = sum(abs(x.effect_tco2e) for x in b.effects)
    share = "—" if b.cumulative_pct is None else f"{b.cumulative_pct:.2f}%"
    text += (f"各项变化影响的绝对值合计 {moved:,.2f} tCO2e，为原报告基准年排放量的 {share}（累计显著性），"
             f"{'达到' if b.recalculated else '低于'} {b.threshold_pct:g}% 的重算阈值（达到或超过即重算）；")
    if b.recalculated:
        text += "基准年已重新计算，减排目标按重算后的基准年排放量测算。"
    else:
        text += "差异低于阈值，基准年未重新计算，减排目标按原报告的基准年排放量测算。"
    return text


def years_table(intake: Intake, result: Result) -> SheetTable:
    rows_in = year_rows(intake, result)
    product = next((i for i in result.intensities if i.product != OUTPUT_VALUE_PRODUCT), None)
    header = ["年份", "来源", *(s.short_zh for s in Stage), f"合计（原报告，{TCO2E}）", f"合计（按本年度方法和边界重算，{TCO2E}）",
              "较上年变化", (f"单位产品排放强度（{TCO2E}/{product.unit}，{product.product}）" if product else "单位产品排放强度")]
    rows: list[list[object]] = []
    for r in rows_in:
        stages = [r.stages[s] if r.stages is not None else NO_VALUE for s in Stage]
        rows.append([r.year, r.source, *stages, r.reported_total,
                     r.recalculated_total if r.recalculated_total is not None else NO_VALUE,
                     r.change_pct / 100 if r.change_pct is not None else NO_VALUE,
                     r.intensity if r.intensity is not None else NO_VALUE])
    h = result.history
    notes = ["六个阶段与“较上年变化”按重算后的口径（历史排放表填写的年份按所填数值）；“原报告”为各年工作簿按其自身报告日期、"
             "因子和 GWP 取值计算的结果。" + (RECALCULATED_MEANS if h is not None and h.years else "")]
    statement = base_year_statement(result)
    if statement:
        notes.append(statement)
    for y in (h.years if h else ()):
        if y.reasons and not (h is not None and h.base is not None and h.base.year == y.year):
            notes.append(f"{y.year} 年重算的变化原因及其影响：{reasons_text(y.reasons)}。")
        if y.factor_choices:
            notes.append(f"{y.year} 年重算所用因子：" + "；".join(
                f"{c.stage.short_zh}“{c.name}”取{c.factor}，{c.why}" for c in y.factor_choices[:FACTOR_CHOICES_SHOWN])
                + (f"；其余 {len(y.factor_choices) - FACTOR_CHOICES_SHOWN} 行从略" if len(y.factor_choices) > FACTOR_CHOICES_SHOWN
                   else "") + "。")
    if h is not None and h.threshold_source:
        notes.append(f"阈值依据：{h.threshold_source}")
    if len(rows_in) == 1:
        notes.append("未提供往年数据（process --history 或“历史排放”表），仅列本年度。")
    n_years = len(rows)
    # the notes go below the table, one per row: a long title would widen the printed page
    rows += [[f"注：{n}", *[None] * (len(header) - 1)] for n in notes]
    fmt = "#,##0.0000"
    numbers = {0: "0", **{j: fmt for j in range(2, 10)}, 10: "+0.00%;-0.00%;0.00%", 11: "#,##0.0000"}
    c = intake.company
    return SheetTable(contract.SHEET_YEARS, header, rows, [8, 22, *[12] * 6, 18, 20, 11, 22],
                      number_formats=numbers, wrap=frozenset({1}),
                      title=f"{c.name}　历年碳排放对比（单位 {TCO2E}）",
                      chart={"kind": "line", "title": "历年碳排放总量（按本年度方法和边界重算）", "label_col": 0,
                             "value_col": 9, "first": 0, "last": n_years - 1} if n_years > 1 else None)

"""汇总.xlsx: one row per workbook of a batch, every finding of every file, and a chart of totals.

Built from the batch's records (core/record.py FileRecord: typed, frozen, what the workers sent back), so it
needs nothing else. Written to a temporary name and renamed into place.
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from carbon_report.core import contract
from carbon_report.core.model import Stage
from carbon_report.core.pcf import ALLOCATION_ZH, BOUNDARY_ZH, PcfStage
from carbon_report.core.record import FileRecord
from carbon_report.io.atomic import write_bytes
from carbon_report.outputs.computed import GAP_NOTE, NO_ACTIVITY_NOTE


def print_landscape(ws: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide, header row repeated: consultants print these sheets."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"

SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "问题清单"
CHART_SHEET = "排放对比"
SITES_SHEET = "场所汇总"  # issue 16: one row per workbook × site (JSON "sites")
SITES_HEADER = ["文件", "企业名称", "核算年度", "场所", "排放量（tCO2e）", "占企业合计", "不确定度（±%）"]
STATUS_ZH = {"ok": "通过", "invalid": "有错误", "unreadable": "无法读取", "failed": "无法写出"}
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
NUMBER = "#,##0.0000"
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_LINK_FONT = Font(color="0563C1", underline="single")
_STATUS_FONT = {"invalid": Font(color="9C5700"), "unreadable": Font(color="C00000", bold=True),
                "failed": Font(color="C00000", bold=True)}

# GHG Protocol scopes beside the six stages (JSON "scopes"); Scope 2 both ways, market-based in the total
SCOPE_COLUMNS = {"scope1": "范围一（tCO2e）", "scope2_location": "范围二位置法（tCO2e）",
                 "scope2_market": "范围二市场法（tCO2e）", "scope3": "范围三（tCO2e）"}
SUMMARY_HEADER = (["序号", "文件", "企业名称", "统一社会信用代码", "核算年度", "状态", "错误数", "警告数"]
                  + [f"{s.short_zh}（tCO2e）" for s in Stage]
                  + ["合计（tCO2e）", *SCOPE_COLUMNS.values()]
                  + [f"{s.short_zh}占比" for s in Stage]
                  + ["排放强度", "强度单位", "计算结果", "评价报告"])
_FIRST_STAGE = SUMMARY_HEADER.index(f"{next(iter(Stage)).short_zh}（tCO2e）") + 1  # 1-based columns
_FIRST_SHARE = SUMMARY_HEADER.index(f"{next(iter(Stage)).short_zh}占比") + 1
_INTENSITY = SUMMARY_HEADER.index("排放强度") + 1
SHARE = "0.00%"
# Notes under which a stage carries no number: its quantity reads "/", as in 排放汇总 and the report.
_NO_NUMBER_NOTES = {NO_ACTIVITY_NOTE, GAP_NOTE, contract.NOT_APPLICABLE}
FINDINGS_HEADER = ["文件", "级别", "工作表", "单元格", "代码", "说明"]


def write_summary(records: list[FileRecord], dest: Path, *, root: Path | None = None) -> None:
    """Write 汇总.xlsx for `records` (in input order) to `dest`, atomically.
    File names are shown relative to `root` when given. Raises atomic.OutputLocked."""
    wb = build_summary(records, root=root, out_dir=Path(dest).parent)
    data = io.BytesIO()
    wb.save(data)
    write_bytes(Path(dest), data.getvalue())


def build_summary(records: list[FileRecord], *, root: Path | None = None,
                  out_dir: Path | None = None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    _header(ws, SUMMARY_HEADER, [6, 28, 30, 22, 10, 10, 8, 8] + [14] * 7 + [16] * len(SCOPE_COLUMNS)
            + [10] * 6 + [14, 22, 40, 40])
    fs = wb.create_sheet(FINDINGS_SHEET)
    _header(fs, FINDINGS_HEADER, [28, 8, 14, 10, 28, 80])
    bars: list[tuple[str, float]] = []
    for i, rec in enumerate(records, start=1):
        name = _display(rec.input, root)
        company = rec.company
        intensity = rec.intensities[0] if rec.intensities else None
        row: list[Any] = [i, name, company.name if company else None, company.uscc if company else None,
                          company.year if company else None, STATUS_ZH.get(rec.status, rec.status),
                          len(rec.errors), len(rec.warnings)]
        stages = [rec.stage(s) for s in Stage]
        row += ["/" if f and f.note in _NO_NUMBER_NOTES else (f.tco2e if f else None) for f in stages]
        row += [rec.total_tco2e, *(rec.scope(k) for k in SCOPE_COLUMNS)]
        row += [_share(f.share_text if f else None) for f in stages]
        row += [intensity.tco2e_per_unit if intensity else None,
                f"tCO2e/{intensity.unit}（{intensity.product}）" if intensity else None]
        links = [_display(rec.outputs.workbook, out_dir), _display(rec.outputs.report, out_dir)]
        row += links
        r = i + 1
        for j, v in enumerate(row, start=1):
            c = _put(ws, r, j, v)
            if _FIRST_STAGE <= j < _FIRST_SHARE or j == _INTENSITY:
                c.number_format = NUMBER
            elif _FIRST_SHARE <= j < _INTENSITY:
                c.number_format = SHARE
        for j, link in enumerate(links, start=len(row) - 1):
            _link(ws.cell(r, j), link, out_dir)
        ws.cell(r, 4).number_format = "@"
        if rec.status in _STATUS_FONT:
            ws.cell(r, 6).font = _STATUS_FONT[rec.status]
        for issue in rec.findings:
            _append(fs, [name, SEVERITY_ZH.get(issue.severity, issue.severity), issue.sheet, issue.cell,
                         issue.code, issue.message])
        if rec.status == "ok" and rec.total_tco2e is not None:
            label = (company.name if company else None) or name or ""
            year = company.year if company else None
            bars.append((f"{label}（{year}）" if year else label, rec.total_tco2e))
    _chart_sheet(wb, bars)
    _trend_sheet(wb, records, root)
    _sites_sheet(wb, records, root)
    if any(rec.products for rec in records):
        _products_sheet(wb, records, root, out_dir)
    return wb


TREND_SHEET = "历年趋势"
TREND_HEADER = ["企业名称", "统一社会信用代码", "年份", "来源", "合计（各年原报告，tCO2e）",
                "合计（按最新年度方法和边界重算，tCO2e）", "较上年变化（重算口径）"]


def _trend_sheet(wb: Workbook, records: list[FileRecord], root: Path | None) -> None:
    """One block per company of the batch: its years oldest first, from the latest year's report (which
    recalculated the earlier years with its own factors) and each year's own total."""
    ts = wb.create_sheet(TREND_SHEET)
    _header(ts, TREND_HEADER, [34, 22, 8, 36, 20, 24, 16])
    ts.row_dimensions[1].height = 32  # the two-line headers
    by_company: dict[str, list[FileRecord]] = {}
    for rec in records:
        if rec.status == "ok" and rec.company and rec.company.uscc and rec.company.year:
            by_company.setdefault(rec.company.uscc, []).append(rec)
    if not by_company:
        _put(ts, 2, 1, "没有计算成功的工作簿")
        return
    for uscc, recs in by_company.items():
        latest = max(recs, key=lambda r: r.company.year if r.company and r.company.year else 0)
        rows: dict[int, tuple[str, float | None, float | None]] = {}
        for h in latest.history:
            rows[h.year] = (h.source, h.total_tco2e, h.recalculated_tco2e)
        for rec in recs:
            y = rec.company.year if rec.company and rec.company.year else 0
            recalc = rec.total_tco2e if rec is latest else rows.get(y, ("", None, None))[2]
            rows[y] = (_display(rec.input, root) or "", rec.total_tco2e, recalc)
        before: float | None = None
        for year in sorted(rows):
            source, reported, recalc = rows[year]
            comparable = recalc if recalc is not None else reported
            change = (comparable - before) / before if before and comparable is not None else None
            _append(ts, [latest.company.name if latest.company else None, uscc, year, source, reported,
                         recalc if recalc is not None else "/", change if change is not None else "/"])
            r = ts.max_row
            ts.cell(r, 2).number_format = "@"
            ts.cell(r, 5).number_format = ts.cell(r, 6).number_format = NUMBER
            ts.cell(r, 7).number_format = "+0.00%;-0.00%;0.00%"
            for col in (6, 7):  # "/" sits where the number would
                ts.cell(r, col).alignment = Alignment(horizontal="right")
            before = comparable


def _sites_sheet(wb: Workbook, records: list[FileRecord], root: Path | None) -> None:
    """Each calculated workbook's sites (a workbook without 场所 has one: its main site). The uncertainty
    column is the workbook's total (IPCC Approach 1), on its first site row, when it was assessed."""
    ss = wb.create_sheet(SITES_SHEET)
    _header(ss, SITES_HEADER, [28, 30, 10, 36, 16, 12, 14])
    for rec in records:
        total = rec.total_tco2e
        company = rec.company
        for k, site in enumerate(rec.sites):
            _append(ss, [_display(rec.input, root), company.name if company else None,
                         company.year if company else None, site.site, site.tco2e,
                         site.tco2e / total if total else None, rec.uncertainty_total_pct if k == 0 else None])
            r = ss.max_row
            ss.cell(r, 5).number_format = NUMBER
            ss.cell(r, 6).number_format = SHARE
            ss.cell(r, 7).number_format = "0.0"


PRODUCTS_SHEET = contract.SHEET_PCF  # issue 28: one row per workbook × product (JSON "products"), with --pcf
PRODUCTS_HEADER = (["文件", "企业名称", "核算年度", "产品", "声明单位", "产量", "系统边界", "分配方法",
                    "共用排放分配份额"] + [f"{s.zh}（tCO2e）" for s in PcfStage]
                   + ["合计（tCO2e）", "单位产品碳足迹（kgCO2e/声明单位）", "生物源 CO2（t，单独报告）", "初级数据占比",
                      "碳足迹报告", "PACT 数据文件"])


def _products_sheet(wb: Workbook, records: list[FileRecord], root: Path | None, out_dir: Path | None) -> None:
    """Each workbook's product footprints: its stages inside the system boundary ("/" outside it), the
    allocation the shared emissions took, and links to each product's report and PACT file."""
    ps = wb.create_sheet(PRODUCTS_SHEET)
    _header(ps, PRODUCTS_HEADER, [28, 30, 10, 20, 8, 12, 12, 8, 12] + [14] * len(PcfStage)
            + [14, 18, 14, 10, 40, 40])
    ps.row_dimensions[1].height = 32
    column = {h: j for j, h in enumerate(PRODUCTS_HEADER, start=1)}
    tonnes = range(column[f"{next(iter(PcfStage)).zh}（tCO2e）"], column["初级数据占比"])  # stages … biogenic CO2
    for rec in records:
        company = rec.company
        for p in rec.products:
            stages = dict(p.stages)
            links = [_display(p.report, out_dir), _display(p.pact, out_dir)]
            _append(ps, [_display(rec.input, root), company.name if company else None,
                         company.year if company else None, p.name, p.declared_unit, p.output,
                         BOUNDARY_ZH.get(p.boundary, p.boundary),
                         ALLOCATION_ZH.get(p.allocation, p.allocation),
                         p.allocation_share, *(stages.get(st.value, "/") for st in PcfStage), p.total_tco2e,
                         p.per_unit_kgco2e, p.biogenic_co2_t,
                         p.primary_data_share if p.primary_data_share is not None else "/", *links])
            r = ps.max_row
            ps.cell(r, column["产量"]).number_format = "#,##0.####"
            ps.cell(r, column["共用排放分配份额"]).number_format = SHARE
            for col in tonnes:
                cell = ps.cell(r, col)
                cell.number_format = NUMBER
                if cell.value == "/":
                    cell.alignment = Alignment(horizontal="right")
            ps.cell(r, column["初级数据占比"]).number_format = SHARE
            for j, link in enumerate(links, start=column["碳足迹报告"]):
                _link(ps.cell(r, j), link, out_dir)


def _link(cell: Any, link: str | None, out_dir: Path | None) -> None:
    """A file written beside 汇总.xlsx, as a hyperlink relative to it (which sits in out_dir)."""
    if link and out_dir is not None and not Path(link).is_absolute():
        cell.hyperlink = link
        cell.font = _LINK_FONT


def _chart_sheet(wb: Workbook, bars: list[tuple[str, float]]) -> None:
    cs = wb.create_sheet(CHART_SHEET)
    _header(cs, ["企业", "合计（tCO2e）"], [40, 16])
    for k, (label, total) in enumerate(bars, start=2):
        _put(cs, k, 1, label)
        cs.cell(k, 2, total).number_format = NUMBER
    if not bars:
        _put(cs, 2, 1, "没有计算成功的工作簿")
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long company names stay readable
    chart.title = "各企业碳排放量合计（tCO2e）"
    chart.y_axis.title = "tCO2e"
    chart.legend = None
    chart.add_data(Reference(cs, min_col=2, min_row=1, max_row=len(bars) + 1), titles_from_data=True)
    chart.set_categories(Reference(cs, min_col=1, min_row=2, max_row=len(bars) + 1))
    chart.height = max(7.5, 0.6 * len(bars) + 3)
    chart.width = 20
    cs.add_chart(chart, "D2")


def _share(text: str | None) -> float | str | None:
    """The share as the record's display text gives it (largest remainder, as in 排放汇总 and the report),
    stored as the rounded fraction so the cells add up to 100.00 %."""
    if not text:
        return None
    if not text.endswith("%"):
        return text  # "/": no number for this stage
    return float(Decimal(text[:-1]) / 100)


def _header(ws: Any, header: list[str], widths: list[float]) -> None:
    for j, (h, w) in enumerate(zip(header, widths, strict=True), start=1):
        c = ws.cell(1, j, h)
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    print_landscape(ws, 1)


def _append(ws: Any, values: list[Any]) -> None:
    r = ws.max_row + 1
    for j, v in enumerate(values, start=1):
        _put(ws, r, j, v)


def _put(ws: Any, r: int, c: int, v: Any) -> Any:
    cell = ws.cell(r, c)
    if isinstance(v, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", v)
        cell.data_type = "s"  # text from files and users stays text, even when it starts with "="
    else:
        cell.value = v
    return cell


def _display(path: str | None, root: Path | None) -> str | None:
    """`path` below `root` (posix), as the batch found it: names only, no link followed (a symbolic link loop
    in the folder must not stop the summary), else as given."""
    if not path:
        return None
    if root is not None:
        here = Path(os.path.abspath(path))
        try:
            return here.relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            pass
    return str(path)

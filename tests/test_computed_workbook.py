"""The computed workbook as a reader opens and prints it: the tab it opens on, numbers without scientific
notation, 计算明细's print settings, gaps and shares that read as in the report (and 汇总.xlsx, JSON)."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

import workbooks
from carbon_report.app.pipeline import Options, process_file
from carbon_report.core import contract
from carbon_report.core.record import FileRecord
from carbon_report.outputs.summary import write_summary

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.xlsx"))
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
SHA256 = re.compile(r"[0-9a-f]{64}")
STAGE_ROWS = ["低碳原材料获取阶段碳排放量", "数智化生产阶段碳排放量", "数智化采购阶段碳排放量", "绿色运输阶段碳排放量",
              "绿色包装阶段碳排放量", "绿色回收阶段碳排放量"]
TOTAL_ROW = "企业碳排放量合计（1+2+3+4+5+6）"


def _clean_activities() -> list[list[object]]:
    """The seed's activities without its "/" rows: a workbook that gives no finding at all."""
    return [r[:] for r in workbooks.SEED_ACTIVITIES if r[3] != "/"]


def _clean(path: Path, **kw: object) -> Path:
    # the sign-off names filled too: a blank 组长 is a warning (the report would show a placeholder)
    signed = workbooks.company_with(组长="张工", 技术复核人="李工", 批准人="王工", **workbooks.REPORT_PARAGRAPHS)
    return workbooks.build(path, company=signed, activities=kw.pop("activities", _clean_activities()), targets=[],
                           measures=[["原材料获取", "低碳钢材", 5, "10", None]], **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("samples")
    done = {}
    for src in SAMPLES:
        o = process_file(src, out, Options(report=False))
        assert o.status == "ok", o.findings
        done[src.stem] = Path(o.outputs["workbook"])
    return done


def _summary_rows(path: Path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path)[contract.SHEET_SUMMARY]
    return {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[1]}


# ---- the tab it opens on ------------------------------------------------------------------------------------


def test_samples_with_warnings_open_on_the_findings(sample_outputs: dict[str, Path]) -> None:
    for path in sample_outputs.values():
        wb = openpyxl.load_workbook(path)
        assert wb.active.title == contract.SHEET_FINDINGS
        assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [contract.SHEET_FINDINGS]


def test_a_workbook_without_findings_opens_on_the_summary(tmp_path: Path) -> None:
    o = process_file(_clean(tmp_path / "clean.xlsx"), tmp_path / "out", Options(report=False))
    assert o.status == "ok" and o.findings == []
    wb = openpyxl.load_workbook(o.outputs["workbook"])
    assert wb.active.title == contract.SHEET_SUMMARY
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [contract.SHEET_SUMMARY]


def test_the_input_active_tab_and_a_sheet_named_like_a_computed_one_do_not_move_it(tmp_path: Path) -> None:
    """The input opened on 活动数据, and holds a stale 排放汇总 early on plus a user's 排放汇总（旧）: the output
    still opens on the new 排放汇总, and only that tab is selected (two would group the sheets in Excel)."""

    def tweak(wb: openpyxl.Workbook) -> None:
        stale = wb.create_sheet(contract.SHEET_SUMMARY, 1)
        stale["A1"] = "上次运行留下的汇总"
        wb.create_sheet("排放汇总（旧）", 2)["A1"] = "用户自己的表"
        acts = wb[contract.ACTIVITIES.name]
        for ws in wb.worksheets:
            ws.sheet_view.tabSelected = ws is acts
        wb.active = acts

    src = _clean(tmp_path / "tabs.xlsx", tweak=tweak)
    o = process_file(src, tmp_path / "out", Options(report=False))
    assert o.findings == [] and o.status == "ok"
    wb = openpyxl.load_workbook(o.outputs["workbook"])
    names = wb.sheetnames
    assert names.count(contract.SHEET_SUMMARY) == 1 and "排放汇总（旧）" in names
    assert names.index(contract.SHEET_SUMMARY) == names.index(contract.SHEET_DETAILS) + 1  # the new one, among the computed sheets
    assert wb.active is wb[contract.SHEET_SUMMARY]
    assert str(wb.active["A1"].value).startswith(workbooks.SEED_COMPANY["企业名称"])  # not the stale one
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [contract.SHEET_SUMMARY]


# ---- numbers as a reader sees them -----------------------------------------------------------------------------


def test_no_scientific_notation_in_any_computed_sheet(sample_outputs: dict[str, Path]) -> None:
    for path in sample_outputs.values():
        wb = openpyxl.load_workbook(path)
        for name in contract.COMPUTED_SHEETS:
            for row in wb[name].iter_rows():
                for c in row:
                    if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                        # General shows 3865000 as 3.865E+06 in a narrow column; every number has a format
                        assert c.number_format != "General", (name, c.coordinate, c.value)
                        assert "E" not in c.number_format.upper(), (name, c.coordinate, c.number_format)
                        assert not c.number_format.endswith("."), (name, c.coordinate)
                    elif isinstance(c.value, str) and not SHA256.fullmatch(c.value):  # a file digest is no number
                        assert not SCIENTIFIC.search(c.value), (name, c.coordinate, c.value)


def test_the_two_numbers_the_issue_quoted_read_in_full(sample_outputs: dict[str, Path]) -> None:
    demo = next(p for k, p in sample_outputs.items() if "华东" in k)
    rows = _summary_rows(demo)
    # 华东's 工业总产值 is 12850 万元 (it used to read "1.285e+04 万元")
    assert rows["单位产值碳排放强度（工业总产值）"][5] == "企业合计 ÷ 工业总产值 12,850 万元"
    details = openpyxl.load_workbook(demo)[contract.SHEET_DETAILS]
    header = [c.value for c in details[2]]
    electricity = next(r for r in details.iter_rows(min_row=3, values_only=True) if r[3] == "电力")
    # 386.5 万kWh = 3,865,000 kWh (it used to read "3.865e+06 kWh")
    assert electricity[header.index("单位换算")] == "386.5 万kWh = 3,865,000 kWh"
    amount = next(r for r in details.iter_rows(min_row=3) if r[3].value == "电力")[header.index("活动数据")]
    assert amount.value == 386.5 and amount.number_format == "#,##0.0"


def test_details_prints_in_page_widths_with_titles_repeated(sample_outputs: dict[str, Path]) -> None:
    for path in sample_outputs.values():
        ws = openpyxl.load_workbook(path)[contract.SHEET_DETAILS]
        header = [c.value for c in ws[2]]
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$2:$2"  # the header row on every printed page
        assert ws.print_title_cols == "$A:$D"  # 序号 阶段 类型 名称 on both page widths
        assert header[:4] == ["序号", "阶段", "类型", "名称"]
        # Excel ignores manual breaks under fit-to-page: a fixed scale; the second page starts at 因子来源, the
        # third (scope, category, notes) at 范围, and a fourth (issue 16: site, evidence, uncertainty) at 场所
        # when the workbook fills those columns
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        extra = [header.index("场所")] if "场所" in header else []
        assert [b.id for b in ws.col_breaks.brk] == [header.index("因子来源"), header.index("范围"), *extra]
        assert 60 <= ws.page_setup.scale <= 100
        source = ws.cell(3, header.index("因子来源") + 1)
        assert source.alignment.wrap_text and source.value
        assert ws.row_dimensions[3].height and ws.row_dimensions[3].height > 15  # room for the wrapped lines


# ---- a gap reads the same in the sheets and in the report -------------------------------------------------


def _report_table(path: Path, caption: str) -> list[list[str]]:
    doc = Document(str(path))
    found = False
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p") and Paragraph(child, doc).text.startswith(caption):
            found = True
        elif found and child.tag == qn("w:tbl"):
            return [[c.text.strip() for c in r.cells] for r in Table(child, doc).rows]
    raise AssertionError(caption)


def _sheet_text(v: object, fmt: str) -> str:
    """A summary cell as Excel shows it, for the two formats 排放汇总 uses for shares and quantities."""
    if isinstance(v, str) or v is None:
        return v or ""
    if fmt == "0.00%":
        return f"{Decimal(repr(v)) * 100:.2f}%"
    return str(v)


def test_gap_and_exclusion_read_as_in_the_report(tmp_path: Path) -> None:
    acts = [r[:] for r in workbooks.SEED_ACTIVITIES]
    acts.append(["回收", "废料回收", "废钢回收", "不适用", "t", "EF-STEEL-REBAR", "实际数据", "本年度无回收业务"])
    src = workbooks.build(tmp_path / "gaps.xlsx", activities=acts)
    o = process_file(src, tmp_path / "out", Options())
    assert o.status == "ok", o.findings
    sheet = openpyxl.load_workbook(o.outputs["workbook"])[contract.SHEET_SUMMARY]
    in_sheet = {r[1].value: [_sheet_text(c.value, c.number_format) for c in r[3:6]]
                for r in sheet.iter_rows(min_row=3) if r[1].value}
    in_report = {r[1]: r[3:6] for r in _report_table(Path(o.outputs["report"]), "表 A.1")[1:]}
    # the seed's transport and packaging rows all say "/"; 采购 has no rows (a gap too); 回收 is excluded
    assert in_sheet["绿色运输阶段碳排放量"] == ["/", "/", "数据缺失"] == in_report["绿色运输阶段碳排放量"]
    assert in_sheet["绿色包装阶段碳排放量"] == ["/", "/", "数据缺失"] == in_report["绿色包装阶段碳排放量"]
    assert in_sheet["数智化采购阶段碳排放量"] == ["/", "/", "数据缺失"] == in_report["数智化采购阶段碳排放量"]
    assert in_sheet["绿色回收阶段碳排放量"] == ["/", "/", "无相关活动"] == in_report["绿色回收阶段碳排放量"]
    for stage in STAGE_ROWS + [TOTAL_ROW]:  # shares agree everywhere
        assert in_sheet[stage][1] == in_report[stage][1], stage
    details = openpyxl.load_workbook(o.outputs["workbook"])[contract.SHEET_DETAILS]
    header = [c.value for c in details[2]]
    gap = next(r for r in details.iter_rows(min_row=3, values_only=True) if r[3] == "原材料运输")
    assert gap[header.index("活动数据")] == "/" and gap[header.index("数据性质")] == "数据缺失"
    assert gap[header.index("排放量（tCO2e）")] == "/"


# ---- one rounding for shares --------------------------------------------------------------------------------


def test_shares_round_one_way_in_sheet_report_json_and_batch_summary(tmp_path: Path) -> None:
    """33.336 + 33.336 + 33.328 t: rounding each share gives 33.34 + 33.34 + 33.33 = 100.01 %; the largest
    remainder gives 33.34 + 33.33 + 33.33 = 100.00 % (floors 33.33, 33.33, 33.32; the two units left go to
    the largest remainders, .8 of the third and then .6 of the first)."""
    exact = [Decimal("33.336"), Decimal("33.336"), Decimal("33.328")]
    per_share = [x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for x in exact]
    assert sum(per_share) == Decimal("100.01")  # the case the issue describes
    expected = ["33.34%", "33.33%", "33.33%"]

    factor = [["F-ONE", "测试因子", "CO2e", 1, "tCO2e/t", "测试用，1 tCO2e/t", 2023, None]]
    acts = [["原材料获取", "原材料", "材料甲", 33.336, "t", "F-ONE", "实际数据", None],
            ["生产", "能源", "材料乙", 33.336, "t", "F-ONE", "实际数据", None],
            ["采购", "原材料", "材料丙", 33.328, "t", "F-ONE", "实际数据", None]]
    src = workbooks.build(tmp_path / "shares.xlsx", activities=acts, factors=factor, targets=[])
    o = process_file(src, tmp_path / "out", Options())
    assert o.status == "ok", o.findings

    sheet = openpyxl.load_workbook(o.outputs["workbook"])[contract.SHEET_SUMMARY]
    cells = {r[1].value: r[4] for r in sheet.iter_rows(min_row=3) if r[1].value}
    shown = [_sheet_text(cells[s].value, cells[s].number_format) for s in STAGE_ROWS[:3]]
    assert shown == expected
    assert sum(Decimal(repr(cells[s].value)) for s in STAGE_ROWS[:3]) == Decimal("1")

    report = {r[1]: r[4] for r in _report_table(Path(o.outputs["report"]), "表 A.1")[1:]}
    assert [report[s] for s in STAGE_ROWS[:3]] == expected
    assert report[TOTAL_ROW] == "100.00%"

    js = o.to_json()
    assert [js["display"]["shares"][k] for k in ("raw_materials", "production", "procurement")] == expected
    assert js["shares"]["raw_materials"] == pytest.approx(33.336 / 100)  # the numbers stay unrounded

    write_summary([FileRecord.from_json(js)], tmp_path / "汇总.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"]
    row = dict(zip([c.value for c in ws[1]], ws[2], strict=True))
    assert [_sheet_text(row[f"{s}占比"].value, row[f"{s}占比"].number_format)
            for s in ("原材料获取", "生产", "采购")] == expected
    assert row["运输占比"].value == "/" and row["运输（tCO2e）"].value == "/"  # no rows: no number, as above


# ---- printed through LibreOffice ---------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or poppler not installed")
def test_samples_print_readably_through_libreoffice(sample_outputs: dict[str, Path], tmp_path: Path) -> None:
    for path in sample_outputs.values():
        proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                               "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(path)],
                              capture_output=True, text=True, timeout=300)
        pdf = tmp_path / "pdf" / (path.stem + ".pdf")
        assert proc.returncode == 0 and pdf.is_file(), proc.stderr
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        details = [p for p in pages if "来源单元格" in p or "因子来源" in p or "范围三类别" in p]
        assert not any(SCIENTIFIC.search(p) for p in details), "no E+ on the 计算明细 pages"
        first = [p for p in details if "来源单元格" in p]
        second = [p for p in details if "因子来源" in p]
        third = [p for p in details if "范围三类别" in p]
        # three page widths, each with the header row and the repeated 序号…名称 columns
        assert first and len(first) == len(second) == len(third)
        assert all("因子单位" in p and "排放量（tCO2e）" not in p for p in first)  # page 1 ends at 因子单位
        for p in second:
            assert "序号" in p and "名称" in p and "GWP" in p and "排放量" in p
        summary = next(p for p in pages if TOTAL_ROW in p and "占比" in p)
        assert "100.00%" in summary and not SCIENTIFIC.search(summary)

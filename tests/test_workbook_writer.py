"""The computed workbook keeps every input part as it was and adds the computed sheets."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image as XLImage
from PIL import Image

import workbooks
from carbon_report.app.pipeline import Options, process_file
from carbon_report.core import contract
from conftest import needs_soffice, soffice_path

CHANGED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
X14_DROPDOWN = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>_lists!$A$1:$A$6</xm:f></x14:formula1><xm:sqref>A2:A200</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def _rich_workbook(path: Path) -> Path:
    """A filled intake workbook holding what a plain openpyxl round trip loses."""

    def tweak(wb: openpyxl.Workbook) -> None:
        lists = wb.create_sheet("_lists")
        for i, s in enumerate(["原材料获取", "生产", "采购", "运输", "包装", "回收"]):
            lists.cell(i + 1, 1, s)
        ws = wb[contract.ACTIVITIES.name]
        ws["A1"].comment = Comment("六个阶段之一", "模板")
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
        img = XLImage(buf)
        wb[contract.COMPANY_SHEET].add_image(img, "D2")
        wb[contract.COMPANY_SHEET]["D20"] = "=1+1"

    workbooks.build(path, tweak=tweak)
    # Give the formula a cached value and the activity sheet an x14 dropdown, as Excel itself would.
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    company, activities = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"
    parts[company] = parts[company].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
        b"<f>1+1</f></c>", b"<f>1+1</f><v>2</v></c>")
    xml = parts[activities].decode()
    parts[activities] = xml.replace("</worksheet>", X14_DROPDOWN + "</worksheet>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_every_input_part_is_kept_byte_for_byte(tmp_path: Path) -> None:
    src = _rich_workbook(tmp_path / "企业.xlsx")
    before = src.read_bytes()
    o = process_file(src, tmp_path / "out", Options(report=False))
    assert o.status == "ok", o.findings
    assert src.read_bytes() == before
    out = Path(o.outputs["workbook"])
    assert out.name == "企业_计算结果.xlsx"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if name not in CHANGED:
                assert a.read(name) == b.read(name), name
        # The x14 dropdown, the picture, the note and the cached formula result are all still there.
        assert b"x14:dataValidation" in b.read("xl/worksheets/sheet3.xml")
        assert any(n.startswith("xl/media/") for n in b.namelist())
        assert any("comments" in n for n in b.namelist())
        assert b"<v>2</v>" in b.read("xl/worksheets/sheet1.xml")


def test_output_reopens_with_inputs_first_and_computed_sheets_added(tmp_path: Path) -> None:
    src = _rich_workbook(tmp_path / "企业.xlsx")
    o = process_file(src, tmp_path / "out", Options(report=False))
    wb = openpyxl.load_workbook(o.outputs["workbook"])
    original = openpyxl.load_workbook(src).sheetnames
    # 数据缺口 too: stages of this workbook have no rows (data gaps, issue 26)
    assert wb.sheetnames == original + list(contract.COMPUTED_SHEETS) + [contract.SHEET_GAPS]
    summary = wb[contract.SHEET_SUMMARY]
    rows = list(summary.iter_rows(values_only=True))
    total_row = next(r for r in rows if r[1] and str(r[1]).startswith("企业碳排放量合计"))
    assert total_row[3] == pytest.approx(o.result.total)
    assert summary._charts, "排放汇总 carries a native chart"
    details = wb[contract.SHEET_DETAILS]
    link_cells = [c for row in details.iter_rows() for c in row if c.hyperlink is not None]
    assert link_cells and link_cells[0].hyperlink.location.startswith("'活动数据'!")
    assert openpyxl.load_workbook(o.outputs["workbook"], data_only=True)[contract.COMPANY_SHEET]["D20"].value == 2


def test_processing_an_output_again_replaces_the_computed_sheets(tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "a.xlsx")
    first = Path(process_file(src, tmp_path / "o1", Options(report=False)).outputs["workbook"])
    second = process_file(first, tmp_path / "o2", Options(report=False))
    assert second.status == "ok"
    names = openpyxl.load_workbook(second.outputs["workbook"]).sheetnames
    for sheet in contract.COMPUTED_SHEETS:
        assert names.count(sheet) == 1
    assert second.result.total == pytest.approx(check_total(src))


def check_total(path: Path) -> float:
    from carbon_report.app.pipeline import check_file

    return check_file(path).result.total


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    acts = [row[:] for row in workbooks.SEED_ACTIVITIES]
    acts[0][2] = '=HYPERLINK("http://example.invalid","钢筋")'
    acts[1][2] = "+水泥"
    acts[2][2] = "-河沙"
    acts[3][2] = "@石子"

    def as_text(wb: openpyxl.Workbook) -> None:
        wb[contract.ACTIVITIES.name]["C2"].data_type = "s"  # typed as text in Excel ('=…)

    src = workbooks.build(tmp_path / "f.xlsx", activities=acts, tweak=as_text)
    o = process_file(src, tmp_path / "out", Options(report=False))
    assert o.status == "ok", o.findings
    with zipfile.ZipFile(o.outputs["workbook"]) as z:
        grafted = [n for n in z.namelist() if n.startswith("xl/worksheets/cr_")]
        assert grafted and not any(b"<f>" in z.read(n) for n in grafted)
    details = openpyxl.load_workbook(o.outputs["workbook"])[contract.SHEET_DETAILS]
    names = {c.value for c in details["D"] if isinstance(c.value, str)}
    assert {acts[0][2], "+水泥", "-河沙", "@石子"} <= names


@pytest.mark.skipif(subprocess.run(["which", "soffice"], capture_output=True).returncode != 0,
                    reason="LibreOffice not installed")
def test_libreoffice_converts_the_output_without_complaint(tmp_path: Path) -> None:
    src = _rich_workbook(tmp_path / "企业.xlsx")
    o = process_file(src, tmp_path / "out", Options(report=False))
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), o.outputs["workbook"]],
        capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "pdf" / "企业_计算结果.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "企业碳排放量合计" in text
    assert "低碳原材料获取阶段碳排放量" in text


def test_findings_link_to_their_cells_but_never_into_a_missing_sheet(tmp_path: Path) -> None:
    acts = [row[:] for row in workbooks.SEED_ACTIVITIES]
    acts[2][3] = -5
    src = workbooks.build(tmp_path / "m.xlsx", activities=acts, drop_sheets=(contract.PRODUCTS.name,))
    o = process_file(src, tmp_path / "out", Options(report=False))
    ws = openpyxl.load_workbook(o.outputs["workbook"])[contract.SHEET_FINDINGS]
    rows = {r[4].value: r for r in ws.iter_rows(min_row=3)}
    assert rows["E-AMOUNT-NEGATIVE"][3].hyperlink.location == "'活动数据'!D4"
    assert rows["E-SHEET-MISSING"][3].hyperlink is None


def test_outputs_get_ordinary_file_permissions(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        o = process_file(workbooks.build(tmp_path / "p.xlsx"), tmp_path / "out", Options(report=False))
    finally:
        os.umask(old)
    assert Path(o.outputs["workbook"]).stat().st_mode & 0o777 == 0o644
    assert not list((tmp_path / "out").glob(".~tmp_*"))


def test_only_the_selected_flag_of_the_input_active_sheet_changes(tmp_path: Path) -> None:
    """The output opens on a computed sheet; the input's selected tab loses tabSelected (two selected tabs
    group the sheets in Excel), and nothing else of that part changes."""

    def select_activities(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            ws.sheet_view.tabSelected = ws.title == contract.ACTIVITIES.name
        wb.active = wb[contract.ACTIVITIES.name]

    src = workbooks.build(tmp_path / "sel.xlsx", tweak=select_activities)
    o = process_file(src, tmp_path / "out", Options(report=False))
    part = "xl/worksheets/sheet3.xml"  # 活动数据, the third sheet openpyxl wrote
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(o.outputs["workbook"]) as b:
        before, after = a.read(part), b.read(part)
        assert b'tabSelected="1"' in before and b"tabSelected" not in after
        assert before.replace(b' tabSelected="1"', b"") == after
        for name in a.namelist():
            if name not in CHANGED | {part}:
                assert a.read(name) == b.read(name), name
    wb = openpyxl.load_workbook(o.outputs["workbook"])
    assert wb.active.title == contract.SHEET_FINDINGS  # the seed workbook has warnings


@needs_soffice
def test_a_line_chart_table_is_grafted_with_its_chart_and_renders(tmp_path: Path) -> None:
    from carbon_report.outputs.computed import SheetTable
    from carbon_report.outputs.workbook import write_workbook

    src = Path(__file__).resolve().parents[1] / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
    before = src.read_bytes()
    table = SheetTable(contract.COMPUTED_SHEETS[0], ["年份", "排放总量 tCO2e"], [[2022, 3000.0], [2023, 2502.5]],
                       [10, 16], chart={"kind": "line", "title": "历年排放趋势", "label_col": 0, "value_col": 1,
                                        "first": 0, "last": 1}, title="趋势测试")
    out = tmp_path / "out.xlsx"
    write_workbook(src, [table], out)
    assert src.read_bytes() == before
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/cr_")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    name = contract.COMPUTED_SHEETS[0]
    # the title row is row 1, the header row 2, the two years rows 3 and 4
    assert "<c:lineChart>" in xml and f"'{name}'!$B$3:$B$4" in xml and f"'{name}'!$A$3:$A$4" in xml
    assert f"'{name}'!$B$2" in xml  # the series is named by its header
    ws = openpyxl.load_workbook(out)[name]
    assert [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=4)] == [
        ["年份", "排放总量 tCO2e"], [2022, 3000.0], [2023, 2502.5]]
    subprocess.run([soffice_path(), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "历年排放趋势" in text and "趋势测试" in text

"""Issue 3: the contract's reading rules — tables and labels found by text, values as Excel shows them."""

from __future__ import annotations

import datetime as dt
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

import workbooks
from carbon_report.app.pipeline import check_file
from carbon_report.core import contract
from carbon_report.io.reader import read_workbook
from workbooks import SEED_ACTIVITIES, SEED_COMPANY, company_with, set_cell

TODAY = dt.date(2024, 8, 1)


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail rather than hang: reading must finish in a bounded time (no wall-clock assertion)."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("reading did not finish")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def totals(path: Path) -> dict[str, float]:
    o = check_file(path, today=TODAY)
    assert o.status == "ok", [(f.code, f.sheet, f.cell, f.message) for f in o.errors]
    assert o.result is not None
    return {s.value: v for s, v in o.result.stage_totals.items()}


@pytest.fixture(scope="module")
def seed_totals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    return totals(workbooks.build(tmp_path_factory.mktemp("seed") / "seed.xlsx"))


# ---- tables ------------------------------------------------------------------------------------------------


def test_header_below_a_title_row(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def title(wb: openpyxl.Workbook) -> None:
        for name in (contract.ACTIVITIES.name, contract.PRODUCTS.name, contract.FACTORS.name):
            ws = wb[name]
            ws.insert_rows(1, 3)
            ws["A1"] = f"表2-6 {name}（2023年）"  # a title that itself holds a header word
            ws["A2"] = "单位：t"

    path = workbooks.build(tmp_path / "t.xlsx", tweak=title)
    raw = read_workbook(path)
    assert raw.tables[contract.ACTIVITIES.name].header_row == 4
    assert totals(path) == seed_totals
    o = check_file(path, today=TODAY)
    assert {f.cell for f in o.findings if f.code == "W-AMOUNT-NO-DATA"} == {"D10", "D11", "D12"}


def test_shuffled_and_extra_columns(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def shuffle(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        ws.delete_rows(1, ws.max_row)
        order = [7, 3, 0, 2, 1, 4, 6, 5]
        for i, r in enumerate(rows):
            ws.append(["序号" if i == 0 else i, *[r[j] for j in order], "审核人" if i == 0 else "张三"])

    path = workbooks.build(tmp_path / "s.xlsx", tweak=shuffle)
    assert read_workbook(path).tables[contract.ACTIVITIES.name].columns == {
        "note": "B", "amount": "C", "stage": "D", "name": "E", "type": "F", "unit": "G", "source": "H",
        "factor_code": "I"}
    assert totals(path) == seed_totals
    o = check_file(path, today=TODAY)
    assert {f.cell for f in o.findings if f.code == "W-AMOUNT-NO-DATA"} == {"C7", "C8", "C9"}


def test_headers_with_brackets_stars_and_colons(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def decorate(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        ws["A1"], ws["D1"], ws["E1"] = "阶段：", "活动数据（2023年）*", "单 位＊"
        wb[contract.TARGETS.name]["B1"] = "减排比例(%)"

    assert totals(workbooks.build(tmp_path / "h.xlsx", tweak=decorate)) == seed_totals


def test_the_header_row_with_most_known_headers_wins(tmp_path: Path) -> None:
    def twice(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        ws.insert_rows(1)
        for i, h in enumerate(["阶段", "名称", "活动数据", "单位"], start=1):  # a bare summary header above
            ws.cell(1, i, h)

    raw = read_workbook(workbooks.build(tmp_path / "m.xlsx", tweak=twice))
    assert raw.tables[contract.ACTIVITIES.name].header_row == 2


def test_header_not_within_ten_rows_is_a_missing_column(tmp_path: Path) -> None:
    def push(wb: openpyxl.Workbook) -> None:
        wb[contract.ACTIVITIES.name].insert_rows(1, 10)

    o = check_file(workbooks.build(tmp_path / "p.xlsx", tweak=push), today=TODAY)
    missing = {f.message for f in o.findings if f.code == "E-COLUMN-MISSING"}
    assert len(missing) == 4 and o.status == "invalid"


def test_merged_stage_gives_its_value_to_every_row(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def merge(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.ACTIVITIES.name]
        for r in (3, 4, 5):
            ws.cell(r, 1).value = None
        ws.merge_cells("A2:A5")  # 原材料获取 over four rows, as last year's tables did
        ws["A8"] = None
        ws.merge_cells("A7:A8")

    path = workbooks.build(tmp_path / "merged.xlsx", tweak=merge)
    raw = read_workbook(path)
    stages = [r.value("stage") for r in raw.tables[contract.ACTIVITIES.name].rows]
    assert stages[:4] == ["原材料获取"] * 4 and stages[5:7] == ["运输"] * 2
    assert [r.ref("stage").cell for r in raw.tables[contract.ACTIVITIES.name].rows][:4] == ["A2", "A3", "A4", "A5"]
    assert totals(path) == seed_totals


def test_hidden_rows_are_read_with_a_warning(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def hide(wb: openpyxl.Workbook) -> None:
        wb[contract.ACTIVITIES.name].row_dimensions[2].hidden = True

    path = workbooks.build(tmp_path / "hidden.xlsx", tweak=hide)
    assert totals(path) == seed_totals  # the hidden steel row still counts
    o = check_file(path, today=TODAY)
    assert [(f.sheet, f.cell) for f in o.findings if f.code == "W-HIDDEN-ROW"] == [("活动数据", "A2")]


def test_blank_rows_between_data_are_skipped(tmp_path: Path, seed_totals: dict[str, float]) -> None:
    def gap(wb: openpyxl.Workbook) -> None:
        wb[contract.ACTIVITIES.name].insert_rows(4, 3)

    assert totals(workbooks.build(tmp_path / "gap.xlsx", tweak=gap)) == seed_totals


# ---- numbers, percentages, dates as typed ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["72,584", "７２５８４", " 72584 ", "72584.0", "7.2584E4", "72 584"])
def test_number_forms(tmp_path: Path, seed_totals: dict[str, float], typed: str) -> None:
    acts = workbooks.activities_with(4, 3, typed)
    path = workbooks.build(tmp_path / "n.xlsx", activities=acts)
    assert totals(path) == pytest.approx(seed_totals)
    assert [f.code for f in check_file(path, today=TODAY).findings if f.cell == "D6"] == []


@pytest.mark.parametrize(("typed", "unit", "code"), [
    ("72584 kWh", "kWh", "W-AMOUNT-WITH-UNIT"),
    ("72584kWh", None, "W-AMOUNT-WITH-UNIT"),
    ("72,584 度", "kWh", "W-AMOUNT-WITH-UNIT"),
    ("72.584 MWh", "kWh", "E-AMOUNT-UNIT-CONFLICT"),
])
def test_number_with_a_unit(tmp_path: Path, seed_totals: dict[str, float], typed: str, unit: str | None,
                            code: str) -> None:
    acts = workbooks.rows_with(workbooks.activities_with(4, 3, typed), 4, 4, unit)
    o = check_file(workbooks.build(tmp_path / "u.xlsx", activities=acts), today=TODAY)
    assert [f.code for f in o.findings if f.cell == "D6"] == [code]
    if code.startswith("W"):
        assert o.result is not None
        assert o.result.stage_totals[next(s for s in o.result.stage_totals if s.value == "production")] == \
            pytest.approx(seed_totals["production"])


@pytest.mark.parametrize(("value", "fmt", "pct", "warn"), [
    (8, "General", 8, False),
    ("8", "@", 8, False),
    ("8%", "General", 8, False),
    ("８％", "General", 8, False),
    (0.08, "0%", 8, False),
    (0.08, "0.00%", 8, False),
    (0.5, "General", 0.5, True),
])
def test_percentage_forms(tmp_path: Path, value: object, fmt: str, pct: float, warn: bool) -> None:
    path = workbooks.build(tmp_path / "pct.xlsx", tweak=set_cell("减排目标", "B2", value, number_format=fmt))
    o = check_file(path, today=TODAY)
    assert o.intake is not None
    assert o.intake.targets[0].reduction_pct == pytest.approx(pct)
    assert ("W-PERCENT-FRACTION" in [f.code for f in o.findings if f.cell == "B2"]) is warn


@pytest.mark.parametrize("value", [dt.date(2024, 7, 20), dt.datetime(2024, 7, 20, 0, 0), "2024年7月20日",
                                   "2024-07-20", "2024/7/20", "２０２４年７月２０日"])
def test_date_forms(tmp_path: Path, value: object) -> None:
    o = check_file(workbooks.build(tmp_path / "d.xlsx", company=company_with(报告日期=value)), today=TODAY)
    assert o.intake is not None and o.intake.company.report_date == dt.date(2024, 7, 20)


@pytest.mark.parametrize("value", [2023, "2023", "2023年", "2023年度", dt.date(2023, 12, 31), "２０２３"])
def test_year_forms(tmp_path: Path, value: object) -> None:
    o = check_file(workbooks.build(tmp_path / "y.xlsx", company=company_with(核算年度=value)), today=TODAY)
    assert o.intake is not None and o.intake.company.year == 2023


# ---- labels ------------------------------------------------------------------------------------------------


def test_labels_anywhere_with_value_right_of_a_merged_label(tmp_path: Path) -> None:
    def scatter(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.COMPANY_SHEET]
        ws.delete_rows(1, ws.max_row)
        ws["A1"] = "企业基本信息"
        ws.merge_cells("A1:F1")
        for i, (label, value) in enumerate(SEED_COMPANY.items()):
            r, c = 3 + i // 2, 2 + (i % 2) * 4  # two label/value pairs per row, labels merged over 2 columns
            ws.cell(r, c, label + "：")
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 1)
            cell = ws.cell(r, c + 2, value)
            if isinstance(value, str):
                cell.number_format = "@"

    path = workbooks.build(tmp_path / "labels.xlsx", tweak=scatter)
    raw = read_workbook(path)
    assert raw.labels["name"].value == SEED_COMPANY["企业名称"]
    assert raw.labels["name"].ref.cell == "D3" and raw.label_cells["name"].cell == "B3"
    assert raw.labels["uscc"].ref.cell == "H3"
    o = check_file(path, today=TODAY)
    assert o.status == "ok" and o.intake is not None
    assert o.intake.company.uscc == SEED_COMPANY["统一社会信用代码"]
    assert o.intake.company.year == 2023


def test_first_occurrence_of_a_label_wins(tmp_path: Path) -> None:
    def again(wb: openpyxl.Workbook) -> None:
        ws = wb[contract.COMPANY_SHEET]
        ws["D20"], ws["E20"] = "企业名称", "另一家公司"

    raw = read_workbook(workbooks.build(tmp_path / "twice.xlsx", tweak=again))
    assert raw.labels["name"].value == SEED_COMPANY["企业名称"]


# ---- bounded reading -----------------------------------------------------------------------------------------


def test_a_cell_at_xfd1048576_does_not_make_reading_run_forever(tmp_path: Path, deadline: None) -> None:
    def far(wb: openpyxl.Workbook) -> None:
        for name in (contract.ACTIVITIES.name, contract.COMPANY_SHEET, contract.PRODUCTS.name):
            wb[name]["XFD1048576"] = "远处的单元格"

    path = workbooks.build(tmp_path / "far.xlsx", tweak=far)
    assert path.stat().st_size < 20_000
    o = check_file(path, today=TODAY)
    assert o.status in ("ok", "invalid")
    assert all(f.sheet == "" or f.cell for f in o.findings)


def test_a_declared_dimension_of_the_whole_sheet_is_harmless(tmp_path: Path, deadline: None) -> None:
    src = workbooks.build(tmp_path / "src.xlsx")
    dst = tmp_path / "dim.xlsx"
    zin = zipfile.ZipFile(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1) \
                    if b"<dimension" not in data else data
            z.writestr(info, data)
    assert check_file(dst, today=TODAY).status == "ok"


CALC_CHAIN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="D6" i="3"/></calcChain>')


def test_uncached_formula_found_in_the_xml_and_cached_ones_read(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "f.xlsx", tweak=set_cell("活动数据", "D6", "=72000+584"))
    # Give D6 a cached value, as Excel would have saved it.
    fixed = tmp_path / "cached.xlsx"
    zin = zipfile.ZipFile(path)
    with zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            data = data.replace(b"<f>72000+584</f><v></v>", b"<f>72000+584</f><v>72584</v>")
            data = data.replace(b"<f>72000+584</f><v />", b"<f>72000+584</f><v>72584</v>")
            z.writestr(info, data)
        z.writestr("xl/calcChain.xml", CALC_CHAIN)  # Excel's record of a calculation, as Excel saves it
    bad = check_file(path, today=TODAY)
    assert [(f.code, f.cell) for f in bad.errors] == [("E-FORMULA-UNCACHED", "D6")]
    good = check_file(fixed, today=TODAY)
    assert good.status == "ok"


def test_a_formula_whose_cached_result_is_empty_text_is_not_uncached(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "f.xlsx", tweak=set_cell("活动数据", "G2", '=""'))
    fixed = tmp_path / "cached.xlsx"
    zin = zipfile.ZipFile(path)
    with zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            data = data.replace(b'<c r="G2"><f>""</f><v></v></c>', b'<c r="G2" t="str"><f>""</f><v></v></c>')
            data = data.replace(b'<c r="G2"><f>""</f><v /></c>', b'<c r="G2" t="str"><f>""</f><v></v></c>')
            z.writestr(info, data)
        z.writestr("xl/calcChain.xml", CALC_CHAIN)
    assert b't="str"' in zipfile.ZipFile(fixed).read("xl/worksheets/sheet3.xml")
    assert check_file(fixed, today=TODAY).status == "ok"


def test_chart_sheet_named_like_an_input_sheet(tmp_path: Path) -> None:
    def chart(wb: openpyxl.Workbook) -> None:
        from openpyxl.chart import BarChart, Reference

        del wb[contract.EQUIPMENT.name]
        bar = BarChart()
        bar.add_data(Reference(wb[contract.PRODUCTS.name], min_col=2, min_row=1, max_row=2), titles_from_data=True)
        wb.create_chartsheet(contract.EQUIPMENT.name).add_chart(bar)

    o = check_file(workbooks.build(tmp_path / "chart.xlsx", tweak=chart), today=TODAY)
    assert [(f.code, f.sheet) for f in o.errors] == [("E-SHEET-NOT-GRID", contract.EQUIPMENT.name)]


def test_computed_sheets_of_an_earlier_run_are_not_read(tmp_path: Path) -> None:
    def computed(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet(contract.SHEET_DETAILS)
        ws["A1"] = "=1/0"  # never calculated, never read

    assert check_file(workbooks.build(tmp_path / "c.xlsx", tweak=computed), today=TODAY).status == "ok"


def test_seed_activity_rows_are_all_read(tmp_path: Path) -> None:
    raw = read_workbook(workbooks.build(tmp_path / "seed.xlsx"))
    rows = raw.tables[contract.ACTIVITIES.name].rows
    assert [r.value("name") for r in rows] == [a[2] for a in SEED_ACTIVITIES]
    assert all(r.ref("amount").cell == f"D{r.row}" for r in rows)

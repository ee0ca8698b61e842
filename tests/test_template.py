"""The empty intake template: contract coverage, emptiness, dropdowns, determinism, the committed copy."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from carbon_report.core import contract
from carbon_report.core.errors import OutputExists
from carbon_report.core.factors import load_library
from carbon_report.core.model import STAGES
from carbon_report.outputs.template import (
    GUIDE_SHEET,
    INPUT_ROWS,
    LIBRARY_HEADERS,
    LIBRARY_SHEET,
    LISTS_SHEET,
    NAME_FACTOR_CODES,
    NAME_UNITS,
    STAGE_NAMES,
    build_template,
    library_rows,
    unit_spellings,
    workbook_bytes,
    write_template,
)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_templates" / "intake_template.xlsx"
STALE = "workbook_templates/intake_template.xlsx is stale: run python scripts/build_template.py"


def header_key(text: object) -> str:
    """The contract's header matching: cut at the first bracket, drop a trailing * or colon."""
    t = "" if text is None else str(text)
    cut = min((i for i in (t.find(b) for b in "（(【[［〔") if i >= 0), default=len(t))
    return re.sub(r"\s+", "", t[:cut]).rstrip("*＊:：")


@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    """The template as a user gets it: written to bytes and loaded back."""
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_template())))


def _plain(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.15g}")  # openpyxl writes 15-16 significant digits
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fingerprint(book: openpyxl.Workbook) -> dict:
    """Everything a user sees or relies on, minus the document timestamps."""
    out: dict = {"sheets": book.sheetnames, "active": book.active.title,
                 "names": sorted((n, d.attr_text) for n, d in book.defined_names.items())}
    for ws in book.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                cells.append((c.coordinate, _plain(c.value), c.number_format, bool(c.font.b),
                              c.font.color and c.font.color.rgb, c.fill.fill_type, c.fill.fgColor.rgb,
                              c.border.left.style, c.alignment.wrap_text, c.comment.text if c.comment else None))
        dvs = sorted(repr((d.type, d.formula1, d.formula2, d.operator, d.errorStyle, bool(d.showErrorMessage),
                           d.error, str(d.sqref))) for d in ws.data_validations.dataValidation)
        out[ws.title] = {
            "state": ws.sheet_state,
            "protected": bool(ws.protection.sheet),
            "freeze": ws.freeze_panes,
            "print_titles": ws.print_title_rows,
            "orientation": ws.page_setup.orientation,
            "fit": (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage),
            "widths": sorted((k, d.width) for k, d in ws.column_dimensions.items() if d.width),
            "heights": sorted((k, d.height) for k, d in ws.row_dimensions.items() if d.height),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "validations": dvs,
            "cells": cells,
        }
    return out


def test_committed_copy_matches_what_write_template_produces(wb):
    assert COMMITTED.is_file(), STALE
    committed = openpyxl.load_workbook(COMMITTED)
    a, b = fingerprint(committed), fingerprint(wb)
    assert a.keys() == b.keys(), STALE
    for key in a:
        assert a[key] == b[key], f"{STALE} (differs in {key})"


def test_output_is_byte_deterministic():
    assert workbook_bytes(build_template()) == workbook_bytes(build_template())


def test_sheet_order_guide_first_then_contract_order(wb):
    expected = [GUIDE_SHEET, contract.COMPANY_SHEET, *(s.name for s in contract.TABLE_SHEETS), LIBRARY_SHEET,
                LISTS_SHEET]
    assert wb.sheetnames == expected
    assert wb.active.title == GUIDE_SHEET
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in expected if n != LISTS_SHEET)
    assert not set(wb.sheetnames) & set(contract.COMPUTED_SHEETS)


@pytest.mark.parametrize("spec", contract.TABLE_SHEETS, ids=lambda s: s.name)
def test_every_header_in_row_1_marked_and_annotated(wb, spec):
    ws = wb[spec.name]
    row = [ws.cell(1, i + 1).value for i in range(len(spec.columns))]
    assert [header_key(v) for v in row] == [c.header for c in spec.columns]
    for col, text in zip(spec.columns, row, strict=True):
        assert str(text).endswith("*") == col.required, text
        cell = ws.cell(1, spec.columns.index(col) + 1)
        assert cell.comment is not None and cell.comment.text.strip(), f"{spec.name}!{cell.coordinate} has no note"
        assert cell.font.b and cell.fill.fill_type == "solid"
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0


@pytest.mark.parametrize("spec", contract.TABLE_SHEETS, ids=lambda s: s.name)
def test_tables_are_empty_but_prepared(wb, spec):
    ws = wb[spec.name]
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
    assert values == []
    # prepared input rows: styled, the same fill as every other input cell
    first, last = ws.cell(2, 1), ws.cell(1 + INPUT_ROWS, len(spec.columns))
    assert first.fill.fill_type == "solid" and first.fill.fgColor.rgb == last.fill.fgColor.rgb
    assert first.fill.fgColor.rgb != ws.cell(1, 1).fill.fgColor.rgb


def test_every_label_present_once_and_marked(wb):
    ws = wb[contract.COMPANY_SHEET]
    labels = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(r, 1).value
        if v is not None:
            labels[header_key(v)] = (r, v)
    for lab in contract.LABELS:
        assert lab.text in labels, lab.text
        r, text = labels[lab.text]
        assert str(text).endswith("*") == lab.required, text
        assert ws.cell(r, 3).value, f"label {lab.text} has no help text"
    # nothing outside column A reads as a label: the reader takes the first occurrence in the sheet
    label_keys = {lab.text for lab in contract.LABELS}
    for row in ws.iter_rows():
        for c in row:
            if c.column != 1 and isinstance(c.value, str):
                assert header_key(c.value) not in label_keys, c.coordinate


def test_company_values_blank_except_template_version(wb):
    ws = wb[contract.COMPANY_SHEET]
    by_label = {header_key(ws.cell(r, 1).value): ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert by_label["模板版本"].value == contract.TEMPLATE_VERSION == 1
    assert [k for k, c in by_label.items() if c.value is not None] == ["模板版本"]
    assert by_label["统一社会信用代码"].number_format == "@"
    assert by_label["联系方式"].number_format == "@"
    for date_label in ("报告日期", "复核日期", "批准日期"):
        assert "yy" in by_label[date_label].number_format
    dvs = [d for d in ws.data_validations.dataValidation if by_label["GWP版本"].coordinate in str(d.sqref)]
    assert len(dvs) == 1 and dvs[0].type == "list"
    assert dvs[0].formula1.strip('"').split(",") == list(contract.GWP_VERSIONS)


def _validation_for(ws, coordinate: str):
    found = [d for d in ws.data_validations.dataValidation if coordinate in d.sqref]
    assert len(found) == 1, f"{ws.title}!{coordinate}: {len(found)} validations"
    return found[0]


def _col(spec: contract.TableSheet, key: str) -> str:
    return openpyxl.utils.get_column_letter([c.key for c in spec.columns].index(key) + 1)


def test_stage_dropdowns_offer_short_names_and_let_other_spellings_pass(wb):
    for spec in contract.TABLE_SHEETS:
        if "stage" not in [c.key for c in spec.columns]:
            continue
        ws = wb[spec.name]
        for row in (2, 1 + INPUT_ROWS):
            dv = _validation_for(ws, f"{_col(spec, 'stage')}{row}")
            assert dv.type == "list"
            assert dv.formula1.strip('"').split(",") == list(STAGE_NAMES)
            assert dv.errorStyle == "warning", "long names such as 低碳原材料获取 must still be accepted"


def test_unit_and_factor_code_dropdowns_draw_on_lists(wb):
    spec = contract.ACTIVITIES
    ws = wb[spec.name]
    unit_dv = _validation_for(ws, f"{_col(spec, 'unit')}2")
    code_dv = _validation_for(ws, f"{_col(spec, 'factor_code')}2")
    assert unit_dv.formula1 == NAME_UNITS and unit_dv.errorStyle == "warning"
    assert code_dv.formula1 == NAME_FACTOR_CODES and code_dv.errorStyle == "warning"

    def named_values(name: str) -> list:
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        return [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]

    assert named_values(NAME_UNITS) == unit_spellings()
    for must in ("t", "kWh", "万kWh", "m3", "万m3", "L", "t·km", "吨公里", "根"):
        assert must in named_values(NAME_UNITS)
    assert named_values(NAME_FACTOR_CODES) == load_library().codes()


def test_yes_no_and_target_kind_are_strict_lists(wb):
    dv = _validation_for(wb["产品产量"], f"{_col(contract.PRODUCTS, 'for_intensity')}2")
    assert dv.formula1 == '"是,否"' and dv.errorStyle == "stop" and dv.showErrorMessage
    dv = _validation_for(wb["减排目标"], f"{_col(contract.TARGETS, 'kind')}2")
    assert dv.formula1 == '"总量,强度"' and dv.errorStyle == "stop"


def test_text_columns_keep_codes_and_ranges_as_text(wb):
    assert wb["减排技术"][f"{_col(contract.MEASURES, 'investment')}2"].number_format == "@"  # 2-3 is not a date
    assert wb["活动数据"][f"{_col(contract.ACTIVITIES, 'factor_code')}2"].number_format == "@"
    assert wb["排放因子"][f"{_col(contract.FACTORS, 'code')}2"].number_format == "@"


def test_factor_library_sheet_lists_the_library_read_only(wb):
    ws = wb[LIBRARY_SHEET]
    assert tuple(c.value for c in ws[1]) == LIBRARY_HEADERS
    rows = [tuple(_plain(c.value) for c in row) for row in ws.iter_rows(min_row=2)]
    assert rows == [tuple(_plain(v) for v in r) for r in library_rows()]
    assert ws.protection.sheet and not ws.protection.password
    assert {r[0] for r in rows} == set(load_library().codes())


def test_guide_explains_markers_stages_and_units(wb):
    text = "\n".join(str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value)
    for needle in ("不适用", "/", "t·km", "万kWh", *STAGE_NAMES, *(s.long_zh for s in STAGES), "联系",
                   contract.COMPANY_SHEET):
        assert needle in text, needle


def test_write_template_with_force_replaces_atomically(tmp_path):
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"old")
    write_template(out, force=True)
    assert out.read_bytes() == workbook_bytes(build_template())
    assert [p.name for p in tmp_path.iterdir()] == ["模板.xlsx"]
    assert openpyxl.load_workbook(out).sheetnames[1] == contract.COMPANY_SHEET


def test_write_template_never_replaces_a_file_without_force(tmp_path):
    out = tmp_path / "企业A.xlsx"
    out.write_bytes(b"a filled workbook")
    with pytest.raises(OutputExists) as e:
        write_template(out)
    assert e.value.code == "E-OUTPUT-EXISTS" and "--force" in e.value.message
    assert out.read_bytes() == b"a filled workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["企业A.xlsx"]  # no temporary file left behind


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carbon_report.app.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_template_command_refuses_an_existing_workbook_and_leaves_it_byte_identical(tmp_path):
    """The clerk's filled workbook must survive `carbon-report template` typed with its name."""
    filled = tmp_path / "填报.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "企业名称"
    wb.active["B1"] = "已填写的企业"
    wb.save(filled)
    before = filled.read_bytes()
    p = _cli("template", str(filled))
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "文件已存在" in lines[0] and "--force" in lines[0] and "[E-OUTPUT-EXISTS]" in lines[0]
    assert "exists" in lines[0]  # the English beside the Chinese
    assert filled.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["填报.xlsx"]

    forced = _cli("template", str(filled), "--force")
    assert forced.returncode == 0, forced.stderr
    assert filled.read_bytes() == workbook_bytes(build_template())


def test_reader_finds_every_table_and_label_in_the_template(tmp_path):
    reader = pytest.importorskip("carbon_report.io.reader")
    path = tmp_path / "t.xlsx"
    write_template(path)
    raw = reader.read_workbook(path)
    assert [f for f in raw.findings if f.severity == "error"] == []
    for spec in contract.TABLE_SHEETS:
        table = raw.tables[spec.name]
        assert table.header_row == 1 and table.rows == ()
        assert set(table.columns) == {c.key for c in spec.columns}
    assert set(raw.labels) == {lab.key for lab in contract.LABELS}


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice is not installed")
def test_opens_in_libreoffice(tmp_path):
    src = tmp_path / "intake_template.xlsx"
    write_template(src)
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    profile = (tmp_path / "lo_profile").as_uri()
    proc = subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path / "pdf"), str(src)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "pdf" / "intake_template.pdf"
    assert proc.returncode == 0, proc.stderr
    assert pdf.is_file() and pdf.stat().st_size > 10_000, proc.stdout + proc.stderr

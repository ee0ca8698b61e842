"""Workbooks built to be slow (issue 12, item 7): a number cell of 32,000 spaces, a 填写说明 nobody reads,
20,000 activity rows in the report. The tests assert the outcome a user sees, never the time (the times
are in benchmarks/adversarial.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

import workbooks
from carbon_report.core.values import parse_number, parse_percent
from carbon_report.io.package import Package
from carbon_report.io.reader import _sheet_parts


def test_a_cell_of_32000_spaces_is_an_error_on_its_cell(cli, tmp_path: Path) -> None:
    src = workbooks.build(tmp_path / "企业A.xlsx", activities=workbooks.activities_with(0, 3, "1" + " " * 32_000 + "%"))
    before = src.read_bytes()
    r = cli("check", src)
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if "[E-" in line]
    assert len(errors) == 1
    assert errors[0].startswith("企业A.xlsx: 活动数据!D2: ") and errors[0].endswith("[E-AMOUNT-NOT-NUMBER]")
    assert "32,002 个字符" in errors[0] and len(errors[0]) < 200  # the line says how long, and stays short
    assert src.read_bytes() == before


def test_number_text_patterns_are_linear_and_capped() -> None:
    # over 1,000 characters: never a number, whatever it holds
    assert parse_number("1" + " " * 32_000 + "%").kind == "invalid"
    assert parse_number("1" * 1_001).kind == "invalid"
    assert not parse_percent("1" + " " * 32_000 + "%").ok
    # under the cap the same readings as before
    assert parse_number("0." + "1" * 998).kind == "number"  # 1,000 characters
    p = parse_number("1 250 t")
    assert (p.kind, p.value, p.unit) == ("with_unit", 1250.0, "t")
    p = parse_number("3.5e3kWh")
    assert (p.kind, p.value, p.unit) == ("with_unit", 3500.0, "kWh")
    assert parse_number("1" + " " * 900 + "t").kind == "with_unit"
    assert parse_number("12 e3").kind == "invalid" and parse_number("5, t").kind == "invalid"
    assert parse_number("1 25 t").kind == "invalid"  # groups of three only


def _with_guide(src: Path, dest: Path, guide_xml: bytes) -> Path:
    """`src` with a 填写说明 sheet whose XML is `guide_xml`."""
    with Package(src.read_bytes()) as package:
        part = _sheet_parts(package)["填写说明"]
    with zipfile.ZipFile(src) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            out.writestr(info, guide_xml if info.filename == part else data)
    return dest


def _guided(tmp_path: Path) -> Path:
    def add_guide(wb) -> None:
        ws = wb.create_sheet("填写说明", 0)
        ws["A1"] = "填写说明"

    return workbooks.build(tmp_path / "plain.xlsx", tweak=add_guide)


def test_a_sheet_the_contract_does_not_read_is_not_parsed(cli, tmp_path: Path) -> None:
    base = _guided(tmp_path)
    good = cli("check", base, "--json")
    assert good.returncode == 0
    # a 填写说明 whose XML is cut off mid-row, and one merged over a whole sheet: either refused the
    # workbook (E-FILE-CORRUPT, E-FILE-MERGED-TOO-LARGE) when every sheet was parsed
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    broken = _with_guide(base, tmp_path / "企业A.xlsx", b"<worksheet " + main + b"><sheetData><row r=\"1\"><c r=")
    merged = _with_guide(base, tmp_path / "企业B.xlsx", b"<worksheet " + main + b"><sheetData/><mergeCells count=\"1\">"
                         b"<mergeCell ref=\"A1:XFD1048576\"/></mergeCells></worksheet>")
    for src in (broken, merged):
        before = src.read_bytes()
        r = cli("check", src, "--json")
        assert r.returncode == 0, r.stderr
        assert not [line for line in r.stderr.splitlines() if "[E-" in line]
        assert r.stdout.replace(src.name, "plain.xlsx") == good.stdout.replace(str(tmp_path / "plain.xlsx"),
                                                                             str(tmp_path / "plain.xlsx"))
        assert src.read_bytes() == before


def test_report_tables_list_200_rows_and_say_where_the_rest_is(cli, tmp_path: Path) -> None:
    # 230 electricity rows of 1,000 kWh each: the 生产 tables show 200 and one row for the other 30
    rows = [["生产", "能源", f"电力{k + 1}", 1000, "kWh", "EF-ELEC-CN-ENTERPRISE-2022", "电费单", None] for k in range(230)]
    src = workbooks.build(tmp_path / "企业A.xlsx", activities=rows)
    out = tmp_path / "out"
    r = cli("process", src, "--out", out)
    assert r.returncode == 0, r.stderr
    d = docx.Document(io.BytesIO((out / "企业A_评价报告.docx").read_bytes()))
    tables = [t for t in d.tables if any(c.text == "电力1" for row in t.rows for c in row.cells)]
    assert len(tables) == 2  # the activity table and the result table of 生产
    for t in tables:
        texts = [c.text for row in t.rows for c in row.cells]
        assert "电力200" in texts and "电力201" not in texts
        assert any("其余 30 项活动" in x for x in texts) and any("计算明细" in x for x in texts)
        numbered = [row.cells[0].text for row in t.rows if row.cells[0].text.isdigit()]
        assert numbered == [str(k) for k in range(1, 201)]  # 200 rows, then the one for the rest

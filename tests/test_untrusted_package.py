"""Issue 23, the red team's package attacks: packages read as the standard reads them (failures 8 and 9), and a
report template's external relationships removed before any converter sees them (failure 3).

Expected totals are worked out by hand: one activity row of 1,000 kWh of electricity at the library's
0.5703 tCO2/MWh is 1 MWh × 0.5703 = 0.5703 tCO2e; 1,250 kWh is 0.712875 t; 999,999 kWh is 570.299430 t.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from carbon_report.core import contract
from workbooks import build

ELEC = "EF-ELEC-CN-ENTERPRISE-2022"  # 0.5703 tCO2/MWh
KEYS = [c.key for c in contract.ACTIVITIES.columns]


def row(**cells: Any) -> list[Any]:
    return [cells.get(k) for k in KEYS]


def one_row_workbook(path: Path, kwh: float = 1000) -> Path:
    return build(path, activities=[row(stage="生产", name="电力", amount=kwh, unit="kWh", factor_code=ELEC)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rezip(src: Path, dest: Path, edit: Any) -> Path:
    """`dest`: the members of `src` passed through edit(name, data) → [(name, data), …] (written in order)."""
    with zipfile.ZipFile(src) as zi:
        members = [(i.filename, zi.read(i)) for i in zi.infolist()]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zo:
        for name, data in members:
            for new_name, new_data in edit(name, data):
                zo.writestr(new_name, new_data)
    return dest


def activities_part(path: Path) -> str:
    """The 活动数据 sheet's part, found by reading workbook.xml and its rels by hand."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet[^>]*name="活动数据"[^>]*r:id="([^"]+)"', wb) or \
        re.search(r'<sheet[^>]*r:id="([^"]+)"[^>]*name="活动数据"', wb)
    assert rid
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


# ---- failure 8: a duplicated part is refused -------------------------------------------------------------


@pytest.mark.parametrize("case", ["same", "upper"])
def test_a_workbook_with_a_duplicated_sheet_part_is_refused(cli, tmp_path: Path, case: str) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx", 1250)
    part = activities_part(src)

    def twice(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name != part:
            return [(name, data)]
        second = data.replace(b">1250<", b">999999<")
        assert second != data
        return [(name, data), (name if case == "same" else name.upper(), second)]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name" when writing the same name
        bad = rezip(src, tmp_path / "双份.xlsx", twice)
    before = digest(bad)
    out = tmp_path / "out"
    ran = cli("process", bad, "--out", out, "--json")
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if "[E-FILE-DUPLICATE-PART]" in ln]
    assert len(lines) == 1 and "双份.xlsx" in lines[0] and part.split("/")[-1] in lines[0].lower(), ran.stderr
    d = json.loads(ran.stdout)
    assert d["total_tco2e"] is None and d["outputs"]["workbook"] is None
    assert not out.exists() or not list(out.iterdir())  # neither 1250 nor 999999 was computed into a file
    assert digest(bad) == before


def test_the_same_workbook_without_the_copy_is_computed(cli, tmp_path: Path) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx", 1250)
    d = json.loads(cli("check", src, "--json").stdout)
    assert d["total_tco2e"] == pytest.approx(0.712875)  # 1.25 MWh × 0.5703


# ---- failure 9: the main part is where _rels/.rels says -------------------------------------------------


@pytest.mark.parametrize("main", ["xl/main.xml", "xl/myworkbook.xml", "wb/book.xml"])
def test_a_renamed_main_part_is_read_through_the_package_relationships(cli, tmp_path: Path, main: str) -> None:
    src = one_row_workbook(tmp_path / "src.xlsx")
    folder_changes = not main.startswith("xl/")

    def rename(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "xl/workbook.xml":
            return [(main, data)]
        if name == "xl/_rels/workbook.xml.rels":
            if folder_changes:  # targets relative to xl/ become absolute, so they still name the same parts
                data = re.sub(rb'Target="(?!/)([^"]+)"', rb'Target="/xl/\1"', data)
            return [(main.rsplit("/", 1)[0] + "/_rels/" + main.rsplit("/", 1)[1] + ".rels", data)]
        if name in ("[Content_Types].xml", "_rels/.rels"):
            return [(name, data.replace(b"xl/workbook.xml", main.encode()))]
        return [(name, data)]

    renamed = rezip(src, tmp_path / "改名.xlsx", rename)
    with zipfile.ZipFile(renamed) as z:
        assert "xl/workbook.xml" not in z.namelist() and main in z.namelist()
    before = digest(renamed)
    ran = cli("process", renamed, "--out", tmp_path / "out", "--json")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    assert d["total_tco2e"] == pytest.approx(0.5703)
    assert digest(renamed) == before
    import openpyxl

    out = openpyxl.load_workbook(tmp_path / "out" / "改名_计算结果.xlsx")
    assert contract.COMPANY_SHEET in out.sheetnames and "排放汇总" in out.sheetnames


def test_a_docx_renamed_xlsx_is_still_not_a_workbook(cli, tmp_path: Path) -> None:
    docx = Path(__file__).resolve().parent.parent / "workbook_templates" / "report_template.docx"
    fake = tmp_path / "伪装.xlsx"
    fake.write_bytes(docx.read_bytes())
    ran = cli("check", fake)
    assert ran.returncode == 2 and "[E-FILE-NOT-WORKBOOK]" in ran.stderr


# ---- failure 9: a 0-byte report template is a usage error like a folder ----------------------------------


@pytest.mark.parametrize("kind", ["empty", "folder", "text"])
def test_a_template_that_is_no_docx_exits_2_with_one_line(cli, tmp_path: Path, kind: str) -> None:
    wb = one_row_workbook(tmp_path / "a.xlsx")
    tpl = tmp_path / "模板.docx"
    if kind == "folder":
        tpl.mkdir()
    else:
        tpl.write_bytes(b"" if kind == "empty" else b"not a docx at all")
    ran = cli("process", wb, "--out", tmp_path / "out", "--report-template", tpl)
    assert ran.returncode == 2
    lines = [ln for ln in ran.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "[E-REPORT-TEMPLATE]" in lines[0] and "模板.docx" in lines[0], ran.stderr
    assert not (tmp_path / "out").exists()

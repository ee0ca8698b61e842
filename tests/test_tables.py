"""Tidy tables and DataFrames (issue 27) as an analyst reads them: the lines add up to the stage totals, the
totals to the report's, months to their rows; pandas only where it is asked for.

Figures by hand, from library.csv: EF-ELEC-CN-AVG-2021 0.5568 kgCO2/kWh (报告日期 2024-05-01),
EF-STEEL-REBAR 2.340 tCO2e/t; the monthly workbook of test_monthly_sites (its comments give each figure).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document

import carbon_report
from test_history import make
from test_monthly_sites import MAIN_SITE, NG_FACTOR, good_rows, write_bills
from test_report_e2e import _table_rows
from workbooks import build

ROOT = Path(__file__).resolve().parents[1]
ELEC_2021 = 0.5568


def two_rows(folder: Path, mwh: float = 800, name: str = "云乔_2024.xlsx") -> Path:
    return make(folder, 2024, dt.date(2024, 5, 1), mwh, base=2024, name=name)


def test_lines_add_up_to_stages_and_stages_to_the_report(tmp_path: Path) -> None:
    wb = two_rows(tmp_path)
    r = carbon_report.process(wb, out=tmp_path / "out")
    assert r.status == "ok"
    lines = r.to_frame("lines")
    totals = r.to_frame("totals")
    elec, steel = 800_000 * ELEC_2021 / 1000, 100 * 2.34  # 445.44 t and 234 t
    assert list(lines["name"]) == ["电力", "钢筋"]
    assert list(lines["tco2e"]) == pytest.approx([elec, steel])
    by_stage = lines[lines["counted"]].groupby("stage")["tco2e"].sum()
    stage_rows = totals[(totals["dimension"] == "stage")].set_index("key")["tco2e"]
    for stage, t in by_stage.items():
        assert stage_rows[stage] == pytest.approx(t)
    assert stage_rows.sum() == pytest.approx(elec + steel)
    total = totals[totals["dimension"] == "total"]["tco2e"].iloc[0]
    assert total == pytest.approx(elec + steel)
    # the report prints the same total, rounded to two decimals (表 A.1)
    doc = Document(r.outputs["report"])
    a1 = {row[1]: row for row in _table_rows(doc, "表 A.1")[1:]}
    printed = a1["企业碳排放量合计（1+2+3+4+5+6）"][3]
    assert printed == f"{Decimal(str(elec + steel)).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"  # 679.44
    assert a1["数智化生产阶段碳排放量"][3] == "445.44"
    # scopes: the parts in the total add up to it; per stage too
    scopes = totals[(totals["dimension"] == "scope") & totals["stage"].isna()]
    assert scopes[scopes["in_total"]]["tco2e"].sum() == pytest.approx(total)
    cats = totals[(totals["dimension"] == "iso_category") & totals["stage"].isna()]
    assert list(cats["key"]) == ["1", "2", "3", "4", "5", "6"] and cats["tco2e"].sum() == pytest.approx(total)
    # the workbook row: the file's hash, template version, factor-library edition, GWP set
    books = r.to_frame("workbooks")
    assert len(books) == 1
    row = books.iloc[0]
    assert row["input_sha256"] == __import__("hashlib").sha256(wb.read_bytes()).hexdigest()
    assert row["template_version"] == "1" and row["library_version"] == r.library_version
    assert row["gwp_version"] == r.gwp_version and row["status"] == "ok" and row["errors"] == 0
    # every table is keyed by the input's hash and path
    for name in carbon_report.TABLES:
        frame = r.to_frame(name)
        assert list(frame.columns[:2]) == ["input_sha256", "input_path"]
        assert set(frame["input_path"]) <= {str(wb)}


def test_months_and_sites_as_tables(tmp_path: Path) -> None:
    write_bills(tmp_path)
    r = carbon_report.check(build(tmp_path / "月度.xlsx", activities=good_rows(), factors=[NG_FACTOR]))
    months = r.to_frame("months")
    plant_b = months[months["site"] == "二厂"]
    assert list(plant_b["month"]) == list(range(1, 13))
    assert list(plant_b["blank"]) == [m == 3 for m in range(1, 13)]
    assert list(plant_b["amount"]) == [0 if m == 3 else 500 for m in range(1, 13)]
    # 500 kWh × 0.5703 kg = 0.28515 t a month, 0 in March; the months add up to the row
    assert list(plant_b["tco2e"]) == pytest.approx([0 if m == 3 else 0.28515 for m in range(1, 13)])
    assert plant_b["tco2e"].sum() == pytest.approx(5.5 * 0.5703)
    sites = r.to_frame("totals")
    overall = sites[(sites["dimension"] == "site") & sites["stage"].isna()].set_index("key")["tco2e"]
    assert overall.to_dict() == pytest.approx({"一厂": 12 * 0.5703, "二厂": 5.5 * 0.5703, MAIN_SITE: 2.4 + 23.4})
    lines = r.to_frame("lines")
    assert lines[lines["name"] == "钢筋"]["data_quality"].iloc[0] == "缺省"
    assert lines[lines["name"] == "天然气"]["uncertainty_pct"].iloc[0] == pytest.approx(41 ** 0.5)


def test_a_bad_workbook_has_workbook_and_finding_rows_only(tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    wb = openpyxl.load_workbook(two_rows(tmp_path))
    wb["活动数据"]["D2"] = "八百"
    wb.save(bad)
    r = carbon_report.check(bad)
    assert r.status == "invalid"
    assert len(r.to_frame("lines")) == 0 and len(r.to_frame("totals")) == 0
    f = r.to_frame("findings")
    hit = f[(f["cell"] == "D2") & (f["sheet"] == "活动数据")]
    assert list(hit["code"]) == ["E-AMOUNT-NOT-NUMBER"] and list(hit["severity"]) == ["error"]
    books = r.to_frame("workbooks").iloc[0]
    assert books["status"] == "invalid" and books["errors"] >= 1 and pd_na(books["total_tco2e"])
    with pytest.raises(carbon_report.UsageError):
        r.to_frame("nope")


def pd_na(value: object) -> bool:
    import pandas

    return value is None or bool(pandas.isna(value))


def test_without_pandas_everything_but_the_frames_works(tmp_path: Path) -> None:
    """The extra not installed (pandas made unimportable in a fresh process): check, process, the tables and
    the JSON work; to_frame says which extra to install, with its code."""
    wb = two_rows(tmp_path)
    code = f"""
import sys
sys.modules["pandas"] = None  # as if not installed: import pandas raises ImportError
import carbon_report
from carbon_report.outputs.tables import build_tables
r = carbon_report.process({str(wb)!r}, out={str(tmp_path / 'out')!r}, report=False)
print(r.status, round(r.total_tco2e, 2), len(build_tables([r])["lines"].rows))
try:
    r.to_frame("lines")
except carbon_report.CarbonReportError as e:
    print(e.code, e.message)
print("pandas" in sys.modules and sys.modules["pandas"] is not None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "ok 679.44 2", "E-PANDAS-MISSING DataFrame 需要 pandas：pip install carbon-report[pandas]（或 pip install pandas）",
        "False"]


def test_process_and_the_cli_never_import_pandas(tmp_path: Path) -> None:
    wb = two_rows(tmp_path)
    code = (f"import sys, carbon_report\nr = carbon_report.process({str(wb)!r}, out={str(tmp_path / 'o')!r}, "
            "report=False)\nr.to_json()\nfrom carbon_report.app import cli\nprint('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False"


def test_csv_and_xlsx_keep_text_as_text(tmp_path: Path) -> None:
    """A name typed as a formula stays data: a CSV cell gets the apostrophe Excel shows as text; the xlsx cell
    is a text cell, never a formula."""
    from carbon_report.outputs.tables import build_tables, csv_bytes, xlsx_bytes

    wb = openpyxl.load_workbook(two_rows(tmp_path))
    wb["活动数据"]["B2"] = "=HYPERLINK(\"http://x\",\"电\")"
    wb["活动数据"]["B2"].data_type = "s"  # typed as text (Excel: a leading apostrophe)
    wb.save(tmp_path / "公式.xlsx")
    r = carbon_report.check(tmp_path / "公式.xlsx")
    assert r.status == "ok", r.errors
    tables = build_tables([r])
    data = csv_bytes(tables["lines"])
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["activity_type"] == "'=HYPERLINK(\"http://x\",\"电\")" and rows[0]["counted"] == "true"
    assert float(rows[0]["tco2e"]) == r.lines[0].tco2e  # numbers round-trip exactly
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert book.sheetnames == ["README", *carbon_report.TABLES]
    ws = book["lines"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("activity_type") + 1)
    assert cell.value == "=HYPERLINK(\"http://x\",\"电\")" and cell.data_type == "s"

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
        "ok 679.44 2", "E-PANDAS-MISSING DataFrame 需要 pandas：pip install carbon-report[pandas]",
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


def company_folder(folder: Path) -> Path:
    """One company's 2023 and 2024 workbooks (base year 2023), the second sample, and a damaged file."""
    folder.mkdir()
    make(folder, 2023, dt.date(2024, 5, 1), 900, base=2023, name="云乔_2023.xlsx")
    make(folder, 2024, dt.date(2024, 5, 1), 800, base=2023, name="云乔_2024.xlsx")
    (folder / "示例.xlsx").write_bytes((ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx").read_bytes())
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04 damaged")
    return folder


def test_a_platform_processes_a_folder_and_reads_the_tables(tmp_path: Path) -> None:
    folder = company_folder(tmp_path / "收集")
    b = carbon_report.batch(folder, out=tmp_path / "out", jobs=2)
    assert [r.input.name for r in b] == ["云乔_2023.xlsx", "云乔_2024.xlsx", "坏.xlsx", "示例.xlsx"]
    assert [r.status for r in b] == ["ok", "ok", "unreadable", "ok"], [r.findings[:1] for r in b]
    assert b.exit_code == 2
    assert b.summary_workbook == tmp_path / "out" / "汇总.xlsx" and b.summary_workbook.is_file()
    y2023, y2024 = b.results[0], b.results[1]
    # the company's years are linked as batch links them: 2023 is 2024's history and base year
    assert [(h.year, h.source) for h in y2024.history] == [(2023, "云乔_2023.xlsx")]
    assert y2024.base_year is not None and y2024.base_year.reported_total == pytest.approx(900 * ELEC_2021 + 234)
    assert y2023.total_tco2e == pytest.approx(900 * ELEC_2021 + 234)  # 735.12
    assert y2024.total_tco2e == pytest.approx(800 * ELEC_2021 + 234)  # 679.44

    lines, totals = b.to_frame("lines"), b.to_frame("totals")
    assert set(lines["input_path"]) == {str(r.input) for r in b if r.status == "ok"}
    sums = lines[lines["counted"]].groupby(["input_sha256", "stage"])["tco2e"].sum()
    stage_rows = totals[totals["dimension"] == "stage"].set_index(["input_sha256", "key"])["tco2e"]
    for key, t in sums.items():
        assert stage_rows[key] == pytest.approx(t)
    whole = totals[totals["dimension"] == "total"].set_index("input_sha256")["tco2e"]
    for sha, t in stage_rows.groupby(level=0).sum().items():
        assert whole[sha] == pytest.approx(t)
    for r in b:
        if r.status != "ok":
            continue
        # the report's 表 A.1 prints the same total
        doc = Document(r.outputs["report"])
        a1 = {row[1]: row for row in _table_rows(doc, "表 A.1")[1:]}
        t = whole[r.sha256]
        assert a1["企业碳排放量合计（1+2+3+4+5+6）"][3] == \
            f"{Decimal(str(float(t))).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    books = b.to_frame("workbooks").set_index("file_name")
    assert books.loc["坏.xlsx", "status"] == "unreadable" and books.loc["坏.xlsx", "errors"] == 1
    found = b.to_frame("findings")
    assert list(found[found["input_path"] == str(folder / "坏.xlsx")]["code"]) == ["E-FILE-TRUNCATED"]
    # the API's batch JSON is the CLI's
    assert b.to_json()["summary"] == {"workbooks": 4, "ok": 3, "invalid": 0, "unreadable": 1, "failed": 0,
                                      "skipped": [], "exit_code": 2,
                                      "summary_workbook": str(tmp_path / "out" / "汇总.xlsx")}


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_export_writes_tables_that_concatenate_and_a_readme(tmp_path: Path, cli) -> None:
    folder = company_folder(tmp_path / "收集")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    ran = cli("export", folder, "--out", tmp_path / "表", "--jobs", "2")
    assert ran.returncode == 2, ran.stderr  # one file unreadable, as batch would say
    assert "坏.xlsx" in ran.stderr and "[E-FILE-TRUNCATED]" in ran.stderr
    out = tmp_path / "表"
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.csv" for t in carbon_report.TABLES] + ["README.md"])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # inputs untouched, nothing beside them
    books = {r["file_name"]: r for r in read_csv(out / "workbooks.csv")}
    assert list(books) == ["云乔_2023.xlsx", "云乔_2024.xlsx", "坏.xlsx", "示例.xlsx"]
    for name, row in books.items():
        data = (folder / name).read_bytes()
        assert row["input_sha256"] == __import__("hashlib").sha256(data).hexdigest()
    assert books["云乔_2024.xlsx"]["template_version"] == "1" and books["坏.xlsx"]["status"] == "unreadable"
    assert books["云乔_2024.xlsx"]["library_version"] and books["云乔_2024.xlsx"]["gwp_version"]
    assert float(books["云乔_2024.xlsx"]["total_tco2e"]) == pytest.approx(800 * ELEC_2021 + 234)
    assert books["坏.xlsx"]["total_tco2e"] == ""
    lines = read_csv(out / "lines.csv")
    totals = read_csv(out / "totals.csv")
    for sha in {r["input_sha256"] for r in lines}:
        mine = [r for r in lines if r["input_sha256"] == sha and r["counted"] == "true"]
        stage_rows = {r["key"]: float(r["tco2e"]) for r in totals
                      if r["input_sha256"] == sha and r["dimension"] == "stage"}
        for stage, t in stage_rows.items():
            assert sum(float(r["tco2e"]) for r in mine if r["stage"] == stage) == pytest.approx(t)
        whole = [float(r["tco2e"]) for r in totals if r["input_sha256"] == sha and r["dimension"] == "total"]
        assert whole == [pytest.approx(sum(stage_rows.values()))]
    # README: every column of every table, with its unit
    readme = (out / "README.md").read_text(encoding="utf-8")
    for table in carbon_report.TABLES:
        header = (out / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        assert f"## {table}" in readme
        for column in header:
            assert f"| `{column}` |" in readme, (table, column)
    assert "tCO2e" in readme and "input_sha256" in readme

    # nothing replaced without --force; with it, replaced; xlsx: one workbook, a sheet per table
    again = cli("export", folder, "--out", out)
    assert again.returncode == 2 and "[E-OUTPUT-EXISTS]" in again.stderr
    forced = cli("export", folder / "云乔_2023.xlsx", "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert [r["file_name"] for r in read_csv(out / "workbooks.csv")] == ["云乔_2023.xlsx"]
    xl = cli("export", folder, "--out", tmp_path / "xl", "--format", "xlsx", "--recursive")
    assert xl.returncode == 2
    assert sorted(p.name for p in (tmp_path / "xl").iterdir()) == ["README.md", "tables.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "xl" / "tables.xlsx", read_only=True)
    assert book.sheetnames == ["README", *carbon_report.TABLES]
    rows = list(book["lines"].iter_rows(values_only=True))
    assert [c for c in rows[0]] == list(lines[0])
    assert len(rows) - 1 == len(lines)
    assert sum(r[rows[0].index("tco2e")] for r in rows[1:] if r[rows[0].index("counted")]) == pytest.approx(
        sum(float(r["tco2e"]) for r in lines if r["counted"] == "true"))


@pytest.mark.parametrize("sample", sorted((ROOT / "samples").glob("*.xlsx")), ids=lambda p: p.stem)
def test_the_json_and_the_tables_say_the_same(sample: Path) -> None:
    """Both are cut from one result: every total of the JSON is the tables' own row."""
    from carbon_report.outputs.tables import build_tables

    r = carbon_report.check(sample)
    j = r.to_json()
    tables = build_tables([r])
    names = tables["totals"].spec.names
    rows = [dict(zip(names, row, strict=True)) for row in tables["totals"].rows]

    def total(dimension: str, key: str) -> float:
        [t] = [x["tco2e"] for x in rows if x["dimension"] == dimension and x["key"] == key and x["stage"] is None]
        return t

    assert total("total", "total") == j["total_tco2e"]
    assert {k: total("stage", k) for k in j["stages"]} == j["stages"]
    assert {k: total("scope", k) for k in j["scopes"]} == j["scopes"]
    assert {k: total("iso_category", k) for k in j["iso14064_categories"]} == j["iso14064_categories"]
    assert {k: total("site", k) for k in j["sites"]} == j["sites"]
    [book] = tables["workbooks"].rows
    book_row = dict(zip(tables["workbooks"].spec.names, book, strict=True))
    assert (book_row["total_tco2e"], book_row["gwp_version"], book_row["library_version"]) == (
        j["total_tco2e"], j["gwp_version"], j["library_version"])
    found = [dict(zip(tables["findings"].spec.names, f, strict=True)) for f in tables["findings"].rows]
    assert [{k: f[k] for k in ("severity", "sheet", "cell", "code", "message")} for f in found] == j["issues"]

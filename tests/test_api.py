"""The Python API as a platform uses it (issue 27): carbon_report.check / process return frozen results,
a bad workbook is a status with findings, wrong usage raises the package's own exceptions, and the JSON the
CLI prints is made from the same result and matches docs/result.schema.json.

Expected figures are worked out by hand from library.csv (see tests/test_history.py and test_monthly_sites.py
for the factors): EF-ELEC-CN-AVG-2021 0.5568 tCO2/MWh (published 2024-04-12, the default for a 报告日期 of
2024-05-01), EF-STEEL-REBAR 2.340 tCO2e/t.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import subprocess
import sys
from pathlib import Path

import jsonschema
import openpyxl
import pytest

import carbon_report
from carbon_report.core.errors import CarbonReportError, SameAsInput, UsageError
from conftest import needs_soffice
from test_history import make
from test_monthly_sites import NG_FACTOR, good_rows, write_bills
from workbooks import build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
SCHEMA = json.loads((ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
ELEC_2021 = 0.5568  # tCO2/MWh, EF-ELEC-CN-AVG-2021
STEEL = 2.34  # tCO2e/t, EF-STEEL-REBAR
TODAY = dt.date(2026, 12, 7)

# Today's keys of one workbook's JSON, in order: the contract's v1 keys, then the additions (intake-contract.md).
JSON_KEYS = ["input", "status", "company", "stages", "total_tco2e", "shares", "intensity", "targets", "issues",
             "outputs", "biogenic_co2_t", "library_version", "gwp_version", "display", "scopes",
             "iso14064_categories", "sites", "uncertainty_pct", "factor_date", "history", "base_year_recalculated",
             "base_year", "products"]
STAGE_KEYS = ["raw_materials", "production", "procurement", "transport", "packaging", "recycling"]


def valid(doc: dict, ref: str = "#") -> None:
    schema = SCHEMA if ref == "#" else {**SCHEMA, "$ref": ref}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def two_rows(folder: Path, name: str = "云乔_2024.xlsx", base: int = 2024) -> Path:
    """800 MWh of electricity (2024-05-01: 0.5568 t/MWh) and 100 t of rebar; base year 2024 unless given."""
    return make(folder, 2024, dt.date(2024, 5, 1), 800, name=name, base=base)


def test_import_carbon_report_stays_light() -> None:
    code = ("import sys, carbon_report\n"
            "print(sorted(m for m in sys.modules if m.startswith('carbon_report') or m in ('openpyxl', 'pandas')))\n"
            "carbon_report.process\n"
            "print('carbon_report.api' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert out == ["['carbon_report']", "True False"]


def test_check_returns_the_figures_a_platform_needs(tmp_path: Path) -> None:
    wb = two_rows(tmp_path)
    r = carbon_report.check(wb)
    assert isinstance(r, carbon_report.WorkbookResult) and r.status == "ok" and r.ok
    elec, steel = 800 * ELEC_2021, 100 * STEEL  # 445.44 and 234.0
    assert r.total_tco2e == pytest.approx(elec + steel)
    assert r.stage("production").tco2e == pytest.approx(elec)
    assert r.stage(carbon_report.Stage.RAW_MATERIALS).tco2e == pytest.approx(steel)
    assert r.stage("production").share == pytest.approx(elec / (elec + steel))
    assert r.stage("production").share_text == f"{elec / (elec + steel) * 100:.2f}%"  # 65.56%
    assert r.stage("transport").note == "数据缺失" and r.stage("transport").tco2e == 0  # no rows: a gap
    assert [s.stage.value for s in r.stages] == STAGE_KEYS
    # the lines behind the totals: one per row and gas, each with its factor and where it came from
    elec_lines = [x for x in r.lines if x.name == "电力"]
    assert [(x.factor_code, x.gas, x.factor_value, x.factor_unit, x.unit, x.amount) for x in elec_lines] == [
        ("EF-ELEC-CN-AVG-2021", "CO2", ELEC_2021, "kgCO2/kWh", "kWh", 800_000)]
    assert elec_lines[0].amount_in_factor_unit == 800_000 and elec_lines[0].cell == "活动数据!D2"
    assert elec_lines[0].gas_tonnes == pytest.approx(800_000 * ELEC_2021 / 1000) and elec_lines[0].gwp == 1
    assert elec_lines[0].scope == 2 and elec_lines[0].iso_category == 2 and elec_lines[0].scope_key == "scope2_market"
    # scopes and ISO categories add up to the total (market-based Scope 2)
    scopes = {s.scope: s.tco2e for s in r.scopes}
    assert scopes["scope2_market"] == pytest.approx(elec) and scopes["scope3"] == pytest.approx(steel)
    assert sum(s.tco2e for s in r.scopes if s.in_total) == pytest.approx(r.total_tco2e)
    assert sum(c.tco2e for c in r.categories) == pytest.approx(r.total_tco2e)
    assert [c.category for c in r.categories] == [1, 2, 3, 4, 5, 6]
    assert r.company is not None and r.company.uscc == "91410326MA3X43L73Y" and r.company.year == 2024
    assert r.factor_date == dt.date(2024, 5, 1) and r.library_version and r.gwp_version
    assert r.sha256 == __import__("hashlib").sha256(wb.read_bytes()).hexdigest()
    assert r.outputs == {"workbook": None, "report": None}  # check writes nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == [wb.name]


def test_results_are_frozen_and_travel_between_processes(tmp_path: Path) -> None:
    r = carbon_report.check(two_rows(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.total_tco2e = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.lines[0].tco2e = 0  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again.to_json() == r.to_json()


def test_process_writes_what_the_cli_writes_and_the_json_is_the_clis(tmp_path: Path, cli) -> None:
    wb = two_rows(tmp_path)
    r = carbon_report.process(wb, out=tmp_path / "api", history=[], report=True)
    assert r.status == "ok"
    assert Path(r.outputs["workbook"]).name == "云乔_2024_计算结果.xlsx"
    assert Path(r.outputs["report"]).name == "云乔_2024_评价报告.docx" and Path(r.outputs["report"]).is_file()
    ran = cli("process", wb, "--out", tmp_path / "cli", "--json")
    assert ran.returncode == 0, ran.stderr
    printed = json.loads(ran.stdout)
    mine = r.to_json()
    for d in (printed, mine):
        d["outputs"] = {k: Path(v).name for k, v in d["outputs"].items()}
    assert mine == printed
    assert list(mine) == JSON_KEYS
    valid(mine)


def test_a_bad_workbook_is_a_status_with_findings_not_an_exception(tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    wb["活动数据"]["D2"] = "一百"
    wb.save(bad)
    r = carbon_report.process(bad, out=tmp_path / "out")
    assert r.status == "invalid" and not r.ok
    err = [f for f in r.errors if f.cell == "D2"]
    assert err and err[0].sheet == "活动数据" and err[0].code == "E-AMOUNT-NOT-NUMBER"
    assert r.total_tco2e is None and r.stages == () and r.lines == ()
    assert Path(r.outputs["workbook"]).is_file() and r.outputs["report"] is None  # 校验结果 written, no report
    j = r.to_json()
    assert j["stages"] is None and j["total_tco2e"] is None and j["display"] is None
    valid(j)

    text = tmp_path / "不是工作簿.xlsx"
    text.write_text("这是一段文字", encoding="utf-8")
    r = carbon_report.check(text)
    assert r.status == "unreadable" and [f.code for f in r.findings] == ["E-FILE-NOT-XLSX"]
    assert r.company is None and r.to_json()["company"] is None
    valid(r.to_json())
    missing = carbon_report.process(tmp_path / "没有.xlsx", out=tmp_path / "out")
    assert missing.status == "unreadable" and missing.findings[0].code == "E-FILE-NOT-FOUND"


def test_wrong_usage_raises_the_packages_own_exceptions(tmp_path: Path) -> None:
    wb = two_rows(tmp_path)
    cases = [
        lambda: carbon_report.process(wb, out=None),
        lambda: carbon_report.process(123, out=tmp_path),
        lambda: carbon_report.process(wb, out=tmp_path / "o", time_limit=-1),
        lambda: carbon_report.process(wb, out=tmp_path / "o", time_limit=float("nan")),
        lambda: carbon_report.process(wb, out=tmp_path / "o", template=tmp_path / "没有.docx"),
        lambda: carbon_report.process(wb, out=tmp_path / "o", pdf=True, report=False),
        lambda: carbon_report.check(wb, history=[3]),
        lambda: carbon_report.check(wb, recalc_threshold=150),
        lambda: carbon_report.process(wb, tmp_path / "o", reprot=False),  # a keyword misspelt
    ]
    for call in cases:
        with pytest.raises(UsageError) as e:
            call()
        assert isinstance(e.value, CarbonReportError) and e.value.code == "E-USAGE" and e.value.message
    assert not (tmp_path / "o").exists()
    # an output that would replace the input: out/<name>_计算结果.xlsx is a link to the input itself
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "云乔_2024_计算结果.xlsx").symlink_to(wb)
    before = wb.read_bytes()
    with pytest.raises(SameAsInput) as e:
        carbon_report.process(wb, out=tmp_path / "out")
    assert isinstance(e.value, CarbonReportError) and wb.read_bytes() == before


def test_history_is_one_path_or_several(tmp_path: Path) -> None:
    earlier = make(tmp_path, 2022, dt.date(2023, 3, 1), 1000)  # base year 2022: 1000 × 0.5703 + 234
    wb = two_rows(tmp_path, base=2022)
    one = carbon_report.check(wb, history=earlier)
    several = carbon_report.check(wb, history=[earlier])
    assert one.to_json() == several.to_json()
    assert [(y.year, y.source) for y in one.history] == [(2022, earlier.name)]
    assert one.history[0].reported_total == pytest.approx(1000 * 0.5703 + 234)
    assert one.base_year is not None and one.base_year.year == 2022
    j = one.to_json()
    assert j["history"][0]["total_tco2e"] == pytest.approx(1000 * 0.5703 + 234)  # the deprecated key, kept
    valid(j)


def test_sites_months_and_uncertainty_in_the_result_and_the_json(tmp_path: Path) -> None:
    write_bills(tmp_path)
    wb = build(tmp_path / "月度.xlsx", activities=good_rows(), factors=[NG_FACTOR])
    r = carbon_report.check(wb)
    assert r.status == "ok"
    sites = {s.site: s.tco2e for s in r.sites}
    assert sites["一厂"] == pytest.approx(12 * 0.5703) and sites["二厂"] == pytest.approx(5.5 * 0.5703)
    march = [x for x in r.lines if x.site == "二厂"][0]
    assert march.months is not None and march.months[2] == 0 and march.month_gaps == (3,)
    assert march.data_quality == "计算"
    gas = [x for x in r.lines if x.name == "天然气"][0]
    assert gas.uncertainty_pct == pytest.approx(41 ** 0.5)  # sqrt(5² + 4²)
    assert r.uncertainty_assessed and r.uncertainty_pct is not None
    j = r.to_json()
    assert j["sites"] == pytest.approx(sites) and j["uncertainty_pct"]["total"] == r.uncertainty_pct
    assert list(j["iso14064_categories"]) == ["1", "2", "3", "4", "5", "6"]
    assert set(j["display"]) == {"shares", "stage_notes"}
    valid(j)


def test_the_schema_file_is_the_one_the_dataclasses_give() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from build_result_schema import text
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert (ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8") == text(), \
        "run python scripts/build_result_schema.py"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["result"]["required"] == JSON_KEYS
    # a key the schema does not know fails: the JSON cannot grow without the schema
    r = carbon_report.check(SAMPLE).to_json()
    with pytest.raises(jsonschema.ValidationError):
        valid({**r, "surprise": 1})


def test_batch_json_matches_the_schema(tmp_path: Path, cli) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    two_rows(folder)
    (folder / "坏.xlsx").write_text("x", encoding="utf-8")
    ran = cli("batch", folder, "--out", tmp_path / "out", "--json", "--no-report", "--jobs", "1")
    d = json.loads(ran.stdout)
    valid(d, "#/$defs/batch")
    assert [f["status"] for f in d["files"]] == ["ok", "unreadable"]


def test_a_workbook_named_like_a_version_is_still_a_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Add-ins already installed call check('0.1.0', '0.37.8'): with no such file that is the 校验 button;
    a workbook that is there is checked."""
    calls = []
    monkeypatch.setattr("carbon_report.app.excel.run_from_excel",
                        lambda check_only, addin: calls.append((check_only, addin)))
    monkeypatch.chdir(tmp_path)
    assert carbon_report.check("0.1.0", "0.37.8") is None and calls == [(True, ("0.1.0", "0.37.8"))]
    Path("0.1.0").write_bytes(SAMPLE.read_bytes())
    r = carbon_report.check("0.1.0")
    # the API's answer for that file (not .xlsx by its name: unreadable, and said so), not the button's
    assert isinstance(r, carbon_report.WorkbookResult) and r.input == Path("0.1.0") and len(calls) == 1
    assert r.status == "unreadable" and r.findings[0].code == "E-FILE-EXTENSION"
    with pytest.raises(UsageError):
        carbon_report.check("0.1.0", "0.37.8")  # the file is there: the API's check takes one path


def test_a_time_limit_from_another_thread_is_refused_not_misfired(tmp_path: Path) -> None:
    """The limit interrupts the main thread; from a platform's worker thread it would stop the wrong work."""
    import threading

    wb = two_rows(tmp_path)
    seen: list[BaseException] = []

    def run() -> None:
        try:
            carbon_report.process(wb, out=tmp_path / "o", time_limit=60, report=False)
        except BaseException as e:  # recorded for the assertion
            seen.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert len(seen) == 1 and isinstance(seen[0], UsageError) and not (tmp_path / "o").exists()
    ok = []
    t = threading.Thread(target=lambda: ok.append(carbon_report.process(wb, out=tmp_path / "o", report=False)))
    t.start()
    t.join()
    assert ok[0].status == "ok"  # without a limit a thread is fine


def test_a_run_past_its_time_limit_is_failed_with_its_finding(tmp_path: Path) -> None:
    r = carbon_report.process(two_rows(tmp_path), out=tmp_path / "o", time_limit=1e-6)
    assert r.status == "failed" and [f.code for f in r.errors] == ["E-TIME-LIMIT"]
    assert r.total_tco2e is None and r.lines == ()
    valid(r.to_json())


def test_a_bug_surfaces_as_the_packages_exception_with_its_cause(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("carbon_report.app.pipeline.analyse", broken)
    with pytest.raises(CarbonReportError) as e:
        carbon_report.check(two_rows(tmp_path))
    assert e.value.code == "E-INTERNAL" and isinstance(e.value.__cause__, ZeroDivisionError)
    assert "ZeroDivisionError" in e.value.message


def test_an_empty_folder_is_an_empty_batch_with_its_warning(tmp_path: Path) -> None:
    (tmp_path / "空").mkdir()
    (tmp_path / "空" / "~$锁.xlsx").write_bytes(b"x")
    b = carbon_report.batch(tmp_path / "空", out=tmp_path / "out")
    assert len(b) == 0 and b.exit_code == 0 and [p.name for p in b.skipped] == ["~$锁.xlsx"]
    assert any("[W-BATCH-EMPTY]" in n for n in b.notes) and b.summary_workbook is None
    with pytest.raises(UsageError):
        carbon_report.batch(tmp_path / "没有", out=tmp_path / "out")
    with pytest.raises(UsageError):
        carbon_report.batch(tmp_path / "空", out=tmp_path / "out", jobs=0)


@needs_soffice
def test_a_batch_after_a_report_with_its_contents_page_still_runs(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform's process renders a report (its 目录 filled by the long-lived LibreOffice helper, read by a
    thread), then runs a batch: the forked workers start and finish instead of waiting for ever on the
    helper's pipe, whose reader thread held it when they forked."""
    monkeypatch.setenv("CARBON_REPORT_TOC", "1")
    one = carbon_report.process(SAMPLE, out=tmp_path / "one")
    assert one.status == "ok" and not one.notices  # the 目录 was filled
    folder = tmp_path / "in"
    folder.mkdir()
    two_rows(folder)
    b = carbon_report.batch(folder, out=tmp_path / "out", jobs=1, report=False, timeout=120)
    assert [r.status for r in b] == ["ok"], [r.findings[:1] for r in b]


def test_product_footprints_in_the_result_and_the_json(tmp_path: Path) -> None:
    """With pcf, the products' footprints (issue 28) are in the result, the JSON and its schema."""
    sample = ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx"
    r = carbon_report.process(sample, out=tmp_path, pcf=True, report=False)
    assert r.status == "ok" and r.products is not None and len(r.products) == 2
    j = r.to_json()
    assert [p["name"] for p in j["products"]] == [p.name for p in r.products]
    assert set(j["outputs"]["pcf_reports"]) == {p.name for p in r.products}
    valid(j)
    plain = carbon_report.check(SAMPLE)
    assert plain.products is None and plain.to_json()["products"] is None

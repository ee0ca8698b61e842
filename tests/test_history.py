"""Earlier years (issue 17): history workbooks computed as reported and recalculated, the base-year check
against the 5 % threshold, 历年对比, the report's statement, and the batch linking one company's years.

Every workbook is built here from the bundled sample: 企业信息 edited, 活动数据 replaced by two rows,
电力 (blank code: the grid default chosen by 报告日期) and 100 t of 钢筋 (EF-STEEL-REBAR, 2340 kgCO2e/t in
library.csv, so 234 tCO2e every year). Grid defaults, from library.csv (kgCO2/kWh = tCO2/MWh):
  published 2023-02-07 EF-ELEC-CN-ENTERPRISE-2022 0.5703
  published 2024-04-12 EF-ELEC-CN-AVG-2021        0.5568
  published 2024-12-26 EF-ELEC-CN-AVG-2022        0.5366
  published 2025-12-31 EF-ELEC-CN-AVG-2023        0.5306
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from carbon_report.app.pipeline import Options, process_file
from carbon_report.core.factors import load_library

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "河南云乔电力通讯设施有限公司_2023.xlsx"
OTHER_SAMPLE = ROOT / "samples" / "示例_华东精密机械有限公司_2024.xlsx"
OTHER_USCC = "91320506MA7HDJ2K4W"  # the second sample's code (valid check character)
STEEL = 234.0  # 100 t × 2.340 tCO2e/t


def make(folder: Path, year: int, report_date: dt.date, mwh: float, *, base: int = 2022, uscc: str | None = None,
         name: str | None = None, steel_t: float = 100) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["企业信息"]
    for row in ws.iter_rows():
        label = row[0].value
        if label == "核算年度*":
            row[1].value = year
        elif label == "基准年":
            row[1].value = base
        elif label == "报告日期":
            row[1].value = dt.datetime.combine(report_date, dt.time())
        elif label == "统一社会信用代码*" and uscc:
            row[1].value = uscc
    acts = wb["活动数据"]
    acts.delete_rows(2, acts.max_row)
    acts.append(["生产", "能源", "电力", mwh * 1000, "kWh", None, "市政供电"])
    acts.append(["原材料获取", "原材料", "钢筋", steel_t, "t", "EF-STEEL-REBAR", "实际数据"])
    path = folder / (name or f"云乔_{year}.xlsx")
    wb.save(path)
    return path


def three_years(folder: Path, dates: tuple[dt.date, dt.date, dt.date]) -> tuple[Path, Path, Path]:
    return (make(folder, 2022, dates[0], 1000), make(folder, 2023, dates[1], 900), make(folder, 2024, dates[2], 800))


def codes(data: dict) -> list[str]:
    return [i["code"] for i in data["issues"]]


def report_text(path: str) -> str:
    return "\n".join(p.text for p in Document(path).paragraphs)


def edition_with_grid_2022(value: float):
    """The library as another edition would have it: the 2022 national grid average corrected to `value`."""
    lib = load_library()
    code = "EF-ELEC-CN-AVG-2022"
    fixed = tuple(dataclasses.replace(f, value=value) for f in lib.factors[code])
    return dataclasses.replace(lib, version="2027.1-test", factors={**lib.factors, code: fixed})


def test_dated_defaults_keep_each_years_own_data_year(tmp_path: Path, cli) -> None:
    """A grid factor of a newer data year is a real change, not a recalculation trigger (issue 25): each
    earlier year keeps the grid factor of its own data year from the installed edition."""
    y22, y23, y24 = three_years(tmp_path, (dt.date(2023, 6, 30), dt.date(2024, 7, 20), dt.date(2026, 3, 1)))
    ran = cli("process", y24, "--out", tmp_path / "out", "--history", y22, y23, "--json")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    # 2024: 800 MWh × 0.5306 (AVG-2023, the newest on 2026-03-01) + 234 = 658.48
    assert d["total_tco2e"] == pytest.approx(658.48)
    h = d["history"]
    assert [x["year"] for x in h] == [2022, 2023]
    # 2022 as reported: 1000 × 0.5703 (ENTERPRISE-2022, data year 2022) + 234 = 804.3. This year's 0.5306 is
    # of data year 2023: the 2022 line keeps its own data year's factor, so recalculated = as reported.
    assert h[0]["as_reported"]["total_tco2e"] == pytest.approx(804.3)
    assert h[0]["recalculated"]["total_tco2e"] == pytest.approx(804.3)
    assert h[0]["reasons"] == []
    assert h[0]["as_reported"]["stages"]["production"] == pytest.approx(570.3)
    assert h[0]["total_tco2e"] == pytest.approx(804.3) and h[0]["recalculated_tco2e"] == pytest.approx(804.3)
    assert h[0]["source"] == "云乔_2022.xlsx"
    # 2023 as reported on 2024-07-20: 900 × 0.5568 (AVG-2021, data year 2021) + 234 = 735.12. Its own data
    # year's factor exists in the edition (AVG-2023, 0.5306): recalculated 900 × 0.5306 + 234 = 711.54, a
    # change of factor choice with effect 900 × (0.5306 − 0.5568) = −23.58
    assert h[1]["as_reported"]["total_tco2e"] == pytest.approx(735.12)
    assert h[1]["recalculated"]["total_tco2e"] == pytest.approx(711.54)
    assert [(r["kind"], r["effect_tco2e"]) for r in h[1]["reasons"]] == [("methodology", pytest.approx(-23.58))]
    assert "0.5568" in h[1]["reasons"][0]["description"] and "0.5306" in h[1]["reasons"][0]["description"]
    assert "EF-ELEC" not in h[1]["reasons"][0]["description"]
    assert d["base_year"]["difference_pct"] == 0 and d["base_year"]["cumulative_pct"] == 0
    assert d["base_year_recalculated"] is False
    total_2025 = next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] is None)
    assert total_2025["base_tco2e"] == pytest.approx(804.3)
    assert total_2025["target_tco2e"] == pytest.approx(804.3 * 0.92)
    assert "W-BASE-YEAR-RECALCULATED" not in codes(d)

    # 历年对比: years × stages on the recalculated basis, both totals, change against the year before
    wb = openpyxl.load_workbook(d["outputs"]["workbook"], data_only=True)
    ws = wb["历年对比"]
    rows = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in rows] == [2022, 2023, 2024]
    assert rows[0][3] == pytest.approx(570.3)  # 生产 2022, recalculated = own data year
    assert rows[0][8] == pytest.approx(804.3) and rows[0][9] == pytest.approx(804.3)
    assert rows[0][10] == "/"
    assert rows[1][10] == pytest.approx((711.54 - 804.3) / 804.3)
    assert rows[2][10] == pytest.approx((658.48 - 711.54) / 711.54)
    assert rows[2][1] == "本年度"
    # intensity: the sample's one product, 4670 根: 658.48 / 4670
    assert rows[2][11] == pytest.approx(658.48 / 4670)
    notes = [r[0] for r in ws.iter_rows(values_only=True) if isinstance(r[0], str) and r[0].startswith("注")]
    assert any("2022 年重算所用因子" in n and "自身数据年份（2022 年）" in n for n in notes)
    assert any("2023 年重算的变化原因" in n and "-23.58 tCO2e" in n for n in notes)

    text = report_text(d["outputs"]["report"])
    assert "原报告排放量 804.30 tCO2e" in text and "重算为 804.30 tCO2e" in text
    assert "两年之间没有结构变化或方法变化" in text
    assert "差异低于阈值，基准年未重新计算" in text
    assert "基准年已重新计算" not in text
    assert "历年碳排放对比" in text


@pytest.mark.parametrize(("grid", "recalculated_total", "pct", "recalculated"), [
    (0.48, 480 + STEEL, (714.0 - 770.6) / 770.6 * 100, True),   # −7.34 %: at or above 5 %
    (0.51, 510 + STEEL, (744.0 - 770.6) / 770.6 * 100, False),  # −3.45 %: below
])
def test_library_edition_changes_the_base_year_grid_factor(tmp_path: Path, grid: float, recalculated_total: float,
                                                         pct: float, recalculated: bool) -> None:
    """Every 报告日期 in 2025 picks EF-ELEC-CN-AVG-2022; the earlier reports used the bundled edition
    (0.5366), this run an edition that corrected it to `grid`."""
    day = dt.date(2025, 6, 30)
    y22, y23, y24 = three_years(tmp_path, (day, day, day))
    options = Options(history=(y22, y23), library=edition_with_grid_2022(grid), history_library=load_library())
    outcome = process_file(y24, tmp_path / "out", options)
    d = outcome.to_json()
    assert d["status"] == "ok"
    b = d["base_year"]
    assert b["reported_tco2e"] == pytest.approx(1000 * 0.5366 + STEEL)  # 770.6
    assert b["recalculated_tco2e"] == pytest.approx(recalculated_total)
    assert b["difference_pct"] == pytest.approx(pct)
    assert d["base_year_recalculated"] is recalculated
    assert d["total_tco2e"] == pytest.approx(800 * grid + STEEL)
    total_2025 = next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] is None)
    production_2025 = next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] == "production")
    base = recalculated_total if recalculated else 770.6
    assert total_2025["base_tco2e"] == pytest.approx(base)
    assert total_2025["target_tco2e"] == pytest.approx(base * 0.92)
    assert production_2025["base_tco2e"] == pytest.approx(1000 * (grid if recalculated else 0.5366))
    assert b["cumulative_pct"] == pytest.approx(abs(pct))  # one change: cumulative = |difference|
    reason = d["history"][0]["reasons"][0]
    assert reason["kind"] == "methodology"
    assert reason["effect_tco2e"] == pytest.approx(1000 * (grid - 0.5366))
    # client wording: the factor by name, both values to four significant digits with the unit once (the same
    # factor), its edition year, and that the library's edition moved; never a code or a file
    effect = 1000 * (grid - 0.5366)
    assert reason["description"] == (
        f"2022 年排放量按本年度因子重算：生产“电力”的全国电力平均二氧化碳排放因子由 0.5366 调整为 {grid:.4f} "
        f"kgCO2/kWh（2022 年版，排放因子库由 {load_library().version} 版更新为 2027.1-test 版），影响 {effect:+.2f} tCO2e")
    text = report_text(d["outputs"]["report"])
    assert (f"{abs(pct):.2f}%" in text)
    if recalculated:
        assert "W-BASE-YEAR-RECALCULATED" in codes(d)
        assert "基准年已重新计算" in text and "2027.1-test 版" in text
    else:
        assert "W-BASE-YEAR-RECALCULATED" not in codes(d)
        assert "基准年已重新计算" not in text


def test_threshold_is_configurable(tmp_path: Path, cli) -> None:
    """Base year 2023: its one change (AVG-2021 → its own data year's AVG-2023) moves 900 × 0.0262 = 23.58 t,
    23.58 / 735.12 = 3.2077 % of the reported base year: below the default 5 %, at or above 3 %."""
    y23 = make(tmp_path, 2023, dt.date(2024, 7, 20), 900, base=2023)
    y24 = make(tmp_path, 2024, dt.date(2026, 3, 1), 800, base=2023)
    ran = cli("process", y24, "--out", tmp_path / "out", "--history", y23, "--recalc-threshold", "3",
              "--json", "--no-report")
    d = json.loads(ran.stdout)
    assert d["base_year"]["cumulative_pct"] == pytest.approx(23.58 / 735.12 * 100)
    assert d["base_year_recalculated"] is True
    assert next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] is None)["base_tco2e"] == \
        pytest.approx(711.54)
    d = json.loads(cli("process", y24, "--out", tmp_path / "o1", "--history", y23, "--json", "--no-report").stdout)
    assert d["base_year_recalculated"] is False
    assert next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] is None)["base_tco2e"] == \
        pytest.approx(735.12)
    assert cli("process", y24, "--out", tmp_path / "o2", "--recalc-threshold", "-1").returncode == 2


def test_another_company_same_year_unreadable_and_invalid_history_are_refused(tmp_path: Path, cli) -> None:
    y24 = make(tmp_path, 2024, dt.date(2026, 3, 1), 800, base=2024)
    other = make(tmp_path, 2022, dt.date(2023, 6, 30), 1000, uscc=OTHER_USCC, name="别家_2022.xlsx")
    same_year = make(tmp_path, 2024, dt.date(2026, 3, 1), 700, base=2024, name="云乔_2024_副本.xlsx")
    broken = tmp_path / "坏文件.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    invalid = make(tmp_path, 2023, dt.date(2024, 7, 20), 900, base=2023, name="云乔_2023_有错.xlsx", steel_t=-5)
    ran = cli("process", y24, "--out", tmp_path / "out", "--history", other, same_year, broken, invalid,
              "--json", "--no-report")
    assert ran.returncode == 0, ran.stderr
    d = json.loads(ran.stdout)
    assert d["status"] == "ok" and d["total_tco2e"] == pytest.approx(800 * 0.5306 + STEEL)
    assert d["history"] == []
    found = codes(d)
    for code in ("W-HISTORY-COMPANY", "W-HISTORY-YEAR", "W-HISTORY-UNREADABLE", "W-HISTORY-INVALID"):
        assert code in found
    company_line = next(line for line in ran.stderr.splitlines() if "W-HISTORY-COMPANY" in line)
    assert "别家_2022.xlsx" in company_line and OTHER_USCC in company_line


def test_a_folder_and_a_computed_workbook_are_history_too(tmp_path: Path, cli) -> None:
    """A _计算结果.xlsx holds the input sheets untouched, so it reads as the intake it was made from."""
    y22, y23, y24 = three_years(tmp_path, (dt.date(2023, 6, 30), dt.date(2024, 7, 20), dt.date(2026, 3, 1)))
    assert cli("process", y22, "--out", tmp_path / "computed", "--no-report").returncode == 0
    computed = tmp_path / "computed" / "云乔_2022_计算结果.xlsx"
    d = json.loads(cli("process", y24, "--out", tmp_path / "o1", "--history", computed, "--json", "--no-report").stdout)
    assert d["history"][0]["total_tco2e"] == pytest.approx(804.3)
    assert d["history"][0]["source"] == "云乔_2022_计算结果.xlsx"
    # the folder holds 2022, 2023 and the current 2024 itself, which is skipped
    d = json.loads(cli("process", y24, "--out", tmp_path / "o2", "--history", tmp_path, "--json", "--no-report").stdout)
    assert [(x["year"], x["recalculated"]["total_tco2e"]) for x in d["history"]] == [
        (2022, pytest.approx(804.3)), (2023, pytest.approx(711.54))]


def test_history_rows_remain_for_years_without_a_workbook(tmp_path: Path, cli) -> None:
    y24 = make(tmp_path, 2024, dt.date(2026, 3, 1), 800, base=2024)
    wb = openpyxl.load_workbook(y24)
    wb["历史排放"].append([2021, None, 900.5])
    wb.save(y24)
    d = json.loads(cli("process", y24, "--out", tmp_path / "out", "--json", "--no-report").stdout)
    assert d["history"] == [{"year": 2021, "source": "历史排放",
                             "as_reported": {"total_tco2e": 900.5, "stages": None}, "recalculated": None,
                             "reasons": [],
                             "total_tco2e": 900.5, "recalculated_tco2e": None, "stages": None}]


def test_batch_links_each_companys_years(tmp_path: Path, cli) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    three_years(folder, (dt.date(2023, 6, 30), dt.date(2024, 7, 20), dt.date(2026, 3, 1)))
    for year in (2022, 2023, 2024):
        wb = openpyxl.load_workbook(OTHER_SAMPLE)
        for row in wb["企业信息"].iter_rows():
            if row[0].value in ("核算年度*", "基准年"):
                row[1].value = year
        wb.save(folder / f"华东_{year}.xlsx")
    ran = cli("batch", folder, "--out", tmp_path / "out", "--json", "--no-report", "--jobs", "1")
    assert ran.returncode == 0, ran.stderr
    files = {Path(f["input"]).name: f for f in json.loads(ran.stdout)["files"]}
    for prefix in ("云乔", "华东"):
        assert files[f"{prefix}_2022.xlsx"]["history"] == []
        assert [h["source"] for h in files[f"{prefix}_2023.xlsx"]["history"]] == [f"{prefix}_2022.xlsx"]
        assert [h["source"] for h in files[f"{prefix}_2024.xlsx"]["history"]] == [f"{prefix}_2022.xlsx",
                                                                                 f"{prefix}_2023.xlsx"]
    assert files["云乔_2024.xlsx"]["history"][0]["recalculated"]["total_tco2e"] == pytest.approx(804.3)
    wb = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    trend = [r for r in wb["历年趋势"].iter_rows(min_row=2, values_only=True)]
    yunqiao = [r for r in trend if r[1] == "91410326MA3X43L73Y"]
    assert [r[2] for r in yunqiao] == [2022, 2023, 2024]
    assert [r[4] for r in yunqiao] == pytest.approx([804.3, 735.12, 658.48])  # each year as reported
    # recalculated: 2022 keeps its own data year's grid factor; 2023 takes its own (AVG-2023) over AVG-2021
    assert [r[5] for r in yunqiao] == pytest.approx([804.3, 711.54, 658.48])
    assert len([r for r in trend if r[1] == OTHER_USCC]) == 3


def test_a_source_excluded_this_year_is_named_as_a_boundary_change(tmp_path: Path, cli) -> None:
    y22 = make(tmp_path, 2022, dt.date(2023, 6, 30), 1000)
    y24 = make(tmp_path, 2024, dt.date(2026, 3, 1), 800)
    wb = openpyxl.load_workbook(y24)
    ws = wb["活动数据"]
    ws["D3"] = "不适用"
    ws["H3"] = "钢筋改由客户供料，不在本厂边界内"
    wb.save(y24)
    d = json.loads(cli("process", y24, "--out", tmp_path / "out", "--history", y22, "--json", "--no-report").stdout)
    assert d["total_tco2e"] == pytest.approx(800 * 0.5306)
    reason = d["history"][0]["reasons"][0]
    assert reason["kind"] == "structural" and reason["effect_tco2e"] == pytest.approx(-STEEL)
    assert reason["description"] == ("2022 年排放量按本年度边界重算：原材料获取“钢筋”本年度为“不适用”（不在核算边界内），"
                                     "扣除其在 2022 年原报告中的 234.00 tCO2e，影响 -234.00 tCO2e")
    # 1000 × 0.5703 + 0 (steel removed from the recalculation): the removal is 234 / 804.3 = 29 % ≥ 5 %
    assert d["base_year_recalculated"] is True
    assert d["base_year"]["recalculated_tco2e"] == pytest.approx(570.3)


def test_a_history_row_of_a_year_with_a_workbook_is_said_to_be_unused(tmp_path: Path, cli) -> None:
    y22 = make(tmp_path, 2022, dt.date(2023, 3, 1), 1000)
    y24 = make(tmp_path, 2024, dt.date(2025, 3, 1), 800, base=2024)
    wb = openpyxl.load_workbook(y24)
    ws = wb["历史排放"]
    ws.append([2022, None, 999.0])  # the same year as 云乔_2022.xlsx
    row = ws.max_row
    wb.save(y24)
    p = cli("process", y24, "--history", y22, "--out", tmp_path / "out", "--json", "--no-report")
    d = json.loads(p.stdout)
    assert [h["source"] for h in d["history"] if h["year"] == 2022] == ["云乔_2022.xlsx"]
    issue = next(i for i in d["issues"] if i["code"] == "W-HISTORY-ROW-SUPERSEDED")
    assert (issue["sheet"], issue["cell"]) == ("历史排放", f"A{row}")
    assert "云乔_2022.xlsx" in issue["message"] and "2022" in issue["message"]

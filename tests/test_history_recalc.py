"""Base-year recalculation by the GHG Protocol's triggers (issue 25), every answer worked out by hand here.

Each case is two workbooks built from scratch: the base year 2022 (as the history workbook) and 2024, both
dated 2025-06-30 and with factors of their own in 排放因子 (tCO2e per t, GWP 1) so the arithmetic is exact:
  T-TWO 2, T-TWO-HALF 2.5, T-ONE 1 tCO2e/t; T-N2O 0.001 tN2O/t; T-AL 3 tCO2e/t.
Targets: 8 % by 2025 against the base year (the targets use the recalculated base year at or above the 5 %
threshold, the as-reported one below it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from carbon_report.app.pipeline import Options, check_file
from carbon_report.core import contract, units
from workbooks import SEED_COMPANY, build

DAY = dt.date(2025, 6, 30)
FACTORS = [
    ["T-TWO", "钢材（供应商 A）", "CO2e", 2, "tCO2e/t", "供应商声明"],
    ["T-TWO-HALF", "钢材（行业平均）", "CO2e", 2.5, "tCO2e/t", "行业数据库"],
    ["T-ONE", "水泥（供应商）", "CO2e", 1, "tCO2e/t", "供应商声明"],
    ["T-N2O", "工艺 N2O", "N2O", 0.001, "tN2O/t", "工艺计算"],
    ["T-AL", "铝板", "CO2e", 3, "tCO2e/t", "供应商声明"],
]


def row(stage: str, name: str, amount: Any, unit: str, code: str, *, site: str | None = None,
        recalc_only: str | None = None) -> list[Any]:
    """A 活动数据 row in the contract's column order (by key, so new optional columns do not shift it)."""
    cells = {"stage": stage, "type": "原材料", "name": name, "amount": amount, "unit": unit, "factor_code": code,
             "source": "台账", "site": site, "recalc_only": recalc_only}
    return [cells.get(c.key) for c in contract.ACTIVITIES.columns]


def product(name: str, output: float, unit: str, *, base_output: float | None = None) -> list[Any]:
    cells = {"name": name, "output": output, "unit": unit, "for_intensity": "是", "base_output": base_output}
    return [cells.get(c.key) for c in contract.PRODUCTS.columns]


def workbook(folder: Path, year: int, rows: list[list[Any]], *, gwp: str = "AR6", products=None) -> Path:
    company = {**SEED_COMPANY, "核算年度": year, "基准年": 2022, "报告日期": DAY, "GWP版本": gwp}
    return build(folder / f"企业_{year}.xlsx", company=company, activities=rows, factors=FACTORS,
                 targets=[[2025, 8, None, None]], products=products)


def run(folder: Path, base_rows: list[list[Any]], rows: list[list[Any]], *, base_gwp: str = "AR6",
        gwp: str = "AR6", products=None, base_products=None) -> dict[str, Any]:
    base = workbook(folder, 2022, base_rows, gwp=base_gwp, products=base_products)
    current = workbook(folder, 2024, rows, gwp=gwp, products=products)
    out = check_file(current, today=DAY, options=Options(history=(base,))).to_json()
    assert out["status"] == "ok", out["issues"]
    return out


def total_target(d: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in d["targets"] if t["year"] == 2025 and t["stage"] is None and t["kind"] == "total")


def reasons(d: dict[str, Any]) -> list[tuple[str, float]]:
    return [(r["kind"], r["effect_tco2e"]) for r in d["history"][0]["reasons"]]


def codes(d: dict[str, Any]) -> list[str]:
    return [i["code"] for i in d["issues"]]


def test_a_factor_change_is_a_methodology_change(tmp_path: Path) -> None:
    # 2022: 钢材 100 t × 2 = 200, 水泥 600 t × 1 = 600 → 800 as reported
    # 2024: 钢材 at 2.5 (another factor for the same source): 2022 recalculated 100 × 2.5 + 600 = 850
    base = [row("原材料获取", "钢材", 100, "t", "T-TWO"), row("原材料获取", "水泥", 600, "t", "T-ONE")]
    now = [row("原材料获取", "钢材", 90, "t", "T-TWO-HALF"), row("原材料获取", "水泥", 650, "t", "T-ONE")]
    d = run(tmp_path, base, now)
    assert d["total_tco2e"] == pytest.approx(90 * 2.5 + 650)
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(800)
    assert h["recalculated"]["total_tco2e"] == pytest.approx(850)
    assert h["recalculated"]["stages"]["raw_materials"] == pytest.approx(850)
    assert reasons(d) == [("methodology", pytest.approx(50))]
    text = h["reasons"][0]["description"]
    # another of the client's own factors for the same source: a factor change, both named with their values
    # to four significant digits (2 → 2.000), the year first, the effect 100 t × (2.5 − 2) = +50
    assert text == ("2022 年排放量按本年度因子重算：原材料获取“钢材”的排放因子由“钢材（供应商 A）”2.000 tCO2e/t"
                    "（企业提供）调整为“钢材（行业平均）”2.500 tCO2e/t（企业提供），影响 +50.00 tCO2e")
    # 50 / 800 = 6.25 % ≥ 5 %: the targets use 850; 2025 = 850 × 0.92 = 782
    assert d["base_year"]["cumulative_pct"] == pytest.approx(6.25)
    assert d["base_year_recalculated"] is True
    assert total_target(d)["base_tco2e"] == pytest.approx(850)
    assert total_target(d)["target_tco2e"] == pytest.approx(782)
    assert "W-BASE-YEAR-RECALCULATED" in codes(d)


def test_a_gwp_change_is_a_methodology_change(tmp_path: Path) -> None:
    # 2022 in AR5: 1000 t × 0.001 tN2O/t = 1 t N2O × 265 = 265, + 水泥 535 → 800 as reported
    # 2024 in AR6 (N2O 273): recalculated 273 + 535 = 808; effect +8, 8 / 800 = 1 % (below 5 %)
    base = [row("生产", "工艺排放", 1000, "t", "T-N2O"), row("原材料获取", "水泥", 535, "t", "T-ONE")]
    d = run(tmp_path, base, base, base_gwp="AR5", gwp="AR6")
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(800)
    assert h["recalculated"]["total_tco2e"] == pytest.approx(808)
    assert reasons(d) == [("methodology", pytest.approx(8))]
    assert h["reasons"][0]["description"] == (
        "2022 年排放量按本年度方法重算：全球增温潜势（GWP）由 IPCC 第五次评估报告（AR5）的取值改为本年度采用的 "
        "IPCC 第六次评估报告（AR6）的取值，影响 +8.00 tCO2e")
    assert d["base_year"]["cumulative_pct"] == pytest.approx(1.0)
    assert d["base_year_recalculated"] is False
    assert total_target(d)["base_tco2e"] == pytest.approx(800)
    assert total_target(d)["target_tco2e"] == pytest.approx(736)


def test_a_source_added_with_base_year_data_counts_in_the_recalculation_only(tmp_path: Path) -> None:
    # 2024 adds 铝板 at 二厂. The 2022 workbook gives its 2022 amount, 20 t, on a 仅用于重算 row: not in
    # 2022's as-reported 800, but in its recalculation at 2024's factor: 20 × 3 = 60 → 860 (7.5 %)
    base = [row("原材料获取", "水泥", 800, "t", "T-ONE", site="一厂"),
            row("原材料获取", "铝板", 20, "t", "T-AL", site="二厂", recalc_only="是")]
    now = [row("原材料获取", "水泥", 800, "t", "T-ONE", site="一厂"), row("原材料获取", "铝板", 25, "t", "T-AL", site="二厂")]
    d = run(tmp_path, base, now)
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(800)
    assert h["recalculated"]["total_tco2e"] == pytest.approx(860)
    assert reasons(d) == [("structural", pytest.approx(60))]
    assert "补充提供的 2022 年数量 20 t" in h["reasons"][0]["description"] and "二厂" in h["reasons"][0]["description"]
    assert d["base_year_recalculated"] is True
    assert total_target(d)["base_tco2e"] == pytest.approx(860)
    assert total_target(d)["target_tco2e"] == pytest.approx(860 * 0.92)
    assert "W-BASE-YEAR-SOURCE-MISSING" not in codes(d)


def test_a_source_added_without_base_year_data_is_named_on_its_row(tmp_path: Path) -> None:
    # The same 2024 without the 仅用于重算 row: 2022 stays 800, the reason says 0 and what to fill
    base = [row("原材料获取", "水泥", 800, "t", "T-ONE")]
    now = [row("原材料获取", "水泥", 800, "t", "T-ONE"), row("原材料获取", "铝板", 25, "t", "T-AL")]
    d = run(tmp_path, base, now)
    h = d["history"][0]
    assert h["recalculated"]["total_tco2e"] == pytest.approx(800)
    assert reasons(d) == [("structural", 0.0)]
    issue = next(i for i in d["issues"] if i["code"] == "W-BASE-YEAR-SOURCE-MISSING")
    assert (issue["sheet"], issue["cell"]) == ("活动数据", "D3")  # 铝板's amount, data row 2
    assert "铝板" in issue["message"] and "仅用于重算" in issue["message"] and "2022" in issue["message"]
    assert d["base_year_recalculated"] is False
    assert total_target(d)["base_tco2e"] == pytest.approx(800)


def test_a_site_removed_leaves_the_recalculated_base_year(tmp_path: Path) -> None:
    # 2022: 一厂 水泥 700 t and 二厂 水泥 100 t → 800; 2024 has no 二厂: recalculated 700 (−100, 12.5 %)
    base = [row("原材料获取", "水泥", 700, "t", "T-ONE", site="一厂"), row("原材料获取", "水泥", 100, "t", "T-ONE", site="二厂")]
    now = [row("原材料获取", "水泥", 720, "t", "T-ONE", site="一厂")]
    d = run(tmp_path, base, now)
    h = d["history"][0]
    assert h["recalculated"]["total_tco2e"] == pytest.approx(700)
    assert reasons(d) == [("structural", pytest.approx(-100))]
    assert "场所“二厂”不在本年度边界内" in h["reasons"][0]["description"]
    assert d["base_year"]["cumulative_pct"] == pytest.approx(12.5)
    assert total_target(d)["base_tco2e"] == pytest.approx(700)
    assert total_target(d)["target_tco2e"] == pytest.approx(644)


@pytest.mark.parametrize(("steel_t", "cumulative", "recalculated"), [
    (78, 39 / 796 * 100, False),   # 78 × 0.5 = 39 against 78 × 2 + 640 = 796: 4.90 %, below
    (80, 5.0, True),               # 80 × 0.5 = 40 against 160 + 640 = 800: exactly 5 %, at (recalculates)
    (82, 41 / 804 * 100, True),    # 41 against 804: 5.10 %, above
])
def test_the_threshold_is_cumulative_and_at_or_above_recalculates(tmp_path: Path, steel_t: float, cumulative: float,
                                                                  recalculated: bool) -> None:
    base = [row("原材料获取", "钢材", steel_t, "t", "T-TWO"), row("原材料获取", "水泥", 640, "t", "T-ONE")]
    now = [row("原材料获取", "钢材", steel_t, "t", "T-TWO-HALF"), row("原材料获取", "水泥", 640, "t", "T-ONE")]
    d = run(tmp_path, base, now)
    reported, recalc = steel_t * 2 + 640, steel_t * 2.5 + 640
    assert d["base_year"]["cumulative_pct"] == pytest.approx(cumulative)
    assert d["base_year_recalculated"] is recalculated
    assert total_target(d)["base_tco2e"] == pytest.approx(recalc if recalculated else reported)
    assert ("W-BASE-YEAR-RECALCULATED" in codes(d)) is recalculated


def test_cumulative_significance_adds_absolute_effects_that_cancel(tmp_path: Path) -> None:
    # 钢材 +40 (80 t, 2 → 2.5) and a removed 水泥 site −40: net 0, cumulative 80 / 800 = 10 %
    base = [row("原材料获取", "钢材", 80, "t", "T-TWO", site="一厂"), row("原材料获取", "水泥", 600, "t", "T-ONE", site="一厂"),
            row("原材料获取", "水泥", 40, "t", "T-ONE", site="二厂")]
    now = [row("原材料获取", "钢材", 80, "t", "T-TWO-HALF", site="一厂"), row("原材料获取", "水泥", 600, "t", "T-ONE", site="一厂")]
    d = run(tmp_path, base, now)
    assert sorted(e for _, e in reasons(d)) == pytest.approx([-40, 40])
    assert d["base_year"]["difference_pct"] == pytest.approx(0)
    assert d["base_year"]["cumulative_pct"] == pytest.approx(10)
    assert d["base_year_recalculated"] is True
    h = d["history"][0]
    # the effects add up to recalculated − as reported
    assert sum(r["effect_tco2e"] for r in h["reasons"]) == pytest.approx(
        h["recalculated"]["total_tco2e"] - h["as_reported"]["total_tco2e"])


def test_a_unit_change_within_a_family_is_the_same_source_across_families_another(tmp_path: Path) -> None:
    # 水泥 in kg in 2022 (800 000 kg = 800 t) and in t in 2024: the same source, no reason.
    # 钢材 in t in 2022 and in m3 in 2024 (no density): another source, removed and added.
    base = [row("原材料获取", "水泥", 800000, "kg", "T-ONE"), row("原材料获取", "钢材", 50, "t", "T-TWO")]
    factors_m3 = [["T-M3", "钢材（体积）", "CO2e", 10, "tCO2e/m3", "供应商声明"]]
    now = [row("原材料获取", "水泥", 800, "t", "T-ONE"), row("原材料获取", "钢材", 7, "m3", "T-M3")]
    FACTORS.extend(factors_m3)
    try:
        d = run(tmp_path, base, now)
    finally:
        FACTORS.remove(factors_m3[0])
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(900)
    assert sorted(reasons(d)) == [("structural", pytest.approx(-100)), ("structural", 0.0)]
    assert h["recalculated"]["total_tco2e"] == pytest.approx(800)
    assert "W-BASE-YEAR-SOURCE-MISSING" in codes(d)


def test_names_fold_whitespace_and_full_width_forms(tmp_path: Path) -> None:
    base = [row("原材料获取", "Ｃ３０ 混凝土", 800, "t", "T-ONE")]
    now = [row("原材料获取", "C30混凝土", 800, "t", "T-ONE")]
    d = run(tmp_path, base, now)
    assert reasons(d) == []
    assert "W-BASE-YEAR-SOURCE-MISSING" not in codes(d)


def test_mass_to_volume_with_a_density_divides_and_volume_to_mass_multiplies() -> None:
    # 0.83 t of diesel at 0.83 t/m³ is 1 m³ = 1000 L; 1000 L back at the same density is 0.83 t
    litres, note = units.convert(0.83, "t", "L", 0.83)
    assert litres == pytest.approx(1000) and "0.83" in note
    tonnes, _ = units.convert(1000, "L", "t", 0.83)
    assert tonnes == pytest.approx(0.83)
    # 1.66 t → 2 m³ (not 1.66 × 0.83 = 1.3778)
    assert units.convert(1.66, "t", "m3", 0.83)[0] == pytest.approx(2)


INTENSITY = [[2025, 10, None, "强度"]]


def test_intensity_target_with_history_uses_the_base_years_output(tmp_path: Path) -> None:
    # base 2022: 800 t as reported (no change), 400 件 in its 产品产量 → 2 tCO2e/件; 10 % → 1.8 by 2025
    rows = [row("原材料获取", "水泥", 800, "t", "T-ONE")]
    base = build(tmp_path / "企业_2022.xlsx", company={**SEED_COMPANY, "核算年度": 2022, "基准年": 2022, "报告日期": DAY},
                 activities=rows, factors=FACTORS, targets=[], products=[product("构件", 400, "件")])
    now = build(tmp_path / "企业_2024.xlsx", company={**SEED_COMPANY, "核算年度": 2024, "基准年": 2022, "报告日期": DAY},
                activities=rows, factors=FACTORS, targets=INTENSITY, products=[product("构件", 500, "件")])
    d = check_file(now, today=DAY, options=Options(history=(base,))).to_json()
    assert d["status"] == "ok", d["issues"]
    t = next(t for t in d["targets"] if t["kind"] == "intensity")
    assert (t["product"], t["unit"], t["year"]) == ("构件", "件", 2025)
    assert t["target_tco2e_per_unit"] == pytest.approx(1.8)
    assert "W-TARGET-INTENSITY-BASE" not in codes(d)


def test_intensity_target_with_a_base_year_output_column(tmp_path: Path) -> None:
    # no history workbook: 历史排放 gives 2022 = 800 t, 产品产量's 基准年产量 320 件 → 2.5 tCO2e/件 → 2.25
    rows = [row("原材料获取", "水泥", 800, "t", "T-ONE")]
    now = build(tmp_path / "企业_2024.xlsx", company={**SEED_COMPANY, "核算年度": 2024, "基准年": 2022, "报告日期": DAY},
                activities=rows, factors=FACTORS, targets=INTENSITY, history=[[2022, None, 800]],
                products=[product("构件", 500, "件", base_output=320)])
    d = check_file(now, today=DAY).to_json()
    assert d["status"] == "ok", d["issues"]
    t = next(t for t in d["targets"] if t["kind"] == "intensity")
    assert t["target_tco2e_per_unit"] == pytest.approx(2.25)


def test_intensity_target_without_a_base_year_output_is_named(tmp_path: Path) -> None:
    rows = [row("原材料获取", "水泥", 800, "t", "T-ONE")]
    now = build(tmp_path / "企业_2024.xlsx", company={**SEED_COMPANY, "核算年度": 2024, "基准年": 2022, "报告日期": DAY},
                activities=rows, factors=FACTORS, targets=INTENSITY, history=[[2022, None, 800]],
                products=[product("构件", 500, "件")])
    d = check_file(now, today=DAY).to_json()
    assert d["status"] == "ok", d["issues"]
    assert not [t for t in d["targets"] if t["kind"] == "intensity"]
    issue = next(i for i in d["issues"] if i["code"] == "W-TARGET-INTENSITY-BASE")
    assert "基准年产量" in issue["message"] and "构件" in issue["message"]


# ---- a history year keeps its own data year (sample-based workbooks of test_history.make: 电力 by name,
# 100 t of 钢筋 at EF-STEEL-REBAR = 234 t every year) ------------------------------------------------------


def test_a_history_year_never_takes_an_older_data_year(tmp_path: Path) -> None:
    """The issue's case: 2022 reported with EF-ELEC-CN-ENTERPRISE-2022 (0.5703, data year 2022). This year
    (2024, dated 2024-07-20) takes EF-ELEC-CN-AVG-2021 (0.5568, data year 2021, the newest published then).
    2022 keeps 0.5703: the factor of its own data year, not the older 2021."""
    from test_history import make

    y22 = make(tmp_path, 2022, dt.date(2023, 6, 30), 1000)
    y24 = make(tmp_path, 2024, dt.date(2024, 7, 20), 800)
    d = check_file(y24, options=Options(history=(y22,))).to_json()
    assert d["status"] == "ok", d["issues"]
    assert d["total_tco2e"] == pytest.approx(800 * 0.5568 + 234)
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(1000 * 0.5703 + 234)  # 804.3
    assert h["recalculated"]["total_tco2e"] == pytest.approx(804.3)
    assert h["reasons"] == []


def test_a_history_year_takes_its_own_data_year_as_published_by_this_report(tmp_path: Path) -> None:
    """2023 reported on 2024-07-20 with EF-ELEC-CN-AVG-2021 (0.5568, data year 2021). This report, dated
    2025-06-30, has EF-ELEC-CN-AVG-2022 (0.5366, data year 2022); EF-ELEC-CN-AVG-2023 (data year 2023) is
    published only on 2025-12-31, so it is not this report's to use. 2023 takes 0.5366: a change of factor
    choice of 900 MWh × (0.5366 − 0.5568) = −18.18 t against 735.12 reported (2.47 %, below 5 %)."""
    from test_history import make

    y23 = make(tmp_path, 2023, dt.date(2024, 7, 20), 900, base=2023)
    y24 = make(tmp_path, 2024, dt.date(2025, 6, 30), 800, base=2023)
    d = check_file(y24, options=Options(history=(y23,))).to_json()
    assert d["status"] == "ok", d["issues"]
    h = d["history"][0]
    assert h["as_reported"]["total_tco2e"] == pytest.approx(900 * 0.5568 + 234)  # 735.12
    assert h["recalculated"]["total_tco2e"] == pytest.approx(900 * 0.5366 + 234)  # 716.94
    assert reasons(d) == [("methodology", pytest.approx(-18.18))]
    assert "0.5306" not in h["reasons"][0]["description"]
    assert d["base_year"]["cumulative_pct"] == pytest.approx(18.18 / 735.12 * 100)
    assert d["base_year_recalculated"] is False
    assert total_target(d)["base_tco2e"] == pytest.approx(735.12)


def test_a_source_outside_the_base_year_boundary_then_counted_takes_its_recalculation_row(tmp_path: Path) -> None:
    """The issue's 汽油 case: 采购 汽油 is 不适用 in 2022 and counted in 2024. With a 仅用于重算 row of 3 t
    (at T-AL's 3 tCO2e/t this year) the recalculated 2022 采购 is 9 t, not 0; without it a warning."""
    base = [row("原材料获取", "水泥", 800, "t", "T-ONE"), row("采购", "汽油", "不适用", "t", "T-AL"),
            row("采购", "汽油", 3, "t", "T-AL", recalc_only="是")]
    base[1][[c.key for c in contract.ACTIVITIES.columns].index("note")] = "2022 年由供应商承担运输"  # 不适用's reason
    now = [row("原材料获取", "水泥", 800, "t", "T-ONE"), row("采购", "汽油", 3.5, "t", "T-AL")]
    d = run(tmp_path, base, now)
    h = d["history"][0]
    assert h["as_reported"]["stages"]["procurement"] == 0
    assert h["recalculated"]["stages"]["procurement"] == pytest.approx(9)
    assert reasons(d) == [("structural", pytest.approx(9))]
    # 9 / 800 = 1.125 %: below 5 %, the targets keep 800; the stage target of 采购 is then 0 × 0.92
    assert d["base_year_recalculated"] is False
    base.pop()
    (tmp_path / "without").mkdir()
    d = run(tmp_path / "without", base, now)
    issue = next(i for i in d["issues"] if i["code"] == "W-BASE-YEAR-SOURCE-MISSING")
    assert issue["cell"] == "D3" and "汽油" in issue["message"]
    assert "2022 年为“不适用”" in d["history"][0]["reasons"][0]["description"]


def test_reasons_are_in_client_wording(tmp_path: Path) -> None:
    """A reason names the factor by name, value and source, never a code, a file name or a sheet."""
    base = [row("原材料获取", "钢材", 100, "t", "T-TWO"), row("原材料获取", "水泥", 600, "t", "T-ONE")]
    now = [row("原材料获取", "钢材", 90, "t", "T-TWO-HALF"), row("原材料获取", "水泥", 650, "t", "T-ONE"),
           row("原材料获取", "铝板", 5, "t", "T-AL")]
    d = run(tmp_path, base, now)
    texts = [r["description"] for r in d["history"][0]["reasons"]]
    assert texts and all("T-" not in t and ".xlsx" not in t and "表" not in t and "仅用于重算" not in t for t in texts)
    assert "“钢材（供应商 A）”2.000 tCO2e/t（企业提供）" in texts[0]
    assert all(t.startswith("2022 年排放量按本年度") for t in texts)

"""Issue 11: the edges of the data an independent recomputation found, each on a whole workbook, with the
answers worked out by hand here (never by the product's own conversion code)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from docx import Document

import workbooks
from carbon_report.app.pipeline import check_file
from carbon_report.core.calculate import calculate
from carbon_report.core.factors import load_library
from carbon_report.core.validate import validate
from carbon_report.io.reader import read_workbook
from carbon_report.outputs.computed import computed_tables
from carbon_report.outputs.report.render import render_bytes

DAY = dt.date(2025, 3, 1)  # a 报告日期 after the 2022 grid notice was made public


def run(tmp_path: Path, name: str = "w.xlsx", **kw):
    return check_file(workbooks.build(tmp_path / name, **kw), today=DAY)


def codes(o) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in o.findings:
        out.setdefault(f.code, []).append(f)
    return out


def details(o) -> tuple[list[str], list[list[object]], str]:
    t = next(t for t in computed_tables(o.findings, o.intake, o.result, "test") if t.name == "计算明细")
    return t.header, t.rows, t.title


def column(o, header: str) -> list[object]:
    h, rows, _ = details(o)
    return [r[h.index(header)] for r in rows[:-1]]


# ---- mg is a milligram ------------------------------------------------------------------------------------


def test_500_mg_of_steel_is_a_milligram_amount(tmp_path: Path) -> None:
    # Read as megagrams this was 1,170 tCO2e; it is 500 × 10⁻⁹ t × 2.340 tCO2e/t.
    o = run(tmp_path, activities=[["原材料获取", "原材料", "钢筋", 500, "mg", "EF-STEEL-REBAR", "样品", None]])
    assert o.status == "ok", o.findings
    assert o.result.total == pytest.approx(500e-9 * 2.340, rel=1e-12)


def test_a_workbook_factor_in_mg_per_kwh_is_not_a_billion_times_too_large(tmp_path: Path) -> None:
    factors = [["MY-GRID", "供电商因子", "CO2", 500000, "mgCO2/kWh", "供电商声明", 2024, None]]
    o = run(tmp_path, factors=factors,
            activities=[["生产", "能源", "电力", 1000, "kWh", "MY-GRID", "电费单", None]])
    assert o.status == "ok", o.findings
    assert o.result.total == pytest.approx(1000 * 500000e-9, rel=1e-12)  # 0.5 t


def test_a_case_ambiguous_unit_is_refused_saying_why(tmp_path: Path) -> None:
    o = run(tmp_path, activities=[["原材料获取", "原材料", "钢筋", 5, "MG", "EF-STEEL-REBAR", "台账", None]])
    (e,) = codes(o)["E-UNIT-UNKNOWN"]
    assert (e.sheet, e.cell) == ("活动数据", "E2")
    assert "mg" in e.message and "Mg" in e.message


@pytest.mark.parametrize(("spelling", "why"), [("斤", "500 g"), ("lb", "0.45359237"), ("磅", "0.45359237")])
def test_jin_and_pound_are_refused_with_the_reason(tmp_path: Path, spelling: str, why: str) -> None:
    o = run(tmp_path, activities=[["原材料获取", "原材料", "钢筋", 5, spelling, "EF-STEEL-REBAR", "台账", None]])
    (e,) = codes(o)["E-UNIT-UNKNOWN"]
    assert why in e.message and "法定计量单位" in e.message


# ---- implicit conversions are visible ----------------------------------------------------------------------

NG = 21.622  # tCO2/万Nm3 hand-computed in the sample test: 389.31 × 15.3 × 0.99 × 44/12 ÷ 1000


@pytest.mark.parametrize("unit", ["万方", "万m3", "万立方米"])
def test_gas_in_plain_cubic_metres_is_read_as_normal_with_a_warning_and_a_note(tmp_path: Path, unit: str) -> None:
    o = run(tmp_path, activities=[["生产", "燃料", "天然气", 18.6, unit, "EF-FUEL-NG", "燃气账单", None]])
    assert o.status == "ok", o.findings
    (w,) = codes(o)["W-UNIT-NM3-ASSUMED"]
    assert (w.sheet, w.cell) == ("活动数据", "E2") and "7.3%" in w.message
    conv = column(o, "单位换算")
    assert all(f"18.6 {unit} = 18.6 万Nm3" in c for c in conv)  # shown although it multiplies by 1
    assert all("Nm³" in n for n in column(o, "说明"))


@pytest.mark.parametrize(("unit", "note"), [("万标方", None), ("万Nm3", None), ("万m3", "标况体积，燃气公司换算")])
def test_no_assumption_when_the_row_says_standard_conditions(tmp_path: Path, unit: str, note: str | None) -> None:
    o = run(tmp_path, activities=[["生产", "燃料", "天然气", 18.6, unit, "EF-FUEL-NG", "燃气账单", note]])
    assert o.status == "ok", o.findings
    assert "W-UNIT-NM3-ASSUMED" not in codes(o)
    co2 = next(ln for ln in o.result.lines if ln.factor.gas == "CO2")
    assert co2.tco2e == pytest.approx(18.6 * NG, rel=1e-4)


@pytest.mark.parametrize(("amount", "unit", "code", "what"), [
    (100, "GJ", "EF-ELEC-CN-AVG-2022", "热量"),  # heat units against an electricity factor
    (100, "tce", "EF-ELEC-CN-AVG-2022", "热量"),
    (500, "kWh", "EF-HEAT-DEFAULT", "电量"),  # electricity against the heat factor
    (1000, "L", "EF-FUEL-NG", "液体"),  # LNG litres against a factor per normal m³ of gas
])
def test_conversions_across_families_are_errors(tmp_path: Path, amount, unit, code, what) -> None:
    o = run(tmp_path, activities=[["生产", "能源", "能源", amount, unit, code, "台账", None]])
    assert o.status == "invalid"
    (e,) = codes(o)["E-UNIT-MISMATCH"]
    assert (e.sheet, e.cell) == ("活动数据", "E2") and what in e.message


def test_a_declared_crossing_converts_and_says_so(tmp_path: Path) -> None:
    """A library entry may declare a family crossing (here: a heat factor that accepts electric units);
    the amount then converts at 3.6 MJ/kWh and 计算明细 says the library declared it."""
    lib = load_library()
    heat = tuple(dataclasses.replace(f, declares=frozenset({"electric"})) for f in lib.lookup("EF-HEAT-DEFAULT"))
    lib2 = dataclasses.replace(lib, factors={**lib.factors, "EF-HEAT-DEFAULT": heat})
    raw = read_workbook(workbooks.build(tmp_path / "d.xlsx",
                                        activities=[["生产", "能源", "热力", 1000, "kWh", "EF-HEAT-DEFAULT", "台账", None]]))
    intake, findings = validate(raw, lib2, today=DAY)
    assert not [f for f in findings if f.is_error], findings
    result, _ = calculate(intake, lib2)
    (line,) = result.lines
    assert line.tco2e == pytest.approx(1000 * 3.6e-3 * 0.11, rel=1e-12)  # 3.6 GJ × 0.11 tCO2/GJ
    assert "声明" in line.notes and line.conversion == "1,000 kWh = 3.6 GJ"


def test_standard_coal_converts_at_gb_t_2589(tmp_path: Path) -> None:
    # 2 tce of purchased heat = 2 × 29.3076 GJ × 0.11 tCO2/GJ
    o = run(tmp_path, activities=[["生产", "能源", "热力", 2, "吨标煤", "EF-HEAT-DEFAULT", "台账", None]])
    assert o.status == "ok", o.findings
    assert o.result.total == pytest.approx(2 * 29.3076 * 0.11, rel=1e-12)
    assert column(o, "单位换算") == ["2 吨标煤 = 58.6152 GJ"]


# ---- gas classes --------------------------------------------------------------------------------------------

DIESEL_CH4_KG_PER_T = 42.652 * 3 / 1000  # NCV GJ/t × 3 kg/TJ (fuel_parameters.csv)


@pytest.mark.parametrize(("gwp_set", "fossil"), [("AR6", 29.8), ("AR5", 30), ("AR4", 25), ("SAR", 21)])
def test_fuel_methane_is_fossil_under_each_gwp_set(tmp_path: Path, gwp_set: str, fossil: float) -> None:
    company = {**workbooks.SEED_COMPANY, "GWP版本": gwp_set}
    o = run(tmp_path, company=company, activities=[["生产", "燃料", "柴油", 10, "t", "EF-FUEL-DIESEL", "发票", None]])
    assert o.status == "ok", o.findings
    ch4 = next(ln for ln in o.result.lines if ln.factor.gas.startswith("CH4"))
    assert ch4.factor.gas == "CH4-fossil" and ch4.gwp == fossil
    assert ch4.tco2e == pytest.approx(10 * DIESEL_CH4_KG_PER_T / 1000 * fossil, rel=1e-12)
    note = column(o, "说明")[[ln.factor.gas for ln in o.result.lines].index("CH4-fossil")]
    assert "化石源 CH4" in note and f"{gwp_set} GWP100 = {fossil:g}" in note
    if gwp_set == "AR5":
        assert "Table 8.A.1" in note  # which AR5 table the 30 comes from


@pytest.mark.parametrize(("gwp_set", "non_fossil"), [("AR6", 27.0), ("AR5", 28)])
def test_wood_methane_is_non_fossil(tmp_path: Path, gwp_set: str, non_fossil: float) -> None:
    company = {**workbooks.SEED_COMPANY, "GWP版本": gwp_set}
    o = run(tmp_path, company=company, activities=[["生产", "燃料", "木屑", 10, "t", "EF-FUEL-BIOMASS-WOOD", "台账", None]])
    ch4 = next(ln for ln in o.result.lines if ln.factor.gas.startswith("CH4"))
    assert (ch4.factor.gas, ch4.gwp) == ("CH4-non-fossil", non_fossil)
    assert ch4.tco2e == pytest.approx(10 * 15.6 * 30 / 1e6 * non_fossil, rel=1e-12)


# ---- green power beside a grid factor with no residual mix -------------------------------------------------


@pytest.mark.parametrize("grid", ["EF-ELEC-CN-ENTERPRISE-2022", "EF-ELEC-CN-ENTERPRISE-2021", "EF-ELEC-REGION-EAST-2022"])
def test_green_power_beside_a_factor_without_residual_is_warned(tmp_path: Path, grid: str) -> None:
    acts = [["生产", "能源", "电力", 800, "MWh", grid, "电费单", None],
            ["生产", "能源", "绿电", 200, "MWh", "EF-ELEC-GREEN", "绿证", None]]
    o = run(tmp_path, activities=acts)
    assert o.status == "ok", o.findings
    (w,) = codes(o)["W-GREEN-POWER-NO-RESIDUAL"]
    assert (w.sheet, w.cell) == ("活动数据", "F2") and grid in w.message and "重复" in w.message
    data, _ = render_bytes(o.intake, o.result, o.findings, workbook_dir=tmp_path)
    out = tmp_path / "r.docx"
    out.write_bytes(data)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "没有对应的剩余电网组合因子" in text


def test_green_power_by_name_on_a_date_whose_default_has_no_residual(tmp_path: Path) -> None:
    company = {**workbooks.SEED_COMPANY, "报告日期": dt.date(2023, 6, 1)}  # default grid: 0.5703, no residual
    acts = [["生产", "能源", "电力", 800, "MWh", None, "电费单", None],
            ["生产", "能源", "绿电", 200, "MWh", None, "绿证", None]]
    o = run(tmp_path, company=company, activities=acts)
    assert "W-GREEN-POWER-NO-RESIDUAL" in codes(o)
    assert o.result.total == pytest.approx(800 * 0.5703)


def test_no_such_warning_where_a_residual_exists_or_without_green_power(tmp_path: Path) -> None:
    acts = [["生产", "能源", "电力", 800, "MWh", None, "电费单", None],
            ["生产", "能源", "绿电", 200, "MWh", None, "绿证", None]]
    assert "W-GREEN-POWER-NO-RESIDUAL" not in codes(run(tmp_path, "a.xlsx", activities=acts))
    plain = [["生产", "能源", "电力", 800, "MWh", "EF-ELEC-CN-ENTERPRISE-2022", "电费单", None]]
    assert "W-GREEN-POWER-NO-RESIDUAL" not in codes(run(tmp_path, "b.xlsx", activities=plain))


# ---- dated defaults -----------------------------------------------------------------------------------------


def test_blank_report_date_is_warned_and_the_effective_date_recorded(tmp_path: Path) -> None:
    company = workbooks.company_with(报告日期=None)
    acts = [["生产", "能源", "电力", 1000, "MWh", None, "电费单", None]]
    path = workbooks.build(tmp_path / "blank.xlsx", company=company, activities=acts)
    early, late = check_file(path, today=dt.date(2024, 12, 25)), check_file(path, today=dt.date(2024, 12, 26))
    for o, day in ((early, "2024-12-25"), (late, "2024-12-26")):
        (w,) = codes(o)["W-REPORT-DATE-BLANK"]
        assert (w.sheet, w.cell) == ("企业信息", "B6") and day in w.message
        assert o.to_json()["factor_date"] == day
        assert f"默认因子选取日期 {day}（报告日期为空，按运行日期）" in details(o)[2]
    # the two runs differ, and each says why: the 2022 notice became public on 2024-12-26
    assert early.result.total == pytest.approx(1000 * 0.5568)
    assert late.result.total == pytest.approx(1000 * 0.5366)


def test_factor_date_is_the_report_date_when_given(tmp_path: Path) -> None:
    o = run(tmp_path)
    assert o.to_json()["factor_date"] == "2024-07-20"
    assert "W-REPORT-DATE-BLANK" not in codes(o)
    assert "发布日期为通知印发日期" in column(o, "说明")[4]  # the 0.5703 row carries which date it is


def test_factor_date_is_present_even_when_the_workbook_is_invalid(tmp_path: Path) -> None:
    o = run(tmp_path, drop_sheets=("活动数据",))
    assert o.status == "invalid" and o.to_json()["factor_date"] == DAY.isoformat()


# ---- 历史排放 totals against their stage rows ----------------------------------------------------------------


def test_history_total_that_disagrees_with_its_stages_is_warned(tmp_path: Path) -> None:
    company = {**workbooks.SEED_COMPANY, "基准年": 2022}
    history = [[2022, None, 1000], [2022, "原材料获取", 700], [2022, "生产", 200]]
    o = run(tmp_path, company=company, history=history, targets=[[2030, 50, "原材料获取", None]])
    (w,) = codes(o)["W-HISTORY-TOTAL-MISMATCH"]
    assert (w.sheet, w.cell) == ("历史排放", "C2")
    assert "1,000.0000" in w.message and "900.0000" in w.message


def test_history_rounded_to_two_decimals_passes(tmp_path: Path) -> None:
    company = {**workbooks.SEED_COMPANY, "基准年": 2022}
    # stages 700.004 + 200.004 printed as 700.00 and 200.00; the total 900.008 printed as 900.01
    history = [[2022, None, 900.01], [2022, "原材料获取", 700.00], [2022, "生产", 200.00]]
    o = run(tmp_path, company=company, history=history, targets=[[2030, 50, "原材料获取", None]])
    assert "W-HISTORY-TOTAL-MISMATCH" not in codes(o)


def test_every_library_grid_factor_beside_green_power_has_a_residual_or_a_warning(tmp_path: Path) -> None:
    """Issue 11 item 5, walked over the whole library: each grid factor a workbook can choose either maps to a
    residual-mix factor (W-GREEN-POWER-RESIDUAL names it), is itself a residual mix, or the run warns that
    market-based instruments sit beside a location-based factor (W-GREEN-POWER-NO-RESIDUAL)."""
    lib = load_library()
    grid = [c for c in lib.codes() if lib.lookup(c)[0].category == "electricity"]
    acts = [["生产", "能源", f"电力{i}", 10, "MWh", c, "电费单", None] for i, c in enumerate(grid)]
    acts.append(["生产", "能源", "绿电", 5, "MWh", "EF-ELEC-GREEN", "绿证", None])
    o = run(tmp_path, activities=acts)
    assert o.status == "ok", [f for f in o.findings if f.is_error]
    by_cell = {(f.cell, f.code) for f in o.findings}
    residuals = set(lib.residual.values())
    for i, c in enumerate(grid):
        cell = f"F{i + 2}"
        if c in residuals:
            assert not {(cell, "W-GREEN-POWER-RESIDUAL"), (cell, "W-GREEN-POWER-NO-RESIDUAL")} & by_cell, c
        elif c in lib.residual:
            assert (cell, "W-GREEN-POWER-RESIDUAL") in by_cell, c
        else:
            assert (cell, "W-GREEN-POWER-NO-RESIDUAL") in by_cell, c
    assert {"EF-ELEC-CN-ENTERPRISE-2022", "EF-ELEC-REGION-EAST-2023"} <= set(grid) - set(lib.residual) - residuals


@pytest.mark.parametrize(("gwp_set", "warned"), [("AR6", True), ("AR5", True), ("AR4", False)])
def test_a_workbook_methane_factor_without_its_class_is_warned_where_the_set_tells_them_apart(
        tmp_path: Path, gwp_set: str, warned: bool) -> None:
    company = {**workbooks.SEED_COMPANY, "GWP版本": gwp_set}
    factors = [["MY-DIESEL", "柴油", "CH4", 0.128, "kgCH4/t", "测试", 2023, None]]
    o = run(tmp_path, company=company, factors=factors,
            activities=[["生产", "燃料", "柴油", 10, "t", "MY-DIESEL", "发票", None]])
    found = codes(o).get("W-FACTOR-CH4-CLASS", [])
    assert bool(found) is warned
    if warned:
        assert (found[0].sheet, found[0].cell) == ("排放因子", "C2") and "CH4-fossil" in found[0].message


def test_a_library_factor_with_an_unverified_parameter_warns_where_it_is_used(tmp_path: Path) -> None:
    # fuel_parameters.csv marks diesel's NCV 42.652 GJ/t unverified (the table read gives 42.653)
    o = run(tmp_path, activities=[["生产", "燃料", "柴油", 10, "t", "EF-FUEL-DIESEL", "发票", None]])
    assert o.status == "ok"
    w = [f for f in o.findings if f.code == "W-FACTOR-UNVERIFIED"]
    assert len(w) == 1 and "EF-FUEL-DIESEL" in w[0].message and w[0].sheet == "活动数据"

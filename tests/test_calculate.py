"""E = Σ A × EF × GWP on whole workbooks, with the answers computed by hand in the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import workbooks
from carbon_report.app.pipeline import check_file
from carbon_report.core.factors import load_library
from carbon_report.core.model import Stage

GWP = {  # IPCC GWP100, as the library should hold them
    "SAR": {"CH4": 21, "N2O": 310, "HFC-134a": 1300},
    "AR4": {"CH4": 25, "N2O": 298, "HFC-134a": 1430},
    "AR5": {"CH4": 28, "N2O": 265, "HFC-134a": 1300},
    "AR6": {"CH4": 27.9, "N2O": 273, "HFC-134a": 1530},
}


def test_seed_like_workbook_by_hand(tmp_path: Path) -> None:
    o = check_file(workbooks.build(tmp_path / "seed.xlsx"))
    assert o.status == "ok", o.findings
    r = o.result
    raw = 766.76 * 2.340 + 891.13 * 0.735 + 2068.24 * 0.00251 + 3095.1 * 0.00218
    production = 72.584 * 0.5703
    assert production == pytest.approx(41.3946552)
    assert r.stage_totals[Stage.PRODUCTION] == pytest.approx(41.3946552, rel=1e-12)
    assert r.stage_totals[Stage.RAW_MATERIALS] == pytest.approx(raw, rel=1e-12)
    assert r.stage_totals[Stage.TRANSPORT] == 0
    assert r.total == pytest.approx(raw + production, rel=1e-12)
    assert r.shares[Stage.PRODUCTION] == pytest.approx(production / (raw + production))
    assert sum(r.shares.values()) == pytest.approx(1)
    # The seed printed a per-pole figure as the plant total; here the intensity is its own number.
    (pole,) = r.intensities
    assert (pole.product, pole.unit) == ("非预应力电杆", "根")
    assert pole.tco2e_per_unit == pytest.approx((raw + production) / 4670)
    total_2030 = next(t for t in r.targets if t.year == 2030 and t.stage is None)
    assert total_2030.target_value == pytest.approx((raw + production) * 0.5)
    assert len([t for t in r.targets if t.year == 2025]) == 7  # six stages and the total


def _fuel_company(tmp_path: Path, gwp: str, **extra) -> Path:
    company = {**workbooks.SEED_COMPANY, "企业名称": "测试机械有限公司", "GWP版本": gwp, "工业总产值": 5000}
    factors = [
        # 编码, 名称, 温室气体, 因子值, 单位, 来源, 年份, 备注
        ["T-DIESEL", "柴油", "CO2", 3.0959, "tCO2/t", "测试", 2023, None],
        ["T-DIESEL", "柴油", "CH4", 0.128, "kgCH4/t", "测试", 2023, None],
        ["T-DIESEL", "柴油", "N2O", 0.0256, "kgN2O/t", "测试", 2023, None],
        ["T-R134A", "HFC-134a 泄漏", "HFC-134a", 1, "kg/kg", "测试", 2023, None],
        ["T-TRUCK", "货车", "CO2e", 0.078, "kgCO2e/t·km", "测试", 2019, None],
        ["T-GRID", "电网", "CO2", 0.5703, "tCO2/MWh", "测试", 2023, None],
    ]
    activities = [
        ["生产", "能源", "柴油", 12.5, "t", "T-DIESEL", "台账", None],
        ["生产", "制冷剂", "HFC-134a", 3, "kg", "T-R134A", "维修记录", None],
        ["生产", "能源", "电力", 1.2, "万kWh", "T-GRID", "电费单", None],
        ["运输", "产品运输", "产品运输", 250000, "t·km", "T-TRUCK", "运单", None],
        ["运输", "原材料运输", "原材料运输", "不适用", "t·km", "T-TRUCK", None, "供应商负责运输，不在边界内"],
    ]
    products = [["齿轮箱", 2000, "台", "是", 60], ["轴承座", 5000, "个", "否", None]]
    return workbooks.build(tmp_path / f"fuel_{gwp}.xlsx", company=company, factors=factors, activities=activities,
                           products=products, **extra)


@pytest.mark.parametrize("gwp", sorted(GWP))
def test_multi_gas_under_each_gwp_set(tmp_path: Path, gwp: str) -> None:
    o = check_file(_fuel_company(tmp_path, gwp))
    assert o.status == "ok", [f for f in o.findings if f.is_error]
    g = GWP[gwp]
    diesel = 12.5 * 3.0959 + 12.5 * 0.128e-3 * g["CH4"] + 12.5 * 0.0256e-3 * g["N2O"]
    refrigerant = 3e-3 * g["HFC-134a"]
    grid = 12.0 * 0.5703  # 1.2 万kWh = 12 MWh
    freight = 250000 * 0.078e-3
    r = o.result
    assert r.stage_totals[Stage.PRODUCTION] == pytest.approx(diesel + refrigerant + grid, rel=1e-12)
    assert r.stage_totals[Stage.TRANSPORT] == pytest.approx(freight, rel=1e-12)
    assert r.total == pytest.approx(diesel + refrigerant + grid + freight, rel=1e-12)
    assert r.gas_tonnes["CH4"] == pytest.approx(12.5 * 0.128e-3)
    assert r.gas_totals["HFC-134a"] == pytest.approx(refrigerant)
    intensities = {i.product: i for i in r.intensities}
    assert set(intensities) == {"齿轮箱", "工业总产值"}  # 轴承座 is not used for intensity
    assert intensities["齿轮箱"].tco2e_per_unit == pytest.approx(r.total * 0.6 / 2000)
    assert intensities["工业总产值"].tco2e_per_unit == pytest.approx(r.total / 5000)
    lines = [ln for ln in r.lines if ln.activity.name == "柴油"]
    assert sorted(ln.factor.gas for ln in lines) == ["CH4", "CO2", "N2O"]
    assert {ln.gwp for ln in lines if ln.factor.gas == "CH4"} == {g["CH4"]}


def test_gwp_set_changes_only_non_co2_gases(tmp_path: Path) -> None:
    totals = {gwp: check_file(_fuel_company(tmp_path, gwp)).result.total for gwp in GWP}
    assert totals["AR4"] != totals["AR6"]
    delta = totals["AR6"] - totals["AR4"]
    expected = 12.5 * 0.128e-3 * (27.9 - 25) + 12.5 * 0.0256e-3 * (273 - 298) + 3e-3 * (1530 - 1430)
    assert delta == pytest.approx(expected)


def test_workbook_factor_overrides_every_gas_row_of_a_library_code(tmp_path: Path) -> None:
    lib = load_library()
    code = "EF-FUEL-DIESEL"
    assert {f.gas for f in lib.lookup(code)} >= {"CO2", "CH4-fossil", "N2O"}
    path = workbooks.build(
        tmp_path / "override.xlsx",
        factors=[[code, "柴油（企业实测）", "CO2", 3.2, "tCO2/t", "企业实测", 2023, None]],
        activities=[["生产", "能源", "柴油", 10, "t", code, "台账", None]],
    )
    o = check_file(path)
    assert o.status == "ok", o.findings
    assert [ln.factor.gas for ln in o.result.lines] == ["CO2"]  # the library's CH4 and N2O rows are replaced
    assert o.result.total == pytest.approx(32.0)
    assert o.result.lines[0].factor.origin == "workbook"


def test_library_factor_with_density_converts_litres(tmp_path: Path) -> None:
    lib = load_library()
    diesel = lib.lookup("EF-FUEL-DIESEL")
    rho = diesel[0].density_t_per_m3
    assert rho
    path = workbooks.build(tmp_path / "litres.xlsx", activities=[["生产", "能源", "柴油", 1000, "L", "EF-FUEL-DIESEL", "加油卡", None]])
    o = check_file(path)
    assert o.status == "ok", o.findings
    co2 = next(ln for ln in o.result.lines if ln.factor.gas == "CO2")
    assert co2.amount_in_factor_unit == pytest.approx(rho)  # 1 m3 × density
    assert "密度" in co2.conversion


def test_blank_code_takes_the_grid_factor_published_before_the_report_date(tmp_path: Path) -> None:
    def total_for(day: dt.date) -> float:
        company = {**workbooks.SEED_COMPANY, "报告日期": day}
        path = workbooks.build(tmp_path / f"grid_{day}.xlsx", company=company,
                               activities=[["生产", "能源", "电力", 1000, "MWh", None, "电费单", None]])
        o = check_file(path)
        assert o.status == "ok", o.findings
        assert any(f.code == "W-FACTOR-BY-NAME" and f.cell == "F2" for f in o.findings)
        return o.result.total

    assert total_for(dt.date(2023, 6, 1)) == pytest.approx(570.3)
    assert total_for(dt.date(2024, 7, 20)) == pytest.approx(556.8)
    assert total_for(dt.date(2025, 3, 1)) == pytest.approx(536.6)


def test_zero_total_gives_null_shares_and_a_warning(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "zero.xlsx", activities=[["运输", "产品运输", "产品运输", "/", "t·km", "SEED-TRUCK", None, None]])
    o = check_file(path)
    assert o.status == "ok"
    assert o.result.total == 0 and o.result.shares is None
    assert "W-TOTAL-ZERO" in {f.code for f in o.findings}
    js = o.to_json()
    assert js["shares"] is None and js["total_tco2e"] == 0


def test_biogenic_co2_is_reported_apart_from_the_total(tmp_path: Path) -> None:
    path = workbooks.build(tmp_path / "wood.xlsx",
                           activities=[["生产", "燃料", "木屑", 10, "t", "EF-FUEL-BIOMASS-WOOD", "台账", None]])
    o = check_file(path)
    assert o.status == "ok", o.findings
    r = o.result
    assert r.biogenic_co2_t == pytest.approx(10 * 15.6 * 0.112)  # NCV 15.6 GJ/t × 112 kgCO2/GJ
    # IPCC 2006 table 2.3, kg/TJ, under AR6. Wood's methane is non-fossil: 27.0, not the unstated-origin 27.9
    # this test used before gas classes (issue 11), nor the fossil 29.8.
    ch4_n2o = 10 * 15.6 * (30 * 27.0 + 4 * 273) / 1e6
    assert r.total == pytest.approx(ch4_n2o)
    assert "CO2-biogenic" not in r.gas_totals
    assert o.to_json()["biogenic_co2_t"] == pytest.approx(17.472)


def test_green_power_counts_zero_and_the_rest_of_the_grid_takes_the_residual_mix(tmp_path: Path) -> None:
    company = {**workbooks.SEED_COMPANY, "报告日期": dt.date(2025, 3, 1)}  # default grid: 2022 data, 0.5366
    acts = [["生产", "能源", "电力", 800, "MWh", None, "电费单", None],
            ["生产", "能源", "绿电", 200, "MWh", None, "绿电交易凭证", None]]
    o = check_file(workbooks.build(tmp_path / "green.xlsx", company=company, activities=acts))
    assert o.status == "ok", o.findings
    assert o.result.total == pytest.approx(800 * 0.5856)  # residual 2022, not 0.5366: green is not counted twice
    grid = next(a for a in o.intake.activities if a.name == "电力")
    assert grid.factor_code == "EF-ELEC-CN-RESIDUAL-2022"
    # Without green power the same grid row takes the national average.
    plain = check_file(workbooks.build(tmp_path / "plain.xlsx", company=company, activities=acts[:1]))
    assert plain.result.total == pytest.approx(800 * 0.5366)


def test_explicit_average_grid_code_beside_green_power_is_warned(tmp_path: Path) -> None:
    acts = [["生产", "能源", "电力", 800, "MWh", "EF-ELEC-CN-AVG-2022", "电费单", None],
            ["生产", "能源", "绿电", 200, "MWh", "EF-ELEC-GREEN", "绿证", None]]
    o = check_file(workbooks.build(tmp_path / "g.xlsx", activities=acts))
    assert o.status == "ok"
    w = next(f for f in o.findings if f.code == "W-GREEN-POWER-RESIDUAL")
    assert (w.sheet, w.cell) == ("活动数据", "F2") and "EF-ELEC-CN-RESIDUAL-2022" in w.message

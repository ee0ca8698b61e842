"""One computation, three views (issue 15): six stages, GHG Protocol scopes (Scope 2 both ways) and ISO 14064-1
categories. Every expected figure is worked out by hand below from the numbers typed into the workbook and the
library values it names (GB/T 51366-2019 appendix D/E, the 2021 national grid notice), never by the product."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import workbooks
from carbon_report.app.pipeline import Options, check_file, process_file
from carbon_report.core import contract
from carbon_report.core.factors import load_library
from carbon_report.core.model import Stage
from carbon_report.outputs.summary import build_summary

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# IPCC AR6 WG1 Table 7.15; methane by class since issue 11 (fuel CH4 fossil 29.8, biomass CH4 non-fossil 27.0)
AR6 = {"CH4": 27.9, "CH4-fossil": 29.8, "CH4-non-fossil": 27.0, "N2O": 273, "HFC-32": 771, "HFC-125": 3740}

# 阶段, 类型, 名称, 活动数据, 单位, 排放因子编码, 数据来源, 备注, 范围, ISO类别
ROWS: list[list[object]] = [
    ["原材料获取", "原材料", "钢筋", 100, "t", "EF-STEEL-REBAR", "台账", None, None, None],            # row 2
    ["原材料获取", "原材料", "水泥", 200, "t", "EF-CEMENT-PO", "台账", None, None, None],              # row 3
    ["生产", "能源", "电力", 100000, "kWh", None, "电费单", None, None, None],                      # row 4
    ["生产", "能源", "绿色电力", 40000, "kWh", "EF-ELEC-GREEN", "绿电交易凭证", None, None, None],      # row 5
    ["生产", "燃料", "叉车柴油", 2, "t", "EF-FUEL-DIESEL", "发票", "厂内叉车", None, None],             # row 6
    ["生产", "燃料", "天然气", 1.5, "万m3", "EF-FUEL-NG", "燃气账单", None, None, None],               # row 7
    ["生产", "制冷剂", "R-410A 泄漏", 12, "kg", "R410A-LEAK", "维保记录", None, None, None],           # row 8
    ["运输", "自有车辆", "自有货车柴油", 5, "t", "EF-FUEL-DIESEL", "发票", "自有车队", None, None],      # row 9
    ["运输", "原材料运输", "钢材委外运输", 50000, "t·km", "EF-ROAD-DIESEL-30T", "物流台账", None, None, None],  # row 10
]
# 编码, 名称, 温室气体, 因子值, 单位, 来源, 年份, 备注, 范围, ISO类别 — library codes redefined here keep their kind
FACTORS: list[list[object]] = [
    ["EF-FUEL-DIESEL", "柴油", "CO2", 3.0959, "tCO2/t", "测试", 2015, None, None, None],    # row 2
    ["EF-FUEL-DIESEL", "柴油", "CH4", 0.128, "kgCH4/t", "测试", 2006, None, None, None],    # row 3
    ["EF-FUEL-DIESEL", "柴油", "N2O", 0.0256, "kgN2O/t", "测试", 2006, None, None, None],   # row 4
    ["EF-FUEL-NG", "天然气", "CO2", 21.622, "tCO2/万Nm3", "测试", 2015, None, None, None],  # row 5
    ["R410A-LEAK", "R-410A 泄漏", "R-410A", 1, "kg/kg", "质量平衡", 2006, None, None, None],  # row 6
]

DIESEL_PER_T = 3.0959 + 0.128e-3 * AR6["CH4"] + 0.0256e-3 * AR6["N2O"]
FORKLIFT = 2 * DIESEL_PER_T
TRUCKS = 5 * DIESEL_PER_T
GAS = 1.5 * 21.622
R410A = 12e-3 * (0.5 * AR6["HFC-32"] + 0.5 * AR6["HFC-125"])
# Beside green power the name-matched grid row takes the 2021 residual mix (0.5942 kg/kWh); location-based,
# every kWh, green included, is at the 2021 national average (0.5568 kg/kWh), the default on 2024-07-20.
GRID_MARKET = 100000 * 0.5942e-3
GRID_LOCATION = 100000 * 0.5568e-3
GREEN_LOCATION = 40000 * 0.5568e-3
STEEL = 100 * 2.340
CEMENT = 200 * 0.735
FREIGHT = 50000 * 0.078e-3
SCOPE1 = FORKLIFT + TRUCKS + GAS + R410A
SCOPE2_MARKET = GRID_MARKET
SCOPE2_LOCATION = GRID_LOCATION + GREEN_LOCATION
SCOPE3 = STEEL + CEMENT + FREIGHT
TOTAL = SCOPE1 + SCOPE2_MARKET + SCOPE3


def build(tmp_path: Path, rows=None, factors=None, name: str = "scopes.xlsx") -> Path:
    return workbooks.build(tmp_path / name, activities=ROWS if rows is None else rows,
                           factors=FACTORS if factors is None else factors, targets=[])


def with_cell(rows: list[list[object]], row: int, col: int, value: object) -> list[list[object]]:
    out = copy.deepcopy(rows)
    out[row - 2][col] = value  # row as Excel numbers it (the header is row 1)
    return out


SCOPE_COL, ISO_COL = 8, 9


def test_the_contract_columns_are_optional_and_after_v1() -> None:
    for spec in (contract.ACTIVITIES, contract.FACTORS):
        cols = {c.header: c for c in spec.columns}
        assert not cols["范围"].required and not cols["ISO类别"].required
        # right after v1's eight columns; what later issues add (issue 16's months, 场所 …) comes after them
        assert [c.header for c in spec.columns][SCOPE_COL:ISO_COL + 1] == ["范围", "ISO类别"]
        assert not any(c.required for c in spec.columns[SCOPE_COL:])


def test_hand_worked_scopes_categories_and_both_scope2_figures(tmp_path: Path) -> None:
    o = check_file(build(tmp_path))
    assert o.status == "ok", [(f.code, f.cell, f.message) for f in o.errors]
    r = o.result
    assert r.total == pytest.approx(TOTAL, rel=1e-12)
    s = r.scopes.totals
    assert s["scope1"] == pytest.approx(SCOPE1, rel=1e-12)
    assert s["scope2_market"] == pytest.approx(SCOPE2_MARKET, rel=1e-12)
    assert s["scope2_location"] == pytest.approx(SCOPE2_LOCATION, rel=1e-12)
    assert s["scope3"] == pytest.approx(SCOPE3, rel=1e-12)
    assert s["scope1"] + s["scope2_market"] + s["scope3"] == pytest.approx(r.total, rel=1e-12)
    iso = r.scopes.iso
    assert iso[1] == pytest.approx(SCOPE1, rel=1e-12)
    assert iso[2] == pytest.approx(GRID_MARKET, rel=1e-12)
    assert iso[3] == pytest.approx(FREIGHT, rel=1e-12)
    assert iso[4] == pytest.approx(STEEL + CEMENT, rel=1e-12)
    assert iso[5] == 0 and iso[6] == 0
    assert sum(iso.values()) == pytest.approx(r.total, rel=1e-12)
    # the factor decides, not the stage: the company's own trucks in 运输 are Scope 1
    by = r.scopes.by_stage
    assert by[Stage.TRANSPORT]["scope1"] == pytest.approx(TRUCKS, rel=1e-12)
    assert by[Stage.TRANSPORT]["scope3"] == pytest.approx(FREIGHT, rel=1e-12)
    assert by[Stage.PRODUCTION]["scope2_location"] == pytest.approx(SCOPE2_LOCATION, rel=1e-12)
    assert r.scopes.scope3_categories == {1: pytest.approx(STEEL + CEMENT), 4: pytest.approx(FREIGHT)}
    # the location-based figure of green power is said, with the factor it uses
    notes = {f.code: f for f in o.findings if f.code == "W-SCOPE2-LOCATION"}
    assert notes and "EF-ELEC-CN-AVG-2021" in notes["W-SCOPE2-LOCATION"].message
    j = o.to_json()
    assert j["scopes"] == {"scope1": pytest.approx(SCOPE1), "scope2_location": pytest.approx(SCOPE2_LOCATION),
                           "scope2_market": pytest.approx(SCOPE2_MARKET), "scope3": pytest.approx(SCOPE3)}
    assert j["iso14064_categories"] == {"1": pytest.approx(SCOPE1), "2": pytest.approx(GRID_MARKET),
                                        "3": pytest.approx(FREIGHT), "4": pytest.approx(STEEL + CEMENT),
                                        "5": 0.0, "6": 0.0}


def _line_classes(o) -> dict[tuple[int, str], tuple[int, int]]:
    return {(x.activity.row, x.factor.gas): (x.scope, x.iso_category) for x in o.result.lines}


def test_an_override_in_scope_moves_one_row_and_nothing_else(tmp_path: Path) -> None:
    base = check_file(build(tmp_path))
    # the freight row (row 10) is the company's own fleet after all: 范围 1 alone makes it ISO category 1
    moved = check_file(build(tmp_path, rows=with_cell(ROWS, 10, SCOPE_COL, 1), name="moved.xlsx"))
    assert moved.status == "ok"
    b, m = base.result.scopes, moved.result.scopes
    assert m.totals["scope1"] == pytest.approx(b.totals["scope1"] + FREIGHT, rel=1e-12)
    assert m.totals["scope3"] == pytest.approx(b.totals["scope3"] - FREIGHT, rel=1e-12)
    assert m.totals["scope2_market"] == b.totals["scope2_market"]
    assert m.totals["scope2_location"] == b.totals["scope2_location"]
    assert m.iso[1] == pytest.approx(b.iso[1] + FREIGHT) and m.iso[3] == pytest.approx(0.0, abs=1e-12)
    assert moved.result.stage_totals == base.result.stage_totals and moved.result.total == base.result.total
    before, after = _line_classes(base), _line_classes(moved)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {(10, "CO2e")} and after[(10, "CO2e")] == (1, 1)
    # Scope 3 category of the kind no longer applies once the row left Scope 3
    assert 4 not in moved.result.scopes.scope3_categories or moved.result.scopes.scope3_categories[4] == 0


def test_a_factor_override_moves_every_row_of_that_factor(tmp_path: Path) -> None:
    factors = with_cell(FACTORS, 6, SCOPE_COL, "范围3")
    factors = with_cell(factors, 6, ISO_COL, 6)
    o = check_file(build(tmp_path, factors=factors))
    assert o.status == "ok", [(f.code, f.cell) for f in o.errors]
    s = o.result.scopes
    assert s.totals["scope1"] == pytest.approx(SCOPE1 - R410A, rel=1e-12)
    assert s.totals["scope3"] == pytest.approx(SCOPE3 + R410A, rel=1e-12)
    assert s.iso[6] == pytest.approx(R410A, rel=1e-12)
    assert s.unclassified_scope3 == pytest.approx(R410A, rel=1e-12)  # no GHG Protocol category for it


@pytest.mark.parametrize(("sheet", "row", "col", "value", "code", "cell"), [
    ("活动数据", 10, SCOPE_COL, 4, "E-SCOPE-UNKNOWN", "I10"),
    ("活动数据", 6, SCOPE_COL, "直接", "E-SCOPE-UNKNOWN", "I6"),
    ("活动数据", 2, ISO_COL, 7, "E-ISO-CATEGORY-UNKNOWN", "J2"),
    ("活动数据", 2, ISO_COL, 2.5, "E-ISO-CATEGORY-UNKNOWN", "J2"),
    ("排放因子", 6, SCOPE_COL, "范围四", "E-SCOPE-UNKNOWN", "I6"),
    ("排放因子", 5, ISO_COL, "类别九", "E-ISO-CATEGORY-UNKNOWN", "J5"),
])
def test_a_bad_override_is_an_error_on_its_cell(tmp_path: Path, sheet, row, col, value, code, cell) -> None:
    rows = with_cell(ROWS, row, col, value) if sheet == "活动数据" else ROWS
    factors = with_cell(FACTORS, row, col, value) if sheet == "排放因子" else FACTORS
    o = check_file(build(tmp_path, rows=rows, factors=factors))
    assert o.status == "invalid" and o.to_json()["scopes"] is None
    assert [(f.sheet, f.cell, f.code) for f in o.errors] == [(sheet, cell, code)]
    assert str(value) in o.errors[0].message


def test_overrides_that_do_not_fit_together_are_errors(tmp_path: Path) -> None:
    conflict = with_cell(with_cell(ROWS, 2, SCOPE_COL, 1), 2, ISO_COL, 4)
    o = check_file(build(tmp_path, rows=conflict))
    assert [(f.cell, f.code) for f in o.errors] == [("J2", "E-SCOPE-ISO-CONFLICT")]
    # electricity (ISO 2) sent to Scope 3 without saying which indirect category
    o = check_file(build(tmp_path, rows=with_cell(ROWS, 4, SCOPE_COL, 3), name="b.xlsx"))
    assert [(f.cell, f.code) for f in o.errors] == [("J4", "E-ISO-CATEGORY-NEEDED")]
    # ISO类别 alone sets its scope: cement as category 6 stays Scope 3
    o = check_file(build(tmp_path, rows=with_cell(ROWS, 3, ISO_COL, "类别6"), name="c.xlsx"))
    assert o.status == "ok" and o.result.scopes.iso[6] == pytest.approx(CEMENT)
    assert o.result.scopes.totals["scope3"] == pytest.approx(SCOPE3)


def test_a_workbook_factor_classified_by_guess_is_told(tmp_path: Path) -> None:
    factors = [*FACTORS, ["MY-STEEL", "钢材", "CO2e", 2100, "kgCO2e/t", "供应商", 2023, None, None, None]]
    rows = [*ROWS, ["原材料获取", "原材料", "型钢", 10, "t", "MY-STEEL", "台账", None, None, None]]
    o = check_file(build(tmp_path, rows=rows, factors=factors))
    told = [(f.sheet, f.cell) for f in o.findings if f.code == "W-SCOPE-INFERRED"]
    assert told == [("排放因子", "A7")]  # one line, on that factor's code; the leak and the t·km need none
    assert o.result.scopes.totals["scope3"] == pytest.approx(SCOPE3 + 21.0)


def test_v1_workbooks_keep_their_numbers(tmp_path: Path) -> None:
    v1_rows = [r[:8] for r in ROWS]
    v1_factors = [r[:8] for r in FACTORS]

    def drop_new_columns(wb: openpyxl.Workbook) -> None:
        for spec in (contract.ACTIVITIES, contract.FACTORS):  # every column after v1's eight
            wb[spec.name].delete_cols(9, len(spec.columns) - 8)

    path = workbooks.build(tmp_path / "v1.xlsx", activities=v1_rows, factors=v1_factors, targets=[],
                           tweak=drop_new_columns)
    assert [c.value for c in openpyxl.load_workbook(path)[contract.ACTIVITIES.name][1]][-1] == "备注"
    o = check_file(path)
    assert o.status == "ok"
    assert o.result.total == pytest.approx(TOTAL, rel=1e-12)
    assert o.result.stage_totals[Stage.PRODUCTION] == pytest.approx(
        GRID_MARKET + FORKLIFT + GAS + R410A, rel=1e-12)
    assert o.to_json()["scopes"]["scope2_location"] == pytest.approx(SCOPE2_LOCATION)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_identity_and_json_keys_on_every_sample(sample: Path) -> None:
    j = check_file(sample).to_json()
    assert j["status"] == "ok"
    s = j["scopes"]
    assert set(s) == {"scope1", "scope2_location", "scope2_market", "scope3"}
    assert set(j["iso14064_categories"]) == {"1", "2", "3", "4", "5", "6"}
    assert s["scope1"] + s["scope2_market"] + s["scope3"] == pytest.approx(j["total_tco2e"], rel=1e-12)
    assert sum(j["iso14064_categories"].values()) == pytest.approx(j["total_tco2e"], rel=1e-12)


def test_second_sample_by_hand() -> None:
    """示例_华东精密机械: fuels, the leak and 汽油 are Scope 1; grid electricity (no green power) is Scope 2 with
    location = market; steel, film and freight Scope 3 (test_samples_calc has the same figures by stage)."""
    r = check_file(SAMPLES / "示例_华东精密机械有限公司_2024.xlsx").result
    electricity = 3865 * 0.5366
    gas = 18.6 * 21.622
    diesel = 12400 * 2.5696e-3 + 12400 * 0.1062e-6 * AR6["CH4-fossil"] + 12400 * 0.021241e-6 * AR6["N2O"]
    r410a = 15.5e-3 * (0.5 * AR6["HFC-32"] + 0.5 * AR6["HFC-125"])
    gasoline = 3.6 * 2.9251
    scope3 = 1250 * 2.340 + 320 * 2.530 + (187500 + 96400) * 0.078e-3 + 4.2 * 2.810
    s = r.scopes.totals
    assert s["scope1"] == pytest.approx(gas + diesel + r410a + gasoline, rel=1e-9)
    assert s["scope2_market"] == s["scope2_location"] == pytest.approx(electricity, rel=1e-9)
    assert s["scope3"] == pytest.approx(scope3, rel=1e-9)


def test_every_library_factor_carries_a_scope_and_category() -> None:
    lib = load_library()
    for code, rows in lib.factors.items():
        for f in rows:
            assert f.scope in (1, 2, 3) and f.iso_category in range(1, 7), code
    assert lib.factors["EF-FUEL-DIESEL"][0].scope == 1
    assert lib.factors["EF-ELEC-GREEN"][0].scope == 2
    assert lib.factors["EF-ROAD-DIESEL-30T"][0].scope3_category == 4


def test_scope_data_cites_a_source_on_every_row() -> None:
    here = Path(__file__).resolve().parent.parent / "src/carbon_report/core/factors"
    for name in ("scopes.csv", "scope_classes.csv"):
        with (here / name).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                assert row["source"].strip() and row["secondary"] in ("yes", "unverified"), row


def test_outputs_show_the_scopes(tmp_path: Path) -> None:
    path = build(tmp_path)
    o = process_file(path, tmp_path / "out", Options(report=True, today=dt.date(2026, 12, 1)))
    wb = openpyxl.load_workbook(o.outputs["workbook"], data_only=True)
    assert contract.SHEET_SCOPES in wb.sheetnames
    ws = wb[contract.SHEET_SCOPES]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    header_at = next(i for i, r in enumerate(grid) if r[:2] == ["序号", "阶段"])
    header = grid[header_at]
    total = next(r for r in grid if r[1] == "合计")
    col = {h: i for i, h in enumerate(header)}
    assert total[col["范围一"]] == pytest.approx(SCOPE1)
    assert total[col["范围二（位置法）"]] == pytest.approx(SCOPE2_LOCATION)
    assert total[col["范围二（市场法）"]] == pytest.approx(SCOPE2_MARKET)
    assert total[col["范围三"]] == pytest.approx(SCOPE3)
    assert total[col["类别4 使用的产品"]] == pytest.approx(STEEL + CEMENT)
    assert total[col[f"合计（{'tCO2e'}）"]] == pytest.approx(TOTAL)
    transport = next(r for r in grid if r[1] == Stage.TRANSPORT.long_zh)
    assert transport[col["范围一"]] == pytest.approx(TRUCKS)
    details = [[c.value for c in row] for row in wb[contract.SHEET_DETAILS].iter_rows()]
    dh = next(r for r in details if r and r[0] == "序号")
    freight = next(r for r in details if r[3] == "钢材委外运输")
    d = dict(zip(dh, freight, strict=True))
    assert (d["范围"], d["ISO 14064-1 类别"], d["范围三类别（GHG Protocol）"]) == (3, 3, "类别4 上游运输和配送")
    truck = dict(zip(dh, next(r for r in details if r[3] == "自有货车柴油"), strict=True))
    assert (truck["范围"], truck["ISO 14064-1 类别"]) == (1, 1)
    # 汇总.xlsx of a batch carries the scope columns
    summary = build_summary([o.to_json()])["汇总"]
    head = [c.value for c in summary[1]]
    values = dict(zip(head, [c.value for c in summary[2]], strict=True))
    assert values["范围一（tCO2e）"] == pytest.approx(SCOPE1)
    assert values["范围二位置法（tCO2e）"] == pytest.approx(SCOPE2_LOCATION)
    assert values["范围二市场法（tCO2e）"] == pytest.approx(SCOPE2_MARKET)
    assert values["范围三（tCO2e）"] == pytest.approx(SCOPE3)
    assert _docx_text(Path(o.outputs["report"])).count("按核算范围和 ISO 14064-1 类别汇总") == 1


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_both_samples_render_the_scope_section(tmp_path: Path, sample: Path) -> None:
    o = process_file(sample, tmp_path, Options(report=True))
    text = _docx_text(Path(o.outputs["report"]))
    j = o.to_json()
    s = j["scopes"]
    start = text.index("按核算范围和 ISO 14064-1 类别汇总")
    # right after 2.3.3's tables, before 2.3.4 (its number is the heading list's, not text)
    assert start < text.index("\n温室气体种类及全球增温潜势\n")
    assert "各阶段按核算范围的碳排放量" in text and "各阶段按 ISO 14064-1 类别的碳排放量" in text
    assert f"范围一 {s['scope1']:,.2f} tCO2e" in text or f"范围一 {s['scope1']:,.0f} tCO2e" in text
    assert f"位置法 {s['scope2_location']:,.2f} tCO2e" in text


def test_the_template_offers_the_new_columns(tmp_path: Path) -> None:
    from carbon_report.outputs.template import write_template

    out = tmp_path / "t.xlsx"
    write_template(out)
    wb = openpyxl.load_workbook(out)
    for sheet in (contract.ACTIVITIES.name, contract.FACTORS.name):
        ws = wb[sheet]
        header = {str(c.value): c for row in ws.iter_rows(max_row=5) for c in row if c.value}
        for name, listed in (("范围", '"1,2,3"'), ("ISO类别", '"1,2,3,4,5,6"')):
            cell = header[name]
            assert cell.comment is not None and "可选" in cell.comment.text
            letter = cell.column_letter
            dvs = [dv for dv in ws.data_validations.dataValidation if dv.formula1 == listed]
            assert dvs and any(letter in str(dv.sqref) for dv in dvs)


def test_biogenic_co2_stays_apart_from_every_scope(tmp_path: Path) -> None:
    wood = load_library().factors["EF-FUEL-BIOMASS-WOOD"]
    by_gas = {f.gas: f for f in wood}
    rows = [*ROWS, ["生产", "燃料", "木质废料", 10, "t", "EF-FUEL-BIOMASS-WOOD", "台账", None, None, None]]
    o = check_file(build(tmp_path, rows=rows))
    assert o.status == "ok"
    # CH4 and N2O of biomass are Scope 1 (kg per t × 10 t × GWP); its CO2 is reported apart
    ch4 = 10 * by_gas["CH4-non-fossil"].value * 1e-3 * AR6["CH4-non-fossil"]
    n2o = 10 * by_gas["N2O"].value * 1e-3 * AR6["N2O"]
    s = o.result.scopes.totals
    assert s["scope1"] == pytest.approx(SCOPE1 + ch4 + n2o, rel=1e-9)
    assert o.result.biogenic_co2_t == pytest.approx(10 * by_gas["CO2-biogenic"].value, rel=1e-12)
    assert s["scope1"] + s["scope2_market"] + s["scope3"] == pytest.approx(o.result.total, rel=1e-12)


def test_green_power_before_any_grid_notice_keeps_location_at_market(tmp_path: Path) -> None:
    rows = [["生产", "能源", "绿色电力", 40000, "kWh", "EF-ELEC-GREEN", "绿电交易凭证", None, None, None],
            ["生产", "能源", "电网电力", 1000, "kWh", "EF-ELEC-CN-AVG-2021", "电费单", None, None, None]]
    path = workbooks.build(tmp_path / "early.xlsx", activities=rows, factors=[], targets=[],
                           company=workbooks.company_with(报告日期=dt.date(2015, 1, 1)))
    o = check_file(path)
    assert o.status == "ok"
    none = [f for f in o.findings if f.code == "W-SCOPE2-LOCATION-NONE"]
    assert [(f.sheet, f.cell) for f in none] == [("活动数据", "F2")]
    s = o.result.scopes.totals
    # no grid average on that date: green stays at its market figure (0); the grid row is at its own average
    assert s["scope2_location"] == pytest.approx(1000 * 0.5568e-3) == s["scope2_market"]
